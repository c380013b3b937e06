"""The shared process helpers are bounded: waits time out, stubborn processes are killed."""

from __future__ import annotations

import socket
import sys
import time
from pathlib import Path

import pytest

from tests.realparts.procs import (
    BackgroundLoop,
    ManagedProcess,
    RealPartError,
    free_port,
    require_binary,
    start_on_free_port,
    wait_until,
)


def test_free_port_is_bindable_on_loopback() -> None:
    port = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def test_wait_until_times_out() -> None:
    started = time.monotonic()
    with pytest.raises(RealPartError, match="not ready"):
        wait_until(lambda: False, 0.2, "never")
    assert time.monotonic() - started < 1


def test_wait_for_port_fails_fast_when_process_exits(tmp_path: Path) -> None:
    proc = ManagedProcess([sys.executable, "-c", "print('boom'); raise SystemExit(3)"], tmp_path / "log")
    try:
        with pytest.raises(RealPartError, match=r"exited with 3(.|\n)*boom"):
            proc.wait_for_port("127.0.0.1", free_port(), timeout=5)
    finally:
        proc.stop()


def test_stop_kills_a_process_that_ignores_sigterm(tmp_path: Path) -> None:
    code = ("import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
            "print('ready', flush=True); time.sleep(60)")
    proc = ManagedProcess([sys.executable, "-c", code], tmp_path / "log")
    wait_until(lambda: "ready" in proc.log(), 5, "child ready")
    started = time.monotonic()
    proc.stop(timeout=0.5)
    assert proc.proc.returncode is not None and time.monotonic() - started < 3


def test_missing_binary_fails_loudly() -> None:
    with pytest.raises(RealPartError, match="not installed"):
        require_binary("definitely-not-a-realparts-binary")


def test_start_on_free_port_retries_only_lost_races() -> None:
    calls: list[int] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 2:
            raise RealPartError("bind() failed (98: Address already in use)")
        return "ok"

    assert start_on_free_port(flaky) == "ok" and len(calls) == 2
    with pytest.raises(RealPartError, match="other"):
        start_on_free_port(lambda: (_ for _ in ()).throw(RealPartError("other failure")))


def test_background_loop_runs_and_closes() -> None:
    async def answer() -> int:
        return 42

    loop = BackgroundLoop("test-loop")
    try:
        assert loop.run(answer()) == 42
    finally:
        loop.close()
    assert loop.loop.is_closed()


def test_wait_for_port_rejects_a_port_someone_else_listens_on(tmp_path: Path) -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        proc = ManagedProcess([sys.executable, "-c", "import time; time.sleep(30)"], tmp_path / "log")
        try:
            with pytest.raises(RealPartError, match="already in use"):
                proc.wait_for_port("127.0.0.1", other.getsockname()[1], timeout=5)
        finally:
            proc.stop()
