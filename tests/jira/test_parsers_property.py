"""Property tests for every parser of outside text: PEM, server.xml, consumer keys, URLs.

Bounded ``max_examples`` keep the file to a few seconds; the properties are the contract:
parsers of customer text never raise (or raise only their own error type), and what they
read back is what was written.
"""

from __future__ import annotations

import re
import string
from xml.sax.saxutils import quoteattr

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives import serialization
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiradoctor.jira import consumer_keys as ck
from jiradoctor.jira import pem
from jiradoctor.jira.serverxml import ServerXmlError, parse_server_xml
from jiradoctor.jira.urls import InvalidUrl, JiraUrl
from jiradoctor.secrets import MASK

FAST = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# one key for the whole module: generated once, at import (a fixture cannot feed @given strategies)
_KEY = rsa.generate_private_key(public_exponent=65537, key_size=1024)
SPKI = (
    _KEY.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
)
PKCS8 = _KEY.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
).decode()
FINGERPRINT = pem.fingerprint(_KEY.public_key())

WHITESPACE = st.sampled_from([" ", "  ", "\t", "\n", "\r\n", "\r", "\n\n", "\u00a0"])


@st.composite
def mangled(draw, text: str) -> str:
    """A real PEM with whitespace inserted, cut short, or turned CRLF, in any combination."""
    out = text
    if draw(st.booleans()):
        out = out.replace("\n", "\r\n")
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(out)))
        out = out[:at] + draw(WHITESPACE) + out[at:]
    if draw(st.booleans()):
        out = out[: draw(st.integers(0, len(out)))]
    if draw(st.booleans()):
        out = "".join(line for line in out.splitlines(keepends=True) if "-----" not in line)  # armor dropped
    return out


# --- PEM -----------------------------------------------------------------------------------------


@FAST
@given(st.text())
def test_pem_readers_never_raise_on_any_text(text: str) -> None:
    public = pem.read_public_key(text)
    assert public.kind in ("spki", "pkcs1", "certificate", "private", "invalid", "empty")
    assert (public.public_key is None) == (public.kind in ("private", "invalid", "empty"))
    private = pem.read_private_key(text)
    assert (private.private_key is None) == (private.error is not None)
    pem.whitespace_issues(text)
    pem.contains_private_key(text)


@FAST
@given(st.text(alphabet=string.ascii_letters + string.digits + "+/=\n -", max_size=400))
def test_pem_readers_never_raise_on_base64_like_text(text: str) -> None:
    for wrapped in (
        text,
        f"-----BEGIN PUBLIC KEY-----\n{text}\n-----END PUBLIC KEY-----\n",
        f"-----BEGIN RSA PRIVATE KEY-----\n{text}\n-----END RSA PRIVATE KEY-----\n",
    ):
        pem.read_public_key(wrapped)
        pem.read_private_key(wrapped)


@FAST
@given(mangled(SPKI))
def test_mangled_public_key_reads_as_the_real_key_or_not_at_all(text: str) -> None:
    result = pem.read_public_key(text)
    if result.public_key is not None:
        assert pem.fingerprint(result.public_key) == FINGERPRINT
        assert result.kind == "spki"
    else:
        assert result.kind in ("invalid", "empty") and result.error
    pem.whitespace_issues(text)


@FAST
@given(mangled(PKCS8))
def test_mangled_private_key_reads_as_the_real_key_or_not_at_all(text: str) -> None:
    result = pem.read_private_key(text)
    if result.private_key is not None:
        assert pem.fingerprint(result.public_key) == FINGERPRINT
    else:
        assert result.error
    # a private key pasted as the public key is always recognised while its armor is there
    if "-----BEGIN PRIVATE KEY-----" in text:
        assert pem.read_public_key(text).kind == "private"


@FAST
@given(st.lists(WHITESPACE, min_size=1, max_size=3), st.sampled_from(["lead", "trail", "tab", "crlf"]))
def test_whitespace_issues_find_what_was_added(extra: list[str], where: str) -> None:
    pad = "".join(extra)
    text = {
        "lead": pad + SPKI,
        "trail": SPKI.rstrip("\n") + " " + pad,
        "tab": SPKI.replace("\n", "\t\n", 1),
        "crlf": SPKI.replace("\n", "\r\n"),
    }[where]
    assert pem.whitespace_issues(text), repr(text[:20])
    assert pem.whitespace_issues(SPKI) == []


# --- server.xml ----------------------------------------------------------------------------------


@FAST
@given(st.text())
def test_parse_server_xml_raises_only_its_own_error_on_any_text(text: str) -> None:
    try:
        parse_server_xml(text)
    except ServerXmlError:
        pass


XML_NAME = st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,12}", fullmatch=True)
XML_VALUE = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)
HOSTNAME = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?(\.[a-z0-9]{1,10}){0,3}", fullmatch=True)


@FAST
@given(st.dictionaries(XML_NAME, XML_VALUE, max_size=8), st.text(max_size=40))
def test_parse_server_xml_on_generated_connectors(attributes: dict[str, str], junk: str) -> None:
    attrs = " ".join(f"{k}={quoteattr(v)}" for k, v in attributes.items())
    for doc in (
        f"<Server><Service><Connector {attrs}/></Service></Server>",
        f"<Server><Service><Connector {attrs}/>{junk}</Service></Server>",
    ):
        try:
            parsed = parse_server_xml(doc)
        except ServerXmlError:
            continue
        for connector in parsed.connectors:
            assert isinstance(connector.port, int)


@FAST
@given(
    HOSTNAME,
    st.integers(1, 65535),
    st.integers(1, 65535),
    st.sampled_from([None, "http", "https", "HTTPS"]),
    st.sampled_from(["", "/jira", "/a/b/"]),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20),
)
def test_connector_proxy_attributes_round_trip(
    name: str, port: int, proxy_port: int, scheme: str | None, context: str, password: str
) -> None:
    attrs = {
        "port": str(port),
        "protocol": "HTTP/1.1",
        "proxyName": name.upper(),
        "proxyPort": str(proxy_port),
        "keystorePass": password,
    }
    if scheme:
        attrs["scheme"] = scheme
    doc = (
        "<Server><Service><Connector " + " ".join(f"{k}={quoteattr(v)}" for k, v in attrs.items()) + "/>"
        f"<Engine><Host><Context path={quoteattr(context)}/></Host></Engine></Service></Server>"
    )
    (connector,) = parse_server_xml(doc).connectors
    assert connector.port == port
    assert connector.proxy_name == name  # host names compare case-insensitively: read lower-case
    assert connector.proxy_port == proxy_port
    assert connector.scheme == (scheme.lower() if scheme else None)
    assert connector.context_path == context.rstrip("/")
    assert connector.attributes["keystorePass"] == MASK  # kept out of reprs and tracebacks
    if password.strip():
        assert password in parse_server_xml(doc).secrets


@pytest.mark.parametrize(
    "doc",
    [
        '<?xml version="1.0" encoding="utf-16"?><Server/>',
        '<?xml version="1.0" encoding="no-such-encoding"?><Server/>',
        '<?xml version="1.0" encoding="iso-8859-1"?><Server><Service><Connector port="8080" '
        'proxyName="j\u00e9ra"/></Service></Server>',
        "<Server><Service><Connector port='99999999999999999999999'/></Service></Server>",
        "<Server><Service><Connector port='" + "9" * 5000 + "'/></Service></Server>",
        "<Server><Service><Connector port='-1' proxyPort=' '/></Service></Server>",
        "<s:Server xmlns:s='urn:x'><s:Service><s:Connector port='8080'/></s:Service></s:Server>",
        "<Server>" * 2000 + "</Server>" * 2000,
        "\ufeff<Server/>",
    ],
)
def test_parse_server_xml_odd_documents(doc: str) -> None:
    try:
        parse_server_xml(doc)
    except ServerXmlError:
        pass


# --- consumer keys -------------------------------------------------------------------------------

_MARKER = re.compile(r"⟨U\+[0-9A-F]{4,6} [^⟩]*⟩")


@FAST
@given(st.text())
def test_visible_shows_every_non_plain_character(key: str) -> None:
    shown = ck.visible(key)
    bare = _MARKER.sub("", shown)
    for ch in bare:
        assert not ch.isspace(), f"raw whitespace {ch!r} in {shown!r}"
        assert not ck.is_invisible(ch), f"raw invisible {ch!r} in {shown!r}"
    # nothing is lost: every character is either kept or has its own marker
    hidden = [ch for ch in key if ch.isspace() and ch not in " \t\n\r" or ck.is_invisible(ch)]
    assert len(_MARKER.findall(shown)) == len(hidden)


@FAST
@given(st.text())
def test_analyse_finds_something_whenever_the_key_is_not_plain(key: str) -> None:
    analysis = ck.analyse(key)
    flagged = bool(
        analysis.leading_whitespace
        or analysis.trailing_whitespace
        or analysis.inner_whitespace
        or analysis.invisible
        or analysis.unusual
    )
    plain = all(re.fullmatch(r"[A-Za-z0-9._:\-]", ch) for ch in key)
    assert flagged == (not plain)
    assert ck.cleaned(key) == ck.cleaned(ck.cleaned(key))


@FAST
@given(st.text(), st.text())
def test_first_difference(a: str, b: str) -> None:
    i = ck.first_difference(a, b)
    assert a[:i] == b[:i]
    assert i == min(len(a), len(b)) or a[i] != b[i]


# --- URLs ----------------------------------------------------------------------------------------

PATH = st.lists(st.from_regex(r"[A-Za-z0-9._~-]{1,8}", fullmatch=True), max_size=3).map(
    lambda parts: "".join("/" + p for p in parts)
)


@FAST
@given(st.sampled_from(["http", "https"]), HOSTNAME, st.integers(1, 65535), PATH)
def test_jira_url_round_trip(scheme: str, host: str, port: int, path: str) -> None:
    url = JiraUrl(scheme, host, port, path)
    assert JiraUrl.parse(str(url)) == url
    assert JiraUrl.parse(str(url).upper().replace(path.upper(), path) + "/") == url
    default = {"http": 80, "https": 443}[scheme]
    assert (f":{port}" in str(url)) == (port != default)


@FAST
@given(st.text(max_size=60))
def test_jira_url_parse_raises_only_invalid_url(text: str) -> None:
    try:
        url = JiraUrl.parse(text)
    except InvalidUrl:
        return
    assert url.scheme in ("http", "https") and url.host and 0 <= url.port <= 65535
