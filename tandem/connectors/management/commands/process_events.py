"""``tandem process_events``: the sweep for webhook events stored but not processed."""

from __future__ import annotations

import time
from typing import Any

from tandem.connectors.meta.webhooks import webhook_event_process, webhook_events_due
from tandem.core.management.base import DryRunCommand
from tandem.core.schedule import stop_requested

BATCH = 500
TIME_BUDGET_SECONDS = 50.0


class Command(DryRunCommand):
    help = (
        "Process webhook events that are due: retries, claims of dead workers, and pending "
        "events whose task never ran. Runs every minute from the schedule."
    )

    def run(self, *, dry_run: bool, **options: Any) -> None:
        if dry_run:
            due = webhook_events_due(limit=100_000)
            self.stdout.write(f"would process {len(due)} event(s)")
            return
        started = time.monotonic()
        outcomes: dict[str, int] = {}
        while time.monotonic() - started < TIME_BUDGET_SECONDS and not stop_requested():
            due = webhook_events_due(limit=BATCH)
            if not due:
                break
            for event_id in due:
                if stop_requested():  # the worker is stopping: the rest waits for the next run
                    break
                outcome = webhook_event_process(event_id=event_id)
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
            if all(outcome == "not-due" for outcome in outcomes):
                break
        summary = ", ".join(f"{name}: {count}" for name, count in sorted(outcomes.items()))
        self.stdout.write(f"events {summary or 'none due'}")
