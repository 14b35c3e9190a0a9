"""``tandem api_token USERNAME``: issue, list or revoke the API tokens of a user.

The token acts exactly as USERNAME (same roles, same scope). It is printed once, alone on
standard output so that a script can capture it (``TOKEN=$(tandem api_token …)``); the warning
goes to standard error. Only a hash is kept: a lost token cannot be shown again, only revoked.
"""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tandem.accounts.models import User
from tandem.accounts.tokens import (
    PREFIX_LENGTH,
    api_token_create,
    api_token_list,
    api_token_revoke,
)
from tandem.core.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "Issue an API token acting as USERNAME (the user's e-mail address) and print it once; "
        "or list (--list) or revoke (--revoke PREFIX) the user's tokens."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username", help="The user's e-mail address.")
        parser.add_argument("--name", default="", help="What the token is for (default: api).")
        parser.add_argument(
            "--expires-in-days",
            type=int,
            default=None,
            help="Expire the token after this many days (default: never).",
        )
        action = parser.add_mutually_exclusive_group()
        action.add_argument(
            "--revoke", metavar="PREFIX", help="Revoke the token starting with PREFIX."
        )
        action.add_argument("--list", action="store_true", help="List the user's tokens.")

    def handle(self, *args: Any, **options: Any) -> None:
        email = str(options["username"]).strip().lower()
        user = User.objects.filter(email=email).first()
        if user is None:
            raise CommandError(f"No user with the e-mail address {email!r}.")
        try:
            if options["list"]:
                self._list(user)
            elif options["revoke"]:
                token = api_token_revoke(user=user, key_prefix=str(options["revoke"]))
                self.stdout.write(f"revoked {token.key_prefix}… ({token.name})")
            else:
                self._create(user, options)
        except ApplicationError as error:
            raise CommandError(error.message) from error

    def _create(self, user: User, options: dict[str, Any]) -> None:
        days = options["expires_in_days"]
        if days is not None and days < 1:
            raise CommandError("--expires-in-days must be at least 1.")
        expires_at = timezone.now() + timedelta(days=days) if days is not None else None
        raw = api_token_create(user=user, name=options["name"] or "api", expires_at=expires_at)
        self.stderr.write(
            f"API token for {user.email} (prefix {raw[:PREFIX_LENGTH]}). It is shown only "
            "once: store it now in the calling system's secret store. It acts with this user's "
            "roles and scope."
        )
        self.stdout.write(raw)

    def _list(self, user: User) -> None:
        now = timezone.now()
        tokens = list(api_token_list(user=user))
        if not tokens:
            self.stdout.write(f"{user.email} has no API token.")
            return
        for token in tokens:
            if token.revoked_at is not None:
                state = f"revoked {token.revoked_at:%Y-%m-%d %H:%M}"
            elif token.expires_at is not None and token.expires_at <= now:
                state = f"expired {token.expires_at:%Y-%m-%d %H:%M}"
            else:
                state = "active"
            last_used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            self.stdout.write(
                f"{token.key_prefix}  {token.name}  created {token.created_at:%Y-%m-%d %H:%M}  "
                f"last used {last_used}  {state}"
            )
