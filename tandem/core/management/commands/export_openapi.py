"""``tandem export_openapi``: print the JSON API's OpenAPI schema (sorted, indented JSON).

``make openapi`` writes it to ``docs/api/openapi.json``, the committed copy that a test compares
with the live schema, so that any change to the API's contract shows in review.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print the OpenAPI schema of /api/v1/ as sorted, indented JSON."

    def handle(self, *args: Any, **options: Any) -> None:
        # The API is wiring (config/), above every app: imported here, not at module level.
        from config.api import openapi_document

        self.stdout.write(openapi_document(), ending="")
