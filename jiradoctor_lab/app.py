"""From what arrived on the socket to Jira's answer: front proxy, Tomcat, Seraph, servlets.

Why one pipeline: the order is what makes the lab honest. The simulated front proxy rewrites the
request first (path prefix, dropped query parameters), Tomcat then rebuilds the URL Jira sees
with :func:`jiradoctor.jira.tomcat.request_url` from the Host header actually received, and only
then do the OAuth provider, authentication and REST resources look at it.
"""

from __future__ import annotations

import html
import urllib.parse
from typing import Mapping

from jiradoctor.jira import tomcat
from jiradoctor_lab import applinks, auth, cloud_edge, oauth_provider, rest, throttle
from jiradoctor_lab import can_work as lab_can_work
from jiradoctor_lab.messages import Request, Response
from jiradoctor_lab.runtime import LabRuntime

try:  # the OAuth 2.0 provider needs Authlib (the test extra); the rest of the lab does not
    from jiradoctor_lab import oauth2_provider
except ImportError:  # pragma: no cover - a plain install
    oauth2_provider = None  # type: ignore[assignment]

READ_ONLY_REFUSED = ("PUT", "DELETE", "PATCH")


def through_front_proxy(target: str, runtime: LabRuntime) -> tuple[str, str]:
    """Path and query after the scenario's simulated proxy/CDN."""
    parts = urllib.parse.urlsplit(target)
    path, query = parts.path or "/", parts.query
    fp = runtime.scenario.front_proxy
    if fp.strip_prefix and (path == fp.strip_prefix or path.startswith(fp.strip_prefix + "/")):
        path = path[len(fp.strip_prefix) :] or "/"
    if fp.add_prefix:
        path = fp.add_prefix.rstrip("/") + path
    if fp.drop_query_params:
        if "*" in fp.drop_query_params:
            query = ""
        else:
            kept = [
                p
                for p in query.split("&")
                if p and urllib.parse.unquote_plus(p.split("=")[0]) not in fp.drop_query_params
            ]
            query = "&".join(kept)
    return path, query


def to_jira_request(
    method: str, target: str, headers: Mapping[str, str], body: bytes, runtime: LabRuntime
) -> Request | Response:
    """The request as Jira sees it, or Tomcat's own 404 when the path is outside the context."""
    lower = {k.lower(): v for k, v in headers.items()}
    path, query = through_front_proxy(target, runtime)
    context = runtime.connector.context_path
    if context and not (path == context or path.startswith(context + "/")):
        return tomcat_404(path)
    app_path = path[len(context) :] if context else path
    host_header = lower.get("host") or f"127.0.0.1:{runtime.port}"
    jira_url = tomcat.request_url(runtime.connector, host_header, app_path, lower)
    return Request(
        method=method.upper(), path=app_path or "/", query=query, headers=lower, body=body, jira_url=jira_url
    )


def tomcat_404(path: str) -> Response:
    """Tomcat's error page for a path no webapp serves (no Jira headers: Jira never saw it)."""
    page = (
        '<!doctype html><html lang="en"><head><title>HTTP Status 404 – Not Found</title></head>'
        f"<body><h1>HTTP Status 404 – Not Found</h1><p><b>Message</b> {html.escape(path)}</p></body></html>"
    )
    resp = Response.html(404, page)
    resp.jira_headers = False
    return resp


def respond(req: Request, runtime: LabRuntime) -> Response:
    """Jira's webapp: OAuth servlets, REST resources and a few pages."""
    if req.method in READ_ONLY_REFUSED:
        resp = Response.json(405, {"errorMessages": ["Method Not Allowed"], "errors": {}})
        return resp.add("Allow", "GET, POST, HEAD")
    if oauth2_provider is not None and oauth2_provider.handles(req, runtime):  # only scenarios with an [oauth2] table
        return oauth2_provider.handle(req, runtime)
    if req.path.startswith(oauth_provider.OAUTH_PREFIX):
        return oauth_provider.handle(req, runtime)
    if runtime.sso_redirect and req.path.startswith("/idp/"):
        return idp_page()
    if runtime.is_cloud and req.path == cloud_edge.TENANT_INFO:
        return cloud_edge.tenant_info(runtime)
    if (limited := throttle.limit(req, runtime)) is not None:
        return limited
    if (refused := lab_can_work.xsrf_refusal(req, runtime)) is not None:
        return refused
    found = rest.match(req, runtime) or applinks.match(req, runtime) or lab_can_work.match(req, runtime)
    if found is None:
        return _pages(req, runtime)
    route, match = found
    outcome = auth.authenticate(req, runtime, sso=not route.sso_exempt)
    if outcome.answer is not None:
        resp = outcome.answer
    elif req.method not in route.methods and not (req.method == "HEAD" and "GET" in route.methods):
        resp = rest.method_not_allowed(route)
    elif not route.anonymous and outcome.user is None:
        resp = auth.refusal(outcome, runtime)
    else:
        resp = route.handler(req, runtime, outcome.user, match)
    if outcome.user is not None:
        # UNCONFIRMED for Cloud: the lab names the accountId in X-AUSERNAME (Server: the username).
        # Jira URL-encodes the name (``someone%40example.org``, JIRA-FACTS §4); the lab encodes
        # as Java's URLEncoder does (UNCONFIRMED: which encoder, so a space's form is unsure).
        seen_as = outcome.user.account_id if runtime.is_cloud else outcome.user.name
        resp.add("X-AUSERNAME", urllib.parse.quote_plus(seen_as, safe=""))
        if runtime.is_cloud:
            resp.add("X-AAccountId", outcome.user.account_id)  # UNCONFIRMED header name casing
    if outcome.login_reason:
        resp.add("X-Seraph-LoginReason", outcome.login_reason)
    for name, value in outcome.headers:
        resp.add(name, value)
    return throttle.on_answer(req, resp, runtime)


def _pages(req: Request, runtime: LabRuntime) -> Response:
    if req.path.startswith("/rest/"):
        return rest.not_found(req)
    if req.path in ("", "/"):
        return Response.redirect(f"{runtime.base_url}/secure/Dashboard.jspa")
    if req.path == "/login.jsp":
        page = Response.html(200, login_page("Log in - Jira"))
        page.login_page = True
        return page
    if req.path == "/secure/Dashboard.jspa":
        return Response.html(
            200, "<!DOCTYPE html><html><head><title>System Dashboard - Jira</title></head><body></body></html>"
        )
    return Response.html(
        404,
        "<!DOCTYPE html><html><head><title>Oops, you've found a dead link. - Jira</title></head>"
        "<body><h1>Oops, you've found a dead link.</h1></body></html>",
    )


def login_page(title: str) -> str:
    return (
        f"<!DOCTYPE html><html><head><title>{html.escape(title)}</title></head><body>"
        '<form id="login-form" method="post" action="login"><input name="os_username">'
        '<input name="os_password" type="password"><input type="submit" value="Log In"></form></body></html>'
    )


def idp_page() -> Response:
    """The identity provider's login page the SSO scenario redirects to (not Jira: no Jira headers)."""
    resp = Response.html(200, login_page("Sign in - Lab Identity Provider"))
    resp.jira_headers = False
    return resp


# ------------------------------------------------------------------------ misbehaving sites ---


def misbehaving(method: str, target: str, runtime: LabRuntime) -> Response | None:
    """Answers of a site that is not (or not only) Jira; None when the scenario behaves."""
    kind = runtime.scenario.behaviour.misbehave
    if kind == "html-login":
        resp = Response.html(200, login_page("Sign in - Company Portal"))
    elif kind == "not-found":
        resp = Response.html(
            404,
            "<html><head><title>404 Not Found</title></head><body><center><h1>404 Not "
            "Found</h1></center><hr><center>nginx</center></body></html>",
        )
        resp.add("Server", "nginx")
    elif kind == "redirect-loop":
        path = urllib.parse.urlsplit(target).path
        nxt = "/login.jsp" if path != "/login.jsp" else "/secure/Dashboard.jspa"
        resp = Response.redirect(f"{runtime.url}{nxt}?os_destination={urllib.parse.quote(path, safe='')}")
    elif (page := lab_can_work.blocker_page(kind, runtime)) is not None:
        resp = page
    else:
        return None
    resp.jira_headers = False
    return resp
