"""``tandem purge_expired``: apply the retention policies (daily, from ``core.schedule``).

Anonymises expired conversations, deletes expired raw webhook events, blanks expired calls to
the networks; never touches the audit trail (see ``tandem.compliance.retention``). With
``--dry-run``, prints what would change per regional bank and purpose, and changes nothing.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from tandem.compliance.anonymisation import BATCH_SIZE
from tandem.compliance.retention import DEFAULT_LIMIT, retention_purge
from tandem.core.management.base import DryRunCommand


class Command(DryRunCommand):
    help = "Anonymise or delete personal data whose retention period has passed."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--limit",
            type=int,
            default=DEFAULT_LIMIT,
            help="At most this many rows per purpose and regional bank in one run.",
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def run(self, *, dry_run: bool, **options: Any) -> None:
        reports = retention_purge(
            dry_run=dry_run,
            limit=max(1, int(options["limit"])),
            batch_size=max(1, int(options["batch_size"])),
        )
        verb = "would change" if dry_run else "changed"
        for report in reports:
            if report.regional_bank_id is None and not report.changed():
                continue
            self.stdout.write(f"{report.name}:")
            for purpose in report.purposes:
                period = "no policy" if purpose.keep_days is None else f"{purpose.keep_days} d"
                counts = ", ".join(f"{name} {count}" for name, count in purpose.counts.items())
                more = " (more left for the next run)" if purpose.more else ""
                label = verb if purpose.purpose != "audit" else "never purged"
                self.stdout.write(
                    f"  {purpose.purpose} ({period}): {label}: {counts or 'nothing'}{more}"
                )
