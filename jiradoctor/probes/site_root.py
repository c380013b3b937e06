"""``site_root_info``: serverInfo asked at the site root, to say which context path Jira lives at.

Only the reachability check asks for it, and only when the given URL has a path and did not
answer like Jira there: one light anonymous GET, no credentials.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jiradoctor.facts import Fact
from jiradoctor.jira.fingerprint import origin_of
from jiradoctor.probes.http import HttpAnswer, fetch

if TYPE_CHECKING:
    from jiradoctor.context import Facts


async def probe(facts: "Facts") -> HttpAnswer | None:
    origin = origin_of(facts.target.url or "")
    if origin is None:
        return None
    return await fetch(facts, "GET", origin + "/rest/api/2/serverInfo")


SITE_ROOT_INFO: Fact[HttpAnswer | None] = Fact(
    "site_root_info", "The answer at the site's root, when the URL has a context path"
)

FACTS = {SITE_ROOT_INFO.name: probe}
