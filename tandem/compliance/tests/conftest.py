"""People of the compliance tests: two regional banks, each with its officers and an advisor."""

from dataclasses import dataclass

import pytest

from tandem.compliance.models import ComplianceFinding, ReviewRequest, WordingRule
from tandem.core.models import AuditEntry
from tandem.organisation.actors import actor_for_user
from tandem.organisation.models import Employee, Role
from tandem.organisation.tests.factories import Tree, make_employee


@dataclass
class People:
    tree: Tree
    officer_a: Employee  # compliance officer of regional bank A
    officer_a2: Employee  # a second one, for four-eyes
    officer_b: Employee  # compliance officer of regional bank B
    advisor_a: Employee  # advisor in a branch of bank A
    advisor_b: Employee
    brand_officer_a: Employee  # compliance officer of brand A (covers bank A)


@pytest.fixture
def people(tree) -> People:
    return People(
        tree=tree,
        officer_a=make_employee(tree.bank_a.regional_bank, Role.COMPLIANCE_OFFICER),
        officer_a2=make_employee(tree.bank_a.regional_bank, Role.COMPLIANCE_OFFICER),
        officer_b=make_employee(tree.bank_b.regional_bank, Role.COMPLIANCE_OFFICER),
        advisor_a=make_employee(tree.bank_a.branch, Role.ADVISOR),
        advisor_b=make_employee(tree.bank_b.branch, Role.ADVISOR),
        brand_officer_a=make_employee(tree.brand_a, Role.COMPLIANCE_OFFICER),
    )


def actor_of(employee):
    return actor_for_user(employee.user)


def compliance_snapshot():
    """Everything a compliance action could change, to prove a refused one changed nothing."""
    return (
        list(
            ReviewRequest.objects.order_by("pk").values_list(
                "pk", "status", "decided_by_id", "decided_at", "decision_note"
            )
        ),
        list(
            WordingRule.objects.order_by("pk").values_list(
                "pk", "name", "node_id", "is_active", "keywords", "pattern", "updated_at"
            )
        ),
        ComplianceFinding.objects.count(),
        AuditEntry.objects.count(),
    )
