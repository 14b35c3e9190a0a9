"""Test set-up for the inbox: a regional bank with its teams, accounts and Meta payloads."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from datetime import datetime

from django.test import Client

from tandem.connectors.meta.signatures import sign
from tandem.connectors.models import SocialAccount
from tandem.connectors.services import account_connect
from tandem.core.actors import Actor
from tandem.inbox.models import AgentState, Presence, Team, TeamKind
from tandem.organisation.models import Employee, Node, Role
from tandem.organisation.tests.factories import Bank, make_employee

OPERATOR = Actor(user_id=None, is_superuser=True)
HOURS = {day: [["09:00", "12:30"], ["14:00", "18:00"]] for day in ("tue", "wed", "thu", "fri")} | {
    "sat": [["09:00", "12:30"]]
}
_ids = itertools.count(1)


@dataclass
class Setup:
    bank: Bank
    branch_page: SocialAccount
    regional_page: SocialAccount
    instagram: SocialAccount
    whatsapp: SocialAccount
    manager: Employee
    advisors: list[Employee]
    urgent: list[Employee]
    complaints: list[Employee]
    community: list[Employee]
    teams: dict[str, Team] = field(default_factory=dict)


def available(employee: Employee, capacity: int = 5, presence: str = Presence.AVAILABLE) -> None:
    AgentState.objects.update_or_create(
        employee=employee, defaults={"presence": presence, "capacity": capacity}
    )


def _team(bank: Bank, node: Node, kind: str, members: list[Employee], **extra: object) -> Team:
    team = Team.objects.create(
        regional_bank=bank.regional_bank, node=node, kind=kind, name=f"{kind} {node.name}", **extra
    )
    team.members.set(members)
    return team


def setup_bank(bank: Bank, prefix: int = 1) -> Setup:
    for node in (bank.branch, bank.other_branch, bank.regional_bank):
        Node.objects.filter(pk=node.pk).update(opening_hours=HOURS)
        node.refresh_from_db()
    manager = make_employee(bank.branch, Role.BRANCH_MANAGER, first_name="Directeur")
    advisors = [
        make_employee(bank.branch, Role.ADVISOR, first_name=f"Conseil{n}") for n in range(3)
    ]
    urgent = [
        make_employee(bank.regional_bank, Role.ADVISOR, first_name=f"Urgent{n}") for n in range(2)
    ]
    complaints = [make_employee(bank.regional_bank, Role.ADVISOR, first_name="Reclam")]
    community = [make_employee(bank.regional_bank, Role.COMMUNITY_MANAGER, first_name="CM")]
    for employee in (manager, *advisors, *urgent, *complaints, *community):
        available(employee)
    teams = {
        "branch": _team(bank, bank.branch, TeamKind.BRANCH, [manager, *advisors]),
        "urgent": _team(bank, bank.regional_bank, TeamKind.URGENT, urgent, always_open=True),
        "complaints": _team(bank, bank.regional_bank, TeamKind.COMPLAINTS, complaints),
        "community": _team(bank, bank.regional_bank, TeamKind.COMMUNITY, community),
        "pool": _team(bank, bank.regional_bank, TeamKind.REGIONAL_POOL, complaints),
    }

    def connect(platform: str, external_id: str, owner: Node, handle: str = "") -> SocialAccount:
        account, _ = account_connect(
            actor=OPERATOR,
            platform=platform,
            external_id=external_id,
            owner=owner,
            token=f"token-{external_id}",
            handle=handle,
        )
        return account

    return Setup(
        bank=bank,
        branch_page=connect("facebook", f"{prefix}00100", bank.branch, "AgenceTest"),
        regional_page=connect("facebook", f"{prefix}00200", bank.regional_bank),
        instagram=connect("instagram", f"{prefix}00300", bank.regional_bank, "banque"),
        whatsapp=connect("whatsapp", f"{prefix}00400", bank.regional_bank, "+33 9 70 00 00 00"),
        manager=manager,
        advisors=advisors,
        urgent=urgent,
        complaints=complaints,
        community=community,
        teams=teams,
    )


def ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def messenger(
    page: SocialAccount,
    psid: str,
    text: str,
    at: datetime,
    mid: str | None = None,
    ref: str | None = None,
) -> dict[str, object]:
    message: dict[str, object] = {"mid": mid or f"m_{next(_ids)}", "text": text}
    event: dict[str, object] = {
        "sender": {"id": psid},
        "recipient": {"id": page.external_id},
        "timestamp": ms(at),
        "message": message,
    }
    events: list[dict[str, object]] = [event]
    if ref:
        # Opening an m.me/…?ref= link on an existing thread: a referral event, then the message.
        referral = {"ref": ref, "source": "SHORTLINK", "type": "OPEN_THREAD"}
        events.insert(
            0,
            {
                "sender": {"id": psid},
                "recipient": {"id": page.external_id},
                "timestamp": ms(at) - 1000,
                "referral": referral,
            },
        )
    return {
        "object": "page",
        "entry": [{"id": page.external_id, "time": ms(at), "messaging": events}],
    }


def page_comment(
    page: SocialAccount,
    author: str,
    text: str,
    at: datetime,
    comment_id: str | None = None,
    post_id: str = "555_1",
) -> dict[str, object]:
    comment_id = comment_id or f"555_{next(_ids)}"
    return {
        "object": "page",
        "entry": [
            {
                "id": page.external_id,
                "time": ms(at),
                "changes": [
                    {
                        "field": "feed",
                        "value": {
                            "item": "comment",
                            "verb": "add",
                            "comment_id": comment_id,
                            "post_id": post_id,
                            "parent_id": post_id,
                            "message": text,
                            "created_time": int(at.timestamp()),
                            "from": {"id": author, "name": "Client Public"},
                        },
                    }
                ],
            }
        ],
    }


def post(client: Client, payload: dict[str, object], secret: str = "test-app-secret") -> int:  # noqa: S107
    raw = json.dumps(payload).encode()
    response = client.post(
        "/webhooks/meta",
        data=raw,
        content_type="application/json",
        headers={"X-Hub-Signature-256": sign(raw, secret)},
    )
    return int(response.status_code)
