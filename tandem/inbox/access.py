"""Who may see a conversation: everything under the actor's grants, plus what is theirs.

An employee sees the conversations sitting in their scope (a branch advisor: their branch; a
regional role: the whole regional bank), those assigned to them and those of their teams.
Anything else does not exist for them: 404, exactly as for an id that exists nowhere.
"""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet
from django.http import Http404

from tandem.core.actors import Actor
from tandem.inbox.models import Contact, Conversation, Team


def visible_conversations(actor: Actor) -> QuerySet[Conversation]:
    queryset = Conversation.objects.all()
    if actor.is_superuser:
        return queryset
    if not actor.regional_bank_ids:
        return queryset.none()
    condition = actor.scope_q("branch__path")
    if actor.employee_id is not None:
        condition |= Q(assignee_id=actor.employee_id)
        employee_id = actor.employee_id
        team_ids = actor.remember(
            "inbox.team_ids",
            lambda: list(Team.objects.filter(members=employee_id).values_list("pk", flat=True)),
        )
        if team_ids:
            condition |= Q(team_id__in=team_ids)
    # The legal entity first: it leads every index, and no grant reaches across it.
    return queryset.filter(regional_bank_id__in=actor.regional_bank_ids).filter(condition)


def _uuid(value: object) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


def access_conversation(*, actor: Actor, conversation_id: object) -> Conversation:
    conversation = (
        visible_conversations(actor)
        .select_related(
            "account", "contact__customer__advisor__user", "assignee__user", "team", "branch"
        )
        .filter(pk=_uuid(conversation_id))
        .first()
    )
    if conversation is None:
        raise Http404
    return conversation


def access_contact(*, actor: Actor, contact_id: object) -> Contact:
    key = _uuid(contact_id)
    if not visible_conversations(actor).filter(contact_id=key).exists():
        raise Http404
    return Contact.objects.select_related("customer__advisor__user").get(pk=key)
