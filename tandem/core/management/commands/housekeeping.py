"""Hourly housekeeping: expired sessions, old task results, old login attempts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.sessions.models import Session
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tandem.accounts.models import LoginAttempt
from tandem.core.management.base import DryRunCommand

TASK_RESULT_RETENTION = timedelta(days=7)
LOGIN_ATTEMPT_RETENTION = timedelta(days=90)


class Command(DryRunCommand):
    help = "Delete expired sessions, finished task results and old login attempts."

    def run(self, *, dry_run: bool, **options: Any) -> None:
        now = timezone.now()
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
