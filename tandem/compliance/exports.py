"""Streaming CSV and JSON exports: constant memory, however many audit entries are exported.

Rows are read from the database in chunks (``iterator``) and written one by one into the
response. CSV cells that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab,
carriage return at the start) are prefixed with an apostrophe (OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db.models import QuerySet

from tandem.compliance.selectors import user_emails
from tandem.core.models import AuditEntry

CHUNK = 2000
AUDIT_COLUMNS = (
    "occurred_at", "regional_bank_id", "chain", "sequence", "actor_user_id", "actor_email",
    "actor_label", "action", "object_type", "object_id", "data", "entry_hash",
)  # fmt: skip
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object whose ``write`` returns what it is given (Django's streaming CSV)."""

    def write(self, value: str) -> str:
        return value


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def csv_stream(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so that spreadsheet programs read the file as UTF-8
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([safe_cell(value) for value in row])


def json_stream(items: Iterable[dict[str, Any]]) -> Iterator[str]:
    yield "["
    separator = "\n"
    for item in items:
        yield separator + json.dumps(item, ensure_ascii=False, default=str)
        separator = ",\n"
    yield "\n]\n"


def audit_items(entries: QuerySet[AuditEntry]) -> Iterator[dict[str, Any]]:
    """Each entry as a dict, with its author's e-mail (looked up once per chunk)."""
    batch: list[AuditEntry] = []
    for entry in entries.iterator(chunk_size=CHUNK):
        batch.append(entry)
        if len(batch) == CHUNK:
            yield from _items(batch)
            batch = []
    yield from _items(batch)


def _items(batch: list[AuditEntry]) -> Iterator[dict[str, Any]]:
    emails = user_emails([entry.actor_user_id for entry in batch])
    for entry in batch:
        yield {
            "occurred_at": entry.occurred_at.isoformat(),
            "regional_bank_id": entry.regional_bank_id,
            "chain": entry.chain,
            "sequence": entry.sequence,
            "actor_user_id": entry.actor_user_id,
            "actor_email": emails.get(entry.actor_user_id or 0, ""),
            "actor_label": entry.actor_label,
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "data": entry.data,
            "entry_hash": entry.entry_hash,
        }


def audit_csv_rows(items: Iterable[dict[str, Any]]) -> Iterator[list[object]]:
    for item in items:
        row = dict(item, data=json.dumps(item["data"], ensure_ascii=False, sort_keys=True))
        yield [row[column] for column in AUDIT_COLUMNS]
