"""``outgoing_tls``: the chain the integration's server presents, and Jira's truststore, for the other direction.

Jira calls the integration (outgoing application links, webhooks): this probe fetches what the
integration's server presents (an unverified handshake: only the chain is read, nothing is sent)
and reads the truststore given with ``--truststore``. The check judges the two as Jira's JVM does.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Any, TYPE_CHECKING

from jiradoctor.facts import Fact
from jiradoctor.net.chain import CertInfo, from_der
from jiradoctor.net.proxy_route import Route
from jiradoctor.net.truststore import Truststore, TruststoreError, load_truststore
from jiradoctor.probes.http import TransportError, classify
from jiradoctor.probes.proxy import host_port
from jiradoctor.probes.tls import collecting_context, handshake

if TYPE_CHECKING:
    from jiradoctor.context import Facts


@dataclass(frozen=True)
class OutgoingTlsFact:
    """``chain``: what the integration's server presented, leaf first (empty when no handshake);
    ``truststore``/``truststore_error``: the store read from --truststore (None when not given)."""

    url: str
    host: str
    port: int
    https: bool
    chain: tuple[CertInfo, ...] = ()
    error: TransportError | None = None
    truststore: Truststore | None = None
    truststore_error: TruststoreError | None = None


def read_truststore(path: str | None, password: str | None) -> tuple[Truststore | None, TruststoreError | None]:
    if not path:
        return None, None
    try:
        return load_truststore(path, password), None
    except TruststoreError as exc:
        return None, exc
    except OSError as exc:
        return None, TruststoreError("unreadable", f"cannot read {path}: {exc.strerror or exc}")


async def probe(facts: "Facts") -> OutgoingTlsFact:
    import asyncio
    target = facts.target
    url = target.integration_url or ""
    password = target.truststore_password.reveal() if target.truststore_password else None
    facts.redactor.add(password)
    # off the event loop: pyjks parses in Python; PKCS#12 hashing is bounded by pkcs12_cost first
    store, store_error = await asyncio.to_thread(read_truststore, target.truststore, password)
    try:
        host, port = host_port(url)
    except ValueError:  # a port that is not a number
        host, port = urllib.parse.urlsplit(url).hostname or "", 0
    base: dict[str, Any] = dict(url=url, host=host, port=port, truststore=store, truststore_error=store_error)
    if urllib.parse.urlsplit(url).scheme.lower() != "https" or not host or not port:
        return OutgoingTlsFact(https=False, **base)
    try:
        # Jira's server reaches the integration on its own route; from here we ask directly
        session = await handshake(Route("direct", url), host, port, collecting_context(), target.timeout)
    except (Exception, asyncio.TimeoutError) as exc:  # noqa: BLE001 - refused, reset, timeout: facts
        return OutgoingTlsFact(https=True, error=classify(exc), **base)
    return OutgoingTlsFact(https=True, chain=from_der(session.chain), **base)


OUTGOING_TLS: Fact[OutgoingTlsFact] = Fact(
    "outgoing_tls", "The integration's certificate chain judged against Jira's truststore"
)

FACTS = {OUTGOING_TLS.name: probe}
