"""The lab Jira as a real HTTP(S) server on 127.0.0.1.

Why a real server (stdlib ``ThreadingHTTPServer`` in a daemon thread) rather than a mock
transport: jiradoctor's probes, real nginx and forward proxies in the tests must all talk to it
over sockets, with the Host header, TLS and timeouts they really produce.

``Server`` header: a Jira Server answers without one (Tomcat 8.5+ sends none by default and Jira
sets none), so Server scenarios send none; Cloud scenarios send ``AtlassianProxy/…`` and
``atl-traceid``, as captured Cloud answers do (JIRA-FACTS §4). Log lines name method, path and status
only — never headers or query strings, which carry credentials and OAuth tokens.
"""

from __future__ import annotations

import collections
import dataclasses
import email.utils
import logging
import secrets
import socket
import ssl
import struct
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

from jiradoctor.jira.tomcat import Connector
from jiradoctor_lab import app, oauth_provider, rest
from jiradoctor_lab import can_work as lab_can_work
from jiradoctor_lab.messages import Response
from jiradoctor_lab.runtime import LabRuntime
from jiradoctor_lab.keys import key_pair
from jiradoctor_lab.scenarios import ClientHints, Scenario
from jiradoctor_lab.tls import lab_tls

log = logging.getLogger("jiradoctor_lab")

LOOPBACK = "127.0.0.1"
MAX_BODY = 16 * 1024 * 1024
IDLE_TIMEOUT_S = 30.0  # keep-alive connections idle longer than this are closed
STOP_JOIN_S = 5.0


@dataclass(frozen=True)
class SeenRequest:
    """What the lab received and what Jira saw; no headers, no query (they may hold secrets)."""

    method: str
    path: str
    jira_url: str | None
    status: int | None
    host_header: str | None


class _BodyTooLarge(Exception):
    pass


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 1024
    allow_reuse_address = True

    lab: "LabServer"

    def __init__(self, address: tuple[str, int], lab: "LabServer") -> None:
        self.lab = lab
        self.stopping = threading.Event()
        self._conn_lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        super().__init__(address, _Handler)

    def track(self, conn: socket.socket) -> None:
        with self._conn_lock:
            self._connections.add(conn)

    def untrack(self, conn: socket.socket) -> None:
        with self._conn_lock:
            self._connections.discard(conn)

    def close_connections(self) -> None:
        with self._conn_lock:
            conns, self._connections = list(self._connections), set()
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request: object, client_address: object) -> None:
        # Client hang-ups and failed TLS handshakes are normal in a lab; keep stderr clean.
        log.debug("connection from %s ended with an error", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT_S
    # headers and body go out in two sends; with Nagle on, each answer would wait ~40 ms for the
    # client's delayed ACK, which would swamp the latency the benchmarks add on purpose
    disable_nagle_algorithm = True
    server: _HTTPServer

    # -- plumbing -----------------------------------------------------------------------------
    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection)
        if isinstance(self.connection, ssl.SSLSocket):
            try:
                self.connection.do_handshake()
            except (OSError, ssl.SSLError):
                self.server.untrack(self.connection)  # finish() is not called when setup() raises
                raise

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.server.untrack(self.connection)

    def date_time_string(self, timestamp: float | None = None) -> str:
        runtime = self.server.lab.runtime
        now = runtime.now() if runtime else time.time()
        return email.utils.formatdate(now if timestamp is None else timestamp, usegmt=True)

    def send_response(self, code: int, message: str | None = None) -> None:
        """Like the base class, minus its ``Server: BaseHTTP/...`` header."""
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        path = urllib.parse.urlsplit(getattr(self, "path", "") or "").path
        log.debug("%s %s -> %s", getattr(self, "command", "-"), path, code)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - base-class name
        # The base class passes request lines (query strings included) here: log no arguments.
        log.debug("lab: protocol message from %s suppressed", self.client_address[0])

    # -- requests -----------------------------------------------------------------------------
    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks, total = [], 0
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                total += size
                if total > MAX_BODY:
                    raise _BodyTooLarge
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise _BodyTooLarge
        return self.rfile.read(length) if length > 0 else b""

    def _serve(self) -> None:
        lab = self.server.lab
        runtime = lab.runtime
        assert runtime is not None
        misbehave = runtime.scenario.behaviour.misbehave
        if misbehave == "never-answers":
            self.server.stopping.wait()  # hold the socket until the lab stops
            self.close_connection = True
            return
        try:
            body = self._read_body()
        except _BodyTooLarge:
            self.send_error(413)
            self.close_connection = True
            return
        except ValueError:  # a malformed Content-Length or chunk size
            self.send_error(400)
            self.close_connection = True
            return
        if misbehave == "connection-reset":
            self._reset()
            return
        if lab.latency_s and self.server.stopping.wait(lab.latency_s):
            self.close_connection = True
            return
        target = self.path
        if "://" in target.split("?")[0]:  # absolute-form request target
            parts = urllib.parse.urlsplit(target)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
        resp = app.misbehaving(self.command, target, runtime)
        jira_url: str | None = None
        node: str | None = None  # a cluster's node chosen up front (broken_node paths); else when answering
        if resp is not None:
            lab_can_work.count_write(runtime, self.command, urllib.parse.urlsplit(target).path)
        if resp is None:
            # nginx proxy_cache (proxy_cache_convert_head on) passes a HEAD on as GET
            method = "GET" if self.command == "HEAD" and runtime.scenario.front_proxy.head_to_get else self.command
            req = app.to_jira_request(method, target, dict(self.headers.items()), body, runtime)
            if not isinstance(req, Response):
                lab_can_work.count_write(runtime, req.method, req.path)
            path = urllib.parse.urlsplit(target).path
            if lab_can_work.broken_path(runtime, path):  # decided before answering: that node answers 404
                node = lab_can_work.choose_node(runtime, self.headers.get("Cookie"), path)
            if isinstance(req, Response):
                resp = req
            elif node is not None and node == runtime.scenario.behaviour.broken_node and lab_can_work.broken_path(
                runtime, req.path
            ):
                resp = rest.not_found(req)  # the app behind this path is not enabled on this node
                jira_url = str(req.jira_url)
            else:
                jira_url = str(req.jira_url)
                if runtime.scenario.front_proxy.replay_oauth and oauth_provider.is_oauth_request(req):
                    app.respond(req, runtime)  # the proxy's first delivery; its answer is lost
                resp = app.respond(req, runtime)
        lab._record(
            SeenRequest(
                self.command, urllib.parse.urlsplit(target).path, jira_url, resp.status, self.headers.get("Host")
            ),
            as_jira=resp.jira_headers and not resp.login_page and not 300 <= resp.status < 400,
        )
        if resp.jira_headers:
            for name, value in lab_can_work.cluster_headers(runtime, self.headers.get("Cookie"), node):
                resp.add(name, value)
        self._send(resp)

    def _reset(self) -> None:
        """Close with SO_LINGER 0: the client sees a TCP RST (connection reset by peer)."""
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            raw = self.connection
            if isinstance(raw, ssl.SSLSocket):
                raw = socket.socket(fileno=raw.detach())  # skip the TLS close_notify
            raw.close()
        except OSError:
            pass
        self.close_connection = True

    def _send(self, resp: Response) -> None:
        runtime = self.server.lab.runtime
        assert runtime is not None
        self.send_response(resp.status)
        if runtime.is_cloud and not resp.has("Server"):
            self.send_header("Server", "AtlassianProxy/1.15.8.1")
        if runtime.is_cloud:
            # Cloud's edge traces every answer (JIRA-FACTS §4)
            self.send_header("atl-traceid", secrets.token_hex(8))
        if resp.jira_headers:
            self.send_header("X-AREQUESTID", runtime.state.next_request_id(runtime.now()))
            if not resp.has("X-AUSERNAME"):
                self.send_header("X-AUSERNAME", "anonymous")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("X-XSS-Protection", "1; mode=block")
            self.send_header("Cache-Control", "no-cache, no-store, no-transform")
        for name, value in resp.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(resp.body)))
        self.end_headers()
        if self.command != "HEAD" and resp.body:
            self.wfile.write(resp.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _serve


class LabServer:
    """A Jira stand-in for one scenario, on 127.0.0.1.

    ``connector``/``base_url``/``url`` override the scenario (e.g. to put real nginx in front);
    a ``Connector`` with ``port=0`` gets the lab's port. ``ssl_context`` serves HTTPS; scenarios
    with ``tls = true`` get the lab CA's certificate when none is given (see :attr:`ca_pem`).
    ``public_host`` fills ``{host}`` in the scenario's URLs (the server still binds 127.0.0.1).
    """

    def __init__(
        self,
        scenario: Scenario | str,
        *,
        port: int = 0,
        latency_s: float = 0.0,
        ssl_context: ssl.SSLContext | None = None,
        connector: Connector | None = None,
        base_url: str | None = None,
        url: str | None = None,
        public_host: str = LOOPBACK,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if isinstance(scenario, str):
            from jiradoctor_lab.catalogue import find  # an OAuth 2.0 scenario too

            scenario = find(scenario)
        self.scenario = scenario
        self.latency_s = latency_s
        self._port = port
        self._ssl_context = ssl_context
        self._connector_override = connector
        self._base_url_override = base_url
        self._url_override = url
        self._public_host = public_host
        self._clock = clock
        self.ca_pem: str | None = None
        self.runtime: LabRuntime | None = None
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._seen: collections.deque[SeenRequest] = collections.deque(maxlen=2000)
        self._seen_lock = threading.Lock()
        self._total = 0
        self._jira_answers = 0
        self._lifecycle = threading.Lock()

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> "LabServer":
        with self._lifecycle:
            return self._start()

    def _start(self) -> "LabServer":
        if self._httpd is not None:
            return self
        httpd = _HTTPServer((LOOPBACK, self._port), self)
        port = httpd.server_address[1]
        context = self._ssl_context
        if context is None and self.scenario.tls:
            tls = lab_tls()
            context, self.ca_pem = tls.server_context(), tls.ca_pem
        if context is not None:
            httpd.socket = context.wrap_socket(httpd.socket, server_side=True, do_handshake_on_connect=False)
        scheme = "https" if context is not None else "http"
        if self._connector_override is not None:
            connector = self._connector_override
            if connector.port == 0:
                connector = dataclasses.replace(connector, port=port)
        else:
            connector = self.scenario.connector.build(port)
        self.runtime = LabRuntime(
            self.scenario,
            port=port,
            host=self._public_host,
            scheme=scheme,
            connector=connector,
            base_url=self._base_url_override,
            url=self._url_override,
            clock=self._clock,
        )
        self._scheme = scheme
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"jiradoctor-lab-{self.scenario.name}-{port}",
            daemon=True,
        )
        self._thread.start()
        log.info("lab scenario %s serving on %s", self.scenario.name, self.url)
        return self

    def stop(self) -> None:
        """Stop serving; bounded (held and idle connections are shut down) and idempotent."""
        with self._lifecycle:
            httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.stopping.set()
        httpd.shutdown()
        httpd.close_connections()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(STOP_JOIN_S)

    def __enter__(self) -> "LabServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what a client needs ---------------------------------------------------------------------
    def _rt(self) -> LabRuntime:
        if self.runtime is None:
            raise RuntimeError("LabServer is not started")
        return self.runtime

    @property
    def port(self) -> int:
        return self._rt().port

    @property
    def scheme(self) -> str:
        self._rt()
        return self._scheme

    @property
    def url(self) -> str:
        """The URL to enter in the integration (and to give jiradoctor as ``--url``)."""
        return self._rt().url

    @property
    def base_url(self) -> str:
        """Jira's configured Base URL: what serverInfo reports and the OAuth realm names."""
        return self._rt().base_url

    @property
    def address_url(self) -> str:
        """Where the socket really listens (``url`` may name another host or path)."""
        return f"{self.scheme}://{LOOPBACK}:{self.port}"

    @property
    def connector(self) -> Connector:
        return self._rt().connector

    @property
    def consumer_key(self) -> str:
        """The consumer key the integration is expected to send (may differ from Jira's on purpose)."""
        return self.scenario.client.consumer_key

    @property
    def jira_consumer_key(self) -> str | None:
        """The consumer key Jira's application link holds (None: no link)."""
        return self.scenario.consumer.key if self.scenario.consumer.registered else None

    @property
    def private_key_pem(self) -> str:
        """The consumer's private key, PKCS#8, unencrypted."""
        return self._rt().consumer_keys.private_key_pem

    @property
    def public_key_pem(self) -> str:
        """The public half of :attr:`private_key_pem` (what belongs in the application link)."""
        return self._rt().consumer_keys.public_key_pem

    @property
    def jira_public_key_base64(self) -> str:
        """The public key Jira's link really holds, as Jira shows it (bare base64)."""
        return key_pair(self.scenario.consumer.public_key).public_key_base64

    @property
    def access_token(self) -> str:
        return self.scenario.client.access_token

    @property
    def client(self) -> ClientHints:
        """What the integration is expected to send in this scenario (credentials, projects)."""
        return self.scenario.client

    @property
    def seen(self) -> list[SeenRequest]:
        with self._seen_lock:
            return list(self._seen)

    @property
    def requests_total(self) -> int:
        """Every request answered since start (``seen`` keeps only the last 2,000)."""
        with self._seen_lock:
            return self._total

    @property
    def writes(self) -> int:
        """Requests that would have changed a real Jira (PUT/PATCH/DELETE, a POST that is not read-shaped)."""
        return self._rt().state.writes

    @property
    def throttled(self) -> int:
        """Answers the scenario's rate limit refused (429/503 with Retry-After)."""
        return self._rt().state.throttled

    @property
    def jira_answers(self) -> int:
        """Answers sent as Jira's own (its REST API, its refusals, its pages; with Jira's headers), not a
        login page, a redirect or another server's page: the lab's account of whether a client could
        have seen Jira answer as Jira (issue 25), kept apart from the doctor's own reading."""
        with self._seen_lock:
            return self._jira_answers

    def _record(self, seen: SeenRequest, as_jira: bool = False) -> None:
        with self._seen_lock:
            self._seen.append(seen)
            self._total += 1
            self._jira_answers += as_jira

    def doctor_command(
        self, private_key_path: str = "consumer.pem", ca_path: str | None = None
    ) -> tuple[dict[str, str], list[str]]:
        """Environment and argv for ``jiradoctor doctor`` against this lab (secrets in the env): the
        integration's side only; :mod:`jiradoctor_lab.invocation` is the one translation."""
        from jiradoctor_lab.invocation import CustomerFiles, doctor_invocation

        files = CustomerFiles(private_key=Path(private_key_path), ca_bundle=Path(ca_path) if ca_path else None)
        invocation = doctor_invocation(self, files)
        return invocation.env, invocation.argv
