"""``GET|POST /webhooks/meta``: the verification handshake, and signed event deliveries.

The POST does nothing but check, store and answer: signature over the raw bytes (constant
time), size, JSON shape, then ``webhook_ingest`` — every event stored before the 200. Meta
retries anything that is not a 200, so a database failure answers 500 and loses nothing.
https://developers.facebook.com/documentation/business-messaging/messenger-platform/webhooks
"""

from __future__ import annotations

import hmac
import logging
import threading
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from tandem.connectors.meta.payloads import PayloadError, RawEvent, load_payload, split_batch
from tandem.connectors.meta.signatures import verify_signature
from tandem.connectors.meta.webhooks import MAX_BODY_BYTES, IngestResult, webhook_ingest
from tandem.core.wsgi import without_middleware

logger = logging.getLogger(__name__)

# ``X-Hub-Signature-256`` as WSGI names it (read directly: ``request.headers`` builds a dict of
# every header).
SIGNATURE_META = "HTTP_X_HUB_SIGNATURE_256"


def _text(body: str, status: int) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")


@without_middleware
@csrf_exempt
@require_http_methods(["GET", "POST"])
def meta_webhook(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _handshake(request)
    return _delivery(request)


def _handshake(request: HttpRequest) -> HttpResponse:
    mode = request.GET.get("hub.mode", "")
    token = request.GET.get("hub.verify_token", "")
    challenge = request.GET.get("hub.challenge", "")
    expected = settings.META_VERIFY_TOKEN
    if (
        mode == "subscribe"
        and expected
        and challenge
        and hmac.compare_digest(token.encode(), expected.encode())
    ):
        # Echo the challenge exactly, as text: Meta documents it as a number or a string.
        return _text(challenge, 200)
    logger.warning("connectors.webhook.handshake_refused")
    return _text("Forbidden", 403)


def _delivery(request: HttpRequest) -> HttpResponse:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _text("Bad Content-Length", 400)
    if declared > MAX_BODY_BYTES:
        return _text("Payload Too Large", 413)
    body = request.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        return _text("Payload Too Large", 413)
    secrets = [s for s in (settings.META_APP_SECRET, settings.META_INSTAGRAM_APP_SECRET) if s]
    if not verify_signature(body=body, header=request.META.get(SIGNATURE_META), secrets=secrets):
        logger.warning("connectors.webhook.bad_signature", extra={"bytes": len(body)})
        return _text("Forbidden", 403)
    try:
        events = split_batch(load_payload(body))
    except PayloadError:
        return _text("Bad Request", 400)
    result = _ingest(events)
    tally.add(result)
    return _text("EVENT_RECEIVED", 200)


class _Tally:
    """What the deliveries brought, logged once a minute per process rather than once per
    delivery (hundreds a second at peak; gunicorn's access log has a line for each already):
    ``connectors.webhook.received deliveries=… events=… stored=… duplicates=… seconds=…``.
    Each delivery's counts are logged at DEBUG."""

    PERIOD = 60.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._since = time.monotonic()
        self._counts = [0, 0, 0, 0]  # deliveries, events, stored, duplicates

    def add(self, result: IngestResult, *, now: float | None = None) -> None:
        logger.debug(
            "connectors.webhook.delivery events=%d stored=%d duplicates=%d",
            result.received,
            result.stored,
            result.duplicates,
        )
        now = time.monotonic() if now is None else now
        with self._lock:
            counts = self._counts
            counts[0] += 1
            counts[1] += result.received
            counts[2] += result.stored
            counts[3] += result.duplicates
            elapsed = now - self._since
            if elapsed < self.PERIOD:
                return
            self._counts, self._since = [0, 0, 0, 0], now
        logger.info(
            "connectors.webhook.received deliveries=%d events=%d stored=%d duplicates=%d "
            "seconds=%.0f",
            *counts,
            elapsed,
        )


tally = _Tally()


def _ingest(events: list[RawEvent]) -> IngestResult:
    """Store the delivery, without the connection health check's round trip.

    ``CONN_HEALTH_CHECKS`` would send ``SELECT 1`` before the first query of every request. A
    connection that died meanwhile (database restarted) shows itself on the INSERT instead:
    the delivery is then stored once more on a new connection — idempotent, since nothing of
    a failed transaction stays and what did commit is skipped by the unique keys.
    """
    if connection.connection is not None and not connection.in_atomic_block:
        connection.health_check_done = True  # type: ignore[attr-defined]
    try:
        return webhook_ingest(raw_events=events)
    except (InterfaceError, OperationalError):
        if connection.in_atomic_block:
            raise
        logger.warning("connectors.webhook.reconnect")
        connection.close()
        return webhook_ingest(raw_events=events)
