"""Sockets that misbehave below HTTP, on loopback: one that resets every connection, one that
accepts and never answers. Each lives in a thread of the test, for as long as the test runs."""

from __future__ import annotations

import socket
import struct
import threading
from dataclasses import dataclass, field
from typing import Literal

from .procs import LOOPBACK

Mode = Literal["reset", "silent"]


@dataclass
class RawServer:
    mode: Mode
    sock: socket.socket
    held: list[socket.socket] = field(default_factory=list)
    stopped: threading.Event = field(default_factory=threading.Event)

    @property
    def port(self) -> int:
        return self.sock.getsockname()[1]

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            if self.mode == "reset":
                conn.settimeout(1.0)
                try:
                    conn.recv(65536)  # let the request arrive, then answer with RST
                except OSError:
                    pass
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()
            else:
                self.held.append(conn)  # never read, never answer

    def stop(self) -> None:
        self.stopped.set()
        for conn in self.held:
            conn.close()
        self.sock.close()

    def __enter__(self) -> "RawServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_raw_server(mode: Mode) -> RawServer:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((LOOPBACK, 0))
    sock.listen(64)
    server = RawServer(mode, sock)
    threading.Thread(target=server.serve, daemon=True, name=f"raw-{mode}").start()
    return server
