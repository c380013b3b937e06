"""The generated reference (docs/REFERENCE.md) is current, and every built-in fact has a typed key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from jiradoctor.facts import Fact
from jiradoctor.reference import fact_entries, markdown

ROOT = Path(__file__).resolve().parent.parent


def test_committed_reference_is_current() -> None:
    committed = (ROOT / "docs" / "REFERENCE.md").read_text(encoding="utf-8")
    stale = "docs/REFERENCE.md is stale: run `jiradoctor checks --reference > docs/REFERENCE.md`"
    assert committed == markdown(), stale


def test_the_cli_prints_the_same_reference(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "jiradoctor", "checks", "--reference"], capture_output=True, text=True,
                          timeout=60, cwd=tmp_path, check=True)
    assert done.stdout == markdown()


def test_every_probe_fact_has_one_typed_key() -> None:
    """ctx.fact is typed for every built-in fact: each name a probe gathers has a Fact[T] key."""
    from jiradoctor.probes import PROBES

    entries = fact_entries()
    names = [e.name for e in entries]
    assert len(names) == len(set(names)), "two keys for one fact"
    assert set(names) == set(PROBES)
    untyped = [e.constant for e in entries if e.type in ("?", "Any", "")]
    assert not untyped, f"keys without a type: {untyped}"


def test_a_key_is_only_its_name_to_the_runner() -> None:
    key: Fact[int] = Fact("x", "a number")
    assert str(key) == "x" and key == Fact("x", "a number") and hash(key) == hash(Fact("x", "a number"))


def test_reference_names_every_check_and_code() -> None:
    from jiradoctor.registry import builtin_checks

    text = markdown()
    for check in builtin_checks():
        assert f"### `{check.id}`" in text
        for code in check.codes:
            assert f"`{code}`" in text
