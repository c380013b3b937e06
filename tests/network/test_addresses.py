"""Private-range classification: what a cloud-hosted integration cannot reach."""

from __future__ import annotations

import pytest

from jiradoctor.net.addresses import classify, parse_ip


@pytest.mark.parametrize(
    "address, kind",
    [
        ("127.0.0.53", "loopback"),
        ("::1", "loopback"),
        ("10.20.30.40", "private"),
        ("172.16.5.4", "private"),
        ("172.31.255.255", "private"),
        ("192.168.1.10", "private"),
        ("169.254.10.1", "link-local"),
        ("fe80::1", "link-local"),
        ("fd00::1", "ula"),
        ("100.64.1.1", "cgnat"),
        ("::ffff:10.0.0.1", "private"),
        ("0.0.0.0", "unspecified"),
        ("93.184.216.34", "public"),
        ("172.32.0.1", "public"),
        ("100.128.0.1", "public"),
        ("2001:4860::8888", "public"),
    ],
)
def test_ranges(address: str, kind: str) -> None:
    cls = classify(address)
    assert cls.kind == kind
    assert cls.internal is (kind != "public")


def test_parse_ip_accepts_brackets_and_zone_and_rejects_names() -> None:
    assert str(parse_ip("[fe80::1%eth0]")) == "fe80::1"
    assert parse_ip("jira.example.com") is None
    with pytest.raises(ValueError):
        classify("jira.example.com")
