"""``tandem connect_account``: connect a Page, Instagram account or WhatsApp number.

The access token is read from standard input (never from the command line, where it would sit
in the shell history and the process list).
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tandem.connectors.services import account_connect
from tandem.core.actors import Actor
from tandem.core.errors import ApplicationError
from tandem.organisation.models import Node


class Command(BaseCommand):
    help = "Connect a social account to a node of the organisation; the token comes on stdin."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--platform", required=True, choices=["facebook", "instagram", "whatsapp"]
        )
        parser.add_argument(
            "--external-id",
            required=True,
            help="Page id, Instagram account id or WhatsApp phone_number_id.",
        )
        parser.add_argument(
            "--owner",
            required=True,
            help="A node's code (a branch code, a regional bank's code…) or its numeric id.",
        )
        parser.add_argument("--name", default="", help="A name for people (the Page's name).")
        parser.add_argument(
            "--handle",
            default="",
            help="Page username for m.me links, or the WhatsApp number in international format.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        owner = Node.objects.filter(code=options["owner"]).first()
        if owner is None and options["owner"].isdigit():
            owner = Node.objects.filter(pk=int(options["owner"])).first()
        if owner is None:
            raise CommandError(f"No node with code or id {options['owner']!r}.")
        if sys.stdin.isatty():
            self.stderr.write("Paste the access token, then press Enter:")
        token = sys.stdin.readline().strip()
        if not token:
            raise CommandError("No access token on standard input.")
        # The command line is the operator's: it acts with every right, like a superuser.
        operator = Actor(user_id=None, is_superuser=True)
        try:
            account, created = account_connect(
                actor=operator,
                platform=options["platform"],
                external_id=options["external_id"],
                owner=owner,
                token=token,
                name=options["name"],
                handle=options["handle"],
            )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        verb = "connected" if created else "reconnected (new token)"
        self.stdout.write(f"{account} {verb}, owned by {owner} ({owner.code}).")
