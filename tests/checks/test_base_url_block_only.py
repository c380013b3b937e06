"""proxy-mismatch says whether the corrected proxy block alone is enough or the connector must change.

Real Tomcat confirms the "not enough" direction in tests/realparts/test_base_url_fixes_realparts.py; here both
directions through the CLI, offline.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_proxy_config_cli import _base_url_findings, _doctor

SITE = "server { listen 443 ssl; server_name jira.example.test;\n  location / { proxy_pass http://127.0.0.1:8080; } }\n"


def _mismatch(tmp_path: Path, connector: str) -> dict:  # type: ignore[type-arg]
    xml = tmp_path / "server.xml"
    xml.write_text(
        f'<Server><Service name="C">{connector}<Engine name="C" defaultHost="h"><Host name="h">'
        '<Context path=""/></Host></Engine></Service></Server>'
    )
    site = tmp_path / "jira.conf"
    site.write_text(SITE)
    (finding,) = [
        f for f in _base_url_findings(_doctor(xml, site, "https://jira.example.test")) if f["code"] ==
        "base-url/proxy-mismatch"
    ]
    return finding


@pytest.mark.parametrize(
    "connector, enough, sees",
    [
        ('<Connector port="8080"/>', False, "http://jira.example.test"),  # bare: X-Forwarded-Proto is ignored
        ('<Connector port="8080" scheme="https" secure="true"/>', True, "https://jira.example.test"),
    ],
)
def test_block_alone_is_named_enough_only_when_it_is(tmp_path: Path, connector: str, enough: bool, sees: str) -> None:
    finding = _mismatch(tmp_path, connector)
    assert finding["evidence"]["jira_sees_with_proxy_block_only"] == sees
    assert finding["remediation"][0].startswith("Either is enough" if enough else "Replace the connector")


@pytest.mark.parametrize(("proxy_pass", "printed"), [
    ("http://127.0.0.1:8080", "proxy_pass http://127.0.0.1:8080;"),
    ("http://127.0.0.1:8080/jira", "proxy_pass http://127.0.0.1:8080/jira;"),  # the URI part maps paths: kept
])
def test_the_printed_block_keeps_how_the_location_maps_paths(tmp_path: Path, proxy_pass: str, printed: str) -> None:
    xml = tmp_path / "server.xml"
    xml.write_text('<Server><Service name="C"><Connector port="8080"/><Engine name="C" defaultHost="h">'
                   '<Host name="h"><Context path="/jira"/></Host></Engine></Service></Server>')
    site = tmp_path / "jira.conf"
    site.write_text("server { listen 443 ssl; server_name jira.example.test;\n"
                    f"  location /jira {{ proxy_pass {proxy_pass}; }} }}\n")
    findings = _base_url_findings(_doctor(xml, site, "https://jira.example.test/jira"))
    (block,) = [c for f in findings if f["code"] == "base-url/proxy-mismatch" for c in f["commands"]
                if c.startswith("location ")]
    assert printed in block, block
