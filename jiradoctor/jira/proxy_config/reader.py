"""Which reader a proxy configuration needs: nginx or Apache httpd, told apart by their syntax.

Apart from the model, which both readers build on: the model never imports a reader."""

from __future__ import annotations

import re
from pathlib import Path

from jiradoctor import files
from jiradoctor.jira.proxy_config import apache, nginx
from jiradoctor.jira.proxy_config.model import ProxyConfig, ProxyConfigError

_APACHE = re.compile(r"^\s*(<VirtualHost|ProxyPass\s|ProxyPreserveHost\s)", re.I | re.M)


def read_proxy_config(path: str | Path) -> ProxyConfig:
    """nginx or Apache httpd, told apart by their syntax (the first 64 KB, read with a bound)."""
    p = Path(path)
    try:
        data = files.read_bounded(p, files.MAX_PROXY_CONFIG, "proxy config", shown=p.name)
    except files.FileProblem as exc:
        raise ProxyConfigError(str(exc)) from None
    if _APACHE.search(data[:65536].decode("utf-8", "replace")):
        return apache.read(p)
    return nginx.read(p)
