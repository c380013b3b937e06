"""The pages of whoever blocks the way to Jira: Atlassian Cloud's IP allowlist, Cloudflare, corporate proxies.

Why a module of its own: each blocker answers with its own words and headers, and the fix depends
on who it is (an Atlassian organisation admin's allowlist, Cloudflare's firewall for the vendor's
site, the company's web filter). Recognising them by their traces turns "HTTP 403" into "allowlist
this egress address, there".

Sources:
- Atlassian KB "Scope of IP Allowlists in Atlassian Cloud" (pageId 1384133808): REST calls from an
  address outside the allowlist get ``{"errorMessages":["The IP address has been rejected because it is
  not on the allowed list. See your admin for more information."],"errors":{}}``. UNCONFIRMED: the HTTP
  status (403 assumed; one vendor KB reports it wrapped in a 400).
- Atlassian KB "Error 403 forbidden when accessing Jira Align API from Jira": Jira Align sits behind
  Cloudflare, which answers 403 with error code 1006 when the caller's address is not allowlisted.
  Cloudflare's block pages carry ``Server: cloudflare``, a ``CF-RAY`` header and "Cloudflare Ray ID:"
  plus "Error 1006"/"Error 1020" in the page (Cloudflare's own error-page documentation).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jiradoctor.jira.answer import Answer

SCAN_LIMIT = 64 * 1024
IP_ALLOWLIST_TEXT = "ip address has been rejected"
# An IP allowlist's refusal, matched by its sentence, not one spelling (JIRA-FACTS §10: Cloud writes both
# "allowed list" and "allowedlist"; older texts "whitelist"): one sentence that names an address, a list
# in any of these spellings, and a refusal or "not on/in" it.
_LIST_WORD = re.compile(r"\b(?:allowed|allow|white)[\s_-]?list(?:ed)?\b", re.IGNORECASE)
_ADDRESS_WORD = re.compile(r"\b(?:ip|ip[\s_-]?address(?:es)?|address|client|your\s+network)\b", re.IGNORECASE)
_REFUSAL_WORD = re.compile(r"\b(?:not|isn't|rejected|denied|blocked|refused|forbidden|disallowed)\b", re.IGNORECASE)
# a sentence ends at . ! ? followed by a space, a quote, markup or the end (never inside 203.0.113.7)
_SENTENCE_END = re.compile(r"[.!?](?=\s|$|[\"'<])|\n|<[^<>]{0,200}>|\"")
# "Error 1006", "error code: 1020", '<span>Error</span> <span class="cf-error-code">1006</span>'
_CF_ERROR = re.compile(r"error(?:\s|&nbsp;|<[^<>]{0,120}>|code|:|#){0,12}?(1\d{3})\b", re.IGNORECASE)
_CF_RAY_TEXT = re.compile(r"ray id:?\s*(?:<[^>]*>\s*)*([0-9a-f]{12,20})", re.IGNORECASE)
_RAY = re.compile(r"^[0-9a-f]{8,20}(-[A-Z]{3})?$")
_IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
# Cloudflare codes that mean "your address (or request) is refused by the site's firewall rules"
CLOUDFLARE_ACCESS_CODES = {
    "1005": "the caller's network (ASN) is banned",
    "1006": "the caller's IP address is banned",
    "1007": "the caller's IP address is banned for violating the site's rules",
    "1008": "the caller's IP address is banned",
    "1009": "the caller's country or region is refused",
    "1010": "the caller's browser signature (User-Agent) is refused",
    "1012": "access denied by the site's rules",
    "1020": "a firewall rule of the site refuses the request",
}


@dataclass(frozen=True)
class Blocker:
    """Who refused the request, and what it showed.

    ``kind``: ``atlassian-ip-allowlist`` | ``cloudflare`` . ``evidence``: the traces (ray id,
    error code, the caller's address when the page shows it), never a body beyond a short excerpt.
    """

    kind: str
    evidence: dict[str, str]

    @property
    def error_code(self) -> str | None:
        return self.evidence.get("cloudflare_error")

    @property
    def caller_address(self) -> str | None:
        return self.evidence.get("caller_address")


def _ray(answer: Answer, head: str) -> str | None:
    value = (answer.header("cf-ray") or "").strip()
    if value and _RAY.match(value):
        return value
    match = _CF_RAY_TEXT.search(head)
    return match.group(1) if match else None


def recognise(answer: Answer) -> Blocker | None:
    """The blocker that wrote this answer, or None (a 2xx is never a block page)."""
    status = answer.status or 0
    if status < 400:
        return None
    head = (answer.body or "")[:SCAN_LIMIT]
    lower = head.lower()
    sentence = allowlist_sentence(head)
    if sentence is not None:
        evidence = {"message": sentence}
        if (address := _address_in(sentence)) is not None:
            evidence["caller_address"] = address
        return Blocker("atlassian-ip-allowlist", evidence)
    server = (answer.header("server") or "").lower()
    ray = _ray(answer, head)
    if server.startswith("cloudflare") or (ray and "cloudflare" in lower):
        code_match = _CF_ERROR.search(head)
        evidence = {"server": answer.header("server") or "", "ray_id": ray or ""}
        if code_match:
            evidence["cloudflare_error"] = code_match.group(1)
        address = _caller_address(head)
        if address:
            evidence["caller_address"] = address
        if code_match or "cloudflare" in lower:
            return Blocker("cloudflare", {k: v for k, v in evidence.items() if v})
    return None


def allowlist_sentence(text: str) -> str | None:
    """The sentence of an IP allowlist's refusal, whatever its spelling of the list; None without one."""
    if not _LIST_WORD.search(text):
        return None
    for part in _SENTENCE_END.split(text[:SCAN_LIMIT]):
        if _LIST_WORD.search(part) and _ADDRESS_WORD.search(part) and _REFUSAL_WORD.search(part):
            return " ".join(part.split())[:200]
    return None


_ADDRESS_TOKEN = re.compile(r"[0-9A-Fa-f:.]{3,45}")


def _address_in(sentence: str) -> str | None:
    """The caller's address when the refusal names it ("203.0.113.7 is not on the allowlist")."""
    import ipaddress

    for token in _ADDRESS_TOKEN.findall(sentence):
        try:
            return str(ipaddress.ip_address(token.strip(".:") if "::" not in token else token.rstrip(".")))
        except ValueError:
            continue
    return None


def _caller_address(head: str) -> str | None:
    """Cloudflare pages show "Your IP: 203.0.113.7" (behind a click, but present in the page)."""
    at = head.lower().find("your ip")
    if at < 0:
        return None
    match = _IPV4.search(head[at:at + 300])
    return match.group(0) if match else None


def _excerpt(text: str, needle: str) -> str:
    at = text.lower().find(needle)
    start = max(0, at - 40)
    return " ".join(text[start:at + 160].split())[:200]


def cloudflare_meaning(code: str | None) -> str:
    return CLOUDFLARE_ACCESS_CODES.get(code or "", "the site's Cloudflare firewall refuses the request")
