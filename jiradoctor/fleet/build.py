"""One inventory entry -> the doctor's Target and RunOptions, through the doctor's own parsing.

click fills defaults, converts types and runs the options' callbacks exactly as for
``jiradoctor doctor --config``; then the doctor's validations and ``build_target``. click reads
``JIRADOCTOR_*`` variables before ``default_map``: a stray ``JIRADOCTOR_PASSWORD`` in the fleet's
environment would apply to every target, so the parse runs with those variables removed (the
event loop is single-threaded: nothing else reads the environment meanwhile) and restores them.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Iterator, Mapping

import click

from jiradoctor.fleet.inventory import TargetEntry, TargetProblem
from jiradoctor.inputs import ENV_PREFIX

if TYPE_CHECKING:
    from jiradoctor.runner import RunOptions
    from jiradoctor.target import Target


def config_names() -> dict[str, str]:
    """Config key (underscored) -> the doctor's click parameter name, as ``--config`` maps them."""
    from jiradoctor.cli.doctor import doctor

    return {opt.lstrip("-").replace("-", "_"): str(p.name) for p in doctor.params for opt in p.opts
            if opt.startswith("--")}


@contextmanager
def without_doctor_variables() -> Iterator[None]:
    """``JIRADOCTOR_*`` removed from the environment for the block, put back after."""
    saved = {k: v for k, v in os.environ.items() if k.startswith(ENV_PREFIX)}
    for key in saved:
        del os.environ[key]
    try:
        yield
    finally:
        for key in [k for k in os.environ if k.startswith(ENV_PREFIX)]:
            del os.environ[key]
        os.environ.update(saved)


def doctor_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The doctor's parameters for these config values: click's defaults, types and callbacks."""
    from jiradoctor.cli.doctor import doctor

    with without_doctor_variables():
        try:
            ctx = doctor.make_context("doctor", [], default_map={"config": "", **params})
        except click.ClickException as exc:
            raise TargetProblem(exc.format_message()) from None
    return dict(ctx.params)


def make_target(
    entry: TargetEntry, environ: Mapping[str, str], known_checks: frozenset[str]
) -> tuple[Target, RunOptions]:
    """The Target and RunOptions of one entry, or TargetProblem saying why it cannot run."""
    from jiradoctor.secrets import Redactor

    resolved = entry.resolve(environ)
    redactor = Redactor(str(resolved[p]) for p in entry.secret_sources if resolved.get(p))
    try:
        return _make(resolved, known_checks)
    except TargetProblem as exc:  # a message may quote an input: never one of the target's secrets
        raise TargetProblem(redactor.text(str(exc))) from None
    except Exception as exc:  # e.g. a profile file that cannot be read: still this target's problem
        raise TargetProblem(redactor.text(f"{type(exc).__name__}: {exc}")) from None


def _make(resolved: dict[str, Any], known_checks: frozenset[str]) -> tuple[Target, RunOptions]:
    """What ``jiradoctor doctor`` checks before it runs (jiradoctor/cli/doctor.py), as a target's problem."""
    from jiradoctor.cli.resolve import _split, resolve
    from jiradoctor.runner import RunOptions
    from jiradoctor.target import InputError

    opts = doctor_params(resolved)
    only, skip = _split(opts["only"]), _split(opts["skip"])
    unknown = [i for i in (*only, *skip) if i not in known_checks]
    if unknown:
        raise TargetProblem(f"unknown check id(s) in only/skip: {', '.join(unknown)}")
    try:  # the doctor's own resolution step; the environment's JIRADOCTOR_* never reach a target
        target = resolve(opts, os.environ)
    except (InputError, click.ClickException) as exc:
        raise TargetProblem(exc.format_message() if isinstance(exc, click.ClickException) else str(exc)) from None
    return target, RunOptions(only=only, skip=skip, deep=bool(opts["deep"]))
