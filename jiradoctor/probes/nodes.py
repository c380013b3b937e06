"""``node_drift``: Data Center nodes that answer the same request differently.

Clustered Jira Data Center sends ``X-ANODEID`` on every answer (JIRA-FACTS §10). When one node lacks
an app, the application link or a setting, the integration fails whenever the balancer picks it.
Every answer of the run is noted here as it arrives (:func:`note`, called by ``fetch``): which node
sent it, and which read-only GETs failed in a way a node could cause. After the other checks, the
probe repeats each such call (at most :data:`MAX_CALLS` calls, :data:`MAX_REPEATS` times each, on a
fresh connection without the session cookie, so the balancer may choose another node) and groups
the answers by node. A run in which no call failed repeats nothing: a healthy run costs no request.
Never repeated: anything but GET, a 401 or a refused login (a repeat would count towards Jira's
CAPTCHA), a 429, and OAuth-signed calls (their nonce may be used once).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping

from jiradoctor.facts import Fact
from jiradoctor.probes.http import carries_credential, fetch, make_client
from jiradoctor.probes.node_notes import _CALLS, _SEEN, MAX_CALLS, NODE_HEADER, REPEATED_STATUSES, note

__all__ = ["MAX_CALLS", "MAX_REPEATS", "NODE_HEADER", "REPEATED_STATUSES", "NodeDrift", "note", "probe"]

if TYPE_CHECKING:
    from jiradoctor.context import Facts

MAX_REPEATS = 3  # with the first answer, four answers per call


@dataclass(frozen=True)
class NodeAnswer:
    node: str | None
    status: int | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and self.status < 400


@dataclass(frozen=True)
class RepeatedCall:
    """One failed GET and its repeats, first answer first; ``url`` redacted."""

    method: str
    url: str
    answers: tuple[NodeAnswer, ...]

    def by_node(self) -> dict[str, tuple[int | None, ...]]:
        grouped: dict[str, list[int | None]] = {}
        for a in self.answers:
            if a.node is not None:
                grouped.setdefault(a.node, []).append(a.status)
        return {node: tuple(statuses) for node, statuses in grouped.items()}

    @property
    def differs(self) -> bool:
        """Some node answered it and another failed it (every answer of the failing node failed)."""
        nodes = self.by_node()
        good = {n for n, s in nodes.items() if any(x is not None and x < 400 for x in s)}
        return bool(good) and any(n not in good for n in nodes)


@dataclass(frozen=True)
class NodeDrift:
    """``seen``: how many answers of the run each node sent; ``calls``: the failed GETs repeated."""

    seen: Mapping[str, int]
    calls: tuple[RepeatedCall, ...]

    @property
    def extra_requests(self) -> int:
        return sum(len(c.answers) - 1 for c in self.calls)


async def probe(facts: "Facts") -> NodeDrift:
    seen = dict(facts.shared.get(_SEEN, {}))
    repeated: list[RepeatedCall] = []
    for method, url, headers, first in list(facts.shared.get(_CALLS, [])):
        answers = [NodeAnswer(first.header(NODE_HEADER), first.status)]
        for _ in range(MAX_REPEATS):
            fresh = make_client(facts, verify=carries_credential(headers), connections=1)
            try:
                again = await fetch(facts, method, url, headers=headers, via=fresh, max_body=16 * 1024, note_node=False)
            finally:
                await fresh.aclose()
            error = again.error.kind if again.error else None
            answers.append(NodeAnswer(again.header(NODE_HEADER), again.status, error))
            call = RepeatedCall(method, facts.redactor.text(url), tuple(answers))
            if call.differs:
                break
        repeated.append(RepeatedCall(method, facts.redactor.text(url), tuple(answers)))
    return NodeDrift(seen, tuple(repeated))


NODE_DRIFT: Fact[NodeDrift] = Fact("node_drift", "The run's failed GETs repeated and grouped by X-ANODEID")

FACTS = {NODE_DRIFT.name: probe}
