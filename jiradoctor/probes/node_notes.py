"""Every answer's Data Center node, noted as it arrives (``fetch`` calls :func:`note`), for the
``nodes`` check. Apart from :mod:`jiradoctor.probes.nodes`, which repeats calls through ``fetch``:
the HTTP layer notes, the probe reads, and neither imports the other for it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:
    from jiradoctor.context import Facts

NODE_HEADER = "x-anodeid"
MAX_CALLS = 2
REPEATED_STATUSES = frozenset({403, 404, 500, 502, 503, 504})
_SEEN = "node_drift:seen"
_CALLS = "node_drift:calls"


def _repeatable(method: str, headers: Mapping[str, str] | None, answer: Any) -> bool:
    if method != "GET" or answer.status not in REPEATED_STATUSES:
        return False
    authorization = next((v for k, v in (headers or {}).items() if k.lower() == "authorization"), "")
    if authorization.startswith("OAuth "):
        return False
    reason = (answer.header("x-seraph-loginreason") or "").upper()
    return not ("FAILED" in reason or "DENIED" in reason)


def note(facts: "Facts", method: str, url: str, headers: Mapping[str, str] | None, answer: Any) -> None:
    """Remember which node sent ``answer`` and whether the call is one to repeat."""
    node = answer.header(NODE_HEADER)
    if node is None:
        return
    seen: dict[str, int] = facts.shared.setdefault(_SEEN, {})
    seen[node[:64]] = seen.get(node[:64], 0) + 1
    calls: list[tuple[str, str, dict[str, str], Any]] = facts.shared.setdefault(_CALLS, [])
    if _repeatable(method, headers, answer) and len(calls) < MAX_CALLS and all(c[1] != url for c in calls):
        calls.append((method, url, dict(headers or {}), answer))
