"""Hourly housekeeping: expired sessions, old task results, old login attempts, and whatever
dead workers left behind."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.sessions.models import Session
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tandem.accounts.models import LoginAttempt
from tandem.core.management.base import DryRunCommand
from tandem.core.workers import (
    REGISTRY_RETENTION,
    process_identity,
    worker_orphans_recover,
    workers_forget,
)

TASK_RESULT_RETENTION = timedelta(days=7)
LOGIN_ATTEMPT_RETENTION = timedelta(days=90)


class Command(DryRunCommand):
    help = (
        "Delete expired sessions, finished task results and old login attempts; hand back the "
        "tasks and job leases of dead workers."
    )

    def run(self, *, dry_run: bool, **options: Any) -> None:
        now = timezone.now()
        # Every running task is looked at: also those of workers gone long ago, or never
        # registered (django-tasks-db's own db_worker).
        recovery = worker_orphans_recover(
            here=process_identity(), now=now, thorough=True, dry_run=dry_run
        )
        self.stdout.write(
            f"{'would hand back' if dry_run else 'handed back'}: {recovery.summary()}"
        )
        forgotten = workers_forget(before=now - REGISTRY_RETENTION, dry_run=dry_run)
        self.stdout.write(f"{'would delete' if dry_run else 'deleted'} {forgotten} stopped workers")
        targets: list[tuple[str, QuerySet[Any]]] = [
            ("expired sessions", Session.objects.filter(expire_date__lt=now)),
            (
                "finished task results",
                DBTaskResult.objects.filter(
                    finished_at__lt=now - TASK_RESULT_RETENTION,
                ),
            ),
            (
                "login attempts",
                LoginAttempt.objects.filter(attempted_at__lt=now - LOGIN_ATTEMPT_RETENTION),
            ),
        ]
        for label, queryset in targets:
            if dry_run:
                self.stdout.write(f"would delete {queryset.count()} {label}")
            else:
                deleted, _ = queryset.delete()
                self.stdout.write(f"deleted {deleted} {label}")
