"""Typed fact keys: the names probes gather under and checks ask for, each bound to its type.

A probe module declares each fact it gathers as ``TLS: Fact[TlsFact] = Fact("tls", "...")`` next
to the frozen dataclass it returns; a check asks ``await ctx.fact(TLS)`` and gets a ``TlsFact``,
so a reader (and mypy) can follow a fact from the probe that makes it to the check that judges it.
This module imports nothing heavy: a check importing a key must not load the network stack.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T_co = TypeVar("T_co", covariant=True)  # a key of a Route is a key of a "Route | None"


@dataclass(frozen=True)
class Fact(Generic[T_co]):
    """The key of one fact. ``name`` is its stable id (what ``Check.facts`` lists and tests
    preset); ``doc`` one line for the generated reference (docs/REFERENCE.md)."""

    name: str
    doc: str = ""

    def __str__(self) -> str:
        return self.name


class UndeclaredFact(LookupError):
    """A check asked for a fact it does not declare in ``Check.facts`` or ``Check.reads``.

    The runner turns this into the check's ``error`` result: what a check reads must be visible
    in its metadata, or ``--offline``, prefetch and the time limits would plan without it."""
