"""Signs in an HTTP answer that something other than Jira's Tomcat stands in front of it.

Why it matters: behind a reverse proxy Tomcat rebuilds request URLs from its connector, so
proxyName/proxyPort/scheme must match the public URL or OAuth signatures fail (JIRA-FACTS §2).
Jira Server sends no ``Server`` header (Tomcat 8.5+), old Tomcats send ``Apache-Coyote``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

TOMCAT_SERVERS = ("apache-coyote", "tomcat")
ATLASSIAN_EDGE = ("atlassianedge", "atlassianproxy", "globaledge")  # Cloud's own edge, not the customer's proxy
_ERROR_PAGES = (
    (re.compile(r"<center>\s*nginx", re.I), "an nginx error page"),
    (re.compile(r"<address>\s*Apache/", re.I), "an Apache httpd error page"),
    (re.compile(r"No server is available to handle this request", re.I), "an HAProxy error page"),
)
GATEWAY_ERRORS = (502, 503, 504)


@dataclass(frozen=True)
class ReverseProxySigns:
    signs: tuple[str, ...]
    product: str | None  # what the Server header or error page names, if anything
    gateway_error: bool  # the proxy answered 502/503/504: Jira behind it did not answer
    atlassian_edge: bool

    @property
    def found(self) -> bool:
        return bool(self.signs)


def via_entries(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def read_signs(
    status: int | None, headers: Mapping[str, str], body: str, forward_proxy_hops: int = 0
) -> ReverseProxySigns:
    """Signs from one answer; ``forward_proxy_hops`` Via entries (the last ones) belong to a forward
    proxy that relayed a plain-HTTP request and are not counted."""
    signs: list[str] = []
    product: str | None = None
    via = via_entries(headers.get("via"))
    if forward_proxy_hops:
        via = via[:-forward_proxy_hops]
    if via:
        signs.append(f"Via: {', '.join(via)}")
    server = (headers.get("server") or "").strip()
    low = server.lower()
    edge = any(e in low for e in ATLASSIAN_EDGE)
    if server and not edge and not any(t in low for t in TOMCAT_SERVERS):
        signs.append(f"Server: {server} (Jira's Tomcat sends none)")
        product = server
    echoed = sorted(name for name in headers if name.startswith("x-forwarded-"))
    if echoed:
        signs.append(f"echoed {', '.join(echoed)}")
    for pattern, label in _ERROR_PAGES:
        if pattern.search(body[:4096]):
            signs.append(f"the body is {label}")
            product = product or label.split()[1]
            break
    return ReverseProxySigns(tuple(signs), product, bool(signs) and status in GATEWAY_ERRORS, edge)
