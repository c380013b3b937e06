"""Cloud or Server/Data Center, told by every sign the run's answers carry (not serverInfo's field
alone). Its own module: the login probe and the OAuth 2.0 probe both ask, and neither imports the
other for it."""

from __future__ import annotations

from typing import Any

from jiradoctor.jira import auth_signals
from jiradoctor.probes.http import HttpAnswer


def cloud_signals_of(info: Any, url: str | None, *answers: HttpAnswer | None) -> tuple[str, ...]:
    """Signs of Cloud in serverInfo's answers, the URL, the realm and any further answers."""
    return auth_signals.cloud_signals(
        [getattr(info, "answer", None), getattr(info, "challenge", None), *answers], url,
        getattr(info, "realm", None), getattr(info, "deployment", None))


def deployment_of(info: Any, url: str | None, *answers: HttpAnswer | None) -> str | None:
    """"Cloud" when any sign of Cloud shows (not serverInfo's field alone); "Server" when
    serverInfo says so and nothing says Cloud; None when nothing tells."""
    if cloud_signals_of(info, url, *answers):
        return "Cloud"
    deployment = getattr(info, "deployment", None)
    if deployment:
        return "Server"  # Data Center 10.3 reports "Server" too (JIRA-FACTS §3)
    return None


__all__ = ["cloud_signals_of", "deployment_of"]
