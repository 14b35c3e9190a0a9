"""The inbox API's input and output shapes: one ``…In``/``…Out`` per operation.

Outputs are built explicitly in ``api.py`` from rows fetched up front (no resolvers that could
run a query per row), so they are plain pydantic models: ``ninja.Schema`` wraps every object in
an ORM attribute getter, which made building a page of conversations five times slower for
nothing. Inputs are ``ninja.Schema``. Choice fields use the models' ``TextChoices``, so the
OpenAPI schema lists their values.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import AwareDatetime, BaseModel

from tandem.connectors.models import OutboundStatus
from tandem.inbox.models import (
    ChannelChoice,
    ConversationStatus,
    MessageDirection,
    Priority,
    Topic,
)

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50


class ErrorOut(BaseModel):
    detail: str = Field(description="What went wrong, in words that can be shown to a person.")


class ValidationErrorOut(BaseModel):
    detail: list[dict[str, Any]] | str = Field(
        description="The input errors (location, message, type) or one message."
    )


# -- conversations ------------------------------------------------------------------------------


class ConversationListIn(Schema):
    status: ConversationStatus | None = None
    assignee: str | None = Field(
        None,
        description='An employee id, "me" (the token\'s user) or "none" (unassigned).',
        pattern=r"^(me|none|[0-9]{1,18})$",
    )
    branch: str | None = Field(None, description="The code of the branch (organisation node).")
    channel: ChannelChoice | None = None
    updated_since: AwareDatetime | None = Field(
        None, description="Only conversations updated at or after this time (ISO 8601, with zone)."
    )
    limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    cursor: str | None = Field(
        None, max_length=200, description="The `next_cursor` of the previous page."
    )


class AssigneeOut(BaseModel):
    id: int
    name: str


class BranchOut(BaseModel):
    code: str
    name: str


class ContactOut(BaseModel):
    id: uuid.UUID
    name: str
    platform: str
    linked: bool = Field(description="Linked to a customer of the bank (through a one-time code).")
    customer_reference: str | None = Field(description="The bank's own customer reference.")


class ConversationItemOut(BaseModel):
    id: uuid.UUID
    status: ConversationStatus
    priority: Priority
    topic: Topic
    channel: ChannelChoice
    assignee: AssigneeOut | None
    branch: BranchOut
    contact: ContactOut
    last_message_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ConversationListOut(BaseModel):
    items: list[ConversationItemOut]
    next_cursor: str | None = Field(
        description="Pass it as `cursor` for the next page; null on the last page."
    )


class ConversationDetailOut(ConversationItemOut):
    window_closes_at: datetime | None = Field(
        description="When the network's messaging window closes (free-form replies end)."
    )
    first_response_due_at: datetime | None
    next_response_due_at: datetime | None
    resolution_due_at: datetime | None
    first_response_at: datetime | None
    snoozed_until: datetime | None
    resolved_at: datetime | None
    flagged: bool = Field(description="Compliance flagged something in it.")
    tags: list[str]


# -- messages -----------------------------------------------------------------------------------


class MessageListIn(Schema):
    limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    cursor: str | None = Field(
        None, max_length=200, description="The `next_cursor` of the previous page."
    )


class MessageOut(BaseModel):
    id: uuid.UUID
    direction: MessageDirection
    text: str = Field(description="Sensitive data the customer posted is masked.")
    occurred_at: datetime
    author: str | None = Field(description="The employee who wrote it (outbound and notes).")
    delivery_status: OutboundStatus | None = Field(
        description="Where the network call stands (outbound messages only)."
    )
    public: bool = Field(
        description="Visible to everybody on the network: a public comment, or a public answer."
    )
    hidden: bool
    removed: bool


class MessageListOut(BaseModel):
    items: list[MessageOut]
    next_cursor: str | None


class MessageReplyIn(Schema):
    text: str = Field(min_length=1, max_length=4096)
    mode: Literal["message", "public", "private"] = Field(
        "message",
        description=(
            '"message" on a direct channel (Messenger, Instagram, WhatsApp); on a comment '
            'thread, "public" (a visible answer) or "private" (one private message).'
        ),
    )


# -- customer links -----------------------------------------------------------------------------


class CustomerLinkCreateIn(Schema):
    regional_bank: str = Field(max_length=40, description="The regional bank's code.")
    customer_reference: str = Field(max_length=64, description="The bank's customer reference.")
    advisor_email: str = Field(max_length=254, description="The customer's advisor's e-mail.")
    display_name: str = Field("", max_length=200)


class CustomerLinkUrlsOut(BaseModel):
    messenger: str | None = None
    instagram: str | None = None
    whatsapp: str | None = None


class CustomerLinkCreateOut(BaseModel):
    code: str = Field(description="The one-time code; the links already carry it.")
    expires_at: datetime
    links: CustomerLinkUrlsOut
