"""The tenant tree: group → brand → regional bank → branch, and the employees attached to it.

One table holds every node, with a materialised path (``/1/4/17/``) so that "everything under
this node" is one indexed prefix filter. The regional bank is the legal entity: every node at or
below it, and every customer-data row elsewhere in Tandem, carries it as ``regional_bank``.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.core.models import BaseModel


class NodeKind(models.TextChoices):
    GROUP = "group", _("Group")
    BRAND = "brand", _("Brand")
    REGIONAL_BANK = "regional_bank", _("Regional bank")
    BRANCH = "branch", _("Branch")


# Which kind of node may sit under which.
PARENT_KIND: dict[str, str | None] = {
    NodeKind.GROUP: None,
    NodeKind.BRAND: NodeKind.GROUP,
    NodeKind.REGIONAL_BANK: NodeKind.BRAND,
    NodeKind.BRANCH: NodeKind.REGIONAL_BANK,
}


class Role(models.TextChoices):
    ADVISOR = "advisor", _("Advisor")
    BRANCH_MANAGER = "branch_manager", _("Branch manager")
    COMMUNITY_MANAGER = "community_manager", _("Community manager")
    COMPLIANCE_OFFICER = "compliance_officer", _("Compliance officer")
    RECRUITER = "recruiter", _("Recruiter")
    PROGRAMME_LEAD = "programme_lead", _("Programme lead")
    ADMINISTRATOR = "administrator", _("Administrator")


class Node(BaseModel):
    kind = models.CharField(_("kind"), max_length=20, choices=NodeKind.choices)
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    regional_bank = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        help_text=_("The legal entity this node belongs to (itself for a regional bank)."),
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    # {"mon": [["09:00", "12:30"], ["14:00", "18:00"]], ...}; absent day = closed.
    opening_hours = models.JSONField(_("opening hours"), default=dict, blank=True)
    timezone = models.CharField(_("time zone"), max_length=50, default="Europe/Paris")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("organisation node")
        verbose_name_plural = _("organisation nodes")
        indexes = [
            models.Index(fields=["regional_bank", "kind"]),
            models.Index(fields=["kind", "path"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=NodeKind.GROUP, parent__isnull=True)
                | (~Q(kind=NodeKind.GROUP) & Q(parent__isnull=False)),
                name="node_group_is_root",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_branch(self) -> bool:
        return self.kind == NodeKind.BRANCH

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part]


class Holiday(models.Model):
    """A day a node (and its whole subtree) is closed: public holidays, local closures."""

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        constraints = [
            models.UniqueConstraint(fields=["node", "date"], name="holiday_unique_per_node")
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class Employee(BaseModel):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="employee"
    )
    employee_number = models.CharField(_("employee number"), max_length=40, unique=True)
    node = models.ForeignKey(
        Node,
        on_delete=models.PROTECT,
        related_name="employees",
        verbose_name=_("attached to"),
    )
    regional_bank = models.ForeignKey(
        Node, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    skills = models.JSONField(_("skills"), default=list, blank=True)
    # Same shape as Node.opening_hours; empty = the node's opening hours.
    working_hours = models.JSONField(_("working hours"), default=dict, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        indexes = [models.Index(fields=["regional_bank", "node"])]

    def __str__(self) -> str:
        return str(self.user)


class RoleGrant(BaseModel):
    """A role given to an employee on a node; it covers the node's whole subtree."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    node = models.ForeignKey(
        Node, on_delete=models.PROTECT, related_name="grants", verbose_name=_("on")
    )

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            models.UniqueConstraint(fields=["employee", "role", "node"], name="grant_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} @ {self.node}"


class Customer(BaseModel):
    """A customer the bank knows, by its own reference only — never account data.

    The bank's systems tell Tandem which advisor and branch look after the customer; the inbox
    links social identities to this row so that the customer reaches their own advisor.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    regional_bank = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(_("customer reference"), max_length=64)
    display_name = models.CharField(_("name"), max_length=200)
    branch = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="customers")
    advisor = models.ForeignKey(
        Employee, on_delete=models.SET_NULL, null=True, blank=True, related_name="customers"
    )

    objects: ClassVar[models.Manager[Customer]] = models.Manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        constraints = [
            models.UniqueConstraint(
                fields=["regional_bank", "reference"], name="customer_reference_unique"
            )
        ]
        indexes = [models.Index(fields=["regional_bank", "advisor"])]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.reference})"
