"""The one place Tandem imports its task API from.

django-tasks is the backport of Django 6's ``django.tasks``; when Tandem moves to Django 6 only
this module changes.

Three ways to enqueue:
- ``enqueue_on_commit``: after the current transaction commits (the usual case: a worker must
  never see a row the enqueuing transaction has not committed yet).
- ``enqueue_atomically``: inside the current transaction, so that the row and its task are
  committed together or not at all (the database backend writes the task in the same
  database). Used where losing the task would leave work undone, e.g. a stored webhook event.
  With a backend that runs tasks at once (the tests), it falls back to ``on_commit``.
- ``enqueue_many_atomically``: the same for a batch of calls of one task, written with one
  multi-row INSERT.
- ``enqueue_sql``: on PostgreSQL, the ``INSERT … SELECT`` that enqueues one task per row of
  a query, to put inside a statement that also writes those rows (the webhook endpoint stores
  a delivery's events and their tasks in one statement).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache, partial
from typing import Any

from django.db import connection, connections, transaction
from django.utils import timezone
from django_tasks import TaskResult, task, task_backends
from django_tasks.base import Task

__all__ = [
    "Task",
    "TaskResult",
    "enqueue_atomically",
    "enqueue_later",
    "enqueue_many_atomically",
    "enqueue_on_commit",
    "task",
]


def _durable_backend(task_to_run: Task[Any, Any]) -> Any:
    """The task's backend when it stores tasks as rows of Tandem's own database, else None."""
    from django_tasks_db.backend import DatabaseBackend

    backend = task_backends[task_to_run.backend]
    return backend if isinstance(backend, DatabaseBackend) else None


def enqueue_on_commit(task_to_run: Task[Any, Any], *args: Any, **kwargs: Any) -> None:
    """Enqueue ``task_to_run`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(partial(task_to_run.enqueue, *args, **kwargs))


def enqueue_atomically(task_to_run: Task[Any, Any], *args: Any, **kwargs: Any) -> None:
    """Enqueue inside the current transaction when the queue lives in the same database."""
    if _durable_backend(task_to_run) is not None:
        task_to_run.enqueue(*args, **kwargs)
    else:
        enqueue_on_commit(task_to_run, *args, **kwargs)


def enqueue_many_atomically(task_to_run: Task[Any, Any], calls: Sequence[tuple[Any, ...]]) -> None:
    """Enqueue ``task_to_run(*arguments)`` for every tuple of ``calls``, inside the current
    transaction, with one INSERT when the queue lives in the same database.

    The rows are those ``DatabaseBackend.enqueue`` writes (``_task_row``). ``task_enqueued`` is
    not sent: its only receiver writes a debug log line per task.
    """
    if not calls:
        return
    backend = _durable_backend(task_to_run)
    if backend is None:
        for arguments in calls:
            enqueue_on_commit(task_to_run, *arguments)
        return
    from django_tasks_db.compat import normalize_json
    from django_tasks_db.models import DBTaskResult

    backend.validate_task(task_to_run)
    DBTaskResult.objects.bulk_create(
        [
            _task_row(task_to_run, backend, normalize_json({"args": list(arguments), "kwargs": {}}))
            for arguments in calls
        ]
    )


def _task_row(task_to_run: Task[Any, Any], backend: Any, args_kwargs: Any) -> Any:
    """The unsaved row ``DatabaseBackend.enqueue`` would write for ``task_to_run``, field for
    field (``run_after`` set to the backend's "no date" as its ``pre_save`` handler would)."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    return DBTaskResult(
        args_kwargs=args_kwargs,
        priority=task_to_run.priority,
        task_path=task_to_run.module_path,
        queue_name=task_to_run.queue_name,
        run_after=task_to_run.run_after or get_date_max(),
        backend_name=backend.alias,
    )


def enqueue_sql(
    task_to_run: Task[Any, Any], *, source: str, argument: str
) -> tuple[str, list[Any]] | None:
    """``(sql, params)`` of an ``INSERT … SELECT … FROM source`` enqueuing ``task_to_run(argument)``
    once per row of ``source`` (a table or CTE name; ``argument`` an SQL expression over it), or
    None unless the queue is the database backend on PostgreSQL.

    The columns are the task model's own, with the values ``enqueue`` would give them
    (``_task_row``, prepared by the model's fields), except the id
    (``gen_random_uuid()``, a version 4 UUID like the model's default) and the arguments
    (``{"args": [argument], "kwargs": {}}``). The statement is worked out once per task, backend
    and connection (the webhook endpoint asks on every delivery): the values that do not change
    are written into it as literals, quoted by the driver (``compose_sql``); the enqueue time is
    its only parameter.
    """
    backend = _durable_backend(task_to_run)
    if backend is None or connection.vendor != "postgresql":
        return None
    sql, times = _enqueue_plan(task_to_run, backend, connection.alias, source, argument)
    return sql, [connection.ops.adapt_datetimefield_value(timezone.now())] * times


@lru_cache(maxsize=64)
def _enqueue_plan(
    task_to_run: Task[Any, Any], backend: Any, alias: str, source: str, argument: str
) -> tuple[str, int]:
    """The statement, and how many enqueue-time parameters it takes (its only ones)."""
    from django_tasks_db.models import DBTaskResult

    backend.validate_task(task_to_run)
    database = connections[alias]
    template = _task_row(task_to_run, backend, {})
    meta = DBTaskResult._meta
    quote = database.ops.quote_name
    columns, values, times = [], [], 0
    for field in meta.concrete_fields:
        columns.append(quote(field.column))
        if field is meta.pk:
            values.append("gen_random_uuid()")
        elif field.name == "args_kwargs":
            arguments = f"jsonb_build_array({argument})"
            values.append(f"jsonb_build_object('args', {arguments}, 'kwargs', '{{}}'::jsonb)")
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values.append("%s")
            times += 1
        else:
            value = field.get_db_prep_save(field.pre_save(template, add=True), database)
            # A literal of the driver's quoting (PostgreSQL's operations: enqueue_sql is for
            # PostgreSQL only); a "%" in it must not read as a placeholder.
            literal = database.ops.compose_sql("%s", [value])  # type: ignore[attr-defined]
            values.append(literal.replace("%", "%%"))
    # Names quoted from the model, values the model's own, quoted by the driver.
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {', '.join(values)} FROM {source}"
    )
    return sql, times


def enqueue_later(
    task_to_run: Task[Any, Any], run_after: datetime, *args: Any, **kwargs: Any
) -> bool:
    """Enqueue to run after ``run_after``, on commit. False when the backend cannot defer
    (tests): the periodic sweeps pick the work up instead."""
    if not getattr(task_backends[task_to_run.backend], "supports_defer", False):
        return False
    deferred = task_to_run.using(run_after=run_after)
    transaction.on_commit(partial(deferred.enqueue, *args, **kwargs))
    return True
