"""``tandem check_accounts``: ask Meta whether each account's token and webhooks still work."""

from __future__ import annotations

from typing import Any

from tandem.connectors.meta.client import GraphClient, NetworkError
from tandem.connectors.meta.errors import GraphError
from tandem.connectors.models import SocialAccount
from tandem.connectors.services import account_mark_healthy, account_mark_unhealthy
from tandem.core.encryption import EncryptionError
from tandem.core.management.base import DryRunCommand


class Command(DryRunCommand):
    help = (
        "Check every active account: is the token accepted, are Tandem's webhooks subscribed? "
        "Runs hourly; unhealthy accounts are shown to their administrators."
    )

    def run(self, *, dry_run: bool, **options: Any) -> None:
        accounts = list(SocialAccount.objects.filter(is_active=True).exclude(token_ciphertext=""))
        if dry_run:
            self.stdout.write(f"would check {len(accounts)} account(s)")
            return
        counts = {"healthy": 0, "unhealthy": 0, "unreachable": 0}
        for account in accounts:
            try:
                with GraphClient(access_token=account.access_token()) as client:
                    response = client.subscribed_apps(object_id=account.external_id)
            except GraphError as error:
                if error.account_unhealthy or not error.retryable:
                    account_mark_unhealthy(
                        account_id=account.pk, code=error.code, message=error.reason
                    )
                    counts["unhealthy"] += 1
                else:
                    counts["unreachable"] += 1
                continue
            except NetworkError:
                counts["unreachable"] += 1
                continue
            except EncryptionError:
                account_mark_unhealthy(account_id=account.pk, code=None, message="token unreadable")
                counts["unhealthy"] += 1
                continue
            subscribed = bool(response.data.get("data"))
            account_mark_healthy(account_id=account.pk, webhooks_subscribed=subscribed)
            counts["healthy"] += 1
        self.stdout.write(", ".join(f"{name}: {count}" for name, count in counts.items()))
