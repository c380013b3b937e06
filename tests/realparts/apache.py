"""Real Apache httpd (Debian ``apache2``) in the foreground on loopback, as a reverse proxy.

Why real Apache: ``--proxy-config`` reads Apache's ``<VirtualHost>`` files to say what Host and
X-Forwarded-* headers reach Tomcat; only Apache itself can prove that reading.  One httpd serves
many sites: each site is a customer-like ``<VirtualHost 127.0.0.1:PORT>`` file of its own under
``sites/``, included by a generated main config (ServerRoot, PidFile, logs and runtime files all
inside the test's directory; modules loaded explicitly, never the system's apache2.conf).
"""

from __future__ import annotations

import os
import pwd
import signal
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .procs import (
    LOOPBACK,
    ManagedProcess,
    RealPartError,
    Stoppable,
    free_port,
    require_binary,
    start_on_free_port,
    wait_until,
)

MODULES_DIR = Path("/usr/lib/apache2/modules")
MODULES = ("mpm_event", "authz_core", "headers", "proxy", "proxy_http", "socache_shmcb", "ssl")
CHECK_TIMEOUT_S = 20.0


@dataclass(frozen=True)
class Site:
    """One site: ``render(port)`` gives its whole ``<VirtualHost 127.0.0.1:port>`` file text."""

    name: str
    render: Callable[[int], str]


@dataclass
class ApacheServer(Stoppable):
    """A running httpd; ``ports`` and ``site_files`` map each site name to its port and its file."""

    directory: Path
    process: ManagedProcess
    ports: dict[str, int]
    site_files: dict[str, Path]

    def log(self) -> str:
        error_log = self.directory / "error.log"
        extra = error_log.read_text(errors="replace") if error_log.is_file() else ""
        return (self.process.log() + extra)[-6000:]

    def stop(self) -> None:
        """SIGTERM is httpd's immediate stop (children too); SIGKILL of the group if it lingers."""
        self.process.stop(signal.SIGTERM)


def _user_lines() -> str:
    """httpd refuses to serve as root: when root, its children run as an unprivileged account."""
    if os.geteuid() != 0:
        return ""  # User/Group are ignored unless httpd starts as root
    for account in ("www-data", "nobody"):
        try:
            entry = pwd.getpwnam(account)
        except KeyError:
            continue
        return f"User #{entry.pw_uid}\nGroup #{entry.pw_gid}\n"
    raise RealPartError("running as root but neither www-data nor nobody exists for httpd's children")


def render_main_conf(directory: Path, ports: Sequence[int], sites: Path) -> str:
    """httpd.conf with every path inside directory; sites/*.conf holds the VirtualHosts."""
    d = directory
    modules = "".join(f"LoadModule {m}_module {MODULES_DIR}/mod_{m}.so\n" for m in MODULES)
    listens = "".join(f"Listen {LOOPBACK}:{p}\n" for p in ports)
    return (
        f'ServerRoot "{d}"\nServerName {LOOPBACK}\n{modules}{_user_lines()}'
        f'PidFile "{d}/httpd.pid"\nDefaultRuntimeDir "{d}/run"\nErrorLog "{d}/error.log"\nLogLevel warn\n'
        "StartServers 1\nServerLimit 2\nThreadsPerChild 16\nMaxRequestWorkers 32\n"
        "MinSpareThreads 1\nMaxSpareThreads 32\n"
        "Timeout 30\nProxyTimeout 30\nKeepAliveTimeout 5\nSSLSessionCache none\n"
        f"{listens}IncludeOptional \"{sites}/*.conf\"\n"
    )


def _config_test(binary: str, conf: Path) -> None:
    """``apache2 -t``: a config error is reported with httpd's own words, before any start."""
    try:
        done = subprocess.run([binary, "-t", "-f", str(conf)], capture_output=True, text=True,
                              timeout=CHECK_TIMEOUT_S, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        raise RealPartError(f"apache2 -t -f {conf} did not finish in {CHECK_TIMEOUT_S}s") from exc
    if done.returncode != 0:
        raise RealPartError(f"apache2 -t -f {conf} failed ({done.returncode}):\n{done.stderr[-4000:]}")


def start_apache(directory: Path, sites: Sequence[Site], timeout: float = 20.0,
                 avoid: frozenset[int] = frozenset()) -> ApacheServer:
    """Start httpd serving every site on a fresh loopback port (not one of ``avoid``); wait until all accept."""
    if len({s.name for s in sites}) != len(sites):
        raise ValueError("site names must be unique")

    def attempt() -> ApacheServer:
        ports: dict[str, int] = {}
        taken = set(avoid)
        for site in sites:
            port = free_port()
            while port in taken:  # the OS may hand out a port twice when nothing holds it yet
                port = free_port()
            ports[site.name] = port
            taken.add(port)
        for old in (directory / "sites").glob("*.conf"):  # a retry's files from the last attempt
            old.unlink()
        return start_apache_at(directory, sites, ports, timeout)

    return start_on_free_port(attempt)


__all__ = ["ApacheServer", "Site", "render_main_conf", "start_apache"]


def start_apache_at(directory: Path, sites: Sequence[Site], ports: Mapping[str, int],
                    timeout: float = 20.0) -> ApacheServer:
    """Start httpd with each site on the port the caller chose (``ports[site.name]``).

    Why: a server.xml's proxyPort must name the proxy's port before Tomcat starts; the caller holds
    those ports (bound sockets) while Tomcat picks its own, then releases them just before this call.
    """
    binary = require_binary("apache2")
    site_dir = directory / "sites"
    site_dir.mkdir(parents=True, exist_ok=True)
    (directory / "run").mkdir(exist_ok=True)
    files = {}
    for site in sites:
        files[site.name] = site_dir / f"{site.name}.conf"
        files[site.name].write_text(site.render(ports[site.name]))
    conf = directory / "httpd.conf"
    conf.write_text(render_main_conf(directory, [ports[s.name] for s in sites], site_dir))
    _config_test(binary, conf)
    proc = ManagedProcess([binary, "-f", str(conf), "-DFOREGROUND"], directory / "apache2.out")
    server = ApacheServer(directory, proc, {s.name: ports[s.name] for s in sites}, files)
    try:
        for site in sites:
            proc.wait_for_port(LOOPBACK, ports[site.name], timeout)
    except RealPartError as exc:
        server.stop()
        raise RealPartError(f"{exc}\n{server.log()}") from None
    except BaseException:
        server.stop()
        raise
    return server


RESUMED = "resuming normal operations"


def restart_apache(server: ApacheServer, timeout: float = 20.0) -> None:
    """Re-read the edited site files: ``apache2 -t`` them, then SIGHUP httpd's parent by its own pid.

    Why SIGHUP (not the graceful SIGUSR1): httpd then reaps every old child before it re-reads its
    files and logs "resuming normal operations", so once that line appears again no request can be
    answered with the old configuration. The listening sockets stay open throughout.
    """
    binary = require_binary("apache2")
    conf = server.directory / "httpd.conf"
    _config_test(binary, conf)
    error_log = server.directory / "error.log"

    def resumed() -> int:
        return error_log.read_text(errors="replace").count(RESUMED) if error_log.is_file() else 0

    before = resumed()
    if before == 0:
        raise RealPartError(f"httpd never logged {RESUMED!r}; cannot tell when a restart is done\n{server.log()}")
    os.kill(server.process.pid, signal.SIGHUP)
    try:
        wait_until(lambda: resumed() > before, timeout, "httpd to resume after SIGHUP")
    except RealPartError as exc:
        raise RealPartError(f"{exc}\n{server.log()}") from None
    for port in server.ports.values():
        server.process.wait_for_port(LOOPBACK, port, timeout)


__all__ += ["restart_apache", "start_apache_at"]
