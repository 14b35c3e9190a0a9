"""Meta webhook payloads: split a delivery into single events, then parse one event.

Two steps, because the webhook view must store events durably *before* answering 200 and do
nothing slow: ``split_batch`` runs in the request (cheap, total, never loses anything) and
``parse_event`` runs in the worker on each stored ``RawEvent.body``.

Batches must be walked completely: Meta aggregates up to 1000 updates per POST and may batch
``entry[]``, ``messaging[]``, ``standby[]``, ``changes[]`` and WhatsApp ``messages[]`` /
``statuses[]``; reading index 0 silently loses messages.
https://developers.facebook.com/docs/graph-api/webhooks/getting-started/
https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/create-webhook-endpoint

Delivery is at-least-once (Graph retries for 36 h, WhatsApp for 7 days to every subscribed app)
and unordered, so every event gets a deterministic natural key that the database makes unique;
keys never depend on an event's position in a batch.
https://developers.facebook.com/documentation/business-messaging/messenger-platform/webhooks

Idempotency keys, always ``<kind>:…`` (hashed as ``<kind>:sha256:<hex>`` past 255 characters
or when a part holds unusual characters):

==================  ==========================================================================
kind                natural key parts
==================  ==========================================================================
message / echo      ``mid``
message_deleted     ``mid`` (Instagram unsend)
message_edit        ``mid``, ``num_edit``
reaction            ``mid``, action, timestamp
delivery            account, sender, watermark, digest of the sorted ``mids``
read                account, sender, watermark (or ``mid`` for Instagram ``messaging_seen``)
postback            ``mid``; without one: account, sender, timestamp
referral            account, sender, timestamp, ``ref``
feed.comment.add    ``comment_id`` (also ``remove``)
feed.comment.edit   ``comment_id``, edited time (else entry time): a comment can be edited twice
feed.comment.hide   ``comment_id``, entry time (also ``unhide``): hide/unhide can repeat
feed.<item>.<verb>  digest of the body (posts, reactions…: stored, not modelled)
comments            Instagram comment ``id`` (or ``comment_id``)
wa.message          ``wamid``
wa.status           ``wamid``, status
wa.error            digest of the body
unknown             digest of the body (canonical JSON, envelope included)
==================  ==========================================================================

The work is split by step: ``common`` (``RawEvent``, ``PayloadError``, total helpers, keys),
``timestamps``, ``split`` (``load_payload``, ``split_batch``), ``parse`` (``parse_event``,
``KINDS``) with the per-kind parsers in ``messaging``, ``comments`` and ``whatsapp``.
Import from this package, not from the modules: their layout is not part of the interface.
"""

from __future__ import annotations

from tandem.connectors.meta.payloads.common import (
    MAX_KEY_LENGTH,
    OBJECT_INSTAGRAM,
    OBJECT_PAGE,
    OBJECT_WHATSAPP,
    PayloadError,
    RawEvent,
)
from tandem.connectors.meta.payloads.parse import KINDS, parse_event
from tandem.connectors.meta.payloads.split import load_payload, split_batch
from tandem.connectors.meta.payloads.timestamps import normalise_timestamp
from tandem.connectors.meta.payloads.whatsapp import extract_prefilled_ref, format_prefilled_ref

__all__ = [
    "KINDS",
    "MAX_KEY_LENGTH",
    "OBJECT_INSTAGRAM",
    "OBJECT_PAGE",
    "OBJECT_WHATSAPP",
    "PayloadError",
    "RawEvent",
    "extract_prefilled_ref",
    "format_prefilled_ref",
    "load_payload",
    "normalise_timestamp",
    "parse_event",
    "split_batch",
]
