"""Check tests judge facts built in the test: the caller's proxy variables must not change a route."""

from __future__ import annotations

from tests.network.conftest import _no_proxy_environment  # noqa: F401 - autouse fixture, shared
