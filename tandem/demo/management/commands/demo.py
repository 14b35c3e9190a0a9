"""``tandem demo``: migrate, seed the fictional group, and serve it with its worker."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from tandem.core.management.commands.serve import Command as ServeCommand
from tandem.core.management.commands.serve import Supervisor


class Command(BaseCommand):
    help = "Run the demo: migrate, seed the demo group, serve with the worker."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help="HOST:PORT to listen on.")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database ready.")
        call_command("seed_demo")
        call_command("collectstatic", interactive=False, verbosity=0)
        supervisor = Supervisor()
        ServeCommand().build(
            {"bind": options["bind"], "workers": 2, "with_worker": True}, supervisor
        )
        self.stdout.write(
            self.style.SUCCESS(f"\nTandem demo: http://{options['bind']}/  (Ctrl+C to stop)\n")
        )
        raise SystemExit(supervisor.wait())
