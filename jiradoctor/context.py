"""What a check sees: the target, its integration profile, and facts gathered by probes.

Facts are produced by probes (``jiradoctor.probes``), each run at most once per run, started on
first demand and shared by every check that awaits it. The probe table is handed in (the runner
passes ``jiradoctor.probes.LazyProbes()``): this module imports no probe. Tests pre-set facts
instead of running probes, so checks stay pure judgement.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Mapping, TypeVar, overload

from jiradoctor.facts import Fact, UndeclaredFact

from jiradoctor.jira.integrations import IntegrationProfile
from jiradoctor.secrets import Redactor
from jiradoctor.target import Target

if TYPE_CHECKING:
    import asyncio

ProbeFn = Callable[["Facts"], Awaitable[Any]]
T = TypeVar("T")


class OfflineError(RuntimeError):
    """A probe needs the network, and the run is ``--offline``."""


class UnknownFact(KeyError):
    pass


class Facts:
    """Memoised, concurrently shared probe results for one run."""

    def __init__(
        self,
        target: Target,
        probes: Mapping[str, ProbeFn] | None = None,
        preset: Mapping[str, Any] | None = None,
        redactor: Redactor | None = None,
    ) -> None:
        # a Mapping, not a copy: LazyProbes imports a probe module only when its fact is asked for
        self._probes: Mapping[str, ProbeFn] = probes if probes is not None else {}
        self.target = target
        self.redactor = redactor if redactor is not None else target.redactor()
        self._preset = dict(preset or {})
        self._tasks: dict[str, asyncio.Task[Any]] = {}
        self._handoffs: dict[str, asyncio.Future[Any]] = {}
        self._resources: list[Callable[[], Awaitable[None]]] = []
        # the facts this run's checks declare (set by the runner); None when nobody said (tests, tools)
        self.expected: frozenset[str] | None = None
        # per-run objects that are not facts but costly to build twice (an SSL context: ~14 ms each)
        self.shared: dict[str, Any] = {}
        # --debug: where each request and its answer is told, redacted (None: nowhere)
        self.trace: Callable[[str], object] | None = None
        # Jira's identity (issue 25): did the run ask Jira's URL anything, and which answer first
        # showed that Jira answers as Jira (set by probes.http.fetch; a run that asked and never
        # saw it is never a green gate)
        self.asked_jira = False
        self.jira_seen: str | None = None

    def expects(self, name: str) -> bool:
        """Will a check of this run ask for the fact? A probe may then share one request with it
        (issue 14: one /myself, one ADMINISTER answer) instead of sending its own. False when unknown."""
        return self.expected is not None and name in self.expected and self.gathered_by_probe(name)

    def handoff(self, name: str) -> "asyncio.Future[Any]":
        """A value one probe hands to another before it finishes (a fan-out's first answer), created
        on first use by either side. The giving probe must always settle it, None when it has nothing."""
        import asyncio

        future = self._handoffs.get(name)
        if future is None:
            future = self._handoffs[name] = asyncio.get_running_loop().create_future()
        return future

    def settle(self, name: str, value: Any) -> None:
        """Hand over ``value`` unless it was handed over already (the first answer wins)."""
        future = self.handoff(name)
        if not future.done():
            future.set_result(value)

    def has(self, name: str) -> bool:
        return name in self._preset or name in self._probes

    def gathered_by_probe(self, name: str) -> bool:
        """True when a probe (not a preset value) supplies this fact."""
        return name in self._probes and name not in self._preset

    def start(self, name: str) -> "asyncio.Task[Any]":
        """Start gathering a fact (once) without waiting for it."""
        import asyncio
        if name not in self._probes:
            raise UnknownFact(name)
        if self.target.offline:
            raise OfflineError(f"fact {name!r} needs the network and this run is --offline")
        task = self._tasks.get(name)
        if task is None:
            task = asyncio.ensure_future(self._probes[name](self))
            self._tasks[name] = task
        return task

    async def get(self, name: str) -> Any:
        import asyncio
        if name in self._preset:
            return self._preset[name]
        # shield: one check's time limit must not cancel a probe other checks are waiting for
        return await asyncio.shield(self.start(name))

    def peek(self, name: str) -> Any:
        """The fact if it is already known (preset or finished without error), else None."""
        if name in self._preset:
            return self._preset[name]
        task = self._tasks.get(name)
        if task is None or not task.done() or task.cancelled() or task.exception() is not None:
            return None
        return task.result()

    def on_close(self, closer: Callable[[], Awaitable[None]]) -> None:
        self._resources.append(closer)

    async def aclose(self) -> None:
        for task in self._tasks.values():
            if not task.done():
                task.cancel()
        for future in self._handoffs.values():
            if not future.done():
                future.cancel()
        for closer in reversed(self._resources):
            try:
                await closer()
            except Exception:
                pass
        self._resources.clear()


class CheckContext:
    """Handed to a check's ``judge``: read-only access to target, profile and facts."""

    def __init__(
        self,
        facts: Facts,
        profile: IntegrationProfile | None = None,
        declared: frozenset[str] | None = None,
        now: datetime | None = None,
    ) -> None:
        self.facts = facts
        self.target = facts.target
        self.profile = profile or facts.target.profile
        self.declared = declared  # the facts the check declares (None: any, as in tests of a judge)
        # the run's clock, read once by the runner: a check never reads the clock itself
        self.now = now if now is not None else datetime.now(timezone.utc)

    @property
    def offline(self) -> bool:
        return self.target.offline

    def _name(self, key: Fact[Any] | str) -> str:
        name = key.name if isinstance(key, Fact) else key
        if self.declared is not None and name not in self.declared:
            raise UndeclaredFact(f"the check asked for the fact {name!r}, which it does not declare "
                                 "(Check.facts or Check.reads)")
        return name

    @overload
    async def fact(self, key: Fact[T]) -> T: ...

    @overload
    async def fact(self, key: str) -> Any: ...

    async def fact(self, key: Fact[Any] | str) -> Any:
        """The fact, gathered once per run; typed when asked by its key (``await ctx.fact(TLS)``)."""
        return await self.facts.get(self._name(key))

    def can_probe(self, key: Fact[Any] | str) -> bool:
        name = self._name(key)
        return self.facts.has(name) and (not self.target.offline or self.facts.peek(name) is not None)

    def add_secret(self, value: str | None) -> None:
        """Register a secret found while judging (a keystore password, a pasted private key)."""
        self.facts.redactor.add(value)
