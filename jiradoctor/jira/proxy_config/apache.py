"""Apache httpd's proxy directives: ProxyPass, ProxyPreserveHost, RequestHeader set, SSLEngine.

A small line parser of our own (no maintained Python parser of httpd.conf exists): it reads
``<VirtualHost>`` blocks (or the top level) and only the directives that change what Tomcat sees.
Include is not followed (say so), quotes and line continuations are honoured.
"""

from __future__ import annotations

import re
import shlex
import urllib.parse
from pathlib import Path

from jiradoctor import files
from jiradoctor.jira.proxy_config.model import (
    ProxyConfig,
    ProxyConfigError,
    ProxyRoute,
    secrets_in_text,
    shown_header,
)
from jiradoctor.jira.urls import masked
from jiradoctor.jira.urls import default_port

MAX_BYTES = files.MAX_PROXY_CONFIG
# ap_expr / mod_headers variables that the model's templates can evaluate per request
_EXPR_VARIABLES = {
    "REQUEST_SCHEME": "$scheme",
    "HTTP_HOST": "$http_host",
    "SERVER_NAME": "$server_name",
    "SERVER_PORT": "$server_port",
    "REMOTE_ADDR": "$remote_addr",
}
_EXPR_VARIABLE = re.compile(r"%\{([A-Za-z0-9_:]+)\}")


def _header_value(raw: str, where: str, problems: list[str]) -> str:
    """A RequestHeader value as a model template: ``expr=%{REQUEST_SCHEME}`` becomes ``$scheme``.

    Why: real httpd evaluates these per request (a TLS vhost sends ``https``); taken literally the
    value would never equal ``https`` and the verdict would be wrong.
    """
    if not raw.lower().startswith("expr="):
        if "%{" in raw:
            problems.append(f"{where}: RequestHeader format {raw!r} is not evaluated; taken literally")
        return raw
    expression = raw[5:].strip()
    if len(expression) >= 2 and expression[0] == expression[-1] and expression[0] in "'\"":
        expression = expression[1:-1]
    unknown = [v for v in _EXPR_VARIABLE.findall(expression) if v.upper() not in _EXPR_VARIABLES]
    rest = _EXPR_VARIABLE.sub("", expression)
    if unknown or any(op in rest for op in ("(", "==", "-", "?", "!")):
        problems.append(f"{where}: RequestHeader expr {expression!r} is not evaluated; taken literally")
        return raw
    return _EXPR_VARIABLE.sub(lambda m: _EXPR_VARIABLES[m.group(1).upper()], expression)


def _condition_holds(condition: str, tls: bool, where: str, problems: list[str]) -> bool:
    """``env=HTTPS`` / ``env=!HTTPS``: mod_ssl sets HTTPS for every TLS request (measured). Others: assumed true."""
    if not condition or condition.lower() == "early":
        return True
    if condition.lower().startswith("env="):
        name = condition[4:]
        negated = name.startswith("!")
        if name.lstrip("!") == "HTTPS":
            return tls != negated
    problems.append(f"{where}: RequestHeader condition {condition!r} is not evaluated; assumed to hold")
    return True


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
        data = files.read_bounded(path, MAX_BYTES, "proxy config", shown=path.name)
    except files.FileProblem as exc:
        raise ProxyConfigError(str(exc)) from None
    text = data.decode("utf-8", "replace")
    secrets = tuple(secrets_in_text(text))
    try:
        return _read(path, text, secrets)
    except ProxyConfigError as exc:
        raise ProxyConfigError(str(exc), secrets) from None


def _split(target: str) -> urllib.parse.SplitResult | None:
    """urlsplit, or None for a URL it refuses (``http://[fe80::1/``: an unclosed IPv6 bracket)."""
    try:
        parts = urllib.parse.urlsplit(target)
        parts.port  # noqa: B018 - raises for a port that is not a number in 0..65535
    except ValueError:
        return None
    return parts


def _read(path: Path, text: str, secrets: tuple[str, ...]) -> ProxyConfig:
    problems: list[str] = []
    routes: list[ProxyRoute] = []
    vhost: dict[str, object] = {}
    listen_default: int | None = None

    def new_vhost(port: int | None) -> dict[str, object]:
        # ProxyPreserveHost / ProxyAddHeaders in the main server are a VirtualHost's defaults (httpd merges them)
        inherited = (top["preserve"], top["add"]) if top else (False, True)
        return {"port": port, "tls": False, "names": [], "preserve": inherited[0], "add": inherited[1],
                "actions": [], "passes": []}

    def headers_of(vh: dict[str, object]) -> dict[str, str]:
        """RequestHeader actions in order (mod_headers runs them before mod_proxy adds its own)."""
        headers: dict[str, str] = {}
        for where, action, name, value, condition in vh["actions"]:  # type: ignore[attr-defined]
            if not _condition_holds(condition, bool(vh["tls"]), where, problems):
                continue
            same = [k for k in headers if k.lower() == name.lower()]
            old = headers.pop(same[0], "") if same else ""
            if action == "unset":
                headers[name] = ""
            elif action == "setifempty":
                headers[name] = old or value
            elif action in ("add", "append") and old:
                headers[name] = f"{old}, {value}"
            else:
                headers[name] = value
        return headers

    def close(vh: dict[str, object]) -> None:
        for line, location, target in vh["passes"]:  # type: ignore[attr-defined]
            parts = _split(target)
            if parts is None:
                problems.append(
                    f"{path.name}:{line}: ProxyPass {masked(target)} is not a URL that can be read (a bad IPv6 "
                    "address or port); not modelled"
                )
                continue
            if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
                problems.append(
                    f"{path.name}:{line}: ProxyPass {masked(target)} is not an http(s) backend; not modelled"
                )
                continue
            scheme = parts.scheme.lower()
            port = parts.port or default_port(scheme)
            default = default_port(scheme)
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
                    headers=headers_of(vh),
                    add_forwarded=bool(vh["add"]),
                )
            )

    top: dict[str, object] = {}
    top = new_vhost(None)
    current = top
    for line, words in _lines(text):
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
        elif key == "proxyaddheaders" and args:
            current["add"] = args[0].lower() == "on"
        elif key == "requestheader" and len(args) >= 3 and args[0].lower() in ("set", "add", "append", "setifempty"):
            where = f"{path.name}:{line}"
            masked_value = shown_header(args[1], args[2])  # the proxy's own credential: never in a report
            value = masked_value if masked_value != args[2] else _header_value(args[2], where, problems)
            condition = args[3] if len(args) > 3 else ""
            current["actions"].append((where, args[0].lower(), args[1], value, condition))  # type: ignore[attr-defined]
        elif key == "requestheader" and len(args) >= 2 and args[0].lower() == "unset":
            condition = args[2] if len(args) > 2 else ""
            current["actions"].append((f"{path.name}:{line}", "unset", args[1], "", condition))  # type: ignore[attr-defined]
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
    return ProxyConfig("apache", tuple(routes), (path.name,), tuple(problems), secrets)
