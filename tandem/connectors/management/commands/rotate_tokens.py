"""``tandem rotate_tokens``: re-encrypt every stored access token with the newest key."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tandem.connectors.services import account_tokens_rotate


class Command(BaseCommand):
    help = (
        "After putting a new key first in TANDEM_ENCRYPTION_KEYS: re-encrypt every token with "
        "it, so the old key can be removed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = account_tokens_rotate()
        self.stdout.write(f"re-encrypted {count} token(s) with the newest key")
