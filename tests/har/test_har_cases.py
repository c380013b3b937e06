"""Hand-made HARs: each har-specific code caught in the broken case and absent in the healthy one;
hostile files give a clear finding, never a crash; a 100 MB HAR is streamed in bounded memory."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from jiradoctor.cli import main
from jiradoctor.har.analyse import analyse_file
from jiradoctor.model import Status
from tests.har.hars import entry, har, write

JIRA = "https://jira.example.com"
OK_HEADERS = [("X-AREQUESTID", "1"), ("X-Seraph-LoginReason", "OK")]
MYSELF_OK = entry(
    "GET",
    f"{JIRA}/rest/api/2/myself",
    200,
    [("Authorization", "Bearer x" * 1)],
    OK_HEADERS,
    body=json.dumps({"name": "svc", "key": "JIRAUSER1"}),
)
PAGE = entry("GET", f"{JIRA}/secure/Dashboard.jspa", 200, [], OK_HEADERS, body="<html></html>", mime="text/html")


def failed(error: str, **kw) -> dict:
    e = entry("GET", f"{JIRA}/rest/api/2/project", 0, [], [])
    e["response"]["_error"] = error
    e["response"].update(kw)
    return e


def basic_myself(password: str, status: int, host: str = JIRA, **kw) -> dict:
    """/myself with Basic auth, as a browser-side integration recorded it."""
    import base64

    credential = base64.b64encode(f"svc@example.org:{password}".encode()).decode()
    body = json.dumps({"message": "Client must be authenticated to access this resource.", "status-code": 401})
    return entry("GET", f"{host}/rest/api/2/myself", status, [("Authorization", f"Basic {credential}")],
                 [("X-AREQUESTID", "1"), ("X-Seraph-LoginReason", "AUTHENTICATED_FAILED" if status == 401 else "OK")],
                 body=body if status == 401 else json.dumps({"name": "svc", "key": "JIRAUSER1"}), **kw)


CLOUD_TOKEN = "ATATT3xFfGF0lab-cloud-api-token-0001"  # the lab's Cloud API token shape (issue 25 item 7)
# code -> (broken entries, healthy entries)
CASES = {
    "auth/cloud-token-on-server": ([basic_myself(CLOUD_TOKEN, 401)], [basic_myself("s3cret-Passw0rd", 200)]),
    "auth/cloud-token-refused": (
        [basic_myself(CLOUD_TOKEN, 401, host="https://acme.atlassian.net")],
        [basic_myself(CLOUD_TOKEN, 200, host="https://acme.atlassian.net")],
    ),
    "har/request-failed": ([failed("net::ERR_CONNECTION_REFUSED")], [MYSELF_OK]),
    "har/blocked": ([failed("net::ERR_BLOCKED_BY_CLIENT")], [MYSELF_OK]),
    "har/mixed-content": (
        [PAGE, entry("GET", "http://jira.example.com/rest/api/2/field", 200, [], OK_HEADERS, body="[]")],
        [PAGE, entry("GET", f"{JIRA}/rest/api/2/field", 200, [], OK_HEADERS, body="[]")],
    ),
    "har/proxy-auth-required": (
        [entry("GET", "https://piplanning.io/api/x", 407, [], [("Proxy-Authenticate", "Basic")])],
        [entry("GET", "https://piplanning.io/api/x", 200), MYSELF_OK],
    ),
    "har/server-error": (
        [
            entry(
                "GET",
                f"{JIRA}/rest/api/2/project",
                502,
                [],
                [("Server", "nginx")],
                body="<html>Bad Gateway</html>",
                mime="text/html",
            )
        ],
        [MYSELF_OK],
    ),
    "har/refused": (
        [entry("GET", "https://piplanning.io/api/boards", 403)],
        [entry("GET", "https://piplanning.io/api/boards", 200), MYSELF_OK],
    ),
    "base-url/mismatch": (
        [
            entry(
                "GET",
                f"{JIRA}/rest/api/2/serverInfo",
                200,
                [],
                OK_HEADERS,
                body=json.dumps({"baseUrl": "http://jira-internal:8080"}),
            )
        ],
        [entry("GET", f"{JIRA}/rest/api/2/serverInfo", 200, [], OK_HEADERS, body=json.dumps({"baseUrl": JIRA}))],
    ),
    "oauth-signature/authorize-denied": (
        [
            entry(
                "POST",
                f"{JIRA}/plugins/servlet/oauth/authorize",
                302,
                [],
                [("Location", "https://piplanning.io/cb?oauth_token=abc")],
            )
        ],
        [
            entry(
                "POST",
                f"{JIRA}/plugins/servlet/oauth/authorize",
                302,
                [],
                [("Location", "https://piplanning.io/cb?oauth_token=abc&oauth_verifier=v3r1f")],
            )
        ],
    ),
    "oauth-signature/authorize-failed": (
        [
            entry(
                "GET",
                f"{JIRA}/plugins/servlet/oauth/authorize?oauth_token=abc",
                400,
                [],
                [],
                body="Invalid OAuth token",
                mime="text/html",
            )
        ],
        [
            entry(
                "GET",
                f"{JIRA}/plugins/servlet/oauth/authorize?oauth_token=abc",
                200,
                [],
                OK_HEADERS,
                body="<form><button>Allow</button></form>",
                mime="text/html",
            )
        ],
    ),
    "oauth-signature/timestamp-refused": (
        [
            entry(
                "POST",
                f"{JIRA}/plugins/servlet/oauth/request-token",
                400,
                [],
                [
                    (
                        "WWW-Authenticate",
                        'OAuth realm="https%3A%2F%2Fjira.example.com", oauth_problem="timestamp_refused"',
                    )
                ],
                body="oauth_problem=timestamp_refused",
                mime="application/x-www-form-urlencoded",
            )
        ],
        [
            entry(
                "POST",
                f"{JIRA}/plugins/servlet/oauth/request-token",
                200,
                [],
                OK_HEADERS,
                body="oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=true",
                mime="application/x-www-form-urlencoded",
            )
        ],
    ),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_code_in_both_directions(code: str, tmp_path: Path) -> None:
    broken, healthy = CASES[code]
    bad = analyse_file(write(tmp_path / "broken.har", har(broken)))
    found = [f for _, f in bad.findings() if f.code == code]
    assert found and found[0].status.rank >= Status.WARN.rank
    assert (
        found[0].evidence["har_entry"]["index"] >= 0
        if "har_entry" in found[0].evidence
        else found[0].evidence.get("entry")
    )
    good = analyse_file(write(tmp_path / "healthy.har", har(healthy)))
    assert code not in {f.code for _, f in good.findings()}
    assert good.status == Status.PASS, [(f.code, f.message) for _, f in good.findings()]


def test_finding_points_at_its_entry(tmp_path: Path) -> None:
    entries = [MYSELF_OK, MYSELF_OK, failed("net::ERR_NAME_NOT_RESOLVED")]
    report = analyse_file(write(tmp_path / "x.har", har(entries)))
    finding = next(f for _, f in report.findings() if f.code == "har/request-failed")
    assert finding.evidence["har_entry"] == {
        "index": 2,
        "method": "GET",
        "url": f"{JIRA}/rest/api/2/project",
        "time": "2026-11-30T10:00:00.000Z",
    }
    assert "HAR entry #2" in finding.message


def test_a_har_without_jira_is_not_a_pass(tmp_path: Path) -> None:
    report = analyse_file(
        write(tmp_path / "x.har", har([entry("GET", "https://example.org/", 200, body="<html>", mime="text/html")]))
    )
    har_check = next(c for c in report.checks if c.id == "har")
    assert har_check.status == Status.SKIP and "no Jira" in (har_check.skip_reason or "")


HOSTILE = {
    "not-json": b"this is not json at all",
    "binary": bytes(range(256)) * 50,
    "empty": b"",
    "not-har": b'{"hello": [1, 2, 3]}',
    "truncated": json.dumps(har([MYSELF_OK, MYSELF_OK])).encode()[:-300],
    "too-deep": b'{"log": {"entries": [' + b"[" * 5000 + b"]" * 5000 + b"]}}",
    "wrong-types": json.dumps(
        {
            "log": {
                "entries": [
                    1,
                    "x",
                    None,
                    {"request": "GET", "response": [1]},
                    {"request": {"headers": {"a": 1}, "url": 5}, "response": {"status": "200"}},
                ]
            }
        }
    ).encode(),
    "huge-numbers": json.dumps({"log": {"entries": [{"response": {"status": 10**400}}]}}).encode().replace(b'"', b'"'),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_har_is_a_clear_finding_not_a_crash(name: str, tmp_path: Path) -> None:
    path = tmp_path / "hostile.har"
    path.write_bytes(HOSTILE[name])
    result = CliRunner().invoke(main, ["har", str(path), "--format", "json"])
    assert result.exit_code in (0, 1, 4), result.output  # 3 would mean jiradoctor crashed
    report = json.loads(result.stdout)
    if result.exit_code == 4:  # nothing in the file could be judged: said so, never healthy
        assert report["summary"]["status"] == "skip" and report["summary"]["note"]
    codes = {f["code"] for c in report["checks"] for f in c["findings"]}
    if name in ("not-json", "binary", "empty", "not-har", "too-deep"):
        assert "har/unreadable" in codes and result.exit_code == 1
    if name == "truncated":
        assert "har/truncated" in codes and "auth/ok" in codes  # what was read is still judged
        assert result.exit_code == 1  # a file cut short is not a green gate (it exited 0)
    safe = tmp_path / "safe.har"
    redact = CliRunner().invoke(main, ["har", str(path), "--redact", "-o", str(safe)])
    assert redact.exit_code in (0, 1, 4), redact.output
    json.loads(safe.read_text())  # always a valid HAR, even from a broken source


@pytest.mark.slow
def test_a_100_mb_har_is_streamed_in_bounded_memory(tmp_path: Path) -> None:
    """Peak memory of reading (and redacting) a 100 MB HAR stays far below the file's size."""
    path = tmp_path / "big.har"
    body = "x" * 50_000
    one = json.dumps(
        entry(
            "GET",
            f"{JIRA}/rest/api/2/search?jql=x",
            200,
            [("Cookie", "JSESSIONID=abcdef123456")],
            OK_HEADERS,
            body=json.dumps({"issues": [], "pad": body}),
        )
    )
    with open(path, "w") as fh:
        fh.write('{"log": {"version": "1.2", "creator": {"name": "big"}, "entries": [')
        n = 100 * 1024 * 1024 // len(one) + 1
        fh.write(",".join([one] * n))
        fh.write("]}}")
    size = path.stat().st_size
    assert size >= 100 * 1024 * 1024
    script = textwrap.dedent(f"""
        from jiradoctor.har.analyse import analyse_file
        from jiradoctor.har.redact import write_redacted

        def peak_kb():  # VmHWM: this process's own peak (ru_maxrss can carry the forking parent's)
            for line in open("/proc/self/status"):
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])

        before = peak_kb()
        report = analyse_file({str(path)!r})
        with open({str(path)!r}, "rb") as src, open({str(tmp_path / "safe.har")!r}, "w") as dst:
            stream = write_redacted(src, dst)
        after = peak_kb()
        print(before, after, stream.count, report.status.value)
    """)
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=True
    ).stdout.split()
    before_kb, after_kb, count = int(out[0]), int(out[1]), int(out[2])
    assert count == n and out[3] == "pass"
    growth = (after_kb - before_kb) * 1024
    print(
        f"100 MB HAR: peak memory growth {growth / size:.4f} of the file size ({before_kb} -> {after_kb} kB peak RSS)"
    )
    assert growth < size * 0.25


@pytest.mark.parametrize("code", sorted(CASES))
def test_har_reports_follow_the_report_schema(code: str, tmp_path: Path) -> None:
    from tests.conftest import assert_valid_report

    for i, entries in enumerate(CASES[code]):
        assert_valid_report(analyse_file(write(tmp_path / f"{i}.har", har(entries))).to_json())


def test_a_har_cut_off_before_its_first_entry_is_never_exit_0(tmp_path: Path) -> None:
    path = tmp_path / "cut.har"
    path.write_text('{"log":{"version":"1.2","creator":{"name":"x","version":"1"},"entries":[')
    result = CliRunner().invoke(main, ["har", str(path), "--format", "json"])
    assert result.exit_code != 0
    assert "har/truncated" in {f["code"] for c in json.loads(result.stdout)["checks"] for f in c["findings"]}
