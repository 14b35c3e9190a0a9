"""``tandem audit_verify``: check every audit chain; non-zero exit when one is broken."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tandem.core.audit import audit_verify
from tandem.core.models import AuditEntry


class Command(BaseCommand):
    help = "Verify the audit trail's hash chains: any edited or deleted entry is reported."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = list(audit_verify())
        for problem in problems:
            self.stderr.write(
                f"chain {problem.chain} (regional bank), entry {problem.sequence}: {problem.reason}"
            )
        if problems:
            raise CommandError(f"{len(problems)} problem(s) in the audit trail.")
        self.stdout.write(f"audit trail intact: {AuditEntry.objects.count()} entries")
