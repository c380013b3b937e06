"""The corrected <Connector> keeps its child elements (a TLS connector's <SSLHostConfig>), passwords masked.

Real Tomcat 10.1 refuses a TLS connector without its <SSLHostConfig> (tests/realparts/test_base_url_fixes_realparts.py
runs the printed element); here the printed text itself is checked, both directions.
"""

from __future__ import annotations

from xml.etree import ElementTree

from jiradoctor.checks.base_url import CHECK
from jiradoctor.secrets import MASK
from jiradoctor.target import Target
from tests.conftest import run_checks

SECRET = "s3cret-keystore-pw"
TLS_XML = (
    '<Server><Service name="C"><Connector port="8443" protocol="org.apache.coyote.http11.Http11NioProtocol" '
    'SSLEnabled="true"><SSLHostConfig><Certificate certificateKeystoreFile="conf/k.jks" '
    f'certificateKeystorePassword="{SECRET}" type="RSA"/></SSLHostConfig></Connector>'
    '<Engine name="C" defaultHost="h"><Host name="h"><Context path=""/></Host></Engine></Service></Server>'
)
PLAIN_XML = (
    '<Server><Service name="C"><Connector port="8080"/><Engine name="C" defaultHost="h"><Host name="h">'
    '<Context path=""/></Host></Engine></Service></Server>'
)


def _fix(text: str) -> str:
    report = run_checks([CHECK], Target(base_url="https://jira.example.test", server_xml=text, offline=True))
    (fix,) = [c for _, f in report.findings() for c in f.commands]  # one connector, one printed element
    assert isinstance(fix, str)
    return fix


def test_tls_connector_fix_keeps_its_sslhostconfig_with_the_password_masked() -> None:
    fix = _fix(TLS_XML)
    element = ElementTree.fromstring(fix)
    certificate = element.find("SSLHostConfig/Certificate")
    assert certificate is not None and certificate.get("certificateKeystoreFile") == "conf/k.jks"
    assert certificate.get("certificateKeystorePassword") == MASK and SECRET not in fix
    assert element.get("proxyName") == "jira.example.test" and element.get("SSLEnabled") == "true"
    assert fix.startswith("<!-- jiradoctor masked the passwords") and "put your own back" in fix.splitlines()[0]


def test_connector_without_children_stays_self_closed() -> None:
    fix = _fix(PLAIN_XML)
    assert fix.endswith("/>") and len(ElementTree.fromstring(fix)) == 0
    assert "masked" not in fix  # nothing was masked, so nothing to put back
