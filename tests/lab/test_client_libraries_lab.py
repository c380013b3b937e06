"""A real client library against the lab: what it calls on the way must be there, as on a real Jira.

pycontribs `jira` (the most used Python client) reads serverInfo when it connects and
GET /rest/api/2/field before every search; on Cloud it searches through /rest/api/2/search/jql and
lists projects at /rest/api/2/project (Cloud serves /rest/api/2/project/search beside v3 too). A healthy
scenario must work end to end through it, and a broken one must fail the way the doctor says.
"""

from __future__ import annotations

import httpx
import jira  # the test extra installs it; never skipped
import pytest

from jiradoctor_lab import LabServer

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def client_for(lab: LabServer) -> "jira.JIRA":
    c = lab.client
    secret = c.token if c.auth == "token" else c.password
    return jira.JIRA(server=lab.url, basic_auth=(c.user, secret), max_retries=0, timeout=5)


@pytest.mark.parametrize("scenario", ["healthy", "healthy-cloud"])
def test_pycontribs_jira_works_end_to_end_on_a_healthy_lab(scenario: str) -> None:
    with LabServer(scenario) as lab:
        client = client_for(lab)
        assert [p.key for p in client.projects()] == ["PIP", "ART"]  # SEC is not the service user's
        assert client.project("PIP").name
        assert list(client.search_issues("project = PIP", maxResults=5)) == []  # the lab holds no issues
        assert client.myself()["displayName"]
        seen = {(s.method, s.path) for s in lab.seen}
    assert ("GET", "/rest/api/2/field") in seen  # read before the search, as on a real Jira
    search = "/rest/api/2/search/jql" if scenario == "healthy-cloud" else "/rest/api/2/search"
    assert ("GET", search) in seen


def test_cloud_serves_project_search_in_v2_beside_v3() -> None:
    with LabServer("healthy-cloud") as lab, httpx.Client(timeout=5) as http:
        c = lab.client
        pages = [http.get(f"{lab.url}/rest/api/{v}/project/search", auth=(c.user, c.token)) for v in (2, 3)]
    assert [p.status_code for p in pages] == [200, 200]
    keys = [[p["key"] for p in page.json()["values"]] for page in pages]
    assert keys[0] == keys[1] == ["PIP", "ART"]
    assert "/rest/api/2/project/" in pages[0].json()["values"][0]["self"]  # each version names its own links


def test_pycontribs_jira_fails_against_a_broken_lab_as_the_doctor_says() -> None:
    """cloud-password: the account password on Basic auth, which Cloud refuses (auth/password-on-cloud)."""
    with LabServer("cloud-password") as lab:
        with pytest.raises(jira.JIRAError) as refused:
            client_for(lab).myself()
    assert refused.value.status_code == 401
