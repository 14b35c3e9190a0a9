"""The one place Tandem imports its task API from.

django-tasks is the backport of Django 6's ``django.tasks``; when Tandem moves to Django 6 only
this module changes.

Two ways to enqueue:
- ``enqueue_on_commit``: after the current transaction commits (the usual case: a worker must
  never see a row the enqueuing transaction has not committed yet).
- ``enqueue_atomically``: inside the current transaction, so that the row and its task are
  committed together or not at all (the database backend writes the task in the same
  database). Used where losing the task would leave work undone, e.g. a stored webhook event.
  With a backend that runs tasks at once (the tests), it falls back to ``on_commit``.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from django.db import transaction
from django_tasks import TaskResult, default_task_backend, task
from django_tasks.base import Task

__all__ = [
    "Task",
    "TaskResult",
    "enqueue_atomically",
    "enqueue_later",
    "enqueue_on_commit",
    "task",
]


def _backend_is_durable() -> bool:
    return bool(getattr(default_task_backend, "supports_defer", False)) and (
        type(default_task_backend).__name__ == "DatabaseBackend"
    )


def enqueue_on_commit(task_to_run: Task[Any, Any], *args: Any, **kwargs: Any) -> None:
    """Enqueue ``task_to_run`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(partial(task_to_run.enqueue, *args, **kwargs))


def enqueue_atomically(task_to_run: Task[Any, Any], *args: Any, **kwargs: Any) -> None:
    """Enqueue inside the current transaction when the queue lives in the same database."""
    if _backend_is_durable():
        task_to_run.enqueue(*args, **kwargs)
    else:
        enqueue_on_commit(task_to_run, *args, **kwargs)


def enqueue_later(
    task_to_run: Task[Any, Any], run_after: datetime, *args: Any, **kwargs: Any
) -> bool:
    """Enqueue to run after ``run_after``, on commit. False when the backend cannot defer
    (tests): the periodic sweeps pick the work up instead."""
    if not getattr(default_task_backend, "supports_defer", False):
        return False
    deferred = task_to_run.using(run_after=run_after)
    transaction.on_commit(partial(deferred.enqueue, *args, **kwargs))
    return True
