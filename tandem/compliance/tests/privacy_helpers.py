"""A person's history built the way production builds it (webhooks in, a reply out, a read
receipt, a customer link, a notification), and a dump of every table to search it."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime

import httpx
from django.db import connection
from django.utils import timezone

from tandem.connectors.meta import client as meta_client
from tandem.core.actors import Actor
from tandem.inbox.actions import conversation_reply
from tandem.inbox.links import customer_link_create, customer_link_redeem
from tandem.inbox.models import Contact, Conversation, Notification
from tandem.inbox.tests.helpers import Setup, messenger, ms, post
from tandem.organisation.actors import actor_for_user

OPERATOR = Actor(user_id=None, is_superuser=True)
_mids = itertools.count(1)


def meta_ok() -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"recipient_id": "1", "message_id": f"m_out_{next(_mids)}"})

    return httpx.MockTransport(answer)


def install_meta() -> None:
    meta_client.set_transport(meta_ok())


def uninstall_meta() -> None:
    meta_client.set_transport(None)


def read_receipt(page, psid: str, at: datetime) -> dict[str, object]:
    event = {
        "sender": {"id": psid},
        "recipient": {"id": page.external_id},
        "timestamp": ms(at),
        "read": {"watermark": ms(at)},
    }
    return {
        "object": "page",
        "entry": [{"id": page.external_id, "time": ms(at), "messaging": [event]}],
    }


@dataclass
class Person:
    contact: Contact
    conversation: Conversation
    psid: str
    name: str
    text: str
    reply: str


def person(
    client,
    setup: Setup,
    capture,
    *,
    psid: str,
    name: str,
    text: str,
    reply: str = "",
    customer_reference: str = "",
    at: datetime | None = None,
) -> Person:
    """A customer who wrote ``text`` on the branch's Page, answered with ``reply``."""
    at = at or timezone.now()
    with capture(execute=True):
        assert post(client, messenger(setup.branch_page, psid, text, at)) == 200
    contact = Contact.objects.get(regional_bank=setup.bank.regional_bank, external_id=psid)
    Contact.objects.filter(pk=contact.pk).update(display_name=name)
    conversation = Conversation.objects.get(contact=contact)
    if conversation.assignee_id is None:
        Conversation.objects.filter(pk=conversation.pk).update(assignee=setup.advisors[0])
        conversation.refresh_from_db()
    if reply:
        with capture(execute=True):
            conversation_reply(
                actor=actor_for_user(conversation.assignee.user),
                conversation=conversation,
                text=reply,
            )
        with capture(execute=True):
            assert post(client, read_receipt(setup.branch_page, psid, timezone.now())) == 200
    Notification.objects.create(
        employee=conversation.assignee,
        conversation=conversation,
        kind="customer_returned",
        text=f"{name} wrote again; you were unavailable, so it went to a colleague.",
    )
    if customer_reference:
        issued = customer_link_create(
            actor=OPERATOR,
            regional_bank=setup.bank.regional_bank,
            customer_reference=customer_reference,
            advisor_email=setup.advisors[1].user.email,
            display_name="Client de la banque",
        )
        assert customer_link_redeem(code=issued.link.code, contact=contact, at=timezone.now())
    contact.refresh_from_db()
    conversation.refresh_from_db()
    return Person(contact, conversation, psid, name, text, reply)


def dump(tables: tuple[str, ...] | None = None) -> str:
    """Every row of every table (or of the tables starting with one of ``tables``), as text.
    JSON columns are stored as text, so their contents are searched too."""
    rows = []
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            if tables is not None and not table.startswith(tables):
                continue
            cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')
            rows.extend(f"{table}: {row!r}" for row in cursor.fetchall())
    return "\n".join(rows)


# What a refused action must leave exactly as it was.
DATA_TABLES = ("inbox_", "connectors_", "core_audit", "compliance_", "organisation_customer")
