"""A tiny scripted webhook receiver on 127.0.0.1 (stdlib ``http.server`` in a thread)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Received:
    path: str
    body: bytes
    headers: dict[str, str]


@dataclass
class ScriptedServer:
    """Answers each POST with ``script(n)`` -> (status, delay in s); n counts from 0."""

    url: str
    script: Callable[[int], tuple[int, float]]
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def bodies(self, path: str = "/webhooks/meta") -> list[bytes]:
        with self.lock:
            return [item.body for item in self.received if item.path == path]


def _handler(server: ScriptedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the runner's clients expect
        disable_nagle_algorithm = True  # else headers and body wait for a delayed ACK (40 ms)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            with server.lock:
                number = len([r for r in server.received if r.path == self.path])
                server.received.append(Received(self.path, body, dict(self.headers.items())))
            status, delay = server.script(number) if self.path == "/webhooks/meta" else (200, 0)
            if delay:
                time.sleep(delay)
            payload = b"ok" if status == 200 else b"nope"
            self.send_response(status)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def webhook_server() -> Iterator[Callable[..., ScriptedServer]]:
    """Factory: ``webhook_server(script)`` starts a server; all are stopped after the test."""
    started: list[ThreadingHTTPServer] = []

    def start(script: Callable[[int], tuple[int, float]] = lambda n: (200, 0.0)) -> ScriptedServer:
        scripted = ScriptedServer(url="", script=script)
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(scripted))
        httpd.daemon_threads = True
        threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True).start()
        started.append(httpd)
        scripted.url = f"http://127.0.0.1:{httpd.server_address[1]}"
        return scripted

    yield start
    for httpd in started:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def closed_port_url() -> str:
    """A 127.0.0.1 URL where nothing listens (bound then released)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/webhooks/meta"
