from datetime import datetime

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConnectorsConfig(AppConfig):
    name = "tandem.connectors"
    label = "connectors"
    verbose_name = _("Social networks")

    def ready(self) -> None:
        # Tandem's admin site does not autodiscover: each app registers its pages here.
        from tandem.connectors import admin  # noqa: F401
        from tandem.connectors.meta.webhooks import webhook_events_release
        from tandem.core.workers import worker_gone

        def release(sender: object, worker_ids: set[str], now: datetime, **kwargs: object) -> None:
            webhook_events_release(worker_ids=worker_ids, now=now)

        worker_gone.connect(release, weak=False, dispatch_uid="connectors.release_events")
