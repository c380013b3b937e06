"""docs/fleet: the GitHub Actions workflow's own shard and merge commands, run here against lab Jiras,
and the Kubernetes Indexed Job's structure."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import yaml

from jiradoctor.fleet import inventory
from jiradoctor.fleet.build import config_names
from tests.fleet.helpers import PAT, SVC_PASSWORD, fleet_rows, start_labs

DOCS = Path(__file__).resolve().parents[2] / "docs" / "fleet"
ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.timeout(300)


def workflow() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DOCS / "github-actions.yml").read_text())
    return loaded


def step_running(job: dict[str, Any], words: str) -> dict[str, Any]:
    found = [s for s in job["steps"] if words in s.get("run", "")]
    assert len(found) == 1, f"one step runs {words!r}"
    return found[0]


def shim(folder: Path) -> dict[str, str]:
    """`jiradoctor` on PATH as this checkout's code, and an environment without JIRADOCTOR_*."""
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    script = bin_dir / "jiradoctor"
    script.write_text(f'#!/bin/sh\nexec {sys.executable} -m jiradoctor "$@"\n')
    script.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIRADOCTOR_")}
    env["PATH"] = f"{bin_dir}:{env['PATH']}"
    env["PYTHONPATH"] = str(ROOT)
    return env


def run_step(step: dict[str, Any], env: dict[str, str], cwd: Path, **subs: str) -> subprocess.CompletedProcess[str]:
    script = step["run"]
    for name, value in subs.items():
        script = script.replace("${{ " + name + " }}", value)
    assert "${{" not in script, f"unresolved expression left in {script!r}"
    return subprocess.run(["bash", "-e", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=180)


def test_the_example_inventory_is_a_valid_inventory() -> None:
    inv = inventory.load(DOCS / "fleet.example.toml", config_names())
    assert [t.name for t in inv] == ["acme", "globex", "initech"]


def test_the_workflows_shard_and_merge_commands_work_here(tmp_path: Path) -> None:
    flow = workflow()
    shard_job, merge_job = flow["jobs"]["shard"], flow["jobs"]["merge"]
    shards = shard_job["strategy"]["matrix"]["shard"]
    run_step_ = step_running(shard_job, "jiradoctor fleet run")
    n = re.search(r"--shard \$\{\{ matrix\.shard \}\}/(\d+)", run_step_["run"])
    assert n and int(n.group(1)) == len(shards) == len(set(shards)) and sorted(shards) == list(range(len(shards)))
    assert merge_job["needs"] == "shard"
    assert "pip install jiradoctor" not in (DOCS / "github-actions.yml").read_text()  # not on PyPI: the wheel
    secret_names = set(run_step_["env"])
    assert all(v == "${{ secrets." + k + " }}" for k, v in run_step_["env"].items())
    env = shim(tmp_path)
    env.update(ACME_JIRA_PAT=PAT, GLOBEX_JIRA_TOKEN=SVC_PASSWORD)
    assert secret_names == {"ACME_JIRA_PAT", "GLOBEX_JIRA_TOKEN"}
    with ExitStack() as stack:
        labs = start_labs(stack, {"healthy-pat", "healthy", "pat-expiring"})
        (tmp_path / "fleet.toml").write_text(
            '[defaults]\ntimeout = 5\n'
            f'[[target]]\nname = "acme"\nurl = "{labs["healthy-pat"].url}"\npat_env = "ACME_JIRA_PAT"\n'
            f'[[target]]\nname = "globex"\nurl = "{labs["healthy"].url}"\nuser = "piplanning-svc"\n'
            f'password_env = "GLOBEX_JIRA_TOKEN"\n'
            f'[[target]]\nname = "umbrella"\nurl = "{labs["pat-expiring"].url}"\npat_env = "ACME_JIRA_PAT"\n'
            '[[target]]\nname = "closed-port"\nurl = "http://127.0.0.1:9/"\n'
            f'[[target]]\nname = "wrong-key"\nurl = "{labs["healthy"].url}"\npat_env = "GLOBEX_JIRA_TOKEN"\n'
        )
        for k in shards:
            done = run_step(run_step_, env, tmp_path, **{"matrix.shard": str(k)})
            assert done.returncode == 0, done.stderr
        merge = step_running(merge_job, "jiradoctor fleet merge")
        done = run_step(merge, env, tmp_path)
        assert done.returncode == 0, done.stderr  # the first night: nothing to have broken since
        rows = fleet_rows(tmp_path / "fleet")
        assert {n: r["status"] for n, r in rows.items()} == {
            "acme": "pass", "globex": "pass", "umbrella": "warn", "closed-port": "fail", "wrong-key": "fail"}
        assert rows["closed-port"]["first_fix"]["code"] == "reachability/refused"
        assert (tmp_path / "previous" / "fleet.json").is_file()
        # the next night: the shards compare with the merged fleet the merge step kept as previous/
        for k in shards:
            done = run_step(run_step_, env | {"ACME_JIRA_PAT": "MzE4NzQ5NTk2OTA4wrongwrongwrongwrongwrongwro"},
                            tmp_path, **{"matrix.shard": str(k)})
            assert done.returncode == 0, done.stderr
        done = run_step(merge, env, tmp_path)
        assert done.returncode == 1, done.stderr  # acme and umbrella broke: the merge job fails
        states = {n: r["change"]["state"] for n, r in fleet_rows(tmp_path / "fleet").items()}
        assert states == {"acme": "broke", "umbrella": "broke", "globex": "unchanged",
                          "closed-port": "still-broken", "wrong-key": "still-broken"}


def test_the_kubernetes_manifest_is_an_indexed_job_with_secrets_from_a_secret() -> None:
    docs = [d for d in yaml.safe_load_all((DOCS / "k8s-indexed-job.yaml").read_text()) if d]
    jobs = [d for d in docs if d["kind"] == "Job" and d["spec"].get("completionMode") == "Indexed"]
    assert len(jobs) == 1
    job = jobs[0]
    assert job["apiVersion"] == "batch/v1"
    spec = job["spec"]
    container = spec["template"]["spec"]["containers"][0]
    command = " ".join(container["command"] + container["args"])
    n = re.search(r"--shard auto/(\d+)", command)
    assert n and spec["completions"] == spec["parallelism"] == int(n.group(1))
    assert "fleet run" in command and "JOB_COMPLETION_INDEX" in command
    assert spec["template"]["spec"]["restartPolicy"] == "Never"
    env = container["env"]
    assert env and all(set(e["valueFrom"]) == {"secretKeyRef"} and e["valueFrom"]["secretKeyRef"]["name"]
                       for e in env)
    # every *_env of the inventory in the ConfigMap is one of those variables
    config = next(d for d in docs if d["kind"] == "ConfigMap")
    inv = inventory.parse(config["data"]["fleet.toml"], config_names())
    wanted = {where for t in inv for kind, where in t.secret_sources.values() if kind == "env"}
    assert wanted == {e["name"] for e in env}
    mounts = {m["name"] for m in container["volumeMounts"]}
    assert mounts == {v["name"] for v in spec["template"]["spec"]["volumes"]}
    merge = next(d for d in docs if d["kind"] == "Job" and d is not job)
    assert "fleet merge" in " ".join(merge["spec"]["template"]["spec"]["containers"][0]["args"])
    assert json.dumps(docs)  # plain data, nothing YAML-specific
    assert "pip install jiradoctor" not in (DOCS / "k8s-indexed-job.yaml").read_text()  # not on PyPI
