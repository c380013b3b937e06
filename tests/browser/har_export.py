"""Chromium's network log, exported as HAR 1.2 by the test through CDP (as DevTools' "Save all as HAR").

Built from the page's own Network events: one entry per request and per redirect hop, headers
as the browser sent and received them (the ExtraInfo events add Cookie and Set-Cookie), bodies
fetched with ``Network.getResponseBody`` while the page is still open.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from tests.browser.cdp import CDPError, Page


def _headers(mapping: dict[str, Any] | None) -> list[dict[str, str]]:
    out = []
    for name, value in (mapping or {}).items():
        for line in str(value).split("\n"):
            out.append({"name": name, "value": line})
    return out


def _when(wall: float | None) -> str:
    moment = dt.datetime.fromtimestamp(wall or 0, dt.timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _response(resp: dict, extra: dict | None, body: str = "", encoded: bool = False) -> dict:
    headers = (extra or {}).get("headers") or resp.get("headers")
    content: dict[str, Any] = {"size": len(body), "mimeType": resp.get("mimeType", ""), "text": body}
    if encoded:
        content["encoding"] = "base64"
    return {
        "status": resp.get("status", 0),
        "statusText": resp.get("statusText", ""),
        "httpVersion": resp.get("protocol", "http/1.1").upper(),
        "headers": _headers(headers),
        "cookies": [],
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
            entry = {
                "startedDateTime": _when(p.get("wallTime")),
                "time": 0,
                "request": {
                    "method": req["method"],
                    "url": req["url"] + req.get("urlFragment", ""),
                    "httpVersion": "HTTP/1.1",
                    "headers": _headers(headers),
                    "queryString": [],
                    "cookies": [],
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
                entry["request"]["postData"] = {"mimeType": headers.get("Content-Type", ""), "text": req["postData"]}
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
