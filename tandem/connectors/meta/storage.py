"""How the webhook endpoint writes a delivery's events: one statement, worked out once.

``store_events`` INSERTs the events whose idempotency key is new and a processing task for each
new pending one, atomically, and returns ``(id, status)`` of the rows it inserted:

- on PostgreSQL with the database queue, one statement (its own transaction):
  ``WITH new AS (INSERT … SELECT … FROM jsonb_to_recordset(%s) … ON CONFLICT DO NOTHING
  RETURNING …), pending AS (…) INSERT INTO <tasks> SELECT … FROM pending``;
- elsewhere a multi-row ``INSERT … VALUES … ON CONFLICT DO NOTHING RETURNING``, then the tasks
  (``enqueue_many_atomically``), in a transaction.

Django's ``bulk_create(ignore_conflicts=True)`` returns no ids, hence the SQL. It is built from
the model's own fields (columns, database types), but the webhook endpoint runs it on every
delivery, so what does not depend on the delivery is worked out once per process and connection
(``_plan``): the columns, their preparation, the statements. The columns an ingested event
always starts with (attempts, leases, errors…) are left out, to their database defaults. Each
event then costs a tuple: no model instance, no field-by-field preparation, no signal. On
PostgreSQL the rows travel as **one** JSON parameter whatever their number: the statement's
text is always the same, so it is prepared once per connection
(``tandem.core.db.fetch_prepared``), and the driver has one value to send, not eleven per event.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property, lru_cache, partial
from typing import Any, NamedTuple

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, transaction
from django.db.models import NOT_PROVIDED, DateTimeField, JSONField

from tandem.connectors.models import EventStatus, WebhookEvent
from tandem.core.db import fetch_prepared
from tandem.core.tasks import Task, enqueue_many_atomically, enqueue_sql


class EventRow(NamedTuple):
    """The columns of a ``WebhookEvent`` that differ from one ingested event to the next, by
    field name; every other column takes its default."""

    received_at: datetime
    object: str
    account_external_id: str
    account: int | None
    regional_bank: int | None
    kind: str
    idempotency_key: str
    occurred_at: datetime | None
    body: Any
    status: str
    next_attempt_at: datetime


@dataclass
class _Plan:
    """The INSERT for one connection: columns, per-column preparation, statements."""

    table: str
    columns: list[str]  # quoted, EventRow's order
    keys: list[str]  # the same, unquoted: the keys of the JSON records
    types: list[str]  # their database types
    conflict_column: str
    returning: str
    prepare: tuple[Callable[[Any], Any] | None, ...]  # for the driver (VALUES)
    prepare_json: tuple[Callable[[Any], Any] | None, ...]  # for the JSON records
    statements: dict[int, str] = field(default_factory=dict)  # VALUES, by number of rows

    def values_insert(self, count: int) -> str:
        """``INSERT … VALUES (row), … (count rows)`` (every database)."""
        sql = self.statements.get(count)
        if sql is None:
            row = "(" + ", ".join(["%s"] * len(self.columns)) + ")"
            # Names quoted from the model, values as parameters: nothing from outside in the SQL.
            sql = (
                f"INSERT INTO {self.table} ({', '.join(self.columns)}) "  # noqa: S608
                f"VALUES {', '.join([row] * count)} "
                f"ON CONFLICT ({self.conflict_column}) DO NOTHING RETURNING {self.returning}"
            )
            if count <= 64:  # a delivery holds a handful of events; huge batches are rare
                self.statements[count] = sql
        return sql

    def values_params(self, rows: Sequence[EventRow]) -> list[Any]:
        return [
            value if prepare is None else prepare(value)
            for row in rows
            for value, prepare in zip(row, self.prepare, strict=True)
        ]

    @cached_property
    def records_insert(self) -> str:
        """``INSERT … SELECT … FROM jsonb_to_recordset(%s)`` (PostgreSQL): the rows as one JSON
        array of objects keyed by column name, typed by the model's columns."""
        typed = zip(self.columns, self.types, strict=True)
        record = ", ".join(f"{name} {kind}" for name, kind in typed)
        selected = ", ".join(f"r.{name}" for name in self.columns)
        # Names and types from the model, values as parameters: nothing from outside.
        return (
            f"INSERT INTO {self.table} ({', '.join(self.columns)}) "  # noqa: S608
            f"SELECT {selected} FROM jsonb_to_recordset(%s::jsonb) AS r({record}) "
            f"ON CONFLICT ({self.conflict_column}) DO NOTHING RETURNING {self.returning}"
        )

    def records_param(self, rows: Sequence[EventRow]) -> str:
        prepare = self.prepare_json
        records = [
            {
                key: value if step is None or value is None else step(value)
                for key, value, step in zip(self.keys, row, prepare, strict=True)
            }
            for row in rows
        ]
        return json.dumps(records)


def _isoformat(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError(f"naive datetime in a webhook event row: {value!r}")
    return value.isoformat()


@lru_cache(maxsize=8)
def _plan(alias: str) -> _Plan:
    """The INSERT of the columns of EventRow; every other column must fill itself: a database
    default (``db_default``) or NULL."""
    database = connections[alias]
    meta = WebhookEvent._meta
    quote = database.ops.quote_name
    others = {f.name: f for f in meta.concrete_fields if f is not meta.pk}
    varying = [others.pop(name) for name in EventRow._fields]
    for other in others.values():
        if other.db_default is NOT_PROVIDED and not (other.null and not other.has_default()):
            raise ImproperlyConfigured(
                f"WebhookEvent.{other.name}: the webhook's INSERT leaves it out; give it a "
                "db_default, or add it to EventRow."
            )
    prepare: list[Callable[[Any], Any] | None] = []
    prepare_json: list[Callable[[Any], Any] | None] = []
    for column in varying:
        if isinstance(column, DateTimeField):
            prepare.append(database.ops.adapt_datetimefield_value)
            prepare_json.append(_isoformat)
        elif isinstance(column, JSONField):
            prepare.append(partial(database.ops.adapt_json_value, encoder=column.encoder))
            prepare_json.append(None)  # a JSON value inside the JSON record
        else:
            prepare.append(None)  # text and ids: as they are
            prepare_json.append(None)
    return _Plan(
        table=quote(meta.db_table),
        columns=[quote(column.column) for column in varying],
        keys=[column.column for column in varying],
        types=[str(column.db_type(database)) for column in varying],
        conflict_column=quote(meta.get_field("idempotency_key").column),
        returning=f"{quote(meta.pk.column)}, {quote(meta.get_field('status').column)}",
        prepare=tuple(prepare),
        prepare_json=tuple(prepare_json),
    )


def store_events(
    rows: Sequence[EventRow], process: Task[Any, Any], *, using: str = "default"
) -> list[tuple[int, str]]:
    """INSERT the rows whose idempotency key is new, and a ``process`` task for each new
    pending one, atomically; returns (id, status) of the rows inserted (see the module)."""
    database = connections[using]
    plan = _plan(using)
    enqueue = enqueue_sql(process, source="pending", argument="pending.id")
    if enqueue is not None:
        tasks_sql, tasks_params = enqueue
        sql = (
            f"WITH new AS ({plan.records_insert}), "  # noqa: S608
            "pending AS (SELECT new.id FROM new WHERE new.status = %s), "
            f"queued AS ({tasks_sql}) "
            "SELECT new.id, new.status FROM new"
        )
        params = [plan.records_param(rows), EventStatus.PENDING, *tasks_params]
        return [(pk, status) for pk, status in fetch_prepared(sql, params, using=using)]
    with transaction.atomic(using=using), database.cursor() as cursor:
        cursor.execute(plan.values_insert(len(rows)), plan.values_params(rows))
        created = [(pk, status) for pk, status in cursor.fetchall()]
        enqueue_many_atomically(
            process, [(pk,) for pk, status in created if status == EventStatus.PENDING]
        )
    return created
