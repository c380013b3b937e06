"""Probes: all of jiradoctor's I/O, one module per kind, each returning a typed fact.

``PROBES`` maps a fact name to the coroutine that gathers it; :class:`jiradoctor.context.Facts`
runs each at most once per run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jiradoctor.context import ProbeFn

PROBES: dict[str, "ProbeFn"] = {}
