"""``tandem demo``: the demo, alive.

Migrates, seeds the fictional group, then runs side by side: the web server (gunicorn), the
worker, the Meta emulator (``META_GRAPH_URL`` points at it, so replies go there and come back as
deliveries and reads) and a gentle stream of simulated French customer traffic addressed mostly
to the accounts the demo logins look after. ``tandem.cli`` gives the demo its own secrets when
the environment has none (see ``DEMO_ENVIRONMENT``).
"""

from __future__ import annotations

import json
import os
import time
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from tandem.connectors.models import SocialAccount
from tandem.core.management.commands.serve import Command as ServeCommand
from tandem.core.management.commands.serve import Supervisor, tandem_command
from tandem.organisation.demo import DEMO_LOGINS, DEMO_PASSWORD
from tandem.organisation.models import Node

# Where the demo logins work: their accounts get most of the simulated traffic.
FOCUS_NODES = ("CL-OUEST", "CL-OUEST-001", "BS-NORD-001")


def traffic_accounts() -> list[dict[str, str]]:
    focus = Node.objects.filter(code__in=FOCUS_NODES)
    accounts = SocialAccount.objects.filter(is_active=True, owner__in=focus).order_by("pk")
    return [
        {
            "platform": account.platform,
            "external_id": account.external_id,
            "handle": "".join(c for c in account.handle if c.isdigit())
            if account.platform == "whatsapp"
            else account.handle,
        }
        for account in accounts
    ]


class Command(BaseCommand):
    help = "Run the demo: migrate, seed, serve with the worker, the Meta emulator and traffic."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help="HOST:PORT of Tandem.")
        parser.add_argument(
            "--emulator-bind", default="127.0.0.1:8001", help="HOST:PORT of the Meta emulator."
        )
        parser.add_argument(
            "--rate",
            type=float,
            default=0.3,
            help="Simulated deliveries per second (0 for no traffic).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database ready.")
        call_command("seed_demo")
        call_command("collectstatic", interactive=False, verbosity=0)
        bind = options["bind"]
        emulator = f"http://{options['emulator_bind']}"
        accounts_file = settings.VAR_DIR / "demo-accounts.json"
        accounts_file.write_text(json.dumps(traffic_accounts()), encoding="utf-8")
        children_env = {"META_GRAPH_URL": emulator}
        os.environ.update(children_env)
        supervisor = Supervisor()
        supervisor.start(
            "emulator",
            tandem_command(
                "emulator",
                "--bind",
                options["emulator_bind"],
                "--webhook-url",
                f"http://{bind}/webhooks/meta",
            ),
            env=children_env,
        )
        ServeCommand().build({"bind": bind, "workers": 2, "with_worker": True}, supervisor)
        if options["rate"] > 0:
            time.sleep(2)  # let the server and the emulator open their ports
            supervisor.start(
                "traffic",
                tandem_command(
                    "simulate",
                    "--url",
                    f"http://{bind}/webhooks/meta",
                    "--rate",
                    str(options["rate"]),
                    "--duration",
                    "86400",
                    "--accounts",
                    str(accounts_file),
                    "--emulator",
                    emulator,
                    "--duplicate-share",
                    "0.02",
                    "--sensitive-share",
                    "0.05",
                ),
                env=children_env,
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"\nTandem demo: http://{bind}/  (Ctrl+C to stop)\n"
                f"Meta emulator: {emulator}/_emulator/calls · simulated traffic: "
                f"{options['rate']} deliveries/s\n"
                f"Demo logins (password: {DEMO_PASSWORD}): "
                + ", ".join(login.email for login in DEMO_LOGINS[:3])
                + " …\n"
            )
        )
        raise SystemExit(supervisor.wait())
