"""The one place Tandem imports its task API from.

django-tasks is the backport of Django 6's ``django.tasks``; when Tandem moves to Django 6 only
this module changes. Tasks are enqueued on commit so that a worker never sees a row that the
enqueuing transaction has not committed yet.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django_tasks import TaskResult, task
from django_tasks.base import Task

__all__ = ["Task", "TaskResult", "enqueue_on_commit", "task"]


def enqueue_on_commit(task_to_run: Task[Any, Any], *args: Any, **kwargs: Any) -> None:
    """Enqueue ``task_to_run`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(partial(task_to_run.enqueue, *args, **kwargs))
