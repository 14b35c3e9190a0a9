"""``tandem send_outbound``: the sweep for calls to Meta that are due or unsettled."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from tandem.connectors.models import OutboundCall, OutboundStatus
from tandem.connectors.outbound import SENDING_LEASE, UNCERTAIN_GIVE_UP, outbound_sweep
from tandem.core.management.base import DryRunCommand


class Command(DryRunCommand):
    help = (
        "Make the calls to Meta that are due (retries), mark calls whose worker died as "
        "uncertain, and give up on uncertain calls nothing settled. Runs every minute."
    )

    def run(self, *, dry_run: bool, **options: Any) -> None:
        if dry_run:
            now = timezone.now()
            due = OutboundCall.objects.filter(
                status__in=[OutboundStatus.QUEUED, OutboundStatus.RETRYING],
                next_attempt_at__lte=now,
            ).count()
            orphaned = OutboundCall.objects.filter(
                status=OutboundStatus.SENDING, claimed_at__lt=now - SENDING_LEASE
            ).count()
            stale = OutboundCall.objects.filter(
                Q(status=OutboundStatus.UNCERTAIN), claimed_at__lt=now - UNCERTAIN_GIVE_UP
            ).count()
            self.stdout.write(
                f"would make {due} call(s), mark {orphaned} uncertain, give up on {stale}"
            )
            return
        results = outbound_sweep()
        summary = ", ".join(f"{name}: {count}" for name, count in sorted(results.items()))
        self.stdout.write(f"outbound {summary}")
