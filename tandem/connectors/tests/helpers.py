"""Test helpers for the connector: fixtures, signing, posting webhooks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import Client

from tandem.connectors.meta.signatures import sign

FIXTURES = Path(__file__).resolve().parent.parent / "meta" / "tests" / "fixtures"
WEBHOOK_FIXTURES = sorted(
    path.name
    for path in FIXTURES.glob("*.json")
    if path.name.split("__")[0] in {"page", "instagram", "whatsapp"}
)


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fixture(name: str) -> dict[str, Any]:
    return json.loads(fixture_bytes(name))


def post_webhook(
    client: Client,
    body: bytes | dict[str, Any],
    *,
    secret: str | None = None,
    signature: str | None = None,
) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    header = signature if signature is not None else sign(raw, secret or settings.META_APP_SECRET)
    return client.post(
        "/webhooks/meta",
        data=raw,
        content_type="application/json",
        headers={"X-Hub-Signature-256": header},
    )
