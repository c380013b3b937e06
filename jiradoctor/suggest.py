"""'Did you mean …?' for a mistyped name (an integration, a check id, a finding code, a scenario).

difflib's ratio is enough for names this short; one suggestion, or none when nothing is close.
"""

from __future__ import annotations

from collections.abc import Iterable


def closest(value: str, choices: Iterable[str]) -> str | None:
    """The one choice close enough to ``value`` to be what was meant, compared case-blind."""
    import difflib

    by_lower = {c.lower(): c for c in choices}
    found = difflib.get_close_matches(value.lower(), list(by_lower), n=1, cutoff=0.6)
    return by_lower[found[0]] if found else None


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` or the empty string."""
    match = closest(value, choices)
    return f" (did you mean {match!r}?)" if match else ""
