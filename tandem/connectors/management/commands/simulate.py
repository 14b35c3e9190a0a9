"""``tandem simulate``: signed, realistic French social traffic sent to a webhook URL.

For the demo, load tests and benchmarks. The run is bounded (``--count`` or ``--duration``,
10 s by default) and only ever targets ``--url`` (and ``--emulator`` when given). Exit status
0 when every delivery was acknowledged with a 200, 1 otherwise.

Examples::

    tandem simulate --url http://127.0.0.1:8000/webhooks/meta --rate 50 --duration 60
    tandem simulate --url http://127.0.0.1:8000/webhooks/meta --count 1000 --seed 7 --json \\
        --acked-keys var/acked.txt
"""

from __future__ import annotations

import json
import logging
import time
from argparse import ArgumentParser, ArgumentTypeError
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tandem.connectors.simulation.accounts import resolve_accounts
from tandem.connectors.simulation.runner import RunSettings, run
from tandem.connectors.simulation.traffic import TrafficConfig, TrafficGenerator

DEFAULT_DURATION = 10.0


def _share(value: str) -> float:
    number = float(value)
    if not 0.0 <= number <= 1.0:
        raise ArgumentTypeError("a share is a number between 0 and 1")
    return number


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ArgumentTypeError("must be at least 1")
    return number


def _start(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.utcoffset() is not None else parsed.replace(tzinfo=UTC)


class Command(BaseCommand):
    help = "Send simulated, signed Meta webhook traffic (French bank customers) to a URL."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--url", required=True, help="Webhook URL, e.g. …/webhooks/meta.")
        parser.add_argument(
            "--rate", type=float, default=20.0, help="Deliveries per second (0: unpaced)."
        )
        bound = parser.add_mutually_exclusive_group()
        bound.add_argument(
            "--duration", type=float, help=f"Seconds to run (default {DEFAULT_DURATION:g})."
        )
        bound.add_argument("--count", type=int, help="Number of deliveries to send.")
        parser.add_argument(
            "--seed", type=int, help="Random seed (default: from the clock, printed)."
        )
        parser.add_argument(
            "--start",
            type=_start,
            help="Virtual start time, ISO 8601 (default: now). With --seed: identical bodies.",
        )
        parser.add_argument("--app-secret", help="Secret to sign with (default: META_APP_SECRET).")
        parser.add_argument(
            "--accounts",
            default="auto",
            help="'auto' (active SocialAccount rows, else demo ids) or a JSON file.",
        )
        parser.add_argument("--duplicate-share", type=_share, default=0.02)
        parser.add_argument("--sensitive-share", type=_share, default=0.03)
        parser.add_argument("--batch-max", type=_positive_int, default=5)
        parser.add_argument("--concurrency", type=_positive_int, default=4)
        parser.add_argument("--max-attempts", type=_positive_int, default=4)
        parser.add_argument("--timeout", type=float, default=10.0, help="Seconds per request.")
        parser.add_argument("--json", action="store_true", help="Print the report as JSON.")
        parser.add_argument(
            "--acked-keys", type=Path, help="Write acknowledged idempotency keys to this file."
        )
        parser.add_argument(
            "--emulator", help="Meta emulator base URL, told of each customer message."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        secret = options["app_secret"] or getattr(settings, "META_APP_SECRET", "")
        if not secret:
            raise CommandError("no app secret: pass --app-secret or set META_APP_SECRET")
        try:
            accounts, source = resolve_accounts(options["accounts"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        rate: float = options["rate"]
        if rate < 0:
            raise CommandError("--rate must be >= 0")
        count: int | None = options["count"]
        duration: float | None = options["duration"]
        if count is None and duration is None:
            duration = DEFAULT_DURATION
        # Seeded from the clock by default: two demo runs must not replay the same message ids,
        # which Tandem would (rightly) store only once.
        seed = options["seed"] if options["seed"] is not None else time.time_ns() % 2**31
        start = options["start"] or datetime.now(UTC).replace(microsecond=0)
        try:
            config = TrafficConfig(
                app_secret=secret,
                seed=seed,
                start_at=start,
                duplicate_share=options["duplicate_share"],
                sensitive_share=options["sensitive_share"],
                batch_max=options["batch_max"],
                mean_gap_ms=1000.0 / rate if rate else 1.0,
            )
            run_settings = RunSettings(
                url=options["url"],
                rate=rate,
                count=count,
                duration=duration,
                concurrency=options["concurrency"],
                max_attempts=options["max_attempts"],
                timeout=options["timeout"],
                emulator_url=options["emulator"],
                acked_keys_path=options["acked_keys"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from error

        # httpx logs every request at INFO: thousands of lines would drown the report (and cost
        # throughput). Quiet it for the run only.
        httpx_logger = logging.getLogger("httpx")
        previous_level = httpx_logger.level
        httpx_logger.setLevel(logging.WARNING)
        try:
            report = run(TrafficGenerator(accounts, config), run_settings)
        finally:
            httpx_logger.setLevel(previous_level)

        if options["json"]:
            document = {**report.as_json(), "seed": seed, "accounts": source}
            self.stdout.write(json.dumps(document))
        else:
            self.stdout.write(f"seed {seed} · accounts: {len(accounts)} ({source})")
            self.stdout.write(report.as_table())
        if not report.ok:
            raise CommandError(
                f"{report.failed} of {report.deliveries} deliveries not acknowledged", returncode=1
            )
