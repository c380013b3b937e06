"""The JSON report: the contract (schema_version 1), validated by ``schema/report.schema.json``."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from jiradoctor.model import Report
from jiradoctor.net import bounded_json


def render(report: Report) -> str:
    return json.dumps(report.to_json(), indent=2, ensure_ascii=False, default=str) + "\n"


def load(text: str) -> Report:
    try:
        data = bounded_json.loads(
            text, max_depth=256, max_size=64 * 1024 * 1024, what="the file"
        )  # a baseline may come from anywhere
    except bounded_json.JsonProblem as exc:
        raise ValueError(f"not a JSON report: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError("not a jiradoctor report: the JSON is not an object")
    try:
        return Report.from_json(data)
    except KeyError as exc:
        raise ValueError(f"not a jiradoctor report: a required field is missing ({exc})") from None
    except (AttributeError, TypeError) as exc:  # a field of the wrong type ("target": "x")
        raise ValueError(f"not a jiradoctor report: a field has the wrong type ({exc})") from None


def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        resources.files("jiradoctor").joinpath("schema/report.schema.json").read_text("utf-8"))
    return loaded
