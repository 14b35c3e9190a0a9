"""With DEBUG off, a start without secrets stops with a clear message."""

import os
import subprocess
import sys

import pytest

SECRETS = ("SECRET_KEY", "META_APP_SECRET", "META_VERIFY_TOKEN", "TANDEM_ENCRYPTION_KEYS")


def run_check(**overrides: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in SECRETS and k != "DEBUG"}
    environment.update({"DJANGO_SETTINGS_MODULE": "config.settings.base", "DEBUG": "false"})
    environment.pop("TANDEM_ALLOW_INSECURE", None)
    environment.update(overrides)
    return subprocess.run(
        [sys.executable, "-m", "tandem.cli", "check"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_production_start_refuses_missing_secrets():
    result = run_check(META_APP_SECRET="x")
    assert result.returncode != 0
    assert "refuses to start" in result.stderr
    for name in ("SECRET_KEY", "META_VERIFY_TOKEN", "TANDEM_ENCRYPTION_KEYS"):
        assert name in result.stderr
    assert "META_APP_SECRET," not in result.stderr


@pytest.mark.slow
def test_production_start_with_every_secret(tmp_path):
    result = run_check(
        SECRET_KEY="k" * 50,
        META_APP_SECRET="app-secret",
        META_VERIFY_TOKEN="verify",
        TANDEM_ENCRYPTION_KEYS="dGFuZGVtLXRlc3Qta2V5LTAwMDAwMDAwMDAwMDAwMDA=",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_tandem_command_lists_the_project_commands():
    result = subprocess.run(
        [sys.executable, "-m", "tandem.cli", "help"],
        capture_output=True,
        text=True,
        env={**os.environ, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "config.settings.base"},
        timeout=120,
        check=True,
    )
    for command in ("serve", "worker", "demo", "seed_demo", "import_org", "housekeeping"):
        assert command in result.stdout
