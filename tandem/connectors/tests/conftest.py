from __future__ import annotations

import pytest

from tandem.connectors.models import SocialAccount
from tandem.connectors.services import account_connect
from tandem.core.actors import Actor

OPERATOR = Actor(user_id=None, is_superuser=True)
PAGE_ID = "104857392817465"
INSTAGRAM_ID = "17841400000000001"
WHATSAPP_PHONE_ID = "106540352242922"


def connect(
    owner, platform: str, external_id: str, token: str = "EAAG-test-token-123"
) -> SocialAccount:
    account, _ = account_connect(
        actor=OPERATOR,
        platform=platform,
        external_id=external_id,
        owner=owner,
        token=token,
        name=f"{platform} {external_id}",
    )
    return account


@pytest.fixture
def accounts(tree):
    """The fixtures' three accounts, owned by regional bank A's first branch."""
    branch = tree.bank_a.branch
    return {
        "facebook": connect(branch, "facebook", PAGE_ID),
        "instagram": connect(branch, "instagram", INSTAGRAM_ID),
        "whatsapp": connect(branch, "whatsapp", WHATSAPP_PHONE_ID),
    }
