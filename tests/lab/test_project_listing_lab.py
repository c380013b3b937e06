"""Server's project listing over a real socket, read as it downloads (issue 14).

Before, the listing was read whole and parsed by the bounded JSON reader, whose 4 MB limit a
Server with about 7,000 projects passes: the permissions check then failed with "listing projects
failed" on every large instance. Now each project is parsed as its bytes arrive.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jiradoctor.context import Facts
from jiradoctor.probes import LazyProbes
from jiradoctor.probes.auth import login_for
from jiradoctor.probes.permissions import _Asker, _list_server
from jiradoctor.secrets import Secret
from jiradoctor.target import Target
from jiradoctor_lab import LabServer, get_scenario
from tests.hostile.server import HostileServer

pytestmark = pytest.mark.timeout(120)

PROJECTS = 9_000  # ~5.2 MB of listing: past the 4 MB a whole JSON answer may be
ROOT = Path(__file__).resolve().parents[2]

# the client alone in its own process, so that the lab's allocations are not counted with it
_CHILD = """
import asyncio, json, os, sys, tracemalloc
from jiradoctor.context import Facts
from jiradoctor.probes import LazyProbes
from jiradoctor.probes.auth import login_for
from jiradoctor.probes.permissions import _Asker, _list_server
from jiradoctor.probes.http import fetch
from jiradoctor.secrets import Secret
from jiradoctor.target import Target
import jiradoctor.net.json_stream

url, integration, user = sys.argv[1:4]
target = Target(url=url, integration=integration, user=user, password=Secret(os.environ["LAB_PASSWORD"]), timeout=10.0)

async def go():
    facts = Facts(target, LazyProbes())
    try:
        asker = _Asker(facts, login_for(target), url, "2")
        await fetch(facts, "GET", url + "/rest/api/2/serverInfo")  # the HTTP stack imported and warm
        tracemalloc.start()
        refs, problem = await _list_server(asker)
        peak = tracemalloc.get_traced_memory()[1]
        return {"count": len(refs), "unique": len({r.key for r in refs}), "problem": problem, "peak": peak}
    finally:
        await facts.aclose()

print(json.dumps(asyncio.run(go())))
"""


def test_a_listing_larger_than_a_json_answer_may_be_is_read_whole_in_bounded_memory():
    scenario = dataclasses.replace(get_scenario("many-projects"), project_count=PROJECTS)
    with LabServer(scenario) as lab:
        env = {**os.environ, "LAB_PASSWORD": lab.client.password, "PYTHONPATH": str(ROOT)}
        done = subprocess.run([sys.executable, "-c", _CHILD, lab.url, lab.client.integration, lab.client.user],
                              env=env, capture_output=True, text=True, timeout=90)
        requests = lab.requests_total
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout)
    assert seen["problem"] is None
    assert seen["count"] >= PROJECTS and seen["unique"] == seen["count"]
    assert requests == 2  # serverInfo (warming the client up), then the listing
    # read whole, 5 MB of body was held as bytes and as text and then as 9,000 parsed projects
    # (tens of MB); streamed, what stays is 9,000 (key, id) pairs and a piece of body at a time
    assert seen["peak"] < 6 * 1024 * 1024, f"peak {seen['peak'] / 1e6:.1f} MB"


@pytest.mark.parametrize(("kind", "problem"), [
    ("html", "not a JSON array"),
    ("gzip-bomb", "not a JSON array"),  # 1 GB of zeros: the reader says stop at the first piece
    ("invalid-json", "not a JSON array"),
    ("endless-chunked", None),
])
def test_a_listing_that_is_not_one_is_a_clear_problem_at_once(kind: str, problem: str | None):
    """The broken twins: whatever the server sends instead of a listing, no listing, a reason, and no wait
    for the rest of a body that cannot become one."""
    with HostileServer(lifetime_s=60) as server:
        target = Target(url=server.url(kind), integration="generic", user="svc", password=Secret("pw"), timeout=2.0)

        async def go() -> tuple[list, str | None]:
            facts = Facts(target, LazyProbes())
            try:
                return await _list_server(_Asker(facts, login_for(target), server.url(kind), "2"))
            finally:
                await facts.aclose()

        t0 = time.monotonic()
        refs, said = asyncio.run(go())
        elapsed = time.monotonic() - t0
    assert refs == [] and said is not None and said.startswith("listing projects failed")
    if problem is not None:
        assert problem in said, said
    assert elapsed < 2 * 6 + 1 + 5, elapsed  # the listing's own budget (6 x --timeout + 1 s), never more
