"""``tandem seed_demo``: the fictional group of the demo, and everything it needs to run."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tandem.inbox.demo import seed_inbox_demo
from tandem.organisation.demo import DEMO_LOGINS, DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create the demo group (organisation, teams, social accounts); runs once."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = seed_demo()
        if not counts:
            self.stdout.write("The demo group is already there; nothing to do.")
        else:
            self.stdout.write(
                f"Demo group created: {counts['branches']} branches, "
                f"{counts['employees']} employees, {counts['customers']} customers."
            )
        inbox = seed_inbox_demo()
        if inbox:
            self.stdout.write(
                f"Inbox ready: {inbox['teams']} teams, {inbox['accounts']} social accounts."
            )
        self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD}):")
        for login in DEMO_LOGINS:
            self.stdout.write(f"  {login.email:<30} {login.role:<20} {login.description}")
