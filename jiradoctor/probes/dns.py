"""``dns``: the Jira host's addresses from the system resolver and from DNS itself, side by side.

The system resolver (``getaddrinfo``: hosts file, nsswitch, then DNS) is what an integration on
this machine uses; dnspython asks DNS directly, either the system's name servers or the server
given with ``--dns-server`` (e.g. the public resolver a cloud-hosted integration would use).
A disagreement between them is how a hosts-file entry or a split-horizon DNS shows. Every
lookup is bounded by ``--timeout``; getaddrinfo runs in a daemon thread so that a resolver that
never answers cannot hold the run (the default executor would be joined at the end of the run).
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, TypeVar

from jiradoctor.facts import Fact
from jiradoctor.net.addresses import parse_ip
from jiradoctor.net.dns_server import parse_server
from jiradoctor.jira.urls import default_port
from jiradoctor.jira.urls import split as split_url

if TYPE_CHECKING:
    from jiradoctor.context import Facts
    import asyncio
    import dns.asyncresolver
    import dns.exception
    import dns.rdatatype
    import dns.resolver

T = TypeVar("T")
MAX_LOOKUP_S = 10.0
# outcome names, from best to worst when A and AAAA are merged
OUTCOMES = ("ok", "nodata", "nxdomain", "servfail", "timeout", "error")


@dataclass(frozen=True)
class Lookup:
    """One resolver's answer. ``outcome``: ok, nxdomain, nodata, servfail, timeout, error."""

    source: str
    outcome: str
    addresses: tuple[str, ...] = ()
    cnames: tuple[str, ...] = ()  # the chain of names, starting at the asked host, when CNAMEs were followed
    message: str = ""
    elapsed_s: float = 0.0

    @property
    def definitive(self) -> bool:
        """An answer (addresses, or a name/record that does not exist), not a failure to ask."""
        return self.outcome in ("ok", "nxdomain", "nodata")


@dataclass(frozen=True)
class DnsFact:
    host: str
    ip_literal: bool
    system: Lookup | None = None
    dns: Lookup | None = None
    dns_server: str | None = None  # --dns-server as given; None: the system's name servers


async def in_daemon_thread(fn: Callable[[], T], timeout: float) -> T:
    """Run a blocking call in a daemon thread, waiting at most timeout (it is abandoned after)."""
    import asyncio

    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(ok: bool, value: object) -> None:
        if future.done():  # the waiter timed out and left
            return
        if ok:
            future.set_result(value)  # type: ignore[arg-type]
        else:
            future.set_exception(value)  # type: ignore[arg-type]

    def hand_over(ok: bool, value: object) -> None:
        try:
            loop.call_soon_threadsafe(settle, ok, value)
        except RuntimeError:  # the run is over and its loop closed: nobody waits for this answer
            pass

    def run() -> None:
        try:
            result = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the awaiting coroutine
            hand_over(False, exc)
        else:
            hand_over(True, result)

    threading.Thread(target=run, name="jiradoctor-getaddrinfo", daemon=True).start()
    return await asyncio.wait_for(future, timeout)


_EAI = {socket.EAI_NONAME: "nxdomain", socket.EAI_AGAIN: "servfail", getattr(socket, "EAI_NODATA", -5): "nodata"}


async def system_lookup(host: str, port: int, timeout: float) -> Lookup:
    import asyncio

    t0 = time.perf_counter()
    try:
        infos = await in_daemon_thread(lambda: socket.getaddrinfo(host, port, type=socket.SOCK_STREAM), timeout)
    except asyncio.TimeoutError:
        return Lookup(
            "system", "timeout", message=f"no answer within {timeout:g} s", elapsed_s=time.perf_counter() - t0
        )
    except socket.gaierror as exc:
        return Lookup(
            "system",
            _EAI.get(exc.errno, "error"),
            message=f"getaddrinfo: {exc.strerror}",
            elapsed_s=time.perf_counter() - t0,
        )
    except OSError as exc:
        return Lookup("system", "error", message=str(exc), elapsed_s=time.perf_counter() - t0)
    addresses = tuple(dict.fromkeys(str(info[4][0]) for info in infos))
    return Lookup("system", "ok", addresses, elapsed_s=time.perf_counter() - t0)


def _cname_chain(host: str, answer: dns.resolver.Answer) -> tuple[str, ...]:
    import dns.asyncresolver
    import dns.exception
    import dns.rdatatype
    import dns.resolver

    chain = [host.rstrip(".")]
    for rrset in answer.response.answer:
        if rrset.rdtype == dns.rdatatype.CNAME:
            chain.append(str(rrset[0].target).rstrip("."))
    return tuple(chain) if len(chain) > 1 else ()


async def _query(resolver: dns.asyncresolver.Resolver, host: str, rdtype: str, timeout: float) -> Lookup:
    import dns.asyncresolver
    import dns.exception
    import dns.rdatatype
    import dns.resolver

    source = "dns"  # merge() names the resolver
    try:
        answer = await resolver.resolve(host, rdtype, lifetime=timeout, search=False, raise_on_no_answer=False)
    except dns.resolver.NXDOMAIN:
        return Lookup(source, "nxdomain", message=f"{rdtype}: the name does not exist (NXDOMAIN)")
    except dns.resolver.LifetimeTimeout:
        return Lookup(source, "timeout", message=f"{rdtype}: no answer within {timeout:g} s")
    except dns.resolver.NoNameservers as exc:
        return Lookup(source, "servfail", message=f"{rdtype}: every name server failed ({exc})")
    except (dns.exception.DNSException, OSError) as exc:
        return Lookup(source, "error", message=f"{rdtype}: {type(exc).__name__}: {exc}")
    addresses = tuple(str(r.address) for r in answer.rrset) if answer.rrset is not None else ()
    return Lookup(
        source,
        "ok" if addresses else "nodata",
        addresses,
        _cname_chain(host, answer),
        "" if addresses else f"{rdtype}: no such record (NODATA)",
    )


def merge(source: str, parts: list[Lookup], elapsed_s: float) -> Lookup:
    """A and AAAA answers as one lookup: any address wins, else the best failure."""
    addresses = tuple(a for p in parts for a in p.addresses)
    cnames = next((p.cnames for p in parts if p.cnames), ())
    outcome = "ok" if addresses else min((p.outcome for p in parts), key=OUTCOMES.index)
    message = "; ".join(p.message for p in parts if p.message and not addresses)
    return Lookup(source, outcome, addresses, cnames, message, elapsed_s)


async def dns_lookup(host: str, server: str | None, timeout: float) -> Lookup:
    import asyncio
    import dns.asyncresolver
    import dns.exception
    import dns.rdatatype
    import dns.resolver

    source = f"the DNS server {server}" if server else "DNS (the system's name servers)"
    t0 = time.perf_counter()
    try:
        resolver = dns.asyncresolver.Resolver(configure=server is None)
        if server is not None:
            address, port = parse_server(server)
            if parse_ip(address) is None:  # a name: the system resolver finds the server
                infos = await in_daemon_thread(
                    lambda: socket.getaddrinfo(address, port, type=socket.SOCK_DGRAM), timeout
                )
                address = str(infos[0][4][0])
            resolver.nameservers = [address]
            resolver.port = port
    except (dns.exception.DNSException, OSError, ValueError, asyncio.TimeoutError) as exc:
        return Lookup(source, "error", message=f"cannot set up the resolver: {type(exc).__name__}: {exc}")
    resolver.timeout = timeout
    parts = await asyncio.gather(_query(resolver, host, "A", timeout), _query(resolver, host, "AAAA", timeout))
    return merge(source, list(parts), time.perf_counter() - t0)


async def probe(facts: "Facts") -> DnsFact:
    import asyncio

    target = facts.target
    parts = target.url_parts or split_url("")
    host = parts.hostname or ""
    if parse_ip(host) is not None:
        return DnsFact(host, True)
    timeout = min(target.timeout, MAX_LOOKUP_S)
    port = parts.port or default_port(parts.scheme)
    system, answer = await asyncio.gather(
        system_lookup(host, port, timeout), dns_lookup(host, target.dns_server, timeout)
    )
    return DnsFact(host, False, system, answer, target.dns_server)


DNS: Fact[DnsFact] = Fact("dns", "The DNS answers for Jira's host, from the system and the given resolver")

FACTS = {DNS.name: probe}
