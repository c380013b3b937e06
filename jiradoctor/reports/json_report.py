"""The JSON report: the contract (schema_version 1), validated by ``schema/report.schema.json``."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from jiradoctor.model import Report


def render(report: Report) -> str:
    return json.dumps(report.to_json(), indent=2, ensure_ascii=False, default=str) + "\n"


def load(text: str) -> Report:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not a JSON report: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError("not a jiradoctor report: the JSON is not an object")
    return Report.from_json(data)


def schema() -> dict[str, Any]:
    return json.loads(resources.files("jiradoctor").joinpath("schema/report.schema.json").read_text("utf-8"))
