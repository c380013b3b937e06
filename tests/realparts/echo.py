"""A tiny HTTP upstream that echoes the request it received as JSON.

Why: proxies are tested by what arrives behind them (Host, X-Forwarded-*, Via, path), so the
upstream must report the request exactly as it reached it.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .procs import LOOPBACK, STOP_TIMEOUT_S, Stoppable


class _EchoHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _echo(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        payload = json.dumps({
            "method": self.command, "path": self.path, "body": body,
            "headers": {k.lower(): v for k, v in self.headers.items()},
        }).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _echo

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: pytest output is for failures."""


@dataclass
class EchoServer(Stoppable):
    """A running echo upstream on loopback; ``url`` is ``http://127.0.0.1:PORT``."""

    server: ThreadingHTTPServer
    thread: threading.Thread

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(STOP_TIMEOUT_S)


def start_echo_server() -> EchoServer:
    """Start the echo upstream on a kernel-chosen loopback port (no race: it binds port 0)."""
    server = ThreadingHTTPServer((LOOPBACK, 0), _EchoHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              name="realparts-echo", daemon=True)
    thread.start()
    return EchoServer(server, thread)
