"""``MetaEmulator``: the Graph API endpoints Tandem calls, answered locally.

``handle(request)`` is the whole HTTP surface: ``httpx.MockTransport(emulator.handle)`` in
tests, the WSGI adapter in ``server.py`` otherwise. One lock guards all state; latency is slept
and webhooks are delivered outside it.

Per Graph call, in this order:

1. Draw (seeded) the latency, whether to inject an error (throttling or 5xx), whether to drop
   the answer; sleep the latency.
2. Injected error → answered at once: the call has no effect.
3. Token present (104), not revoked (190/463); then the handler: its own validation, windows,
   state change, webhooks queued.
4. Dropped answer (successful calls only) → the call took effect, then 502 with an HTML body,
   or a closed connection — what makes Tandem's "maybe sent" path necessary.

Every call is recorded (``calls``) with what it created and what was answered.
"""

from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import parse_qsl

import httpx

from tandem.connectors.meta.emulator import handlers
from tandem.connectors.meta.emulator.config import EmulatorConfig
from tandem.connectors.meta.emulator.context import GraphCall, Outcome, Runtime
from tandem.connectors.meta.emulator.control import handle_control
from tandem.connectors.meta.emulator.customers import CustomerActions
from tandem.connectors.meta.emulator.delivery import WebhookDispatcher, WebhookSink, http_sink
from tandem.connectors.meta.emulator.responses import (
    GRAPH_THROTTLE_CODES,
    WHATSAPP_THROTTLE_CODES,
    GraphFailure,
    graph_error,
    invalid_parameter,
    json_response,
    server_error,
    throttled,
    usage_headers,
)
from tandem.connectors.meta.emulator.state import (
    CallRecord,
    EmulatorState,
    WebhookDelivery,
)
from tandem.connectors.meta.events import Platform

__all__ = ["MetaEmulator"]

logger = logging.getLogger(__name__)

_VERSION: Final = re.compile(r"v\d{1,2}\.\d{1,2}")
_ACCOUNT_EDGES: Final = frozenset(
    {"messages", "feed", "media", "media_publish", "insights", "subscribed_apps"}
)
_BAD_GATEWAY: Final = (
    b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
)


class MetaEmulator(CustomerActions):
    """A local Meta: Graph API endpoints, windows, failures, and signed webhooks back.

    ``clock`` returns the current time (aware); tests may pass a fixed one. ``webhook_sink``
    receives webhooks (body bytes, headers) and returns Tandem's HTTP status; when None and
    ``config.webhook_url`` is set, webhooks are POSTed there.
    """

    def __init__(
        self,
        config: EmulatorConfig | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
        webhook_sink: WebhookSink | None = None,
    ) -> None:
        self._lock = threading.RLock()
        self._config = config or EmulatorConfig()
        self._rng = random.Random(self._config.seed)  # noqa: S311 — a simulation, not security
        self._clock = clock or (lambda: datetime.now(UTC))
        self._state = EmulatorState(self._rng)
        self.webhook_sink: WebhookSink | None = webhook_sink
        self._http_sinks: dict[str, tuple[WebhookSink, Callable[[], None]]] = {}
        self._webhooks = WebhookDispatcher(
            self._lock, settings=lambda: self._config, sink=self._current_sink
        )

    # -- settings and lifecycle ----------------------------------------------------------------

    @property
    def config(self) -> EmulatorConfig:
        return self._config

    def configure(
        self, overrides: Mapping[str, Any] | None = None, **changes: Any
    ) -> EmulatorConfig:
        """Apply setting overrides (``ValueError`` if invalid); a new ``seed`` reseeds."""
        with self._lock:
            self._config = self._config.with_overrides({**(overrides or {}), **changes})
            if "seed" in {**(overrides or {}), **changes}:
                self._rng.seed(self._config.seed)
            return self._config

    def now(self) -> datetime:
        current = self._clock()
        if current.tzinfo is None or current.utcoffset() is None:
            raise ValueError("the emulator clock must return aware datetimes")
        return current.astimezone(UTC)

    def reset(self, *, accounts: bool = False) -> None:
        """Forget calls, windows, comments, posts, revoked tokens and pending webhooks;
        registered accounts too when ``accounts``. Settings stay."""
        with self._lock:
            self._state.clear(accounts=accounts)
            self._webhooks.clear()

    def close(self) -> None:
        """Stop webhook delivery and close the default sink's connections."""
        self._webhooks.stop()
        with self._lock:
            sinks, self._http_sinks = self._http_sinks, {}
        for _, close in sinks.values():
            close()

    # -- records -----------------------------------------------------------------------------

    @property
    def calls(self) -> list[CallRecord]:
        """Every Graph call so far (a snapshot), oldest first."""
        with self._lock:
            return list(self._state.calls)

    def sent_messages(self) -> list[CallRecord]:
        """Message sends that took effect (answer dropped or not), oldest first."""
        return [
            call
            for call in self.calls
            if call.performed and call.path.endswith("/messages") and call.created_ids
        ]

    @property
    def webhooks(self) -> list[WebhookDelivery]:
        """Every webhook delivery attempt so far, oldest first."""
        return self._webhooks.deliveries()

    def pending_webhooks(self) -> int:
        return self._webhooks.pending()

    def flush_webhooks(self) -> list[WebhookDelivery]:
        """Deliver every pending webhook now, in order, synchronously (``WebhookDispatcher``)."""
        return self._webhooks.flush()

    def start_webhook_delivery(self) -> None:
        """Deliver webhooks from a background thread as they fall due (server mode)."""
        self._webhooks.start()

    def stop_webhook_delivery(self) -> None:
        self._webhooks.stop()

    def _current_sink(self) -> WebhookSink | None:
        if self.webhook_sink is not None:
            return self.webhook_sink
        url = self._config.webhook_url
        if not url:
            return None
        with self._lock:
            if url not in self._http_sinks:
                self._http_sinks[url] = http_sink(url, timeout=self._config.webhook_timeout)
            return self._http_sinks[url][0]

    def _emit(self, kind: str, payload: dict[str, Any], delay: float) -> None:
        self._webhooks.schedule(kind, payload, delay=delay)

    # -- HTTP --------------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one HTTP request like Meta would (control endpoints under ``/_emulator/``).

        Raises ``httpx.RemoteProtocolError`` when a dropped answer is configured as a
        disconnect; never raises otherwise.
        """
        if request.url.path == "/_emulator" or request.url.path.startswith("/_emulator/"):
            return handle_control(self, request)
        with self._lock:
            config = self._config
            low, high = config.latency_ms
            latency = self._rng.uniform(low, high) / 1000 if high else 0.0
            injected = None
            if config.error_rate and self._rng.random() < config.error_rate:
                share = config.throttle_share
                injected = "throttle" if self._rng.random() < share else "server_error"
            dropped = (
                config.drop_response_rate > 0 and self._rng.random() < config.drop_response_rate
            )
            fbtrace_id = self._state.fbtrace_id()
        if latency:
            time.sleep(latency)
        call, decode_failure = _decode(request)
        with self._lock:
            runtime = Runtime(
                state=self._state, config=self._config, now=self.now(), emit=self._emit
            )
            outcome: Outcome | None = None
            failure = decode_failure
            if injected is not None:
                failure = self._injected_failure(injected, call)
            elif failure is None:
                try:
                    self._check_token(call)
                    outcome = handlers.dispatch(runtime, call)
                except GraphFailure as error:
                    failure = error
                except Exception:  # a bug in the emulator must still look like Meta
                    logger.exception("emulator.handler_failed", extra={"path": call.path})
                    failure = graph_error(
                        1, "An unknown error has occurred.", status=500, transient=True
                    )
            response = self._render(outcome, failure, fbtrace_id, call)
            dropped = dropped and outcome is not None
            disconnect = dropped and self._config.drop_response_mode == "disconnect"
            status = 0 if disconnect else 502 if dropped else response.status_code
            self._record(
                at=runtime.now,
                call=call,
                outcome=outcome,
                failure=failure,
                status=status,
                injected=injected,
                dropped=dropped,
            )
        if disconnect:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        if dropped:
            return httpx.Response(
                502, content=_BAD_GATEWAY, headers={"Content-Type": "text/html; charset=utf-8"}
            )
        return response

    def _check_token(self, call: GraphCall) -> None:
        if not call.token:
            raise graph_error(104, "An access token is required to request this resource.")
        if call.token in self._state.revoked_tokens:
            # https://developers.facebook.com/docs/graph-api/guides/error-handling (190/463)
            stamp = self.now().strftime("%A, %d-%b-%y %H:%M:%S UTC")
            raise graph_error(
                190,
                f"Error validating access token: Session has expired on {stamp}. The current "
                f"time is {stamp}.",
                status=401,
                subcode=463,
                headers={"WWW-Authenticate": 'OAuth "Facebook Platform" "invalid_token"'},
            )

    def _account_of(self, call: GraphCall) -> tuple[str | None, Platform | None]:
        """The account a call is about, from the path alone (for records and injected
        errors, which happen before any handler looked at it)."""
        state = self._state
        object_id = call.segments[0] if call.segments else ""
        account = state.account(object_id)
        if account is not None:
            return object_id, account.platform
        comment = state.comments.get(object_id)
        if comment is not None:
            return comment.account_id, comment.platform
        post = state.posts.get(object_id)
        if post is not None:
            return post.account_id, Platform.FACEBOOK
        if len(call.segments) == 2 and call.segments[1] in _ACCOUNT_EDGES:
            whatsapp = call.params.get("messaging_product") == "whatsapp"
            return object_id, Platform.WHATSAPP if whatsapp else None
        return None, None

    def _injected_failure(self, kind: str, call: GraphCall) -> GraphFailure:
        state = self._state
        if kind == "server_error":
            state.server_error_turn += 1
            return server_error(500 if state.server_error_turn % 2 else 503)
        account_id, platform = self._account_of(call)
        codes = WHATSAPP_THROTTLE_CODES if platform is Platform.WHATSAPP else GRAPH_THROTTLE_CODES
        code = codes[state.throttle_turn % len(codes)]
        state.throttle_turn += 1
        return throttled(
            code,
            account_id=account_id or self._config.app_id,
            platform=platform,
            regain_minutes=self._config.regain_access_minutes,
        )

    def _render(
        self,
        outcome: Outcome | None,
        failure: GraphFailure | None,
        fbtrace_id: str,
        call: GraphCall,
    ) -> httpx.Response:
        usage = self._config.usage_percent
        if failure is not None:
            headers = {**usage_headers(app_percent=usage), **failure.headers}
            return json_response(
                failure.status, failure.body(fbtrace_id), fbtrace_id=fbtrace_id, headers=headers
            )
        assert outcome is not None
        buc_type = {
            Platform.INSTAGRAM: "instagram",
            Platform.FACEBOOK: "messenger" if call.path.endswith("/messages") else "pages",
        }.get(outcome.platform or Platform.FACEBOOK)
        headers = usage_headers(
            app_percent=usage,
            account_id=outcome.account_id,
            buc_type=buc_type,
            buc_percent=usage,
            regain_minutes=0,
        )
        return json_response(200, outcome.body, fbtrace_id=fbtrace_id, headers=headers)

    def _record(
        self,
        *,
        at: datetime,
        call: GraphCall,
        outcome: Outcome | None,
        failure: GraphFailure | None,
        status: int,
        injected: str | None,
        dropped: bool,
    ) -> None:
        account_id, platform = self._account_of(call)
        self._state.calls.append(
            CallRecord(
                sequence=self._state.next_sequence(),
                at=at,
                method=call.method,
                path=call.path,
                version=call.version,
                account_id=outcome.account_id if outcome and outcome.account_id else account_id,
                platform=outcome.platform if outcome and outcome.platform else platform,
                body=call.body,
                query=call.query,
                status=status,
                performed=outcome is not None,
                error_code=failure.code if failure else None,
                error_subcode=failure.subcode if failure else None,
                created_ids=outcome.created_ids if outcome else (),
                injected="dropped" if dropped else injected,
            )
        )


def _decode(request: httpx.Request) -> tuple[GraphCall, GraphFailure | None]:
    """The request as a ``GraphCall``, and a failure when its body cannot be read."""
    parts = [part for part in request.url.path.split("/") if part]
    version = parts[0] if parts and _VERSION.fullmatch(parts[0]) else None
    segments = tuple(parts[1:] if version else parts)
    query = dict(request.url.params.multi_items())
    token = query.pop("access_token", None)
    authorization = request.headers.get("Authorization", "")
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() in ("bearer", "oauth") and credentials.strip():
        token = credentials.strip()
    body: dict[str, Any] = {}
    failure = None
    content = request.read()
    if content:
        content_type = request.headers.get("Content-Type", "")
        try:
            if "application/x-www-form-urlencoded" in content_type:
                body = dict(parse_qsl(content.decode("utf-8"), keep_blank_values=True))
            else:
                decoded = json.loads(content)
                if not isinstance(decoded, dict):
                    raise ValueError("not an object")
                body = decoded
        except (ValueError, UnicodeDecodeError):
            failure = invalid_parameter("The request body is not valid JSON")
    form_token = body.pop("access_token", None)
    if token is None and isinstance(form_token, str):
        token = form_token
    call = GraphCall(
        method=request.method.upper(),
        path="/" + "/".join(segments),
        segments=segments,
        version=version,
        token=token,
        params={**query, **body},
        query=query,
        body=body,
    )
    return call, failure
