"""The inbox's POST actions: each goes access → form → service → the updated conversation."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.connectors.models import OutboundKind
from tandem.connectors.outbound import outbound_enqueue
from tandem.core.audit import audit_record
from tandem.core.errors import ApplicationError, PermissionDenied
from tandem.inbox import actions
from tandem.inbox.access import access_conversation, visible_conversations
from tandem.inbox.links import contact_unlink
from tandem.inbox.models import AgentState, CannedAnswer, Conversation, Message, Presence
from tandem.inbox.views import _actor, conversation_context
from tandem.organisation.models import Employee


def _respond(request: HttpRequest, conversation: Conversation, **extra: Any) -> HttpResponse:
    conversation.refresh_from_db()
    if request.htmx:  # type: ignore[attr-defined]
        context = conversation_context(request, conversation)
        context.update(extra)
        return render(request, "inbox/inbox.html#panel", context)
    return redirect("inbox:conversation", conversation_id=conversation.pk)


def _act(
    request: HttpRequest,
    conversation_id: str,
    operation: Callable[[Conversation], object],
) -> HttpResponse:
    conversation = access_conversation(actor=_actor(request), conversation_id=conversation_id)
    try:
        operation(conversation)
    except ApplicationError as error:
        return _respond(
            request, conversation, error=error.message, draft=request.POST.get("text", "")
        )
    return _respond(request, conversation)


@login_required
@require_POST
def reply(request: HttpRequest, conversation_id: str) -> HttpResponse:
    actor = _actor(request)

    def send(conversation: Conversation) -> None:
        template = None
        answer_id = request.POST.get("template_answer")
        if answer_id:
            answer = (
                CannedAnswer.objects.filter(pk=answer_id, is_active=True)
                .exclude(whatsapp_template="")
                .first()
            )
            if answer is None:
                raise ApplicationError(_("Choose an approved template."))
            from tandem.inbox.composer import VARIABLE, answer_variables

            variables = answer_variables(conversation, "")
            template = {
                "name": answer.whatsapp_template,
                "language": "fr",
                "parameters": [variables.get(name, "") for name in VARIABLE.findall(answer.body)],
            }
        actions.conversation_reply(
            actor=actor,
            conversation=conversation,
            text=request.POST.get("text", ""),
            mode=request.POST.get("mode", "message"),
            template=template,
        )

    return _act(request, conversation_id, send)


@login_required
@require_POST
def note(request: HttpRequest, conversation_id: str) -> HttpResponse:
    actor = _actor(request)
    return _act(
        request,
        conversation_id,
        lambda c: actions.conversation_note(
            actor=actor, conversation=c, text=request.POST.get("text", "")
        ),
    )


@login_required
@require_POST
def resolve(request: HttpRequest, conversation_id: str) -> HttpResponse:
    actor = _actor(request)
    return _act(
        request,
        conversation_id,
        lambda c: actions.conversation_resolve(actor=actor, conversation=c),
    )


@login_required
@require_POST
def snooze(request: HttpRequest, conversation_id: str) -> HttpResponse:
    actor = _actor(request)
    choice = request.POST.get("until", "")
    presets = {"1h": timedelta(hours=1), "4h": timedelta(hours=4), "24h": timedelta(hours=24)}

    def run(conversation: Conversation) -> None:
        until: datetime | None
        if choice in presets:
            until = timezone.now() + presets[choice]
        else:
            until = parse_datetime(choice)
            if until is not None and timezone.is_naive(until):
                until = timezone.make_aware(until)
        if until is None:
            raise ApplicationError(_("Choose when to bring it back."))
        actions.conversation_snooze(actor=actor, conversation=conversation, until=until)

    return _act(request, conversation_id, run)


@login_required
@require_POST
def transfer(request: HttpRequest, conversation_id: str) -> HttpResponse:
    actor = _actor(request)

    def run(conversation: Conversation) -> None:
        target = Employee.objects.filter(
            actor.scope_q("node__path") | actor.scope_q("node__regional_bank__path"),
            pk=request.POST.get("employee") or 0,
        ).first()
        if target is None:
            raise ApplicationError(_("Choose a colleague in your scope."))
        actions.conversation_transfer(
            actor=actor,
            conversation=conversation,
            to_employee=target,
            reason=request.POST.get("reason", ""),
        )

    return _act(request, conversation_id, run)


@login_required
@require_POST
def take_over(request: HttpRequest, conversation_id: str) -> HttpResponse:
    actor = _actor(request)
    return _act(
        request,
        conversation_id,
        lambda c: actions.conversation_take_over(
            actor=actor, conversation=c, reason=request.POST.get("reason", "")
        ),
    )


@login_required
@require_POST
def tag(request: HttpRequest, conversation_id: str) -> HttpResponse:
    actor = _actor(request)
    tags = list(request.POST.get("tags", "").split(","))
    return _act(
        request,
        conversation_id,
        lambda c: actions.conversation_tag(actor=actor, conversation=c, tags=tags),
    )


@login_required
@require_POST
def moderate(request: HttpRequest, conversation_id: str, message_id: str) -> HttpResponse:
    """Hide or show again a public comment of the conversation."""
    actor = _actor(request)
    hide = request.POST.get("action") != "unhide"

    def run(conversation: Conversation) -> None:
        if not conversation.channel.endswith("comment"):
            raise ApplicationError(_("Only public comments can be hidden."))
        message = Message.objects.filter(
            conversation=conversation, pk=message_id, direction="in"
        ).first()
        if message is None:
            raise Http404
        if conversation.assignee_id != actor.employee_id and not actor.has_role(
            "community_manager", path=conversation.branch.path
        ):
            raise PermissionDenied(_("Only the assignee or a community manager moderates."))
        kind = OutboundKind.HIDE_COMMENT if hide else OutboundKind.UNHIDE_COMMENT
        outbound_enqueue(
            account=conversation.account,
            kind=kind,
            payload={"comment_id": message.external_id},
            idempotency_key=f"moderate:{message.pk}:{kind}:{timezone.now():%Y%m%d%H%M%S%f}",
        )
        Message.objects.filter(pk=message.pk).update(hidden=hide)
        audit_record(
            actor=actor,
            action=f"inbox.comment.{'hidden' if hide else 'unhidden'}",
            regional_bank_id=conversation.regional_bank_id,
            object_type="message",
            object_id=message.pk,
        )

    return _act(request, conversation_id, run)


@login_required
@require_POST
def unlink(request: HttpRequest, conversation_id: str) -> HttpResponse:
    actor = _actor(request)
    return _act(request, conversation_id, lambda c: contact_unlink(actor=actor, contact=c.contact))


@login_required
@require_POST
def presence(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    value = request.POST.get("presence", "")
    if actor.employee_id is None or value not in Presence.values:
        return HttpResponse(status=400)
    state, _created = AgentState.objects.get_or_create(employee_id=actor.employee_id)
    AgentState.objects.filter(pk=state.pk).update(presence=value)
    if value == Presence.AVAILABLE:
        from tandem.inbox.queue import queue_dispatch_on_commit

        employee = Employee.objects.get(pk=actor.employee_id)
        if employee.regional_bank_id:
            queue_dispatch_on_commit(regional_bank_id=employee.regional_bank_id)
    return redirect(request.POST.get("next") or "inbox:inbox")


@login_required
@require_POST
def merge(request: HttpRequest, conversation_id: str) -> HttpResponse:
    actor = _actor(request)

    def run(conversation: Conversation) -> None:
        into_id = _uuid_or_none(request.POST.get("into"))
        into_conversation = (
            visible_conversations(actor)
            .select_related("contact")
            .filter(contact_id=into_id)
            .first()
            if into_id is not None
            else None
        )
        if into_conversation is None:
            raise ApplicationError(_("Choose a contact in your scope."))
        actions.contact_merge(
            actor=actor, contact=conversation.contact, into=into_conversation.contact
        )

    return _act(request, conversation_id, run)


def _uuid_or_none(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
