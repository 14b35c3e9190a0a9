"""Building blocks shared by every app, and the periodic-job lease table."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class BaseModel(models.Model):
    """Creation and update times on every row."""

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class PeriodicJobLease(models.Model):
    """One row per periodic job: when it last ran, and who holds it now.

    A worker takes the lease with one conditional UPDATE (see ``tandem.core.schedule``), so that
    a job never runs twice at once, however many workers run the schedule.
    """

    name = models.CharField(max_length=100, primary_key=True)
    next_run_at = models.DateTimeField(default=timezone.now)
    leased_until = models.DateTimeField(null=True, blank=True)
    leased_by = models.CharField(max_length=100, blank=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_succeeded = models.BooleanField(null=True)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name
