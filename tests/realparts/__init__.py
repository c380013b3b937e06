"""Real local parts the tests run against: generated PKI, nginx, forward proxies, a DNS server.

Everything listens on 127.0.0.1 only, every wait is bounded, every process is stopped in teardown.
Fixtures live in :mod:`tests.realparts.fixtures` (``from tests.realparts.fixtures import *``).
"""

from __future__ import annotations

import sys

FIXTURES_MODULE = "tests.realparts.fixtures"


def fixtures_plugin() -> tuple[str, ...]:
    """``pytest_plugins`` for a test module: the fixtures, unless a conftest already imported them.

    Why: test modules must work with and without the conftest line; registering a module a
    conftest already imported would only earn a PytestAssertRewriteWarning.
    """
    return () if FIXTURES_MODULE in sys.modules else (FIXTURES_MODULE,)
