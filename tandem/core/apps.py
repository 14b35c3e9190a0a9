from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class CoreConfig(AppConfig):
    name = "tandem.core"
    label = "core"
    verbose_name = "Tandem"

    def ready(self) -> None:
        if getattr(settings, "TANDEM_REQUIRE_SECRETS", False):
            from config.settings.base import missing_production_secrets

            missing = missing_production_secrets()
            if missing:
                raise ImproperlyConfigured(
                    "Tandem refuses to start with DEBUG off while these secrets are missing: "
                    + ", ".join(missing)
                    + ". Set them in the environment (or NAME_FILE=path), "
                    "or set DEBUG=true for a development machine."
                )
