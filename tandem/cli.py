"""The ``tandem`` command: every Django management command is a subcommand."""

from __future__ import annotations

import os
import sys

# ``tandem demo`` runs on a laptop with nothing configured: it brings its own development
# secrets (used only when the environment has none) and its local Meta emulator.
DEMO_ENVIRONMENT = {
    "DEBUG": "true",
    "SECRET_KEY": "tandem-demo-only-secret-key-not-for-production",
    "META_APP_SECRET": "tandem-demo-app-secret",
    "META_VERIFY_TOKEN": "tandem-demo-verify-token",
    # A Fernet key for the demo's fictional tokens only.
    "TANDEM_ENCRYPTION_KEYS": "ZGVtby1rZXktZm9yLXRhbmRlbS1kZW1vLW9ubHktMDA=",
    "META_GRAPH_URL": "http://127.0.0.1:8001",
}


def main() -> None:
    if sys.argv[1:2] == ["demo"]:
        for name, value in DEMO_ENVIRONMENT.items():
            os.environ.setdefault(name, value)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tandem", *sys.argv[1:]])


if __name__ == "__main__":
    main()
