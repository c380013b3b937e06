"""What a secret looks like in a HAR: by the name it travels under, and by its own shape.

Names: headers (Authorization, Cookie, Set-Cookie, CSRF and session headers), parameters and
JSON keys (password, token, secret, session, signature, OAuth's token/signature/verifier…).
Shapes: JWTs, Atlassian API tokens (ATATT…, ATCTT…), Jira personal access tokens (44 base64
characters), ``Bearer``/``Basic`` credentials, PEM private keys — found wherever they sit.
"""

from __future__ import annotations

import base64
import html
import json
import re
import urllib.parse

from jiradoctor.secrets import MASK, encodings_of

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
    r"pass(word|wd|phrase|code)|passwd|^pass$|_pass$|^pwd$|_pwd$|secret|token|session|sessid|cookie"
    r"|(^|_)auth($|_)|^_?auth(?!or)|authori[sz]ation|authenticat|credential|(api|access|secret|private|signing|master"
    r"|encryption|license|client|auth)_?key|apikey|signature|^sig$|verifier|^code$|jwt|assertion"
    r"|saml_?(response|request)|(^|_)t?otp($|_)|^key$|xsrf|csrf|^sid$|ticket",
    re.IGNORECASE,
)
# Public names the patterns above would catch (the diagnosis reads them; none carries a credential).
PUBLIC_NAMES = frozenset(
    {
        "www_authenticate",
        "proxy_authenticate",
        "access_control_allow_credentials",
        "x_seraph_loginreason",
        "consumer_key",
        "consumerkey",
        "token_type",
        "auth_type",
        "authtype",
        "authentication_type",
        "auth_method",
        "authenticated",
        "author",
    }
)
# Names secret in a URL or form (an OAuth 2.0 redirect's state is a CSRF token) but not in JSON bodies.
URL_SECRET_NAMES = frozenset({"state", "session_state", "login_hint", "nonce"})
JWT = r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"
ATLASSIAN = r"\bAT(?:ATT|CTT|OAT|AT)[A-Za-z0-9_\-=+/]{8,}"
PAT = r"(?<![A-Za-z0-9+/])[MNO][A-Za-z0-9+/]{42,43}(?![A-Za-z0-9+/])"
PEM_KEY = r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)"
_SHAPES = re.compile("|".join(f"(?:{p})" for p in (PEM_KEY, JWT, ATLASSIAN, PAT)))
_PAT_HINT = re.compile(r"[MNO][A-Za-z0-9+/]{42}")
_SCHEMES = ("bearer", "basic", "digest", "negotiate", "ntlm", "token")
_SCHEME_CREDENTIAL = re.compile(r"(?i)\b(Bearer|Basic|Digest|Negotiate|NTLM|Token)(\s+)([A-Za-z0-9._~+/=\-]{6,})")
_NAMED_VALUE = re.compile(
    # the look-behind and the possessive name keep this linear on long runs of letters (a 50 KB body)
    r"""(?ix)(["']?)(?<![A-Za-z0-9_.\-])([A-Za-z_][A-Za-z0-9_.\-]{0,60}+)\1(\s*[:=]\s*)("?)([^"&\s,;}<>']+)"""
)


def secret_name(name: str) -> bool:
    """Whether a parameter, JSON key or form field of this name holds a secret."""
    low = name.strip().lower()
    if low.startswith("amp;"):  # a query string HTML-escaped (&amp;) in a page
        low = low[4:]
    if low in PUBLIC_OAUTH:
        return False
    if low.startswith("oauth_"):
        return True  # oauth_token, oauth_token_secret, oauth_signature, oauth_verifier, unknown ones
    norm = re.sub(r"[-.\s]", "_", low)
    if norm in PUBLIC_NAMES:
        return False
    return bool(_SECRET_NAME.search(norm))


def secret_param(name: str) -> bool:
    """Whether a URL or form parameter of this name holds a secret (``state`` too)."""
    low = name.strip().lower()
    return secret_name(low) or low.removeprefix("amp;") in URL_SECRET_NAMES


_WORDS = re.compile(r"[A-Za-z]+(?:[-_ ][A-Za-z]+)*")
_NOT_SECRET = frozenset({"true", "false", "null", "none", "undefined", "deleted", "expired", "invalid", "********"})
_PROSE_WORD = re.compile(r"[A-Za-z][a-z]{0,30}")
_ENCODED_NAMED = re.compile(
    # name%3Dvalue in a percent-encoded query (once, twice, thrice), the value up to the encoded '&'
    r"(?i)(?<![A-Za-z0-9_.\-])([A-Za-z_][A-Za-z0-9_.\-]{0,60}+)(%3D|%253D|%25253D)((?:(?!%26|%2526|%252526)[^&\s\"'<>,;\\])*)"
)
MIN_ECHO = 6  # shorter values are masked where they sit, not searched for everywhere
MAX_ECHO = 8192  # longer ones too (a PEM key is ~3 KB): their encodings would cost memory, not find echoes


def worth_searching(value: str) -> bool:
    """Whether a masked value is distinctive enough to mask wherever else it appears.

    A cookie ``lang=en`` or ``X-Atlassian-Token: no-check`` is masked in its slot, but masking
    every ``en`` or ``no-check`` of the file would destroy the healthy text the HAR is shared for.
    """
    v = value.strip()
    if len(v) < MIN_ECHO or v.lower() in _NOT_SECRET or set(v) <= {"*"}:
        return False
    if _WORDS.fullmatch(v) and len(v) < 12:
        return False
    return not (v.isdigit() and len(v) < 10)


def base64_cores(data: bytes) -> set[str]:
    """The base64 characters that depend only on ``data`` wherever it sits in a longer base64 run
    (three byte alignments, standard and URL-safe alphabets)."""
    out = set()
    for k in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            text = encode(b"\0" * k + data).decode("ascii")
            core = text[-(-k * 8 // 6) : (k + len(data)) * 8 // 6]
            if len(core) >= 8:
                out.add(core)
    return out


def echo_forms(value: str) -> set[str]:
    """Every form a secret takes when echoed: percent-encoded once or twice (either hex case),
    form-encoded, JSON- and HTML-escaped, hex, and base64 at any alignment."""
    data = value.encode("utf-8", "surrogatepass")
    forms = encodings_of(value) | {value.strip(), json.dumps(value)[1:-1], html.escape(value), data.hex()}
    forms |= {urllib.parse.quote(f, safe="") for f in encodings_of(urllib.parse.quote(value, safe=""))}
    forms |= {data.hex().upper()} | base64_cores(data)
    return {f for f in forms if len(f) >= MIN_ECHO}


class Collector:
    """Masks text and remembers every value it masked, so reports can be scrubbed of them too.

    ``echoes`` (the value pass) replaces every known secret in every encoding; it is switched on
    once the whole file has been read, so a secret is masked even where it sits before the place
    that revealed it.
    """

    def __init__(self) -> None:
        self.found: set[str] = set()
        self._forms: list[str] | None = None
        self.echoes_on = False

    def mask(self, value: str) -> str:
        if value and value != MASK and len(value) <= MAX_ECHO:
            before = len(self.found)
            self.found.add(value)
            for form in (value.strip(), urllib.parse.unquote(value), urllib.parse.unquote_plus(value)):
                if form != value and len(form) >= 4:
                    self.found.add(form)
            if len(self.found) != before:
                self._forms = None
        return MASK if value else value

    def values(self) -> list[str]:
        """The masked values worth searching for elsewhere."""
        return sorted(v for v in self.found if worth_searching(v))

    def echoes(self, text: str) -> str:
        """Every occurrence of a known secret, in any encoding, masked (when the value pass is on)."""
        if not self.echoes_on or not text or len(text) < MIN_ECHO:
            return text
        if self._forms is None:
            forms: set[str] = set()
            for v in self.values():
                forms |= echo_forms(v)
            self._forms = sorted(forms, key=len, reverse=True)
        for form in self._forms:
            if form in text:
                text = text.replace(form, MASK)
        return text

    def shapes(self, text: str, prose: bool = False) -> str:
        """Mask secrets recognised by shape, ``Bearer …`` credentials and ``name=value`` secrets.

        ``prose``: text the doctor wrote ("signature_invalid: the integration signed …"): a plain
        word after a secret-looking name is a word, not a credential.
        """
        if not text:
            return text
        # cheap literal tests first: each pattern costs a pass over the text, most texts hold none
        if "eyJ" in text or "AT" in text or "-----BEGIN" in text or _PAT_HINT.search(text):
            text = _SHAPES.sub(lambda m: self.mask(m.group(0)), text)
        low = text.lower()
        if any(scheme in low for scheme in _SCHEMES):
            text = _SCHEME_CREDENTIAL.sub(self._scheme_credential, text)
        if ":" not in text and "=" not in text and "%" not in text:
            return text

        def named(m: re.Match[str]) -> str:
            if not secret_name(m.group(2)) or m.group(5) == MASK:
                return m.group(0)
            if prose and _PROSE_WORD.fullmatch(m.group(5)):
                return m.group(0)
            return m.group(1) + m.group(2) + m.group(1) + m.group(3) + m.group(4) + self.mask(m.group(5))

        text = _NAMED_VALUE.sub(named, text)
        if "%" in text:
            text = _ENCODED_NAMED.sub(self._encoded_named, text)
        return text

    def _scheme_credential(self, m: re.Match[str]) -> str:
        if _PROSE_WORD.fullmatch(m.group(3)):  # "Token refresh works again": a sentence, not a credential
            return m.group(0)
        return m.group(1) + m.group(2) + self.mask(m.group(3))

    def _encoded_named(self, m: re.Match[str]) -> str:
        if not m.group(3) or m.group(3) == MASK or not secret_param(urllib.parse.unquote(m.group(1))):
            return m.group(0)
        value = m.group(3)
        for _ in range(3):  # remember the plain value too: it is searched for in every encoding
            value = urllib.parse.unquote(value)
        self.mask(value)
        return m.group(1) + m.group(2) + self.mask(m.group(3))
