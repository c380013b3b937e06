"""``permission_matrix``: what the integration's user may do in each project, in few round trips.

One listing (skipped when ``--projects`` names them) in parallel with one ``mypermissions`` call
that finds keys Jira does not know and answers the global keys; then one ``mypermissions`` per
project from a pool of ``--concurrency`` workers pulling from one queue (memory independent of the
project count), or on Cloud one bulk ``POST /rest/api/3/permissions/check`` per 1,000 projects
(read-only; per project when Jira refuses it, and the report says why). Jira's rate limit (429,
or 503 with Retry-After) pauses the pool, halves its concurrency and re-sends a bounded number of
times. Past a share of the check's time limit, no new project starts and the answers in are kept.
Never one request per project x permission. Asks as the same user as the auth check
(:func:`probes.auth.login_for`), and only once that login is proven.
"""

from __future__ import annotations

import time
import urllib.parse
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Protocol, Sequence, TypeVar

from jiradoctor.facts import Fact
from jiradoctor.jira.auth_signals import error_messages
from jiradoctor.jira.permissions import (
    PermissionPlan,
    ProjectGrants,
    ProjectRef,
    keys_named,
    parse_bulk_check,
    parse_mypermissions,
    ProjectListReader,
    parse_project_page,
    plan_for,
)
from jiradoctor.jira.rate_limit import (
    MAX_WAIT_S,
    RateLimitSignal,
    Throttling,
    is_throttled,
    rate_limit_headers,
    read_signal,
)
from jiradoctor.probes.auth import Login, fetch_as, login_base, login_for, login_proven
from jiradoctor.probes.deployment import deployment_of
from jiradoctor.probes.fanout import Gate, run_pool
from jiradoctor.probes.http import HttpAnswer, TransportError

if TYPE_CHECKING:
    from jiradoctor.context import Facts


class _Fed(Protocol):
    def feed(self, data: bytes) -> object: ...


R = TypeVar("R", bound=_Fed)

CONCURRENCY = 16  # default; --concurrency / JIRADOCTOR_CONCURRENCY overrides (benchmarks/README.md)
MAX_CONCURRENCY = 64
BULK_MAX_PROJECTS = 1000  # Cloud's limit per permissions/check call (JIRA-FACTS §3)
PAGE_SIZE = 100  # asked; Cloud may answer with a smaller maxResults, which is then the stride
MAX_PAGES = 1000
MAX_RETRIES = 2  # a throttled request is sent at most 1 + MAX_RETRIES times
THROTTLED_BUDGET = 2  # x the concurrency: throttled answers tolerated before the rest is not sent
PACE_MARGIN = 1.1  # a token bucket's requests are spaced 10 % wider than its fill rate
DEADLINE_SHARE = 0.8  # of the check's time limit: then stop asking, keep what was asked
# handed over (Facts.handoff) as soon as one answer shows them: every key Jira answered for the
# integration's login, global ones included (Server answers all it knows), or None. The applink
# probe reads ADMINISTER from it instead of asking once more (issue 14). Atlassian's reference of
# GET mypermissions: "Global permissions are unaffected by context", so a project's answer holds the
# global value; an answer without ADMINISTER makes the applink probe ask for it alone.
SERVICE_USER_GRANTS = "service_user_grants"


@dataclass(frozen=True)
class PermissionFacts:
    """Everything the permissions check judges.

    ``source``: "requested" (``--projects``) or "listed" (every project the user can see).
    ``unknown``: keys Jira does not know, with how that showed. ``via``: "mypermissions" or "bulk".
    ``requests``: HTTP requests made, so the report (and the benchmark) can show the cost.
    ``bulk_refused``: why Cloud's bulk check was not used (then per project). ``not_asked``:
    projects left when the time limit came (the result is partial). ``throttling``: what Jira's
    rate limit did to the fan-out.
    """

    plan: PermissionPlan
    login_method: str
    deployment: str | None = None
    source: str = "listed"
    projects: tuple[ProjectGrants, ...] = ()
    not_found: tuple[str, ...] = ()
    unknown: Mapping[str, str] = field(default_factory=dict)
    global_granted: Mapping[str, bool] = field(default_factory=dict)
    problem: str | None = None  # the listing or the key check failed: nothing reliable to judge
    via: str = "mypermissions"
    requests: int = 0
    elapsed_s: float = 0.0
    bulk_refused: str | None = None
    not_asked: tuple[str, ...] = ()
    throttling: Throttling | None = None
    concurrency: int = CONCURRENCY
    problem_throttled: bool = False  # ``problem`` came when Jira's rate limit refused the rest


def describe(answer: HttpAnswer) -> str:
    if answer.error is not None:
        return f"{answer.error.message} ({answer.error.kind})"
    said = error_messages(answer.body, limit=2)
    return f"HTTP {answer.status}" + (f": {'; '.join(said)}" if said else "")


def concurrency_for(target: Any) -> int:
    value = getattr(target, "concurrency", None)
    return max(1, min(MAX_CONCURRENCY, int(value))) if value else CONCURRENCY


def deadline_for(target: Any) -> float:
    """When to stop asking: a share of the check's time limit (runner.time_limit_for's rule)."""
    from jiradoctor.runner import DEFAULT_CHECK_TIME_LIMIT_S, SEQUENTIAL_REQUESTS

    limit = max(DEFAULT_CHECK_TIME_LIMIT_S, (target.timeout * 2 + 1) * SEQUENTIAL_REQUESTS)
    return float(time.monotonic() + limit * DEADLINE_SHARE)


class _Asker:
    """Sends requests as the login through an adaptive gate, honours Jira's rate limit, counts.

    A throttled answer (429, or 503 with Retry-After) pauses every request for as long as Jira
    says, halves the concurrency and is sent again at most MAX_RETRIES times; a token bucket
    (Data Center) also spaces every later request by its fill rate. A wait longer than the run
    is willing to give (MAX_WAIT_S, or the time left before ``deadline``: Cloud's hourly quota says
    e.g. 1847 s) is not slept: asking stops at once and the report names the limit. Only requests
    of a proven login come here: a refused login is never repeated (CAPTCHA counts them).
    """

    def __init__(
        self, facts: "Facts", login: Login, url: str, api: str, concurrency: int = CONCURRENCY,
        deadline: float | None = None,
    ) -> None:
        self.facts, self.login, self.url, self.api = facts, login, url.rstrip("/"), api
        self.gate = Gate(concurrency)
        self.deadline = deadline
        self.requests = 0
        self.throttled = self.retries = self.gave_up = 0
        self.first_throttle: HttpAnswer | None = None
        self.signal: RateLimitSignal | None = None
        self.outlasted = False
        self.willing_at_stop = MAX_WAIT_S
        self.longest_wait = 0.0
        self._free_lanes: list[Any] | None = None  # one client per request in flight (http.lanes)

    def _take_lane(self) -> Any:
        """A free lane, or None (then the run's shared client): the gate never lets more requests
        in than there are lanes, since its limit only goes down from ``start_limit``."""
        if self._free_lanes is None:
            from jiradoctor.probes.http import lanes

            if not self.facts.gathered_by_probe("http_client"):  # a client handed in (a test's transport)
                self._free_lanes = []
                return None
            try:
                self._free_lanes = lanes(self.facts, self.gate.start_limit, credentials=True)
            except Exception:  # a proxy setting httpx refuses: the shared client's answer says why
                self._free_lanes = []
        return self._free_lanes.pop() if self._free_lanes else None

    def path(self, resource: str, **query: Any) -> str:
        q = urllib.parse.urlencode({k: v for k, v in query.items() if v is not None}, safe=",")
        return f"{self.url}/rest/api/{self.api}/{resource}" + (f"?{q}" if q else "")

    async def _send(self, url: str, method: str, json: Any, sink: Callable[[bytes], object] | None) -> HttpAnswer:
        async with self.gate:
            self.requests += 1
            lane = self._take_lane()
            try:
                if sink is not None:  # a Server listing: ~580 bytes a project, read as it comes
                    return await fetch_as(
                        self.facts, self.login, method, url, json=json, sink=sink,
                        budget_s=self.facts.target.timeout * 6 + 1, via=lane,
                    )
                return await fetch_as(self.facts, self.login, method, url, json=json, via=lane)
            finally:
                if lane is not None and self._free_lanes is not None:
                    self._free_lanes.append(lane)

    async def ask(self, url: str, method: str = "GET", json: Any = None) -> HttpAnswer:
        answer, _ = await self.ask_streamed(url, None, method, json)
        return answer

    async def ask_streamed(
        self, url: str, new_reader: Callable[[], R] | None, method: str = "GET", json: Any = None
    ) -> tuple[HttpAnswer, R | None]:
        """``ask``, the body fed to a reader as it arrives (a fresh one for each attempt)."""
        if self.gave_up or self.throttled >= THROTTLED_BUDGET * self.gate.start_limit:
            # a request still throttled after its retries, or too many throttled answers: Jira's
            # limit outlasts the run, so the rest is not sent (and reported as not answered)
            return HttpAnswer(
                method,
                url,
                error=TransportError(
                    "throttled",
                    f"not asked: Jira's rate limit ({self.signal.describe() if self.signal else 'HTTP 429'}) "
                    + (
                        "asks for a longer wait than this run allows"
                        if self.outlasted
                        else f"refused {self.throttled} times (retries: at most {MAX_RETRIES} a request)"
                    ),
                ),
            ), None
        for attempt in range(MAX_RETRIES + 1):
            reader = new_reader() if new_reader is not None else None
            answer = await self._send(url, method, json, reader.feed if reader is not None else None)
            if not is_throttled(answer):
                return answer, reader
            self.throttled += 1
            self.first_throttle = self.first_throttle or answer
            if attempt == MAX_RETRIES or self.throttled >= THROTTLED_BUDGET * self.gate.start_limit:
                self.gave_up += 1
                return answer, reader
            signal = read_signal(answer)
            self.signal = self.signal or signal
            wait, willing = signal.wait_s(attempt), self.willing_s()
            if wait > willing:  # sleeping would only run into the run's own time limit
                self.outlasted, self.willing_at_stop = True, willing
                self.signal = signal
                self.gave_up += 1
                return answer, reader
            if signal.token_interval_s:  # a little slower than the bucket fills, so it never runs dry again
                self.gate.pace(signal.token_interval_s * PACE_MARGIN)
            self.longest_wait = max(self.longest_wait, wait)
            self.gate.slow_down(wait)
            self.retries += 1
        raise AssertionError("unreachable")

    def willing_s(self) -> float:
        """The longest wait worth honouring now: MAX_WAIT_S, or less when the deadline is nearer."""
        if self.deadline is None:
            return MAX_WAIT_S
        return max(0.0, min(MAX_WAIT_S, self.deadline - time.monotonic()))

    def throttling(self) -> Throttling | None:
        first = self.first_throttle
        if first is None:
            return None
        return Throttling(
            self.throttled,
            self.retries,
            self.gave_up,
            round(self.longest_wait, 3),
            first.status,
            rate_limit_headers(first.headers),
            self.gate.start_limit,
            self.gate.limit,
            signal=self.signal,
            outlasted=self.outlasted,
            willing_s=round(self.willing_at_stop if self.outlasted else self.willing_s(), 1),
            paced_s=round(self.gate.gap_s, 3) or None,
        )


# ------------------------------------------------------------------------------- listing ---


async def _list_server(asker: _Asker) -> tuple[list[ProjectRef], str | None]:
    answer, reader = await asker.ask_streamed(asker.path("project"), ProjectListReader)
    if answer.status != 200 or answer.problem or reader is None:
        return [], f"listing projects failed: {describe(answer)}"
    refs = reader.close()
    if refs is None:
        return [], f"listing projects failed: {reader.problem} ({describe(answer)})"
    return refs, None


async def _list_cloud(asker: _Asker) -> tuple[list[ProjectRef], str | None]:
    """Paged project search; after the first page, the remaining pages are asked at once (from ``total``)."""
    import asyncio

    first_answer = await asker.ask(asker.path("project/search", startAt=0, maxResults=PAGE_SIZE))
    first = parse_project_page(first_answer.body) if first_answer.status == 200 else None
    if first is None:
        return [], f"listing projects failed: {describe(first_answer)}"
    pages = [first]
    if not first.is_last and first.total is not None and first.projects:
        stride = first.max_results or len(first.projects)
        starts = list(range(first.start_at + stride, first.total, stride))[:MAX_PAGES]
        answers = await asyncio.gather(
            *(asker.ask(asker.path("project/search", startAt=s, maxResults=stride)) for s in starts)
        )
        for answer in answers:
            page = parse_project_page(answer.body) if answer.status == 200 else None
            if page is None:
                return [], f"listing projects failed: {describe(answer)}"
            pages.append(page)
    else:
        while not pages[-1].is_last and pages[-1].projects and len(pages) < MAX_PAGES:  # no total: follow isLast
            start = pages[-1].start_at + len(pages[-1].projects)
            answer = await asker.ask(asker.path("project/search", startAt=start, maxResults=PAGE_SIZE))
            page = parse_project_page(answer.body) if answer.status == 200 else None
            if page is None:
                return [], f"listing projects failed: {describe(answer)}"
            pages.append(page)
    seen: dict[str, ProjectRef] = {}
    for page in pages:
        for ref in page.projects:
            seen.setdefault(ref.key, ref)
    return list(seen.values()), None


# ------------------------------------------------------------------------------ key check ---


async def _unknown_one_by_one(asker: _Asker, keys: Sequence[str]) -> dict[str, str]:
    """When a refusal names no key: ask each key alone (once, concurrently) to find the unknown ones."""
    import asyncio

    answers = await asyncio.gather(*(asker.ask(asker.path("mypermissions", permissions=k)) for k in keys))
    return {
        k: f"asked alone, Jira answered {describe(a)}"
        for k, a in zip(keys, answers, strict=False)
        if a.status in (400, 404)
    }


async def _check_keys(asker: _Asker, plan: PermissionPlan) -> tuple[dict[str, str], dict[str, bool], str | None]:
    """Keys Jira does not know, global keys' answers, and a problem when Jira would not say.

    UNCONFIRMED how every Jira version refuses an unknown key: a 400/404 naming it (the lab, and
    Cloud's documented 400 for bad input) or a 200 that leaves it out; both are handled.
    """
    keys, unknown = list(plan.all_keys), dict[str, Any]()
    while keys:
        answer = await asker.ask(asker.path("mypermissions", permissions=",".join(keys)))
        if answer.status == 200:
            granted = parse_mypermissions(answer.body)
            if granted is None:
                return unknown, {}, f"mypermissions answered 200 without permissions: {describe(answer)}"
            unknown.update({k: "Jira's mypermissions answer leaves it out" for k in keys if k not in granted})
            return unknown, {k: granted[k] for k in plan.global_ if k in granted}, None
        if answer.status not in (400, 404):
            return unknown, {}, f"mypermissions failed: {describe(answer)}"
        named = {k: f"Jira answered {describe(answer)}" for k in keys_named(error_messages(answer.body), keys)}
        if not named:
            named = await _unknown_one_by_one(asker, keys)
        if not named:
            return unknown, {}, f"mypermissions failed: {describe(answer)}"
        unknown.update(named)
        keys = [k for k in keys if k not in named]
    return unknown, {}, None


# ---------------------------------------------------------------------------- per project ---


async def _ask_project(asker: _Asker, ref: ProjectRef, keys: Sequence[str]) -> ProjectGrants | None:
    """One project's grants; None when Jira says there is no such project (or the user cannot see it)."""
    answer = await asker.ask(asker.path("mypermissions", projectKey=ref.key, permissions=",".join(keys)))
    return _grants_from(ref, answer, keys)


def _grants_from(
    ref: ProjectRef, answer: HttpAnswer, keys: Sequence[str], parsed: Mapping[str, bool] | None = None
) -> ProjectGrants | None:
    """``parsed``: the answer's permissions when the caller read them already (each answer is read once)."""
    if answer.status == 200:
        granted = parsed if parsed is not None else parse_mypermissions(answer.body)
        if granted is None:
            return ProjectGrants(ref.key, problem=f"unexpected answer: {describe(answer)}")
        return ProjectGrants(ref.key, {k: granted[k] for k in keys if k in granted})
    if answer.status == 404 and not keys_named(error_messages(answer.body), keys):
        return None  # "No project could be found with key 'X'": also what an invisible project looks like
    return ProjectGrants(ref.key, problem=describe(answer), throttled=throttled_answer(answer))


def throttled_answer(answer: HttpAnswer) -> bool:
    """Jira's rate limit refused it, or it was not sent because the limit outlasts the run."""
    return is_throttled(answer) or (answer.error is not None and answer.error.kind == "throttled")


async def _per_project(
    asker: _Asker, refs: Sequence[ProjectRef], keys: Sequence[str], deadline: float | None = None
) -> tuple[list[ProjectGrants], list[str], list[str]]:
    """A pool of workers pulling projects from one queue; past the deadline the rest is left unasked."""
    workers = min(asker.gate.start_limit, max(1, len(refs)))
    answers, skipped = await run_pool(refs, lambda ref: _with_ref(asker, ref, keys), workers, deadline)
    found = [grants for _, grants in answers if grants is not None]
    missing = [ref.key for ref, grants in answers if grants is None]
    return found, missing, [ref.key for ref in skipped]


async def _with_ref(asker: _Asker, ref: ProjectRef, keys: Sequence[str]) -> tuple[ProjectRef, ProjectGrants | None]:
    return ref, await _ask_project(asker, ref, keys)


async def _bulk(
    asker: _Asker, refs: Sequence[ProjectRef], keys: Sequence[str]
) -> tuple[list[ProjectGrants] | None, str | None]:
    """Cloud's bulk check, ≤1,000 projects a call. (None, why) when Jira refuses it: then per project.

    Any refusal counts (400/404/405: no such resource; 401/403: "Only Jira administrators can
    perform this operation.", captured from Cloud for some callers, JIRA-FACTS §3).
    """
    import asyncio

    chunks = [refs[i : i + BULK_MAX_PROJECTS] for i in range(0, len(refs), BULK_MAX_PROJECTS)]

    async def one(chunk: Sequence[ProjectRef]) -> HttpAnswer:
        ids = [int(r.id) if r.id and r.id.isdigit() else r.id for r in chunk]
        body = {"projectPermissions": [{"projects": ids, "permissions": list(keys)}]}
        return await asker.ask(asker.path("permissions/check"), method="POST", json=body)

    answers = await asyncio.gather(*(one(c) for c in chunks))
    refused = next((a for a in answers if a.status is not None and 400 <= a.status < 500 and not is_throttled(a)), None)
    if refused is not None:
        return (
            None,
            f"POST /rest/api/3/permissions/check was refused ({describe(refused)}), so each project was asked with "
            f"mypermissions",
        )
    out: list[ProjectGrants] = []
    for chunk, answer in zip(chunks, answers, strict=False):
        parsed = parse_bulk_check(answer.body) if answer.status == 200 else None
        if parsed is None:
            out.extend(
                ProjectGrants(r.key, problem=f"bulk permission check failed: {describe(answer)}",
                              throttled=throttled_answer(answer))
                for r in chunk
            )
            continue
        granted, _ = parsed
        out.extend(ProjectGrants(r.key, {k: (r.id or "") in granted.get(k, set()) for k in keys}) for r in chunk)
    return out, None


async def _folded(
    asker: _Asker, plan: PermissionPlan, refs: Sequence[ProjectRef], deadline: float | None
) -> PermissionFacts | None:
    """Each project asked once for every key (global keys folded in), and the key check read from
    those answers: a key Jira does not know is one no answer carries, the global keys' answers are
    the user's global permissions. Server only: its ``mypermissions`` ignores ``permissions=`` and
    answers every key it knows (JIRA-FACTS §3), so this is the same verdict in one round trip less.
    None when an answer may be about the keys (a 400, a 404 naming a key, a 200 without
    permissions): then the separate key check decides, exactly as without this shortcut. Projects
    that failed otherwise (throttled, refused, unreachable) stay failed, as they would after a key
    check; when none answered, the key check is asked once for the unknown and global keys."""
    every = list(plan.all_keys)

    async def one(ref: ProjectRef) -> tuple[ProjectRef, bool, ProjectGrants | None]:
        """Ask, read the answer once, and keep only the verdict (50,000 bodies would not fit)."""
        answer = await asker.ask(asker.path("mypermissions", projectKey=ref.key, permissions=",".join(every)))
        parsed = parse_mypermissions(answer.body) if answer.status == 200 else None
        if parsed is not None:
            asker.facts.settle(SERVICE_USER_GRANTS, parsed)
        return ref, _refuses_a_key(answer, parsed, every), _grants_from(ref, answer, every, parsed)

    answers, skipped = await run_pool(refs, one, min(asker.gate.start_limit, max(1, len(refs))), deadline)
    if any(refuses for _, refuses, _ in answers):
        return None
    granted = [g for _, _, g in answers if g is not None and not g.problem]
    if granted:
        known = {k for g in granted for k in g.granted}
        unknown = {k: "Jira's mypermissions answer leaves it out" for k in plan.all_keys if k not in known}
        global_granted = {k: granted[0].granted[k] for k in plan.global_ if k in granted[0].granted}
    else:  # no project answered (throttled, refused, not found): the key check alone tells
        unknown, global_granted, problem = await _check_keys(asker, plan)
        if problem:
            return PermissionFacts(plan, "", unknown=unknown, problem=problem, concurrency=asker.gate.start_limit)
    keys = [k for k in plan.project_keys if k not in unknown]
    projects, not_found = [], []
    for ref, _, grants in answers:
        if grants is None:
            not_found.append(ref.key)
        else:
            projects.append(
                grants
                if grants.problem
                else ProjectGrants(ref.key, {k: v for k, v in grants.granted.items() if k in keys})
            )
    return PermissionFacts(
        plan,
        "",
        unknown=unknown,
        global_granted=global_granted,
        projects=tuple(projects),
        not_found=tuple(not_found),
        not_asked=tuple(ref.key for ref in skipped),
        concurrency=asker.gate.start_limit,
    )


def _refuses_a_key(answer: HttpAnswer, parsed: Mapping[str, bool] | None, keys: Sequence[str]) -> bool:
    """An answer that may be about the keys rather than the project: the separate key check must decide."""
    if answer.status == 400 or (answer.status == 200 and parsed is None):
        return True
    return answer.status == 404 and bool(keys_named(error_messages(answer.body), keys))


def _requested(keys: Iterable[str]) -> list[ProjectRef]:
    return [ProjectRef(k) for k in dict.fromkeys(k.strip().upper() for k in keys if k.strip())]


async def permission_probe(facts: "Facts") -> PermissionFacts:
    try:
        return await _permission_probe(facts)
    finally:  # whoever waits for the first answer's grants must not wait for ever
        facts.settle(SERVICE_USER_GRANTS, None)


async def _permission_probe(facts: "Facts") -> PermissionFacts:
    import asyncio

    t0 = time.perf_counter()
    target = facts.target
    login = login_for(target)
    deployment = deployment_of(await facts.get("server_info"), target.url)
    plan = plan_for(target.profile, target.permissions, deployment)
    source = "requested" if target.projects else "listed"
    if not login.given:
        return PermissionFacts(plan, "none", deployment, source, problem=login.note or "no credentials")
    if not await login_proven(facts):
        # never repeat a refused login once per project: Jira counts each towards its CAPTCHA
        return PermissionFacts(
            plan,
            login.method,
            deployment,
            source,
            problem="the login did not succeed (see the auth check), so no permission was asked",
        )
    cloud = deployment == "Cloud"
    from jiradoctor.probes.oauth2 import rest_base  # OAuth 2.0 on Cloud goes through the gateway

    deadline = deadline_for(target)
    rest_url = login_base(await facts.get("auth_login"), await rest_base(facts, login.method))  # after http->https
    asker = _Asker(facts, login, rest_url, "3" if cloud else "2", concurrency_for(target), deadline)
    listing = None if target.projects else asyncio.ensure_future(_list_cloud(asker) if cloud else _list_server(asker))
    if not cloud:  # Server answers every key in each project's mypermissions: no separate key check
        try:
            refs, listing_problem = (await listing) if listing else (_requested(target.projects), None)
        finally:
            if listing is not None and not listing.done():
                listing.cancel()
        folded = await _folded(asker, plan, refs, deadline) if refs and not listing_problem else None
        if folded is not None:
            return _finish(replace(folded, login_method=login.method, deployment=deployment, source=source), asker, t0)
        listing = None  # else the key check below, as before (the listing is in already)
        target_refs = (refs, listing_problem)
    else:
        target_refs = None
    try:
        unknown, global_granted, problem = await _check_keys(asker, plan)
        refs, listing_problem = (
            target_refs
            if target_refs is not None
            else (await listing)
            if listing
            else (_requested(target.projects), None)
        )
    finally:
        if listing is not None and not listing.done():
            listing.cancel()
    base = PermissionFacts(
        plan,
        login.method,
        deployment,
        source,
        unknown=unknown,
        global_granted=global_granted,
        problem=problem or listing_problem,
        concurrency=asker.gate.start_limit,
    )
    keys = [k for k in plan.project_keys if k not in unknown]
    if base.problem or not refs or not keys:
        return _finish(base, asker, t0)
    if cloud and source == "listed" and all(r.id for r in refs):
        grants, refused = await _bulk(asker, refs, keys)
        if grants is not None:
            return _finish(replace(base, projects=tuple(grants), via="bulk"), asker, t0)
        base = replace(base, bulk_refused=refused)
    found, not_found, not_asked = await _per_project(asker, refs, keys, deadline)
    return _finish(
        replace(base, projects=tuple(found), not_found=tuple(not_found), not_asked=tuple(not_asked)), asker, t0
    )


def _finish(facts: PermissionFacts, asker: _Asker, t0: float) -> PermissionFacts:
    return replace(
        facts,
        requests=asker.requests,
        elapsed_s=round(time.perf_counter() - t0, 4),
        throttling=asker.throttling(),
        problem_throttled=bool(facts.problem) and asker.gave_up > 0,
    )


PERMISSION_MATRIX: Fact[PermissionFacts] = Fact("permission_matrix", "The user's permissions per project, as the "
                                                                     "integration needs them")

FACTS = {PERMISSION_MATRIX.name: permission_probe}
