"""nginx configuration, parsed with nginx's own grammar (crossplane), includes followed with bounds.

Why our own include walk: crossplane follows includes without limits; a hostile file could make us
read the whole disk (``include /**``) or loop. Here includes resolve relative to the including
file's folder, at most ``MAX_FILES`` files of ``MAX_FILE_BYTES`` each, cycles refused.
"""

from __future__ import annotations

import glob
import urllib.parse
from pathlib import Path
from typing import Any

import crossplane

from jiradoctor import files
from jiradoctor.jira.proxy_config.model import ProxyConfig, ProxyConfigError, ProxyRoute, variables_in

MAX_FILES = 64
MAX_FILE_BYTES = files.MAX_PROXY_CONFIG
KNOWN_VARIABLES = {
    "host",
    "http_host",
    "proxy_host",
    "proxy_port",
    "scheme",
    "server_port",
    "server_name",
    "https",
    "remote_addr",
    "proxy_add_x_forwarded_for",
    "request_uri",
}
Directive = dict[str, Any]


def _parse_file(path: Path, problems: list[str]) -> list[Directive]:
    try:  # crossplane opens the file itself: only a regular file within the bound reaches it
        files.check_regular(path, MAX_FILE_BYTES, "proxy config", shown=path.name)
    except files.FileProblem as exc:
        raise ProxyConfigError(str(exc)) from None
    payload = crossplane.parse(
        str(path), single=True, check_ctx=False, check_args=False, catch_errors=True, comments=False
    )
    for error in payload.get("errors", []):
        problems.append(f"{Path(str(error.get('file', path))).name}:{error.get('line')}: {error.get('error')}")
    configs = payload.get("config", [])
    if not configs or configs[0].get("status") == "failed" and not configs[0].get("parsed"):
        raise ProxyConfigError(
            f"{path.name} is not an nginx configuration: " + "; ".join(problems[-3:] or ["nothing could be parsed"])
        )
    parsed: list[Directive] = configs[0].get("parsed", [])
    for d in _walk(parsed):
        d["file"] = path.name
    return parsed


def _walk(block: list[Directive]) -> list[Directive]:
    out = []
    for d in block:
        out.append(d)
        out += _walk(d.get("block") or [])
    return out


def _expand_includes(block: list[Directive], here: Path, seen: set[Path], problems: list[str]) -> list[Directive]:
    result: list[Directive] = []
    for d in block:
        if d["directive"] == "include" and d.get("args"):
            pattern = d["args"][0]
            full = pattern if Path(pattern).is_absolute() else str(here / pattern)
            matches = sorted(glob.glob(full))[: MAX_FILES + 1]
            if not matches and not glob.has_magic(pattern):
                problems.append(f"{d.get('file')}:{d.get('line')}: include {pattern} not found")
            for match in matches:
                path = Path(match).resolve()
                if path in seen:
                    problems.append(f"{d.get('file')}:{d.get('line')}: include {pattern} includes itself; not followed")
                    continue
                if len(seen) >= MAX_FILES:
                    raise ProxyConfigError(f"more than {MAX_FILES} files included; refusing to read further")
                seen.add(path)
                result += _expand_includes(_parse_file(path, problems), path.parent, seen, problems)
            continue
        if d.get("block"):
            d = {**d, "block": _expand_includes(d["block"], here, seen, problems)}
        result.append(d)
    return result


def _args(block: list[Directive], name: str) -> list[list[str]]:
    return [d.get("args", []) for d in block if d["directive"] == name]


def _headers(block: list[Directive]) -> dict[str, str] | None:
    sets = _args(block, "proxy_set_header")
    if not sets:
        return None
    return {a[0]: (a[1] if len(a) > 1 else "") for a in sets if a}


def _listen(server: list[Directive]) -> tuple[int | None, bool]:
    for args in _args(server, "listen"):
        if not args:
            continue
        address = args[0]
        port_text = address.rsplit(":", 1)[-1] if not address.startswith("unix:") else ""
        tls = "ssl" in args[1:]
        try:
            return int(port_text), tls
        except ValueError:
            return None, tls
    return 80, False


def _upstreams(http_blocks: list[list[Directive]]) -> dict[str, tuple[str, int]]:
    groups: dict[str, tuple[str, int]] = {}
    for block in http_blocks:
        for d in block:
            if d["directive"] == "upstream" and d.get("args"):
                servers = _args(d.get("block") or [], "server")
                if servers and servers[0]:
                    host, _, port = servers[0][0].rpartition(":")
                    groups[d["args"][0]] = (host or servers[0][0], int(port) if port.isdigit() else 80)
    return groups


def _locations(server: list[Directive], prefix: str = "") -> list[tuple[str, list[Directive]]]:
    found = []
    for d in server:
        if d["directive"] == "location" and d.get("args"):
            args = d["args"]
            path = args[-1] if args[0] in ("=", "^~") or len(args) == 1 else ""
            if not path:  # regex locations are not modelled
                continue
            found.append((path, d.get("block") or []))
            found += _locations(d.get("block") or [])
    return found


def _route(
    where: str,
    location: str,
    block: list[Directive],
    server: list[Directive],
    http: list[Directive],
    groups: dict[str, tuple[str, int]],
    problems: list[str],
) -> ProxyRoute | None:
    passes = _args(block, "proxy_pass")
    if not passes or not passes[0]:
        return None
    target = passes[0][0]
    parts = urllib.parse.urlsplit(target)
    scheme = parts.scheme.lower() or "http"
    name = parts.netloc
    if "$" in target:
        problems.append(f"{where}: proxy_pass {target} uses variables; the upstream cannot be read from the file")
    if name in groups:
        host, port = groups[name]
    else:
        host = parts.hostname or name
        try:
            port = parts.port or (443 if scheme == "https" else 80)
        except ValueError:
            problems.append(f"{where}: proxy_pass {target} has a bad port")
            return None
    headers = _headers(block)
    if headers is None:  # nginx: inherited only when the level itself sets none
        headers = _headers(server)
    if headers is None:
        headers = _headers(http) or {}
    host_template = next((v for k, v in headers.items() if k.lower() == "host"), None)
    others = {k: v for k, v in headers.items() if k.lower() != "host"}
    cache = next((a[0] for blk in (block, server, http) for a in _args(blk, "proxy_cache") if a), None)
    listen_port, tls = _listen(server)
    names = tuple(n for a in _args(server, "server_name") for n in a if n not in ("_", '""'))
    unresolved = tuple(
        sorted(
            {
                v
                for t in headers.values()
                for v in variables_in(t)
                if v not in KNOWN_VARIABLES and not v.startswith("http_")
            }
        )
    )
    return ProxyRoute(
        kind="nginx",
        where=where,
        location=location,
        upstream_scheme=scheme,
        upstream_host=host.lower(),
        upstream_port=port,
        upstream_name=name,
        upstream_path=parts.path or None,
        listen_port=listen_port,
        tls=tls,
        server_names=names,
        host_header=host_template,
        headers=others,
        cache=None if cache in (None, "off") else cache,
        unresolved=unresolved,
    )


def read(path: Path) -> ProxyConfig:
    problems: list[str] = []
    root = path.resolve()
    top = _expand_includes(_parse_file(root, problems), root.parent, {root}, problems)
    http_blocks = [d.get("block") or [] for d in top if d["directive"] == "http"]
    servers: list[tuple[list[Directive], list[Directive]]] = [
        (d.get("block") or [], http) for http in http_blocks for d in http if d["directive"] == "server"
    ]
    servers += [(d.get("block") or [], []) for d in top if d["directive"] == "server"]  # a sites-enabled file
    groups = _upstreams(http_blocks + [top])
    routes = []
    for server, http in servers:
        for location, block in _locations(server):
            where = f"{block[0]['file']}:{block[0]['line']}" if block else path.name
            route = _route(where, location, block, server, http, groups, problems)
            if route is not None:
                routes.append(route)
    if not routes:
        raise ProxyConfigError(
            "no location with proxy_pass found" + (f" ({'; '.join(problems[:3])})" if problems else "")
        )
    return ProxyConfig("nginx", tuple(routes), (path.name,), tuple(problems))
