"""``tandem sla_sweep``: wake snoozed conversations, warn before breaches, escalate."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from tandem.core.management.base import DryRunCommand
from tandem.inbox.clocks import RUNNING, sla_sweep
from tandem.inbox.models import Conversation, ConversationStatus


class Command(DryRunCommand):
    help = "Service levels: wake snoozed conversations, warn, alert managers, hand to the pool."

    def run(self, *, dry_run: bool, **options: Any) -> None:
        if dry_run:
            now = timezone.now()
            snoozed = Conversation.objects.filter(
                status=ConversationStatus.SNOOZED, snoozed_until__lte=now
            ).count()
            due = (
                Conversation.objects.filter(status__in=RUNNING)
                .filter(Q(first_response_due_at__lte=now) | Q(next_response_due_at__lte=now))
                .count()
            )
            self.stdout.write(f"would wake {snoozed}; {due} conversation(s) past a due time")
            return
        counts = sla_sweep()
        self.stdout.write(", ".join(f"{name}: {count}" for name, count in counts.items()))
