"""Which IP ranges the public internet cannot reach, so a cloud-hosted integration cannot either."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Order matters: the first matching range names the address. Sources: RFC 1122 (loopback),
# RFC 1918, RFC 3927/4291 (link-local), RFC 4193 (ULA), RFC 6598 (carrier-grade NAT).
_RANGES: tuple[tuple[str, str, str], ...] = (
    ("127.0.0.0/8", "loopback", "loopback, this machine only"),
    ("::1/128", "loopback", "loopback, this machine only"),
    ("10.0.0.0/8", "private", "private network, RFC 1918"),
    ("172.16.0.0/12", "private", "private network, RFC 1918"),
    ("192.168.0.0/16", "private", "private network, RFC 1918"),
    ("169.254.0.0/16", "link-local", "link-local, RFC 3927"),
    ("fe80::/10", "link-local", "link-local, RFC 4291"),
    ("fc00::/7", "ula", "unique local address, RFC 4193"),
    ("100.64.0.0/10", "cgnat", "carrier-grade NAT, RFC 6598"),
    ("0.0.0.0/8", "unspecified", "unspecified, 'this network'"),
    ("::/128", "unspecified", "unspecified"),
)
_NETWORKS = tuple((ipaddress.ip_network(net), kind, label) for net, kind, label in _RANGES)


@dataclass(frozen=True)
class AddressClass:
    """``kind`` is stable (public, loopback, private, link-local, ula, cgnat, unspecified)."""

    address: str
    kind: str
    label: str

    @property
    def internal(self) -> bool:
        """True when nothing on the public internet can connect to it."""
        return self.kind != "public"


def parse_ip(text: str) -> IPAddress | None:
    """The address in text (brackets and IPv6 zone ids allowed), or None if it is a name."""
    candidate = text.strip().strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(candidate)
    except ValueError:
        return None


def classify(address: str) -> AddressClass:
    ip = parse_ip(address)
    if ip is None:
        raise ValueError(f"not an IP address: {address!r}")
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return classify(str(ip.ipv4_mapped))
    for network, kind, label in _NETWORKS:
        if ip.version == network.version and ip in network:
            return AddressClass(str(ip), kind, label)
    return AddressClass(str(ip), "public", "public")
