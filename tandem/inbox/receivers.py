"""The inbox's side of the connector's seam (``tandem.connectors.signals.event_received``).

Runs inside the connector's processing transaction: idempotent, database-only. Network work
(routing notifications, compliance actions on Meta) is scheduled on commit by the services.
"""

from __future__ import annotations

from typing import Any

from tandem.connectors.meta.events import (
    CommentAdded,
    CommentEdited,
    CommentHidden,
    CommentRemoved,
    MessageEcho,
    MessageReceived,
    Postback,
    Referral,
)
from tandem.connectors.signals import EventContext
from tandem.inbox import ingest


def on_event_received(sender: Any, *, event: object, context: EventContext, **kwargs: Any) -> None:
    match event:
        case MessageReceived():
            ingest.message_received(event=event, context=context)
        case MessageEcho():
            ingest.message_echo(event=event, context=context)
        case CommentAdded():
            ingest.comment_added(event=event, context=context)
        case CommentEdited() | CommentRemoved() | CommentHidden():
            ingest.comment_changed(event=event, context=context)
        case Postback():
            ingest.postback(event=event, context=context)
        case Referral():
            ingest.referral(event=event, context=context)
        case _:
            # Deliveries, reads and statuses are applied to outbound calls by the connector;
            # the inbox reads them from there.
            return
