"""``tandem dispatch_queues``: hand waiting conversations out (branches opening, people back)."""

from __future__ import annotations

from typing import Any

from tandem.core.management.base import DryRunCommand
from tandem.core.schedule import stop_requested
from tandem.inbox.models import Conversation
from tandem.inbox.queue import OPEN_STATUSES, queue_dispatch


class Command(DryRunCommand):
    help = "Give waiting conversations, oldest first, to whoever can take them now."

    def run(self, *, dry_run: bool, **options: Any) -> None:
        waiting = Conversation.objects.filter(
            queued_at__isnull=False, assignee__isnull=True, status__in=OPEN_STATUSES
        )
        banks = sorted(set(waiting.values_list("regional_bank_id", flat=True)))
        if dry_run:
            self.stdout.write(f"{waiting.count()} conversation(s) waiting in {len(banks)} bank(s)")
            return
        handed = 0
        for bank in banks:
            if stop_requested():  # the worker is stopping: the rest waits for the next run
                break
            handed += queue_dispatch(regional_bank_id=bank)
        self.stdout.write(f"handed out {handed} conversation(s)")
