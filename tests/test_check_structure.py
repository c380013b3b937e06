"""The shape every check keeps: found by its folder name, its id/title/codes up front, no check
importing another, no judge reading the clock, no `_`-prefixed hideaway modules (issue 11)."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import jiradoctor.checks as checks_package
from jiradoctor.registry import builtin_checks

CHECKS_DIR = Path(checks_package.__file__).parent
CLOCK_CALLS = {("datetime", "now"), ("datetime", "utcnow"), ("date", "today"), ("time", "time"),
               ("time", "monotonic"), ("time", "perf_counter"), ("datetime", "today")}


def check_files() -> list[Path]:
    return sorted(p for p in CHECKS_DIR.rglob("*.py") if p.name != "__init__.py" or p.parent != CHECKS_DIR)


def owner(path: Path) -> str:
    """The check package or module a file belongs to (``base_url`` for checks/base_url/live.py)."""
    rel = path.relative_to(CHECKS_DIR)
    return rel.parts[0].removesuffix(".py")


def test_no_hideaway_modules() -> None:
    hidden = [m.name for m in pkgutil.iter_modules([str(CHECKS_DIR)]) if m.name.startswith("_")]
    assert not hidden, f"a check's live half is a declared part of its package, not a hidden module: {hidden}"


def test_every_check_is_found_from_its_folder_name() -> None:
    for check in builtin_checks():
        name = check.id.replace("-", "_")
        module = importlib.import_module(f"jiradoctor.checks.{name}")
        assert module.CHECK is check
        assert (CHECKS_DIR / f"{name}.py").exists() or (CHECKS_DIR / name / "__init__.py").exists()


def test_no_check_imports_another_check() -> None:
    for path in check_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                if name.startswith("jiradoctor.checks."):
                    assert name.split(".")[2] == owner(path), f"{path.name} imports {name}"


def test_no_judge_reads_the_clock() -> None:
    """``now`` comes from the runner (ctx.now) or a probe's timestamps, never from a check."""
    for path in check_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, (ast.Name, ast.Attribute)):
                base = node.value.id if isinstance(node.value, ast.Name) else node.value.attr
                assert (base, node.attr) not in CLOCK_CALLS, f"{path.name}:{node.lineno} reads the clock"


def test_each_check_module_opens_with_its_id_title_and_codes() -> None:
    for check in builtin_checks():
        doc = importlib.import_module(check.judge.__module__).__doc__ or ""
        assert doc.startswith(f"{check.id}:"), check.id
        assert f"Title: {check.title}" in doc, check.id
        missing = [c for c in check.codes if c not in doc]
        assert not missing, f"{check.id}: codes not named at the top of its module: {missing}"


def test_a_hideaway_module_or_a_clock_read_would_be_caught(tmp_path: Path) -> None:
    """The scans above are not vacuous: they see what they look for."""
    sample = "import datetime as dt\nfrom jiradoctor.checks.tls import CHECK\nx = dt.datetime.now()\n"
    tree = ast.parse(sample)
    seen_clock = any(isinstance(n, ast.Attribute) and n.attr == "now" and isinstance(n.value, ast.Attribute)
                     and (n.value.attr, n.attr) in CLOCK_CALLS for n in ast.walk(tree))
    seen_import = any(isinstance(n, ast.ImportFrom) and (n.module or "").startswith("jiradoctor.checks.")
                      for n in ast.walk(tree))
    assert seen_clock and seen_import


def test_the_product_never_imports_the_lab() -> None:
    """The lab (jiradoctor_lab) sits beside the product and reaches the CLI by entry point only."""
    product = Path(checks_package.__file__).parent.parent
    for path in product.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else (
                [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            assert not any(n.split(".")[0] == "jiradoctor_lab" for n in names), f"{path} imports the lab"
