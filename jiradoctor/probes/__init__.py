"""Probes: all of jiradoctor's I/O, one module per kind, each returning a typed fact.

``PROBES`` maps a fact name to the coroutine that gathers it; :class:`jiradoctor.context.Facts`
runs each at most once per run, and the checks awaiting a fact share its result.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jiradoctor.probes import http, oauth, server_info

if TYPE_CHECKING:
    from jiradoctor.context import ProbeFn

PROBES: dict[str, "ProbeFn"] = {
    "http_client": http.http_client_probe,
    "server_info": server_info.probe,
    "oauth_request_token": oauth.request_token_probe,
    "oauth_request_token_cleaned": oauth.request_token_cleaned_probe,
    "oauth_rest_call": oauth.rest_call_probe,
}
