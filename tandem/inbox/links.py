"""Linking a social identity to a bank customer without any account data on the network.

The bank's app, for a customer signed in there, asks Tandem for a one-time code
(``customer_link_create``) and shows the customer a link that carries it: ``m.me/<page>?ref=…``
for Messenger, ``ig.me/m/<account>?ref=…`` for Instagram, or a WhatsApp click-to-chat link whose
prefilled text carries ``ref:<code>``. When the customer opens it and writes, Meta's referral
brings the code back and ``customer_link_redeem`` links the identity to the customer and, with
it, to their advisor. Codes are single-use and expire; every link and unlink is audited.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote, urlencode

from django.db import transaction
from django.utils import timezone

from tandem.connectors.meta.payloads import format_prefilled_ref
from tandem.connectors.models import SocialAccount
from tandem.core.actors import Actor
from tandem.core.audit import audit_record
from tandem.core.errors import PermissionDenied, ValidationFailed
from tandem.inbox.models import Contact, CustomerLink
from tandem.organisation.models import Customer, Employee, Node, NodeKind

logger = logging.getLogger(__name__)

LINK_LIFETIME = timedelta(hours=24)
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"


@dataclass(frozen=True)
class IssuedLink:
    link: CustomerLink
    urls: dict[str, str]


def _new_code() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(16))


def _links_for(code: str, accounts: list[SocialAccount]) -> dict[str, str]:
    urls: dict[str, str] = {}
    for account in accounts:
        handle = account.handle or account.external_id
        if account.platform == "facebook" and "messenger" not in urls:
            urls["messenger"] = f"https://m.me/{quote(handle)}?{urlencode({'ref': code})}"
        elif account.platform == "instagram" and "instagram" not in urls:
            urls["instagram"] = f"https://ig.me/m/{quote(handle)}?{urlencode({'ref': code})}"
        elif account.platform == "whatsapp" and "whatsapp" not in urls and account.handle:
            number = "".join(character for character in account.handle if character.isdigit())
            text = (
                f"Bonjour, je souhaite échanger avec mon conseiller. {format_prefilled_ref(code)}"
            )
            urls["whatsapp"] = f"https://wa.me/{number}?{urlencode({'text': text})}"
    return urls


def customer_link_create(
    *,
    actor: Actor,
    regional_bank: Node,
    customer_reference: str,
    advisor_email: str,
    display_name: str = "",
    now: datetime | None = None,
) -> IssuedLink:
    """Issue a one-time code for the customer ``customer_reference`` of ``regional_bank``,
    looked after by the advisor with ``advisor_email`` (the customer row is created or updated).
    """
    if regional_bank.kind != NodeKind.REGIONAL_BANK or (
        not actor.is_superuser and (regional_bank.pk not in actor.regional_bank_ids)
    ):
        raise PermissionDenied("This token may not issue links for that regional bank.")
    reference = customer_reference.strip()
    if not reference or len(reference) > 64:
        raise ValidationFailed("customer_reference is required (at most 64 characters).")
    advisor = (
        Employee.objects.select_related("node")
        .filter(user__email=advisor_email.strip().lower(), is_active=True)
        .first()
    )
    if advisor is None or advisor.regional_bank_id != regional_bank.pk:
        raise ValidationFailed("No active advisor with that e-mail in this regional bank.")
    branch = advisor.node if advisor.node.kind == NodeKind.BRANCH else None
    now = now or timezone.now()
    with transaction.atomic():
        customer, _ = Customer.objects.get_or_create(
            regional_bank=regional_bank,
            reference=reference,
            defaults={
                "display_name": display_name[:200] or reference,
                "advisor": advisor,
                "branch": branch or regional_bank,
            },
        )
        changed = []
        if customer.advisor_id != advisor.pk:
            customer.advisor = advisor
            changed.append("advisor")
        if branch is not None and customer.branch_id != branch.pk:
            customer.branch = branch
            changed.append("branch")
        if display_name and customer.display_name != display_name[:200]:
            customer.display_name = display_name[:200]
            changed.append("display_name")
        if changed:
            customer.save(update_fields=[*changed, "updated_at"])
        link = CustomerLink.objects.create(
            regional_bank=regional_bank,
            customer=customer,
            code=_new_code(),
            expires_at=now + LINK_LIFETIME,
        )
        audit_record(
            actor=actor,
            action="inbox.customer_link.issued",
            regional_bank_id=regional_bank.pk,
            object_type="customer",
            object_id=customer.pk,
            data={"link": str(link.pk)},
        )
    paths = [branch.path] if branch else []
    accounts = list(
        SocialAccount.objects.filter(regional_bank=regional_bank, is_active=True).order_by(
            "owner__depth"
        )
    )
    # The customer's own branch's pages first, then the regional ones.
    accounts.sort(key=lambda account: not any(account.owner.path.startswith(p) for p in paths))
    return IssuedLink(link=link, urls=_links_for(link.code, accounts))


def customer_link_redeem(*, code: str, contact: Contact, at: datetime) -> bool:
    """Link ``contact`` to the customer of ``code`` if the code is valid; idempotent."""
    link = CustomerLink.objects.select_related("customer").filter(code=code).first()
    if link is None or link.regional_bank_id != contact.regional_bank_id:
        logger.info("inbox.customer_link.unknown_code")
        return False
    if link.used_at is not None:
        return link.contact_id == contact.pk
    if link.expires_at <= at:
        logger.info("inbox.customer_link.expired", extra={"link": str(link.pk)})
        return False
    with transaction.atomic():
        CustomerLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
            used_at=at, contact=contact
        )
        Contact.objects.filter(pk=contact.pk).update(customer=link.customer, linked_at=at)
        contact.customer = link.customer
        audit_record(
            actor=None,
            action="inbox.contact.linked",
            regional_bank_id=contact.regional_bank_id,
            object_type="contact",
            object_id=contact.pk,
            data={"customer": str(link.customer_id), "link": str(link.pk)},
        )
    return True


def contact_unlink(*, actor: Actor, contact: Contact) -> None:
    if contact.customer_id is None:
        return
    with transaction.atomic():
        previous = contact.customer_id
        Contact.objects.filter(pk=contact.pk).update(customer=None, linked_at=None)
        contact.customer = None
        audit_record(
            actor=actor,
            action="inbox.contact.unlinked",
            regional_bank_id=contact.regional_bank_id,
            object_type="contact",
            object_id=contact.pk,
            data={"customer": str(previous)},
        )
