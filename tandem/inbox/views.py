"""The advisor's inbox: queues, the conversation, live updates by conditional polling.

One page (``inbox/inbox.html``); htmx requests render named partials of it. The list and the
conversation poll every few seconds with the version they show (``?v=``): the server answers
204 when nothing changed, so an idle inbox costs one cheap query per poll.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max, Q
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from tandem.accounts.models import User
from tandem.core.actors import Actor
from tandem.core.audit import audit_record
from tandem.inbox.access import access_conversation, visible_conversations
from tandem.inbox.composer import answers_for, composer_state
from tandem.inbox.models import (
    ChannelChoice,
    Contact,
    Conversation,
    Message,
    Presence,
    Priority,
    TeamKind,
    Topic,
)
from tandem.inbox.selectors import (
    QUEUES,
    conversation_list_for_agent,
    merge_candidates,
    message_list,
    notification_list,
    past_conversations,
    queue_counts,
    queue_summary,
    workload_for_manager,
)
from tandem.organisation.models import Employee, Role

PAGE_SIZE = 50


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined]


def _queue(request: HttpRequest) -> str:
    queue = request.GET.get("queue", "mine")
    return queue if queue in QUEUES else "mine"


def _conversation_version(conversation: Conversation) -> str:
    summary = Message.objects.filter(
        regional_bank_id=conversation.regional_bank_id, conversation=conversation
    ).aggregate(
        count=Count("pk"),
        latest=Max("created_at"),
        sent=Max("outbound_call__sent_at"),
        delivered=Max("outbound_call__delivered_at"),
        read=Max("outbound_call__read_at"),
        calls=Max("outbound_call__updated_at"),
        edits=Max("edited_at"),
        hidden=Count("pk", filter=Q(hidden=True)),
    )
    raw = (
        f"{summary['count']}|{summary['latest']}|{summary['sent']}|{summary['delivered']}|"
        f"{summary['read']}|{summary['calls']}|{summary['edits']}|{summary['hidden']}|"
        f"{conversation.updated_at}|{conversation.status}|{conversation.assignee_id}"
    )
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class QueueRow:
    """What one row of the list shows (``inbox.html#list``), computed once in Python: the
    template only prints it (Django's templates cost ~0.1 ms per row for the lookups, display
    labels and filters the row would otherwise need)."""

    pk: uuid.UUID
    url: str
    contact: str
    channel: str
    channel_label: str
    topic_label: str
    assignee: str
    urgent: bool
    flagged: bool
    time: str


_ROW_VALUES = (
    *("pk", "channel", "priority", "topic", "flagged", "last_message_at"),
    *("contact__display_name", "contact__platform", "contact__external_id"),
    *("assignee__user__first_name", "assignee__user__last_name", "assignee__user__email"),
)
_URL_MARK = "00000000-0000-0000-0000-000000000000"


def _list_rows(actor: Actor, queue: str) -> list[QueueRow]:
    """The page of the queue: its ids first (an index-only scan, sorted, limited), then the
    columns of those rows with their contact and assignee — the joins never run on the whole
    queue, and no model is built."""
    page = conversation_list_for_agent(actor=actor, queue=queue).values("pk")[:PAGE_SIZE]
    values = (
        Conversation.objects.filter(pk__in=page)
        .order_by("-last_message_at", "-pk")
        .values_list(*_ROW_VALUES)
    )
    channels = {value: str(label) for value, label in ChannelChoice.choices}
    topics = {value: str(label) for value, label in Topic.choices}
    url = reverse("inbox:conversation", args=[_URL_MARK])
    zone = timezone.get_current_timezone()
    return [
        QueueRow(
            pk=pk,
            url=url.replace(_URL_MARK, str(pk)),
            contact=Contact.label(display_name, platform, external_id),
            channel=channel,
            channel_label=channels.get(channel, channel),
            topic_label=topics.get(topic, topic),
            assignee=User.label(first_name, last_name, email),
            urgent=priority == Priority.URGENT,
            flagged=flagged,
            time=last_message_at.astimezone(zone).strftime("%d/%m %H:%M")
            if last_message_at
            else "",
        )
        for (
            pk,
            channel,
            priority,
            topic,
            flagged,
            last_message_at,
            display_name,
            platform,
            external_id,
            first_name,
            last_name,
            email,
        ) in values
    ]


def _list_context(
    request: HttpRequest, queue: str, summary: tuple[dict[str, int], str] | None = None
) -> dict[str, Any]:
    actor = _actor(request)
    counts, version = summary or queue_summary(actor=actor, queue=queue)
    return {
        "queue": queue,
        "conversations": _list_rows(actor, queue),
        "list_version": version,
        "counts": counts,
    }


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    queue = _queue(request)
    actor = _actor(request)
    if request.htmx and request.GET.get("partial") == "list":  # type: ignore[attr-defined]
        summary = queue_summary(actor=actor, queue=queue)
        if request.GET.get("v") == summary[1]:
            return HttpResponse(status=204)
        return render(request, "inbox/inbox.html#list", _list_context(request, queue, summary))
    context = _list_context(request, queue)
    context.update(_page_context(request))
    return render(request, "inbox/inbox.html", context)


def _page_context(request: HttpRequest) -> dict[str, Any]:
    actor = _actor(request)
    employee = (
        Employee.objects.select_related("agent_state").filter(pk=actor.employee_id or 0).first()
    )
    state = getattr(employee, "agent_state", None) if employee else None
    return {
        "employee": employee,
        "presence": state.presence if state else Presence.OFFLINE,
        "presences": Presence.choices,
        "notifications": list(notification_list(actor=actor)),
        "is_manager": actor.has_role(Role.BRANCH_MANAGER) or actor.has_role(Role.COMMUNITY_MANAGER),
    }


def conversation_context(request: HttpRequest, conversation: Conversation) -> dict[str, Any]:
    actor = _actor(request)
    employee = Employee.objects.select_related("user").filter(pk=actor.employee_id or 0).first()
    agent_name = employee.user.first_name if employee else ""
    messages = list(message_list(conversation=conversation))
    colleagues = (
        Employee.objects.filter(regional_bank_id=conversation.regional_bank_id, is_active=True)
        .filter(actor.scope_q("node__path") | actor.scope_q("node__regional_bank__path"))
        .select_related("user")
        .order_by("user__last_name")[:200]
    )
    return {
        "conversation": conversation,
        "thread_messages": messages,
        "conversation_version": _conversation_version(conversation),
        "composer": composer_state(conversation),
        "answers": answers_for(conversation, agent_name),
        "is_assignee": conversation.assignee_id is not None
        and conversation.assignee_id == actor.employee_id,
        "past": list(past_conversations(actor=actor, conversation=conversation)),
        "merge_candidates": merge_candidates(actor=actor, conversation=conversation),
        "colleagues": colleagues,
        "now": timezone.now(),
    }


@login_required
@require_GET
def conversation_detail(request: HttpRequest, conversation_id: str) -> HttpResponse:
    actor = _actor(request)
    conversation = access_conversation(actor=actor, conversation_id=conversation_id)
    if request.htmx:  # type: ignore[attr-defined]
        partial = request.GET.get("partial")
        if partial == "thread":
            if request.GET.get("v") == _conversation_version(conversation):
                return HttpResponse(status=204)
            return render(
                request, "inbox/inbox.html#thread", conversation_context(request, conversation)
            )
        if partial == "panel":
            return render(
                request, "inbox/inbox.html#panel", conversation_context(request, conversation)
            )
    # Who saw which customer's conversation: on record (full page views, not the polling).
    audit_record(
        actor=actor,
        action="inbox.conversation.viewed",
        regional_bank_id=conversation.regional_bank_id,
        object_type="conversation",
        object_id=conversation.pk,
    )
    queue = _queue(request)
    context = _list_context(request, queue)
    context.update(_page_context(request))
    context.update(conversation_context(request, conversation))
    return render(request, "inbox/inbox.html", context)


@login_required
@require_GET
def team_view(request: HttpRequest) -> HttpResponse:
    """The branch manager's view: who holds what, what is late."""
    actor = _actor(request)
    if not (
        actor.has_role(Role.BRANCH_MANAGER)
        or actor.has_role(Role.COMMUNITY_MANAGER)
        or actor.is_superuser
    ):
        return redirect("inbox:inbox")
    late = list(conversation_list_for_agent(actor=actor, queue="late")[:PAGE_SIZE])
    unassigned = list(conversation_list_for_agent(actor=actor, queue="unassigned")[:PAGE_SIZE])
    return render(
        request,
        "inbox/team.html",
        {
            "workload": workload_for_manager(actor=actor),
            "late": late,
            "unassigned": unassigned,
            "counts": queue_counts(actor=actor),
            "team_kinds": TeamKind,
        },
    )


def bad_request(message: str) -> HttpResponse:
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


__all__ = [
    "conversation_context",
    "conversation_detail",
    "inbox",
    "team_view",
    "visible_conversations",
]
