"""The webhook as gunicorn serves it: through Tandem's WSGI handler, without the middleware
stack, and storing a delivery once more on a new connection when the database dropped it."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.conf import settings
from django.db import OperationalError, connection

from tandem.connectors.meta import views
from tandem.connectors.meta.signatures import sign
from tandem.connectors.models import WebhookEvent
from tandem.connectors.tests.helpers import fixture_bytes
from tandem.core.wsgi import TandemWSGIHandler

pytestmark = pytest.mark.django_db(transaction=True)


def call(
    method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None, query=""
) -> tuple[str, dict[str, str], bytes]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/json",
    }
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    seen: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]], exc_info=None):
        seen["status"] = status
        seen["headers"] = dict(response_headers)

    result = TandemWSGIHandler()(environ, start_response)
    try:
        content = b"".join(result)
    finally:
        result.close()
    return seen["status"], seen["headers"], content


def signed(body: bytes) -> dict[str, str]:
    return {"X-Hub-Signature-256": sign(body, settings.META_APP_SECRET)}


def test_a_signed_delivery_is_stored_without_the_middleware_stack(accounts):
    body = fixture_bytes("page__batched_delivery_read.json")
    status, headers, content = call("POST", "/webhooks/meta", body, signed(body))
    assert (status, content) == ("200 OK", b"EVENT_RECEIVED")
    assert WebhookEvent.objects.count() >= 2
    # No middleware ran: no session, CSRF or clickjacking headers, no cookies.
    assert "X-Frame-Options" not in headers
    assert "Set-Cookie" not in headers
    assert "Vary" not in headers


def test_every_other_page_still_goes_through_the_middleware():
    status, headers, _ = call("GET", "/accounts/login/")
    assert status == "200 OK"
    assert headers["X-Frame-Options"] == "DENY"
    assert "Set-Cookie" in headers  # the CSRF cookie of the sign-in form


def test_a_bad_signature_is_refused_and_nothing_is_stored(accounts):
    body = fixture_bytes("page__message_text.json")
    forged = {"X-Hub-Signature-256": "sha256=" + "0" * 64}
    status, _, _ = call("POST", "/webhooks/meta", body, forged)
    assert status == "403 Forbidden"
    assert WebhookEvent.objects.count() == 0


def test_the_handshake_and_other_methods(settings):
    settings.META_VERIFY_TOKEN = "verify-me"
    query = "hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444"
    assert call("GET", "/webhooks/meta", query=query)[::2] == ("200 OK", b"1158201444")
    assert call("GET", "/webhooks/meta", query=query.replace("verify-me", "nope"))[0] == (
        "403 Forbidden"
    )
    assert call("PUT", "/webhooks/meta")[0] == "405 Method Not Allowed"


def test_an_unexpected_error_answers_500_and_meta_retries(accounts, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(views, "webhook_ingest", broken)
    body = fixture_bytes("page__message_text.json")
    status, _, _ = call("POST", "/webhooks/meta", body, signed(body))
    assert status == "500 Internal Server Error"
    assert WebhookEvent.objects.count() == 0


def test_a_dropped_connection_is_replaced_and_the_delivery_stored_once(accounts, monkeypatch):
    original = views.webhook_ingest
    calls = []

    def dropped_once(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return original(**kwargs)

    monkeypatch.setattr(views, "webhook_ingest", dropped_once)
    body = fixture_bytes("page__message_text.json")
    status, _, _ = call("POST", "/webhooks/meta", body, signed(body))
    assert status == "200 OK"
    assert len(calls) == 2
    assert WebhookEvent.objects.count() == 1


def test_a_database_down_twice_answers_500(accounts, monkeypatch):
    def down(**kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(views, "webhook_ingest", down)
    body = fixture_bytes("page__message_text.json")
    assert call("POST", "/webhooks/meta", body, signed(body))[0] == "500 Internal Server Error"


@pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="a server connection that can drop",
)
def test_a_connection_killed_by_postgresql_is_replaced(accounts, caplog):
    body = fixture_bytes("page__message_text.json")
    connection.ensure_connection()
    old = connection.connection
    # What a restarted server leaves: the socket is gone under a connection Django keeps.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    import psycopg

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    status, _, _ = call("POST", "/webhooks/meta", body, signed(body))
    assert status == "200 OK"
    assert connection.connection is not old
    assert "connectors.webhook.reconnect" in caplog.messages
    assert WebhookEvent.objects.count() == 1
