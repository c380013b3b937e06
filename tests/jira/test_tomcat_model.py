"""Small cases of the Tomcat URL model (jiradoctor/jira/tomcat.py) that the real-parts matrices found;
the matrices themselves (tests/realparts/test_tomcat_matrix.py, tests/realparts/test_apache_matrix.py) hold the model
to real Tomcat behind real nginx and Apache."""

from __future__ import annotations

import pytest

from jiradoctor.jira.tomcat import Connector, RemoteIpValve, request_url
from jiradoctor.jira.urls import JiraUrl

VALVE = RemoteIpValve(host_header="X-Forwarded-Host")
CONNECTOR = Connector(port=8080, context_path="/jira", remote_ip_valve=VALVE)


@pytest.mark.parametrize(("forwarded_host", "seen_host"), [
    ("jira.example.test", "jira.example.test"),
    ("jira.example.test:8443", "jira.example.test"),  # the valve drops the port
    ("[::1]:8443", "[::1]"),
    # httpd appends its own X-Forwarded-Host to a RequestHeader-set one: Tomcat's Host.parse refuses
    # the list and the valve keeps the Host header (real Tomcat 10.1 behind real Apache)
    ("jira.example.test, 127.0.0.1:8080", "127.0.0.1"),
    ("a b", "127.0.0.1"),
])
def test_the_valve_takes_x_forwarded_host_only_when_tomcat_can_parse_it(forwarded_host: str, seen_host: str) -> None:
    seen = request_url(CONNECTOR, "127.0.0.1:8080", forwarded_headers={"X-Forwarded-Host": forwarded_host},
                       peer="127.0.0.1")
    assert seen == JiraUrl(scheme="http", host=seen_host, port=8080, path="/jira")
