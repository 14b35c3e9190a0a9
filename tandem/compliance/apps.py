from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "tandem.compliance"
    label = "compliance"
    verbose_name = _("Compliance")

    def ready(self) -> None:
        # Tandem's admin site does not autodiscover: each app registers its pages here.
        from tandem.compliance import admin  # noqa: F401
