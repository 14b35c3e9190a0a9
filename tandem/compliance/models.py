"""Compliance data: wording rules, the review queue (four-eyes) and the dashboard's facts.

- ``WordingRule`` — policy as data. A rule belongs to a scope: the whole product (``node`` is
  null: the French defaults of ``defaults.py``), a group, a brand or a regional bank. A rule
  further down the tree with the same name (case-insensitive) replaces the one above it for
  that subtree — an inactive replacement switches an inherited rule off there. Matching is in
  ``wording.py``.
- ``ReviewRequest`` — a text held until a compliance officer other than its author decides.
- ``ComplianceFinding`` — one fact for the dashboard (a comment hidden, a reply blocked, a text
  reviewed, an inbound message masked), never the text itself.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.core.models import BaseModel
from tandem.organisation.models import Employee, Node, NodeKind

# Where a rule may be set: the branch is not a policy level.
RULE_NODE_KINDS: tuple[str, ...] = (NodeKind.GROUP, NodeKind.BRAND, NodeKind.REGIONAL_BANK)


class RuleKind(models.TextChoices):
    BLOCK = "block", _("Block")
    MENTION = "mention", _("Require a mention")
    REVIEW = "review", _("Send to compliance review")


class AppliesTo(models.TextChoices):
    REPLIES = "replies", _("Replies")
    POSTS = "posts", _("Posts")
    BOTH = "both", _("Replies and posts")


class WordingRule(BaseModel):
    node = models.ForeignKey(
        Node,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scope"),
        help_text=_("Group, brand or regional bank; empty for the product's defaults."),
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("action"), max_length=10, choices=RuleKind.choices)
    applies_to = models.CharField(
        _("applies to"), max_length=10, choices=AppliesTo.choices, default=AppliesTo.BOTH
    )
    public_only = models.BooleanField(
        _("public texts only"),
        default=False,
        help_text=_("Only public replies and posts; private messages are not checked."),
    )
    keywords = models.TextField(
        _("keywords"),
        blank=True,
        help_text=_(
            "One word or phrase per line, matched as whole words without accents or case; "
            "plural and feminine endings are accepted; * stands for up to three words."
        ),
    )
    pattern = models.CharField(
        _("regular expression"),
        max_length=300,
        blank=True,
        help_text=_(
            "Optional. Matched against the normalised text (lower case, no accents, words "
            "separated by single spaces). Restricted syntax: see the documentation."
        ),
    )
    context_keywords = models.TextField(
        _("only together with"),
        blank=True,
        help_text=_(
            "Optional, one per line: the rule hits only when one of these also appears in the "
            "text (avoids false positives)."
        ),
    )
    exceptions = models.TextField(
        _("exceptions"),
        blank=True,
        help_text=_("Phrases ignored before matching, one per line (e.g. 'garantie des dépôts')."),
    )
    mention_text = models.TextField(
        _("mandatory mention"),
        blank=True,
        help_text=_(
            "For 'require a mention': the text must contain it. One accepted form per line."
        ),
    )
    explanation = models.TextField(
        _("explanation for the author"),
        help_text=_("Shown to the employee when the rule hits, in French."),
    )
    legal_source = models.CharField(_("legal source"), max_length=300)
    legal_source_url = models.URLField(_("legal source link"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    created_by = models.ForeignKey(
        Employee, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    updated_by = models.ForeignKey(
        Employee, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    objects: ClassVar[models.Manager[WordingRule]] = models.Manager()

    class Meta:
        verbose_name = _("wording rule")
        verbose_name_plural = _("wording rules")
        ordering = ("order", "name")
        constraints = [
            models.UniqueConstraint(
                Lower("name"), "node", name="wording_rule_name_unique_per_node"
            ),
            models.UniqueConstraint(
                Lower("name"),
                condition=Q(node__isnull=True),
                name="wording_rule_name_unique_default",
            ),
        ]
        indexes = [models.Index(fields=["node", "is_active"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from tandem.compliance.wording import UnsafePattern, keyword_lines, pattern_validate

        errors: dict[str, str] = {}
        node = self.node if self.node_id is not None else None
        if node is not None and node.kind not in RULE_NODE_KINDS:
            errors["node"] = str(_("A rule is set on a group, a brand or a regional bank."))
        if not keyword_lines(self.keywords) and not self.pattern.strip():
            errors["keywords"] = str(_("Give keywords, a regular expression, or both."))
        if self.pattern.strip():
            try:
                pattern_validate(self.pattern.strip())
            except UnsafePattern as error:
                errors["pattern"] = str(error)
        if self.kind == RuleKind.MENTION and not keyword_lines(self.mention_text):
            errors["mention_text"] = str(_("A 'require a mention' rule needs the mention."))
        if errors:
            raise ValidationError(errors)


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ReviewRequest(BaseModel):
    """A reply or post held for compliance review (see ``reviews.py`` for the contract)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    regional_bank = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey(
        Node, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subject_type = models.CharField(_("subject type"), max_length=60)
    subject_id = models.CharField(_("subject"), max_length=64)
    public = models.BooleanField(_("public"), default=False)
    text = models.TextField(_("text"))
    author = models.ForeignKey(
        Employee, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    decided_by = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    # [{"rule_id", "name", "kind", "explanation", "legal_source", …}] as ``RuleHit.as_json``.
    hits = models.JSONField(_("rules matched"), default=list, blank=True)

    objects: ClassVar[models.Manager[ReviewRequest]] = models.Manager()

    class Meta:
        verbose_name = _("review request")
        verbose_name_plural = _("review requests")
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id"],
                condition=Q(status="pending"),
                name="review_one_pending_per_subject",
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_at__isnull=False),
                name="review_decided_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["regional_bank", "status", "created_at"]),
            models.Index(fields=["subject_type", "subject_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject_id} ({self.status})"

    @property
    def rule_names(self) -> list[str]:
        return [str(hit.get("name", "")) for hit in self.hits if isinstance(hit, dict)]


class FindingKind(models.TextChoices):
    HIDDEN_COMMENT = "hidden_comment", _("Comment hidden")
    BLOCKED_REPLY = "blocked_reply", _("Reply blocked")
    REVIEWED = "reviewed", _("Text reviewed")
    MASKED_INBOUND = "masked_inbound", _("Inbound data masked")


class ComplianceFinding(models.Model):
    """One fact counted by the findings dashboard: what, where, when — never the text."""

    regional_bank = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=FindingKind.choices)
    # Detector kinds ("iban", "card") or rule names that caused it.
    detail_kinds = models.JSONField(_("details"), default=list, blank=True)
    branch = models.ForeignKey(
        Node, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)

    objects: ClassVar[models.Manager[ComplianceFinding]] = models.Manager()

    class Meta:
        verbose_name = _("compliance finding")
        verbose_name_plural = _("compliance findings")
        indexes = [models.Index(fields=["regional_bank", "occurred_at", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} @ {self.occurred_at:%Y-%m-%d}"


class RetentionPurpose(models.TextChoices):
    CONVERSATIONS = "conversations", _("Conversations and messages")
    WEBHOOK_EVENTS = "webhook_events", _("Raw webhook events")
    OUTBOUND_CALLS = "outbound_calls", _("Calls to the networks")
    AUDIT = "audit", _("Audit trail")
    RECRUITING = "recruiting", _("Recruiting")


class RetentionPolicy(BaseModel):
    """How long Tandem keeps personal data held for one purpose (GDPR art. 5(1)(e)), as data.

    A row without a regional bank is the group default (inserted by a migration, with its legal
    basis); a regional bank's row replaces it there. Applied by ``retention.py`` (the daily
    ``purge_expired`` job); the audit trail's period is informative only: the purge never
    rewrites the chain.
    """

    purpose = models.CharField(_("purpose"), max_length=20, choices=RetentionPurpose.choices)
    regional_bank = models.ForeignKey(
        Node,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("regional bank"),
        help_text=_("Empty for the group default."),
    )
    keep_days = models.PositiveIntegerField(_("kept for (days)"))
    legal_basis = models.TextField(_("legal basis"))
    updated_by = models.ForeignKey(
        Employee, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    objects: ClassVar[models.Manager[RetentionPolicy]] = models.Manager()

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")
        ordering = ("purpose",)
        constraints = [
            models.UniqueConstraint(
                fields=["regional_bank", "purpose"], name="retention_policy_unique_per_bank"
            ),
            models.UniqueConstraint(
                fields=["purpose"],
                condition=Q(regional_bank__isnull=True),
                name="retention_policy_unique_default",
            ),
            models.CheckConstraint(
                condition=Q(keep_days__gte=1), name="retention_policy_keep_days_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose}: {self.keep_days} d"
