"""Webhook delivery: an ordered outbox, a sink, retries, and the background thread.

Meta POSTs each webhook to the app's callback URL, signed, and retries when the answer is not
a success: "immediately, then a few more times with decreasing frequency" (research §1.4,
https://developers.facebook.com/docs/graph-api/webhooks/getting-started/). Here the delays
come from ``EmulatorConfig.webhook_retry_delays``; after the last failure the webhook is
dropped, as Meta eventually does.

Deliveries happen outside the emulator's lock: the sink may be Tandem itself, which may call the
emulator again while handling the webhook.
"""

from __future__ import annotations

import heapq
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final, TypeAlias

import httpx

from tandem.connectors.meta.emulator.config import EmulatorConfig
from tandem.connectors.meta.emulator.state import WebhookDelivery
from tandem.connectors.meta.emulator.webhooks import encode
from tandem.connectors.meta.signatures import SIGNATURE_HEADER, sign

__all__ = ["WebhookDispatcher", "WebhookSink", "http_sink"]

logger = logging.getLogger(__name__)

#: Receives the exact body bytes and headers; returns the HTTP status Tandem answered.
WebhookSink: TypeAlias = Callable[[bytes, dict[str, str]], int]

_MAX_FLUSH_ROUNDS: Final = 100_000


@dataclass(order=True, slots=True)
class _Pending:
    due: float
    sequence: int
    kind: str = field(compare=False)
    payload: dict[str, Any] = field(compare=False)
    attempt: int = field(default=1, compare=False)


def http_sink(url: str, *, timeout: float) -> tuple[WebhookSink, Callable[[], None]]:
    """A sink POSTing to ``url`` with its own httpx client, and the function closing it.

    Transport failures (Tandem down, timeout) count as status 0 and are retried.
    """
    client = httpx.Client(timeout=timeout)

    def post(body: bytes, headers: dict[str, str]) -> int:
        try:
            return client.post(url, content=body, headers=headers).status_code
        except httpx.HTTPError:
            return 0

    return post, client.close


class WebhookDispatcher:
    """Pending webhooks in due order, delivered by ``flush`` or by a background thread.

    ``lock`` is the emulator's lock (the outbox is emulator state); ``settings`` and ``sink``
    are read at delivery time so a changed secret or sink applies to webhooks already queued.
    """

    def __init__(
        self,
        lock: threading.RLock,
        *,
        settings: Callable[[], EmulatorConfig],
        sink: Callable[[], WebhookSink | None],
    ) -> None:
        self._lock = lock
        self._condition = threading.Condition(lock)
        self._settings = settings
        self._sink = sink
        self._outbox: list[_Pending] = []
        self._sequence = 0
        self._deliveries: list[WebhookDelivery] = []
        self._thread: threading.Thread | None = None
        self._stopping = False

    # -- queue (caller holds the lock) -------------------------------------------------------

    def schedule(self, kind: str, payload: dict[str, Any], *, delay: float = 0.0) -> None:
        """Queue ``payload`` for delivery ``delay`` seconds from now (monotonic time)."""
        with self._condition:
            self._sequence += 1
            heapq.heappush(
                self._outbox, _Pending(time.monotonic() + delay, self._sequence, kind, payload)
            )
            self._condition.notify_all()

    def pending(self) -> int:
        with self._lock:
            return len(self._outbox)

    def deliveries(self) -> list[WebhookDelivery]:
        with self._lock:
            return list(self._deliveries)

    def clear(self) -> None:
        with self._lock:
            self._outbox.clear()
            self._deliveries.clear()

    # -- delivering --------------------------------------------------------------------------

    def flush(self) -> list[WebhookDelivery]:
        """Deliver every pending webhook now, synchronously, in due order — including those
        queued while flushing. A failed delivery is queued again (with its back-off) for a
        later flush or the thread, not retried in this one."""
        attempts: list[WebhookDelivery] = []
        retries: list[_Pending] = []
        for _ in range(_MAX_FLUSH_ROUNDS):
            with self._lock:
                if not self._outbox:
                    break
                pending = heapq.heappop(self._outbox)
            delivery, retry = self._attempt(pending)
            attempts.append(delivery)
            if retry is not None:
                retries.append(retry)
        with self._condition:
            for retry in retries:
                heapq.heappush(self._outbox, retry)
            self._condition.notify_all()
        return attempts

    def _attempt(self, pending: _Pending) -> tuple[WebhookDelivery, _Pending | None]:
        config = self._settings()
        body = encode(pending.payload)
        # Meta signs the exact bytes it sends (research §1.2).
        headers = {"Content-Type": "application/json", "User-Agent": "facebookexternalua"}
        if config.app_secret:
            headers[SIGNATURE_HEADER] = sign(body, config.app_secret)
        sink = self._sink()
        status: int | None = None
        if sink is not None:
            try:
                status = int(sink(body, headers))
            except Exception:  # a broken sink is a failed delivery, never a crash
                logger.exception("emulator.webhook_sink_failed", extra={"kind": pending.kind})
                status = 0
        failed = status is not None and not 200 <= status < 300
        retry = None
        delays = config.webhook_retry_delays
        if failed and pending.attempt <= len(delays):
            retry = _Pending(
                time.monotonic() + delays[pending.attempt - 1],
                pending.sequence,
                pending.kind,
                pending.payload,
                pending.attempt + 1,
            )
        delivery = WebhookDelivery(
            sequence=pending.sequence,
            kind=pending.kind,
            body=body,
            headers=headers,
            attempt=pending.attempt,
            status=status,
            final=retry is None,
        )
        with self._lock:
            self._deliveries.append(delivery)
        if failed:
            logger.info(
                "emulator.webhook_refused",
                extra={"kind": pending.kind, "status": status, "retry": retry is not None},
            )
        return delivery, retry

    # -- background thread -------------------------------------------------------------------

    def start(self) -> None:
        """Deliver webhooks as they fall due, from a daemon thread (idempotent)."""
        with self._lock:
            if self._thread is not None:
                return
            self._stopping = False
            self._thread = threading.Thread(
                target=self._run, name="meta-emulator-webhooks", daemon=True
            )
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        with self._condition:
            thread, self._thread = self._thread, None
            self._stopping = True
            self._condition.notify_all()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _next_due(self) -> _Pending | None:
        """Wait (lock held) until a webhook is due or the thread must stop."""
        while not self._stopping:
            now = time.monotonic()
            if self._outbox and self._outbox[0].due <= now:
                return heapq.heappop(self._outbox)
            timeout = self._outbox[0].due - now if self._outbox else None
            self._condition.wait(timeout)
        return None

    def _run(self) -> None:
        while True:
            with self._condition:
                pending = self._next_due()
            if pending is None:
                return
            _, retry = self._attempt(pending)
            if retry is not None:
                with self._condition:
                    heapq.heappush(self._outbox, retry)
                    self._condition.notify_all()
