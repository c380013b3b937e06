"""`explain` takes a finding code; a mistyped name gets one 'did you mean'."""

from __future__ import annotations

from click.testing import CliRunner

from jiradoctor.cli import main
from jiradoctor.suggest import closest


def test_explain_accepts_a_finding_code_and_marks_it() -> None:
    result = CliRunner().invoke(main, ["explain", "oauth-signature/url-mismatch"])
    assert result.exit_code == 0
    assert result.output.startswith("oauth-signature/url-mismatch: a finding of the oauth-signature check")
    assert "  oauth-signature/url-mismatch   <- this one" in result.output


def test_explain_suggests_the_check_or_code_meant() -> None:
    typo = CliRunner().invoke(main, ["explain", "oauth-signatur"])
    assert typo.exit_code == 2 and "did you mean 'oauth-signature'?" in typo.output
    code = CliRunner().invoke(main, ["explain", "oauth-signature/url-missmatch"])
    assert code.exit_code == 2 and "did you mean 'oauth-signature/url-mismatch'?" in code.output
    far = CliRunner().invoke(main, ["explain", "zzzz"])
    assert far.exit_code == 2 and "did you mean" not in far.output


def test_a_mistyped_integration_gets_the_one_meant(tmp_path) -> None:
    xml = tmp_path / "server.xml"
    xml.write_text('<Server><Service><Connector port="8080"/></Service></Server>')
    result = CliRunner().invoke(main, ["doctor", "--offline", "--integration", "piplaning", "--server-xml", str(xml)])
    assert result.exit_code == 2 and "did you mean 'piplanning'?" in result.output
    scenario = CliRunner().invoke(main, ["demo", "--scenario", "healty", "--dir", str(tmp_path / "d")])
    assert scenario.exit_code == 2 and "did you mean 'healthy'?" in scenario.output


def test_closest_is_case_blind_and_says_nothing_when_nothing_is_close() -> None:
    assert closest("KENDIS", ["kendis", "generic"]) == "kendis"
    assert closest("xyz", ["kendis", "generic"]) is None


def test_help_names_every_built_in_integration() -> None:
    from jiradoctor.jira.integrations import INTEGRATION_IDS, all_profiles

    assert tuple(all_profiles()) == INTEGRATION_IDS
    assert "tenable" in CliRunner().invoke(main, ["doctor", "--help"]).output


def test_the_shell_completes_values() -> None:
    import os
    import subprocess
    import sys

    def complete(words: str) -> list[str]:
        env = {**os.environ, "_JIRADOCTOR_COMPLETE": "bash_complete", "COMP_WORDS": words,
               "COMP_CWORD": str(len(words.split()) - 1)}
        out = subprocess.run([sys.executable, "-m", "jiradoctor"], env=env, capture_output=True, text=True,
                             timeout=60).stdout
        return [line.split(",", 1)[1] for line in out.splitlines() if "," in line]

    assert complete("jiradoctor doctor --integration pi") == ["piplanning"]
    assert complete("jiradoctor doctor --only dns,oa") == ["dns,oauth-signature", "dns,oauth2"]
    assert complete("jiradoctor explain oauth-signature/url") == ["oauth-signature/url-mismatch"]
    assert complete("jiradoctor demo --scenario applink-st") == ["applink-stale-key"]
    assert complete("jiradoctor doctor --integration zz") == []
