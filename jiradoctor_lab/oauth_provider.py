"""An OAuth 1.0a service provider that fails the way Jira's does (JIRA-FACTS §1).

Why hand-rolled rather than oauthlib's endpoints: Jira's answers carry details (the base string it
computed, acceptable timestamps, the rejected parameter) that jiradoctor diagnoses from, and the
URL in the base string must be the one Tomcat rebuilt (``Request.jira_url``), not the one the
client used. The base string itself is built with oauthlib's RFC 5849 helpers and the RSA-SHA1
signature is verified with ``cryptography``.

Validation order follows Atlassian's servlets on top of net.oauth's ``SimpleOAuthValidator``:
single parameters, required parameters, consumer, token, version, timestamp and nonce, signature
method, signature. UNCONFIRMED: the relative order of the token lookup and message validation.
"""

from __future__ import annotations

import base64
import html
import secrets
import urllib.parse
from dataclasses import dataclass
from typing import Iterable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from oauthlib.oauth1.rfc5849 import signature as rfc_signature
from oauthlib.oauth1.rfc5849 import utils as rfc_utils

from jiradoctor_lab.messages import Request, Response
from jiradoctor_lab.runtime import NONCE_WINDOW_S, AccessToken, LabRuntime, RequestToken

OAUTH_PREFIX = "/plugins/servlet/oauth/"
RSA_SHA1 = "RSA-SHA1"
TOKEN_LIFETIME_S = 157680000  # five years, what Jira reports for access tokens

# net.oauth OAuth.Problems.TO_HTTP_CODE; anything else is 403.
_STATUS = {
    **dict.fromkeys(
        (
            "version_rejected",
            "parameter_absent",
            "parameter_rejected",
            "timestamp_refused",
            "signature_method_rejected",
        ),
        400,
    ),
    **dict.fromkeys(
        (
            "nonce_used",
            "token_used",
            "token_expired",
            "token_revoked",
            "token_rejected",
            "token_not_authorized",
            "signature_invalid",
            "consumer_key_unknown",
            "consumer_key_rejected",
            "additional_authorization_required",
            "permission_unknown",
            "permission_denied",
        ),
        401,
    ),
    **dict.fromkeys(("user_refused", "consumer_key_refused"), 503),
}


class OAuthProblem(Exception):
    """A net.oauth ``OAuthProblemException``: the problem name plus its extra parameters."""

    def __init__(self, problem: str, *extra: tuple[str, str]) -> None:
        super().__init__(problem)
        self.problem = problem
        self.extra = list(extra)

    @property
    def status(self) -> int:
        return _STATUS.get(self.problem, 403)

    def parameters(self) -> list[tuple[str, str]]:
        return [("oauth_problem", self.problem), *self.extra]


def realm(runtime: LabRuntime) -> str:
    """The realm Jira puts in ``WWW-Authenticate``: its Base URL, percent-encoded once."""
    return urllib.parse.quote(runtime.base_url, safe="")


def www_authenticate(runtime: LabRuntime, params: Iterable[tuple[str, str]] = ()) -> str:
    """net.oauth ``OAuthMessage.getAuthorizationHeader(realm)``: every value percent-encoded."""
    parts = [f'OAuth realm="{realm(runtime)}"']
    parts += [f'{rfc_utils.escape(k)}="{rfc_utils.escape(v)}"' for k, v in params]
    return ", ".join(parts)


def problem_response(runtime: LabRuntime, problem: OAuthProblem) -> Response:
    """Both forms Jira uses: the ``WWW-Authenticate`` header and a form-encoded body."""
    params = problem.parameters()
    resp = Response.form(problem.status, params)
    return resp.add("WWW-Authenticate", www_authenticate(runtime, params))


# ------------------------------------------------------------------------------ verification ---


@dataclass(frozen=True)
class Verified:
    """A request whose signature Jira accepted."""

    consumer_key: str
    token: str | None
    params: dict[str, str]


def is_oauth_request(req: Request) -> bool:
    auth = req.header("authorization") or ""
    if auth[:6].lower() == "oauth ":
        return True
    return any(k == "oauth_consumer_key" for k, _ in req.query_params + req.form)


def _collect(req: Request) -> list[tuple[str, str]]:
    """All request parameters (RFC 5849 §3.4.1.3.1): query, OAuth header, form body."""
    auth = req.header("authorization") or ""
    headers = {"Authorization": auth} if auth[:6].lower() == "oauth " else None
    body = req.body.decode("utf-8", "replace") if req.is_form else None
    try:
        params: list[tuple[str, str]] = rfc_signature.collect_parameters(
            uri_query=req.query, body=body, headers=headers, exclude_oauth_signature=False
        )
        return params
    except ValueError as exc:  # malformed Authorization header
        raise OAuthProblem("parameter_rejected", ("oauth_problem_advice", f"Malformed OAuth header: {exc}")) from exc


def base_string(req: Request, params: list[tuple[str, str]]) -> str:
    """The signature base string for the URL Jira saw (Tomcat's rebuild, not the client's URL)."""
    unsigned = [(k, v) for k, v in params if k != "oauth_signature"]
    uri = rfc_signature.base_string_uri(str(req.jira_url) or "/")
    return str(rfc_signature.signature_base_string(req.method, uri, rfc_signature.normalize_parameters(unsigned)))


def _verify_rsa_sha1(runtime: LabRuntime, text: str, signature_b64: str) -> bool:
    try:
        sig = base64.b64decode(signature_b64, validate=False)
        runtime.registered_public_key.verify(sig, text.encode("utf-8"), padding.PKCS1v15(), hashes.SHA1())
        return True
    except (InvalidSignature, ValueError):
        return False


def verify(req: Request, runtime: LabRuntime, *, token_kind: str) -> Verified:
    """Validate an OAuth-signed request or raise the :class:`OAuthProblem` Jira would send.

    ``token_kind``: ``none`` (request-token), ``request`` (access-token), ``access`` (REST).
    """
    params = _collect(req)
    oauth_names = [k for k, _ in params if k.startswith("oauth_")]
    duplicated = sorted({k for k in oauth_names if oauth_names.count(k) > 1})
    if duplicated:
        raise OAuthProblem("parameter_rejected", ("oauth_parameters_rejected", "&".join(duplicated)))
    p = dict(params)
    required = ["oauth_consumer_key", "oauth_signature_method", "oauth_signature", "oauth_timestamp", "oauth_nonce"]
    if token_kind != "none":
        # UNCONFIRMED for REST: Jira may treat a token-less signed call as 2-legged OAuth.
        required.append("oauth_token")
    absent = [k for k in required if not p.get(k)]
    if absent:
        raise OAuthProblem("parameter_absent", ("oauth_parameters_absent", "&".join(absent)))

    consumer_key = p["oauth_consumer_key"]
    if not runtime.consumer_registered(consumer_key):
        raise OAuthProblem("consumer_key_unknown")

    token = p.get("oauth_token") if token_kind != "none" else None
    if token_kind == "request":
        with runtime.state.lock:
            rt = runtime.state.request_tokens.get(token or "")
        if rt is None or rt.consumer_key != consumer_key:
            raise OAuthProblem("token_rejected")
    elif token_kind == "access":
        with runtime.state.lock:
            at = runtime.state.access_tokens.get(token or "")
        if at is None or (at.consumer_key is not None and at.consumer_key != consumer_key):
            raise OAuthProblem("token_rejected")
        if (
            runtime.scenario.behaviour.access_token_problem
        ):  # a token in that state (UNCONFIRMED: which checks come first)
            raise OAuthProblem(runtime.scenario.behaviour.access_token_problem)

    version = p.get("oauth_version")
    if version is not None and version != "1.0":
        raise OAuthProblem("version_rejected", ("oauth_acceptable_versions", "1.0-1.0"))

    _check_timestamp(runtime, p["oauth_timestamp"])
    if not runtime.state.use_nonce(consumer_key, token or "", p["oauth_timestamp"], p["oauth_nonce"], runtime.now()):
        raise OAuthProblem("nonce_used")

    method = p["oauth_signature_method"]
    if method != RSA_SHA1:
        raise OAuthProblem("signature_method_rejected", ("oauth_acceptable_signature_methods", RSA_SHA1))

    text = base_string(req, params)
    if not _verify_rsa_sha1(runtime, text, p["oauth_signature"]):
        raise OAuthProblem(
            "signature_invalid",
            ("oauth_signature", p["oauth_signature"]),
            ("oauth_signature_base_string", text),
            ("oauth_signature_method", method),
        )
    return Verified(consumer_key, token, p)


def _check_timestamp(runtime: LabRuntime, raw: str) -> None:
    """net.oauth ``validateTimestamp``: a window of 5 minutes each way around Jira's clock.

    UNCONFIRMED: ``oauth_acceptable_timestamps`` is in seconds here (net.oauth 20100527); other
    net.oauth versions may report milliseconds.
    """
    try:
        timestamp = int(raw)
    except ValueError:
        raise OAuthProblem("parameter_rejected", ("oauth_parameters_rejected", "oauth_timestamp")) from None
    now_ms = int(runtime.now() * 1000)
    low = (now_ms - NONCE_WINDOW_S * 1000 + 500) // 1000
    high = (now_ms + NONCE_WINDOW_S * 1000 + 500) // 1000
    if timestamp < low or timestamp > high:
        raise OAuthProblem("timestamp_refused", ("oauth_acceptable_timestamps", f"{low}-{high}"))


# --------------------------------------------------------------------------------- servlets ---


def handle(req: Request, runtime: LabRuntime) -> Response:
    """The three OAuth dance servlets plus consumer-info, under ``/plugins/servlet/oauth/``."""
    name = req.path[len(OAUTH_PREFIX) :].strip("/")
    try:
        if name == "request-token":
            return _method_guard(req, ("POST",)) or _request_token(req, runtime)
        if name == "access-token":
            return _method_guard(req, ("POST",)) or _access_token(req, runtime)
        if name == "authorize":
            return _method_guard(req, ("GET", "POST")) or _authorize(req, runtime)
        if name == "consumer-info":
            return _method_guard(req, ("GET",)) or _consumer_info(runtime)
    except OAuthProblem as problem:
        return problem_response(runtime, problem)
    return Response.html(404, _page("Oops, you've found a dead link.", "The page you requested was not found."))


def _method_guard(req: Request, allowed: tuple[str, ...]) -> Response | None:
    """UNCONFIRMED: Jira's request-token/access-token servlets refuse GET with 405 (POST only)."""
    if req.method in allowed or (req.method == "HEAD" and "GET" in allowed):
        return None
    resp = Response.html(405, _page("HTTP Status 405", f"Method {req.method} is not allowed"))
    return resp.add("Allow", ", ".join(allowed))


def _valid_callback(callback: str) -> bool:
    if callback == "oob":
        return True
    parts = urllib.parse.urlsplit(callback)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _request_token(req: Request, runtime: LabRuntime) -> Response:
    verified = verify(req, runtime, token_kind="none")
    # A missing oauth_callback is accepted (pycontribs' jirashell sends none): it means "oob",
    # or the consumer's registered callback when it has one.
    callback = verified.params.get("oauth_callback", "")
    registered = runtime.scenario.consumer.callback_prefix
    acceptable = _valid_callback(callback) if callback else True
    if registered and callback and not callback.startswith(registered):
        acceptable = False
    if not acceptable:
        raise OAuthProblem(
            "parameter_rejected",
            ("oauth_parameters_rejected", "oauth_callback"),
            (
                "oauth_problem_advice",
                "The oauth_callback is not a valid URL or does not match the callback registered for this consumer.",
            ),
        )
    token = RequestToken(
        token=secrets.token_urlsafe(24),
        secret=secrets.token_hex(16),
        consumer_key=verified.consumer_key,
        callback=callback or registered or "oob",
    )
    with runtime.state.lock:
        runtime.state.request_tokens[token.token] = token
    return Response.form(
        200,
        [
            ("oauth_token", token.token),
            ("oauth_token_secret", token.secret),
            ("oauth_callback_confirmed", "true"),
        ],
    )


def _authorize(req: Request, runtime: LabRuntime) -> Response:
    """The browser page where a Jira user allows the consumer.

    Tests approve without a browser: ``?lab_approve=allow`` (or ``deny``), optionally
    ``&lab_user=NAME``; the HTML form posts ``approve=Allow|Deny``.
    """
    fields = dict(req.query_params + req.form)
    token_value = fields.get("oauth_token", "")
    with runtime.state.lock:
        token = runtime.state.request_tokens.get(token_value)
    if token is None:
        return Response.html(400, _page("Invalid OAuth token", "The request token is invalid or has expired."))
    decision = (fields.get("lab_approve") or fields.get("approve") or "").lower()
    if decision not in ("allow", "deny"):
        consumer = html.escape(runtime.scenario.consumer.name)
        form = (
            f'<form method="post"><input type="hidden" name="oauth_token" value="{html.escape(token_value)}"><button '
            f'name="approve" value="Allow">Allow</button> <button name="approve" value="Deny">Deny</button></form>'
        )
        return Response.html(
            200, _page("Welcome to Jira", f"<p>{consumer} would like to read and write data on your behalf.</p>{form}")
        )
    user = fields.get("lab_user") or runtime.scenario.client.user or runtime.scenario.users[0].name
    if user not in runtime.users_by_name:
        user = runtime.scenario.users[0].name
    with runtime.state.lock:
        if decision == "allow":
            token.authorized_by, token.verifier = user, secrets.token_urlsafe(8)
        else:
            token.denied = True
    if token.callback != "oob":
        sep = "&" if "?" in token.callback else "?"
        extra = [("oauth_token", token.token)] + ([("oauth_verifier", token.verifier)] if token.verifier else [])
        return Response.redirect(token.callback + sep + urllib.parse.urlencode(extra))
    if decision == "deny":
        return Response.html(200, _page("Access denied", "You have denied access."))
    return Response.html(
        200, _page("Access approved", f"<p>Your verification code is <code>{token.verifier}</code>.</p>")
    )


def _access_token(req: Request, runtime: LabRuntime) -> Response:
    verified = verify(req, runtime, token_kind="request")
    with runtime.state.lock:
        rt = runtime.state.request_tokens.get(verified.token or "")
    if rt is None:
        raise OAuthProblem("token_rejected")
    # UNCONFIRMED: which problems Jira names for a denied or not-yet-authorised request token.
    if rt.denied:
        raise OAuthProblem("permission_denied")
    if rt.authorized_by is None:
        raise OAuthProblem("permission_unknown")
    verifier = verified.params.get("oauth_verifier")
    if not verifier:
        raise OAuthProblem("parameter_absent", ("oauth_parameters_absent", "oauth_verifier"))
    if verifier != rt.verifier:
        raise OAuthProblem("token_rejected", ("oauth_problem_advice", "The oauth_verifier does not match."))
    access = AccessToken(secrets.token_urlsafe(24), secrets.token_hex(16), verified.consumer_key, rt.authorized_by)
    with runtime.state.lock:
        runtime.state.request_tokens.pop(rt.token, None)  # a request token is exchanged once
        runtime.state.access_tokens[access.token] = access
    return Response.form(
        200,
        [
            ("oauth_token", access.token),
            ("oauth_token_secret", access.secret),
            ("oauth_expires_in", str(TOKEN_LIFETIME_S)),
            ("oauth_session_handle", secrets.token_urlsafe(12)),
            ("oauth_authorization_expires_in", str(TOKEN_LIFETIME_S)),
        ],
    )


def _consumer_info(runtime: LabRuntime) -> Response:
    """Jira's own consumer (UNCONFIRMED exact shape, JIRA-FACTS §3)."""
    xml = (
        "<consumer><key>jira:lab-"
        + str(runtime.port)
        + "</key><name>"
        + html.escape(runtime.scenario.server_title)
        + "</name><publicKey>"
        + runtime.jira_keys.public_key_base64
        + "</publicKey>"
        "<description>Atlassian Jira at " + html.escape(runtime.base_url) + "</description></consumer>"
    )
    return Response.text(200, xml, "application/xml;charset=UTF-8")


def _page(title: str, body: str) -> str:
    head = f"<head><title>{html.escape(title)}</title></head>"
    return f"<!DOCTYPE html><html>{head}<body><h1>{html.escape(title)}</h1>{body}</body></html>"
