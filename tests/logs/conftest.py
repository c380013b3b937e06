"""Every logs test runs twice: plain files searched by GNU grep, and by Python's own passes (the path
.gz files, zip members and machines without GNU grep take). Both must give the same findings."""

from __future__ import annotations

import pytest

from jiradoctor.logs.records import PURE_ENV, gnu_grep


@pytest.fixture(autouse=True, params=["grep", "python"])
def search_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "python":
        monkeypatch.setenv(PURE_ENV, "1")
    else:
        monkeypatch.delenv(PURE_ENV, raising=False)
        assert gnu_grep() is not None, "GNU grep is part of the test machine (Debian's grep package)"
    return str(request.param)
