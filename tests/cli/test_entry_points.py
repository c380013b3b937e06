"""jiradoctor's own entry-point reader (jiradoctor/entry_points.py) says what importlib.metadata says."""

from __future__ import annotations

import importlib.metadata
import sys
import zipfile

import pytest

from jiradoctor import entry_points as ours

GROUPS = ["console_scripts", "pytest11", "jiradoctor.commands.v1", "jiradoctor.checks.v1", "jiradoctor.checks",
          "no.such.group"]


@pytest.mark.parametrize("group", GROUPS)
def test_the_same_entry_points_as_importlib_metadata(group: str) -> None:
    standard = sorted((ep.name, ep.value) for ep in importlib.metadata.entry_points(group=group))
    assert sorted((ep.name, ep.value) for ep in ours.entry_points(group)) == standard


def test_the_lab_commands_are_found_and_load() -> None:
    found = {ep.name: ep for ep in ours.entry_points("jiradoctor.commands.v1")}
    assert {"demo", "lab"} <= set(found)
    assert callable(found["demo"].load())


def test_a_distribution_of_our_own_with_a_plugin(tmp_path, monkeypatch) -> None:
    """Both directions: a plugin installed ahead on sys.path is found, and a second copy of the same
    distribution further down is not (the first of a name wins, as importlib.metadata decides)."""
    for folder, value in (("first", "first_mod:check"), ("second", "second_mod:check")):
        info = tmp_path / folder / "acme_checks-1.0.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-checks\nVersion: 1.0\n")
        (info / "entry_points.txt").write_text(f"# a comment\n[jiradoctor.checks.v1]\nacme = {value} [extra]\n")
    monkeypatch.setattr(sys, "path", [str(tmp_path / "first"), str(tmp_path / "second"), *sys.path])
    mine = [ep for ep in ours.entry_points("jiradoctor.checks.v1") if ep.name == "acme"]
    standard = [ep for ep in importlib.metadata.entry_points(group="jiradoctor.checks.v1") if ep.name == "acme"]
    assert [(ep.name, ep.value) for ep in mine] == [(ep.name, ep.value) for ep in standard]
    assert [ep.value for ep in mine] == ["first_mod:check [extra]"]


def test_a_zip_on_sys_path_is_left_to_importlib_metadata(tmp_path, monkeypatch) -> None:
    archive = tmp_path / "plugin.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("zipped_plugin-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: zipped-plugin\nVersion: 1.0\n")
        z.writestr("zipped_plugin-1.0.dist-info/entry_points.txt", "[jiradoctor.checks.v1]\nzipped = zmod:check\n")
    monkeypatch.setattr(sys, "path", [str(archive), *sys.path])
    assert [ep.value for ep in ours.entry_points("jiradoctor.checks.v1") if ep.name == "zipped"] == ["zmod:check"]
