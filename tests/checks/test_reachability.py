"""reachability's judgement from facts: every code in both directions, identity from several traces."""

from __future__ import annotations

import pytest

from jiradoctor.checks.reachability import CHECK, judge_reachability, wants_site_root
from jiradoctor.jira.fingerprint import identify
from jiradoctor.model import NotObserved, Status
from jiradoctor.probes.http import HttpAnswer, TransportError
from jiradoctor.probes.server_info import read_server_info

URL = "https://jira.example.com"
SERVERINFO = (
    '{"baseUrl":"https://jira.example.com","version":"9.12.2","versionNumbers":[9,12,2],'
    '"deploymentType":"Server","buildNumber":912002,"serverTitle":"Jira"}'
)
JIRA_HEADERS = {"x-arequestid": "733x1x1", "x-asessionid": "abc", "content-type": "application/json;charset=UTF-8"}
CHALLENGE = HttpAnswer(
    "GET",
    URL + "/rest/api/2/myself",
    401,
    {"www-authenticate": 'OAuth realm="https%3A%2F%2Fjira.example.com"', "x-arequestid": "1x1x1"},
    '{"message":"Client must be authenticated to access this resource.","status-code":401}',
)


def answer(
    status: int | None = 200,
    body: str = "",
    headers: dict[str, str] | None = None,
    error: TransportError | None = None,
    url: str = URL + "/rest/api/2/serverInfo",
) -> HttpAnswer:
    return HttpAnswer("GET", url, status if error is None else None, headers or {}, body, error=error, elapsed_s=0.05)


def verdict(
    a: HttpAnswer,
    challenge: HttpAnswer | None = None,
    redirects: tuple[str, ...] = (),
    url: str = URL,
    root: HttpAnswer | None = None,
):
    info = read_server_info(
        a, challenge or answer(None, error=TransportError("connect", "connection refused")), redirects
    )
    return judge_reachability(info, url, 3.0, root)


def test_healthy_jira_passes_with_its_traces_named() -> None:
    f = verdict(answer(200, SERVERINFO, JIRA_HEADERS), CHALLENGE)
    assert (f.code, f.status) == ("reachability/ok", Status.PASS)
    assert "X-AREQUESTID" in f.message and "9.12.2" in f.message


def test_serverinfo_shape_alone_is_not_enough() -> None:
    f = verdict(answer(200, SERVERINFO, {"content-type": "application/json"}))
    assert (f.code, f.status) == ("reachability/unconfirmed-jira", Status.WARN)


@pytest.mark.parametrize(
    "error, code",
    [
        (TransportError("connect", "connection refused"), "reachability/refused"),
        (TransportError("reset", "the connection was reset"), "reachability/reset"),
        (TransportError("timeout", "no answer within the time limit"), "reachability/timeout"),
        (TransportError("unreachable", "no route to the host"), "reachability/unreachable"),
        (TransportError("proxy", "the proxy refused the request: 403"), "reachability/proxy-refused"),
        (TransportError("protocol", "RemoteProtocolError: illegal status line"), "reachability/broken-answer"),
        (TransportError("connect", "cannot connect: [Errno 99]"), "reachability/no-connection"),
    ],
)
def test_transport_failures_each_have_their_code(error: TransportError, code: str) -> None:
    f = verdict(answer(error=error))
    assert (f.code, f.status) == (code, Status.FAIL)


def test_timeout_names_the_limit_and_the_option() -> None:
    f = verdict(answer(error=TransportError("timeout", "no answer")))
    assert "--timeout 3 s" in f.message and any("--timeout" in r for r in f.remediation)


def test_tls_failure_is_left_to_the_tls_check() -> None:
    with pytest.raises(NotObserved) as exc:
        verdict(answer(error=TransportError("tls", "certificate verification failed", 20)))
    assert exc.value.blocked_by == ("tls",)


def test_nginx_502_says_nginx_answered() -> None:
    page = "<html><head><title>502 Bad Gateway</title></head><body><center>nginx/1.22.1</center></body></html>"
    f = verdict(answer(502, page, {"server": "nginx/1.22.1", "content-type": "text/html"}))
    assert f.code == "reachability/server-error" and "nginx" in f.message and "502" in f.message


def test_jira_500_says_jira_itself_failed() -> None:
    f = verdict(answer(500, '{"errorMessages":["boom"]}', JIRA_HEADERS), CHALLENGE)
    assert f.code == "reachability/server-error" and "Jira itself" in f.message


def test_html_page_is_not_jira() -> None:
    f = verdict(
        answer(
            200,
            "<html><head><title>Welcome to nginx!</title></head></html>",
            {"server": "nginx", "content-type": "text/html"},
        )
    )
    assert f.code == "reachability/not-jira" and "Welcome to nginx!" in f.message


def test_other_json_is_not_jira() -> None:
    f = verdict(answer(200, '{"status":"UP"}', {"content-type": "application/json"}))
    assert f.code == "reachability/not-jira" and "JSON" in f.message


def test_squid_block_page() -> None:
    page = ("<html><head><title>ERROR: The requested URL could not be retrieved</title></head>"
            "<body>Access Denied.</body></html>")
    f = verdict(
        answer(
            403,
            page,
            {
                "server": "squid/5.7",
                "via": "1.1 proxy (squid/5.7)",
                "x-squid-error": "ERR_ACCESS_DENIED 0",
                "content-type": "text/html",
            },
        )
    )
    assert f.code == "reachability/proxy-block-page" and f.status == Status.FAIL


def test_jira_404_under_a_path_names_the_root_when_jira_answers_there() -> None:
    url = URL + "/jira"
    page = "<html><head><title>Oops, you've found a dead link. - Jira</title></head></html>"
    root = answer(200, SERVERINFO, JIRA_HEADERS)
    a = answer(
        404,
        page,
        {"x-seraph-loginreason": "OK", "x-arequestid": "1", "content-type": "text/html"},
        url=url + "/rest/api/2/serverInfo",
    )
    info = read_server_info(a, answer(None, error=TransportError("connect", "refused")))
    assert wants_site_root(info, url)
    f = judge_reachability(info, url, 3.0, root)
    assert f.code == "reachability/wrong-context-path" and f.evidence["jira_answers_at"] == URL


def test_404_from_something_else_is_not_found() -> None:
    f = verdict(
        answer(404, "<html><title>404 Not Found</title></html>", {"server": "nginx", "content-type": "text/html"})
    )
    assert f.code == "reachability/not-found"
    info = read_server_info(answer(404, ""), answer(None, error=TransportError("connect", "refused")))
    assert not wants_site_root(info, URL)  # no path to strip: no extra request


def test_sso_login_page_with_200() -> None:
    page = '<html><head><title>Sign in</title></head><body><input type="password" name="p"></body></html>'
    f = verdict(answer(200, page, {"content-type": "text/html;charset=UTF-8"}))
    assert (f.code, f.status) == ("reachability/login-page", Status.WARN)
    assert f.code in CHECK.nonblocking_codes


def test_redirect_to_an_identity_provider() -> None:
    final = "https://login.microsoftonline.com/tenant/saml2?SAMLRequest=x"
    f = verdict(
        answer(200, "<html><title>Sign in to your account</title></html>", {"content-type": "text/html"}, url=final),
        redirects=(final,),
    )
    assert f.code == "reachability/sso-redirect"


def test_redirect_elsewhere_and_loops() -> None:
    f = verdict(
        answer(
            200,
            "<html><title>Parked domain</title></html>",
            {"content-type": "text/html"},
            url="https://parked.example/",
        ),
        redirects=("https://parked.example/",),
    )
    assert f.code == "reachability/redirect-elsewhere" and "parked.example" in f.message
    loop = (URL + "/a", URL + "/b", URL + "/a")
    f = verdict(answer(302, "", {"location": "/a"}), redirects=loop)
    assert f.code == "reachability/redirect-loop"


def test_redirect_to_jira_elsewhere_is_reachable() -> None:
    final = "https://jira.example.com/rest/api/2/serverInfo"
    f = verdict(
        answer(200, SERVERINFO, JIRA_HEADERS, url=final), CHALLENGE, redirects=(final,), url="http://old.example.com"
    )
    assert f.code == "reachability/ok"


def test_a_plain_http_to_https_redirect_is_named_as_such() -> None:
    """http://jira -> 301 https://jira/... (issue 25 item 12): named, with the URL to enter; never SSO."""
    final = "https://jira.example.com/rest/api/2/serverInfo"
    f = verdict(
        answer(200, SERVERINFO, JIRA_HEADERS, url=final), CHALLENGE, redirects=(final,), url="http://jira.example.com"
    )
    assert (f.code, f.status, f.subject) == ("reachability/https-redirect", Status.WARN, "https://jira.example.com")
    assert "single sign-on" not in f.message.replace("Not single sign-on", "")
    assert "https://jira.example.com" in f.remediation[0]
    # not a plain upgrade: another path, or a login page at the end
    other = "https://jira.example.com/jira/rest/api/2/serverInfo"
    assert verdict(answer(200, SERVERINFO, JIRA_HEADERS, url=other), CHALLENGE, redirects=(other,),
                   url="http://jira.example.com").code == "reachability/ok"


def test_jira_refusing_anonymous_serverinfo_is_still_jira() -> None:
    f = verdict(answer(401, '{"message":"Client must be authenticated","status-code":401}', JIRA_HEADERS), CHALLENGE)
    assert (f.code, f.status) == ("reachability/anonymous-refused", Status.INFO)


def test_403_without_jira_traces_is_something_in_front() -> None:
    # Cloudflare's own page is named for what it is since issue 19 (tests/checks/test_blockers.py)
    f = verdict(
        answer(
            403,
            "<html><title>Attention Required! | Cloudflare</title></html>",
            {"server": "cloudflare", "content-type": "text/html"},
        )
    )
    assert f.code == "reachability/cloudflare-block" and "Cloudflare" in f.message
    f = verdict(answer(403, "<html><title>Forbidden</title></html>", {"server": "BigIP", "content-type": "text/html"}))
    assert f.code == "reachability/http-error" and "BigIP" in f.message


def test_identity_needs_two_traces() -> None:
    one = identify(answer(404, "", {"x-arequestid": "1"}))
    two = identify(answer(404, "", {"x-arequestid": "1", "x-seraph-loginreason": "OK"}))
    assert one.looks_like_jira and not one.is_jira
    assert two.is_jira


def test_an_answer_that_cannot_be_read_is_named_with_its_problem() -> None:
    bomb = HttpAnswer(
        "GET",
        URL + "/rest/api/2/serverInfo",
        200,
        {"content-encoding": "gzip, gzip"},
        "",
        truncated=True,
        problem="the answer inflates beyond 4 MB (2495 bytes sent with Content-Encoding: gzip, gzip)",
    )
    f = verdict(bomb)
    assert f.code == "reachability/unreadable-answer" and "inflates beyond" in f.message
    deep = verdict(answer(200, "[" * 100_000, {"content-type": "application/json"}))
    assert deep.code == "reachability/unreadable-answer" and "nesting" in deep.message
    # a healthy answer with the same headers is not flagged
    assert (
        verdict(answer(200, SERVERINFO, {**JIRA_HEADERS, "content-encoding": "gzip"}), CHALLENGE).code
        == "reachability/ok"
    )
