"""consumer-key: whitespace, invisible and unusual characters, and a key that differs between sides.

The key is taken verbatim (never stripped), from the Target and through the CLI.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from jiradoctor.checks.consumer_key import CHECK
from jiradoctor.cli import main
from jiradoctor.jira import consumer_keys as ck
from jiradoctor.model import Report, Status
from jiradoctor.target import Target
from tests.conftest import codes, found, only, run_checks

OK = "consumer-key/ok"


def judge(key: str | None = None, jira_key: str | None = None, integration: str = "generic") -> Report:
    report = run_checks(
        [CHECK], Target(consumer_key=key, jira_consumer_key=jira_key, integration=integration, offline=True)
    )
    assert codes(report) <= set(CHECK.codes)
    return report


# --- whitespace ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key, where, shown",
    [
        ("piplanning.io ", "trailing", "piplanning.io␣"),
        (" piplanning.io", "leading", "␣piplanning.io"),
        ("pip planning", "inside", "pip␣planning"),
        ("piplanning.io\t", "trailing", "piplanning.io⇥"),
        ("piplanning.io\n", "trailing", "piplanning.io⏎"),
        ("piplanning.io\r\n", "trailing", "piplanning.io␍⏎"),
        ("pip\u2003planning", "inside", "pip⟨U+2003 EM SPACE⟩planning"),  # looks like a plain space
    ],
)
def test_whitespace_is_caught_and_shown(key: str, where: str, shown: str) -> None:
    report = judge(key)
    finding = only(report, "consumer-key/whitespace")
    # around the key it breaks the match; inside, it works if typed the same on both sides
    assert finding.status == (Status.WARN if where == "inside" else Status.FAIL)
    assert where in finding.message
    assert finding.evidence["as_typed"] == shown
    assert finding.evidence["length"] == len(key)
    assert OK not in codes(report)


def test_whitespace_cleaned_value_is_offered() -> None:
    finding = only(judge("  piplanning.io  "), "consumer-key/whitespace")
    assert finding.evidence["cleaned"] == "piplanning.io"
    assert "'piplanning.io'" in finding.remediation[0]


def test_whitespace_on_the_jira_side_names_jira() -> None:
    report = judge("abc", "abc ")
    finding = only(report, "consumer-key/whitespace")
    assert finding.subject == "in Jira"


def test_plain_key_has_no_whitespace_finding() -> None:
    assert codes(judge("piplanning.io")) == {OK}


# --- invisible characters ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key, name, position",
    [
        ("piplanning\u200b.io", "ZERO WIDTH SPACE", 10),
        ("pip\u00a0planning", "NO-BREAK SPACE", 3),
        ("\ufeffpiplanning.io", "BYTE ORDER MARK", 0),
        ("pip\x07planning", "U+0007", 3),
        ("pip\x00planning", "U+0000", 3),
        ("pip\u200dplanning", "ZERO WIDTH JOINER", 3),
        ("pip\u2060planning", "WORD JOINER", 3),
    ],
)
def test_invisible_characters_are_caught(key: str, name: str, position: int) -> None:
    report = judge(key)
    finding = only(report, "consumer-key/invisible-character")
    assert finding.status == Status.FAIL
    assert finding.evidence["characters"] == [{"position": position + 1, "name": name}]  # 1-based
    assert f"U+{ord(key[position]):04X}" in finding.evidence["as_typed"]
    assert finding.evidence["cleaned"] == key.replace(key[position], "").strip()
    assert OK not in codes(report)


def test_visible_unicode_letters_are_not_invisible() -> None:
    report = judge("café-ключ")
    assert not found(report, "consumer-key/invisible-character")
    assert not found(report, "consumer-key/whitespace")


# --- unusual characters --------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["abc$def", "abc/def", "abc+def", "é-key", "abc@def"])
def test_unusual_characters_warn(key: str) -> None:
    report = judge(key)
    finding = only(report, "consumer-key/unusual-character")
    assert finding.status == Status.WARN
    assert report.checks[0].status == Status.WARN


def test_unusual_characters_mention_the_guide_for_jira_align() -> None:
    finding = only(judge("key$1", integration="jira-align"), "consumer-key/unusual-character")
    assert "Jira Align" in finding.message and "no spaces or symbols" in finding.message


@pytest.mark.parametrize("key", ["piplanning.io", "jira_align-1:prod", "ABC123"])
def test_plain_keys_are_not_unusual(key: str) -> None:
    assert codes(judge(key)) == {OK}


# --- mismatch ------------------------------------------------------------------------------------


def test_mismatch_shows_the_trailing_space() -> None:
    report = judge("piplanning.io ", "piplanning.io")
    finding = only(report, "consumer-key/mismatch")
    assert finding.status == Status.FAIL
    assert finding.evidence["integration"] == "piplanning.io␣"
    assert finding.evidence["jira"] == "piplanning.io"
    assert finding.evidence["first_difference_at"] == len("piplanning.io") + 1  # the space, counted from 1
    assert "piplanning.io␣" in finding.message
    assert "consumer_key_unknown" in finding.message


def test_mismatch_of_different_keys() -> None:
    finding = only(judge("jira-align", "jiraalign"), "consumer-key/mismatch")
    assert finding.evidence["first_difference_at"] == 5


def test_case_differs_is_a_mismatch() -> None:
    assert found(judge("PiPlanning", "piplanning"), "consumer-key/mismatch")


def test_same_key_on_both_sides_is_ok() -> None:
    report = judge("piplanning.io", "piplanning.io")
    assert codes(report) == {OK}
    assert "same on both sides" in only(report, OK).message
    assert report.checks[0].status == Status.PASS


def test_jira_key_alone_is_judged() -> None:
    assert only(judge(None, "abc\u200b"), "consumer-key/invisible-character").subject == "in Jira"
    assert codes(judge(None, "abc")) == {OK}


def test_empty_key_on_one_side_is_a_mismatch_not_a_crash() -> None:
    assert found(judge("", "abc"), "consumer-key/mismatch")


# --- verbatim through the CLI --------------------------------------------------------------------


@pytest.mark.parametrize(
    "key, code", [(" abc ", "consumer-key/whitespace"), ("abc\u00a0", "consumer-key/invisible-character")]
)
def test_cli_takes_the_key_verbatim(key: str, code: str) -> None:
    result = CliRunner().invoke(
        main,
        [
            "doctor",
            "--offline",
            "--consumer-key",
            key,
            "--jira-consumer-key",
            "abc",
            "--format",
            "json",
            "--only",
            "consumer-key",
        ],
    )
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    found_codes = {f["code"] for c in data["checks"] for f in c["findings"]}
    assert {code, "consumer-key/mismatch"} <= found_codes


def test_cli_env_key_is_verbatim() -> None:
    result = CliRunner().invoke(
        main,
        ["doctor", "--offline", "--format", "json", "--only", "consumer-key"],
        env={"JIRADOCTOR_CONSUMER_KEY": "abc ", "JIRADOCTOR_JIRA_CONSUMER_KEY": "abc"},
    )
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    mismatch = [f for c in data["checks"] for f in c["findings"] if f["code"] == "consumer-key/mismatch"]
    assert mismatch and mismatch[0]["evidence"]["integration"] == "abc␣"


# --- the helpers ---------------------------------------------------------------------------------


def test_cleaned_and_first_difference() -> None:
    assert ck.cleaned("\ufeff abc\u200b ") == "abc"
    assert ck.first_difference("abc", "abc ") == 3
    assert ck.first_difference("abc", "abc") == 3
    assert ck.first_difference("xbc", "abc") == 0


def test_inner_whitespace_fails_where_the_guide_forbids_spaces() -> None:
    report = run_checks([CHECK], Target(consumer_key="pip planning", integration="jira-align"))
    assert only(report, "consumer-key/whitespace").status == Status.FAIL
