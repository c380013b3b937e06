"""Real nginx in the foreground on loopback: TLS server, TLS terminator, reverse proxy, plain HTTP.

Why real nginx: the base-url and tls checks must see what a Jira behind a real reverse proxy sends
(Host rewriting, X-Forwarded-Proto, context paths, presented chains), not a Python imitation.
One nginx process may serve several sites, each on its own free port.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .procs import LOOPBACK, ManagedProcess, Stoppable, free_port, require_binary, start_on_free_port
from .procs import RealPartError, wait_until

HostHeader = Literal["$proxy_host", "$host", "$http_host"] | str
DEFAULT_BODY = "jiradoctor realparts nginx\n"


@dataclass(frozen=True)
class TLSFiles:
    """What nginx presents: the chain (leaf first) and the leaf's key."""

    chain: Path
    key: Path


@dataclass(frozen=True)
class Site:
    """One ``server {}`` block; ``locations`` is nginx text placed inside it."""

    name: str
    locations: str
    tls: TLSFiles | None = None


def _quote(value: str) -> str:
    """An nginx string literal (variables such as $host still expand inside double quotes)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def static_site(name: str, body: str = DEFAULT_BODY, tls: TLSFiles | None = None,
                status: int = 200) -> Site:
    """A site answering every path with a fixed small text page."""
    return Site(name, f"location / {{ default_type text/plain; return {status} {_quote(body)}; }}", tls)


def proxy_site(name: str, upstream: str, *, host_header: HostHeader | None = "$proxy_host",
               forwarded_proto: str | None = None, prefix: tuple[str, str] = ("/", "/"),
               extra_headers: Mapping[str, str] | None = None, tls: TLSFiles | None = None) -> Site:
    """A reverse proxy to upstream (``http://127.0.0.1:PORT``).

    host_header: value of ``proxy_set_header Host`` — ``$proxy_host`` (nginx's default, the upstream
    host:port, which is what breaks Jira's base URL), ``$host`` or ``$http_host``; None leaves nginx's
    default in place.  forwarded_proto: value for X-Forwarded-Proto (e.g. ``$scheme`` or ``https``).
    prefix: (public path, upstream path), e.g. ("/jira/", "/") strips a context path.
    """
    public, private = prefix
    headers = dict(extra_headers or {})
    if host_header is not None:
        headers["Host"] = host_header
    if forwarded_proto is not None:
        headers["X-Forwarded-Proto"] = forwarded_proto
    directives = "".join(f"proxy_set_header {k} {_quote(v)}; " for k, v in headers.items())
    body = (f"location {public} {{ proxy_pass {upstream.rstrip('/')}{private}; "
            f"proxy_http_version 1.1; proxy_connect_timeout 5s; proxy_read_timeout 30s; {directives}}}")
    return Site(name, body, tls)


@dataclass
class NginxServer(Stoppable):
    """A running nginx; ``ports`` maps each site name to its loopback port."""

    directory: Path
    process: ManagedProcess
    ports: dict[str, int]
    tls_sites: frozenset[str] = field(default_factory=frozenset)

    @property
    def port(self) -> int:
        """The port of the only (or first) site."""
        return next(iter(self.ports.values()))

    @property
    def url(self) -> str:
        """Base URL of the only (or first) site."""
        return self.url_of(next(iter(self.ports)))

    def url_of(self, site: str) -> str:
        scheme = "https" if site in self.tls_sites else "http"
        return f"{scheme}://{LOOPBACK}:{self.ports[site]}"

    def log(self) -> str:
        return self.process.log()

    def stop(self) -> None:
        """SIGTERM (nginx's fast shutdown: a graceful SIGQUIT would wait for idle clients), then
        SIGKILL if it lingers (bounded)."""
        self.process.stop(signal.SIGTERM)


def _server_block(site: Site, port: int) -> str:
    if site.tls is None:
        listen = f"listen {LOOPBACK}:{port};"
    else:
        listen = (f"listen {LOOPBACK}:{port} ssl; ssl_certificate {site.tls.chain}; "
                  f"ssl_certificate_key {site.tls.key}; ssl_protocols TLSv1.2 TLSv1.3; "
                  # SECLEVEL=0 so that the weak-key and SHA-1 cases can be served at all
                  "ssl_ciphers DEFAULT:@SECLEVEL=0;")
    return f"  server {{ {listen} server_name _; {site.locations} }}\n"


def render_conf(directory: Path, sites: Sequence[Site], ports: Mapping[str, int]) -> str:
    """nginx.conf with every path inside directory; ``user`` only when root (it is ignored else)."""
    d = directory
    user = "user root root;\n" if os.geteuid() == 0 else ""
    temp = "".join(f"  {kind}_temp_path {d}/tmp/{kind};\n"
                   for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    servers = "".join(_server_block(s, ports[s.name]) for s in sites)
    return (f"{user}daemon off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log stderr notice;\n"
            f"events {{ worker_connections 64; }}\n"
            f"http {{\n  access_log {d}/access.log;\n{temp}"
            f"  keepalive_timeout 5s;\n{servers}}}\n")


def start_nginx(directory: Path, sites: Sequence[Site], timeout: float = 10.0) -> NginxServer:
    """Start nginx serving sites, each on a fresh loopback port; wait until all accept."""
    if len({s.name for s in sites}) != len(sites):
        raise ValueError("site names must be unique")
    binary = require_binary("nginx")
    (directory / "tmp").mkdir(parents=True, exist_ok=True)

    def attempt() -> NginxServer:
        ports = {s.name: free_port() for s in sites}
        conf = directory / "nginx.conf"
        conf.write_text(render_conf(directory, sites, ports))
        proc = ManagedProcess([binary, "-e", "stderr", "-p", str(directory), "-c", str(conf)],
                              directory / "nginx.log")
        server = NginxServer(directory, proc, ports, frozenset(s.name for s in sites if s.tls))
        try:
            for port in ports.values():
                proc.wait_for_port(LOOPBACK, port, timeout)
        except BaseException:
            server.stop()
            raise
        return server

    return start_on_free_port(attempt)


def start_tls_server(directory: Path, tls: TLSFiles, *, body: str = DEFAULT_BODY,
                     upstream: str | None = None) -> NginxServer:
    """nginx presenting tls; with upstream it terminates TLS in front of that HTTP app."""
    site = (proxy_site("tls", upstream, host_header="$http_host", forwarded_proto="https", tls=tls)
            if upstream else static_site("tls", body, tls))
    return start_nginx(directory, [site])


def start_reverse_proxy(directory: Path, upstream: str, *, host_header: HostHeader | None = "$proxy_host",
                        forwarded_proto: str | None = None, prefix: tuple[str, str] = ("/", "/"),
                        tls: TLSFiles | None = None) -> NginxServer:
    """nginx as the reverse proxy in front of upstream (see :func:`proxy_site`)."""
    return start_nginx(directory, [proxy_site("proxy", upstream, host_header=host_header,
                                              forwarded_proto=forwarded_proto, prefix=prefix, tls=tls)])


def start_plain_http(directory: Path, body: str = DEFAULT_BODY) -> NginxServer:
    """Plain-HTTP nginx, for "TLS spoken to a plain-HTTP port" (WRONG_VERSION_NUMBER)."""
    return start_nginx(directory, [static_site("http", body)])


def _children(pid: int) -> set[int]:
    """Pids whose parent is pid (nginx's workers), read from /proc."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:  # field 4, after the command in parentheses
                found.add(int(entry.name))
    return found


def reload_nginx(process: ManagedProcess, directory: Path, conf: Path, timeout: float = 15.0) -> None:
    """Check conf with ``nginx -t``, then SIGHUP the master (by its own pid) and wait until only new
    workers serve.

    Why: a printed fix to the proxy's file is applied the way an administrator would (``nginx -t &&
    nginx -s reload``); an invalid block fails here with nginx's own words.
    """
    binary = require_binary("nginx")
    checked = subprocess.run([binary, "-t", "-p", str(directory), "-c", str(conf)], capture_output=True,
                             text=True, timeout=timeout)
    if checked.returncode != 0:
        raise RealPartError(f"nginx -t refused {conf}:\n{checked.stderr[-2000:]}")
    old = _children(process.pid)
    os.kill(process.pid, signal.SIGHUP)
    def reloaded() -> bool:
        now = _children(process.pid)
        return bool(now) and not now & old

    wait_until(reloaded, timeout, "nginx reload", process.exit_reason)
