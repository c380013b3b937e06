"""Data Center nodes configured differently (issue 25, item 11), through the CLI against the lab.

cluster-node-drift: two nodes, the application-links app not enabled on node2 (its REST resources
answer 404 there). The failing GETs are repeated on fresh connections and grouped by X-ANODEID, and
node2 is named. Healthy twin: cluster-applink (both nodes alike) passes and costs no extra request.
"""

from __future__ import annotations

import collections
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from jiradoctor.checks.nodes import judge_drift
from jiradoctor.model import NotObserved, Status
from jiradoctor.probes.http import HttpAnswer
from jiradoctor.probes.node_notes import _repeatable
from jiradoctor.probes.nodes import MAX_CALLS, MAX_REPEATS, NodeAnswer, NodeDrift, RepeatedCall
from jiradoctor.cli import main
from jiradoctor_lab import LabServer

pytestmark = pytest.mark.timeout(120)


def run(scenario: str, tmp_path: Path) -> tuple[int, dict[str, Any], collections.Counter[str]]:
    with LabServer(scenario) as lab:
        key = tmp_path / "consumer.pem"
        key.write_text(lab.private_key_pem)
        env, argv = lab.doctor_command(str(key))
        result = CliRunner().invoke(main, argv[1:] + ["--timeout", "2", "--format", "json"], env=env,
                                    catch_exceptions=False)
        sent = collections.Counter(f"{s.method} {s.path}" for s in lab.seen)
    return result.exit_code, dict(json.loads(result.stdout)), sent


def nodes_check(report: dict[str, Any]) -> dict[str, Any]:
    return dict(next(c for c in report["checks"] if c["id"] == "nodes"))


def test_the_node_without_the_app_is_named(tmp_path: Path) -> None:
    code, report, sent = run("cluster-node-drift", tmp_path)
    check = nodes_check(report)
    assert code == 1 and check["status"] == "fail"
    for finding in check["findings"]:
        assert finding["code"] == "nodes/node-differs"
        assert finding["evidence"]["differs"] == ["node2"]
        assert finding["evidence"]["by_node"]["node1"] == [200] and 404 in finding["evidence"]["by_node"]["node2"]
        assert "node2 fails it while node1 answers" in finding["message"]
    assert "/rest/applinks/" in check["findings"][0]["evidence"]["url"]
    applinks = sum(n for request, n in sent.items() if "/rest/applinks/" in request)
    repeated = sum(f["evidence"]["answers"] - 1 for f in check["findings"])
    assert 1 <= repeated <= MAX_CALLS * MAX_REPEATS and applinks >= repeated + 1
    assert set(request.split()[0] for request in sent) <= {"GET", "HEAD", "POST"}  # read-only: repeats are GETs


def test_healthy_twin_passes_and_costs_no_extra_request(tmp_path: Path) -> None:
    code, report, sent = run("cluster-applink", tmp_path)
    _, single, single_sent = run("applink-piplanning", tmp_path)  # the same Jira on one node
    check = nodes_check(report)
    assert code == 0 and check["status"] == "pass" and check["findings"][0]["code"] == "nodes/ok"
    assert "node1, node2" in check["findings"][0]["message"]
    assert sum(sent.values()) == sum(single_sent.values()), (sent, single_sent)
    assert nodes_check(single)["status"] == "skip"  # one node, no X-ANODEID: not observed, never pass


def call(*answers: tuple[str | None, int | None]) -> RepeatedCall:
    return RepeatedCall("GET", "https://jira.example.com/rest/x", tuple(NodeAnswer(n, s) for n, s in answers))


def test_judgement_both_directions() -> None:
    drift = NodeDrift({"n1": 3, "n2": 3}, (call(("n2", 404), ("n1", 200)),))
    [finding] = judge_drift(drift)
    assert finding.code == "nodes/node-differs" and finding.status == Status.FAIL and finding.subject == "n2"
    alike = NodeDrift({"n1": 3, "n2": 3}, (call(("n1", 404), ("n2", 404), ("n1", 404), ("n2", 404)),))
    assert [f.code for f in judge_drift(alike)] == ["nodes/ok"]
    with pytest.raises(NotObserved):  # the repeats only reached the same node: not seen, never pass
        judge_drift(NodeDrift({"n1": 4}, (call(("n1", 404), ("n1", 404), ("n1", 404), ("n1", 404)),)))
    with pytest.raises(NotObserved):
        judge_drift(NodeDrift({}, ()))
    with pytest.raises(NotObserved):
        judge_drift(NodeDrift({"n1": 5}, ()))


def test_what_is_never_repeated() -> None:
    def answer(status: int, **headers: str) -> HttpAnswer:
        return HttpAnswer("GET", "u", status, {"x-anodeid": "n1", **headers})

    assert _repeatable("GET", {}, answer(404))
    assert not _repeatable("POST", {}, answer(404))
    assert not _repeatable("GET", {"Authorization": "Basic eDp5"}, answer(401))  # a failed login: CAPTCHA
    assert not _repeatable("GET", {}, answer(403, **{"x-seraph-loginreason": "AUTHENTICATION_DENIED"}))
    assert not _repeatable("GET", {"Authorization": 'OAuth oauth_nonce="1"'}, answer(404))  # nonce: once
    assert not _repeatable("GET", {}, answer(429))
