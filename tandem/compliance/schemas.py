"""The compliance API's input and output shapes (personal data: export and erasure)."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema
from pydantic import BaseModel


class ContactExportOut(BaseModel):
    """Everything Tandem holds about one person (the contact and the identities merged with
    it), as stored: customer texts are already masked. Sections are lists of plain objects."""

    format: str = Field(description='"tandem.contact-export.v1"')
    exported_at: str
    regional_bank: dict[str, Any]
    contacts: list[dict[str, Any]]
    customer: dict[str, Any] | None
    customer_links: list[dict[str, Any]]
    conversations: list[dict[str, Any]] = Field(description="Each with its messages, oldest first.")
    webhook_events: list[dict[str, Any]]
    outbound_calls: list[dict[str, Any]]
    audit_entries: list[dict[str, Any]]


class ContactEraseIn(Schema):
    reason: str = Field(
        min_length=1,
        max_length=500,
        description="Why (the request's reference); no personal data: it stays in the audit.",
    )


class ContactEraseOut(BaseModel):
    counts: dict[str, int] = Field(description="Rows anonymised, per kind.")
