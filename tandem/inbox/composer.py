"""What the composer shows for a conversation: the window, the mode, the approved answers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from tandem.connectors.meta.events import Channel
from tandem.connectors.meta.windows import WindowDecision, WindowVerdict, window_decision
from tandem.inbox.models import CannedAnswer, Conversation

VARIABLE = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class ComposerState:
    decision: WindowDecision | None
    can_write: bool
    needs_template: bool
    human_agent: bool
    closes_at: datetime | None
    is_comment: bool


def composer_state(conversation: Conversation, now: datetime | None = None) -> ComposerState:
    now = now or timezone.now()
    channel = Channel(conversation.channel)
    if channel.is_comment:
        return ComposerState(None, True, False, False, None, True)
    decision = window_decision(
        channel=channel,
        last_customer_message_at=conversation.last_customer_message_at,
        now=now,
        human_agent=True,
    )
    return ComposerState(
        decision=decision,
        can_write=decision.allows_free_form,
        needs_template=decision.verdict is WindowVerdict.TEMPLATE_ONLY,
        human_agent=decision.verdict is WindowVerdict.ALLOWED_HUMAN_AGENT,
        closes_at=decision.closes_at,
        is_comment=False,
    )


def answer_variables(conversation: Conversation, agent_name: str) -> dict[str, str]:
    contact = conversation.contact
    customer = contact.customer
    first_name = (customer.display_name if customer else contact.display_name or "").split(" ")[0]
    branch = conversation.branch
    return {
        "prenom_client": first_name,
        "conseiller": agent_name,
        "agence": branch.name,
        "adresse_agence": f"{branch.address}, {branch.postcode} {branch.city}".strip(", "),
        "telephone_agence": branch.phone,
    }


def fill(body: str, variables: dict[str, str]) -> str:
    return VARIABLE.sub(lambda match: variables.get(match.group(1), match.group(0)), body)


def answers_for(conversation: Conversation, agent_name: str) -> list[dict[str, object]]:
    rows = CannedAnswer.objects.filter(
        Q(regional_bank_id=conversation.regional_bank_id) | Q(regional_bank__isnull=True),
        is_active=True,
    ).order_by("title")
    variables = answer_variables(conversation, agent_name)
    return [
        {
            "id": row.pk,
            "title": row.title,
            "text": fill(row.body, variables),
            "template": row.whatsapp_template,
            "parameters": [variables.get(name, "") for name in VARIABLE.findall(row.body)],
        }
        for row in rows
    ]
