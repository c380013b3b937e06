"""Each captured line of the catalogue, replayed inside a realistic log, gives its finding; a busy
healthy log gives none; lines we do not know are counted, not guessed at.

The records' first lines (timestamp, thread, level, logger) are ours where the captured text is a
fragment (a KB quoting just ``oauth_problem=...``); everything after them is the captured text,
taken from ``jiradoctor.logs.signatures`` (each names its source).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from jiradoctor.logs import signatures as sig
from jiradoctor.logs.command import analyse
from jiradoctor.logs.findings import IntegrationView
from jiradoctor.model import Report
from tests.logs.logfiles import around, healthy_log, healthy_security, jira_head, security_head

OAUTH = jira_head(path="/plugins/servlet/oauth/request-token", level="WARN",
                  logger="c.a.oauth.serviceprovider.internal.AuthenticatorImpl")


def codes(report: Report) -> dict[str, list]:
    found: dict[str, list] = {}
    for _, f in report.findings():
        found.setdefault(f.code, []).append(f)
    return found


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_a_busy_healthy_log_gives_no_finding(tmp_path: Path) -> None:
    jira = write(tmp_path, "atlassian-jira.log", healthy_log(6000))
    security = write(tmp_path, "atlassian-jira-security.log", healthy_security(500))
    report = analyse([jira, security])
    assert set(codes(report)) == {"logs/read"}
    read = codes(report)["logs/read"][0]
    assert read.status.value == "pass" and read.evidence["files_read"] == 2
    assert read.evidence["bytes"] > 1_000_000 and read.evidence["signature_matches"] == 0
    assert read.evidence["files"][0]["from"] == "2024-03-05T08:00:00Z"
    assert report.status.value == "pass" and report.observed


@pytest.mark.parametrize(
    ("captured", "code", "subject"),
    [
        (sig.OAUTH_PROBLEM.captured[0], "oauth-signature/problem", "signature_invalid"),
        (sig.OAUTH_PROBLEM.captured[1], "consumer-key/unknown", "consumer_key_unknown"),
        (sig.OAUTH_PROBLEM.captured[2], "oauth-signature/timestamp-refused", "timestamp_refused"),
        (sig.OAUTH_PROBLEM.captured[3], "oauth-signature/problem", "signature_invalid"),
    ],
)
def test_each_captured_oauth_problem_gives_the_live_checks_code(tmp_path: Path, captured: str, code: str,
                                                                 subject: str) -> None:
    log = write(tmp_path, "atlassian-jira.log", around(OAUTH + captured))
    found = codes(analyse([log]))
    assert code in found, found.keys()
    finding = found[code][0]
    assert finding.subject == subject and finding.status.value == "fail"
    log_ev = finding.evidence["log"]
    assert log_ev["count"] == 1 and log_ev["first_seen"] == "2024-03-05T10:15:22Z"
    assert log_ev["threads"] == ["http-nio-8080-exec-7"] and log_ev["files"] == ["atlassian-jira.log"]
    assert log_ev["urls"] == ["/plugins/servlet/oauth/request-token"]  # the request Jira refused
    assert captured.splitlines()[0].strip() in log_ev["lines"][0]
    assert sig.OAUTH_PROBLEM.sources[0] in log_ev["signature_sources"]
    assert set(found) == {code, "logs/read"}


def test_the_logged_base_string_is_shown_and_its_tokens_masked(tmp_path: Path) -> None:
    log = write(tmp_path, "atlassian-jira.log", around(OAUTH + sig.OAUTH_PROBLEM.captured[3]))
    finding = codes(analyse([log]))["oauth-signature/problem"][0]
    assert finding.evidence["jira_base_string"].startswith("POST&http%3A%2F%2Fdonald-pc%3A5194%2F65CAL")
    assert "LY/5Wi+49hTGlg+KmGAMgMoLKZA=" not in str(finding.to_json())  # the logged oauth_signature


# The base string Jira Cloud echoed for a signature_invalid (jira-node/node-jira-client#44, JIRA-FACTS.md
# §1, its "..." values as published), form-decoded once, inside a net.oauth record as Jira's provider logs it.
ECHOED = ("GET&https%3A%2F%2Ftravis.atlassian.net%2Frest%2Fapi%2Flatest%2Fproject%2FGP&oauth_consumer_key%3D...%26"
          "oauth_signature_method%3DRSA-SHA1%26oauth_timestamp%3D1459272339%26oauth_token%3D...%26oauth_version%3D1.0")
NET_OAUTH = (OAUTH + "Problem authenticating request\nnet.oauth.OAuthProblemException: signature_invalid\n"
             "  oauth_problem: signature_invalid\n  oauth_signature_base_string: " + ECHOED + "\n")


def test_given_the_integrations_url_the_base_strings_are_diffed_as_live(tmp_path: Path) -> None:
    log = write(tmp_path, "atlassian-jira.log", around(NET_OAUTH))
    wrong_scheme = codes(analyse([log], IntegrationView("http://travis.atlassian.net", "...")))
    finding = wrong_scheme["oauth-signature/url-mismatch"][0]
    assert finding.evidence["differs"] == ["scheme", "port"]  # http means port 80, as the live check says
    assert finding.evidence["signed_url"] == "http://travis.atlassian.net/rest/api/latest/project/GP"
    assert finding.evidence["jira_saw_url"] == "https://travis.atlassian.net/rest/api/latest/project/GP"
    assert any("scheme" in r for r in finding.remediation)
    # the other direction: the same URL on both sides leaves the key (the live check's own verdict)
    same = codes(analyse([log], IntegrationView("https://travis.atlassian.net", "...")))
    assert "oauth-signature/url-mismatch" not in same and "oauth-signature/key-mismatch" in same
    other_key = codes(analyse([log], IntegrationView("https://travis.atlassian.net", "piplanning")))
    assert other_key["oauth-signature/parameter-mismatch"][0].evidence["changed"] == ["oauth_consumer_key"]


def test_consumer_key_unknown_names_the_key_and_compares_it_with_the_integrations(tmp_path: Path) -> None:
    record = OAUTH + 'oauth_problem=consumer_key_unknown oauth_consumer_key="piplanning "\n'
    log = write(tmp_path, "atlassian-jira.log", around(record))
    finding = codes(analyse([log], IntegrationView(None, "piplanning")))["consumer-key/unknown"][0]
    assert finding.evidence["consumer_key"] == "piplanning " or "piplanning" in finding.message
    assert "not the one Jira received" in finding.message


@pytest.mark.parametrize("index", range(len(sig.PKIX.captured)))
def test_pkix_when_jira_calls_out_is_outgoing_tls(tmp_path: Path, index: int) -> None:
    record = jira_head(level="ERROR", path="/rest/applinks/3.0/status/abc") + "Outgoing request failed\n"
    record += sig.PKIX.captured[index] + "\n"
    log = write(tmp_path, "atlassian-jira.log", around(record))
    found = codes(analyse([log]))
    assert set(found) == {"outgoing-tls/unknown-ca", "logs/read"}  # the ERROR record is explained, not counted
    assert "PKIX path building failed" in found["outgoing-tls/unknown-ca"][0].message


def test_applink_refused_by_the_other_side_names_its_realm(tmp_path: Path) -> None:
    log = write(tmp_path, "atlassian-jira.log", healthy_log(300) + sig.APPLINK_AUTH_FAILED.captured[0] + "\n"
                + healthy_log(300, 9))
    finding = codes(analyse([log]))["logs/applink-auth-failed"][0]
    assert finding.subject == "crucible"
    assert "https://crucible.hotname" in finding.message and "http://localhost:8060" in finding.message
    assert "BAD_SIGNATURE" in finding.message
    # no UTC offset in that (Jira 8) line: the time is said to be the server's local time
    assert "local time" in finding.evidence["log"]["first_seen"]
    assert "4abciz4kqjnw1nekxe11p5144" not in str(finding.to_json())  # FESESSIONID in the captured line


def test_tomcat_refusing_a_request_target_in_catalina_out(tmp_path: Path) -> None:
    tomcat = ("29-Sep-2019 15:12:50.001 INFO [main] org.apache.catalina.startup.Catalina.start Server startup in "
              "[12000] milliseconds\n")
    log = write(tmp_path, "catalina.out", tomcat + sig.REQUEST_TARGET.captured[0] + "\n" + tomcat)
    found = codes(analyse([log]))
    finding = found["logs/request-target-refused"][0]
    assert finding.status.value == "warn" and finding.evidence["log"]["threads"] == ["http-nio-8080-exec-29"]
    assert set(found) == {"logs/request-target-refused", "logs/read"}


@pytest.mark.parametrize(
    ("captured", "code", "user"),
    [
        (security_head() + sig.LOGIN_FAILED.captured[0], "auth/invalid-credentials", "myuser"),
        (sig.LOGIN_FAILED.captured[1], "auth/invalid-credentials", "admin"),
        (sig.LOGIN_NOT_ALLOWED.captured[0], "auth/no-application-access", "admin"),
    ],
)
def test_security_log_logins(tmp_path: Path, captured: str, code: str, user: str) -> None:
    log = write(tmp_path, "atlassian-jira-security.log", healthy_security(100) + captured + "\n" + healthy_security(50))
    found = codes(analyse([log]))
    finding = found[code][0]
    assert finding.subject == user and set(found) == {code, "logs/read"}
    assert "1qvu69a" not in str(finding.to_json())  # the session-id column


def test_the_same_failure_is_counted_with_first_and_last_seen_in_utc(tmp_path: Path) -> None:
    lines = [security_head(f"2023-06-09 0{h}:00:00,000+0200") + f"/login.jsp The user 'svc' has FAILED "
             f"authentication.  Failure count equals {h}" for h in (1, 2, 3, 4)]
    log = write(tmp_path, "atlassian-jira-security.log", healthy_security(20) + "\n".join(lines) + "\n")
    finding = codes(analyse([log]))["auth/invalid-credentials"][0]
    assert finding.evidence["log"]["count"] == 4 and finding.evidence["highest_failure_count"] == 4
    assert finding.evidence["log"]["first_seen"] == "2023-06-08T23:00:00Z"
    assert finding.evidence["log"]["last_seen"] == "2023-06-09T02:00:00Z"
    assert "CAPTCHA" in finding.message


def test_unknown_errors_are_counted_by_logger_not_guessed(tmp_path: Path) -> None:
    errors = "".join(jira_head(level="ERROR", logger=f"c.a.example.Thing{i % 2}") + "something odd\n"
                     for i in range(5))
    log = write(tmp_path, "atlassian-jira.log", around(errors))
    found = codes(analyse([log]))
    assert set(found) == {"logs/unrecognised-errors", "logs/read"}
    finding = found["logs/unrecognised-errors"][0]
    assert finding.status.value == "info" and finding.evidence["count"] == 5
    assert finding.evidence["by_logger"] == {"c.a.example.Thing0": 3, "c.a.example.Thing1": 2}


def test_rotated_and_gzipped_logs_and_a_support_zip_with_its_node(tmp_path: Path) -> None:
    import zipfile

    rotated = tmp_path / "atlassian-jira.log.1.gz"
    rotated.write_bytes(gzip.compress(around(OAUTH + sig.OAUTH_PROBLEM.captured[1]).encode()))
    found = codes(analyse([str(rotated)]))
    assert "consumer-key/unknown" in found
    bundle = tmp_path / "Jira_support_2024-03-05.zip"
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("application-logs/atlassian-jira.log", around(OAUTH + sig.OAUTH_PROBLEM.captured[2]))
        z.writestr("application-logs/atlassian-jira.log.2.gz",
                   gzip.compress(around(OAUTH + sig.OAUTH_PROBLEM.captured[2]).encode()))
        z.writestr("application-config/cluster.properties", "jira.node.id = node-2\njira.shared.home = /s\n")
        z.writestr("application-config/dbconfig.xml", "<jira-database-config/>")
    report = analyse([str(bundle)])
    finding = codes(report)["oauth-signature/timestamp-refused"][0]
    assert finding.evidence["log"]["count"] == 2 and finding.evidence["log"]["nodes"] == ["node-2"]
    assert len(finding.evidence["log"]["files"]) == 2
    assert all(f["file"].startswith("Jira_support") for f in codes(report)["logs/read"][0].evidence["files"])


def test_a_stack_trace_cut_across_read_blocks_stays_one_record(tmp_path: Path, monkeypatch) -> None:
    from jiradoctor.logs import records

    monkeypatch.setattr(records, "CHUNK", 4096)
    record = jira_head(level="ERROR") + "call failed\n" + "".join(f"\tat a.b.C{i}.m(C.java:{i})\n" for i in range(150))
    record += "Caused by: " + sig.PKIX.captured[0] + "\n"
    log = write(tmp_path, "atlassian-jira.log", around(record, 60, 60))
    found = codes(analyse([log]))
    assert set(found) == {"outgoing-tls/unknown-ca", "logs/read"}


def test_grep_and_python_find_the_same_records(tmp_path: Path, monkeypatch) -> None:
    from jiradoctor.logs.records import PURE_ENV, ScanStats, scan_file

    text = around("".join([OAUTH + sig.OAUTH_PROBLEM.captured[3] + "\n", NET_OAUTH,
                           jira_head(level="ERROR") + "odd\n" + sig.PKIX.captured[1] + "\n",
                           sig.APPLINK_AUTH_FAILED.captured[0] + "\n"] * 30), 2000, 2000)
    log = write(tmp_path, "atlassian-jira.log", text)
    needles = sig.needles_for("jira")
    monkeypatch.delenv(PURE_ENV, raising=False)
    by_grep = [r.text for r in scan_file(log, needles, ScanStats())]
    monkeypatch.setenv(PURE_ENV, "1")
    by_python = [r.text for r in scan_file(log, needles, ScanStats())]
    assert len(by_grep) == 120 and sorted(by_grep) == sorted(by_python)  # the order within a block may differ


def test_a_folder_of_logs_is_read_by_name(tmp_path: Path) -> None:
    folder = tmp_path / "log"
    folder.mkdir()
    (folder / "atlassian-jira.log").write_text(around(OAUTH + sig.OAUTH_PROBLEM.captured[1]), encoding="utf-8")
    (folder / "atlassian-jira-security.log.1").write_text(sig.LOGIN_FAILED.captured[1] + "\n", encoding="utf-8")
    (folder / "notes.txt").write_text("oauth_problem=timestamp_refused\n", encoding="utf-8")
    found = codes(analyse([str(folder)]))
    assert set(found) == {"consumer-key/unknown", "auth/invalid-credentials", "logs/read"}
    assert found["logs/read"][0].evidence["files_read"] == 2


def test_an_access_log_is_read_line_by_line_with_its_time_span(tmp_path: Path) -> None:
    # Tomcat's common log format (AccessLogValve pattern "%h %l %u %t \"%r\" %s %b"); no signature reads it yet
    lines = "".join(f'10.0.0.{i % 9} - svc [05/Mar/2024:1{i % 10}:15:22 +0100] "GET /rest/api/2/issue/ABC-{i} '
                    f'HTTP/1.1" 200 512\n' for i in range(10))
    log = write(tmp_path, "access_log.2024-03-05", lines)
    found = codes(analyse([log]))
    assert set(found) == {"logs/read"}
    read = found["logs/read"][0].evidence["files"][0]
    assert read["kind"] == "access" and read["from"] == "2024-03-05T09:15:22Z" and read["to"] == "2024-03-05T18:15:22Z"
