"""One HTTP client per run, configured as the integration's own (proxy, CA bundle, verify, timeout).

:func:`fetch` never raises for network trouble: it returns an :class:`HttpAnswer` whose
``error`` names what happened (timeout, refused, reset, TLS, proxy), with a bounded body and a
total time limit, so a server that dribbles bytes or never answers cannot hold the run.
"""

from __future__ import annotations

import errno
import time
import zlib
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from datetime import datetime
from typing import TYPE_CHECKING, Callable, Iterator, Mapping

from jiradoctor.facts import Fact
from jiradoctor import __version__

if TYPE_CHECKING:
    import ssl

    import httpx

    from jiradoctor.context import Facts
    from jiradoctor.net.client_cert import ClientCertificate

MAX_BODY = 256 * 1024
MAX_DECODED = 4 * 1024 * 1024  # a compressed answer is inflated this far at most, to tell a bomb from a big page
MAX_RAW = 8 * 1024 * 1024  # raw bytes read for one compressed answer
MAX_CODINGS = 3
MAX_HEADERS = 200
MAX_HEADER_VALUE = 8192
STEP = 64 * 1024  # decompressed per step; the event loop gets a turn between steps
STREAMED_MAX = 256 * 1024 * 1024  # a streamed answer (``sink``) is read this far at most, raw and decoded
USER_AGENT = f"jiradoctor/{__version__}"


@dataclass(frozen=True)
class TransportError:
    """Why no answer came: ``kind`` is stable (timeout, connect, reset, tls, proxy, protocol, other)."""

    kind: str
    message: str
    ssl_verify_code: int | None = None


@dataclass(frozen=True)
class HttpAnswer:
    method: str
    url: str
    status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-cased names
    body: str = ""
    truncated: bool = False
    elapsed_s: float = 0.0
    sent_at: float = 0.0  # time.time() when the request was sent
    error: TransportError | None = None
    problem: str | None = None  # an answer that came but cannot be read whole (a decompression bomb, a bad encoding)

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def content_type(self) -> str:
        return (self.header("content-type") or "").split(";")[0].strip().lower()

    @property
    def looks_like_html(self) -> bool:
        start = self.body.lstrip()[:200].lower()
        return self.content_type == "text/html" or start.startswith(("<!doctype html", "<html"))

    @property
    def date(self) -> datetime | None:
        value = self.header("date")
        if not value:
            return None
        try:
            return parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None


def ssl_context(
    ca_bundle: str | None, insecure: bool, client: ClientCertificate | None = None
) -> ssl.SSLContext | bool:
    """The integration's TLS settings; ``client``: the certificate it presents (mutual TLS), which
    goes with every connection, verified or not."""
    import ssl

    from jiradoctor.net.ca_bundle import pem_text

    if insecure and client is None:
        return False
    context = ssl.create_default_context(cadata=pem_text(ca_bundle))
    if insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if client is not None:
        from jiradoctor.net.client_cert import load_into

        load_into(context, client)
    return context


def shared_ssl_context(facts: "Facts", verify: bool) -> ssl.SSLContext | bool:
    """The run's SSL context for the integration's settings (``verify`` forces checks on), built
    once: each build reads the whole CA bundle (~14 ms), and the run's clients can share it."""
    insecure = facts.target.insecure and not verify
    key = f"ssl_context:{'insecure' if insecure else 'verify'}"
    if key not in facts.shared:
        facts.shared[key] = ssl_context(facts.target.ca_bundle, insecure, facts.target.client_certificate)
    context: ssl.SSLContext | bool = facts.shared[key]
    return context


def make_client(
    facts: "Facts", verify: bool = False, connections: int = 32, tls: "ssl.SSLContext | bool | None" = None
) -> httpx.AsyncClient:
    """A client with the integration's settings; ``verify`` forces certificate checks on. ``tls``:
    a context built already (lanes share one: building it reads the CA bundle each time)."""
    import httpx

    target = facts.target
    return httpx.AsyncClient(
        verify=tls if tls is not None else shared_ssl_context(facts, verify),
        proxy=target.proxy or None,
        trust_env=True,
        timeout=httpx.Timeout(target.timeout),
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=min(connections, 16)),
        event_hooks={"response": [_set_aside_malformed_location]},
    )


def lanes(facts: "Facts", count: int, credentials: bool) -> list[httpx.AsyncClient]:
    """``count`` clients of one connection each, for a fan-out that keeps ``count`` requests in
    flight; closed when the run ends. ``credentials``: certificates are checked even with
    ``--insecure``, as for :func:`client`.

    Why not one client with ``count`` connections: httpcore's pool looks at every pooled
    connection on every request (idle? expired? a ``select()`` each), so its cost per request grows
    with the pool; it was a third of the permission fan-out's CPU at 16 (issue 14). A lane's pool
    holds one connection, so that look is one.
    """
    tls = shared_ssl_context(facts, verify=credentials)
    out = [make_client(facts, connections=1, tls=tls) for _ in range(max(1, count))]
    for c in out:
        facts.on_close(c.aclose)
    return out


BAD_LOCATION = "x-jiradoctor-malformed-location"


async def _set_aside_malformed_location(response: httpx.Response) -> None:
    """httpx parses every redirect's Location even when it does not follow it, and a malformed one
    (``http://[…``) throws the whole answer away; set it aside so the answer (a fact) survives."""
    import httpx

    location = response.headers.get("location")
    if location is None:
        return
    try:
        url = httpx.URL(location)
        if url.is_relative_url:
            response.request.url.join(url)
        elif url.scheme and not url.host:
            raise ValueError(location)
    except Exception:  # noqa: BLE001 - whatever httpx would raise on it
        del response.headers["location"]
        response.headers[BAD_LOCATION] = location


async def client(facts: "Facts", credentials: bool = False) -> httpx.AsyncClient:
    """The run's shared client (the ``http_client`` fact), closed when the run ends.

    With ``--insecure`` the integration skips certificate checks, and so do our anonymous probes;
    a request that carries a credential still goes through a verifying client: jiradoctor never
    sends a password or token over a connection whose certificate it could not verify.
    """
    client: httpx.AsyncClient = await facts.get(
        "http_client_verified" if credentials and facts.target.insecure else "http_client"
    )
    return client


async def http_client_probe(facts: "Facts") -> httpx.AsyncClient:
    c = make_client(facts)
    facts.on_close(c.aclose)
    return c


async def verified_client_probe(facts: "Facts") -> httpx.AsyncClient:
    c = make_client(facts, verify=True)
    facts.on_close(c.aclose)
    return c


def carries_credential(headers: Mapping[str, str] | None) -> bool:
    """Basic or Bearer credentials, or an OAuth header with an access token."""
    value = next((v for k, v in (headers or {}).items() if k.lower() == "authorization"), "")
    return value.startswith(("Basic ", "Bearer ")) or (value.startswith("OAuth ") and "oauth_token=" in value)


def _walk_causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]


_UNREACHABLE_ERRNOS = {errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN, errno.ENETDOWN}


def classify(exc: BaseException) -> TransportError:
    """Name a transport failure by type and verify_code, never by message text (JIRA-FACTS §7)."""
    import asyncio
    import ssl

    import h11
    import httpx

    for cause in _walk_causes(exc):
        if isinstance(cause, ssl.SSLCertVerificationError):
            return TransportError("tls", f"certificate verification failed: {cause.verify_message}", cause.verify_code)
        if isinstance(cause, (ssl.SSLWantReadError, ssl.SSLWantWriteError)):
            continue  # "would block" left behind by a handshake that timed out: not a TLS failure
        if isinstance(cause, ssl.SSLError):
            return TransportError("tls", f"TLS handshake failed ({cause.reason or type(cause).__name__})")
    if isinstance(exc, (httpx.TimeoutException, asyncio.TimeoutError)):
        return TransportError("timeout", "no answer within the time limit")
    if isinstance(exc, httpx.ProxyError):
        return TransportError("proxy", f"the proxy refused the request: {exc}")
    for cause in _walk_causes(exc):
        if isinstance(cause, OSError) and cause.errno in _UNREACHABLE_ERRNOS:
            return TransportError("unreachable", f"no route to the host ({cause.strerror or cause})")
        if isinstance(cause, ConnectionResetError):
            return TransportError("reset", "the connection was reset")
        if isinstance(cause, ConnectionRefusedError):
            return TransportError("connect", "connection refused")
    if isinstance(exc, httpx.ConnectError):
        return TransportError("connect", f"cannot connect: {exc}")
    for cause in _walk_causes(exc):
        if isinstance(cause, h11.RemoteProtocolError):  # the server broke HTTP itself
            what = "headers too large" if getattr(cause, "error_status_hint", 400) == 431 else "malformed HTTP"
            return TransportError("protocol", f"the server's answer is not valid HTTP ({what}: {str(cause)[:120]})")
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError)):
        return TransportError("reset", f"the server closed the connection: {type(exc).__name__}")
    if isinstance(exc, httpx.HTTPError):
        return TransportError("protocol", f"{type(exc).__name__}: {exc}")
    return TransportError("other", f"{type(exc).__name__}: {exc}")


async def fetch(
    facts: "Facts",
    method: str,
    url: str,
    headers: Mapping[str, str] | None = None,
    content: bytes | None = None,
    json: object | None = None,
    max_body: int = MAX_BODY,
    budget_s: float | None = None,
    via: httpx.AsyncClient | None = None,
    sink: Callable[[bytes], object] | None = None,
    note_node: bool = True,
) -> HttpAnswer:
    """One request; ``max_body`` bounds what is kept, ``budget_s`` the whole exchange
    (default: twice the timeout plus a second — connect, read, and a dribbling body). ``via``: a
    lane of a fan-out (:func:`lanes`) instead of the run's shared client. ``sink``: every decoded
    piece of the body, as it arrives, up to :data:`STREAMED_MAX` (the answer keeps its first
    ``max_body`` bytes as evidence); for answers too large to hold, read by a streaming parser,
    which returns True once it wants no more (it has the whole document, or gave up on it).
    ``note_node``: the answer's Data Center node is noted for the nodes check (probes/nodes.py);
    off for that check's own repeats."""
    import asyncio

    sent_at = time.time()
    try:
        http = via if via is not None else await client(facts, credentials=carries_credential(headers))
    except Exception as exc:  # e.g. a SOCKS or malformed proxy setting httpx refuses
        return HttpAnswer(method, url, sent_at=sent_at, error=classify(exc))
    budget = budget_s if budget_s is not None else facts.target.timeout * 2 + 1
    t0 = time.perf_counter()
    sent: dict[str, Mapping[str, str]] = {}  # the headers as sent (the client adds its own), for --debug

    async def go() -> HttpAnswer:
        async with http.stream(method, url, headers=headers, content=content, json=json) as response:
            if facts.trace is not None:
                sent["headers"] = response.request.headers
            raw, truncated, problem = await read_body(response, max_body, sink)
            encoding = response.charset_encoding or "utf-8"
            try:
                body = raw.decode(encoding, errors="replace")
            except LookupError:
                body = raw.decode("utf-8", errors="replace")
            # redact at once: checks cut bodies and headers short for their evidence, and a secret
            # cut in half would no longer match the redactor
            redact = facts.redactor.text
            answer = HttpAnswer(
                method,
                url,
                response.status_code,
                kept_headers(response.headers, redact),
                redact(body),
                truncated,
                time.perf_counter() - t0,
                sent_at,
                problem=problem,
            )
            if note_node and "x-anodeid" in answer.headers:  # clustered Data Center (the nodes check)
                from jiradoctor.probes import node_notes

                node_notes.note(facts, method, url, headers, answer)
            return answer

    try:
        answer = await asyncio.wait_for(go(), timeout=budget)
    except asyncio.CancelledError:
        raise
    except BaseException as exc:  # noqa: BLE001 - every failure becomes a fact
        if not isinstance(exc, Exception):
            raise
        answer = HttpAnswer(method, url, elapsed_s=time.perf_counter() - t0, sent_at=sent_at, error=classify(exc))
    if facts.trace is not None:
        from jiradoctor.trace import describe_exchange

        size = len(content) if content is not None else (len(repr(json)) if json is not None else 0)
        facts.trace(describe_exchange(answer, sent.get("headers", headers), size, facts.redactor.text))
    note_sighting(facts, answer)
    return answer


def note_sighting(facts: "Facts", answer: HttpAnswer) -> None:
    """Record that the run asked Jira's URL, and the first answer that was Jira answering as Jira
    (at the URL or where its redirects led)."""
    from jiradoctor.jira.auth_signals import GATEWAY_HOST
    from jiradoctor.jira.fingerprint import answered_as_jira, origin_of

    origin = origin_of(answer.url)
    if origin is not None and (origin == origin_of(facts.target.url or "") or origin.endswith("://" + GATEWAY_HOST)):
        facts.asked_jira = True  # not an identity provider, a token endpoint or the integration's own site
    if facts.jira_seen is None and answer.ok:  # wherever a redirect led: Jira's answer is Jira's
        trace = answered_as_jira(answer) or _myself_user(answer)
        if trace is not None:
            facts.jira_seen = f"{answer.method} {answer.url}: {trace}"[:500]


def _myself_user(answer: HttpAnswer) -> str | None:
    """A 200 from Jira's own ``/rest/api/{2,3}/myself`` naming the caller: Jira's REST API answering, also
    through Cloud's api.atlassian.com gateway, whose answers need not carry Jira's headers (unknown)."""
    from jiradoctor.jira.auth_signals import read_identity

    path = answer.url.split("?", 1)[0].rstrip("/")
    if answer.status != 200 or not path.endswith(("/rest/api/2/myself", "/rest/api/3/myself")):
        return None
    ident = read_identity(answer.body)
    return None if ident is None else "HTTP 200 with Jira's /myself JSON naming the caller"


def kept_headers(headers: httpx.Headers, redact: Callable[[str], str]) -> dict[str, str]:
    """Lower-cased headers, redacted whole and then cut to :data:`MAX_HEADER_VALUE` (a secret cut in
    half would escape the redactor), at most :data:`MAX_HEADERS` of them: evidence, not a dump."""
    kept: dict[str, str] = {}
    for name, value in list(headers.items())[:MAX_HEADERS]:
        key = "location" if name.lower() == BAD_LOCATION else name.lower()
        kept[key] = redact(value)[:MAX_HEADER_VALUE]
    return kept


def content_encodings(value: str | None) -> list[str]:
    """``Content-Encoding`` as the list of codings applied, in the order the server applied them."""
    return [c.strip().lower() for c in (value or "").split(",") if c.strip() and c.strip().lower() != "identity"]


class _Inflater:
    """One coding undone in bounded steps: ``feed`` yields pieces of at most :data:`STEP` bytes."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        wbits = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}[coding]
        self._z = zlib.decompressobj(wbits)
        self._first = True

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._first and self.coding == "deflate" and len(data) >= 2:
            # RFC 9110's deflate is zlib-wrapped; some servers send raw deflate: tell by the zlib header
            if (data[0] & 0x0F) != 8 or (data[0] * 256 + data[1]) % 31 != 0:
                self._z = zlib.decompressobj(-zlib.MAX_WBITS)
        if data:
            self._first = False
        while data and not self._z.eof:
            out = self._z.decompress(data, STEP)
            data = self._z.unconsumed_tail
            if out:
                yield out


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


async def read_body(
    response: httpx.Response, max_body: int, sink: Callable[[bytes], object] | None = None
) -> tuple[bytes, bool, str | None]:
    """The body's first ``max_body`` decoded bytes, whether more came, and a problem if any.

    The raw bytes are inflated here, step by step (stacked codings too), rather than by httpx:
    a few KB of gzip can inflate to gigabytes, and inflating them in one call would hold the
    event loop (and memory) beyond any time limit. Every stage stops at :data:`MAX_DECODED`.
    With a ``sink``, every decoded piece goes there too and reading goes on past ``max_body``, up
    to :data:`STREAMED_MAX` raw and decoded (memory is then the sink's business), or until the
    sink returns True (it wants no more).
    """
    import asyncio

    max_raw, max_decoded = (STREAMED_MAX, STREAMED_MAX) if sink is not None else (MAX_RAW, MAX_DECODED)
    if response.is_stream_consumed:  # an answer built in memory (a mock transport): nothing left to bound
        content = response.content
        if sink is not None:
            sink(content[:max_raw])
        return content[:max_body], len(content) > max_body, None
    codings = content_encodings(response.headers.get("content-encoding"))
    unknown = [c for c in codings if c not in ("gzip", "x-gzip", "deflate")]
    if len(codings) > MAX_CODINGS:  # nobody compresses three times: refuse to peel an onion
        unknown = [f"{len(codings)} stacked codings"]
    kept = bytearray()
    if unknown or not codings:
        raw_size = 0
        async for chunk in response.aiter_raw():
            kept += chunk[: max_body + 1 - len(kept)]
            raw_size += len(chunk)
            streaming = sink is not None and not unknown
            if streaming and sink is not None and sink(chunk) is True:
                break  # the sink has what it wants (or knows it is not what it wants)
            if (len(kept) > max_body and not streaming) or (streaming and raw_size > max_raw):
                break
        too_large = sink is not None and raw_size > max_raw
        problem = (
            f"the answer uses Content-Encoding {', '.join(unknown)[:200]}, which jiradoctor did not ask for"
            if unknown
            else f"the answer is larger than {_megabytes(max_raw)}; jiradoctor read only the start"
            if too_large
            else None
        )
        return bytes(kept[:max_body]), len(kept) > max_body or too_large, problem
    stages = [_Inflater(c) for c in reversed(codings)]  # the last coding applied is undone first
    produced = [0] * len(stages)
    raw_size, problem = 0, None

    def run(data: bytes, level: int) -> Iterator[bytes]:
        """Feed ``data`` into stage ``level``; yields the final stage's output pieces."""
        for piece in stages[level].feed(data):
            produced[level] += len(piece)
            if produced[level] > max_decoded:
                raise OverflowError
            if level + 1 == len(stages):
                yield piece
            else:
                yield from run(piece, level + 1)

    enough = False
    try:
        async for chunk in response.aiter_raw():
            raw_size += len(chunk)
            for piece in run(chunk, 0):
                if len(kept) <= max_body:
                    kept += piece[: max_body + 1 - len(kept)]
                if sink is not None and sink(piece) is True:
                    enough = True
                    break
                await asyncio.sleep(0)  # a turn for the event loop (and the time limit) per step
            if raw_size > max_raw or enough:
                break
    except OverflowError:
        problem = (
            f"the answer inflates beyond {_megabytes(max_decoded)} ({raw_size} bytes sent with "
            f"Content-Encoding: {', '.join(codings)}); jiradoctor read only the start"
        )
    except zlib.error:
        problem = f"the answer's Content-Encoding ({', '.join(codings)}) is corrupt; jiradoctor read only the start"
    truncated = len(kept) > max_body or problem is not None or raw_size > max_raw
    return bytes(kept[:max_body]), truncated, problem


HTTP_CLIENT: Fact[httpx.AsyncClient] = Fact("http_client", "The shared HTTP client with the integration's transport "
                                                           "settings")
HTTP_CLIENT_VERIFIED: Fact[httpx.AsyncClient] = Fact(
    "http_client_verified", "A client that always verifies certificates (for requests with credentials)"
)

FACTS = {HTTP_CLIENT.name: http_client_probe, HTTP_CLIENT_VERIFIED.name: verified_client_probe}
