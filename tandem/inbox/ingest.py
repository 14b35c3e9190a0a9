"""Customer events into contacts, conversations and messages — idempotently.

Every function may run again for the same event (a replay, a crash between processing and
commit): messages are keyed by Meta's id within their conversation, conversation times only
move forward, and routing runs only when a conversation is created or comes back to life.
Customer text is scanned and masked before it is stored (``tandem.compliance``).
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

from django.db.models import F
from django.db.models.functions import Greatest

from tandem.compliance.detection import detect
from tandem.compliance.models import FindingKind
from tandem.compliance.redaction import mask
from tandem.compliance.reviews import finding_record
from tandem.connectors.meta.events import (
    Attachment,
    CommentAdded,
    CommentEdited,
    CommentHidden,
    CommentRemoved,
    MessageEcho,
    MessageReceived,
    Postback,
    Referral,
)
from tandem.connectors.outbound import METADATA_PREFIX
from tandem.connectors.signals import EventContext
from tandem.core.errors import ApplicationError
from tandem.inbox.models import (
    Contact,
    Conversation,
    ConversationStatus,
    Message,
    MessageDirection,
)

logger = logging.getLogger(__name__)

# Meta's standard messaging window: 24 hours after the customer's last message.
STANDARD_WINDOW = timedelta(hours=24)


class MissingRegionalBank(ApplicationError):
    """The account is owned above any regional bank, so its conversations have no legal owner."""


def _regional_bank_id(context: EventContext) -> int:
    if context.regional_bank_id is None or context.account_id is None:
        raise MissingRegionalBank(
            "This social account belongs to no regional bank: attach it to one "
            "(its conversations need a legal owner)."
        )
    return context.regional_bank_id


def clean_text(text: str | None) -> tuple[str, list[str]]:
    """The text as stored: sensitive data masked. Returns it with the kinds found."""
    if not text:
        return "", []
    findings = detect(text)
    if not findings:
        return text, []
    return mask(text, findings), sorted({finding.kind for finding in findings})


def _attachments(items: tuple[Attachment, ...]) -> list[dict[str, str | None]]:
    return [{"type": item.type, "url": item.url} for item in items]


def contact_upsert(
    *, regional_bank_id: int, platform: str, external_id: str, name: str | None
) -> Contact:
    contact, created = Contact.objects.get_or_create(
        regional_bank_id=regional_bank_id,
        platform=platform,
        external_id=external_id,
        defaults={"display_name": (name or "")[:200]},
    )
    if not created and name and not contact.display_name:
        Contact.objects.filter(pk=contact.pk).update(display_name=name[:200])
        contact.display_name = name[:200]
    return contact.merged_into if contact.merged_into_id else contact  # type: ignore[return-value]


def _conversation(
    *, context: EventContext, contact: Contact, channel: str, thread_key: str, **extra: str
) -> tuple[Conversation, bool]:
    from tandem.inbox.services import default_branch_for_account

    return Conversation.objects.get_or_create(
        account_id=context.account_id,
        channel=channel,
        thread_key=thread_key,
        defaults={
            "regional_bank_id": _regional_bank_id(context),
            "contact": contact,
            "branch_id": default_branch_for_account(context),
            **extra,
        },
    )


def _add_message(
    *,
    conversation: Conversation,
    direction: str,
    external_id: str,
    text: str | None,
    occurred_at: datetime,
    attachments: tuple[Attachment, ...] = (),
    meta: dict[str, object] | None = None,
) -> tuple[Message, bool]:
    stored, kinds = clean_text(text)
    message, created = Message.objects.get_or_create(
        conversation=conversation,
        external_id=external_id,
        defaults={
            "regional_bank_id": conversation.regional_bank_id,
            "direction": direction,
            "text": stored,
            "attachments": _attachments(attachments),
            "occurred_at": occurred_at,
            "meta": {**(meta or {}), **({"masked": kinds} if kinds else {})},
        },
    )
    if created and kinds:
        Conversation.objects.filter(pk=conversation.pk).update(flagged=True)
        finding_record(
            regional_bank_id=conversation.regional_bank_id,
            kind=FindingKind.MASKED_INBOUND,
            detail_kinds=kinds,
            branch_id=conversation.branch_id,
            occurred_at=occurred_at,
        )
    return message, created


def _customer_wrote(conversation: Conversation, at: datetime, *, direct: bool) -> None:
    """Move the conversation's clocks forward (never backwards: events arrive out of order)."""
    updates: dict[str, object] = {
        "last_customer_message_at": Greatest(F("last_customer_message_at"), at)
        if conversation.last_customer_message_at
        else at,
        "last_message_at": Greatest(F("last_message_at"), at)
        if conversation.last_message_at
        else at,
    }
    if direct:
        closes = at + STANDARD_WINDOW
        updates["window_closes_at"] = (
            Greatest(F("window_closes_at"), closes) if conversation.window_closes_at else closes
        )
    Conversation.objects.filter(pk=conversation.pk).update(**updates)


SCORE = re.compile(r"^\s*([1-5])\s*(?:/\s*5)?\s*[.!]*\s*$")


def _satisfaction_answer(conversation: Conversation, text: str | None) -> bool:
    """A resolved conversation whose customer answers the satisfaction question with 1 to 5."""
    if conversation.satisfaction_asked_at is None or conversation.satisfaction_score is not None:
        return False
    match = SCORE.match(text or "")
    if match is None:
        return False
    score = int(match.group(1))
    Conversation.objects.filter(pk=conversation.pk).update(satisfaction_score=score)
    Message.objects.create(
        regional_bank_id=conversation.regional_bank_id,
        conversation=conversation,
        direction=MessageDirection.SYSTEM,
        text=f"Satisfaction : {score}/5",
        occurred_at=conversation.last_customer_message_at or conversation.updated_at,
        meta={"action": "satisfaction", "score": score},
    )
    return True


def _after_customer_message(conversation: Conversation, created: bool, text: str | None) -> None:
    from tandem.inbox.services import conversation_customer_returned, conversation_open

    conversation.refresh_from_db()
    if not created and _satisfaction_answer(conversation, text):
        return
    if created:
        conversation_open(conversation=conversation, text=text or "")
    elif conversation.status in (
        ConversationStatus.RESOLVED,
        ConversationStatus.SNOOZED,
        ConversationStatus.WAITING,
    ):
        conversation_customer_returned(conversation=conversation, text=text or "")


def message_received(*, event: MessageReceived, context: EventContext) -> None:
    regional_bank_id = _regional_bank_id(context)
    contact = contact_upsert(
        regional_bank_id=regional_bank_id,
        platform=str(event.platform),
        external_id=event.sender_id,
        name=event.sender_name,
    )
    conversation, created = _conversation(
        context=context, contact=contact, channel=str(event.channel), thread_key=event.sender_id
    )
    _, new_message = _add_message(
        conversation=conversation,
        direction=MessageDirection.INBOUND,
        external_id=event.message_id,
        text=event.text,
        occurred_at=event.occurred_at,
        attachments=event.attachments,
        meta={"reply_to": event.reply_to} if event.reply_to else None,
    )
    if not new_message:
        return  # a replay: everything below already happened
    _customer_wrote(conversation, event.occurred_at, direct=True)
    if event.referral is not None and event.referral.ref:
        from tandem.inbox.links import customer_link_redeem

        customer_link_redeem(code=event.referral.ref, contact=contact, at=event.occurred_at)
    _after_customer_message(conversation, created, event.text)


def message_echo(*, event: MessageEcho, context: EventContext) -> None:
    """A message our account sent. Tandem's own are already stored; others (sent from Meta's
    own inbox) are recorded so the conversation shows everything the customer saw."""
    if event.metadata and event.metadata.startswith(METADATA_PREFIX):
        return
    conversation = Conversation.objects.filter(
        account_id=context.account_id,
        thread_key=event.recipient_id,
        channel=str(event.channel),
    ).first()
    if conversation is None:
        return
    if Message.objects.filter(conversation=conversation, external_id=event.message_id).exists():
        return
    _add_message(
        conversation=conversation,
        direction=MessageDirection.OUTBOUND,
        external_id=event.message_id,
        text=event.text,
        occurred_at=event.occurred_at,
        attachments=event.attachments,
        meta={"sent_outside_tandem": True, "app_id": event.app_id},
    )


def _thread_of(event: CommentAdded | CommentEdited | CommentRemoved | CommentHidden) -> str:
    root = event.parent_id if event.is_reply and event.parent_id else event.comment_id
    return f"{event.post_id or '-'}:{root}"


def comment_added(*, event: CommentAdded, context: EventContext) -> None:
    regional_bank_id = _regional_bank_id(context)
    thread_key = _thread_of(event)
    if event.from_account:
        conversation = Conversation.objects.filter(
            account_id=context.account_id, channel=str(event.channel), thread_key=thread_key
        ).first()
        if (
            conversation is not None
            and not Message.objects.filter(
                conversation=conversation, external_id=event.comment_id
            ).exists()
        ):
            _add_message(
                conversation=conversation,
                direction=MessageDirection.OUTBOUND,
                external_id=event.comment_id,
                text=event.text,
                occurred_at=event.occurred_at,
                meta={"public": True, "sent_outside_tandem": True},
            )
        return
    contact = contact_upsert(
        regional_bank_id=regional_bank_id,
        platform=str(event.platform),
        external_id=event.author_id or f"anonymous:{event.comment_id}",
        name=event.author_name,
    )
    root = thread_key.split(":", 1)[1]
    conversation, created = _conversation(
        context=context,
        contact=contact,
        channel=str(event.channel),
        thread_key=thread_key,
        post_id=event.post_id or "",
        root_comment_id=root,
    )
    message, new_message = _add_message(
        conversation=conversation,
        direction=MessageDirection.INBOUND,
        external_id=event.comment_id,
        text=event.text,
        occurred_at=event.occurred_at,
        attachments=event.attachments,
        meta={"public": True, "author_id": event.author_id},
    )
    if not new_message:
        return
    _customer_wrote(conversation, event.occurred_at, direct=False)
    if banking := sorted(set(message.meta.get("masked", [])) & BANKING_KINDS):
        comment_protect(conversation=conversation, message=message, kinds=banking)
    _after_customer_message(conversation, created, event.text)


# What must never stay in a public comment (phones and e-mails are masked in storage only).
BANKING_KINDS = frozenset({"iban", "card", "rib", "fr_nir", "secret"})
KIND_NAMES = {
    "iban": "un IBAN",
    "card": "un numéro de carte",
    "rib": "un RIB",
    "fr_nir": "un numéro de sécurité sociale",
    "secret": "un code confidentiel",
}
SECURE_CHANNEL_TEXT = (
    "Bonjour, pour votre sécurité nous avons masqué votre commentaire : il contenait des "
    "informations bancaires confidentielles. Ne les publiez jamais, même partiellement. "
    "Nous pouvons en parler en toute sécurité dans votre application, rubrique Messagerie, "
    "ou lors d'un rendez-vous en agence."
)


def comment_protect(*, conversation: Conversation, message: Message, kinds: list[str]) -> None:
    """A public comment exposed banking data: hide it on the network at once, invite its author
    to a secure channel by private reply, keep the facts on record (the conversation is flagged
    by ``_add_message``, which masked the comment).

    Idempotent: the calls carry keys derived from the comment, so a replay asks nothing twice.
    """
    from tandem.connectors.models import OutboundKind
    from tandem.connectors.outbound import outbound_enqueue
    from tandem.core.audit import audit_record

    account = conversation.account
    outbound_enqueue(
        account=account,
        kind=OutboundKind.HIDE_COMMENT,
        payload={"comment_id": message.external_id},
        idempotency_key=f"protect-hide:{account.pk}:{message.external_id}",
    )
    reply = Message.objects.create(
        regional_bank_id=conversation.regional_bank_id,
        conversation=conversation,
        direction=MessageDirection.OUTBOUND,
        text=SECURE_CHANNEL_TEXT,
        occurred_at=message.occurred_at,
        meta={"private_reply_to": message.external_id, "automatic": True},
    )
    call, _created = outbound_enqueue(
        account=account,
        kind=OutboundKind.PRIVATE_REPLY,
        payload={"comment_id": message.external_id, "text": SECURE_CHANNEL_TEXT},
        idempotency_key=f"protect-reply:{account.pk}:{message.external_id}",
        recipient_id=message.meta.get("author_id") or "",
    )
    Message.objects.filter(pk=reply.pk).update(outbound_call=call)
    Message.objects.filter(pk=message.pk).update(hidden=True)
    what = ", ".join(KIND_NAMES[kind] for kind in kinds)
    Message.objects.create(
        regional_bank_id=conversation.regional_bank_id,
        conversation=conversation,
        direction=MessageDirection.SYSTEM,
        occurred_at=message.occurred_at,
        text=f"Commentaire masqué automatiquement : il contenait {what}. Une réponse privée "
        "invite son auteur vers un canal sécurisé.",
        meta={"action": "protected", "kinds": kinds},
    )
    finding_record(
        regional_bank_id=conversation.regional_bank_id,
        kind=FindingKind.HIDDEN_COMMENT,
        detail_kinds=kinds,
        branch_id=conversation.branch_id,
        occurred_at=message.occurred_at,
    )
    audit_record(
        actor=None,
        action="compliance.comment.protected",
        regional_bank_id=conversation.regional_bank_id,
        object_type="message",
        object_id=message.pk,
        data={"kinds": kinds, "channel": conversation.channel},
    )


def comment_changed(
    *, event: CommentEdited | CommentRemoved | CommentHidden, context: EventContext
) -> None:
    message = Message.objects.filter(
        conversation__account_id=context.account_id, external_id=event.comment_id
    ).first()
    if message is None:
        return
    match event:
        case CommentEdited():
            stored, kinds = clean_text(event.text)
            meta = {**message.meta, "masked": kinds} if kinds else message.meta
            Message.objects.filter(pk=message.pk).update(
                text=stored, edited_at=event.occurred_at, meta=meta
            )
            if kinds:
                Conversation.objects.filter(pk=message.conversation_id).update(flagged=True)
        case CommentRemoved():
            Message.objects.filter(pk=message.pk).update(removed=True)
        case CommentHidden():
            Message.objects.filter(pk=message.pk).update(hidden=not event.unhidden)


def postback(*, event: Postback, context: EventContext) -> None:
    regional_bank_id = _regional_bank_id(context)
    contact = contact_upsert(
        regional_bank_id=regional_bank_id,
        platform=str(event.platform),
        external_id=event.sender_id,
        name=None,
    )
    if event.referral is not None and event.referral.ref:
        from tandem.inbox.links import customer_link_redeem

        customer_link_redeem(code=event.referral.ref, contact=contact, at=event.occurred_at)
    conversation, created = _conversation(
        context=context, contact=contact, channel=str(event.channel), thread_key=event.sender_id
    )
    external_id = event.mid or f"postback:{context.idempotency_key}"
    _, new_message = _add_message(
        conversation=conversation,
        direction=MessageDirection.INBOUND,
        external_id=external_id,
        text=event.title or event.payload or "",
        occurred_at=event.occurred_at,
        meta={"postback": event.payload},
    )
    if new_message:
        _customer_wrote(conversation, event.occurred_at, direct=True)
        _after_customer_message(conversation, created, event.title)


def referral(*, event: Referral, context: EventContext) -> None:
    if not event.ref:
        return
    regional_bank_id = _regional_bank_id(context)
    contact = contact_upsert(
        regional_bank_id=regional_bank_id,
        platform=str(event.platform),
        external_id=event.sender_id,
        name=None,
    )
    from tandem.inbox.links import customer_link_redeem

    customer_link_redeem(code=event.ref, contact=contact, at=event.occurred_at)
