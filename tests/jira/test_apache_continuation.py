"""A backslash continuation onto an empty line is no directive (found by the property test, base a43916d)."""

from __future__ import annotations

from pathlib import Path

from jiradoctor.jira.proxy_config import ProxyConfigError, read_proxy_config


def test_a_continuation_onto_an_empty_line_is_read_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "site.conf"
    path.write_text("<VirtualHost *:443>\n\\\n\nserver {\n")
    try:
        config = read_proxy_config(path)
    except ProxyConfigError as exc:  # a clear error is as good as routes; an IndexError is not
        assert str(exc)
    else:
        assert config is not None
