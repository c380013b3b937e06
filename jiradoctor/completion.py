"""Values the shell completes: integration names, check ids, finding codes (lab scenarios: the lab's own
cli, which the product never imports).

Each function is a click ``shell_complete`` callback; it imports what it lists only when the shell
asks (a tab press), never when the command runs.
"""

from __future__ import annotations

from typing import Any

from click.shell_completion import CompletionItem


def matching(incomplete: str, names: list[str], prefix: str = "") -> list[CompletionItem]:
    return [CompletionItem(prefix + n) for n in names if n.startswith(incomplete)]


def integrations(_ctx: Any, _param: Any, incomplete: str) -> list[CompletionItem]:
    from jiradoctor.jira.integrations import INTEGRATION_IDS

    return matching(incomplete, list(INTEGRATION_IDS))


def check_ids(_ctx: Any, _param: Any, incomplete: str) -> list[CompletionItem]:
    """The last id of a comma-separated list (``--only dns,tl<TAB>``)."""
    from jiradoctor.registry import load_checks

    done, _, last = incomplete.rpartition(",")
    return matching(last, list(load_checks().ids), done + "," if done else "")


def checks_and_codes(_ctx: Any, _param: Any, incomplete: str) -> list[CompletionItem]:
    from jiradoctor.registry import load_checks

    loaded = load_checks()
    return matching(incomplete, [*loaded.ids, *(code for check in loaded.checks for code in check.codes)])

