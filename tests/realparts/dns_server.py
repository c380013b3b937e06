"""An in-process DNS server (dnspython) on 127.0.0.1, UDP and TCP on the same port.

Why in-process rather than dnsmasq: the zone is plain test data (including NODATA, dangling CNAMEs,
SERVFAIL and unanswered names, which dnsmasq cannot express without a file per case), start-up needs
no binary and is instant, and it records each query so tests can prove which server was asked.
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import cast

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from .procs import LOOPBACK, BackgroundLoop, RealPartError, Stoppable

MAX_CNAME_CHAIN = 8
Records = Mapping[str, Mapping[str, Sequence[str]]]  # name -> rdtype ("A", "CNAME", ...) -> values


@dataclass(frozen=True)
class DnsZone:
    """Zone as data.  A name absent from ``records`` is NXDOMAIN; a present name without the asked
    type is NOERROR/NODATA; ``rcodes`` forces a response code (e.g. "SERVFAIL"); ``silent`` names
    get no answer at all, so a client times out."""

    records: Records
    rcodes: Mapping[str, str] = field(default_factory=dict)
    silent: Collection[str] = frozenset()
    ttl: int = 60


DEFAULT_ZONE = DnsZone(
    records={
        "jira.test": {"A": ["127.0.0.1"], "AAAA": ["::1"]},
        "www.jira.test": {"CNAME": ["alias.jira.test."]},  # CNAME chain: www -> alias -> jira.test
        "alias.jira.test": {"CNAME": ["jira.test."]},
        "dangling.test": {"CNAME": ["missing.test."]},  # CNAME to a name that does not exist
        "noaddr.test": {"TXT": ["no address records here"]},  # NOERROR/NODATA for A and AAAA
        "multi.test": {"A": ["127.0.0.1", "127.0.0.2"]},
        "v6only.test": {"AAAA": ["2001:db8::10"]},
        "public.test": {"A": ["93.184.216.34"]},
        "private10.test": {"A": ["10.20.30.40"]},
        "private192.test": {"A": ["192.168.1.10"]},
        "private172.test": {"A": ["172.16.5.4"]},
        "loopback.test": {"A": ["127.0.0.53"]},
        "linklocal.test": {"AAAA": ["fe80::1"]},
        "ula.test": {"AAAA": ["fd00::1"]},
    },
    rcodes={"servfail.test": "SERVFAIL", "refused.test": "REFUSED"},
    silent=frozenset({"timeout.test"}),
)


def _abs(name: str | dns.name.Name) -> dns.name.Name:
    return name if isinstance(name, dns.name.Name) else dns.name.from_text(name.rstrip(".") + ".")


class Resolver:
    """Answers a query message from a DnsZone (pure, so it is easy to reason about)."""

    def __init__(self, zone: DnsZone) -> None:
        self.zone = zone
        self.records = {_abs(n): {t.upper(): list(v) for t, v in types.items()}
                        for n, types in zone.records.items()}
        self.rcodes = {_abs(n): dns.rcode.from_text(r) for n, r in zone.rcodes.items()}
        self.silent = {_abs(n) for n in zone.silent}

    def respond(self, query: dns.message.Message) -> dns.message.Message | None:
        """The response, or None for a silent name (the client must time out)."""
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        if len(query.question) != 1:
            response.set_rcode(dns.rcode.FORMERR)
            return response
        question = query.question[0]
        name, qtype = question.name, dns.rdatatype.to_text(question.rdtype)
        if name in self.silent:
            return None
        for _ in range(MAX_CNAME_CHAIN):
            if name in self.rcodes:
                response.set_rcode(self.rcodes[name])
                return response
            node = self.records.get(name)
            if node is None:
                response.set_rcode(dns.rcode.NXDOMAIN)
                return response
            if qtype in node:
                response.answer.append(self._rrset(name, qtype, node[qtype]))
                return response
            if "CNAME" not in node:
                return response  # NOERROR with an empty answer: NODATA
            response.answer.append(self._rrset(name, "CNAME", node["CNAME"]))
            name = _abs(node["CNAME"][0])
        response.set_rcode(dns.rcode.SERVFAIL)  # CNAME loop or overlong chain
        return response

    def _rrset(self, name: dns.name.Name, rdtype: str, values: Sequence[str]) -> dns.rrset.RRset:
        texts = [f'"{v}"' if rdtype == "TXT" else v for v in values]
        return dns.rrset.from_text_list(name, self.zone.ttl, dns.rdataclass.IN, rdtype, texts)


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, server: DnsServer) -> None:
        self.server = server
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        reply = self.server.answer(data, "udp")
        if reply is not None and self.transport is not None:
            self.transport.sendto(reply, addr)


@dataclass
class DnsServer(Stoppable):
    """A running DNS server; ``queries`` logs (protocol, name, type) of every question asked."""

    zone: DnsZone = DEFAULT_ZONE
    queries: list[tuple[str, str, str]] = field(default_factory=list)
    port: int = 0

    def __post_init__(self) -> None:
        self.resolver = Resolver(self.zone)
        self._loop = BackgroundLoop("realparts-dns")
        try:
            self._udp, self._tcp, self.port = self._loop.run(self._bind())
        except BaseException:
            self._loop.close()
            raise

    @property
    def address(self) -> str:
        """``127.0.0.1:PORT``, the form of ``--dns-server``."""
        return f"{LOOPBACK}:{self.port}"

    def answer(self, wire: bytes, proto: str) -> bytes | None:
        try:
            query = dns.message.from_wire(wire)
        except Exception:
            return None
        for q in query.question:
            self.queries.append((proto, q.name.to_text(), dns.rdatatype.to_text(q.rdtype)))
        response = self.resolver.respond(query)
        return None if response is None else response.to_wire()

    async def _bind(self) -> tuple[asyncio.DatagramTransport, asyncio.Server, int]:
        """UDP on a kernel-chosen port, then TCP on the same number (retry if TCP lost the race)."""
        loop = asyncio.get_running_loop()
        for _ in range(10):
            udp, _proto = await loop.create_datagram_endpoint(lambda: _Udp(self), local_addr=(LOOPBACK, 0))
            port = int(udp.get_extra_info("sockname")[1])
            try:
                tcp = await asyncio.start_server(self._handle_tcp, LOOPBACK, port)
            except OSError:
                udp.close()
                continue
            return udp, tcp, port
        raise RealPartError("no loopback port free for both UDP and TCP")

    async def _handle_tcp(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                (length,) = struct.unpack("!H", await asyncio.wait_for(reader.readexactly(2), 10))
                reply = self.answer(await asyncio.wait_for(reader.readexactly(length), 10), "tcp")
                if reply is not None:
                    writer.write(struct.pack("!H", len(reply)) + reply)
                    await writer.drain()
        except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def stop(self) -> None:
        async def _close() -> None:
            self._udp.close()
            self._tcp.close()

        try:
            self._loop.run(_close())
        finally:
            self._loop.close()


def start_dns_server(zone: DnsZone = DEFAULT_ZONE) -> DnsServer:
    """Start a DNS server answering from zone on 127.0.0.1 (UDP and TCP, same port)."""
    return DnsServer(zone)
