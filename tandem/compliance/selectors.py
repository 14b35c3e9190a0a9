"""Read-only queries for the compliance officer pages, each scoped by the officer first."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from tandem.accounts.models import User
from tandem.compliance.access import officer_regional_bank_ids, visible_rules
from tandem.compliance.models import (
    ComplianceFinding,
    FindingKind,
    ReviewRequest,
    ReviewStatus,
    WordingRule,
)
from tandem.core.actors import Actor
from tandem.core.models import AuditEntry
from tandem.organisation.models import Node

WEEKS = 12


def _in_scope(actor: Actor, regional_bank_ids: Collection[int] | None) -> list[int]:
    """The officer's regional banks, narrowed to ``regional_bank_ids`` when given."""
    allowed = officer_regional_bank_ids(actor)
    if regional_bank_ids is not None:
        allowed = allowed & frozenset(regional_bank_ids)
    return sorted(allowed)


def review_list_for_officer(
    *,
    actor: Actor,
    decided: bool = False,
    regional_bank_ids: Collection[int] | None = None,
) -> QuerySet[ReviewRequest]:
    """Pending reviews oldest first; or decided ones (approved and rejected) newest first."""
    if decided:
        statuses, ordering = [ReviewStatus.APPROVED, ReviewStatus.REJECTED], "-decided_at"
    else:
        statuses, ordering = [ReviewStatus.PENDING], "created_at"
    return (
        ReviewRequest.objects.filter(
            regional_bank_id__in=_in_scope(actor, regional_bank_ids), status__in=statuses
        )
        .select_related("author__user", "regional_bank", "branch", "decided_by__user")
        .order_by(ordering)
    )


def rule_list_for_officer(*, actor: Actor) -> QuerySet[WordingRule]:
    return (
        visible_rules(actor)
        .select_related("node", "updated_by__user")
        .order_by("node__depth", "node__name", "order", "name")
    )


# -- findings dashboard --------------------------------------------------------------------


def week_label(day: dt.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_starts(now: dt.datetime, weeks: int = WEEKS) -> list[dt.date]:
    """The Mondays of the last ``weeks`` ISO weeks (local time), oldest first."""
    today = timezone.localtime(now).date()
    monday = today - dt.timedelta(days=today.weekday())
    return [monday - dt.timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]


@dataclass
class FindingTable:
    weeks: list[str]
    # kind → week label → count
    by_kind: dict[str, dict[str, int]] = field(default_factory=dict)
    # branch label → kind → count (whole period)
    by_branch: dict[str, dict[str, int]] = field(default_factory=dict)
    # (week, regional bank, branch, kind, count), for the CSV export
    rows: list[tuple[str, str, str, str, int]] = field(default_factory=list)

    def kind_total(self, kind: str) -> int:
        return sum(self.by_kind.get(kind, {}).values())


def finding_table(
    *,
    actor: Actor,
    regional_bank_ids: Collection[int] | None = None,
    now: dt.datetime | None = None,
    weeks: int = WEEKS,
) -> FindingTable:
    """Findings counted by kind, branch and ISO week over the last ``weeks`` weeks (3 queries)."""
    starts = week_starts(now or timezone.now(), weeks)
    start = timezone.make_aware(dt.datetime.combine(starts[0], dt.time.min))
    table = FindingTable(weeks=[week_label(day) for day in starts])
    scope = _in_scope(actor, regional_bank_ids)
    counts = (
        ComplianceFinding.objects.filter(regional_bank_id__in=scope, occurred_at__gte=start)
        .annotate(week=TruncWeek("occurred_at"))
        .values("week", "regional_bank_id", "branch_id", "kind")
        .annotate(count=Count("pk"))
        .order_by("week", "regional_bank_id", "branch_id", "kind")
    )
    rows = list(counts)
    node_ids = {row["regional_bank_id"] for row in rows} | {
        row["branch_id"] for row in rows if row["branch_id"]
    }
    names = dict(Node.objects.filter(pk__in=node_ids).values_list("pk", "name"))
    by_kind: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_branch: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        week = row["week"]
        label = week_label(week.date() if isinstance(week, dt.datetime) else week)
        bank = names.get(row["regional_bank_id"], "")
        branch = names.get(row["branch_id"], "") if row["branch_id"] else ""
        by_kind[row["kind"]][label] += row["count"]
        by_branch[branch or bank][row["kind"]] += row["count"]
        table.rows.append((label, bank, branch, row["kind"], row["count"]))
    table.by_kind = {kind: dict(by_kind.get(kind, {})) for kind in FindingKind.values}
    table.by_branch = {name: dict(counts) for name, counts in sorted(by_branch.items())}
    return table


# -- audit search --------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    date_from: dt.date
    date_to: dt.date
    regional_bank_ids: tuple[int, ...] | None = None
    action_prefix: str = ""
    object_type: str = ""
    object_id: str = ""
    actor: str = ""  # an e-mail address, a user id, or "system"

    def as_json(self) -> dict[str, Any]:
        return {
            "date_from": self.date_from.isoformat(),
            "date_to": self.date_to.isoformat(),
            "regional_bank_ids": list(self.regional_bank_ids or ()),
            "action_prefix": self.action_prefix,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "actor": self.actor,
        }


def _actor_condition(value: str) -> dict[str, Any]:
    value = value.strip()
    if value.lower() in {"system", "système", "systeme"}:
        return {"actor_user_id__isnull": True}
    if value.isdigit():
        return {"actor_user_id": int(value)}
    ids = list(User.objects.filter(email__iexact=value).values_list("pk", flat=True))
    return {"actor_user_id__in": ids}


def audit_entry_list(*, actor: Actor, filters: AuditFilters) -> QuerySet[AuditEntry]:
    """Audit entries of the officer's regional banks matching ``filters``, newest first."""
    scope = _in_scope(actor, filters.regional_bank_ids)
    start = timezone.make_aware(dt.datetime.combine(filters.date_from, dt.time.min))
    end = timezone.make_aware(
        dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time.min)
    )
    entries = AuditEntry.objects.filter(
        regional_bank_id__in=scope, occurred_at__gte=start, occurred_at__lt=end
    )
    if filters.action_prefix.strip():
        entries = entries.filter(action__startswith=filters.action_prefix.strip())
    if filters.object_type.strip():
        entries = entries.filter(object_type=filters.object_type.strip())
    if filters.object_id.strip():
        entries = entries.filter(object_id=filters.object_id.strip())
    if filters.actor.strip():
        entries = entries.filter(**_actor_condition(filters.actor))
    return entries.order_by("-occurred_at", "-pk")


def user_emails(user_ids: Collection[int | None]) -> dict[int, str]:
    wanted = {user_id for user_id in user_ids if user_id is not None}
    if not wanted:
        return {}
    return dict(User.objects.filter(pk__in=wanted).values_list("pk", "email"))
