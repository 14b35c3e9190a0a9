"""``tandem replay_events``: run stored webhook events through processing again.

Processing is idempotent, so replaying an event that was already processed changes nothing;
this is how parked events are re-run once their cause is fixed.
"""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import datetime
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tandem.connectors.meta.webhooks import UNCLAIMED, webhook_event_process
from tandem.connectors.models import EventStatus, WebhookEvent
from tandem.core.management.base import DryRunCommand

DEFAULT_STATUSES = [EventStatus.PARKED, EventStatus.RETRYING]


def _moment(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    moment = parse_datetime(value)
    if moment is None:
        raise CommandError(f"--{name} must be an ISO date-time, e.g. 2026-11-28T09:00:00+01:00")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


class Command(DryRunCommand):
    help = "Re-run stored webhook events (by id, by account, by period), parked ones by default."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--id", type=int, action="append", dest="ids", default=[])
        parser.add_argument("--account", help="The account's id on the network (Page id …).")
        parser.add_argument("--since", help="Received at or after (ISO date-time).")
        parser.add_argument("--until", help="Received before (ISO date-time).")
        parser.add_argument(
            "--status",
            action="append",
            choices=[choice.value for choice in EventStatus],
            help="Statuses to replay (repeatable). Default: parked and retrying; with --id, any.",
        )

    def run(self, *, dry_run: bool, **options: Any) -> None:
        events = WebhookEvent.objects.all()
        if options["ids"]:
            events = events.filter(pk__in=options["ids"])
        if options["account"]:
            events = events.filter(account_external_id=options["account"])
        since, until = _moment(options["since"], "since"), _moment(options["until"], "until")
        if since:
            events = events.filter(received_at__gte=since)
        if until:
            events = events.filter(received_at__lt=until)
        statuses = options["status"] or (None if options["ids"] else DEFAULT_STATUSES)
        if statuses:
            events = events.filter(status__in=statuses)
        # Events of an account still unknown, or of an unknown kind, cannot be processed.
        events = events.exclude(status__in=[EventStatus.UNKNOWN_ACCOUNT, EventStatus.UNKNOWN_KIND])
        ids = list(events.order_by("occurred_at", "pk").values_list("pk", flat=True))
        if dry_run:
            self.stdout.write(f"would replay {len(ids)} event(s)")
            return
        outcomes: dict[str, int] = {}
        for event_id in ids:
            WebhookEvent.objects.filter(pk=event_id).update(
                status=EventStatus.PENDING,
                attempts=0,
                next_attempt_at=timezone.now(),
                **UNCLAIMED,
            )
            outcome = webhook_event_process(event_id=event_id)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        summary = ", ".join(f"{name}: {count}" for name, count in sorted(outcomes.items()))
        self.stdout.write(f"replayed {len(ids)} event(s){': ' + summary if summary else ''}")
