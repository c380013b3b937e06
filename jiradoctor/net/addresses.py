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


# names that only resolve inside a network: RFC 6761 (localhost), RFC 6762 (.local, mDNS), RFC 8375
# (home.arpa), ICANN's reserved .internal (2024), and suffixes companies commonly keep private
INTERNAL_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa", ".lan", ".intranet", ".corp")


def internal_host(host: str) -> str | None:
    """Why a URL's host cannot be reached from the internet (its address range, or a name that only
    resolves inside a network), or None when it may be public. Judged from the text alone: a public
    name that resolves to a private address is the dns check's business."""
    name = host.strip().strip("[]").rstrip(".").lower()
    if parse_ip(name) is not None:
        cls = classify(name)
        return f"a {cls.label} address" if cls.internal else None
    if name == "localhost" or name.endswith(".localhost"):
        return "this machine's own name (localhost)"
    suffix = next((s for s in INTERNAL_SUFFIXES if name.endswith(s)), None)
    if suffix is not None:
        return f"a name under {suffix}, which resolves only inside a network"
    if name and "." not in name:
        return "a single-label host name, which resolves only inside a network"
    return None
