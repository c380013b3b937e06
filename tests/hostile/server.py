"""A hostile "Jira" on 127.0.0.1: every way a server can answer badly, one fault kind per path prefix.

``http://127.0.0.1:PORT/<kind>`` is given to jiradoctor as the Jira URL, so every request it makes
(serverInfo, myself, the OAuth servlet, permissions) lands under ``/<kind>/…`` and meets that fault.
Raw asyncio streams, not an HTTP library: the point is to send what no library would. The server
runs in a thread of the test process, listens on loopback only, stops itself after ``lifetime_s``
and is stopped by the test (:meth:`HostileServer.stop`).
"""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import struct
import threading
import urllib.parse
from typing import Awaitable, Callable

from tests.hostile import bombs

CHUNK = 64 * 1024
HTML = (
    b"<!DOCTYPE html><html><head><title>Log in</title></head><body><form action=/login method=post>"
    b"<input name=username><input type=password name=password></form></body></html>"
)
BIDI = "\u202e\u001b[31m\u0001"

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter, dict], Awaitable[None]]


def head(status: str, headers: list[tuple[str, str]], length: int | None = None) -> bytes:
    lines = [f"HTTP/1.1 {status}"] + [f"{k}: {v}" for k, v in headers]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


async def send(
    writer: asyncio.StreamWriter,
    status: str,
    body: bytes = b"",
    ctype: str = "application/json",
    extra: list[tuple[str, str]] | None = None,
) -> None:
    writer.write(head(status, [("Content-Type", ctype), ("Connection", "close"), *(extra or [])], len(body)) + body)
    await writer.drain()


async def _reset(reader, writer, req) -> None:
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def _silent(reader, writer, req) -> None:
    await asyncio.sleep(3600)


async def _drip_headers(reader, writer, req) -> None:
    for byte in head("200 OK", [("Content-Type", "application/json")], 2) + b"{}":
        writer.write(bytes([byte]))
        await writer.drain()
        await asyncio.sleep(1)


async def _drip_body(reader, writer, req) -> None:
    writer.write(head("200 OK", [("Content-Type", "application/json")], 1000))
    while True:
        writer.write(b" ")
        await writer.drain()
        await asyncio.sleep(1)


async def _endless_chunked(reader, writer, req) -> None:
    writer.write(head("200 OK", [("Content-Type", "application/json"), ("Transfer-Encoding", "chunked")]))
    piece = f"{CHUNK:x}\r\n".encode() + b"[" * CHUNK + b"\r\n"
    while True:
        writer.write(piece)
        await writer.drain()


async def _huge_body(reader, writer, req) -> None:
    writer.write(head("200 OK", [("Content-Type", "application/json")], 2 * 1024**3))
    zeros = b"0" * CHUNK
    while True:
        writer.write(zeros)
        await writer.drain()


def _encoded(body: bytes, encoding: str, ctype: str = "application/json") -> Handler:
    async def handler(reader, writer, req) -> None:
        await send(writer, "200 OK", body, ctype, [("Content-Encoding", encoding)])

    return handler


def _json(value: object | bytes, status: str = "200 OK") -> Handler:
    body = value if isinstance(value, bytes) else json.dumps(value).encode()

    async def handler(reader, writer, req) -> None:
        await send(writer, status, body)

    return handler


async def _redirect_loop(reader, writer, req) -> None:
    await send(writer, "302 Found", b"", "text/plain", [("Location", req["path"])])


async def _redirect_pingpong(reader, writer, req) -> None:
    path = req["path"]
    other = path[:-2] if path.endswith("/x") else path + "/x"
    await send(
        writer, "301 Moved Permanently", b"", "text/plain", [("Location", f"http://127.0.0.1:{req['port']}{other}")]
    )


async def _bad_location(reader, writer, req) -> None:
    await send(writer, "302 Found", b"", "text/plain", [("Location", "http://[::1/x]:99999999/")])


async def _html(reader, writer, req) -> None:
    await send(writer, "200 OK", HTML, "text/html; charset=utf-8")


async def _server_error(reader, writer, req) -> None:
    status = ["500 Internal Server Error", "502 Bad Gateway", "503 Service Unavailable"][len(req["path"]) % 3]
    await send(
        writer, status, b"<html><body><h1>" + status.encode() + b"</h1>" + b"x" * 5000 + b"</body></html>", "text/html"
    )


async def _big_header(reader, writer, req) -> None:
    await send(writer, "200 OK", b"{}", extra=[("X-Big", "a" * 100 * 1024)])


async def _many_headers(reader, writer, req) -> None:
    await send(writer, "200 OK", b"{}", extra=[(f"X-Header-Number-{i}", "v" * 20) for i in range(10_000)])


def _bad_base_string_body() -> bytes:
    base = "POST&http%3A%2F%2F%5B%3A%3A1%2Fplugins&oauth_consumer_key%3Dk%26oauth_nonce%3D1"
    return urllib.parse.urlencode(
        {
            "oauth_problem": "signature_invalid",
            "oauth_signature": "x",
            "oauth_signature_base_string": base,
            "oauth_signature_method": "RSA-SHA1",
        }
    ).encode()


async def _bad_base_string(reader, writer, req) -> None:
    await send(
        writer,
        "401 Unauthorized",
        _bad_base_string_body(),
        "application/x-www-form-urlencoded",
        [("WWW-Authenticate", 'OAuth realm="http%3A%2F%2F%5B", oauth_problem="signature_invalid"')],
    )


async def _control_chars(reader, writer, req) -> None:
    body = json.dumps(
        {
            "baseUrl": f"http://127.0.0.1:{req['port']}/{BIDI}",
            "version": BIDI,
            "deploymentType": BIDI,
            "errorMessages": [BIDI * 50],
            "displayName": BIDI,
            "name": BIDI,
        }
    ).encode()
    await send(writer, "200 OK", body, extra=[("X-AUSERNAME", BIDI), ("Server", BIDI), ("X-Seraph-LoginReason", BIDI)])


async def _captcha(reader, writer, req) -> None:
    await send(
        writer,
        "403 Forbidden",
        b'{"errorMessages":["CAPTCHA_CHALLENGE"]}',
        extra=[
            ("X-Seraph-LoginReason", "AUTHENTICATION_DENIED"),
            (
                "X-Authentication-Denied-Reason",
                f"CAPTCHA_CHALLENGE; login-url=http://127.0.0.1:{req['port']}/login.jsp",
            ),
        ],
    )


async def echo(reader, writer, req) -> None:
    """Echoes the credentials back: Authorization in headers and body, OAuth parameters in a
    signature_invalid base string, and the Basic password in a redirect's Location."""
    auth = req["headers"].get("authorization", "")
    password = ""
    if auth.startswith("Basic "):
        try:
            password = base64.b64decode(auth[6:]).decode("utf-8", "replace").partition(":")[2]
        except ValueError:
            password = ""
    echoed = [("X-Echo-Authorization", auth), ("X-AUSERNAME", password or "anonymous")]
    if req["path"].endswith("/serverInfo"):  # Jira-like, so that the login is tried and echoed
        body = json.dumps(
            {
                "baseUrl": f"http://127.0.0.1:{req['port']}/echo",
                "version": "9.12.0",
                "deploymentType": "Server",
                "echo": auth,
            }
        ).encode()
        await send(writer, "200 OK", body, extra=echoed)
        return
    if req["path"].endswith("/myself") and password:
        q = urllib.parse.quote(password, safe="")
        await send(
            writer,
            "302 Found",
            b"",
            "text/plain",
            [("Location", f"http://u:{q}@127.0.0.1:{req['port']}/login?password={q}&p={password}"), *echoed],
        )
        return
    oauth = (
        dict(urllib.parse.parse_qsl(auth[6:].replace('"', "").replace(", ", "&"))) if auth.startswith("OAuth ") else {}
    )
    params = "&".join(
        f"{k}={urllib.parse.quote(v, safe='')}" for k, v in sorted(oauth.items()) if k != "oauth_signature"
    )
    base = "&".join(
        urllib.parse.quote(p, safe="") for p in (req["method"], f"http://127.0.0.1:{req['port']}{req['path']}", params)
    )
    body = urllib.parse.urlencode(
        {
            "oauth_problem": "signature_invalid",
            "oauth_signature": oauth.get("oauth_signature", ""),
            "oauth_signature_base_string": base,
            "echo": auth,
        }
    ).encode()
    await send(
        writer,
        "401 Unauthorized",
        body,
        "application/x-www-form-urlencoded",
        [
            (
                "WWW-Authenticate",
                f'OAuth realm="http%3A%2F%2F127.0.0.1%3A{req["port"]}", '
                f'oauth_problem="signature_invalid", '
                f'oauth_token="{urllib.parse.quote(oauth.get("oauth_token", ""), safe="")}"',
            ),
            *echoed,
        ],
    )


DEEP = b"[" * 100_000 + b"]" * 100_000
FAULTS: dict[str, Handler] = {
    "reset": _reset,
    "silent": _silent,
    "drip-headers": _drip_headers,
    "drip-body": _drip_body,
    "endless-chunked": _endless_chunked,
    "huge-body": _huge_body,
    "gzip-bomb": _encoded(bombs.gzip_of_zeros(1024), "gzip"),
    "stacked-encodings": _encoded(bombs.gzip(bombs.gzip_of_zeros(1024)), "gzip, gzip"),
    "onion": _encoded(
        bombs.gzip(bombs.gzip(bombs.gzip(bombs.gzip(b'{"baseUrl": "http://127.0.0.1/"}')))), "gzip, gzip, gzip, gzip"
    ),
    "corrupt-gzip": _encoded(b"\x1f\x8b\x08\x00garbage" * 100, "gzip"),
    "unknown-encoding": _encoded(b"\x00\xff" * 500, "br, zstd"),
    "redirect-loop": _redirect_loop,
    "redirect-pingpong": _redirect_pingpong,
    "bad-location": _bad_location,
    "html": _html,
    "invalid-json": _json(b'{"baseUrl": "http://127.0.0.1/", "version": '),
    "wrong-shapes": _json(
        {
            "baseUrl": ["x"],
            "version": {"a": [1]},
            "serverTime": "soon",
            "deploymentType": 7,
            "permissions": [1, 2],
            "projects": "all",
            "errorMessages": {"a": 1},
            "name": None,
            "values": 5,
            "isLast": "no",
        }
    ),
    "json-list": _json([[1], {"baseUrl": "http://127.0.0.1/"}, "x"]),
    "deep-json": _json(DEEP),
    "huge-numbers": _json(
        b'{"baseUrl": 1e999999, "version": ' + b"9" * 100_000 + b', "serverTime": -1e400, "id": ' + b"1" * 5000 + b"}"
    ),
    "server-error": _server_error,
    "big-header": _big_header,
    "many-headers": _many_headers,
    "bad-base-string": _bad_base_string,
    "control-chars": _control_chars,
    "captcha": _captcha,
    "echo": echo,
}


SERVER_INFO = json.dumps(
    {"baseUrl": "https://jira.example.com", "version": "9.12.0", "deploymentType": "Server"}
).encode()


def _raw_deflate(data: bytes) -> bytes:
    c = __import__("zlib").compressobj(6, 8, -15)
    return c.compress(data) + c.flush()


HEALTHY: dict[str, Handler] = {  # the same codings, well used: they must read back exactly
    "gzip-ok": _encoded(bombs.gzip(SERVER_INFO), "gzip"),
    "stacked-ok": _encoded(bombs.gzip(bombs.gzip(SERVER_INFO)), "gzip, gzip"),
    "deflate-ok": _encoded(__import__("zlib").compress(SERVER_INFO), "deflate"),
    "raw-deflate-ok": _encoded(_raw_deflate(SERVER_INFO), "deflate"),
    "big-gzip-ok": _encoded(bombs.gzip(b'{"values": [' + b'"x",' * 300_000 + b'"x"]}'), "gzip"),
}


class HostileServer:
    """The fault server, plus a port that accepts TLS and never answers and a port nobody listens on."""

    def __init__(self, lifetime_s: float = 900) -> None:
        self.lifetime_s = lifetime_s
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, daemon=True, name="hostile-server")
        self.ready = threading.Event()
        self.port = self.stall_port = self.closed_port = 0
        self._stop: asyncio.Event | None = None

    def url(self, kind: str, scheme: str = "http") -> str:
        if kind == "refused":
            return f"http://127.0.0.1:{self.closed_port}"
        if kind == "tls-stall":
            return f"https://127.0.0.1:{self.stall_port}"
        if kind == "https-to-plain":
            return f"https://127.0.0.1:{self.port}/html"
        return f"{scheme}://127.0.0.1:{self.port}/{kind}"

    def __enter__(self) -> "HostileServer":
        self.thread.start()
        if not self.ready.wait(30):
            raise RuntimeError("hostile server did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self._stop is not None and self.thread.is_alive():
            self.loop.call_soon_threadsafe(self._stop.set)
        self.thread.join(10)

    def _run(self) -> None:
        self.loop.run_until_complete(self._main())
        self.loop.close()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        tasks: set[asyncio.Task] = set()

        def tracked(handler):
            async def wrapped(reader, writer):
                task = asyncio.current_task()
                tasks.add(task)
                try:
                    await handler(reader, writer)
                except (ConnectionError, asyncio.CancelledError, OSError):
                    pass
                finally:
                    tasks.discard(task)
                    writer.transport.abort()

            return wrapped

        main = await asyncio.start_server(tracked(self._serve), "127.0.0.1", 0, limit=256 * 1024)
        stall = await asyncio.start_server(tracked(_silent_conn), "127.0.0.1", 0)
        closed = socket.socket()
        closed.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        self.port = main.sockets[0].getsockname()[1]
        self.stall_port = stall.sockets[0].getsockname()[1]
        self.closed_port = closed.getsockname()[1]
        self.ready.set()
        try:
            await asyncio.wait_for(self._stop.wait(), self.lifetime_s)
        except asyncio.TimeoutError:
            pass
        finally:
            closed.close()
            for server in (main, stall):
                server.close()
            for task in list(tasks):
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        first = await reader.read(1)
        if first == b"\x16":  # a TLS ClientHello on the plain port: answer in plain HTTP, as Tomcat does
            await send(writer, "400 Bad Request", b"This combination of host and port requires TLS.", "text/plain")
            return
        raw = first + await reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        method, target = (lines[0].split(" ") + ["", ""])[:2]
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0") or 0)
        if length:
            await reader.readexactly(min(length, 1 << 20))
        path = urllib.parse.urlsplit(target).path
        kind = path.strip("/").split("/")[0]
        handler = FAULTS.get(kind) or HEALTHY.get(kind) or _html
        await handler(reader, writer, {"method": method, "path": path, "headers": headers, "port": self.port})


async def _silent_conn(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await asyncio.sleep(3600)
