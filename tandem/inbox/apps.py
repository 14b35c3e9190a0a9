from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "tandem.inbox"
    label = "inbox"
    verbose_name = _("Inbox")

    def ready(self) -> None:
        from tandem.connectors.signals import event_received
        from tandem.inbox import admin  # noqa: F401 — registers the inbox's admin pages
        from tandem.inbox.receivers import on_event_received

        event_received.connect(on_event_received, dispatch_uid="inbox.on_event_received")

        from tandem.compliance.reviews import register_review_handler
        from tandem.inbox.actions import review_decided

        register_review_handler("inbox.message", review_decided)
