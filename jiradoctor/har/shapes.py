"""What a secret looks like in a HAR: by the name it travels under, and by its own shape.

Names: headers (Authorization, Cookie, Set-Cookie, CSRF and session headers), parameters and
JSON keys (password, token, secret, session, signature, OAuth's token/signature/verifier…).
Shapes: JWTs, Atlassian API tokens (ATATT…, ATCTT…), Jira personal access tokens (44 base64
characters), ``Bearer``/``Basic`` credentials, PEM private keys — found wherever they sit.
"""

from __future__ import annotations

import re
import urllib.parse

from jiradoctor.secrets import MASK

SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "set-cookie2",
        "x-csrf-token",
        "x-xsrf-token",
        "x-api-key",
        "x-auth-token",
        "x-access-token",
        "x-asessionid",
        "atl-xsrftoken",
        "x-amz-security-token",
        "x-goog-api-key",
        "x-upstream-authorization",
        "www-authenticate-token",
    }
)
# OAuth 1.0a parameters that are not secret and that the diagnosis reads.
PUBLIC_OAUTH = frozenset(
    {
        "oauth_problem",
        "oauth_problem_advice",
        "oauth_signature_method",
        "oauth_version",
        "oauth_timestamp",
        "oauth_acceptable_timestamps",
        "oauth_acceptable_versions",
        "oauth_parameters_absent",
        "oauth_parameters_rejected",
        "oauth_acceptable_signature_methods",
        "oauth_callback_confirmed",
        "oauth_consumer_key",
        "oauth_nonce",
        "oauth_callback",
        "realm",
        "oauth_signature_base_string",
    }
)
_SECRET_NAME = re.compile(
    r"pass(word|wd|phrase)?$|^pwd$|secret|token|session|sessid|cookie|^auth|authori[sz]ation|api_?key|apikey|signature|^sig$"
    r"|verifier|^code$|jwt|credential|private_?key|assertion|saml(response|request)|otp|^key$|xsrf|csrf|^sid$|ticket",
    re.IGNORECASE,
)

JWT = r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"
ATLASSIAN = r"\bAT(?:ATT|CTT|OAT|AT)[A-Za-z0-9_\-=+/]{8,}"
PAT = r"(?<![A-Za-z0-9+/])[MNO][A-Za-z0-9+/]{42,43}(?![A-Za-z0-9+/])"
PEM_KEY = r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)"
_SHAPES = re.compile("|".join(f"(?:{p})" for p in (PEM_KEY, JWT, ATLASSIAN, PAT)))
_SCHEME_CREDENTIAL = re.compile(r"(?i)\b(Bearer|Basic|Digest|Negotiate|NTLM|Token)(\s+)([A-Za-z0-9._~+/=\-]{6,})")
_NAMED_VALUE = re.compile(
    # the look-behind and the possessive name keep this linear on long runs of letters (a 50 KB body)
    r"""(?ix)(["']?)(?<![A-Za-z0-9_.\-])([A-Za-z_][A-Za-z0-9_.\-]{0,60}+)\1(\s*[:=]\s*)("?)([^"&\s,;}<>']+)"""
)


def secret_name(name: str) -> bool:
    """Whether a parameter, JSON key or form field of this name holds a secret."""
    low = name.strip().lower()
    if low in PUBLIC_OAUTH:
        return False
    if low.startswith("oauth_"):
        return True  # oauth_token, oauth_token_secret, oauth_signature, oauth_verifier, unknown ones
    return bool(_SECRET_NAME.search(low.replace("-", "_")))


class Collector:
    """Masks text and remembers every value it masked, so reports can be scrubbed of them too."""

    def __init__(self) -> None:
        self.found: set[str] = set()

    def mask(self, value: str) -> str:
        if value and value != MASK:
            self.found.add(value)
            for form in (urllib.parse.unquote(value), urllib.parse.unquote_plus(value)):
                if form != value and len(form) >= 4:
                    self.found.add(form)
        return MASK if value else value

    def shapes(self, text: str) -> str:
        """Mask secrets recognised by shape, ``Bearer …`` credentials and ``name=value`` secrets."""
        if not text:
            return text
        text = _SHAPES.sub(lambda m: self.mask(m.group(0)), text)
        text = _SCHEME_CREDENTIAL.sub(lambda m: m.group(1) + m.group(2) + self.mask(m.group(3)), text)

        def named(m: re.Match[str]) -> str:
            if not secret_name(m.group(2)) or m.group(5) == MASK:
                return m.group(0)
            return m.group(1) + m.group(2) + m.group(1) + m.group(3) + m.group(4) + self.mask(m.group(5))

        return _NAMED_VALUE.sub(named, text)
