"""gunicorn's access log line, written without building gunicorn's table of every atom.

``tandem serve`` logs one line per request: ``ADDRESS "METHOD PATH" STATUS BYTES DURATIONms`` —
the path only, since query strings may carry tokens (the webhook handshake's). gunicorn's own
``Logger.access`` builds a dictionary of some twenty atoms and every request and response header
for each line, whatever the format uses: 5 % of a worker's CPU on the webhook endpoint, which
serves hundreds of deliveries a second (``bench/ingest``). This logger writes the same line from
the five values it needs; everything else is gunicorn's.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger


class AccessLogger(Logger):
    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        status = resp.status
        if isinstance(status, str):
            status = status.split(None, 1)[0]
        sent = getattr(resp, "sent", None)
        milliseconds = request_time.seconds * 1000 + request_time.microseconds // 1000
        self.access_log.info(
            '%s "%s %s" %s %s %dms',
            environ.get("REMOTE_ADDR", "-"),
            environ.get("REQUEST_METHOD", "-"),
            environ.get("PATH_INFO", "-"),
            status,
            "-" if sent is None else sent,
            milliseconds,
        )
