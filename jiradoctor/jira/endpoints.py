"""REST endpoints an integration depends on, and the ones Atlassian removed or moved under it.

Why data: an integration that worked for years breaks the day Jira stops serving the path it
calls; every other check stays green because jiradoctor does not call that path. Profiles list
what each integration calls (``rest_endpoints`` in integrations.toml); this module parses those
specs and knows where removed APIs went.

Spec: ``"METHOD /path[?query] [@cloud|@server] [unconfirmed]"``. Only GET specs are probed:
jiradoctor is read-only towards Jira.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class EndpointSpec:
    method: str
    path: str  # with its query, as sent
    deployment: str = "any"  # any | cloud | server
    confirmed: bool = True

    @property
    def bare_path(self) -> str:
        return self.path.split("?", 1)[0].rstrip("/") or "/"

    def applies_to(self, deployment: str | None) -> bool:
        if self.deployment == "any":
            return True
        if deployment is None:  # unknown deployment: only what the integration calls everywhere
            return False
        return self.deployment == ("cloud" if deployment == "Cloud" else "server")

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


class BadSpec(ValueError):
    pass


def parse_spec(text: str) -> EndpointSpec:
    parts = text.split()
    if len(parts) < 2 or parts[0].upper() not in ("GET", "HEAD", "POST") or not parts[1].startswith("/"):
        raise BadSpec(f"endpoint spec {text!r}: expected 'METHOD /path [@cloud|@server] [unconfirmed]'")
    deployment, confirmed = "any", True
    for word in parts[2:]:
        if word in ("@cloud", "@server"):
            deployment = word[1:]
        elif word == "unconfirmed":
            confirmed = False
        else:
            raise BadSpec(f"endpoint spec {text!r}: unknown word {word!r}")
    return EndpointSpec(parts[0].upper(), parts[1], deployment, confirmed)


@dataclass(frozen=True)
class Removal:
    """A path Atlassian removed or moved: where it went, since when, and the source."""

    pattern: re.Pattern[str]
    deployment: str  # cloud | server | any
    replacement: str
    since: str
    source: str


REMOVALS: tuple[Removal, ...] = (
    Removal(re.compile(r"/rest/api/(2|3|latest)/search"), "cloud", "/rest/api/3/search/jql (GET or POST; paged with "
                                                                   "nextPageToken)",
            "Jira Cloud, 2025 (CHANGE-2046)",
            "https://developer.atlassian.com/changelog/#CHANGE-2046 ; tenable/integration-jira-cloud#314"),
    # JIRA-FACTS §10: the Jira 10 path and body are confirmed (a bare array, on/off is `active`); whether
    # Jira 10 still serves the old path is unknown, so this is named only after this Jira answered 404/410
    Removal(re.compile(r"/rest/webhooks/1\.0/webhook"), "server",
            "/rest/jira-webhook/1.0/webhooks (a bare array; its on/off flag is 'active', not 'enabled')",
            "Jira Data Center 10 (webhooks moved)",
            "JIRA-FACTS §10 (Jira 10 docs, jira.js); n8n-io/n8n#12351"),
)


def removal_for(path: str, deployment: str | None) -> Removal | None:
    """The known removal of ``path`` on this deployment (None when none is known)."""
    bare = path.split("?", 1)[0].rstrip("/")
    for removal in REMOVALS:
        if not removal.pattern.fullmatch(bare):
            continue
        if removal.deployment == "any" or deployment is None or removal.deployment == (
                "cloud" if deployment == "Cloud" else "server"):
            return removal
    return None


# The write-shaped request that changes nothing: a JQL search asking for no issue at all. It goes
# through Jira's XSRF filter like any POST, and creates, edits and deletes nothing.
XSRF_PROBE_SERVER = ("/rest/api/2/search", {"jql": "", "maxResults": 0, "fields": ["id"]})
XSRF_PROBE_CLOUD = ("/rest/api/3/search/jql", {"jql": "created >= -1d", "maxResults": 0, "fields": ["id"]})
XSRF_MARK = "xsrf check failed"
BROWSER_UA = re.compile(r"^Mozilla/\d", re.IGNORECASE)
