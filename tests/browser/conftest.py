"""The headless Chromium the browser tests share: one per module, always closed."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.browser.cdp import Browser, find_chromium

CHROMIUM = find_chromium()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if CHROMIUM is None:
        pytest.fail("chromium is not installed; scripts/test installs it (apt-get install chromium)")
    b = Browser(CHROMIUM, timeout=15)
    try:
        yield b
    finally:
        b.close()
