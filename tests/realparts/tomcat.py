"""Real Tomcat 10.1 (Debian ``tomcat10``) as the test's own process, on loopback.

Why real Tomcat: ``jiradoctor.jira.tomcat.request_url`` models what ``getRequestURL()`` gives, and
the lab answers with that same model, so only Tomcat itself can prove it. One JVM serves many
server.xml shapes at once: every shape is its own ``<Service>`` (own Connectors, Engine, Host,
Context, valves), so a JVM start (slow on a small machine) is paid once per session.

Each Context serves one JSP, ``/echo.jsp``, printing as JSON what Tomcat made of the request.
"""

from __future__ import annotations

import json
import shutil
import signal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .procs import LOOPBACK, ManagedProcess, Stoppable, free_port, start_on_free_port, wait_until

CATALINA_HOME = Path("/usr/share/tomcat10")
CONF_SOURCES = (Path("/etc/tomcat10"), CATALINA_HOME / "etc")
START_TIMEOUT_S = 90.0  # a JVM on a busy 2-core machine; bounded all the same
STARTED = "Server startup in"  # Catalina's INFO line once every Service has started
ECHO_PATH = "/echo.jsp"

ECHO_JSP = """<%@ page contentType="application/json; charset=UTF-8" session="false" %><%!
static String q(Object o) {
  if (o == null) return "null";
  String s = o.toString(); StringBuilder b = new StringBuilder("\\"");
  for (char c : s.toCharArray()) {
    if (c == '"' || c == '\\\\') b.append('\\\\').append(c);
    else if (c < 0x20) b.append(String.format("\\\\u%04x", (int) c));
    else b.append(c);
  }
  return b.append('"').toString();
}
%>{"url": <%= q(request.getRequestURL()) %>, "scheme": <%= q(request.getScheme()) %>,
 "serverName": <%= q(request.getServerName()) %>, "serverPort": <%= request.getServerPort() %>,
 "remoteAddr": <%= q(request.getRemoteAddr()) %>, "secure": <%= request.isSecure() %>,
 "contextPath": <%= q(request.getContextPath()) %>, "localPort": <%= request.getLocalPort() %>}
"""


class TomcatMissing(RuntimeError):
    """tomcat10 is not installed: scripts/test installs it; never skip."""


def _conf_file(name: str) -> Path:
    for directory in CONF_SOURCES:
        if (directory / name).is_file():
            return directory / name
    raise TomcatMissing(f"{name} of Debian's tomcat10 not found in {', '.join(map(str, CONF_SOURCES))}")


@dataclass(frozen=True)
class ServiceSpec:
    """One server.xml shape as a ``<Service>`` fragment.

    ``text`` holds ``{port0}``, ``{port1}`` ... for its connectors, ``{docbase}`` for the JSP folder and
    ``{cert}``/``{key}`` for a TLS connector; ``ports`` says how many connector ports it needs.
    """

    name: str
    text: str
    ports: int = 1

    def render(self, ports: Sequence[int], docbase: Path, cert: Path | None = None, key: Path | None = None) -> str:
        values = {f"port{i}": p for i, p in enumerate(ports)}
        return self.text.format(docbase=docbase, cert=cert or "", key=key or "", name=self.name, **values)


def server_xml(services: Sequence[str]) -> str:
    """A whole server.xml around rendered Service fragments (no shutdown port: stopped by signal)."""
    body = "\n".join(services)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<Server port="-1" shutdown="SHUTDOWN">\n{body}\n</Server>\n'


@dataclass
class TomcatServer(Stoppable):
    """A running Tomcat; ``ports[service]`` lists each shape's connector ports in order."""

    base: Path
    process: ManagedProcess
    ports: dict[str, list[int]]
    server_xml_text: str

    def log(self) -> str:
        logs = [self.process.log()]
        logs += [p.read_text(errors="replace") for p in sorted((self.base / "logs").glob("*")) if p.is_file()]
        return "\n".join(logs)[-6000:]

    def stop(self) -> None:
        """SIGTERM lets catalina.sh's JVM run its shutdown hook; SIGKILL after the bounded wait."""
        self.process.stop(signal.SIGTERM, timeout=15.0)


def _write_base(base: Path, text: str, docbase: Path) -> None:
    for sub in ("conf", "logs", "work", "temp", "webapps"):
        (base / sub).mkdir(parents=True, exist_ok=True)
    shutil.copy(_conf_file("web.xml"), base / "conf" / "web.xml")
    props = _conf_file("catalina.properties").read_text()
    # TLD scanning off: the JVM then starts in seconds (JIRA-FACTS §9)
    (base / "conf" / "catalina.properties").write_text(
        props + "\ntomcat.util.scan.StandardJarScanFilter.jarsToSkip=*\n"
    )
    # WARNING and up, and Catalina's own "Server startup in [n] milliseconds": the sign that every
    # Service's contexts are up (its connectors listen earlier, and an early request draws a 404)
    (base / "conf" / "logging.properties").write_text(
        "handlers = java.util.logging.ConsoleHandler\n.level = WARNING\n"
        "java.util.logging.ConsoleHandler.level = INFO\n"
        "org.apache.catalina.startup.Catalina.level = INFO\n"
    )
    (base / "conf" / "server.xml").write_text(text)
    docbase.mkdir(parents=True, exist_ok=True)
    (docbase / ECHO_PATH.lstrip("/")).write_text(ECHO_JSP)


def start_tomcat(
    base: Path,
    specs: Sequence[ServiceSpec],
    *,
    cert: Path | None = None,
    key: Path | None = None,
    timeout: float = START_TIMEOUT_S,
) -> TomcatServer:
    """Start one Tomcat serving every shape in ``specs``, each connector on a fresh loopback port."""
    catalina = CATALINA_HOME / "bin" / "catalina.sh"
    if not catalina.is_file():
        raise TomcatMissing(f"{catalina} is missing: install Debian's tomcat10 (scripts/test does)")
    docbase = base / "echo"

    def attempt() -> TomcatServer:
        ports = {s.name: [free_port() for _ in range(s.ports)] for s in specs}
        text = server_xml([s.render(ports[s.name], docbase, cert, key) for s in specs])
        _write_base(base, text, docbase)
        return _run_catalina(base, ports, text, timeout)

    return start_on_free_port(attempt)


def _run_catalina(base: Path, ports: dict[str, list[int]], text: str, timeout: float) -> TomcatServer:
    """``catalina.sh run`` on the CATALINA_BASE already written; wait until every connector port listens."""
    env = {
        "CATALINA_HOME": str(CATALINA_HOME),
        "CATALINA_BASE": str(base),
        "CATALINA_TMPDIR": str(base / "temp"),
        "CATALINA_PID": str(base / "catalina.pid"),
        "JAVA_OPTS": "-Xms64m -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Djava.awt.headless=true "
        "-Djava.net.preferIPv4Stack=true",
    }
    proc = ManagedProcess([str(CATALINA_HOME / "bin" / "catalina.sh"), "run"], base / "catalina.out", cwd=base, env=env)
    server = TomcatServer(base, proc, ports, text)
    try:
        # catalina.sh execs the JVM, so the listener belongs to this very pid (IPv4 stack: /proc/net/tcp shows it)
        for port_list in ports.values():
            for port in port_list:
                proc.wait_for_port(LOOPBACK, port, timeout)
        wait_until(lambda: STARTED in proc.log(), timeout, "Tomcat's contexts to start", proc.exit_reason)
    except BaseException:
        server.stop()
        raise
    return server


def restart_tomcat(server: TomcatServer, text: str, timeout: float = START_TIMEOUT_S) -> TomcatServer:
    """Stop ``server``, write ``text`` as its conf/server.xml, start it again on the same ports.

    Why: a changed <Connector> takes effect only on a restart, as on a real Jira; the test that
    applies a printed server.xml fix keeps the connector ports it printed.
    """
    server.stop()
    (server.base / "conf" / "server.xml").write_text(text)
    return _run_catalina(server.base, server.ports, text, timeout)


def fetch(
    url: str,
    host: str | None = None,
    headers: Mapping[str, str] | None = None,
    context: object | None = None,
    timeout: float = 20.0,
) -> dict[str, object]:
    """GET url with exactly these Host and extra headers; the echo JSP's JSON answer."""
    import http.client
    import urllib.parse

    parts = urllib.parse.urlsplit(url)
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        conn = http.client.HTTPSConnection(parts.hostname or LOOPBACK, parts.port, timeout=timeout, context=context)  # type: ignore[arg-type]
    else:
        conn = http.client.HTTPConnection(parts.hostname or LOOPBACK, parts.port, timeout=timeout)
    try:
        conn.putrequest("GET", parts.path or "/", skip_host=True, skip_accept_encoding=True)
        if host is not None:
            conn.putheader("Host", host)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        body = response.read(65536).decode("utf-8", "replace")
    finally:
        conn.close()
    if response.status != 200:
        raise AssertionError(f"{url} (Host {host!r}) answered {response.status}: {body[:500]}")
    seen: dict[str, object] = json.loads(body)
    return seen


__all__ = [
    "ECHO_PATH", "ServiceSpec", "TomcatMissing", "TomcatServer", "fetch", "restart_tomcat", "server_xml",
    "start_tomcat",
]
