"""Cross-bank leak tests: nothing of regional bank B is reachable by an employee of A."""

import uuid

import pytest
from django.http import Http404

from tandem.organisation.access import access_customer, access_employee, access_node
from tandem.organisation.actors import actor_for_user
from tandem.organisation.models import Role
from tandem.organisation.selectors import (
    customer_list_for_actor,
    employee_list_for_actor,
    node_list_for_actor,
)
from tandem.organisation.tests.factories import make_customer, make_employee

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tree):
    a, b = tree.bank_a, tree.bank_b
    return {
        "advisor_a": make_employee(a.branch, Role.ADVISOR),
        "manager_a": make_employee(a.branch, Role.BRANCH_MANAGER),
        "cm_a": make_employee(a.regional_bank, Role.COMMUNITY_MANAGER),
        "advisor_b": make_employee(b.branch, Role.ADVISOR),
        "customer_a": make_customer(a.branch),
        "customer_a2": make_customer(a.other_branch),
        "customer_b": make_customer(b.branch),
    }


def actor(employee):
    return actor_for_user(employee.user)


def test_actor_of_a_branch_advisor(tree, people):
    advisor = actor(people["advisor_a"])
    assert advisor.regional_bank_ids == frozenset({tree.bank_a.regional_bank.pk})
    assert advisor.scope_paths() == (tree.bank_a.branch.path,)


def test_group_grant_reaches_every_regional_bank(tree):
    lead = make_employee(tree.group, Role.PROGRAMME_LEAD)
    assert actor(lead).regional_bank_ids == {
        tree.bank_a.regional_bank.pk,
        tree.bank_b.regional_bank.pk,
    }


def test_access_node_hides_other_banks(tree, people):
    advisor = actor(people["advisor_a"])
    assert access_node(actor=advisor, node_id=tree.bank_a.branch.pk) == tree.bank_a.branch
    for node in (tree.bank_b.branch, tree.bank_b.regional_bank, tree.bank_a.other_branch):
        with pytest.raises(Http404):
            access_node(actor=advisor, node_id=node.pk)
    with pytest.raises(Http404):
        access_node(actor=advisor, node_id=10**9)


def test_access_employee_hides_other_banks(tree, people):
    advisor = actor(people["advisor_a"])
    assert access_employee(actor=advisor, employee_id=people["manager_a"].pk)
    with pytest.raises(Http404):
        access_employee(actor=advisor, employee_id=people["advisor_b"].pk)
    # The regional community manager sees the branch, the branch advisor not the region.
    assert access_employee(actor=actor(people["cm_a"]), employee_id=people["advisor_a"].pk)
    with pytest.raises(Http404):
        access_employee(actor=advisor, employee_id=people["cm_a"].pk)


def test_access_customer_hides_other_banks_and_branches(tree, people):
    advisor = actor(people["advisor_a"])
    assert access_customer(actor=advisor, customer_id=people["customer_a"].pk)
    for key in (people["customer_b"].pk, people["customer_a2"].pk, uuid.uuid4(), "not-a-uuid"):
        with pytest.raises(Http404):
            access_customer(actor=advisor, customer_id=key)
    community = actor(people["cm_a"])
    assert access_customer(actor=community, customer_id=people["customer_a2"].pk)
    with pytest.raises(Http404):
        access_customer(actor=community, customer_id=people["customer_b"].pk)


def test_list_selectors_are_scoped(tree, people):
    advisor = actor(people["advisor_a"])
    nodes = set(node_list_for_actor(actor=advisor))
    assert nodes == {tree.bank_a.branch}
    employees = set(employee_list_for_actor(actor=advisor))
    assert employees == {people["advisor_a"], people["manager_a"]}
    assert set(customer_list_for_actor(actor=advisor)) == {people["customer_a"]}
    community = actor(people["cm_a"])
    assert set(customer_list_for_actor(actor=community)) == {
        people["customer_a"],
        people["customer_a2"],
    }
    assert people["advisor_b"] not in set(employee_list_for_actor(actor=community))


def test_employee_without_role_sees_nothing(tree):
    lonely = make_employee(tree.bank_a.branch)
    nobody = actor(lonely)
    assert nobody.employee_id == lonely.pk
    assert not node_list_for_actor(actor=nobody).exists()
    assert not customer_list_for_actor(actor=nobody).exists()


def test_inactive_employee_loses_grants(tree, people):
    employee = people["advisor_a"]
    employee.is_active = False
    employee.save()
    assert actor(employee).grants == ()


def test_selectors_query_counts(tree, people, django_assert_num_queries):
    for _ in range(5):
        make_customer(tree.bank_a.branch, advisor=people["advisor_a"])
    advisor = actor(people["advisor_a"])
    with django_assert_num_queries(1):
        rows = [
            (c.branch.name, c.advisor.user.email)
            for c in customer_list_for_actor(actor=advisor)
            if c.advisor
        ]
    assert len(rows) == 5
    with django_assert_num_queries(1):
        assert len([e.user.email for e in employee_list_for_actor(actor=advisor)]) == 2
