"""The personal-data pages (``/conformite/donnees-personnelles/``) and the retention page
(``/conformite/conservation/``).

Personal data: compliance officers and administrators covering a regional bank search its
contacts, see what Tandem holds about one (counts), download it as JSON and erase it (with a
reason and a confirmation). Retention: the periods in force in their banks; an officer sets a
bank's own period (an override row). Anyone else gets a 404; another bank's contact ids look
like made-up ones.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tandem.compliance.access import officer_regional_bank_ids
from tandem.compliance.anonymisation import PSEUDONYM_PREFIX
from tandem.compliance.holdings import Holding, contact_holding, contact_holding_counts
from tandem.compliance.models import RetentionPolicy, RetentionPurpose
from tandem.compliance.privacy import (
    MAX_REASON,
    access_privacy_contact,
    contact_erase,
    contact_export,
    contact_search,
    privacy_regional_banks,
    require_privacy_scope,
)
from tandem.compliance.retention import (
    MAX_KEEP_DAYS,
    MAX_LEGAL_BASIS,
    expired_conversations,
    policies_in_force,
    retention_policy_set,
)
from tandem.core.actors import Actor
from tandem.core.errors import ApplicationError
from tandem.inbox.models import Contact


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined]


class ContactSearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Name, network id or customer reference"),
        max_length=200,
        required=False,
    )


class ErasureForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason (the request's reference)"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Kept in the audit trail: write no personal data here."),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand that the erasure cannot be undone."), required=True
    )


class RetentionPolicyForm(forms.Form):
    purpose = forms.ChoiceField(choices=RetentionPurpose.choices)
    keep_days = forms.IntegerField(
        label=gettext_lazy("Kept for (days)"), min_value=1, max_value=MAX_KEEP_DAYS
    )
    legal_basis = forms.CharField(
        label=gettext_lazy("Legal basis"),
        max_length=MAX_LEGAL_BASIS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# -- personal data ----------------------------------------------------------------------------


@login_required
@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    require_privacy_scope(actor)
    form = ContactSearchForm(request.GET or None)
    contacts: list[Contact] = []
    if form.is_valid() and form.cleaned_data["q"]:
        contacts = contact_search(actor=actor, query=form.cleaned_data["q"])
    context = {
        "form": form,
        "contacts": contacts,
        "searched": bool(request.GET.get("q")),
        "section": "privacy",
    }
    return render(request, "compliance/privacy.html", context)


def _has_live_conversations(contact: Contact, holding: Holding) -> bool:
    """Some conversation is still within its retention period (legal obligations may
    oppose an erasure: GDPR art. 17(3)(b))."""
    policy = policies_in_force(contact.regional_bank_id).get(RetentionPurpose.CONVERSATIONS)
    if policy is None or not holding.conversation_ids:
        return bool(holding.conversation_ids)
    cutoff = timezone.now() - timedelta(days=policy.keep_days)
    expired = expired_conversations(contact.regional_bank_id, cutoff).values("pk")
    return holding.conversations().exclude(pk__in=expired).exists()


def _contact_page(
    request: HttpRequest, contact: Contact, form: ErasureForm, status: int = 200
) -> HttpResponse:
    holding = contact_holding(contact)
    context = {
        "contact": contact,
        "identities": holding.contacts,
        "counts": contact_holding_counts(holding),
        "erased": contact.external_id.startswith(PSEUDONYM_PREFIX),
        "linked": any(each.customer_id for each in holding.contacts),
        "live": _has_live_conversations(contact, holding),
        "form": form,
        "section": "privacy",
    }
    return render(request, "compliance/privacy_contact.html", context, status=status)


@login_required
@require_GET
def privacy_contact(request: HttpRequest, contact_id: str) -> HttpResponse:
    contact = access_privacy_contact(actor=_actor(request), contact_id=contact_id)
    return _contact_page(request, contact, ErasureForm())


@login_required
@require_POST
def privacy_export(request: HttpRequest, contact_id: str) -> HttpResponse:
    """The JSON document, as a download (POST: the export is written to the audit trail)."""
    actor = _actor(request)
    contact = access_privacy_contact(actor=actor, contact_id=contact_id)
    document = contact_export(actor=actor, contact=contact)
    body = json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    name = f"donnees-{contact.pk}-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def privacy_erase(request: HttpRequest, contact_id: str) -> HttpResponse:
    actor = _actor(request)
    contact = access_privacy_contact(actor=actor, contact_id=contact_id)
    form = ErasureForm(request.POST)
    if not form.is_valid():
        return _contact_page(request, contact, form, status=422)
    try:
        counts = contact_erase(actor=actor, contact=contact, reason=form.cleaned_data["reason"])
    except ApplicationError as problem:
        form.add_error(None, problem.message)
        return _contact_page(request, contact, form, status=422)
    messages.success(
        request,
        _("Erased: %(messages)s messages in %(conversations)s conversations.")
        % {"messages": counts["messages"], "conversations": counts["conversations"]},
    )
    return redirect("compliance:privacy_contact", contact_id=contact.pk)


# -- retention --------------------------------------------------------------------------------


def _retention_rows(actor: Actor, open_key: str = "") -> list[dict[str, Any]]:
    editable = officer_regional_bank_ids(actor)
    defaults = {
        row.purpose: row for row in RetentionPolicy.objects.filter(regional_bank__isnull=True)
    }
    banks = []
    for bank in privacy_regional_banks(actor):
        in_force = policies_in_force(bank.pk)
        banks.append(
            {
                "bank": bank,
                "editable": bank.pk in editable,
                "rows": [
                    {
                        "purpose": purpose,
                        "label": label,
                        "policy": in_force.get(purpose),
                        "default": defaults.get(purpose),
                        "open": open_key == f"{bank.pk}-{purpose}",
                    }
                    for purpose, label in RetentionPurpose.choices
                ],
            }
        )
    return banks


@login_required
@require_http_methods(["GET", "POST"])
def retention(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    banks = require_privacy_scope(actor)
    error, error_key = "", ""
    if request.method == "POST":
        form = RetentionPolicyForm(request.POST)
        try:
            bank_id = int(request.POST.get("regional_bank", ""))
        except ValueError:
            raise Http404 from None
        bank = privacy_regional_banks(actor).filter(pk=bank_id).first()
        if bank is None or bank.pk not in banks:
            raise Http404
        error_key = f"{bank.pk}-{request.POST.get('purpose', '')}"
        if form.is_valid():
            try:
                retention_policy_set(
                    actor=actor,
                    regional_bank=bank,
                    purpose=form.cleaned_data["purpose"],
                    keep_days=form.cleaned_data["keep_days"],
                    legal_basis=form.cleaned_data["legal_basis"],
                )
            except ApplicationError as problem:
                error = problem.message
            else:
                messages.success(request, _("Retention period saved."))
                return redirect("compliance:retention")
        else:
            error = " ".join(str(message) for errors in form.errors.values() for message in errors)
    context = {
        "banks": _retention_rows(actor, open_key=error_key if error else ""),
        "error": error,
        "section": "retention",
    }
    return render(request, "compliance/retention.html", context, status=422 if error else 200)
