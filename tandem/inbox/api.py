"""The inbox's JSON API: conversations, their messages, replies and customer links.

Every object is reached through ``access.py`` with the token user's actor, so anything outside
their scope answers 404, exactly like an id that exists nowhere. Lists are keyset-paginated with
an opaque cursor and fetch their related rows in the same query, whatever the page size.

Mounted at the API root by ``config/api.py``:

- ``GET /conversations`` · ``GET /conversations/{id}`` · ``GET /conversations/{id}/messages``
- ``POST /conversations/{id}/messages`` (reply, 201)
- ``POST /customer-links`` (201) · ``DELETE /customer-links/contacts/{contact_id}`` (unlink, 204)
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.errors import ValidationError

from tandem.accounts.models import User
from tandem.connectors.models import OutboundStatus
from tandem.core.actors import Actor
from tandem.core.errors import PermissionDenied, ValidationFailed
from tandem.inbox.access import access_contact, access_conversation, visible_conversations
from tandem.inbox.actions import conversation_reply
from tandem.inbox.links import contact_unlink, customer_link_create
from tandem.inbox.models import ChannelChoice, Conversation, Message, MessageDirection
from tandem.inbox.schemas import (
    AssigneeOut,
    BranchOut,
    ContactOut,
    ConversationDetailOut,
    ConversationListIn,
    ConversationListOut,
    CustomerLinkCreateIn,
    CustomerLinkCreateOut,
    CustomerLinkUrlsOut,
    ErrorOut,
    MessageListIn,
    MessageListOut,
    MessageOut,
    MessageReplyIn,
    ValidationErrorOut,
)
from tandem.inbox.selectors import message_list
from tandem.organisation.models import Employee, Node, NodeKind

router = Router()

COMMENT_CHANNELS = {ChannelChoice.FACEBOOK_COMMENT, ChannelChoice.INSTAGRAM_COMMENT}
# The error answers every operation may give (the handler is in config/api.py).
READ_ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS: dict[int, Any] = {**READ_ERRORS, 400: ErrorOut, 403: ErrorOut}
# Only the columns the answer shows, as values: building five models per row (and loading a
# user's password hash, a node's opening hours …) cost more than the query itself.
_LIST_VALUES = (
    *("id", "status", "priority", "topic", "channel"),
    *("last_message_at", "created_at", "updated_at"),
    *("contact_id", "contact__display_name", "contact__platform"),
    *("contact__customer_id", "contact__customer__reference"),
    *("assignee_id", "assignee__user__first_name", "assignee__user__last_name"),
    *("assignee__user__email", "branch__code", "branch__name"),
)


def _list_item(row: tuple[Any, ...]) -> dict[str, Any]:
    """One item of the list from the columns of ``_LIST_VALUES``, as ``_item_fields`` gives it."""
    (pk, status, priority, topic, channel, last_message_at, created_at, updated_at) = row[:8]
    (contact_id, contact_name, platform, customer_id, reference) = row[8:13]
    (assignee_id, first_name, last_name, email, branch_code, branch_name) = row[13:]
    return {
        "id": pk,
        "status": status,
        "priority": priority,
        "topic": topic,
        "channel": channel,
        "assignee": (
            {"id": assignee_id, "name": User.label(first_name, last_name, email)}
            if assignee_id is not None
            else None
        ),
        "branch": {"code": branch_code, "name": branch_name},
        "contact": {
            "id": contact_id,
            "name": contact_name,
            "platform": platform,
            "linked": customer_id is not None,
            "customer_reference": reference if customer_id is not None else None,
        },
        "last_message_at": last_message_at,
        "created_at": created_at,
        "updated_at": updated_at,
    }


_MESSAGE_COLUMNS = (
    *("id", "direction", "text", "occurred_at", "meta", "hidden", "removed"),
    *("author__id", "author__user__id", "author__user__email"),
    *("author__user__first_name", "author__user__last_name"),
    *("outbound_call__id", "outbound_call__status"),
)


def _actor(request: HttpRequest) -> Actor:
    actor = getattr(request, "actor", None)
    if not isinstance(actor, Actor):  # the token auth always sets it; never guess otherwise
        raise PermissionDenied("No actor for this request.")
    return actor


# -- cursors: base64url of a JSON pair (time, id); opaque to clients --------------------------


def _encode_cursor(at: datetime, pk: uuid.UUID) -> str:
    raw = json.dumps([at.isoformat(), pk.hex], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    invalid = ValidationError(
        [{"loc": ["query", "cursor"], "msg": "Invalid cursor.", "type": "value_error"}]
    )
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at_text, pk_text = json.loads(raw)
        at = datetime.fromisoformat(at_text)
        pk = uuid.UUID(pk_text)
    except (binascii.Error, ValueError, TypeError, AttributeError) as error:
        raise invalid from error
    if at.tzinfo is None:
        raise invalid
    return at, pk


# -- output builders ----------------------------------------------------------------------------


def _contact_out(conversation: Conversation) -> ContactOut:
    contact = conversation.contact
    customer = contact.customer
    return ContactOut(
        id=contact.pk,
        name=contact.display_name,
        platform=contact.platform,
        linked=customer is not None,
        customer_reference=customer.reference if customer is not None else None,
    )


def _item_fields(conversation: Conversation) -> dict[str, Any]:
    assignee: Employee | None = conversation.assignee
    return {
        "id": conversation.pk,
        "status": conversation.status,
        "priority": conversation.priority,
        "topic": conversation.topic,
        "channel": conversation.channel,
        "assignee": (
            AssigneeOut(id=assignee.pk, name=str(assignee.user)) if assignee is not None else None
        ),
        "branch": BranchOut(code=conversation.branch.code, name=conversation.branch.name),
        "contact": _contact_out(conversation),
        "last_message_at": conversation.last_message_at,
        "created_at": conversation.created_at,
        "updated_at": conversation.updated_at,
    }


def _message_out(message: Message, *, comment_thread: bool) -> MessageOut:
    call = message.outbound_call
    # On a comment thread the customer's comments are public, and so are public answers;
    # private replies, notes and events never are.
    public = comment_thread and (
        message.direction == MessageDirection.INBOUND or bool((message.meta or {}).get("public"))
    )
    return MessageOut(
        id=message.pk,
        direction=MessageDirection(message.direction),
        text=message.text,
        occurred_at=message.occurred_at,
        author=str(message.author.user) if message.author is not None else None,
        delivery_status=OutboundStatus(call.status) if call is not None else None,
        public=public,
        hidden=message.hidden,
        removed=message.removed,
    )


# -- conversations ------------------------------------------------------------------------------


def _filtered(actor: Actor, filters: ConversationListIn) -> QuerySet[Conversation]:
    queryset = visible_conversations(actor)
    if filters.status is not None:
        queryset = queryset.filter(status=filters.status)
    if filters.channel is not None:
        queryset = queryset.filter(channel=filters.channel)
    if filters.branch is not None:
        queryset = queryset.filter(branch__code=filters.branch)
    if filters.assignee == "me":
        queryset = queryset.filter(assignee_id=actor.employee_id or 0)
    elif filters.assignee == "none":
        queryset = queryset.filter(assignee__isnull=True)
    elif filters.assignee is not None:
        queryset = queryset.filter(assignee_id=int(filters.assignee))
    if filters.updated_since is not None:
        queryset = queryset.filter(updated_at__gte=filters.updated_since)
    return queryset


@router.get(
    "/conversations",
    response={200: ConversationListOut, **READ_ERRORS},
    tags=["conversations"],
    summary="List the conversations in the token's scope",
)
def conversation_list(request: HttpRequest, filters: Query[ConversationListIn]) -> dict[str, Any]:
    """Most recently updated first. Follow `next_cursor` until it is null. A conversation
    updated while you page moves to the front: poll again with `updated_since` to catch it."""
    queryset = _filtered(_actor(request), filters)
    if filters.cursor:
        at, pk = _decode_cursor(filters.cursor)
        # "(updated_at, id) < (at, pk)", written so that the index range starts at the cursor.
        queryset = queryset.filter(updated_at__lte=at).exclude(updated_at=at, pk__gte=pk)
    rows = list(
        queryset.order_by("-updated_at", "-pk").values_list(*_LIST_VALUES)[: filters.limit + 1]
    )
    page = [_list_item(row) for row in rows[: filters.limit]]
    next_cursor = (
        _encode_cursor(page[-1]["updated_at"], page[-1]["id"])
        if len(rows) > filters.limit
        else None
    )
    # Plain dicts: django-ninja validates them once against the response schema.
    return {"items": page, "next_cursor": next_cursor}


@router.get(
    "/conversations/{conversation_id}",
    response={200: ConversationDetailOut, **READ_ERRORS},
    tags=["conversations"],
    summary="One conversation",
)
def conversation_detail(request: HttpRequest, conversation_id: uuid.UUID) -> ConversationDetailOut:
    conversation = access_conversation(actor=_actor(request), conversation_id=conversation_id)
    return ConversationDetailOut(
        **_item_fields(conversation),
        window_closes_at=conversation.window_closes_at,
        first_response_due_at=conversation.first_response_due_at,
        next_response_due_at=conversation.next_response_due_at,
        resolution_due_at=conversation.resolution_due_at,
        first_response_at=conversation.first_response_at,
        snoozed_until=conversation.snoozed_until,
        resolved_at=conversation.resolved_at,
        flagged=conversation.flagged,
        tags=[str(tag) for tag in conversation.tags or []],
    )


@router.get(
    "/conversations/{conversation_id}/messages",
    response={200: MessageListOut, **READ_ERRORS},
    tags=["conversations"],
    summary="The conversation's messages, oldest first",
)
def conversation_messages(
    request: HttpRequest, conversation_id: uuid.UUID, filters: Query[MessageListIn]
) -> MessageListOut:
    """Customer messages, replies, internal notes and events, in the order they happened."""
    conversation = access_conversation(actor=_actor(request), conversation_id=conversation_id)
    queryset = message_list(conversation=conversation).only(*_MESSAGE_COLUMNS)
    if filters.cursor:
        at, pk = _decode_cursor(filters.cursor)
        queryset = queryset.filter(occurred_at__gte=at).exclude(occurred_at=at, pk__lte=pk)
    rows = list(queryset.order_by("occurred_at", "pk")[: filters.limit + 1])
    page = rows[: filters.limit]
    next_cursor = (
        _encode_cursor(page[-1].occurred_at, page[-1].pk) if len(rows) > filters.limit else None
    )
    comment_thread = conversation.channel in COMMENT_CHANNELS
    return MessageListOut(
        items=[_message_out(row, comment_thread=comment_thread) for row in page],
        next_cursor=next_cursor,
    )


@router.post(
    "/conversations/{conversation_id}/messages",
    response={201: MessageOut, **WRITE_ERRORS},
    tags=["conversations"],
    summary="Reply to the customer",
)
def conversation_reply_create(
    request: HttpRequest, conversation_id: uuid.UUID, payload: MessageReplyIn
) -> Status[MessageOut]:
    """Only the conversation's assignee replies (403 otherwise: take it over first). A reply
    carrying banking data, or one the network would refuse (closed window), is refused (400)
    with the reason. The message is sent in the background: follow `delivery_status`."""
    actor = _actor(request)
    conversation = access_conversation(actor=actor, conversation_id=conversation_id)
    is_comment = conversation.channel in COMMENT_CHANNELS
    if is_comment and payload.mode == "message":
        raise ValidationFailed('This is a comment thread: choose mode "public" or "private".')
    if not is_comment and payload.mode != "message":
        raise ValidationFailed('This is a direct conversation: mode must be "message".')
    message = conversation_reply(
        actor=actor, conversation=conversation, text=payload.text, mode=payload.mode
    )
    # Read it back: the delivery status may already have moved on since it was written.
    created = message_list(conversation=conversation).get(pk=message.pk)
    return Status(201, _message_out(created, comment_thread=is_comment))


# -- customer links -----------------------------------------------------------------------------


@router.post(
    "/customer-links",
    response={201: CustomerLinkCreateOut, **WRITE_ERRORS},
    tags=["customer links"],
    summary="Issue a one-time link code for a signed-in customer",
    exclude_none=True,
)
def customer_link_issue(
    request: HttpRequest, payload: CustomerLinkCreateIn
) -> Status[CustomerLinkCreateOut]:
    """Called by the bank's app for a customer signed in there. The customer opens one of the
    returned links and writes; the identity they write from is then linked to the customer and
    their advisor. Only the networks the regional bank has an account on are returned."""
    actor = _actor(request)
    regional_bank = Node.objects.filter(
        code=payload.regional_bank, kind=NodeKind.REGIONAL_BANK
    ).first()
    if regional_bank is None:
        # The same answer as for another bank's code: the API does not confirm codes exist.
        raise PermissionDenied("This token may not issue links for that regional bank.")
    issued = customer_link_create(
        actor=actor,
        regional_bank=regional_bank,
        customer_reference=payload.customer_reference,
        advisor_email=payload.advisor_email,
        display_name=payload.display_name,
    )
    return Status(
        201,
        CustomerLinkCreateOut(
            code=issued.link.code,
            expires_at=issued.link.expires_at,
            links=CustomerLinkUrlsOut(**issued.urls),
        ),
    )


@router.delete(
    "/customer-links/contacts/{contact_id}",
    response={204: None, **WRITE_ERRORS},
    tags=["customer links"],
    summary="Unlink a contact from its customer",
)
def customer_link_remove(request: HttpRequest, contact_id: uuid.UUID) -> Status[None]:
    """The social identity is no longer linked to the bank's customer (nor to their advisor).
    Idempotent: unlinking a contact that is not linked answers 204 too."""
    actor = _actor(request)
    contact = access_contact(actor=actor, contact_id=contact_id)
    contact_unlink(actor=actor, contact=contact)
    return Status(204, None)
