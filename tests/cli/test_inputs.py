"""The one table of inputs (jiradoctor/inputs.py) is what the CLI, the Target and the redactor use."""

from __future__ import annotations

import dataclasses

from jiradoctor.cli import SECRET_OPTIONS, main
from jiradoctor.inputs import INPUT_NAMES, INPUTS, SECRET_INPUTS
from jiradoctor.secrets import Secret
from jiradoctor.target import Target, describe_inputs

NOT_INPUTS = {"extra", "private_key_path", "public_key_path", "server_xml_path"}  # derived, not given


def test_every_doctor_option_for_the_target_is_in_the_table_with_its_environment_variable() -> None:
    params = {p.name: p for p in main.commands["doctor"].params}
    for item in INPUTS:
        assert item.param in params, item.option
        param = params[item.param]
        assert item.option in param.opts
        assert getattr(param, "envvar", None) == item.env


def test_every_target_field_is_an_input_and_back() -> None:
    fields = {f.name for f in dataclasses.fields(Target)} - NOT_INPUTS
    assert fields == {i.name for i in INPUTS}


def test_secrets_are_secrets_everywhere() -> None:
    fields = {f.name: f for f in dataclasses.fields(Target)}
    for item in SECRET_INPUTS:
        assert "Secret" in str(fields[item.name].type), item.name
    assert set(SECRET_OPTIONS) == {i.param for i in INPUTS if i.kind == "secret"}
    assert "password" in SECRET_OPTIONS and "private_key" not in SECRET_OPTIONS  # a path is not a secret


def test_the_redactor_masks_every_secret_input() -> None:
    values = {i.name: Secret(f"s3cret-{i.name}-value") for i in SECRET_INPUTS if i.name != "private_key"}
    target = Target(user="svc", admin_user="adm", **values)
    redactor = target.redactor()
    for name, secret in values.items():
        assert secret.reveal() not in redactor.text(f"leak {secret.reveal()} here"), name


def test_skip_reasons_name_the_flags() -> None:
    assert INPUT_NAMES["proxy_config_path"] == "--proxy-config"
    assert describe_inputs(("private_key", "truststore_password")) == "--private-key or --truststore-password"


def test_every_input_is_in_exactly_one_help_section() -> None:
    from jiradoctor.inputs import GROUPS

    listed = [name for names in GROUPS.values() for name in names]
    assert sorted(listed) == sorted(i.name for i in INPUTS)


def test_doctor_help_is_grouped_and_ends_with_examples_and_exit_codes() -> None:
    from click.testing import CliRunner

    from jiradoctor.inputs import GROUPS, RUN_OPTION_GROUP

    shown = CliRunner().invoke(main, ["doctor", "--help"], terminal_width=110).output
    positions = [shown.index(f"{title}:") for title in (*GROUPS, RUN_OPTION_GROUP)]
    assert positions == sorted(positions)
    assert shown.index("--server-xml") > shown.index("Customer files and Jira's side:")
    assert shown.index("--fail-on") > shown.index(f"{RUN_OPTION_GROUP}:")
    assert "Examples:" in shown and "Exit codes:" in shown and shown.index("Exit codes:") > shown.index("--fail-on")
    for code in ("0", "1", "2", "3", "4", "5", "130"):
        assert f"\n  {code} " in shown


def test_the_doctor_options_are_generated_from_the_table() -> None:
    """The table is the only declaration: every option but --config is one of its rows, with its help,
    environment variable, and the type its kind says."""
    import click

    from jiradoctor.inputs import RUN_INPUTS

    params = {p.name: p for p in main.commands["doctor"].params if p.name != "config"}
    rows = {i.param: i for i in (*INPUTS, *RUN_INPUTS)}
    assert set(params) == set(rows)
    for name, param in params.items():
        row = rows[name]
        assert isinstance(param, click.Option)
        assert row.option in param.opts and param.envvar == row.env
        assert (param.help or "").startswith(row.help.split("{")[0][:40])
        assert param.is_flag == (row.kind == "flag") and param.multiple == (row.kind in ("list", "output"))
        if row.choices:
            assert isinstance(param.type, click.Choice) and tuple(param.type.choices) == row.choices
        if row.kind in ("file", "output"):
            assert isinstance(param.type, click.Path) and param.type.exists == row.must_exist
