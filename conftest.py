"""Fixtures shared by every app's tests, and the browser set-up (Debian's Chromium)."""

from __future__ import annotations

import os
import shutil

import pytest

# Playwright runs an event loop in the test thread; the ORM calls in live-server tests are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("TANDEM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
        "timeout": 60_000,
    }


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.path.exists(CHROMIUM):
        return
    reason = (
        f"BROWSER TESTS SKIPPED: no Chromium at {CHROMIUM}. Install Debian's package "
        "(apt-get install chromium) or set TANDEM_CHROMIUM; CI installs it and runs them."
    )
    if os.environ.get("CI"):
        return  # in CI a missing browser must fail loudly, not skip
    skip = pytest.mark.skip(reason=reason)
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not os.path.exists(CHROMIUM):
        terminalreporter.write_line(
            f"!!! Browser tests were skipped: no Chromium at {CHROMIUM} !!!", red=True, bold=True
        )


@pytest.fixture
def tree(db):
    from tandem.organisation.tests.factories import make_tree

    return make_tree()


@pytest.fixture(autouse=True)
def _fresh_account_cache():
    """The webhook view caches accounts per process; each test starts from its own data."""
    from django.apps import apps

    if not apps.ready:  # pure tests run without Django (-p no:django)
        yield
        return
    from tandem.connectors.meta.webhooks import account_cache

    account_cache.clear()
    yield
    account_cache.clear()
