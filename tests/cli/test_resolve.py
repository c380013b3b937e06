"""`resolve(raw, environ)`: the one step from the command line's (or an inventory's) values to a Target,
raising every usage error before the first probe."""

from __future__ import annotations

from pathlib import Path

import pytest

from jiradoctor.cli import main
from jiradoctor.cli.resolve import resolve
from jiradoctor.target import InputError


def raw(*args: str) -> dict:
    """The doctor's parsed values for these arguments (click fills every default)."""
    return main.commands["doctor"].make_context("doctor", list(args)).params


@pytest.mark.parametrize(
    ("args", "said"),
    [
        ((), "nothing to check"),
        (("--url", "jira.example.com"), "did you mean 'https://jira.example.com'"),
        (("--url", "https://jira.example.com", "--integration", "nope"), "unknown integration 'nope'"),
        (("--url", "http://[::1"), "malformed URL"),
    ],
)
def test_every_usage_error_is_raised_by_resolve(args: tuple[str, ...], said: str) -> None:
    with pytest.raises(InputError, match=said.replace("(", r"\(").replace("[", r"\[")):
        resolve(raw(*args), {})


def test_an_empty_profile_file_and_a_proxy_variable_from_the_given_environment(tmp_path: Path) -> None:
    empty = tmp_path / "profiles.toml"
    empty.write_text("  \n")
    with pytest.raises(InputError, match="is empty"):
        resolve(raw("--url", "https://jira.example.com", "--profile-file", str(empty)), {})
    with pytest.raises(InputError, match="HTTPS_PROXY"):  # the environment given, not this process's
        resolve(raw("--url", "https://jira.example.com"), {"HTTPS_PROXY": "http://[::1"})


def test_a_resolved_target_holds_what_was_parsed(tmp_path: Path) -> None:
    xml = tmp_path / "server.xml"
    xml.write_text('<Server><Service><Connector port="8080" proxyName="jira.example.com"/></Service></Server>')
    target = resolve(raw("--url", "https://jira.example.com", "--integration", "kendis", "--server-xml", str(xml)), {})
    assert target.profile.id == "kendis"
    read = target.server_xml_read
    assert read is not None and not isinstance(read, Exception) and read.connectors[0].proxy_name == "jira.example.com"
