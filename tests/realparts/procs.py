"""Shared plumbing for real parts: free ports, bounded waits, subprocess and event-loop lifecycles.

Every server module goes through these helpers so that "wait until listening" and "stop, then
kill" are written once and always bounded in time.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any, TypeVar

LOOPBACK = "127.0.0.1"
START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 5.0

T = TypeVar("T")
S = TypeVar("S", bound="Stoppable")


class RealPartError(RuntimeError):
    """A real part failed to start or misbehaved; the message carries its log."""


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    """Return a loopback port that was free a moment ago (the OS picks it, so no guessing)."""
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def require_binary(name: str) -> str:
    """Absolute path of a required executable; fail loudly (never skip) when it is missing.

    /usr/sbin is searched too because nginx and dnsmasq live there and a non-root PATH may lack it.
    """
    path = shutil.which(name, path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"]))
    if path is None:
        raise RealPartError(f"{name!r} is not installed; install its Debian package (see tests/realparts)")
    return path


def port_is_open(host: str, port: int, timeout: float = 0.2) -> bool:
    """True when a TCP connect to host:port succeeds."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _listening_inode(port: int) -> int | None:
    """Inode of the socket listening on 127.0.0.1:port, from /proc/net/tcp (Linux)."""
    local = f"0100007F:{port:04X}"
    with open("/proc/net/tcp") as table:
        for line in table.readlines()[1:]:
            fields = line.split()
            if fields[1] == local and fields[3] == "0A":  # 0A: LISTEN
                return int(fields[9])
    return None


def owns_listener(pid: int, port: int) -> bool:
    """True when process pid holds the socket listening on 127.0.0.1:port.

    Why: a port picked by free_port() can be taken by someone else before our server binds it;
    then "the port accepts connections" would be true of the wrong server.  Without /proc
    (not Linux) this cannot be checked and is assumed true.
    """
    if not os.path.exists("/proc/net/tcp"):
        return True
    inode = _listening_inode(port)
    if inode is None:
        return False
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    target = f"socket:[{inode}]"
    for fd in fds:
        with contextlib.suppress(OSError):
            if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                return True
    return False


def wait_until(predicate: Callable[[], bool], timeout: float, what: str,
               abort: Callable[[], str | None] = lambda: None) -> None:
    """Poll predicate until true; raise after timeout, or at once when abort() returns a reason."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return
        reason = abort()
        if reason is not None:
            raise RealPartError(f"{what}: {reason}")
        if time.monotonic() > deadline:
            raise RealPartError(f"{what}: not ready after {timeout:.1f}s")
        time.sleep(0.02)


class Stoppable:
    """Context-manager support for anything with stop(), so every part can be used in ``with``."""

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self: S) -> S:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class ManagedProcess:
    """A foreground server process whose output goes to a log file (a pipe could fill and block)."""

    def __init__(self, argv: Sequence[str], log_path: Path, cwd: Path | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.argv = list(argv)
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            self.argv, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            cwd=cwd, env={**os.environ, **(env or {})}, start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def log(self) -> str:
        """What the process wrote so far (for error messages and assertions)."""
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def exit_reason(self) -> str | None:
        """None while running; a description with the log once it has exited."""
        code = self.proc.poll()
        if code is None:
            return None
        return f"{self.argv[0]} exited with {code}; log:\n{self.log()[-4000:]}"

    def wait_for_port(self, host: str, port: int, timeout: float = START_TIMEOUT_S) -> None:
        """Block until this process listens on host:port and accepts; fail early if it dies."""
        what = f"{Path(self.argv[0]).name} on {host}:{port}"

        def abort() -> str | None:
            if port_is_open(host, port) and not owns_listener(self.pid, port):
                return "address already in use by another process"
            return self.exit_reason()

        wait_until(lambda: owns_listener(self.pid, port) and port_is_open(host, port), timeout, what, abort)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = STOP_TIMEOUT_S) -> None:
        """Ask politely with sig, then SIGKILL the whole process group; never hangs."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=timeout)
        self._log.close()


ADDRESS_IN_USE = ("address already in use", "address in use", "eaddrinuse",
                  "could not create listening sockets")  # the last: tinyproxy's only word for it


def start_on_free_port(start: Callable[[], T], attempts: int = 3) -> T:
    """Call start() (which picks its own free ports) again when it lost a race for a port."""
    for attempt in range(attempts):
        try:
            return start()
        except (RealPartError, OSError) as exc:
            lost_race = any(s in str(exc).lower() for s in ADDRESS_IN_USE)
            if not lost_race or attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


class BackgroundLoop:
    """An asyncio loop on a daemon thread, for in-process servers (DNS, intercepting proxy)."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = START_TIMEOUT_S) -> T:
        """Run coro on the loop and wait (bounded) for its result."""
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError as exc:
            future.cancel()
            raise RealPartError(f"{self._thread.name}: timed out after {timeout}s") from exc

    def close(self, timeout: float = STOP_TIMEOUT_S) -> None:
        """Cancel remaining tasks, stop the loop and join the thread (bounded)."""
        if self.loop.is_closed():
            return

        async def _cancel_all() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            if tasks:
                await asyncio.wait(tasks, timeout=timeout)

        try:
            self.run(_cancel_all(), timeout)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout)
            if not self._thread.is_alive():
                self.loop.close()
