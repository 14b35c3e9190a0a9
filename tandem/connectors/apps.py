from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConnectorsConfig(AppConfig):
    name = "tandem.connectors"
    label = "connectors"
    verbose_name = _("Social networks")

    def ready(self) -> None:
        # Tandem's admin site does not autodiscover: each app registers its pages here.
        from tandem.connectors import admin  # noqa: F401
