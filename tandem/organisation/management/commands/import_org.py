"""``tandem import_org FILE.csv``: load branches and employees from an HR export."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tandem.organisation.imports import org_import


class Command(BaseCommand):
    help = "Load branches and employees from an HR export (CSV, UTF-8). See the README."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and report; change nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from error
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as decode_error:
            raise CommandError(f"{path} is not UTF-8 (byte {decode_error.start})") from decode_error
        report = org_import(text=text, dry_run=options["dry_run"])
        if not report.ok:
            for row_error in report.errors:
                self.stderr.write(f"{path}:{row_error}")
            raise CommandError(f"{len(report.errors)} bad line(s) in {path}: nothing was imported.")
        prefix = "dry run, nothing saved: " if options["dry_run"] else ""
        self.stdout.write(
            f"{prefix}branches: {report.created['branches']} created, "
            f"{report.updated['branches']} updated, {report.unchanged['branches']} unchanged; "
            f"employees: {report.created['employees']} created, "
            f"{report.updated['employees']} updated, {report.unchanged['employees']} unchanged"
        )
