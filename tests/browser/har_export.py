"""Chromium's network log, exported as HAR 1.2 by the test through CDP (as DevTools' "Save all as HAR").

Built from the page's own Network events: one entry per request and per redirect hop, headers
as the browser sent and received them (the ExtraInfo events add Cookie and Set-Cookie), the
query string, cookies and form parameters listed apart as DevTools lists them, bodies fetched
with ``Network.getResponseBody`` while the page is still open.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
from pathlib import Path
from typing import Any

from tests.browser.cdp import CDPError, Page


def _headers(mapping: dict[str, Any] | None) -> list[dict[str, str]]:
    out = []
    for name, value in (mapping or {}).items():
        for line in str(value).split("\n"):
            out.append({"name": name, "value": line})
    return out


def _cookies(headers: list[dict[str, str]], name: str) -> list[dict[str, str]]:
    """The cookies of Cookie (request) or Set-Cookie (response) headers, as DevTools lists them."""
    out = []
    for h in headers:
        if h["name"].lower() != name:
            continue
        pieces = h["value"].split(";") if name == "cookie" else [h["value"].split(";")[0]]
        for piece in pieces:
            key, sep, value = piece.strip().partition("=")
            if sep:
                out.append({"name": key, "value": value})
    return out


def _when(wall: float | None) -> str:
    moment = dt.datetime.fromtimestamp(wall or 0, dt.timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _response(resp: dict, extra: dict | None, body: str = "", encoded: bool = False) -> dict:
    headers = (extra or {}).get("headers") or resp.get("headers")
    content: dict[str, Any] = {"size": len(body), "mimeType": resp.get("mimeType", ""), "text": body}
    if encoded:
        content["encoding"] = "base64"
    listed = _headers(headers)
    return {
        "status": resp.get("status", 0),
        "statusText": resp.get("statusText", ""),
        "httpVersion": resp.get("protocol", "http/1.1").upper(),
        "headers": listed,
        "cookies": _cookies(listed, "set-cookie"),
        "content": content,
        "redirectURL": (resp.get("headers") or {}).get("location", "")
        or (resp.get("headers") or {}).get("Location", ""),
        "headersSize": -1,
        "bodySize": -1,
    }


def export_har(page: Page) -> dict:
    """Every request the page made so far, as a HAR document."""
    events = page._mine()
    extra_req: dict[str, dict] = {}
    extra_resp: dict[str, dict] = {}
    for e in events:
        if e["method"] == "Network.requestWillBeSentExtraInfo":
            extra_req[e["params"]["requestId"]] = e["params"]
        elif e["method"] == "Network.responseReceivedExtraInfo":
            extra_resp.setdefault(e["params"]["requestId"], e["params"])
    entries: list[dict] = []
    open_entries: dict[str, dict] = {}
    for e in events:
        method, p = e["method"], e.get("params", {})
        rid = p.get("requestId")
        if method == "Network.requestWillBeSent":
            if p.get("redirectResponse") and rid in open_entries:  # the previous hop ended with a redirect
                open_entries[rid]["response"] = _response(p["redirectResponse"], None)
            req = p["request"]
            headers = dict(req.get("headers") or {})
            headers.update((extra_req.get(rid) or {}).get("headers") or {})
            listed = _headers(headers)
            query = urllib.parse.urlsplit(req["url"]).query
            entry = {
                "startedDateTime": _when(p.get("wallTime")),
                "time": 0,
                "request": {
                    "method": req["method"],
                    "url": req["url"] + req.get("urlFragment", ""),
                    "httpVersion": "HTTP/1.1",
                    "headers": listed,
                    "queryString": [
                        {"name": k, "value": v} for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True)
                    ],
                    "cookies": _cookies(listed, "cookie"),
                    "headersSize": -1,
                    "bodySize": -1,
                },
                "response": {
                    "status": 0,
                    "statusText": "",
                    "httpVersion": "",
                    "headers": [],
                    "cookies": [],
                    "content": {"size": 0, "mimeType": ""},
                    "redirectURL": "",
                    "headersSize": -1,
                    "bodySize": -1,
                },
                "cache": {},
                "timings": {"send": 0, "wait": 0, "receive": 0},
                "_requestId": rid,
            }
            if req.get("postData") is not None:
                mime = headers.get("Content-Type", "")
                entry["request"]["postData"] = {"mimeType": mime, "text": req["postData"]}
                if "x-www-form-urlencoded" in mime:
                    entry["request"]["postData"]["params"] = [
                        {"name": k, "value": v} for k, v in urllib.parse.parse_qsl(req["postData"], keep_blank_values=True)
                    ]
            entries.append(entry)
            open_entries[rid] = entry
        elif method == "Network.responseReceived" and rid in open_entries:
            open_entries[rid]["response"] = _response(p["response"], extra_resp.get(rid))
        elif method == "Network.loadingFinished" and rid in open_entries:
            entry = open_entries[rid]
            try:
                got = page.send("Network.getResponseBody", {"requestId": rid})
                entry["response"]["content"]["text"] = got.get("body", "")
                entry["response"]["content"]["size"] = len(got.get("body", ""))
                if got.get("base64Encoded"):
                    entry["response"]["content"]["encoding"] = "base64"
            except CDPError:
                pass
        elif method == "Network.loadingFailed" and rid in open_entries:
            entry = open_entries[rid]
            entry["response"]["_error"] = p.get("errorText", "failed")
            if p.get("blockedReason"):
                entry["response"]["_blocked_reason"] = p["blockedReason"]
    for entry in entries:
        entry.pop("_requestId", None)
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "jiradoctor tests (Chromium via CDP)", "version": "1"},
            "pages": [],
            "entries": entries,
        }
    }


def save_har(page: Page, path: Path) -> Path:
    path.write_text(json.dumps(export_har(page)), encoding="utf-8")
    return path
