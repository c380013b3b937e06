from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest

from jiradoctor.lab import LabServer


@pytest.fixture
def make_lab() -> Iterator[Callable[..., LabServer]]:
    """Start lab servers on loopback; every one is stopped at teardown."""
    servers: list[LabServer] = []

    def _make(scenario: Any, **kw: Any) -> LabServer:
        server = LabServer(scenario, **kw)
        servers.append(server)
        return server.start()

    yield _make
    for server in servers:
        server.stop()
