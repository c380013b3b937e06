"""Reading Tomcat's conf/server.xml safely: HTTP connectors, Context path and RemoteIpValve.

The file comes from a customer and may be hostile: DTDs, entity expansion and external entities
are refused (defusedxml), never resolved. Password attributes (keystorePass and friends) are
collected as secrets so they can be redacted from everything we print.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as safe_et
from defusedxml import DefusedXmlException

from jiradoctor.jira.tomcat import DEFAULT_INTERNAL_PROXIES, Connector, InvalidProxyPattern, RemoteIpValve, java_regex
from jiradoctor.secrets import MASK

_HTTP_PROTOCOLS = ("", "http/1.1", "org.apache.coyote.http11.")
_REMOTE_IP_VALVE = "org.apache.catalina.valves.RemoteIpValve"


class ServerXmlError(ValueError):
    """server.xml could not be read safely; the message says why (never the file's secrets)."""


@dataclass(frozen=True)
class ServerXml:
    connectors: tuple[Connector, ...]
    ignored_connectors: tuple[str, ...] = ()
    secrets: tuple[str, ...] = field(default=(), repr=False)


def _is_http(connector: Element) -> bool:
    protocol = connector.get("protocol", "").strip().lower()
    return protocol == "" or protocol.startswith(_HTTP_PROTOCOLS[1:]) or protocol == "http/1.1"


def _int(value: str | None, what: str) -> int | None:
    if value is None or value.strip() == "":
        return None
    try:
        return int(value.strip())
    except ValueError:
        raise ServerXmlError(f"{what} is not a number: {value[:40]!r}") from None


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() == "true"


def _is_secret_attribute(name: str) -> bool:
    return "pass" in name.lower()  # keystorePass, truststorePass, certificateKeyPassword, password...


_SECRET_ATTRIBUTE = re.compile(r"""[\w:.-]*pass[\w.-]*\s*=\s*(?:"([^"<]*)"|'([^'<]*)')""", re.IGNORECASE)


def secrets_in_text(text: str) -> list[str]:
    """Password attributes found by text alone (as written and with XML entities decoded): a file
    the XML parser refuses, or one with a broken element further on, still has them masked."""
    found: list[str] = []
    for match in _SECRET_ATTRIBUTE.finditer(text[:MAX_XML_CHARS]):
        value = match.group(1) if match.group(1) is not None else match.group(2)
        found += [value, html.unescape(value)]
    return [v for v in dict.fromkeys(found) if v]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _pattern(element: Element, name: str, default: str | None) -> str | None:
    value = element.get(name, default)
    if value:
        try:
            java_regex(value)
        except InvalidProxyPattern as exc:
            raise ServerXmlError(f"RemoteIpValve {name} is not a usable regular expression ({exc})") from None
    return value


def _valve(levels: list[tuple[str, Element | None]]) -> RemoteIpValve | None:
    """The first RemoteIpValve at Engine, Host or Context level (the same effect at each, JIRA-FACTS §2)."""
    for level, parent in levels:
        for element in list(parent) if parent is not None else []:
            if _local(element.tag) != "Valve" or element.get("className", "").strip() != _REMOTE_IP_VALVE:
                continue
            return RemoteIpValve(
                protocol_header=(element.get("protocolHeader", "X-Forwarded-Proto").strip() or None),
                protocol_header_https_value=element.get("protocolHeaderHttpsValue", "https").strip().lower(),
                https_server_port=_int(element.get("httpsServerPort"), "httpsServerPort") or 443,
                http_server_port=_int(element.get("httpServerPort"), "httpServerPort") or 80,
                internal_proxies=_pattern(element, "internalProxies", DEFAULT_INTERNAL_PROXIES),
                trusted_proxies=_pattern(element, "trustedProxies", None),
                host_header=(element.get("hostHeader") or "").strip() or None,
                port_header=(element.get("portHeader") or "").strip() or None,
                level=level,
            )
    return None


MAX_XML_CHARS = 2_000_000  # a real server.xml is a few KB


def parse_server_xml(text: str) -> ServerXml:
    if not text.strip():
        raise ServerXmlError("the file is empty")
    if len(text) > MAX_XML_CHARS:
        raise ServerXmlError(f"the file is larger than {MAX_XML_CHARS} characters; a real server.xml is a few KB")
    try:
        root = safe_et.fromstring(text.encode("utf-8"), forbid_dtd=True)
    except DefusedXmlException as exc:
        raise ServerXmlError(
            f"the file declares a DTD or entities ({type(exc).__name__}); they were refused, not resolved. "
            "A real server.xml has none: this file was altered or is not Tomcat's"
        ) from None
    except ParseError as exc:
        raise ServerXmlError(f"not well-formed XML: {exc}") from None
    except (LookupError, UnicodeError) as exc:  # <?xml encoding="..."?> unknown or not what the bytes are
        raise ServerXmlError(f"the XML declaration names an encoding that cannot be used: {exc}") from None
    if _local(root.tag) != "Server":
        raise ServerXmlError(f"the root element is <{_local(root.tag)}>, not Tomcat's <Server>")
    secrets = tuple(
        value
        for element in root.iter()
        for name, value in element.attrib.items()
        if _is_secret_attribute(name) and value
    )
    connectors: list[Connector] = []
    ignored: list[str] = []
    for service in (e for e in root if _local(e.tag) == "Service"):
        engine = next((e for e in service if _local(e.tag) == "Engine"), None)
        hosts = [e for e in engine if _local(e.tag) == "Host"] if engine is not None else []
        default_host = engine.get("defaultHost", "").strip().lower() if engine is not None else ""
        # requests whose Host names no <Host> go to the Engine's defaultHost (a proxy sends such names)
        host = next(
            (h for h in hosts if h.get("name", "").strip().lower() == default_host), hosts[0] if hosts else None
        )
        contexts = [e for e in host if _local(e.tag) == "Context"] if host is not None else []
        context_path = (contexts[0].get("path", "") if contexts else "").strip().rstrip("/")
        valve = _valve([("Engine", engine), ("Host", host), ("Context", contexts[0] if contexts else None)])
        for element in (e for e in service if _local(e.tag) == "Connector"):
            port = _int(element.get("port"), "Connector port")
            if not _is_http(element) or port is None:
                ignored.append(f"Connector port={element.get('port')} protocol={element.get('protocol')}")
                continue
            connectors.append(
                Connector(
                    port=port,
                    scheme=(element.get("scheme") or "").strip().lower() or None,
                    secure=_truthy(element.get("secure")),
                    proxy_name=(element.get("proxyName") or "").strip().lower() or None,
                    proxy_port=_int(element.get("proxyPort"), "proxyPort"),
                    ssl_enabled=_truthy(element.get("SSLEnabled")),
                    context_path=context_path,
                    remote_ip_valve=valve,
                    # password attributes stay in ``secrets`` only: a repr or traceback must not show them
                    attributes={k: (MASK if _is_secret_attribute(k) else v) for k, v in element.attrib.items()},
                )
            )
    if not connectors:
        raise ServerXmlError("no HTTP <Connector> found under <Server><Service>")
    return ServerXml(tuple(connectors), tuple(ignored), secrets)
