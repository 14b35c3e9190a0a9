"""``tandem seed_demo``: the fictional group of the demo (deterministic; runs once)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tandem.organisation.demo import DEMO_LOGINS, DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Create the demo group: brands, regional banks, branches, employees, customers."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = seed_demo()
        if not counts:
            self.stdout.write("The demo group is already there; nothing to do.")
        else:
            self.stdout.write(
                f"Demo group created: {counts['branches']} branches, "
                f"{counts['employees']} employees, {counts['customers']} customers."
            )
        self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD}):")
        for login in DEMO_LOGINS:
            self.stdout.write(f"  {login.email:<30} {login.role:<20} {login.description}")
