"""Building blocks shared by every app, the periodic-job leases and the worker registry."""

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


class WorkerStopReason(models.TextChoices):
    STOPPED = "stopped", "stopped"  # it said so itself, on a clean shutdown
    PROCESS_ENDED = "process_ended", "process ended"  # seen gone from its own machine
    NO_HEARTBEAT = "no_heartbeat", "no heartbeat"  # silent past the heartbeat timeout


class WorkerProcess(models.Model):
    """One ``tandem worker`` process, from its start to its end or its presumed death.

    Task rows (``DBTaskResult.worker_ids``) and periodic-job leases (``leased_by``) name the
    worker that holds them; this row tells whether that worker is still there. A worker beats
    every few seconds (``seen_at``). Another worker presumes it dead when the beats stop, or at
    once when both run on the same machine (same boot, same PID namespace) and no process with
    its ``pid`` and ``process_start`` exists any more. See ``tandem.core.workers``.
    """

    worker_id = models.CharField(max_length=100, primary_key=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    # Linux's boot id and PID namespace: a process can only be looked up from the same ones.
    boot_id = models.CharField(max_length=64, blank=True)
    pid_namespace = models.CharField(max_length=64, blank=True)
    # Start time of the process in clock ticks since boot: a reused PID has another one.
    process_start = models.CharField(max_length=32, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now)
    stopped_at = models.DateTimeField(null=True, blank=True)
    stop_reason = models.CharField(max_length=20, choices=WorkerStopReason.choices, blank=True)
    # When what it held (running tasks, job leases) was handed back.
    recovered_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.worker_id


class AuditEntry(models.Model):
    """One action that matters, append-only, chained by hashes per regional bank.

    ``entry_hash`` covers the entry's content and the previous entry's hash in the same chain
    (one chain per regional bank, one for the group-level actions), so deleting or editing any
    row breaks every hash after it; ``tandem audit_verify`` checks the chains. Written by
    services in their own transaction (``tandem.core.audit.audit_record``).
    """

    chain = models.BigIntegerField(default=0, editable=False)
    sequence = models.BigIntegerField(editable=False)
    occurred_at = models.DateTimeField(default=timezone.now, editable=False)
    actor_user_id = models.BigIntegerField(null=True, blank=True, editable=False)
    actor_label = models.CharField(max_length=200, blank=True, editable=False)
    regional_bank_id = models.BigIntegerField(null=True, blank=True, editable=False)
    action = models.CharField(max_length=80, editable=False)
    object_type = models.CharField(max_length=60, blank=True, editable=False)
    object_id = models.CharField(max_length=64, blank=True, editable=False)
    data = models.JSONField(default=dict, editable=False)
    previous_hash = models.CharField(max_length=64, editable=False)
    entry_hash = models.CharField(max_length=64, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["chain", "sequence"], name="audit_chain_sequence")
        ]
        indexes = [
            models.Index(fields=["regional_bank_id", "occurred_at"]),
            models.Index(fields=["action", "occurred_at"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action}"


class AuditChainHead(models.Model):
    """The last entry of each chain, updated with every append: removing entries from the end
    of a chain (which the hashes alone would not reveal) shows as a head pointing nowhere."""

    chain = models.BigIntegerField(primary_key=True)
    sequence = models.BigIntegerField()
    entry_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"chain {self.chain} @ {self.sequence}"
