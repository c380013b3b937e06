"""The child elements of each HTTP <Connector> in server.xml, for the corrected connector jiradoctor prints.

Why: the fix says "replace the connector with the one below". A TLS connector keeps its certificate
in a nested <SSLHostConfig> (Tomcat 8.5+; the only form in 10.1); a corrected element without it
makes real Tomcat 10.1 refuse the connector ("No SSLHostConfig element was found with the hostName
[_default_]"), so the printed element must carry the original children. Password attributes are
masked as on the connector itself: nothing secret is ever printed.
"""

from __future__ import annotations

import copy
from xml.etree.ElementTree import Element, tostring

import defusedxml.ElementTree as safe_et

from jiradoctor.secrets import MASK


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _masked(element: Element) -> Element:
    clean = copy.deepcopy(element)
    for node in clean.iter():
        for name in list(node.attrib):
            if "pass" in name.lower():  # keystorePass, certificateKeystorePassword, certificateKeyPassword...
                node.attrib[name] = MASK
    clean.tail = None
    return clean


def connector_children(text: str) -> dict[int, str]:
    """port -> the connector's child elements as XML text (passwords masked); connectors without children
    are left out. ``text`` was already read by ``parse_server_xml`` (DTDs and entities refused); anything
    unreadable here gives no children rather than an error."""
    try:
        root = safe_et.fromstring(text.encode("utf-8"), forbid_dtd=True)
    except Exception:  # noqa: BLE001 - parse_server_xml has judged the file already
        return {}
    found: dict[int, str] = {}
    for service in (e for e in root if _local(e.tag) == "Service"):
        for connector in (e for e in service if _local(e.tag) == "Connector"):
            port = (connector.get("port") or "").strip()
            if not port.isdigit() or int(port) in found or len(connector) == 0:
                continue
            found[int(port)] = "\n".join(
                "    " + tostring(_masked(child), encoding="unicode").strip() for child in connector
            )
    return found
