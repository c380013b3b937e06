"""Hand-made HAR entries for tests: the shapes Chrome, Firefox and Safari write."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable


def entry(
    method: str,
    url: str,
    status: int,
    request_headers: Iterable[tuple[str, str]] = (),
    response_headers: Iterable[tuple[str, str]] = (),
    body: str = "",
    mime: str = "application/json",
    post: str | None = None,
    post_mime: str = "application/x-www-form-urlencoded",
    **extra: Any,
) -> dict:
    e: dict[str, Any] = {
        "startedDateTime": "2026-11-30T10:00:00.000Z",
        "time": 5,
        "request": {
            "method": method,
            "url": url,
            "httpVersion": "HTTP/1.1",
            "headers": [{"name": k, "value": v} for k, v in request_headers],
            "queryString": [],
            "cookies": [],
            "headersSize": -1,
            "bodySize": 0,
        },
        "response": {
            "status": status,
            "statusText": "",
            "httpVersion": "HTTP/1.1",
            "headers": [{"name": k, "value": v} for k, v in response_headers],
            "cookies": [],
            "content": {"size": len(body), "mimeType": mime, "text": body},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
        },
        "cache": {},
        "timings": {"send": 0, "wait": 5, "receive": 0},
    }
    if post is not None:
        e["request"]["postData"] = {"mimeType": post_mime, "text": post}
    for key, value in extra.items():
        e[key] = value
    return e


def har(entries: list[dict], **log: Any) -> dict:
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "hand-made", "version": "1"},
            "pages": [],
            **log,
            "entries": entries,
        }
    }


def write(path: Path, document: Any) -> Path:
    path.write_text(document if isinstance(document, str) else json.dumps(document), encoding="utf-8")
    return path
