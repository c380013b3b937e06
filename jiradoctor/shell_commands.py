"""Printed curl commands go the way the run went: ``-k`` under ``--insecure``, the CA bundle, the proxy.

A check builds its curl line from the URL alone; the runner passes every finding through
:func:`curl_like_the_run` so a command pasted into a shell reproduces what the doctor saw (a curl
without ``-k`` against a self-signed Jira fails on the certificate, not on the problem it shows).
"""

from __future__ import annotations

import dataclasses
import shlex
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jiradoctor.model import Finding
    from jiradoctor.target import Target


def _proxy_flags(proxy: str) -> list[str]:
    """``--proxy`` without a password: curl asks for it when ``--proxy-user`` names only the user."""
    import urllib.parse

    try:
        parts = urllib.parse.urlsplit(proxy)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return []
    if not host:
        return []
    where = f"{parts.scheme}://{'[' + host + ']' if ':' in host else host}" + (f":{port}" if port else "")
    flags = ["--proxy", shlex.quote(where)]
    if parts.username:
        flags += ["--proxy-user", shlex.quote(urllib.parse.unquote(parts.username))]
    return flags


def transport_flags(command: str, target: Target) -> list[str]:
    """The curl options the run's transport settings call for that ``command`` does not carry yet."""
    flags: list[str] = []
    words = command.split()
    if target.insecure and not {"-k", "--insecure"} & set(words):
        flags.append("-k")
    elif target.ca_bundle and "--cacert" not in words:
        flags += ["--cacert", shlex.quote(target.ca_bundle)]
    if target.proxy and not {"--proxy", "-x", "--noproxy"} & set(words):
        flags += _proxy_flags(target.proxy)
    return flags


def curl_like_the_run(finding: Finding, target: Target) -> Finding:
    """``finding`` with each ``curl …`` command given the run's transport options."""
    if not any(c.startswith("curl ") for c in finding.commands):
        return finding
    commands = []
    for command in finding.commands:
        flags = transport_flags(command, target) if command.startswith("curl ") else []
        commands.append(f"curl {' '.join(flags)} {command[5:]}" if flags else command)
    return dataclasses.replace(finding, commands=tuple(commands))
