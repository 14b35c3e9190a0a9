"""A regional bank open around the clock, with the Meta emulator posting its webhooks, signed,
to the live server — shared by the inbox and compliance browser tests."""

import httpx
import pytest

from tandem.connectors.meta import client as client_module
from tandem.connectors.meta.emulator import EmulatorConfig, MetaEmulator
from tandem.inbox.tests.helpers import setup_bank
from tandem.organisation.models import Node
from tandem.organisation.tests.factories import TEST_PASSWORD

ALWAYS = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@pytest.fixture
def world(transactional_db, live_server):
    from tandem.organisation.tests.factories import make_tree

    tree = make_tree()
    setup = setup_bank(tree.bank_a)
    # After setup_bank, which gives the branches office hours: the flows must not depend on
    # the time of day the tests run at.
    Node.objects.filter(pk__in=[tree.bank_a.branch.pk, tree.bank_a.regional_bank.pk]).update(
        opening_hours=ALWAYS
    )
    emulator = MetaEmulator(EmulatorConfig(app_secret="test-app-secret", seed=1))

    def sink(body: bytes, headers: dict[str, str]) -> int:
        return httpx.post(
            f"{live_server.url}/webhooks/meta", content=body, headers=headers, timeout=30
        ).status_code

    emulator.webhook_sink = sink
    for account in (setup.branch_page, setup.regional_page):
        emulator.register_account(account.external_id, "facebook")
    client_module.set_transport(httpx.MockTransport(emulator.handle))
    yield setup, emulator
    client_module.set_transport(None)


@pytest.fixture
def sign_in():
    from playwright.sync_api import expect

    def go(page, live_server, user) -> None:
        page.set_default_timeout(30_000)
        page.goto(f"{live_server.url}/accounts/login/?next=/inbox/")
        page.get_by_label("E-mail professionnel").fill(user.email)
        page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        expect(page.get_by_test_id("conversation-list")).to_be_visible()

    return go
