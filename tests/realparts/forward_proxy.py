"""Forward proxies on loopback: real tinyproxy, and a test-owned TLS-intercepting proxy.

Why: the ``proxy`` and ``tls`` checks must tell a dead proxy, a 407, a refused CONNECT and a
corporate TLS interception apart, which only real proxies reproduce faithfully.  Interception is
not something tinyproxy does, so a small asyncio proxy issues leaves from the interception CA.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .pki import Authority, cached_key, issue_leaf, key_pem, pem
from .procs import LOOPBACK, BackgroundLoop, ManagedProcess, Stoppable, free_port, require_binary, start_on_free_port

VIA_NAME = "realparts"
IO_TIMEOUT_S = 10.0
PROXY_CREDENTIALS = ("jiradoctor", "proxy-s3cret")  # what the authenticating fixture demands


@dataclass
class TinyProxy(Stoppable):
    """A running tinyproxy; ``credentials`` is (user, password) when it demands Basic auth."""

    process: ManagedProcess
    port: int
    credentials: tuple[str, str] | None = None

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def url_with_credentials(self) -> str:
        """``http://user:pass@127.0.0.1:PORT`` (the form users put in HTTPS_PROXY)."""
        if self.credentials is None:
            return self.url
        user, password = self.credentials
        return f"http://{user}:{password}@{LOOPBACK}:{self.port}"

    def log(self) -> str:
        return self.process.log()

    def stop(self) -> None:
        self.process.stop()


def tinyproxy_conf(
    port: int,
    *,
    credentials: tuple[str, str] | None,
    connect_ports: Sequence[int] | None,
    filter_file: Path | None = None,
) -> str:
    """tinyproxy.conf: loopback only; ConnectPort lines restrict CONNECT (none: all allowed)."""
    lines = [
        f"Port {port}",
        f"Listen {LOOPBACK}",
        "Timeout 30",
        "LogLevel Info",
        "MaxClients 32",
        f"Allow {LOOPBACK}",
        f'ViaProxyName "{VIA_NAME}"',
    ]
    if credentials is not None:
        lines.append("BasicAuth {} {}".format(*credentials))
    lines += [f"ConnectPort {p}" for p in connect_ports or ()]
    if filter_file is not None:  # hosts matching a line get tinyproxy's own 403 "Filtered" page
        lines += [f'Filter "{filter_file}"', "FilterDefaultDeny No", "FilterURLs Off"]
    return "\n".join(lines) + "\n"


def start_tinyproxy(
    directory: Path,
    *,
    credentials: tuple[str, str] | None = None,
    connect_ports: Sequence[int] | None = None,
    blocked_hosts: Sequence[str] = (),
) -> TinyProxy:
    """Start ``tinyproxy -d -c conf`` on a free loopback port and wait until it accepts."""
    binary = require_binary("tinyproxy")
    directory.mkdir(parents=True, exist_ok=True)
    if connect_ports is not None and not connect_ports:
        raise ValueError("an empty ConnectPort list would allow every port; pass None for that")

    def attempt() -> TinyProxy:
        port = free_port()
        conf = directory / "tinyproxy.conf"
        filter_file = None
        if blocked_hosts:
            filter_file = directory / "filter"
            filter_file.write_text("".join(f"{h}\n" for h in blocked_hosts))
        conf.write_text(
            tinyproxy_conf(port, credentials=credentials, connect_ports=connect_ports, filter_file=filter_file)
        )
        proxy = TinyProxy(
            ManagedProcess([binary, "-d", "-c", str(conf)], directory / "tinyproxy.log"), port, credentials
        )
        try:
            proxy.process.wait_for_port(LOOPBACK, port)
        except BaseException:
            proxy.stop()
            raise
        return proxy

    return start_on_free_port(attempt)


# --- TLS interception ----------------------------------------------------------------------------


def _split_authority(target: str) -> tuple[str, int]:
    host, _, port = target.rpartition(":")
    return host.strip("[]"), int(port)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError):
        pass


async def _relay(
    a: tuple[asyncio.StreamReader, asyncio.StreamWriter], b: tuple[asyncio.StreamReader, asyncio.StreamWriter]
) -> None:
    """Copy both ways until either side ends, then close both (TLS has no useful half-close)."""
    pipes = {asyncio.ensure_future(_pipe(a[0], b[1])), asyncio.ensure_future(_pipe(b[0], a[1]))}
    try:
        await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for pipe in pipes:
            pipe.cancel()
        a[1].close()
        b[1].close()


@dataclass
class InterceptingProxy(Stoppable):
    """A CONNECT proxy that terminates TLS with a leaf from ``ca`` for the requested host.

    hosts maps a requested name to the address actually dialled (like /etc/hosts), so clients can
    ask for ``jira.test``.  upstream_ca: verify the real upstream against it (None: do not verify,
    as a lab-facing proxy).  present_ca: send the interception CA after the leaf, as many appliances
    do.  ``connects`` records each CONNECT target for assertions.
    """

    ca: Authority
    directory: Path
    hosts: Mapping[str, str] = field(default_factory=dict)
    upstream_ca: Path | None = None
    present_ca: bool = True
    connects: list[str] = field(default_factory=list)
    port: int = 0

    def __post_init__(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._contexts: dict[str, ssl.SSLContext] = {}
        self._loop = BackgroundLoop("realparts-intercepting-proxy")
        try:
            self._server = self._loop.run(asyncio.start_server(self._handle, LOOPBACK, 0))
        except BaseException:
            self._loop.close()
            raise
        self.port = int(self._server.sockets[0].getsockname()[1])

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def _server_context(self, host: str) -> ssl.SSLContext:
        """A server context whose leaf names host, issued now by the interception CA (cached)."""
        if host not in self._contexts:
            now = dt.datetime.now(dt.UTC)
            leaf = issue_leaf(
                self.ca,
                [host],
                cached_key("leaf"),
                not_before=now - dt.timedelta(days=1),
                not_after=now + dt.timedelta(days=30),
            )
            chain = self.directory / f"{host.replace(':', '_')}.chain.pem"
            chain.write_bytes(pem(leaf, self.ca.cert) if self.present_ca else pem(leaf))
            keyfile = self.directory / "leaf.key.pem"
            keyfile.write_bytes(key_pem(cached_key("leaf")))
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(chain, keyfile)
            self._contexts[host] = context
        return self._contexts[host]

    def _upstream_context(self) -> ssl.SSLContext:
        if self.upstream_ca is not None:
            return ssl.create_default_context(cafile=self.upstream_ca)
        return ssl._create_unverified_context()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_writer: asyncio.StreamWriter | None = None
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), IO_TIMEOUT_S)
            method, target, _ = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
            if method.upper() != "CONNECT":
                writer.write(b"HTTP/1.1 405 Method Not Allowed\r\nConnection: close\r\n\r\n")
                return
            self.connects.append(target)
            host, port = _split_authority(target)
            try:
                up_reader, up = await asyncio.wait_for(
                    asyncio.open_connection(
                        self.hosts.get(host, host), port, ssl=self._upstream_context(), server_hostname=host
                    ),
                    IO_TIMEOUT_S,
                )
                up_writer = up
            except (TimeoutError, OSError, ssl.SSLError):
                writer.write(b"HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n\r\n")
                return
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await writer.drain()
            await asyncio.wait_for(writer.start_tls(self._server_context(host)), IO_TIMEOUT_S)
            await _relay((reader, writer), (up_reader, up))
        except (
            TimeoutError,
            asyncio.CancelledError,
            OSError,
            ssl.SSLError,
            ValueError,
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
        ):
            pass  # a client that hangs up or fails verification ends its tunnel; stop() cancels
        finally:
            writer.close()
            if up_writer is not None:
                up_writer.close()  # else the upstream (nginx) keeps a half-open TLS session

    def stop(self) -> None:
        """Close the listener and every tunnel, then the loop thread (bounded)."""

        async def _close() -> None:
            self._server.close()

        try:
            self._loop.run(_close())
        finally:
            self._loop.close()


def start_intercepting_proxy(
    ca: Authority,
    directory: Path,
    *,
    hosts: Mapping[str, str] | None = None,
    upstream_ca: Path | None = None,
    present_ca: bool = True,
) -> InterceptingProxy:
    """Start the TLS-intercepting proxy on a kernel-chosen loopback port."""
    return InterceptingProxy(ca, directory, dict(hosts or {}), upstream_ca, present_ca)
