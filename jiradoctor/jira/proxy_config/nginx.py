"""nginx configuration, parsed with nginx's own grammar (crossplane), includes followed with bounds.

Why our own include walk: crossplane follows includes without limits; a hostile file could make us
read the whole disk (``include /**``), a device (``include /dev/zero;``) or loop. Here includes
resolve relative to the including file's folder and are followed only to regular files inside the
given file's folder (and below, symlinks resolved first): an include pointing elsewhere is named in
a problem, not read. At most ``MAX_FILES`` files of ``MAX_FILE_BYTES`` each, cycles refused.
"""

from __future__ import annotations

import glob
import urllib.parse
from pathlib import Path
from typing import Any

import crossplane

from jiradoctor import files
from jiradoctor.jira.proxy_config.model import (
    ProxyConfig,
    ProxyConfigError,
    ProxyRoute,
    secrets_in_text,
    shown_header,
    variables_in,
)
from jiradoctor.jira.urls import masked
from jiradoctor.visible import visible
from jiradoctor.jira.urls import default_port

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


def _parse_file(path: Path, problems: list[str], secrets: list[str]) -> list[Directive]:
    try:  # crossplane opens the file itself: only a regular file within the bound reaches it
        files.check_regular(path, MAX_FILE_BYTES, "proxy config", shown=path.name)
        # the credentials in it, for the redactor, whatever crossplane makes of it
        secrets += secrets_in_text(files.read_bounded(path, MAX_FILE_BYTES, "proxy config", shown=path.name)
                                   .decode("utf-8", "replace"))
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


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _fixed_prefix(full: str) -> Path:
    """The part of an include pattern before its first wildcard: the folder a glob would list."""
    parts = Path(full).parts
    fixed = list(parts[: next((i for i, p in enumerate(parts) if glob.has_magic(p)), len(parts))])
    return Path(*fixed) if fixed else Path(".")


class _Walk:
    """One include walk: the given file's folder bounds it; files seen, problems and secrets found."""

    def __init__(self, root: Path) -> None:
        self.folder = root.parent
        self.seen = {root}
        self.problems: list[str] = []
        self.secrets: list[str] = []

    def outside(self, d: Directive, pattern: str, where: Path) -> None:
        self.problems.append(
            f"{d.get('file')}:{d.get('line')}: include {visible(pattern, keep='')} points outside the configuration's "
            f"folder ({visible(str(where), keep='')}); not followed: give the files that proxy to Jira in one folder"
        )

    def expand(self, block: list[Directive], here: Path) -> list[Directive]:
        result: list[Directive] = []
        for d in block:
            if d["directive"] == "include" and d.get("args"):
                self.include(d, here, result)
                continue
            if d.get("block"):
                d = {**d, "block": self.expand(d["block"], here)}
            result.append(d)
        return result

    def include(self, d: Directive, here: Path, result: list[Directive]) -> None:
        pattern = d["args"][0]
        shown = visible(pattern, keep="")
        full = pattern if Path(pattern).is_absolute() else str(here / pattern)
        prefix = _fixed_prefix(full).resolve()
        if not _inside(prefix, self.folder):
            self.outside(d, pattern, prefix)  # refused before listing: no glob over the disk
            return
        matches = sorted(glob.glob(full))[: MAX_FILES + 1]
        if not matches and not glob.has_magic(pattern):
            self.problems.append(f"{d.get('file')}:{d.get('line')}: include {shown} not found")
        for match in matches:
            path = Path(match).resolve()  # symlinks resolved: a link inside that points outside stays outside
            if not _inside(path, self.folder):
                self.outside(d, pattern, path)
                continue
            if path in self.seen:
                self.problems.append(
                    f"{d.get('file')}:{d.get('line')}: include {shown} includes itself; not followed"
                )
                continue
            if not path.is_file():
                self.problems.append(
                    f"{d.get('file')}:{d.get('line')}: include {shown} names "
                    f"{visible(path.name, keep='')}, not a regular file; not followed"
                )
                continue
            if len(self.seen) >= MAX_FILES:
                raise ProxyConfigError(f"more than {MAX_FILES} files included; refusing to read further")
            self.seen.add(path)
            result += self.expand(_parse_file(path, self.problems, self.secrets), path.parent)


def _args(block: list[Directive], name: str) -> list[list[str]]:
    return [d.get("args", []) for d in block if d["directive"] == name]


def _headers(block: list[Directive]) -> dict[str, str] | None:
    sets = _args(block, "proxy_set_header")
    if not sets:
        return None
    return {a[0]: shown_header(a[0], a[1] if len(a) > 1 else "") for a in sets if a}


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
    try:
        parts = urllib.parse.urlsplit(target)
    except ValueError:  # "http://[::1:8080": an unclosed IPv6 bracket
        problems.append(f"{where}: proxy_pass {masked(target)} is not a URL that can be read (a bad IPv6 address)")
        return None
    scheme = parts.scheme.lower() or "http"
    name = parts.netloc.rpartition("@")[2]  # userinfo is a credential, never part of $proxy_host
    if "$" in target:
        problems.append(
            f"{where}: proxy_pass {masked(target)} uses variables; the upstream cannot be read from the file"
        )
    if name in groups:
        host, port = groups[name]
    else:
        host = parts.hostname or name
        try:
            port = parts.port or default_port(scheme)
        except ValueError:
            problems.append(f"{where}: proxy_pass {masked(target)} has a bad port")
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
    root = path.resolve()
    walk = _Walk(root)
    try:
        top = walk.expand(_parse_file(root, walk.problems, walk.secrets), root.parent)
        return _config(path, top, walk.problems, tuple(dict.fromkeys(walk.secrets)))
    except ProxyConfigError as exc:
        raise ProxyConfigError(str(exc), tuple(dict.fromkeys(walk.secrets))) from None


def _config(path: Path, top: list[Directive], problems: list[str], secrets: tuple[str, ...]) -> ProxyConfig:
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
    return ProxyConfig("nginx", tuple(routes), (path.name,), tuple(problems), secrets)
