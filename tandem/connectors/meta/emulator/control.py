"""The emulator's own endpoints, under ``/_emulator/`` (no token; local use only).

* ``GET /_emulator/health``: ``{"status": "ok", "calls", "pending_webhooks", "accounts"}``.
* ``GET /_emulator/calls[?since=N]``: ``{"data": [call, …]}``, calls with sequence > N.
* ``POST /_emulator/reset``: forget what happened; ``{"accounts": true}`` drops accounts too.
* ``GET|POST /_emulator/config``: read, or apply JSON overrides of ``EmulatorConfig``.
* ``GET|POST /_emulator/accounts``: list, or register ``{external_id, platform, token?, name?,
  display_phone_number?, business_account_id?}`` (or ``{"data": [...]}``).
* ``POST /_emulator/inbound``: record a customer message ``{account, user, at?, platform?}`` or
  a comment ``{account, comment_id, author_id, at?, platform?, post_id?}`` (no webhook).
* ``POST /_emulator/revoke-token``: ``{"token": …}``.
* ``POST /_emulator/customer-message``: ``{account, user, text, platform?, name?, at?}``.
* ``POST /_emulator/customer-comment``: ``{account, user, text, platform?, name?, post_id?,
  parent_id?, at?}``.
* ``GET /_emulator/webhooks``: delivery attempts; ``POST /_emulator/flush`` delivers now.

Times (``at``) are ISO 8601 or UNIX seconds/milliseconds. Errors answer 400/404 with
``{"detail": …}``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

import httpx

from tandem.connectors.meta.emulator.config import config_as_dict
from tandem.connectors.meta.payloads import normalise_timestamp

if TYPE_CHECKING:
    from tandem.connectors.meta.emulator.emulator import MetaEmulator

__all__ = ["handle_control"]

_Body = dict[str, Any]


def _json(status: int, body: Mapping[str, Any]) -> httpx.Response:
    return httpx.Response(
        status,
        content=json.dumps(body, separators=(",", ":")).encode("utf-8"),
        headers={"Content-Type": "application/json"},
    )


def _at(body: _Body) -> datetime | None:
    value = body.get("at")
    return None if value is None else normalise_timestamp(value)


def _required(body: _Body, name: str) -> str:
    value = body.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} is required")
    return value


def _health(emulator: MetaEmulator, body: _Body, query: Mapping[str, str]) -> _Body:
    return {
        "status": "ok",
        "calls": len(emulator.calls),
        "pending_webhooks": emulator.pending_webhooks(),
        "accounts": len(emulator.accounts()),
    }


def _calls(emulator: MetaEmulator, body: _Body, query: Mapping[str, str]) -> _Body:
    since = int(query.get("since", "0"))
    return {"data": [call.as_json() for call in emulator.calls if call.sequence > since]}


def _reset(emulator: MetaEmulator, body: _Body, query: Mapping[str, str]) -> _Body:
    emulator.reset(accounts=body.get("accounts") is True)
    return {"success": True}


def _read_config(emulator: MetaEmulator, body: _Body, query: Mapping[str, str]) -> _Body:
    return config_as_dict(emulator.config)


def _write_config(emulator: MetaEmulator, body: _Body, query: Mapping[str, str]) -> _Body:
    return config_as_dict(emulator.configure(body))


def _list_accounts(emulator: MetaEmulator, body: _Body, query: Mapping[str, str]) -> _Body:
    return {"data": [account.public() for account in emulator.accounts() if account.registered]}


def _register(emulator: MetaEmulator, body: _Body, query: Mapping[str, str]) -> _Body:
    items = body["data"] if isinstance(body.get("data"), list) else [body]
    for item in items:
        if not isinstance(item, dict):
            raise ValueError("each account must be an object")
        emulator.register_account(
            _required(item, "external_id"),
            _required(item, "platform"),
            item.get("token"),
            name=item.get("name"),
            display_phone_number=item.get("display_phone_number"),
            business_account_id=item.get("business_account_id"),
        )
    return {"success": True, "registered": len(items)}


def _inbound(emulator: MetaEmulator, body: _Body, query: Mapping[str, str]) -> _Body:
    account = _required(body, "account")
    if "comment_id" in body:
        emulator.record_comment(
            account,
            _required(body, "comment_id"),
            author_id=_required(body, "author_id"),
            at=_at(body),
            platform=body.get("platform"),
            post_id=body.get("post_id"),
            parent_id=body.get("parent_id"),
            author_name=body.get("author_name") or "",
            text=body.get("text") or "",
        )
    else:
        emulator.record_inbound(
            account, _required(body, "user"), at=_at(body), platform=body.get("platform")
        )
    return {"success": True}


def _revoke(emulator: MetaEmulator, body: _Body, query: Mapping[str, str]) -> _Body:
    emulator.revoke_token(_required(body, "token"))
    return {"success": True}


def _customer_message(emulator: MetaEmulator, body: _Body, query: Mapping[str, str]) -> _Body:
    message_id = emulator.customer_message(
        _required(body, "account"),
        _required(body, "user"),
        _required(body, "text"),
        body.get("platform"),
        name=body.get("name"),
        at=_at(body),
    )
    return {"id": message_id}


def _customer_comment(emulator: MetaEmulator, body: _Body, query: Mapping[str, str]) -> _Body:
    comment_id = emulator.customer_comment(
        _required(body, "account"),
        _required(body, "user"),
        _required(body, "text"),
        body.get("platform"),
        name=body.get("name"),
        post_id=body.get("post_id"),
        parent_id=body.get("parent_id"),
        at=_at(body),
    )
    return {"id": comment_id}


def _webhooks(emulator: MetaEmulator, body: _Body, query: Mapping[str, str]) -> _Body:
    return {"data": [delivery.as_json() for delivery in emulator.webhooks]}


def _flush(emulator: MetaEmulator, body: _Body, query: Mapping[str, str]) -> _Body:
    return {"data": [delivery.as_json() for delivery in emulator.flush_webhooks()]}


_Route = Callable[["MetaEmulator", _Body, Mapping[str, str]], _Body]
_ROUTES: Final[dict[tuple[str, str], _Route]] = {
    ("GET", "/health"): _health,
    ("GET", "/calls"): _calls,
    ("POST", "/reset"): _reset,
    ("GET", "/config"): _read_config,
    ("POST", "/config"): _write_config,
    ("GET", "/accounts"): _list_accounts,
    ("POST", "/accounts"): _register,
    ("POST", "/inbound"): _inbound,
    ("POST", "/revoke-token"): _revoke,
    ("POST", "/customer-message"): _customer_message,
    ("POST", "/customer-comment"): _customer_comment,
    ("GET", "/webhooks"): _webhooks,
    ("POST", "/flush"): _flush,
}


def handle_control(emulator: MetaEmulator, request: httpx.Request) -> httpx.Response:
    """Answer one ``/_emulator/…`` request."""
    route = _ROUTES.get((request.method.upper(), request.url.path[len("/_emulator") :]))
    if route is None:
        return _json(404, {"detail": "unknown emulator endpoint"})
    content = request.read()
    try:
        body = json.loads(content) if content else {}
        if not isinstance(body, dict):
            raise ValueError("the body must be a JSON object")
        return _json(200, route(emulator, body, dict(request.url.params.multi_items())))
    except (ValueError, TypeError) as error:  # PayloadError is a ValueError too
        return _json(400, {"detail": str(error)})
