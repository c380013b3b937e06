"""What Atlassian's edge answers on a Cloud site before Jira does: the anonymous tenant info.

Why: a scoped API token works only through ``https://api.atlassian.com/ex/jira/{cloudId}``; the
site names its cloudId anonymously at ``/_edge/tenant_info`` (JIRA-FACTS §4).
UNCONFIRMED: the exact shape of ``/_edge/tenant_info`` (the lab answers ``{"cloudId": "..."}``).
"""

from __future__ import annotations

import uuid

from jiradoctor_lab.messages import Response
from jiradoctor_lab.runtime import LabRuntime

TENANT_INFO = "/_edge/tenant_info"


def cloud_id(runtime: LabRuntime) -> str:
    """A stable cloudId per scenario (a UUID, as Cloud's are); the OAuth 2.0 app's site id when the
    scenario has one, so that the gateway URL built from tenant_info is the one the token reaches."""
    from jiradoctor_lab.oauth2_provider import lab_for

    oauth2 = lab_for(runtime)
    if oauth2 is not None and oauth2.spec.cloud_id:
        return oauth2.spec.cloud_id
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"jiradoctor-lab:{runtime.scenario.name}"))


def tenant_info(runtime: LabRuntime) -> Response:
    resp = Response.json(200, {"cloudId": cloud_id(runtime)})
    resp.jira_headers = False
    return resp.add("Server", "AtlassianProxy/1.15.8.1")
