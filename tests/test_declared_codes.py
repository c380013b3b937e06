"""Every finding code a built-in check can emit is declared in its ``Check.codes`` (the contract
users build on lists them), read from the code itself: each ``Finding(...)`` / ``view.finding(...)``
call's code argument in the check's module (and its package's parts)."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from types import ModuleType

from jiradoctor.registry import builtin_checks


def _strings(node: ast.expr, consts: dict[str, str]) -> set[str] | None:
    """The strings an expression can be: a literal, a module constant, a conditional of them, or
    ``PREFIX + "slug"``; None when it is computed some other way."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.Name) and node.id in consts:
        return {consts[node.id]}
    if isinstance(node, ast.IfExp):
        a, b = _strings(node.body, consts), _strings(node.orelse, consts)
        return a | b if a is not None and b is not None else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        a, b = _strings(node.left, consts), _strings(node.right, consts)
        return {x + y for x in a for y in b} if a is not None and b is not None else None
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):  # code or "default"
        parts = [_strings(v, consts) for v in node.values]
        return set().union(*[p for p in parts if p is not None]) if any(parts) else None
    return None


def emitted_codes(module: ModuleType, check_id: str) -> set[str]:
    tree = ast.parse(inspect.getsource(module))
    consts = {t.id: n.value.value for n in tree.body if isinstance(n, ast.Assign) and len(n.targets) == 1
              for t in n.targets if isinstance(t, ast.Name)
              and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        if name not in ("Finding", "finding"):
            continue
        for text in _strings(node.args[0], consts) or set():
            if name == "finding" and "/" not in text:
                text = f"{check_id}/{text}"  # tls's view.finding("slug", ...)
            if text.startswith(f"{check_id}/") or "/" in text:
                found.add(text)
    return found


def test_every_emitted_code_is_declared_by_its_check() -> None:
    seen_any = 0
    for check in builtin_checks():
        module = inspect.getmodule(check.judge)
        assert module is not None
        parts = [importlib.import_module(f"{module.__name__}.{p.name}")
                 for p in pkgutil.iter_modules(getattr(module, "__path__", []))]
        emitted = set().union(*(emitted_codes(m, check.id) for m in [module, *parts]))
        seen_any += len(emitted)
        undeclared = sorted(c for c in emitted if c.startswith(f"{check.id}/") and c not in check.codes)
        assert not undeclared, f"{check.id} emits codes it does not declare: {undeclared}"
    assert seen_any > 100  # the scan reads the checks' codes, not nothing


def test_the_scan_sees_prefixed_and_conditional_codes() -> None:
    tree = ast.parse('P = "x/"\nFinding(P + ("a" if q else "b"), S, "m")\n')
    consts = {"P": "x/"}
    call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call))
    assert _strings(call.args[0], consts) == {"x/a", "x/b"}
