"""The inventory: the doctor's keys, secrets only by reference, a stray JIRADOCTOR_* never applied."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jiradoctor.fleet import inventory
from jiradoctor.fleet.build import config_names, doctor_params, make_target
from jiradoctor.fleet.inventory import InventoryError, TargetProblem
from tests.fleet.helpers import run_cli

NAMES = config_names()
SECRET = "Literal-Secret-Canary-93jd"
KNOWN = frozenset({"reachability", "auth"})


def parse(text: str) -> inventory.Inventory:
    return inventory.parse(text, NAMES)


def test_defaults_and_targets_use_the_doctors_keys() -> None:
    inv = parse('[defaults]\ntimeout = 3\nprojects = ["A", "B"]\n[[target]]\nname = "a"\nurl = "https://a.example/"\n'
                '[[target]]\nname = "b"\nurl = "https://b.example/"\ntimeout = 7\nuser-agent = "x"\n')
    a, b = inv.targets
    assert a.params == {"timeout": 3, "projects": ("A", "B"), "url": "https://a.example/"}
    assert b.params["timeout"] == 7 and b.params["user_agent"] == "x"


@pytest.mark.parametrize("key", ["password", "token", "pat", "client-secret", "admin_password", "truststore-password"])
def test_a_literal_secret_is_refused_naming_key_and_target_not_the_value(key: str) -> None:
    with pytest.raises(InventoryError) as raised:
        parse(f'[[target]]\nname = "acme"\nurl = "https://a.example/"\n{key} = "{SECRET}"\n')
    assert key in str(raised.value) and "'acme'" in str(raised.value) and SECRET not in str(raised.value)
    assert "_env" in str(raised.value)


def test_a_literal_secret_in_defaults_is_refused_too() -> None:
    with pytest.raises(InventoryError, match=r"\[defaults\]: password"):
        parse(f'[defaults]\npassword = "{SECRET}"\n[[target]]\nname = "a"\nurl = "https://a.example/"\n')


@pytest.mark.parametrize(
    "text, words",
    [
        ('[[target]]\nname = "a"\nurl = "https://a/"\nbogus = 1\n', "unknown key 'bogus'"),
        ('[[target]]\nname = "a"\nurl = "https://a/"\n[[target]]\nname = "A"\nurl = "https://b/"\n', "used twice"),
        ('[[target]]\nname = "../etc"\nurl = "https://a/"\n', "name must be"),
        ('[[target]]\nname = "a"\n', "url is required"),
        ('[[target]]\nname = "a"\nurl = "https://a/"\noutput = ["x.json"]\n', "decided by the fleet"),
        ("[defaults]\ntimeout = 1\n", "no [[target]]"),
        ("[[target]\n", "not TOML"),
    ],
)
def test_unusable_inventories_say_why(text: str, words: str) -> None:
    with pytest.raises(InventoryError) as raised:
        parse(text)
    assert words in str(raised.value)


def test_the_cli_makes_a_literal_secret_a_usage_error_without_echoing_it(tmp_path: Path) -> None:
    path = tmp_path / "inv.toml"
    path.write_text(f'[[target]]\nname = "acme"\nurl = "https://a.example/"\npassword = "{SECRET}"\n')
    done = run_cli(["fleet", "run", str(path), "-o", str(tmp_path / "out")], cwd=tmp_path)
    assert done.returncode == 2
    assert "password" in done.stderr and "acme" in done.stderr
    assert SECRET not in done.stdout + done.stderr


def test_secrets_come_from_a_variable_or_a_file(tmp_path: Path) -> None:
    (tmp_path / "pat.txt").write_text("pat-from-file\n")
    inv = parse(f'[defaults]\npassword_env = "P"\n[[target]]\nname = "a"\nurl = "https://a/"\n'
                f'pat_file = "{tmp_path / "pat.txt"}"\n')
    resolved = inv.targets[0].resolve({"P": "pw-from-env"})
    assert resolved["password"] == "pw-from-env" and resolved["pat"] == "pat-from-file"


@pytest.mark.parametrize(
    "line, environ, words",
    [
        ('password_env = "MISSING"', {}, "'MISSING', which is not set"),
        ('password_env = "EMPTY"', {"EMPTY": ""}, "which is empty"),
        ('password_file = "/nonexistent/secret"', {}, "cannot read password_file"),
        ('password_env = "DASH"', {"DASH": "-"}, "ask at a prompt"),
    ],
)
def test_a_missing_secret_is_that_targets_problem(line: str, environ: dict[str, str], words: str) -> None:
    inv = parse(f'[[target]]\nname = "a"\nurl = "https://a/"\nuser = "u"\n{line}\n')
    with pytest.raises(TargetProblem, match=words):
        make_target(inv.targets[0], environ, KNOWN)


def test_a_large_secret_file_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "big"
    big.write_bytes(b"x" * (inventory.MAX_SECRET_FILE_BYTES + 10))
    inv = parse(f'[[target]]\nname = "a"\nurl = "https://a/"\npat_file = "{big}"\n')
    with pytest.raises(TargetProblem, match="larger than"):
        inv.targets[0].resolve({})


def test_click_fills_defaults_types_and_callbacks_as_for_the_doctor() -> None:
    params = doctor_params({"url": "https://a/", "timeout": "4.5", "projects": ("A",)})
    assert params["timeout"] == 4.5 and params["integration"] == "generic" and params["projects"] == ("A",)
    with pytest.raises(TargetProblem, match="timeout"):
        doctor_params({"url": "https://a/", "timeout": "soon"})


def test_a_stray_jiradoctor_variable_never_applies_to_a_target(monkeypatch: pytest.MonkeyPatch) -> None:
    """click reads JIRADOCTOR_* before default_map: the parse must not see them, and they come back after."""
    monkeypatch.setenv("JIRADOCTOR_PASSWORD", SECRET)
    monkeypatch.setenv("JIRADOCTOR_TIMEOUT", "99")
    params = doctor_params({"url": "https://a/", "user": "u"})
    assert params["password"] is None and params["timeout"] != 99
    assert os.environ["JIRADOCTOR_PASSWORD"] == SECRET and os.environ["JIRADOCTOR_TIMEOUT"] == "99"
    # the other direction: the same parse with the variable visible would have applied it
    from jiradoctor.cli.doctor import doctor

    ctx = doctor.make_context("doctor", [], default_map={"config": "", "url": "https://a/"})
    assert ctx.params["password"] == SECRET


def test_doctor_validations_apply_per_target() -> None:
    inv = parse('[[target]]\nname = "a"\nurl = "ftp://a/"\n[[target]]\nname = "b"\nurl = "https://b/"\n'
                'integration = "no-such-integration"\n[[target]]\nname = "c"\nurl = "https://c/"\nonly = ["nope"]\n')
    problems = []
    for entry in inv.targets:
        with pytest.raises(TargetProblem) as raised:
            make_target(entry, {}, KNOWN)
        problems.append(str(raised.value))
    assert "ftp" in problems[0] or "scheme" in problems[0]
    assert "no-such-integration" in problems[1]
    assert "nope" in problems[2]
    target, options = make_target(parse('[[target]]\nname = "d"\nurl = "https://d/"\nonly = ["auth"]\n').targets[0],
                                  {}, KNOWN)
    assert target.url == "https://d/" and options.only == ("auth",)


def test_a_target_problem_never_quotes_the_targets_secret() -> None:
    inv = parse(f'[[target]]\nname = "a"\nurl = "ftp://jira.example/{SECRET}"\nuser = "u"\npassword_env = "P"\n')
    with pytest.raises(TargetProblem) as raised:
        make_target(inv.targets[0], {"P": SECRET}, KNOWN)
    assert "ftp" in str(raised.value) and SECRET not in str(raised.value)
    # the other direction: the same URL with another password is quoted as given
    with pytest.raises(TargetProblem, match=SECRET):
        make_target(inv.targets[0], {"P": "something-else-entirely"}, KNOWN)
