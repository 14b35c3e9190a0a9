"""The compliance officer pages (``/conformite/``): review queue, wording rules with a live test
box, findings dashboard, audit search and export.

Only compliance officers covering at least one regional bank get in; everyone else gets a 404.
Every page is scoped to the officer's regional banks (``access.py``, ``selectors.py``).
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tandem.compliance import exports
from tandem.compliance.access import (
    access_rule,
    can_edit_rule_node,
    officer_regional_banks,
    require_officer,
    rule_nodes_for_officer,
)
from tandem.compliance.forms import AuditFilterForm, BankFilterForm, RuleForm, TestBoxForm
from tandem.compliance.models import FindingKind, WordingRule
from tandem.compliance.reviews import review_decide
from tandem.compliance.rules import rule_create, rule_set_active, rule_update
from tandem.compliance.selectors import (
    audit_entry_list,
    finding_table,
    review_list_for_officer,
    rule_list_for_officer,
    user_emails,
)
from tandem.compliance.wording import (
    RuleSpec,
    compile_rule,
    evaluate,
    regional_bank_ancestry,
    relationship_check,
    resolve_rules,
    rule_specs_for_ancestry,
)
from tandem.core.actors import Actor
from tandem.core.audit import audit_record
from tandem.core.errors import ApplicationError, ValidationFailed

AUDIT_PAGE_SIZE = 50
DECIDED_SHOWN = 30
DRAFT_PLACEHOLDER = "(à compléter)"


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined]


# -- review queue ----------------------------------------------------------------------------


def _queue_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    actor = _actor(request)
    return {
        "pending": list(review_list_for_officer(actor=actor)),
        "decided": list(review_list_for_officer(actor=actor, decided=True)[:DECIDED_SHOWN]),
        "me": actor.employee_id,
        "section": "reviews",
        **extra,
    }


@login_required
@require_GET
def reviews(request: HttpRequest) -> HttpResponse:
    require_officer(_actor(request))
    return render(request, "compliance/reviews.html", _queue_context(request))


@login_required
@require_POST
def review_decision(request: HttpRequest, review_id: str) -> HttpResponse:
    actor = _actor(request)
    require_officer(actor)
    decision = request.POST.get("decision")
    if decision not in {"approve", "reject"}:
        raise Http404
    error = ""
    try:
        review_decide(
            actor=actor,
            review_id=review_id,
            approve=decision == "approve",
            note=request.POST.get("note", ""),
        )
    except ApplicationError as problem:
        error = problem.message
    if request.htmx:  # type: ignore[attr-defined]
        context = _queue_context(request, error=error, error_review=review_id)
        return render(request, "compliance/reviews.html#queue", context)
    if error:
        messages.error(request, error)
    return redirect("compliance:reviews")


# -- wording rules ---------------------------------------------------------------------------


def _test_form(request: HttpRequest, data: Any = None) -> TestBoxForm:
    return TestBoxForm(data, banks=officer_regional_banks(_actor(request)), prefix="test")


@login_required
@require_GET
def rules(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    require_officer(actor)
    rows = [
        {"rule": rule, "editable": can_edit_rule_node(actor, rule.node)}
        for rule in rule_list_for_officer(actor=actor)
    ]
    context = {"rows": rows, "test_form": _test_form(request), "section": "rules"}
    return render(request, "compliance/rules.html", context)


def _rule_page(
    request: HttpRequest, form: RuleForm, rule: WordingRule | None, error: str = ""
) -> HttpResponse:
    context = {
        "form": form,
        "rule": rule,
        "error": error,
        "test_form": _test_form(request),
        "section": "rules",
    }
    return render(request, "compliance/rule_form.html", context)


def _save_rule(request: HttpRequest, form: RuleForm, rule: WordingRule | None) -> HttpResponse:
    actor = _actor(request)
    try:
        if rule is None:
            saved = rule_create(
                actor=actor, node=form.cleaned_data["node"], **form.service_fields()
            )
        else:
            saved = rule_update(
                actor=actor, rule=rule, node=form.cleaned_data["node"], **form.service_fields()
            )
    except ValidationFailed as problem:
        field_errors: dict[str, Any] = dict(problem.extra.get("errors") or {})  # type: ignore[call-overload]
        for field, errors in field_errors.items():
            form.add_error(None if field == "__all__" else field, errors)
        return _rule_page(request, form, rule)
    except ApplicationError as problem:
        return _rule_page(request, form, rule, error=problem.message)
    messages.success(request, _("Rule « %(name)s » saved.") % {"name": saved.name})
    return redirect("compliance:rules")


@login_required
def rule_new(request: HttpRequest) -> HttpResponse:
    """A new rule; ``?from=<id>`` starts from an inherited rule, to replace it on one's node."""
    actor = _actor(request)
    require_officer(actor)
    nodes = rule_nodes_for_officer(actor)
    if request.method == "POST":
        form = RuleForm(request.POST, nodes=nodes)
        if form.is_valid():
            return _save_rule(request, form, None)
        return _rule_page(request, form, None)
    initial: dict[str, Any] = {"node": nodes.values_list("pk", flat=True).last()}
    if request.GET.get("from"):
        source = access_rule(actor=actor, rule_id=request.GET["from"])
        initial |= {name: getattr(source, name) for name in RuleForm.Meta.fields[1:]}
    return _rule_page(request, RuleForm(initial=initial, nodes=nodes), None)


@login_required
def rule_edit(request: HttpRequest, rule_id: int) -> HttpResponse:
    actor = _actor(request)
    require_officer(actor)
    rule = access_rule(actor=actor, rule_id=rule_id)
    if not can_edit_rule_node(actor, rule.node):
        raise Http404  # inherited: "customise here" creates one's own rule instead
    nodes = rule_nodes_for_officer(actor)
    if request.method == "POST":
        form = RuleForm(request.POST, instance=rule, nodes=nodes)
        if form.is_valid():
            return _save_rule(request, form, access_rule(actor=actor, rule_id=rule_id))
        return _rule_page(request, form, rule)
    return _rule_page(request, RuleForm(instance=rule, nodes=nodes), rule)


@login_required
@require_POST
def rule_toggle(request: HttpRequest, rule_id: int) -> HttpResponse:
    actor = _actor(request)
    require_officer(actor)
    rule = access_rule(actor=actor, rule_id=rule_id)
    if not can_edit_rule_node(actor, rule.node):
        raise Http404
    rule_set_active(actor=actor, rule=rule, active=request.POST.get("active") == "1")
    return redirect("compliance:rules")


@login_required
@require_POST
def rule_test(request: HttpRequest) -> HttpResponse:
    """The live test box: the verdict on a sample text, with the rule being edited as it
    stands in its form (not saved). Renders the ``verdict`` fragment."""
    actor = _actor(request)
    require_officer(actor)
    test = _test_form(request, request.POST)
    context: dict[str, Any] = {"test_form": test}
    if not test.is_valid():
        return render(request, "compliance/_verdict.html", context)
    regional_bank = test.cleaned_data["regional_bank"]
    ancestry = regional_bank_ancestry(regional_bank.pk)
    specs = rule_specs_for_ancestry(ancestry)
    if request.POST.get("draft") == "1":
        editing = None
        if request.POST.get("rule_id"):
            editing = access_rule(actor=actor, rule_id=request.POST["rule_id"])
        data = request.POST.copy()
        for name in ("explanation", "legal_source"):  # not needed to try the matching
            data[name] = data.get(name, "").strip() or DRAFT_PLACEHOLDER
        form = RuleForm(data, instance=editing, nodes=rule_nodes_for_officer(actor))
        if not form.is_valid():
            context["draft_errors"] = [
                (form.fields[name].label if name in form.fields else "", error)
                for name, errors in form.errors.items()
                for error in errors
            ]
            return render(request, "compliance/_verdict.html", context)
        draft = RuleSpec.of(form.instance)
        specs = [spec for spec in specs if spec.rule_id != draft.rule_id or draft.rule_id is None]
        specs.append(draft)
        context["draft_applies"] = draft.node_id is None or draft.node_id in ancestry
    rules_in_force = [compile_rule(spec) for spec in resolve_rules(specs, ancestry)]
    subject, public = test.cleaned_data["subject"], test.cleaned_data["public"]
    text = test.cleaned_data["text"]
    context["verdict"] = evaluate(rules_in_force, text=text, public=public, subject=subject)
    if public and subject == "reply":
        context["relationship"] = relationship_check(text)
    context["rule_count"] = len(rules_in_force)
    return render(request, "compliance/_verdict.html", context)


# -- findings dashboard ----------------------------------------------------------------------


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    require_officer(actor)
    filters = BankFilterForm(request.GET or None, banks=officer_regional_banks(actor))
    table = finding_table(actor=actor, regional_bank_ids=filters.regional_bank_ids())
    kind_rows = [
        (kind, label, [table.by_kind[kind].get(week, 0) for week in table.weeks])
        for kind, label in FindingKind.choices
    ]
    branch_rows = [
        (branch, [counts.get(kind, 0) for kind in FindingKind.values])
        for branch, counts in table.by_branch.items()
    ]
    context = {
        "filters": filters,
        "weeks": table.weeks,
        "kind_rows": [(kind, label, counts, sum(counts)) for kind, label, counts in kind_rows],
        "branch_rows": branch_rows,
        "kind_labels": FindingKind.labels,
        "query": request.GET.urlencode(),
        "section": "dashboard",
    }
    return render(request, "compliance/dashboard.html", context)


@login_required
@require_GET
def dashboard_export(request: HttpRequest) -> StreamingHttpResponse:
    actor = _actor(request)
    require_officer(actor)
    filters = BankFilterForm(request.GET or None, banks=officer_regional_banks(actor))
    table = finding_table(actor=actor, regional_bank_ids=filters.regional_bank_ids())
    header = ("iso_week", "regional_bank", "branch", "kind", "count")
    response = StreamingHttpResponse(
        exports.csv_stream(header, table.rows), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="constats-{stamp}.csv"'
    return response


# -- audit search and export -----------------------------------------------------------------


@login_required
@require_GET
def audit(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    require_officer(actor)
    form = AuditFilterForm(request.GET or None, banks=officer_regional_banks(actor))
    entries = audit_entry_list(actor=actor, filters=form.filters())
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    offset = (page_number - 1) * AUDIT_PAGE_SIZE
    page = list(entries[offset : offset + AUDIT_PAGE_SIZE + 1])
    has_next = len(page) > AUDIT_PAGE_SIZE
    page = page[:AUDIT_PAGE_SIZE]
    emails = user_emails([entry.actor_user_id for entry in page])
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "entries": [
            (
                entry,
                emails.get(entry.actor_user_id or 0, ""),
                json.dumps(entry.data, ensure_ascii=False),
            )
            for entry in page
        ],
        "export_formats": (("csv", _("Export CSV")), ("json", _("Export JSON"))),
        "page_number": page_number,
        "has_next": has_next,
        "query": query.urlencode(),
        "section": "audit",
    }
    partial = request.htmx  # type: ignore[attr-defined]
    return render(
        request, "compliance/audit.html#results" if partial else "compliance/audit.html", context
    )


@login_required
@require_POST
def audit_export(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    """The filtered entries as CSV or JSON, streamed; the export itself is audited first, in
    each regional bank's chain it reads from."""
    actor = _actor(request)
    require_officer(actor)
    if fmt not in {"csv", "json"}:
        raise Http404
    form = AuditFilterForm(request.POST, banks=officer_regional_banks(actor))
    if not form.is_valid():
        return HttpResponse(_("Invalid filters."), status=400, content_type="text/plain")
    filters = form.filters()
    entries = audit_entry_list(actor=actor, filters=filters)
    # Freeze the exported set before the export's own entries are written.
    last_id = entries.aggregate(last=Max("pk"))["last"] or 0
    entries = entries.filter(pk__lte=last_id)
    per_bank = dict(entries.order_by().values_list("regional_bank_id").annotate(count=Count("pk")))
    for regional_bank in officer_regional_banks(actor):
        if filters.regional_bank_ids is None or regional_bank.pk in filters.regional_bank_ids:
            audit_record(
                actor=actor,
                action="compliance.audit.exported",
                regional_bank_id=regional_bank.pk,
                object_type="core.auditentry",
                data={
                    "format": fmt,
                    "filters": filters.as_json(),
                    "count": per_bank.get(regional_bank.pk, 0),
                },
            )
    items = exports.audit_items(entries)
    if fmt == "csv":
        stream = exports.csv_stream(exports.AUDIT_COLUMNS, exports.audit_csv_rows(items))
        content_type = "text/csv; charset=utf-8"
    else:
        stream = exports.json_stream(items)
        content_type = "application/json"
    response = StreamingHttpResponse(stream, content_type=content_type)
    name = f"audit-{filters.date_from.isoformat()}-{filters.date_to.isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
