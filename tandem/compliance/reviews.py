"""The compliance review queue (four-eyes) and the facts the findings dashboard counts.

Contract with the apps that send text out (the inbox now, publishing later)
---------------------------------------------------------------------------
Before a reply goes out, the inbox (``tandem.inbox.actions.conversation_reply``):

1. keeps calling ``reply_check(text=…)`` (banking data: IBAN, card, RIB, NIR, codes);
2. for a **public** reply, calls ``wording.relationship_check(text)``; a non-empty list refuses
   the reply: it would confirm a customer relationship or a product held (CMF L511-33);
3. calls ``wording.wording_check(text=…, regional_bank_id=…, public=…, subject="reply")``:

   - ``verdict.action == "block"`` — refuse; show ``verdict.explanation()`` (each hit's
     ``explanation`` and ``legal_source``);
   - ``"mention"`` — refuse until the author adds ``verdict.missing_mentions``;
   - ``"review"`` — store the message as held (not sent), then call
     ``review_request_create(author=…, regional_bank_id=…, subject_type="inbox.message",
     subject_id=message.pk, text=…, hits=verdict.hits, public=…)`` in the same transaction;
   - ``"allow"`` — send.

   A refusal is counted with ``finding_record(kind=FindingKind.BLOCKED_REPLY, …)``; inbound
   masking and hidden comments with ``MASKED_INBOUND`` and ``HIDDEN_COMMENT``.
4. registers, in ``InboxConfig.ready()``, ``register_review_handler("inbox.message", handler)``.
   After a decision commits, ``handler(review)`` runs with the decided ``ReviewRequest``
   (``review.status`` is ``approved`` or ``rejected``, ``review.subject_id`` the message):
   it sends the held message, or marks it rejected and tells its author. Handlers run after
   commit, once per decision; one that raises is logged and does not undo the decision.

``review_decide`` is for compliance officers covering the review's regional bank, and never for
the text's author (four-eyes), even when the author is an officer too.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.compliance.access import access_review
from tandem.compliance.models import (
    ComplianceFinding,
    FindingKind,
    ReviewRequest,
    ReviewStatus,
)
from tandem.compliance.wording import RuleHit
from tandem.core.actors import Actor
from tandem.core.audit import audit_record
from tandem.core.errors import PermissionDenied, ValidationFailed
from tandem.organisation.models import Employee, Node, NodeKind

logger = logging.getLogger(__name__)

ReviewHandler = Callable[[ReviewRequest], None]
_HANDLERS: dict[str, ReviewHandler] = {}
MAX_NOTE = 2000


def register_review_handler(subject_type: str, handler: ReviewHandler) -> None:
    """What to do with a subject once its review is decided (one handler per subject type;
    registering again replaces it, so ``ready()`` may run twice)."""
    _HANDLERS[subject_type] = handler


def review_handler_for(subject_type: str) -> ReviewHandler | None:
    return _HANDLERS.get(subject_type)


def _hit_json(hit: RuleHit | dict[str, Any]) -> dict[str, Any]:
    return hit.as_json() if isinstance(hit, RuleHit) else dict(hit)


def review_request_create(
    *,
    author: Employee,
    regional_bank_id: int,
    subject_type: str,
    subject_id: object,
    text: str,
    hits: Sequence[RuleHit | dict[str, Any]],
    public: bool = False,
) -> ReviewRequest:
    """Hold ``text`` for review. Runs in the caller's transaction; one pending review per
    subject (``ValidationFailed`` otherwise)."""
    if not subject_type or not str(subject_id) or not text.strip():
        raise ValidationFailed(_("A review needs a subject and a text."))
    if author.regional_bank_id not in (None, regional_bank_id):
        raise ValidationFailed(_("The author does not work for this regional bank."))
    if not Node.objects.filter(pk=regional_bank_id, kind=NodeKind.REGIONAL_BANK).exists():
        raise ValidationFailed(_("Unknown regional bank."))
    branch_id = author.node_id if author.regional_bank_id == regional_bank_id else None
    if (
        branch_id is not None
        and not Node.objects.filter(pk=branch_id, kind=NodeKind.BRANCH).exists()
    ):
        branch_id = None
    review = ReviewRequest(
        regional_bank_id=regional_bank_id,
        branch_id=branch_id,
        subject_type=subject_type[:60],
        subject_id=str(subject_id)[:64],
        public=public,
        text=text,
        author=author,
        hits=[_hit_json(hit) for hit in hits],
    )
    try:
        with transaction.atomic():
            review.save()
            audit_record(
                actor=Actor(user_id=author.user_id, employee_id=author.pk),
                action="compliance.review.requested",
                regional_bank_id=regional_bank_id,
                object_type="compliance.reviewrequest",
                object_id=review.pk,
                data={
                    "subject_type": review.subject_type,
                    "subject_id": review.subject_id,
                    "rules": review.rule_names,
                    "public": public,
                },
            )
    except IntegrityError:
        raise ValidationFailed(_("This text is already waiting for review.")) from None
    return review


def review_decide(
    *, actor: Actor, review_id: uuid.UUID | str, approve: bool, note: str = ""
) -> ReviewRequest:
    """Approve or reject a pending review. 404 outside the officer's regional banks;
    ``PermissionDenied`` for the author (four-eyes) or someone who is not an employee;
    ``ValidationFailed`` when already decided or when a rejection has no note."""
    review = access_review(actor=actor, review_id=review_id)
    if actor.employee_id is None:
        raise PermissionDenied(_("Only a compliance officer decides a review."))
    if review.author_id == actor.employee_id:
        raise PermissionDenied(
            _("You wrote this text: another compliance officer must decide (four-eyes).")
        )
    note = note.strip()[:MAX_NOTE]
    if review.status != ReviewStatus.PENDING:
        raise ValidationFailed(_("This review has already been decided."))
    if not approve and not note:
        raise ValidationFailed(_("Say why the text is rejected: its author will read it."))
    status = ReviewStatus.APPROVED if approve else ReviewStatus.REJECTED
    now = timezone.now()
    with transaction.atomic():
        updated = ReviewRequest.objects.filter(pk=review.pk, status=ReviewStatus.PENDING).update(
            status=status,
            decided_by_id=actor.employee_id,
            decided_at=now,
            decision_note=note,
            updated_at=now,
        )
        if updated != 1:
            raise ValidationFailed(_("This review has already been decided."))
        review.refresh_from_db()
        audit_record(
            actor=actor,
            action=f"compliance.review.{status}",
            regional_bank_id=review.regional_bank_id,
            object_type="compliance.reviewrequest",
            object_id=review.pk,
            data={
                "subject_type": review.subject_type,
                "subject_id": review.subject_id,
                "author_employee_id": review.author_id,
                "rules": review.rule_names,
            },
        )
        finding_record(
            regional_bank_id=review.regional_bank_id,
            kind=FindingKind.REVIEWED,
            detail_kinds=review.rule_names,
            branch_id=review.branch_id,
            occurred_at=now,
        )
        transaction.on_commit(lambda: _run_handler(review.pk), robust=True)
    return review


def _run_handler(review_id: uuid.UUID) -> None:
    review = ReviewRequest.objects.select_related("author", "decided_by").get(pk=review_id)
    handler = review_handler_for(review.subject_type)
    if handler is None:
        logger.warning(
            "compliance.review.no_handler",
            extra={"review_id": str(review.pk), "subject_type": review.subject_type},
        )
        return
    handler(review)


def finding_record(
    *,
    regional_bank_id: int,
    kind: str,
    detail_kinds: Iterable[str] = (),
    branch_id: int | None = None,
    occurred_at: datetime | None = None,
) -> ComplianceFinding:
    """Count one compliance fact for the dashboard (kinds: ``FindingKind``). No text, ever."""
    if kind not in FindingKind.values:
        raise ValidationFailed(_("Unknown finding kind."))
    return ComplianceFinding.objects.create(
        regional_bank_id=regional_bank_id,
        kind=kind,
        detail_kinds=sorted({str(detail)[:80] for detail in detail_kinds})[:20],
        branch_id=branch_id,
        occurred_at=occurred_at or timezone.now(),
    )
