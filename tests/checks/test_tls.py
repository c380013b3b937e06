"""tls judgement from facts built in the test: the rules no single real server shows."""

from __future__ import annotations

import datetime as _dt

from dataclasses import replace

import pytest

from jiradoctor.checks import tls as tls_check
from jiradoctor.model import Status
from jiradoctor.net.proxy_route import Route
from jiradoctor.probes.http import TransportError
from jiradoctor.probes.tls import TlsFact
from jiradoctor.target import Target
from tests.conftest import run_checks
from tests.network.helpers import certs, verdicts
from tests.realparts.pki import Pki

def now() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc)  # when judged: the certificates are generated at test time

URL = "https://jira.example.com"
DIRECT = Route("direct", URL)
PROXIED = Route("proxy", URL, "http://bob:hunter2@proxy.corp:3128", "--proxy")


def fact(**kw: object) -> TlsFact:
    values: dict = dict(
        url=URL, host="localhost", port=443, applies=True, route=DIRECT, trust="certifi", insecure=False
    )
    values.update(kw)
    return TlsFact(**values)


def judge(f: TlsFact, insecure: bool = False) -> dict[str, Status]:
    report = run_checks([tls_check.CHECK], Target(url=f.url, insecure=insecure), preset={"tls": f})
    return verdicts(report, "tls")


def test_code_20_with_a_leaf_only_is_an_incomplete_chain(realparts_pki: Pki) -> None:
    f = fact(verify_code=20, chain=certs(realparts_pki.cases["leaf_only"].chain))
    assert judge(f) == {"tls/incomplete-chain": Status.FAIL}
    finding = tls_check.judge_fact(f, now())[0]
    assert "Realparts Intermediate CA" in finding.message and finding.evidence["missing_intermediate"]
    assert finding.subject == f.chain[0].sha256
    assert any("Last resort" in r for r in finding.remediation)


def test_code_20_with_an_intermediate_is_an_unknown_root(realparts_pki: Pki) -> None:
    f = fact(verify_code=20, chain=certs(realparts_pki.cases["full_chain"].chain))
    [finding] = tls_check.judge_fact(f, now())
    assert finding.code == "tls/untrusted-root" and "Realparts Root CA" in finding.message


def test_verified_with_a_borrowed_intermediate_warns_incomplete(realparts_pki: Pki) -> None:
    case = realparts_pki.cases["full_chain"]
    chain = certs(case.chain)
    root = certs(case.ca_bundle)
    f = fact(chain=chain[:1], verified_chain=(*chain, *root), protocol="TLSv1.3")
    assert judge(f) == {"tls/incomplete-chain": Status.WARN}


def test_weak_key_accepted_by_a_lenient_client_is_a_warning(realparts_pki: Pki) -> None:
    chain = certs(realparts_pki.cases["weak_key"].chain)
    assert judge(fact(chain=chain, verified_chain=chain)) == {"tls/weak-key": Status.WARN}
    sha1 = certs(realparts_pki.cases["weak_signature"].chain)
    assert judge(fact(chain=sha1, verified_chain=sha1)) == {"tls/weak-signature": Status.WARN}


def test_insecure_warns_and_keeps_the_problem_as_information(realparts_pki: Pki) -> None:
    f = fact(verify_code=18, chain=certs(realparts_pki.cases["self_signed"].chain), insecure=True)
    assert judge(f, insecure=True) == {"tls/verification-disabled": Status.WARN, "tls/self-signed": Status.INFO}
    ok = fact(chain=certs(realparts_pki.cases["full_chain"].chain), insecure=True)
    verdict = tls_check.judge_fact(ok, now())
    assert [f.code for f in verdict] == ["tls/verification-disabled"] and "back on" in verdict[0].message


def test_interception_fails_when_untrusted_and_warns_when_trusted(realparts_pki: Pki) -> None:
    seen = certs(realparts_pki.cases["untrusted_root"].chain)
    real = certs(realparts_pki.cases["full_chain"].chain)
    failed = fact(route=PROXIED, verify_code=19, chain=seen, direct_chain=real)
    assert judge(failed) == {"tls/intercepted": Status.FAIL}
    trusted = fact(route=PROXIED, chain=seen, verified_chain=seen, direct_chain=real)
    findings = tls_check.judge_fact(trusted, now())
    assert [f.code for f in findings] == ["tls/intercepted"] and findings[0].status == Status.WARN
    assert "hunter2" not in str([f.to_json() for f in findings]) and "bob:***@proxy.corp" in findings[0].message
    same = fact(route=PROXIED, chain=real, verified_chain=real, direct_chain=real)
    assert judge(same) == {"tls/ok": Status.PASS}


@pytest.mark.parametrize(
    "error, plain, code",
    [
        (TransportError("tls", "TLS handshake failed (WRONG_VERSION_NUMBER)"), True, "tls/plain-http"),
        (TransportError("tls", "TLS handshake failed (TLSV1_ALERT_PROTOCOL_VERSION)"), False, "tls/handshake-failed"),
    ],
)
def test_connection_failures(error: TransportError, plain: bool, code: str) -> None:
    assert judge(fact(error=error, plain_http=plain)) == {code: Status.FAIL}


def test_no_connection_is_not_observed_and_left_to_reachability() -> None:
    """Refused is not a TLS verdict: skip without blocked_by, so reachability still runs and names it."""
    f = fact(error=TransportError("connect", "connection refused"), plain_http=False)
    report = run_checks([tls_check.CHECK], Target(url=f.url), preset={"tls": f})
    result = report.checks[0]
    assert result.status == Status.SKIP and result.blocked_by == () and "reachability" in (result.skip_reason or "")


def test_plain_http_url_says_tls_is_not_used() -> None:
    f = fact(url="http://jira.example.com", applies=False)
    report = run_checks([tls_check.CHECK], Target(url=f.url), preset={"tls": f})
    result = report.checks[0]
    assert result.status == Status.SKIP and "plain http" in (result.skip_reason or "")


def test_unknown_verify_code_is_a_handshake_failure_without_guessing(realparts_pki: Pki) -> None:
    f = fact(
        verify_code=26,
        verify_message="unsupported certificate purpose",
        chain=certs(realparts_pki.cases["full_chain"].chain),
    )
    [finding] = tls_check.judge_fact(f, now())
    assert finding.code == "tls/handshake-failed" and "26" in finding.message
    assert replace(f, verify_code=None).verified


def test_another_leaf_from_the_same_issuer_is_not_an_interception(realparts_pki: Pki) -> None:
    """Edge servers behind one name may present different leaves; only another issuer means interception."""
    direct = certs(realparts_pki.cases["full_chain"].chain)
    other_leaf = certs(realparts_pki.cases["expiring_soon"].chain)  # same intermediate, another leaf
    assert direct[0].sha256 != other_leaf[0].sha256 and direct[0].issuer == other_leaf[0].issuer
    f = fact(route=PROXIED, chain=other_leaf, verified_chain=other_leaf, direct_chain=direct)
    assert "tls/intercepted" not in judge(f)


def test_a_chain_sent_out_of_order_warns_and_one_in_order_does_not(realparts_pki: Pki) -> None:
    case = realparts_pki.cases["full_chain"]
    leaf, intermediate = certs(case.chain)
    root = certs(case.ca_bundle)[0]
    shuffled = (leaf, root, intermediate)
    assert judge(fact(chain=shuffled, verified_chain=(leaf, intermediate, root))) == {"tls/chain-order": Status.WARN}
    assert judge(fact(chain=(leaf, intermediate), verified_chain=(leaf, intermediate, root))) == {"tls/ok": Status.PASS}


def test_a_handshake_alert_after_a_certificate_request_is_a_missing_client_certificate() -> None:
    f = fact(error=TransportError("tls", "TLS handshake failed (SSLV3_ALERT_HANDSHAKE_FAILURE)"),
             client_cert_requested=True)
    assert judge(f) == {"tls/client-certificate-required": Status.FAIL}
    # the same alert from a server that asked for no certificate stays a handshake failure
    assert judge(replace(f, client_cert_requested=False)) == {"tls/handshake-failed": Status.FAIL}


def test_nginx_400_on_the_first_request_is_named_and_a_healthy_answer_passes(realparts_pki: Pki) -> None:
    from jiradoctor.probes.tls import FirstAnswer

    chain = certs(realparts_pki.cases["full_chain"].chain)
    root = certs(realparts_pki.cases["full_chain"].ca_bundle)
    nginx = FirstAnswer(400, "<html><center>No required SSL certificate was sent</center></html>")
    f = fact(chain=chain, verified_chain=(*chain, *root), client_cert_requested=True, first_answer=nginx)
    assert judge(f) == {"tls/client-certificate-required": Status.FAIL}
    refused = replace(f, client_cert_presented="CN=x", first_answer=FirstAnswer(400, "The SSL certificate error"))
    assert judge(refused) == {"tls/client-certificate-refused": Status.FAIL}
    accepted = replace(f, client_cert_presented="CN=x", first_answer=FirstAnswer(302, ""))
    assert judge(accepted) == {"tls/ok": Status.PASS}
    alert13 = replace(f, first_answer=FirstAnswer(error="TLS alert TLSV13_ALERT_CERTIFICATE_REQUIRED"))
    assert judge(alert13) == {"tls/client-certificate-required": Status.FAIL}
    # a 400 that is not nginx's client-certificate page is not about the certificate
    assert judge(replace(f, first_answer=FirstAnswer(400, "Bad Request"))) == {"tls/ok": Status.PASS}
