"""Every scenario shows exactly the evidence its ``expect`` codes name.

A small, independent observer plays the integration described by the scenario's client hints over
real sockets and names what it sees with the finding codes. If scenario data and lab behaviour
drift apart (a scenario that expects ``consumer-key/unknown`` but answers 200), this fails —
independently of jiradoctor's own checks, which are tested end-to-end elsewhere.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import time
import urllib.parse

import httpx
import pytest
from oauthlib.oauth1 import SIGNATURE_RSA, Client
from oauthlib.oauth1.rfc5849 import signature as sig

from jiradoctor_lab import LabServer, list_scenarios
from tests.lab.helpers import client_for, oauth_header_params, parse_form

pytestmark = pytest.mark.timeout(60)

REQUIRED = {
    "piplanning": [
        "BROWSE_PROJECTS",
        "CREATE_ISSUES",
        "EDIT_ISSUES",
        "LINK_ISSUES",
        "SCHEDULE_ISSUES",
        "MODIFY_REPORTER",
    ]
}
OPTIONAL = {"piplanning": ["DELETE_ISSUES", "MANAGE_SPRINTS_PERMISSION"]}
GLOBAL = {"jira-align": ["ADMINISTER"]}
PROBLEM_CODES = {
    "consumer_key_unknown": "consumer-key/unknown",
    "timestamp_refused": "oauth-signature/timestamp-refused",
    "nonce_used": "oauth-signature/nonce-used",
    "token_rejected": "oauth-signature/token-rejected",
    "token_expired": "oauth-signature/token-expired",
    "permission_unknown": "oauth-signature/permission-unknown",
    "additional_authorization_required": "oauth-signature/additional-authorization-required",
}
# Atlassian's list of ports Cloud application links reach (issue 19)
CLOUD_APPLINK_PORTS = {80, 443, 8080, 8443, 8444, 7990, 8090, 8085, 8060, 8900, 9900}


class Observer:
    def __init__(self, lab: LabServer) -> None:
        self.lab = lab
        self.c = lab.client
        # an integration that does not trust the lab's CA verifies against the system's (issue 25: a failed handshake)
        self.http = (client_for(lab, timeout=httpx.Timeout(2.0)) if lab.client.trust_lab_ca or not lab.ca_pem
                     else httpx.Client(timeout=httpx.Timeout(2.0), trust_env=False, follow_redirects=False))
        self.codes: set[str] = set()
        self.anonymous_login_page = False

    # -- transport and clock ------------------------------------------------------------------
    def server_info(self) -> dict | None:
        url = self.lab.url + "/rest/api/2/serverInfo"
        for _ in range(10):
            resp = self.http.get(url)
            if resp.status_code not in (301, 302, 303, 307, 308):
                break
            url = resp.headers["location"]
        else:
            self.codes.add("reachability/redirect-loop")
            return None
        if (
            resp.status_code == 403 and "IP address has been rejected" in resp.text
        ):  # the blockers' own pages (issue 19)
            self.codes.add("reachability/ip-allowlist")
            return None
        if (
            resp.status_code == 403
            and resp.headers.get("server", "").startswith("cloudflare")
            and resp.headers.get("cf-ray")
        ):
            self.codes.add("reachability/cloudflare-block")
            return None
        if resp.status_code == 403 and resp.headers.get("x-squid-error", "").startswith("ERR_ACCESS_DENIED"):
            self.codes.add("reachability/proxy-block-page")
            return None
        if (
            self.c.integration_hosting == "cloud"
            and self.c.integration == "jira-align"
            and urllib.parse.urlsplit(self.lab.url).port not in CLOUD_APPLINK_PORTS
        ):
            self.codes.add("reachability/cloud-port-unreachable")  # Jira Align is an Atlassian Cloud product
        if resp.status_code == 404:  # nothing at serverInfo, nor any page of Jira's: reachability stops here
            self.codes.add("reachability/not-found")
            return None
        if (
            resp.status_code == 200
            and "text/html" in resp.headers.get("content-type", "")
            and 'type="password"' in resp.text
        ):
            # a login page for anonymous callers: warned, nothing blocked — unless the credentials get
            # Jira's JSON through it (the SSO app's REST bypass, issue 25): then it is only information
            self.anonymous_login_page = True
        if resp.status_code != 200 or not resp.headers.get("content-type", "").startswith("application/json"):
            return None
        info = resp.json()
        info.setdefault("_date", resp.headers.get("date"))
        return info

    def clock(self, info: dict) -> None:
        if "serverTime" in info:
            served = dt.datetime.strptime(info["serverTime"], "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()
        else:  # anonymous serverInfo on Server has no serverTime (JIRA-FACTS §3): Jira's Date header
            served = email.utils.parsedate_to_datetime(info["_date"]).timestamp()
        offset = abs(served - time.time())
        if offset > 300:
            self.codes.add("clock-skew/exceeds-tolerance")
        elif offset > 60:
            self.codes.add("clock-skew/near-tolerance")

    # -- OAuth --------------------------------------------------------------------------------
    def oauth(self, method: str, path: str, token: str | None = None, callback: str | None = None):
        client = Client(
            self.c.consumer_key,
            resource_owner_key=token,
            callback_uri=callback,
            signature_method=SIGNATURE_RSA,
            rsa_key=self.lab.private_key_pem,
        )
        uri, headers, _ = client.sign(self.lab.url + path, http_method=method)
        resp = self.http.request(method, uri, headers=headers)
        query = urllib.parse.urlsplit(uri).query
        params = sig.collect_parameters(uri_query=query, headers=headers, exclude_oauth_signature=True)
        base = sig.signature_base_string(method, sig.base_string_uri(uri), sig.normalize_parameters(params))
        return resp, base

    def classify_oauth(self, resp: httpx.Response, client_base: str) -> str | None:
        """None when accepted; else the finding code the answer proves."""
        if resp.status_code == 200 and (
            resp.headers.get("content-type", "").startswith("application/x-www-form")
            or "application/json" in resp.headers.get("content-type", "")
        ):
            return None
        header = resp.headers.get("www-authenticate", "")
        if not header.startswith("OAuth ") or "oauth_problem" not in header:
            return "oauth-signature/not-jira"
        problem = oauth_header_params(header)
        name = problem["oauth_problem"]
        if name == "signature_invalid":
            server_base = problem["oauth_signature_base_string"]
            if server_base.split("&")[1] != client_base.split("&")[1]:
                return "oauth-signature/url-mismatch"
            if server_base != client_base:
                return "oauth-signature/parameter-mismatch"
            return "oauth-signature/key-mismatch"
        if name == "parameter_rejected" and problem.get("oauth_parameters_rejected") == "oauth_callback":
            return "oauth-signature/callback-rejected"
        return PROBLEM_CODES.get(name, "oauth-signature/problem")

    def run_oauth(self) -> bool:
        resp, base = self.oauth("POST", "/plugins/servlet/oauth/request-token", callback="oob")
        code = self.classify_oauth(resp, base)
        if code:
            self.codes.add(code)
            return False
        assert parse_form(resp.text)["oauth_token"]
        resp, base = self.oauth(
            "GET", "/rest/api/2/mypermissions?permissions=BROWSE_PROJECTS", token=self.c.access_token
        )
        code = self.classify_oauth(resp, base)
        if code:
            self.codes.add(code)
            return False
        return True

    # -- Basic / token / PAT --------------------------------------------------------------------
    def credentials(self) -> dict:
        if self.c.auth == "pat":
            return {"headers": {"Authorization": f"Bearer {self.c.pat}"}}
        return {"auth": (self.c.user, self.c.token if self.c.auth == "token" else self.c.password)}

    def run_basic(self) -> bool:
        me = self.http.get(self.lab.url + "/rest/api/2/myself", **self.credentials())
        for _ in range(2):  # a short burst is waited out, as every client should (JIRA-FACTS §10)
            if me.status_code != 429 or int(me.headers.get("retry-after", "0")) > 5:
                break
            time.sleep(int(me.headers["retry-after"]))
            me = self.http.get(self.lab.url + "/rest/api/2/myself", **self.credentials())
        if me.status_code == 429:
            self.codes.add("auth/throttled")
            return False
        if me.status_code == 200 and not me.headers.get("content-type", "").startswith("text/html"):
            return True
        secret = self.c.pat if self.c.auth == "pat" else self.c.password
        if (
            self.lab.scenario.deployment == "Server"
            and secret.startswith("ATATT")
            and me.status_code in (401, 403)
        ):  # an Atlassian Cloud API token at a Server: Server never knows one
            self.codes.add("auth/cloud-token-on-server")
        elif me.status_code == 403 and any(
            word in me.text for word in ("allowed list", "allowedlist", "whitelist", "allowlist")
        ):  # an IP allowlist's refusal, in any of its spellings
            self.codes.add("auth/ip-allowlist")
        elif me.status_code == 403 and "Basic Authentication has been disabled" in me.text:
            self.codes.add("auth/basic-disabled")
        elif (
            me.status_code == 403
            and "CAPTCHA_CHALLENGE" in me.headers.get("x-authentication-denied-reason", "")
            and self.http.get(
                self.lab.url + "/rest/api/2/myself", headers={"Authorization": f"Bearer {self.c.password}"}
            ).status_code
            == 200
        ):  # the password is a PAT, and sending it as one has locked the user behind a CAPTCHA
            self.codes.add("auth/pat-as-password-captcha")
        elif me.status_code == 200 and "os_password" in me.text:  # SSO answering with its login page
            self.codes.add("auth/sso-redirect")
        elif me.status_code in (302, 303) and "/rest/" not in me.headers.get("location", ""):
            self.codes.add("auth/sso-redirect")
        elif (
            self.c.auth == "token"
            and me.status_code == 401
            and me.headers.get("server", "").startswith("AtlassianProxy")
        ):
            self.codes.add("auth/cloud-token-refused")
        elif me.status_code == 403 and "CAPTCHA_CHALLENGE" in me.headers.get("x-authentication-denied-reason", ""):
            self.codes.add("auth/captcha-required")
        elif "passwords is deprecated" in me.text:
            self.codes.add("auth/password-on-cloud")
        elif (
            self.http.get(
                self.lab.url + "/rest/api/2/myself", headers={"Authorization": f"Bearer {self.c.password}"}
            ).status_code
            == 200
        ):
            self.codes.add("auth/pat-as-password")
        else:
            projects = self.http.get(self.lab.url + "/rest/api/2/project", **self.credentials())
            if projects.headers.get("x-seraph-loginreason") == "AUTHENTICATED_FAILED" and projects.json():
                self.codes.add("auth/anonymous-fallback")
            else:
                self.codes.add("auth/invalid-credentials")
        return False

    # -- permissions ------------------------------------------------------------------------------
    def permissions(self) -> None:
        integration = self.c.integration
        required, optional = REQUIRED.get(integration, []), OPTIONAL.get(integration, [])
        keys = required + optional
        projects = list(self.c.projects)
        if not projects and self.lab.scenario.behaviour.throttle_after:
            listing = self.http.get(self.lab.url + "/rest/api/2/project", **self.credentials()).json()
            projects = [p["key"] for p in listing]
        for project in projects if keys else ():
            resp = self.http.get(
                self.lab.url + "/rest/api/2/mypermissions",
                params={"projectKey": project, "permissions": ",".join(keys)},
                **self.credentials(),
            )
            if resp.status_code in (429, 503) and resp.headers.get("retry-after"):
                self.codes.add("permissions/throttled")  # whatever the limit's shape or length
                break
            if resp.status_code == 404:
                self.codes.add("permissions/project-not-found")
                continue
            if resp.status_code == 400:
                self.codes.add("permissions/unknown-permission")
                continue
            have = {k: v["havePermission"] for k, v in resp.json()["permissions"].items()}
            if set(keys) - set(have):  # Server ignores the filter and leaves unknown keys out
                self.codes.add("permissions/unknown-permission")
                keys_known = [k for k in keys if k in have]
                required = [k for k in required if k in keys_known]
                optional = [k for k in optional if k in keys_known]
            if not all(have[k] for k in required):
                self.codes.add("permissions/missing")
            if not all(have[k] for k in optional):
                self.codes.add("permissions/missing-optional")
        if GLOBAL.get(integration):
            out = self.http.post(
                self.lab.url + "/rest/api/3/permissions/check",
                json={"globalPermissions": GLOBAL[integration]},
                **self.credentials(),
            ).json()
            if set(GLOBAL[integration]) - set(out["globalPermissions"]):
                self.codes.add("permissions/global-missing")

    def observe(self) -> set[str]:
        try:
            info = self.server_info()
        except httpx.TimeoutException:
            return {"reachability/timeout"}
        except (httpx.ReadError, httpx.RemoteProtocolError):
            return {"reachability/reset"}
        except httpx.ConnectError as exc:
            if "CERTIFICATE_VERIFY_FAILED" in str(exc):  # the lab CA is not this client's: everything after is blocked
                return {"tls/untrusted-root"}
            raise
        if self.codes & {
            "reachability/redirect-loop",
            "reachability/not-found",
            "reachability/ip-allowlist",
            "reachability/cloudflare-block",
            "reachability/proxy-block-page",
        }:
            return self.codes  # the live checks after reachability are blocked
        if info is not None:
            self.clock(info)
        ok = self.run_oauth() if self.c.auth == "oauth1" else self.run_basic()
        if self.anonymous_login_page and not (ok and self.c.auth != "oauth1"):
            self.codes.add("reachability/login-page")
        if ok and self.c.auth != "oauth1":
            self.permissions()
        return self.codes


@pytest.mark.parametrize("scenario", [s.name for s in list_scenarios()])
def test_scenario_shows_what_it_expects(scenario):
    with LabServer(scenario) as lab:
        observer = Observer(lab)
        try:
            observed = observer.observe()
        finally:
            observer.http.close()
        # codes an administrator's read shows are observed by tests/lab/test_applinks_contract.py
        # can-work/ codes: tests/lab/test_can_work_lab.py observes them independently;
        # nodes/: tests/lab/test_nodes_lab.py
        assert observed == {
            c
            for c in lab.scenario.expect
            if not c.startswith(("applink/", "webhooks/", "pat-expiry/", "can-work/", "nodes/"))
        }
