"""A management command base with the ``--dry-run`` every periodic job offers."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand


class DryRunCommand(BaseCommand):
    """A command that can report what it would do without changing anything."""

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would change, change nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = bool(options.pop("dry_run"))
        self.run(dry_run=dry_run, **options)

    def run(self, *, dry_run: bool, **options: Any) -> None:
        raise NotImplementedError
