"""The Graph API client: every call Tandem makes to Meta goes through here.

One HTTP attempt per call, with explicit timeouts: retrying is the caller's decision (the
outbound task), because only the caller knows whether sending again is safe. Errors come out
typed (``meta/errors.py``), and transport failures say whether the request may have reached
Meta (``NetworkError.maybe_sent``) — a message that may have gone out is never resent blindly.

The base URL is ``META_GRAPH_URL`` (Meta in production, the local emulator in tests and the
demo) and the version ``META_GRAPH_VERSION``. The access token travels in the Authorization
header and is never logged. References:
https://developers.facebook.com/documentation/business-messaging/messenger-platform/send-messages
https://developers.facebook.com/docs/graph-api/guides/error-handling
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from django.conf import settings

from tandem.connectors.meta.errors import GraphError, classify, parse_usage_headers

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)


class NetworkError(Exception):
    """No usable answer from Meta. ``maybe_sent`` is True when the request may have arrived."""

    def __init__(self, description: str, *, maybe_sent: bool) -> None:
        super().__init__(description)
        self.maybe_sent = maybe_sent


@dataclass(frozen=True)
class GraphResponse:
    data: dict[str, Any]
    # The highest usage percentage Meta reported in its headers (None when absent).
    usage: float | None


def default_transport() -> httpx.BaseTransport | None:
    """The transport for new clients; tests swap in the in-process emulator here."""
    return _transport_override


_transport_override: httpx.BaseTransport | None = None


def set_transport(transport: httpx.BaseTransport | None) -> None:
    global _transport_override  # noqa: PLW0603 — one switch for tests, by design
    _transport_override = transport


class GraphClient:
    def __init__(
        self,
        *,
        access_token: str,
        base_url: str | None = None,
        version: str | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        base = (base_url or settings.META_GRAPH_URL).rstrip("/")
        self.version = version or settings.META_GRAPH_VERSION
        self._http = httpx.Client(
            base_url=f"{base}/{self.version}/",
            headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
            timeout=timeout,
            transport=transport or default_transport(),
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> GraphClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transport ---------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> GraphResponse:
        """One attempt. Raises ``GraphError`` (typed) or ``NetworkError``."""
        try:
            response = self._http.request(method, path.lstrip("/"), json=json_body, params=params)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
            # The connection was never made: Meta cannot have seen the request.
            raise NetworkError(type(error).__name__, maybe_sent=False) from error
        except httpx.TransportError as error:
            # Sent, or partly: the answer was lost. Meta may have acted on it.
            raise NetworkError(type(error).__name__, maybe_sent=True) from error
        usage = parse_usage_headers(response.headers)
        body = _json_or_none(response)
        if response.status_code >= 500 and not (isinstance(body, dict) and "error" in body):
            # A gateway's error page, not Meta's answer: Meta may have acted on the request.
            raise NetworkError(
                f"HTTP {response.status_code} without a Graph error", maybe_sent=True
            )
        if response.status_code >= 400 or (isinstance(body, dict) and "error" in body):
            failure = classify(response.status_code, body, response.headers)
            logger.warning(
                "graph.call_failed",
                extra={
                    "path_kind": _path_kind(path),
                    "http_status": response.status_code,
                    "code": failure.code,
                    "subcode": failure.subcode,
                    "fbtrace_id": failure.fbtrace_id,
                },
            )
            raise failure
        if not isinstance(body, dict):
            # A 2xx without JSON: the call was accepted but we cannot read its result.
            raise NetworkError("unreadable success response", maybe_sent=True)
        return GraphResponse(data=body, usage=usage)

    # -- messaging ---------------------------------------------------------------------------

    def send_message(self, *, sender_id: str, payload: Mapping[str, Any]) -> GraphResponse:
        """Messenger or Instagram Send API: ``POST /{page-or-ig-id}/messages``."""
        return self.request("POST", f"{sender_id}/messages", json_body=payload)

    def send_whatsapp(self, *, phone_number_id: str, payload: Mapping[str, Any]) -> GraphResponse:
        """WhatsApp Cloud API: ``POST /{phone-number-id}/messages``."""
        return self.request(
            "POST",
            f"{phone_number_id}/messages",
            json_body={"messaging_product": "whatsapp", **payload},
        )

    def private_reply(
        self, *, sender_id: str, comment_id: str, text: str, metadata: str | None = None
    ) -> GraphResponse:
        """One private message answering a public comment (within 7 days of it)."""
        message: dict[str, Any] = {"text": text}
        if metadata:
            message["metadata"] = metadata
        return self.send_message(
            sender_id=sender_id,
            payload={
                "recipient": {"comment_id": comment_id},
                "messaging_type": "RESPONSE",
                "message": message,
            },
        )

    # -- comments ----------------------------------------------------------------------------

    def public_reply(self, *, comment_id: str, text: str, instagram: bool) -> GraphResponse:
        path = f"{comment_id}/replies" if instagram else f"{comment_id}/comments"
        return self.request("POST", path, json_body={"message": text})

    def set_comment_hidden(
        self, *, comment_id: str, hidden: bool, instagram: bool
    ) -> GraphResponse:
        field = "hide" if instagram else "is_hidden"
        return self.request("POST", comment_id, json_body={field: hidden})

    def delete_comment(self, *, comment_id: str) -> GraphResponse:
        return self.request("DELETE", comment_id)

    # -- publishing --------------------------------------------------------------------------

    def publish_post(
        self,
        *,
        page_id: str,
        message: str,
        link: str | None = None,
        scheduled_at: datetime | None = None,
    ) -> GraphResponse:
        """``POST /{page-id}/feed``; scheduled posts must be 10 minutes to 30 days ahead."""
        body: dict[str, Any] = {"message": message}
        if link:
            body["link"] = link
        if scheduled_at is not None:
            body["published"] = False
            body["scheduled_publish_time"] = int(scheduled_at.timestamp())
        return self.request("POST", f"{page_id}/feed", json_body=body)

    def instagram_create_container(
        self, *, instagram_id: str, image_url: str, caption: str
    ) -> GraphResponse:
        return self.request(
            "POST", f"{instagram_id}/media", json_body={"image_url": image_url, "caption": caption}
        )

    def instagram_publish(self, *, instagram_id: str, creation_id: str) -> GraphResponse:
        return self.request(
            "POST", f"{instagram_id}/media_publish", json_body={"creation_id": creation_id}
        )

    def insights(self, *, object_id: str, metrics: list[str], period: str = "day") -> GraphResponse:
        return self.request(
            "GET", f"{object_id}/insights", params={"metric": ",".join(metrics), "period": period}
        )

    def subscribed_apps(self, *, object_id: str) -> GraphResponse:
        """Which apps receive this Page's / account's webhooks (health check)."""
        return self.request("GET", f"{object_id}/subscribed_apps")


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content) if response.content else None
    except (ValueError, UnicodeDecodeError):
        return None


def _path_kind(path: str) -> str:
    """The shape of a path without its ids, for logs: ``123/messages`` → ``{id}/messages``."""
    return "/".join(
        "{id}" if any(character.isdigit() for character in part) else part
        for part in path.split("/")
    )


__all__ = ["GraphClient", "GraphError", "GraphResponse", "NetworkError", "set_transport"]
