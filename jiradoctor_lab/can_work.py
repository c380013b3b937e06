"""The lab's side of issue 19: search resources, the XSRF filter, a cluster's nodes, blockers' pages, a write counter.

Why here: these are what the can-work probes and the blocker recognition meet in front of a real
Jira; each answer is modelled on a public capture or document, and marked UNCONFIRMED where the
exact shape was not verified.
"""

from __future__ import annotations

import re
import secrets

from jiradoctor_lab import rest
from jiradoctor_lab.messages import Request, Response, error_body
from jiradoctor_lab.rest import Route, _V
from jiradoctor_lab.runtime import LabRuntime
from jiradoctor_lab.scenarios import CLOUD, SERVER, User

# --------------------------------------------------------------------------------- writes ---
# POSTs that read: a search, the Cloud bulk permission check, the OAuth servlets' token requests
# (a request token is never authorised by jiradoctor), the OAuth 2.0 token endpoint.
READ_SHAPED_POSTS = re.compile(
    r"(/rest/api/(2|3|latest)/search(/jql)?|/rest/api/3/permissions/check|/plugins/servlet/oauth/(request-token|access-token)"
    r"|/rest/oauth2/latest/token|/oauth/token|/rest/oauth2/.*/token)/?"
)


def is_write(method: str, path: str) -> bool:
    """Would this request change a real Jira? PUT/PATCH/DELETE always; POST unless read-shaped."""
    method = method.upper()
    if method in ("PUT", "PATCH", "DELETE"):
        return True
    return method == "POST" and READ_SHAPED_POSTS.fullmatch(path or "/") is None


def count_write(runtime: LabRuntime, method: str, app_path: str) -> None:
    if is_write(method, app_path):
        with runtime.state.lock:
            runtime.state.writes += 1


# ------------------------------------------------------------------------------ XSRF filter ---
BROWSER_UA = re.compile(r"^Mozilla/\d", re.IGNORECASE)


def xsrf_refusal(req: Request, rt: LabRuntime | None = None) -> Response | None:
    """Jira's REST XSRF check as JIRA-FACTS §10 has it (captured): a POST/PUT/DELETE from a browser-looking
    User-Agent (``Mozilla/…``) is refused with "XSRF check failed", as 403 (Cloud KB) or as 404 with the
    same body (jira.atlassian.com, 2024; the scenario's ``xsrf_status``). With such a User-Agent
    ``X-Atlassian-Token: no-check`` did not help in three independent reports, so the lab ignores it
    then; a non-browser User-Agent is the fix that works. UNCONFIRMED: whether Jira exempts JSON
    bodies for some versions; the lab refuses any content type, as the reports describe."""
    if req.method not in ("POST", "PUT", "DELETE", "PATCH") or not req.path.startswith("/rest/"):
        return None
    if not BROWSER_UA.match(req.header("user-agent") or ""):
        return None
    status = rt.scenario.behaviour.xsrf_status if rt is not None else 403
    return Response.text(status, "XSRF check failed")


# ---------------------------------------------------------------------------------- search ---
REMOVED_SEARCH = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full "
    "migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"
)  # UNCONFIRMED wording


def _max_results(req: Request) -> int | None:
    raw = req.param("maxResults")
    if raw is None and req.method == "POST":
        try:
            body = req.json_body()
            raw = body.get("maxResults") if isinstance(body, dict) else None
        except ValueError:
            return None
    try:
        return int(raw) if raw is not None else 50
    except (TypeError, ValueError):
        return None


def search(req: Request, rt: LabRuntime, user: User | None, m: re.Match[str]) -> Response:
    """Server/DC's /search and Cloud's /search/jql, answering no issues (the lab has none)."""
    if rt.is_cloud and not m.group(0).endswith("/jql"):
        return Response.json(410, error_body(REMOVED_SEARCH))
    max_results = _max_results(req)
    if max_results is None or max_results < 0:
        return Response.json(400, error_body("maxResults must be a number."))
    if rt.is_cloud:
        return Response.json(200, {"issues": [], "isLast": True})
    return Response.json(
        200, {"expand": "schema,names", "startAt": 0, "maxResults": max_results, "total": 0, "issues": []}
    )


# ------------------------------------------------------------------------------------ fields ---
# What client libraries read on the way to a search: pycontribs `jira` asks GET /rest/api/2/field before
# every search_issues (to map field names). Shape: Jira's "Get fields" (REST docs, Server and Cloud):
# a bare array of {id, key, name, custom, orderable, navigable, searchable, clauseNames, schema}.
_FIELDS = (
    ("summary", "Summary", "string"),
    ("status", "Status", "status"),
    ("project", "Project", "project"),
    ("issuetype", "Issue Type", "issuetype"),
    ("priority", "Priority", "priority"),
    ("assignee", "Assignee", "user"),
    ("reporter", "Reporter", "user"),
    ("created", "Created", "datetime"),
    ("updated", "Updated", "datetime"),
    ("description", "Description", "string"),
    ("labels", "Labels", "array"),
    ("fixVersions", "Fix Version/s", "array"),
)


def fields(req: Request, rt: LabRuntime, user: User | None, m: re.Match[str]) -> Response:
    return Response.json(
        200,
        [
            {
                "id": fid,
                "key": fid,
                "name": name,
                "custom": False,
                "orderable": fid not in ("created", "updated", "status", "project"),
                "navigable": True,
                "searchable": True,
                "clauseNames": [fid],
                "schema": {"type": kind, "system": fid},
            }
            for fid, name, kind in _FIELDS
        ],
    )


ROUTES: tuple[Route, ...] = (
    Route(re.compile(_V + r"/field"), ("GET",), fields, anonymous=True, deployments=(SERVER, CLOUD)),
    Route(re.compile(_V + r"/search/jql"), ("GET", "POST"), search, anonymous=True, deployments=(CLOUD,)),
    Route(re.compile(_V + r"/search"), ("GET", "POST"), search, anonymous=True, deployments=(SERVER, CLOUD)),
)


def match(req: Request, rt: LabRuntime) -> tuple[Route, re.Match[str]] | None:
    return rest.match(req, rt, ROUTES)


# --------------------------------------------------------------------------------- cluster ---
def _session_node(cookie_header: str | None, nodes: tuple[str, ...]) -> str | None:
    for part in (cookie_header or "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == "JSESSIONID" and "." in value:
            node = value.rsplit(".", 1)[1]
            if node in nodes:
                return node
    return None


def broken_path(rt: LabRuntime, path: str) -> bool:
    behaviour = rt.scenario.behaviour
    return bool(behaviour.broken_node) and any(path.startswith(p) for p in behaviour.broken_node_paths)


def choose_node(rt: LabRuntime, cookie_header: str | None, path: str) -> str | None:
    """The node that answers this request (None: not a cluster); for a broken path, a round-robin of
    its own that starts at the broken node (scenarios.Behaviour.broken_node)."""
    nodes = rt.scenario.behaviour.cluster_nodes
    if not nodes:
        return None
    if broken_path(rt, path):
        start = nodes.index(rt.scenario.behaviour.broken_node) if rt.scenario.behaviour.broken_node in nodes else 0
        with rt.state.lock:
            turn = rt.state.path_turns.get(path, 0)
            rt.state.path_turns[path] = turn + 1
        return nodes[(start + turn) % len(nodes)]
    return _node_for(rt, cookie_header)


def cluster_headers(
    rt: LabRuntime, cookie_header: str | None, node: str | None = None
) -> list[tuple[str, str]]:
    """X-ANODEID of the node that answers, and a JSESSIONID when that node does not know the session.

    Jira Data Center's nodes append their id to the session (Tomcat's jvmRoute: ``<id>.<node>``);
    UNCONFIRMED: that Jira sends X-ANODEID on every answer (JIRA-FACTS §4)."""
    nodes = rt.scenario.behaviour.cluster_nodes
    if not nodes:
        return []
    known = _session_node(cookie_header, nodes)
    node = node or _node_for(rt, cookie_header)
    headers = [("X-ANODEID", node)]
    if known != node:
        headers.append(("Set-Cookie", f"JSESSIONID={secrets.token_hex(16).upper()}.{node}; Path=/; HttpOnly"))
    return headers


def _node_for(rt: LabRuntime, cookie_header: str | None) -> str:
    nodes = rt.scenario.behaviour.cluster_nodes
    known = _session_node(cookie_header, nodes)
    if rt.scenario.behaviour.sticky_sessions and known is not None:
        return known
    if known is not None:
        # no affinity: the balancer sends a known session elsewhere. Always the next node, not a shared
        # round-robin: the checks' concurrent requests would otherwise decide by chance (a flaky lab)
        return nodes[(nodes.index(known) + 1) % len(nodes)]
    with rt.state.lock:
        node = nodes[rt.state.cluster_turn % len(nodes)]
        rt.state.cluster_turn += 1
    return node


# -------------------------------------------------------------------------------- blockers ---
def blocker_page(kind: str, rt: LabRuntime) -> Response | None:
    if kind == "ip-allowlist":
        # Atlassian KB "Scope of IP Allowlists in Atlassian Cloud"; UNCONFIRMED: the status (403)
        resp = Response.json(
            403,
            error_body(
                "The IP address has been rejected because it is not on the allowed list. "
                "See your admin for more information."
            ),
        )
        return resp  # Cloud's edge adds Server: AtlassianProxy and atl-traceid (server.py)
    if kind == "cloudflare-1006":
        ray = secrets.token_hex(8)
        page = (
            "<!DOCTYPE html><html><head><title>Access denied | lab.jiraalign.example used Cloudflare to restrict "
            'access</title></head><body><div id="cf-wrapper"><h1><span>Error</span> '
            "<span>1006</span></h1><h2>Access denied</h2><p>The owner of this website (lab.jiraalign.example) has "
            "banned your IP address (127.0.0.1).</p><p>Cloudflare Ray ID: <strong>" + ray + "</strong> &bull; Your "
            "IP: 127.0.0.1 &bull; Performance &amp; security by Cloudflare</p></div></body></html>"
        )
        resp = Response.html(403, page)
        resp.add("Server", "cloudflare")
        resp.add("CF-RAY", f"{ray}-FRA")
        return resp
    if kind == "corporate-proxy":
        resp = Response.html(
            403,
            "<html><head><title>Access Denied - Web Filter</title></head><body><h1>Access "
            "Denied</h1><p>Access to this site is blocked by your organisation's security policy "
            "(category: Uncategorized).</p></body></html>",
        )
        resp.add("Via", "1.1 proxy.corp.example (squid/5.7)")
        resp.add("X-Squid-Error", "ERR_ACCESS_DENIED 0")
        resp.add("Server", "squid/5.7")
        return resp
    return None
