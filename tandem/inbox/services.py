"""Inbox operations: opening and routing conversations, assignment, the queue, the advisors'
actions. Each is ``<noun>_<verb>``, keyword-only, and checks its actor first (see access.py).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db.models import Q

from tandem.connectors.models import SocialAccount
from tandem.connectors.signals import EventContext
from tandem.inbox.models import Conversation, ConversationStatus, Priority, TopicRule
from tandem.inbox.queue import conversation_route
from tandem.inbox.topics import DEFAULT_RULES, Rule, detect
from tandem.organisation.models import NodeKind

logger = logging.getLogger(__name__)


def default_branch_for_account(context: EventContext) -> int:
    """The node a new conversation sits in: the account's branch, else its regional bank."""
    account = SocialAccount.objects.select_related("owner").get(pk=context.account_id or 0)
    if account.owner.kind == NodeKind.BRANCH:
        return account.owner_id
    return int(context.regional_bank_id or account.regional_bank_id or account.owner_id)


# -- topics ----------------------------------------------------------------------------------


def topic_rules_for(regional_bank_id: int) -> tuple[Rule, ...]:
    """The regional bank's own rules first, then the defaults (editable in the admin)."""
    rows = TopicRule.objects.filter(
        Q(regional_bank_id=regional_bank_id) | Q(regional_bank__isnull=True), is_active=True
    ).order_by("regional_bank_id", "order", "pk")
    own = [row for row in rows if row.regional_bank_id is not None]
    shared = [row for row in rows if row.regional_bank_id is None]
    if not own and not shared:
        return DEFAULT_RULES
    return tuple(
        Rule(topic=row.topic, priority=row.priority, keywords=tuple(row.keywords), order=index)
        for index, row in enumerate([*own, *shared])
    )


# -- routing ---------------------------------------------------------------------------------


def conversation_open(*, conversation: Conversation, text: str) -> None:
    """A new conversation: detect its topic and urgency, route it, start its clocks."""
    detection = detect(text, topic_rules_for(conversation.regional_bank_id))
    Conversation.objects.filter(pk=conversation.pk).update(
        topic=detection.topic, priority=detection.priority
    )
    conversation.topic = detection.topic
    conversation.priority = detection.priority
    conversation_route(conversation=conversation)


def conversation_customer_returned(*, conversation: Conversation, text: str) -> None:
    """The customer wrote again in a resolved, snoozed or waiting conversation."""
    detection = detect(text, topic_rules_for(conversation.regional_bank_id))
    fields: dict[str, Any] = {
        "status": ConversationStatus.OPEN,
        "snoozed_until": None,
        "resolved_at": None,
    }
    if _priority_rank(detection.priority) < _priority_rank(conversation.priority):
        fields["priority"] = detection.priority
        fields["topic"] = detection.topic
    Conversation.objects.filter(pk=conversation.pk).update(**fields)
    conversation.refresh_from_db()
    conversation_route(conversation=conversation, returning=True)


def _priority_rank(priority: str) -> int:
    return [Priority.URGENT, Priority.HIGH, Priority.NORMAL, Priority.LOW].index(Priority(priority))
