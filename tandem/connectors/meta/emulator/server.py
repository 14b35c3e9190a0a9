"""The emulator over HTTP: a WSGI adapter to ``MetaEmulator.handle`` on ``wsgiref``'s server
with one thread per connection.

``start_in_thread(bind, emulator)`` returns a stop callable (tests); ``serve(bind, emulator)``
blocks until SIGINT/SIGTERM (``tandem emulator``). Both also run the webhook delivery thread.
Bind to 127.0.0.1: the emulator has no authentication on its control endpoints.
"""

from __future__ import annotations

import logging
import signal
import socketserver
import sys
import threading
from collections.abc import Callable, Iterable
from types import FrameType
from typing import IO, TYPE_CHECKING, Any, cast
from urllib.parse import quote
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer
from wsgiref.util import is_hop_by_hop

import httpx

from tandem.connectors.meta.emulator.emulator import MetaEmulator

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["RunningServer", "make_wsgi_app", "parse_bind", "serve", "start_in_thread"]

logger = logging.getLogger(__name__)


class _Disconnect(Exception):
    """Raised by the app to close the connection without answering (a dropped response)."""


def parse_bind(bind: str) -> tuple[str, int]:
    """``HOST:PORT`` (port 0: any free port); ``ValueError`` otherwise."""
    host, separator, port = bind.rpartition(":")
    if not separator or not host or not port.isdigit() or int(port) > 65535:
        raise ValueError(f"expected HOST:PORT, got {bind!r}")
    return host.strip("[]"), int(port)


def _request(environ: WSGIEnvironment) -> httpx.Request:
    headers = {
        key[5:].replace("_", "-").title(): value
        for key, value in environ.items()
        if key.startswith("HTTP_") and isinstance(value, str)
    }
    if environ.get("CONTENT_TYPE"):
        headers["Content-Type"] = environ["CONTENT_TYPE"]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    # wsgiref decodes PATH_INFO as latin-1; get the original bytes back, then re-quote them.
    path = quote(environ.get("PATH_INFO", "/").encode("latin-1"), safe="/:@!$&'()*+,;=-._~")
    query = environ.get("QUERY_STRING", "")
    url = f"http://{environ.get('HTTP_HOST') or 'emulator'}{path}" + (f"?{query}" if query else "")
    return httpx.Request(environ["REQUEST_METHOD"], url, headers=headers, content=body)


def make_wsgi_app(emulator: MetaEmulator) -> WSGIApplication:
    """A WSGI application answering with ``emulator.handle``."""

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        try:
            response = emulator.handle(_request(environ))
        except httpx.TransportError:
            raise _Disconnect from None
        headers = [
            (name, value)
            for name, value in response.headers.multi_items()
            if not is_hop_by_hop(name)
        ]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        return [response.content]

    return application


class _ServerHandler(ServerHandler):
    def handle_error(self) -> None:
        if isinstance(sys.exc_info()[1], _Disconnect):
            return  # write nothing: the connection closes without an answer
        super().handle_error()


class _RequestHandler(WSGIRequestHandler):
    def handle(self) -> None:
        # wsgiref's own handle(), with a handler that can hang up instead of answering 500.
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.send_error(414)
            return
        if not self.parse_request():
            return
        handler = _ServerHandler(
            self.rfile,
            cast("IO[bytes]", self.wfile),
            self.get_stderr(),
            self.get_environ(),
            multithread=True,
        )
        handler.request_handler = self  # type: ignore[attr-defined]  # wsgiref's back-pointer
        handler.run(self.server.get_app())  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("emulator.http", extra={"request": format % args})


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class RunningServer:
    """A server running in a thread. Calling it stops the server and webhook delivery."""

    def __init__(self, server: _ThreadingServer, thread: threading.Thread, emulator: MetaEmulator):
        self._server = server
        self._thread = thread
        self._emulator = emulator
        self._stopped = False
        host, port = server.socket.getsockname()[:2]
        self.address: tuple[str, int] = (str(host), int(port))
        self.url = f"http://{host}:{port}"

    def __call__(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._emulator.stop_webhook_delivery()


def start_in_thread(bind: str, emulator: MetaEmulator) -> RunningServer:
    """Listen on ``bind`` (``127.0.0.1:0`` for any free port) from a daemon thread."""
    host, port = parse_bind(bind)
    server = _ThreadingServer((host, port), _RequestHandler)
    server.set_app(make_wsgi_app(emulator))
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.1},
        name="meta-emulator-http",
        daemon=True,
    )
    thread.start()
    emulator.start_webhook_delivery()
    return RunningServer(server, thread, emulator)


def serve(
    bind: str,
    emulator: MetaEmulator,
    *,
    on_ready: Callable[[str], None] | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Serve until SIGINT/SIGTERM (or ``stop`` is set); ``on_ready`` gets the URL."""
    stop = stop or threading.Event()
    running = start_in_thread(bind, emulator)
    previous: dict[signal.Signals, Any] = {}
    if threading.current_thread() is threading.main_thread():

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, request_stop)
    try:
        if on_ready is not None:
            on_ready(running.url)
        while not stop.wait(0.5):
            pass
    finally:
        running()
        emulator.close()
        for restored, handler in previous.items():
            signal.signal(restored, handler)
