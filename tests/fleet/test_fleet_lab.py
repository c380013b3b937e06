"""The fleet through the real CLI against lab Jiras: codes, outputs, --previous, a hang, merge, secrets."""

from __future__ import annotations

import base64
import json
import urllib.parse
import xml.etree.ElementTree as ET
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Iterator

import pytest
from prometheus_client.openmetrics.parser import text_string_to_metric_families

from tests.fleet.helpers import (
    SVC_PASSWORD,
    TARGETS,
    all_text,
    codes,
    fleet_env,
    fleet_rows,
    run_cli,
    start_labs,
    write_inventory,
)

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def labs() -> Iterator[dict[str, Any]]:
    with ExitStack() as stack:
        yield start_labs(stack, {scenario for scenario, _, _ in TARGETS.values()})


@pytest.fixture(scope="module")
def first_run(labs, tmp_path_factory) -> dict[str, Any]:
    """One fleet run; a stray JIRADOCTOR_PASSWORD (the right one) is in its environment and must not apply."""
    folder = tmp_path_factory.mktemp("fleet")
    inv = write_inventory(folder, labs, TARGETS)
    done = run_cli(["fleet", "run", str(inv), "-o", str(folder / "out"), "--jobs", "3"], cwd=folder,
                   env=fleet_env(JIRADOCTOR_PASSWORD=SVC_PASSWORD))
    return {"folder": folder, "out": folder / "out", "done": done, "inventory": inv}


def comparable(rows: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Rows without durations and timestamps (the lab's PAT expires 10 days from each request: a timestamp)."""
    drop = ("duration_s", "finished_at", "last_success")
    return {n: {**{k: v for k, v in r.items() if k not in drop},
                "expires": [{**e, "at": e["at"][:10]} for e in r["expires"]]} for n, r in rows.items()}


def test_healthy_targets_pass_and_broken_ones_give_their_codes(first_run) -> None:
    out, done = first_run["out"], first_run["done"]
    assert done.returncode == 0, done.stderr  # --fail-on regression, no previous run: nothing broke since
    rows = fleet_rows(out)
    assert set(rows) == set(TARGETS)
    for name, (_, _, code) in TARGETS.items():
        row = rows[name]
        if code is None:
            assert row["status"] == "pass", (name, row)
            assert row["first_fix"] is None and row["counts"]["pass"] > 0
        else:
            assert code in codes(out, name), name
            assert row["first_fix"]["code"] == code, (name, row["first_fix"])
            assert row["status"] in ("warn", "fail")
    # the stray JIRADOCTOR_PASSWORD (right) did not replace the wrong password from the target's file
    assert rows["initech-wrong-password"]["status"] == "fail"
    assert rows["initech-wrong-password"]["checks"]["auth"] == "fail"


def test_fail_on_fail_exits_1_for_a_failing_target(first_run) -> None:
    out = first_run["folder"] / "out-fail"
    done = run_cli(["fleet", "run", str(first_run["inventory"]), "-o", str(out), "--fail-on", "fail"],
                   cwd=first_run["folder"])
    assert done.returncode == 1, done.stderr
    done = run_cli(["fleet", "merge", str(out), "-o", str(first_run["folder"] / "m"), "--fail-on", "never"],
                   cwd=first_run["folder"])
    assert done.returncode == 0, done.stderr


def test_metrics_are_openmetrics_a_real_parser_accepts(first_run) -> None:
    text = (first_run["out"] / "metrics.prom").read_text()
    assert text.endswith("# EOF\n")
    families = {f.name: f for f in text_string_to_metric_families(text)}
    status = {(s.labels["target"], s.labels["jiradoctor_target_status"]): s.value
              for s in families["jiradoctor_target_status"].samples}
    assert status[("acme-pat", "pass")] == 1 and status[("acme-pat", "fail")] == 0
    assert status[("initech-wrong-password", "fail")] == 1
    checks = {(s.labels["target"], s.labels["check"]): s.labels["status"]
              for s in families["jiradoctor_check_status"].samples}
    assert checks[("initech-wrong-password", "auth")] == "fail" and checks[("globex-basic", "auth")] == "pass"
    pat = {s.labels["target"]: s.value for s in families["jiradoctor_pat_expiry_timestamp_seconds"].samples}
    assert set(pat) == {"umbrella-pat-expiring"}  # acme's token never expires: no timestamp
    row = fleet_rows(first_run["out"])["umbrella-pat-expiring"]
    started = json.loads((first_run["out"] / "fleet.json").read_text())["generated_at"]
    from datetime import datetime

    days = (pat["umbrella-pat-expiring"] - datetime.fromisoformat(started).timestamp()) / 86400
    assert 9 < days < 12 and row["expires"][0]["kind"] == "pat"
    durations = families["jiradoctor_target_run_duration_seconds"].samples
    assert {s.labels["target"] for s in durations} == set(TARGETS) and all(s.value > 0 for s in durations)
    success = {s.labels["target"] for s in families["jiradoctor_target_last_success_timestamp_seconds"].samples}
    assert success == {"acme-pat", "globex-basic", "umbrella-pat-expiring"}


def test_junit_has_one_suite_per_target(first_run) -> None:
    root = ET.parse(first_run["out"] / "junit.xml").getroot()
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == set(TARGETS)
    assert suites["initech-wrong-password"].find("testcase[@name='auth']/failure") is not None
    assert suites["acme-pat"].find(".//failure") is None and suites["acme-pat"].find(".//error") is None


def test_previous_run_tells_what_broke_what_was_fixed_and_what_is_still_broken(first_run, labs) -> None:
    folder = first_run["folder"]
    targets = dict(TARGETS)
    # acme's PAT is now wrong (broke); initech gets the right password (fixed); umbrella and globex as before
    (folder / "next").mkdir()
    inv = write_inventory(folder / "next", labs,
                          {**targets, "initech-wrong-password": ("wrong-password", "basic", None)})
    first, _, rest = inv.read_text().partition('pat_env = "FLEET_TEST_PAT"')
    inv.write_text(first + 'pat_env = "FLEET_TEST_WRONG_PAT"' + rest)
    second = folder / "second"
    done = run_cli(["fleet", "run", str(inv), "-o", str(second), "--previous", str(first_run["out"])], cwd=folder,
                   env=fleet_env(FLEET_TEST_WRONG_PAT="MzE4NzQ5NTk2OTA4wrongwrongwrongwrongwrongwro"))
    assert done.returncode == 1, done.stderr  # something broke since the previous run
    rows = fleet_rows(second)
    assert rows["acme-pat"]["change"]["state"] == "broke" and rows["acme-pat"]["change"]["regressions"]
    assert rows["initech-wrong-password"]["change"]["state"] == "fixed"
    assert "auth/invalid-credentials" in rows["initech-wrong-password"]["change"]["fixed"]
    assert rows["globex-basic"]["change"]["state"] == "unchanged"
    # last success carried over for the target that broke
    assert rows["acme-pat"]["last_success"] == fleet_rows(first_run["out"])["acme-pat"]["last_success"]
    page = (second / "index.html").read_text()
    broke = page.split('<section id="broke">')[1].split("</section>")[0]
    fixed = page.split('<section id="fixed">')[1].split("</section>")[0]
    assert "acme-pat" in broke and "initech" not in broke and "initech-wrong-password" in fixed
    # the other direction: comparing the first run with itself, nothing broke: exit 0
    third = folder / "third"
    done = run_cli(["fleet", "run", str(first_run["inventory"]), "-o", str(third), "--previous",
                    str(first_run["out"])], cwd=folder)
    assert done.returncode == 0, done.stderr
    states = {n: r["change"]["state"] for n, r in fleet_rows(third).items()}
    assert states == {"acme-pat": "unchanged", "globex-basic": "unchanged",
                      "initech-wrong-password": "still-broken", "umbrella-pat-expiring": "unchanged"}


HOSTILE_KINDS = ("gzip-bomb", "deep-json", "control-chars", "redirect-loop", "html", "reset")


def test_a_hang_ends_at_its_deadline_and_hostile_answers_are_their_targets_results(labs, tmp_path) -> None:
    from tests.hostile.server import HostileServer

    targets = {k: v for k, v in TARGETS.items() if k in ("acme-pat", "initech-wrong-password")}
    with HostileServer(lifetime_s=120) as hostile:
        extra = f'\n[[target]]\nname = "hangs"\nurl = "{hostile.url("silent")}"\ntimeout = 60\n' + "".join(
            f'\n[[target]]\nname = "hostile-{kind}"\nurl = "{hostile.url(kind)}"\nuser = "u"\n'
            f'password_env = "FLEET_TEST_PASSWORD"\n' for kind in HOSTILE_KINDS)
        inv = write_inventory(tmp_path, labs, targets, extra=extra)
        done = run_cli(["fleet", "run", str(inv), "-o", str(tmp_path / "out"), "--target-timeout", "6",
                        "--fail-on", "fail"], cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    rows = fleet_rows(tmp_path / "out")
    assert rows["hangs"]["status"] == "error" and "did not finish within 6 s" in rows["hangs"]["message"]
    assert 6 <= rows["hangs"]["duration_s"] < 30
    assert not (tmp_path / "out" / "targets" / "hangs.json").exists()
    assert rows["acme-pat"]["status"] == "pass" and rows["initech-wrong-password"]["status"] == "fail"
    for kind in HOSTILE_KINDS:  # each judged by the doctor, in its own report: a result, not a fleet failure
        row = rows[f"hostile-{kind}"]
        assert row["status"] in ("fail", "warn", "error") and row["counts"], (kind, row)
        assert (tmp_path / "out" / "targets" / f"hostile-{kind}.json").is_file()
    for name in ("index.html", "fleet.json", "junit.xml", "metrics.prom"):
        text = (tmp_path / "out" / name).read_text()
        assert "\x1b" not in text and "\u202e" not in text, name


def test_shards_merged_equal_an_unsharded_run(first_run) -> None:
    folder = first_run["folder"]
    shards = []
    for k in range(3):
        out = folder / f"shard-{k}"
        done = run_cli(["fleet", "run", str(first_run["inventory"]), "-o", str(out), "--shard", f"{k}/3"],
                       cwd=folder)
        assert done.returncode == 0, done.stderr
        shards.append(out)
    sizes = [len(fleet_rows(s)) for s in shards]
    assert sum(sizes) == len(TARGETS)
    merged = folder / "merged"
    done = run_cli(["fleet", "merge", *map(str, shards), "-o", str(merged)], cwd=folder)
    assert done.returncode == 0, done.stderr
    assert comparable(fleet_rows(merged)) == comparable(fleet_rows(first_run["out"]))
    assert list(fleet_rows(merged)) == sorted(TARGETS)
    for name in TARGETS:
        assert codes(merged, name) == codes(first_run["out"], name)
    # a shard given twice is refused: the merge would count its targets twice
    fullest = shards[sizes.index(max(sizes))]
    done = run_cli(["fleet", "merge", str(fullest), str(fullest), "-o", str(folder / "twice")], cwd=folder)
    assert done.returncode == 2 and "is in both" in done.stderr


CANARY = "FleetCanary-Pw-7Qz!x/9+e"


def test_a_password_from_password_env_appears_in_no_output(labs, tmp_path) -> None:
    lab = labs["wrong-password"]
    inv = tmp_path / "fleet.toml"
    inv.write_text(f'[[target]]\nname = "canary"\nurl = "{lab.url}"\nuser = "piplanning-svc"\n'
                   f'password_env = "CANARY_PW"\n')
    out = tmp_path / "out"
    done = run_cli(["fleet", "run", str(inv), "-o", str(out), "--fail-on", "never"], cwd=tmp_path,
                   env=fleet_env(CANARY_PW=CANARY, JIRADOCTOR_DEBUG="1"))
    assert done.returncode == 0, done.stderr
    assert fleet_rows(out)["canary"]["checks"]["auth"] == "fail"  # the password was really sent and refused
    forms = {
        CANARY,
        urllib.parse.quote(CANARY, safe=""),
        urllib.parse.quote_plus(CANARY),
        base64.b64encode(f"piplanning-svc:{CANARY}".encode()).decode(),
        base64.b64encode(CANARY.encode()).decode(),
        CANARY.encode().hex(),
        json.dumps(CANARY)[1:-1],
    }
    files = list(all_text(out))
    assert {p.name for p, _ in files} >= {"fleet.json", "index.html", "junit.xml", "metrics.prom", "canary.json"}
    for path, data in [*files, (Path("stdout"), done.stdout.encode()), (Path("stderr"), done.stderr.encode())]:
        for form in forms:
            assert form.encode() not in data, f"{path} holds the password ({form!r})"
