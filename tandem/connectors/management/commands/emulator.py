"""``tandem emulator``: the local Meta (Graph API + signed webhooks) over HTTP.

Point ``META_GRAPH_URL`` at the printed address; webhooks go to ``--webhook-url`` signed with
``--app-secret`` (default ``META_APP_SECRET``). Stops on SIGINT/SIGTERM.
"""

from __future__ import annotations

from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tandem.connectors.meta.emulator import EmulatorConfig, MetaEmulator
from tandem.connectors.meta.emulator.server import parse_bind, serve


def _rate(value: str) -> float:
    try:
        rate = float(value)
    except ValueError:
        raise ArgumentTypeError("expected a number between 0 and 1") from None
    if not 0.0 <= rate <= 1.0:
        raise ArgumentTypeError("expected a number between 0 and 1")
    return rate


def _latency(value: str) -> tuple[int, int]:
    low, _, high = value.partition(",")
    try:
        bounds = (int(low), int(high or low))
    except ValueError:
        raise ArgumentTypeError("expected MIN,MAX in milliseconds") from None
    if not 0 <= bounds[0] <= bounds[1]:
        raise ArgumentTypeError("expected 0 <= MIN <= MAX")
    return bounds


class Command(BaseCommand):
    help = "Run the Meta emulator: the Graph API endpoints Tandem calls, and webhooks back."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8001", help="HOST:PORT to listen on.")
        parser.add_argument(
            "--webhook-url",
            default=None,
            help="Where to POST webhooks (e.g. http://127.0.0.1:8000/webhooks/meta).",
        )
        parser.add_argument(
            "--app-secret", default=None, help="Webhook signing secret (default META_APP_SECRET)."
        )
        parser.add_argument("--error-rate", type=_rate, default=0.0)
        parser.add_argument("--throttle-share", type=_rate, default=0.5)
        parser.add_argument("--drop-response-rate", type=_rate, default=0.0)
        parser.add_argument("--latency-ms", type=_latency, default=(0, 0), metavar="MIN,MAX")
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument(
            "--strict-accounts",
            action="store_true",
            help="Refuse unregistered account IDs (error 100) instead of taking them as Pages.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            parse_bind(options["bind"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        secret = options["app_secret"]
        if secret is None:
            secret = settings.META_APP_SECRET
        config = EmulatorConfig(
            app_secret=secret,
            webhook_url=options["webhook_url"],
            error_rate=options["error_rate"],
            throttle_share=options["throttle_share"],
            drop_response_rate=options["drop_response_rate"],
            latency_ms=options["latency_ms"],
            seed=options["seed"],
            strict_accounts=options["strict_accounts"],
        )
        if not secret:
            self.stderr.write(
                "No app secret: webhooks will be sent unsigned (Tandem refuses them)."
            )

        def ready(url: str) -> None:
            target = config.webhook_url or "nowhere (no --webhook-url)"
            self.stdout.write(f"Meta emulator listening on {url}  (META_GRAPH_URL={url})")
            self.stdout.write(f"Webhooks to {target}. Control API: {url}/_emulator/health")
            self.stdout.flush()

        try:
            serve(options["bind"], MetaEmulator(config), on_ready=ready)
        except OSError as error:
            raise CommandError(f"cannot listen on {options['bind']}: {error}") from None
        self.stdout.write("Meta emulator stopped.")
