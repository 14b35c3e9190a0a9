"""The emulator's settings: one frozen value, replaced whole when a test or the control API
changes it, so a request never sees half of an update.

Every field has a default that makes the emulator a well-behaved Meta: no injected failures, no
latency, windows enforced, receipts a moment after each send.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

__all__ = ["DROP_MODES", "WHATSAPP_WINDOW_MODES", "EmulatorConfig", "config_as_dict"]

#: ``bad_gateway``: a 502 with an HTML body, as a load balancer in front of Meta answers.
#: ``disconnect``: the connection closes without an answer (``httpx.RemoteProtocolError``).
DROP_MODES: Final = frozenset({"bad_gateway", "disconnect"})
#: ``response``: free text outside WhatsApp's 24 h window is refused synchronously (131047).
#: ``status``: accepted (a wamid comes back), then a ``failed`` status webhook carries 131047 —
#: what the Cloud API does in production for most accounts.
WHATSAPP_WINDOW_MODES: Final = frozenset({"response", "status"})


@dataclass(frozen=True, slots=True, kw_only=True)
class EmulatorConfig:
    """How the emulator behaves.

    Identity and webhooks
      * ``app_secret``: signs webhooks (``X-Hub-Signature-256``); empty means unsigned webhooks,
        which Tandem must refuse.
      * ``app_id``: the app ID put in message echoes and ``subscribed_apps``.
      * ``webhook_url``: where the default sink POSTs webhooks (server mode); None keeps them.
      * ``webhook_retry_delays``: seconds between delivery attempts after a non-2xx answer,
        like Meta's retries "with decreasing frequency"; the last failure drops the webhook.
      * ``webhook_timeout``: seconds the default sink waits for Tandem's answer.
      * ``delivery_delay`` / ``read_delay``: seconds after a successful send before the
        delivery and read receipts; ``simulate_receipts=False`` sends neither.
      * ``echo_own_comments``: the Page's own replies come back as comment webhooks (Meta does
        this; Tandem must recognise them with ``from_account``).

    Rules
      * ``strict_accounts``: an unregistered ID gets error 100/33; otherwise it is taken as a
        Messenger Page (or a WhatsApp number when the body says ``messaging_product``).
      * ``enforce_windows``: messaging windows and private-reply rules are enforced.
      * ``human_agent_enabled``: the app has the Human Agent feature (tag allowed 24 h-7 days).
      * ``whatsapp_window_error``: see ``WHATSAPP_WINDOW_MODES``.

    Failure injection (decided before any state change, except dropped answers)
      * ``error_rate``: share of Graph calls answered with an injected error (0..1).
      * ``throttle_share``: share of injected errors that are throttling (the rest are 5xx).
      * ``latency_ms``: (min, max) milliseconds slept before answering.
      * ``drop_response_rate``: share of calls performed whose answer is then lost.
      * ``drop_response_mode``: see ``DROP_MODES``.
      * ``seed``: seeds every random draw and generated ID (None: unpredictable).
      * ``regain_access_minutes``: ``estimated_time_to_regain_access`` in throttling headers.
      * ``usage_percent``: the usage reported in ``X-App-Usage`` on successful calls.
    """

    app_secret: str = ""
    app_id: str = "900000000000001"
    webhook_url: str | None = None
    webhook_retry_delays: tuple[float, ...] = (1.0, 5.0, 30.0, 120.0)
    webhook_timeout: float = 10.0
    delivery_delay: float = 0.5
    read_delay: float = 2.0
    simulate_receipts: bool = True
    echo_own_comments: bool = True
    strict_accounts: bool = False
    enforce_windows: bool = True
    human_agent_enabled: bool = True
    whatsapp_window_error: str = "response"
    error_rate: float = 0.0
    throttle_share: float = 0.5
    latency_ms: tuple[int, int] = (0, 0)
    drop_response_rate: float = 0.0
    drop_response_mode: str = "bad_gateway"
    seed: int | None = None
    regain_access_minutes: int = 0
    usage_percent: int = 1

    def __post_init__(self) -> None:
        for name in ("error_rate", "throttle_share", "drop_response_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        low, high = self.latency_ms
        if not 0 <= low <= high:
            raise ValueError("latency_ms must be (min, max) with 0 <= min <= max")
        if self.drop_response_mode not in DROP_MODES:
            raise ValueError(f"drop_response_mode must be one of {sorted(DROP_MODES)}")
        if self.whatsapp_window_error not in WHATSAPP_WINDOW_MODES:
            raise ValueError(
                f"whatsapp_window_error must be one of {sorted(WHATSAPP_WINDOW_MODES)}"
            )
        if min(self.delivery_delay, self.read_delay, self.webhook_timeout) < 0:
            raise ValueError("delays and timeouts cannot be negative")
        if any(delay < 0 for delay in self.webhook_retry_delays):
            raise ValueError("webhook_retry_delays cannot be negative")
        if self.regain_access_minutes < 0 or not 0 <= self.usage_percent <= 100:
            raise ValueError("regain_access_minutes >= 0 and usage_percent in 0..100")

    def with_overrides(self, overrides: Mapping[str, Any]) -> EmulatorConfig:
        """A copy with ``overrides`` applied (JSON values accepted: lists become tuples).

        Raises ``ValueError`` for an unknown field or an invalid value.
        """
        known = {item.name: item for item in dataclasses.fields(self)}
        changes: dict[str, Any] = {}
        for name, value in overrides.items():
            if name not in known:
                raise ValueError(f"unknown emulator setting: {name}")
            changes[name] = _coerce(name, value)
        try:
            return dataclasses.replace(self, **changes)
        except TypeError as error:
            raise ValueError(str(error)) from None


_TUPLE_FIELDS: Final = {"latency_ms": int, "webhook_retry_delays": float}
_FLOAT_FIELDS: Final = frozenset(
    {"error_rate", "throttle_share", "drop_response_rate", "delivery_delay", "read_delay"}
    | {"webhook_timeout"}
)
_INT_FIELDS: Final = frozenset({"regain_access_minutes", "usage_percent"})
_BOOL_FIELDS: Final = frozenset(
    {"simulate_receipts", "echo_own_comments", "strict_accounts", "enforce_windows"}
    | {"human_agent_enabled"}
)


def _coerce(name: str, value: Any) -> Any:
    """Check one JSON value against the field's type; ``ValueError`` when it does not fit."""
    if name in _TUPLE_FIELDS:
        if not isinstance(value, list | tuple):
            raise ValueError(f"{name} must be a list")
        kind = _TUPLE_FIELDS[name]
        return tuple(kind(_number(name, item)) for item in value)
    if name in _FLOAT_FIELDS:
        return float(_number(name, value))
    nullable = name in ("seed", "webhook_url")
    if value is None and nullable:
        return None
    expected: type = str
    if name in _INT_FIELDS or name == "seed":
        expected = int
    elif name in _BOOL_FIELDS:
        expected = bool
    # bool is an int in Python: refuse true/false where a number is expected.
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise ValueError(f"{name} must be {expected.__name__}" + (" or null" if nullable else ""))
    return (value or None) if name == "webhook_url" else value


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number")
    return value


def config_as_dict(config: EmulatorConfig) -> dict[str, Any]:
    """The config as JSON-ready values, the app secret masked (control API answers)."""
    values = dataclasses.asdict(config)
    values["app_secret"] = "***" if config.app_secret else ""
    return {
        name: list(value) if isinstance(value, tuple) else value for name, value in values.items()
    }
