"""Apache httpd's proxy directives: ProxyPass, ProxyPreserveHost, RequestHeader set, SSLEngine.

A small line parser of our own (no maintained Python parser of httpd.conf exists): it reads
``<VirtualHost>`` blocks (or the top level) and only the directives that change what Tomcat sees.
Include is not followed (say so), quotes and line continuations are honoured.
"""

from __future__ import annotations

import shlex
import urllib.parse
from pathlib import Path

from jiradoctor.jira.proxy_config.model import ProxyConfig, ProxyConfigError, ProxyRoute

MAX_BYTES = 1_000_000


def _lines(text: str) -> list[tuple[int, list[str]]]:
    out: list[tuple[int, list[str]]] = []
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not pending:
            start = number
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = (pending + line).strip(), ""  # a continuation onto an empty line is no directive
        if not line or line.startswith("#"):
            continue
        try:
            words = shlex.split(line, comments=False, posix=True)
        except ValueError:
            words = line.split()
        out.append((start, words))
    return out


def read(path: Path) -> ProxyConfig:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ProxyConfigError(f"cannot read {path.name}: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise ProxyConfigError(f"{path.name} is larger than {MAX_BYTES} bytes")
    problems: list[str] = []
    routes: list[ProxyRoute] = []
    vhost: dict[str, object] = {}
    listen_default: int | None = None

    def new_vhost(port: int | None) -> dict[str, object]:
        return {"port": port, "tls": False, "names": [], "preserve": False, "headers": {}, "passes": []}

    def close(vh: dict[str, object]) -> None:
        for line, location, target in vh["passes"]:  # type: ignore[attr-defined]
            parts = urllib.parse.urlsplit(target)
            if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
                problems.append(f"{path.name}:{line}: ProxyPass {target} is not an http(s) backend; not modelled")
                continue
            scheme = parts.scheme.lower()
            try:
                port = parts.port or (443 if scheme == "https" else 80)
            except ValueError:
                problems.append(f"{path.name}:{line}: ProxyPass {target} has a bad port")
                continue
            default = 443 if scheme == "https" else 80
            name = parts.hostname.lower() + ("" if port == default else f":{port}")
            routes.append(
                ProxyRoute(
                    kind="apache",
                    where=f"{path.name}:{line}",
                    location=location,
                    upstream_scheme=scheme,
                    upstream_host=parts.hostname.lower(),
                    upstream_port=port,
                    upstream_name=name,
                    upstream_path=parts.path or None,
                    listen_port=vh["port"] or listen_default,  # type: ignore[arg-type]
                    tls=bool(vh["tls"]),
                    server_names=tuple(vh["names"]),  # type: ignore[arg-type]
                    host_header="preserve" if vh["preserve"] else None,
                    headers=dict(vh["headers"]),  # type: ignore[call-overload]
                )
            )

    top = new_vhost(None)
    current = top
    for line, words in _lines(data.decode("utf-8", "replace")):
        key = words[0].lower()
        args = words[1:]
        if key == "<virtualhost" or key.startswith("<virtualhost"):
            address = (args[0] if args else words[0].split(None, 1)[-1]).rstrip(">")
            port = address.rsplit(":", 1)[-1]
            current = new_vhost(int(port) if port.isdigit() else None)
            vhost = current
        elif key == "</virtualhost>":
            close(current)
            current = top
        elif key == "listen" and args:
            port = args[0].rsplit(":", 1)[-1]
            listen_default = int(port) if port.isdigit() else listen_default
        elif key == "servername" and args:
            current["names"].append(args[0].split(":")[0].lower())  # type: ignore[attr-defined]
        elif key == "sslengine" and args:
            current["tls"] = args[0].lower() == "on"
        elif key == "proxypreservehost" and args:
            current["preserve"] = args[0].lower() == "on"
        elif key == "requestheader" and len(args) >= 2 and args[0].lower() in ("set", "add", "append", "setifempty"):
            current["headers"][args[1]] = args[2] if len(args) > 2 else ""  # type: ignore[index]
        elif key == "requestheader" and len(args) >= 2 and args[0].lower() == "unset":
            current["headers"][args[1]] = ""  # type: ignore[index]
        elif key == "proxypass" and len(args) >= 2 and args[1] != "!":
            current["passes"].append((line, args[0], args[1]))  # type: ignore[attr-defined]
        elif key in ("include", "includeoptional") and args:
            problems.append(
                f"{path.name}:{line}: Include {args[0]} is not followed; give the file that proxies to Jira"
            )
    del vhost
    close(top)
    if not routes:
        raise ProxyConfigError(
            "no ProxyPass to an http(s) backend found" + (f" ({'; '.join(problems[:3])})" if problems else "")
        )
    return ProxyConfig("apache", tuple(routes), (path.name,), tuple(problems))
