"""Any text given as --proxy-config is either routes or ProxyConfigError: never a crash."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiradoctor.jira.proxy_config import ProxyConfigError, read_proxy_config

PIECES = st.sampled_from(
    [
        "server {",
        "}",
        "location / {",
        "proxy_pass http://127.0.0.1:8080;",
        "listen 443 ssl;",
        "proxy_set_header Host $host;",
        "include x*.conf;",
        "<VirtualHost *:443>",
        "</VirtualHost>",
        "ProxyPass / http://h:99999/",
        "ProxyPreserveHost On",
        'RequestHeader set X "a',
        "\\",
        ";",
        '"',
        "upstream u { server a; }",
        "proxy_pass http://u;",
        "proxy_cache z;",
    ]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(PIECES, st.text(max_size=20)), max_size=14))
def test_any_text_is_routes_or_a_clear_error(parts: list[str]) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "proxy.conf"
        path.write_text("\n".join(parts), errors="replace")
        try:
            config = read_proxy_config(path)
        except ProxyConfigError as exc:
            assert str(exc)
        else:
            assert config.routes and all(r.upstream_port > 0 for r in config.routes)
