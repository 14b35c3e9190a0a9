"""Database helpers for the few statements Tandem runs on every request of a hot path.

Django binds query parameters on the client (psycopg's ``ClientCursor``): the server parses and
plans every statement it receives, which is right for the thousands of different queries of
the product. The webhook endpoint runs one statement per delivery, the same text every time:
``fetch_prepared`` runs it as a **prepared statement** on PostgreSQL — parameters bound by the
server, the statement parsed and analysed once per connection (psycopg keeps them per
connection). Measured in ``bench/ingest``: a third less PostgreSQL CPU per event.

Prepared statements are used when the connection allows them (``prepare_threshold`` set in the
database ``OPTIONS``: ``TANDEM_PREPARED_STATEMENTS``, on by default); turn them off behind a
connection pooler in transaction mode that does not keep prepared statements (PgBouncer before
1.21). Everything else — SQLite, statements logged (``DEBUG``, tests counting queries), execute
wrappers — goes through Django's cursor as usual.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections


def fetch_prepared(sql: str, params: Sequence[Any], *, using: str = "default") -> list[Any]:
    """The rows of ``sql`` run with ``params``, as a prepared statement where allowed (see the
    module). ``sql`` uses ``%s`` placeholders, as with Django's cursors."""
    database = connections[using]
    plain = database.queries_logged or database.execute_wrappers
    if database.vendor == "postgresql" and not plain:
        database.ensure_connection()
        raw = database.connection
        if raw.prepare_threshold is not None:
            import psycopg

            with database.wrap_database_errors:
                database.validate_no_broken_transaction()
                with psycopg.Cursor(raw) as cursor:
                    cursor.execute(sql, params, prepare=True)
                    return cursor.fetchall()
    with database.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
