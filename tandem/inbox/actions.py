"""What people do in a conversation: reply, note, resolve, snooze, transfer, take over, tag.

Each service checks its actor first: the conversation must be in scope (``access.py``), and
only its assignee replies — anyone else in scope takes it over explicitly, with a reason.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.compliance.defaults import PUBLIC_REDIRECT
from tandem.compliance.detection import detect
from tandem.compliance.models import FindingKind
from tandem.compliance.reviews import finding_record, review_request_create
from tandem.compliance.wording import relationship_check, wording_check
from tandem.connectors.meta.events import Channel
from tandem.connectors.meta.windows import (
    WindowVerdict,
    private_reply_decision,
    window_decision,
)
from tandem.connectors.models import OutboundKind
from tandem.connectors.outbound import outbound_enqueue
from tandem.core.actors import Actor
from tandem.core.audit import audit_record
from tandem.core.errors import ApplicationError, PermissionDenied, ValidationFailed
from tandem.inbox.models import (
    Contact,
    Conversation,
    ConversationStatus,
    Message,
    MessageDirection,
    Notification,
)
from tandem.organisation.models import Employee, Role

MAX_REPLY_LENGTH = {"whatsapp": 4096, "messenger": 2000, "instagram_dm": 1000}
# Kinds a reply may never carry, whatever the channel: banking data stays off social networks.
BLOCKED_KINDS = {"iban", "card", "rib", "fr_nir", "secret"}


class ReplyRefused(ApplicationError):
    """The reply cannot go out; ``message`` says why, in words for the advisor."""


def _employee(actor: Actor) -> Employee:
    if actor.employee_id is None:
        raise PermissionDenied(_("Only an employee can act in a conversation."))
    return Employee.objects.get(pk=actor.employee_id)


def _require_assignee(actor: Actor, conversation: Conversation) -> Employee:
    employee = _employee(actor)
    if conversation.assignee_id != employee.pk:
        raise PermissionDenied(
            _("This conversation is someone else's: take it over first, with a reason.")
        )
    return employee


def _system(
    conversation: Conversation, text: str, author: Employee | None = None, **meta: Any
) -> Message:
    """A system event in the conversation, written to the audit trail as well."""
    message = Message.objects.create(
        regional_bank_id=conversation.regional_bank_id,
        conversation=conversation,
        direction=MessageDirection.SYSTEM,
        text=text,
        occurred_at=timezone.now(),
        author=author,
        meta=meta,
    )
    if action := meta.get("action"):
        audit_record(
            actor=Actor(user_id=author.user_id, employee_id=author.pk) if author else None,
            action=f"inbox.conversation.{action}",
            regional_bank_id=conversation.regional_bank_id,
            object_type="conversation",
            object_id=conversation.pk,
            data={key: value for key, value in meta.items() if key != "action"},
        )
    return message


def reply_check(*, text: str) -> None:
    """Refuse a reply that would put banking data on a social network."""
    kinds = sorted({finding.kind for finding in detect(text)} & BLOCKED_KINDS)
    if kinds:
        names = {
            "iban": _("an IBAN"),
            "card": _("a card number"),
            "rib": _("a bank account (RIB)"),
            "fr_nir": _("a social security number"),
            "secret": _("a secret code"),
        }
        raise ReplyRefused(
            _(
                "Not sent: the reply contains %(what)s. Banking data never goes on a social "
                "network; invite the customer to the bank's app or a branch appointment."
            )
            % {"what": ", ".join(str(names[kind]) for kind in kinds)},
            extra={"kinds": kinds},
        )


def _last_inbound(conversation: Conversation) -> Message | None:
    return (
        Message.objects.filter(conversation=conversation, direction=MessageDirection.INBOUND)
        .order_by("-occurred_at")
        .first()
    )


Outbound = tuple[str, dict[str, Any], dict[str, Any]]


def _comment_outbound(conversation: Conversation, text: str, mode: str, now: datetime) -> Outbound:
    """A public reply in the thread, or the single private reply to the last comment."""
    target = _last_inbound(conversation)
    if target is None:
        raise ReplyRefused(_("There is no customer comment to answer."))
    if mode != "private":
        comment_id = conversation.root_comment_id or target.external_id
        return OutboundKind.PUBLIC_REPLY, {"comment_id": comment_id, "text": text}, {"public": True}
    already = Message.objects.filter(
        conversation=conversation,
        direction=MessageDirection.OUTBOUND,
        meta__private_reply_to=target.external_id,
    ).exists()
    decision = private_reply_decision(
        channel=Channel(conversation.channel),
        comment_created_at=target.occurred_at,
        now=now,
        private_reply_sent=already,
    )
    if decision.verdict is WindowVerdict.REFUSED:
        raise ReplyRefused(decision.reason)
    payload = {"comment_id": target.external_id, "text": text}
    return OutboundKind.PRIVATE_REPLY, payload, {"private_reply_to": target.external_id}


def _direct_outbound(
    conversation: Conversation, text: str, template: dict[str, Any] | None, now: datetime
) -> Outbound:
    """A message on Messenger, Instagram or WhatsApp, as the window allows it."""
    channel = Channel(conversation.channel)
    recipient = conversation.contact.external_id
    decision = window_decision(
        channel=channel,
        last_customer_message_at=conversation.last_customer_message_at,
        now=now,
        human_agent=True,
    )
    if channel is Channel.WHATSAPP:
        to = f"+{recipient.lstrip('+')}"
        if decision.verdict is WindowVerdict.TEMPLATE_ONLY or template is not None:
            if template is None:
                raise ReplyRefused(decision.reason)
            template_payload = {
                "to": to,
                "type": "template",
                "template": _template_payload(template),
            }
            return OutboundKind.MESSAGE, template_payload, {"template": template.get("name")}
        if not decision.allows_free_form:
            raise ReplyRefused(decision.reason)
        body = {"body": text, "preview_url": False}
        return OutboundKind.MESSAGE, {"to": to, "type": "text", "text": body}, {}
    if not decision.allows_free_form:
        raise ReplyRefused(decision.reason)
    payload: dict[str, Any] = {
        "recipient": {"id": recipient},
        "messaging_type": str(decision.messaging_type),
        "message": {"text": text},
    }
    if decision.tag is None:
        return OutboundKind.MESSAGE, payload, {}
    payload["tag"] = str(decision.tag)
    return OutboundKind.MESSAGE, payload, {"tag": str(decision.tag)}


def _compliance_check(conversation: Conversation, text: str, public: bool) -> bool:
    """Refuse what may not go out (``ReplyRefused``); True when the text needs a review."""
    reply_check(text=text)
    if public and (phrases := relationship_check(text)):
        raise ReplyRefused(
            _(
                "Not sent: in public, this would confirm that the person is a customer "
                "(%(phrases)s). Banking secrecy: answer in private, or say: %(redirect)s"
            )
            % {"phrases": ", ".join(phrases), "redirect": PUBLIC_REDIRECT},
            extra={"kinds": ["relationship"]},
        )
    verdict = wording_check(
        text=text, regional_bank_id=conversation.regional_bank_id, public=public, subject="reply"
    )
    if verdict.action == "block":
        raise ReplyRefused(
            _("Not sent: %(why)s") % {"why": verdict.explanation()}, extra={"kinds": ["wording"]}
        )
    if verdict.action == "mention":
        raise ReplyRefused(
            _("Not sent: this reply must include the mandatory mention: %(mention)s")
            % {"mention": " / ".join(verdict.missing_mentions)},
            extra={"kinds": ["mention"]},
        )
    return verdict.action == "review"


def conversation_reply(
    *,
    actor: Actor,
    conversation: Conversation,
    text: str,
    mode: str = "message",
    template: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> Message:
    """Send ``text`` to the customer. ``mode``: ``message`` on a direct channel; ``public`` or
    ``private`` on a comment thread. WhatsApp outside its window needs an approved ``template``
    (``{"name": …, "language": "fr", "parameters": […]}``). Refusals raise ``ReplyRefused``
    (or ``PermissionDenied`` when the actor is not the assignee), change nothing and are
    counted for the compliance dashboard. A reply the wording rules send to review is stored,
    held, and goes out only once a compliance officer approves it."""
    employee = _require_assignee(actor, conversation)
    now = now or timezone.now()
    text = text.strip()
    if not text and template is None:
        raise ValidationFailed(_("Write a reply first."))
    public = Channel(conversation.channel).is_comment and mode != "private"
    needs_review = False
    if text:
        limit = MAX_REPLY_LENGTH.get(conversation.channel)
        size = len(text.encode()) if conversation.channel == Channel.INSTAGRAM_DM else len(text)
        if limit and size > limit:
            raise ValidationFailed(_("The reply is too long for this network."))
        try:
            needs_review = _compliance_check(conversation, text, public)
        except ReplyRefused as refusal:
            finding_record(
                regional_bank_id=conversation.regional_bank_id,
                kind=FindingKind.BLOCKED_REPLY,
                detail_kinds=[str(kind) for kind in refusal.extra.get("kinds", [])],  # type: ignore[attr-defined]
                branch_id=conversation.branch_id,
            )
            raise
    if Channel(conversation.channel).is_comment:
        kind, payload, meta = _comment_outbound(conversation, text, mode, now)
    else:
        kind, payload, meta = _direct_outbound(conversation, text, template, now)
    return _reply_write(
        employee=employee,
        conversation=conversation,
        text=text,
        now=now,
        kind=kind,
        payload=payload,
        meta=meta,
        held=needs_review,
        public=public,
    )


@transaction.atomic
def _reply_write(
    *,
    employee: Employee,
    conversation: Conversation,
    text: str,
    now: datetime,
    kind: str,
    payload: dict[str, Any],
    meta: dict[str, Any],
    held: bool,
    public: bool,
) -> Message:
    if held:
        meta = {**meta, "held_for_review": True, "outbound": {"kind": kind, "payload": payload}}
    message = Message.objects.create(
        regional_bank_id=conversation.regional_bank_id,
        conversation=conversation,
        direction=MessageDirection.OUTBOUND,
        author=employee,
        text=text or f"[modèle {meta.get('template')}]",
        occurred_at=now,
        meta=meta,
    )
    audit_record(
        actor=Actor(user_id=employee.user_id, employee_id=employee.pk),
        action="inbox.message.held" if held else "inbox.message.sent",
        regional_bank_id=conversation.regional_bank_id,
        object_type="message",
        object_id=message.pk,
        data={"conversation": str(conversation.pk), "channel": conversation.channel},
    )
    if held:
        verdict = wording_check(
            text=text,
            regional_bank_id=conversation.regional_bank_id,
            public=public,
            subject="reply",
        )
        review_request_create(
            author=employee,
            regional_bank_id=conversation.regional_bank_id,
            subject_type="inbox.message",
            subject_id=message.pk,
            text=text,
            hits=verdict.hits,
            public=public,
        )
        return message
    _message_send(message=message, conversation=conversation, kind=kind, payload=payload, now=now)
    return message


def _message_send(
    *,
    message: Message,
    conversation: Conversation,
    kind: str,
    payload: dict[str, Any],
    now: datetime,
) -> None:
    call, _created = outbound_enqueue(
        account=conversation.account,
        kind=kind,
        payload=payload,
        idempotency_key=f"inbox-message:{message.pk}",
        recipient_id=conversation.contact.external_id,
    )
    Message.objects.filter(pk=message.pk).update(outbound_call=call)
    message.outbound_call = call
    fields: dict[str, Any] = {
        "last_agent_message_at": now,
        "last_message_at": now,
        "status": ConversationStatus.WAITING,
        "next_response_due_at": None,
        "escalation_level": 0,
    }
    if conversation.first_response_at is None:
        fields["first_response_at"] = now
        fields["first_response_due_at"] = None
    Conversation.objects.filter(pk=conversation.pk).update(**fields)


def review_decided(review: Any) -> None:
    """The compliance officer decided on a held reply: send it, or tell its author why not."""
    message = (
        Message.objects.select_related("conversation__account", "conversation__contact")
        .filter(pk=review.subject_id, direction=MessageDirection.OUTBOUND)
        .first()
    )
    if message is None or not message.meta.get("held_for_review"):
        return
    conversation = message.conversation
    with transaction.atomic():
        if review.status == "approved":
            outbound = message.meta["outbound"]
            Message.objects.filter(pk=message.pk).update(
                meta={**message.meta, "held_for_review": False, "review": "approved"}
            )
            _message_send(
                message=message,
                conversation=conversation,
                kind=outbound["kind"],
                payload=outbound["payload"],
                now=timezone.now(),
            )
            _system(
                conversation, _("Reply approved by compliance and sent."), action="review_approved"
            )
        else:
            Message.objects.filter(pk=message.pk).update(
                meta={
                    **message.meta,
                    "held_for_review": False,
                    "review": "rejected",
                    "review_note": review.decision_note,
                }
            )
            _system(
                conversation,
                _("Reply rejected by compliance: %(note)s") % {"note": review.decision_note},
                action="review_rejected",
            )
            if message.author_id:
                Notification.objects.create(
                    employee_id=message.author_id,
                    conversation=conversation,
                    kind="review_rejected",
                    text=(
                        _("Compliance rejected your reply: %(note)s")
                        % {"note": review.decision_note}
                    )[:300],
                )


def _template_payload(template: dict[str, Any]) -> dict[str, Any]:
    name = str(template.get("name") or "")
    if not name:
        raise ValidationFailed(_("Choose an approved template."))
    parameters = [{"type": "text", "text": str(value)} for value in template.get("parameters", [])]
    payload: dict[str, Any] = {
        "name": name,
        "language": {"code": str(template.get("language") or "fr")},
    }
    if parameters:
        payload["components"] = [{"type": "body", "parameters": parameters}]
    return payload


def conversation_note(*, actor: Actor, conversation: Conversation, text: str) -> Message:
    """An internal note: seen by colleagues, never sent."""
    employee = _employee(actor)
    text = text.strip()
    if not text:
        raise ValidationFailed(_("Write the note first."))
    note = Message.objects.create(
        regional_bank_id=conversation.regional_bank_id,
        conversation=conversation,
        direction=MessageDirection.NOTE,
        author=employee,
        text=text,
        occurred_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="inbox.note.added",
        regional_bank_id=conversation.regional_bank_id,
        object_type="message",
        object_id=note.pk,
        data={"conversation": str(conversation.pk)},
    )
    return note


SATISFACTION_QUESTION = (
    "Votre demande est traitée. Êtes-vous satisfait(e) de notre échange ? Répondez simplement "
    "par une note de 1 (pas du tout) à 5 (tout à fait). Merci !"
)


def _ask_satisfaction(conversation: Conversation, now: datetime) -> None:
    """After resolution, inside the standard window only (a survey is not a human reply)."""
    channel = Channel(conversation.channel)
    if channel.is_comment or conversation.satisfaction_asked_at is not None:
        return
    decision = window_decision(
        channel=channel,
        last_customer_message_at=conversation.last_customer_message_at,
        now=now,
        human_agent=False,
    )
    if decision.verdict is not WindowVerdict.ALLOWED:
        return
    recipient = conversation.contact.external_id
    if channel is Channel.WHATSAPP:
        payload: dict[str, Any] = {
            "to": f"+{recipient.lstrip('+')}",
            "type": "text",
            "text": {"body": SATISFACTION_QUESTION},
        }
    else:
        payload = {
            "recipient": {"id": recipient},
            "messaging_type": "RESPONSE",
            "message": {"text": SATISFACTION_QUESTION},
        }
    message = Message.objects.create(
        regional_bank_id=conversation.regional_bank_id,
        conversation=conversation,
        direction=MessageDirection.OUTBOUND,
        text=SATISFACTION_QUESTION,
        occurred_at=now,
        meta={"satisfaction": True},
    )
    call, _created = outbound_enqueue(
        account=conversation.account,
        kind=OutboundKind.MESSAGE,
        payload=payload,
        idempotency_key=f"inbox-message:{message.pk}",
        recipient_id=recipient,
    )
    Message.objects.filter(pk=message.pk).update(outbound_call=call)
    Conversation.objects.filter(pk=conversation.pk).update(satisfaction_asked_at=now)


@transaction.atomic
def conversation_resolve(*, actor: Actor, conversation: Conversation) -> None:
    employee = _require_assignee(actor, conversation)
    now = timezone.now()
    Conversation.objects.filter(pk=conversation.pk).update(
        status=ConversationStatus.RESOLVED,
        resolved_at=now,
        next_response_due_at=None,
        first_response_due_at=None,
        resolution_due_at=None,
        queued_at=None,
    )
    _system(
        conversation, _("Resolved by %(name)s.") % {"name": employee}, employee, action="resolved"
    )
    _ask_satisfaction(conversation, now)
    from tandem.inbox.queue import queue_dispatch_on_commit

    queue_dispatch_on_commit(regional_bank_id=conversation.regional_bank_id)


@transaction.atomic
def conversation_snooze(*, actor: Actor, conversation: Conversation, until: datetime) -> None:
    employee = _require_assignee(actor, conversation)
    if until <= timezone.now():
        raise ValidationFailed(_("Choose a time in the future."))
    Conversation.objects.filter(pk=conversation.pk).update(
        status=ConversationStatus.SNOOZED, snoozed_until=until
    )
    _system(
        conversation,
        _("Snoozed until %(when)s by %(name)s.")
        % {"when": timezone.localtime(until).strftime("%d/%m %H:%M"), "name": employee},
        employee,
        action="snoozed",
    )


@transaction.atomic
def conversation_transfer(
    *, actor: Actor, conversation: Conversation, to_employee: Employee, reason: str
) -> None:
    """Give the conversation to someone else in scope (the assignee, or a manager)."""
    employee = _employee(actor)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(_("Say why you transfer it."))
    is_manager = actor.has_role(Role.BRANCH_MANAGER, path=conversation.branch.path) or (
        actor.has_role(Role.COMMUNITY_MANAGER, path=conversation.branch.path)
    )
    if conversation.assignee_id != employee.pk and not is_manager:
        raise PermissionDenied(_("Only the assignee or a manager may transfer it."))
    if to_employee.regional_bank_id != conversation.regional_bank_id or not to_employee.is_active:
        raise ValidationFailed(_("Choose an active colleague of this regional bank."))
    from tandem.inbox.queue import assign

    assign(conversation=conversation, employee_id=to_employee.pk, team_id=conversation.team_id)
    _system(
        conversation,
        _("Transferred by %(by)s to %(to)s: %(reason)s")
        % {"by": employee, "to": to_employee, "reason": reason},
        employee,
        action="transferred",
        reason=reason,
    )


@transaction.atomic
def conversation_take_over(*, actor: Actor, conversation: Conversation, reason: str) -> None:
    employee = _employee(actor)
    reason = reason.strip()
    if conversation.assignee_id == employee.pk:
        return
    if conversation.assignee_id is not None and not reason:
        raise ValidationFailed(_("Say why you take it over."))
    from tandem.inbox.queue import assign

    previous = conversation.assignee
    assign(conversation=conversation, employee_id=employee.pk, team_id=conversation.team_id)
    if previous is not None:
        _system(
            conversation,
            _("Taken over by %(by)s from %(from)s: %(reason)s")
            % {"by": employee, "from": previous, "reason": reason},
            employee,
            action="taken_over",
            reason=reason,
        )
    else:
        _system(conversation, _("Taken by %(by)s.") % {"by": employee}, employee, action="taken")


def conversation_tag(*, actor: Actor, conversation: Conversation, tags: list[str]) -> None:
    _employee(actor)
    cleaned = sorted({tag.strip().lower()[:40] for tag in tags if tag.strip()})[:20]
    Conversation.objects.filter(pk=conversation.pk).update(tags=cleaned)


@transaction.atomic
def contact_merge(*, actor: Actor, contact: Contact, into: Contact) -> None:
    """The same person on two channels: ``contact`` now points at ``into`` (its conversations
    show together, new events of the identity land on ``into``'s record). Audited."""
    _employee(actor)
    if contact.pk == into.pk or contact.regional_bank_id != into.regional_bank_id:
        raise ValidationFailed(_("Choose another contact of the same regional bank."))
    if into.merged_into_id is not None:
        raise ValidationFailed(_("That contact was itself merged; choose the one it points at."))
    Contact.objects.filter(pk=contact.pk).update(merged_into=into)
    Contact.objects.filter(merged_into=contact).update(merged_into=into)
    if contact.customer_id and not into.customer_id:
        Contact.objects.filter(pk=into.pk).update(
            customer_id=contact.customer_id, linked_at=contact.linked_at
        )
    audit_record(
        actor=actor,
        action="inbox.contact.merged",
        regional_bank_id=contact.regional_bank_id,
        object_type="contact",
        object_id=contact.pk,
        data={"into": str(into.pk)},
    )
