import pytest

from tandem.core.actors import Actor
from tandem.core.errors import PermissionDenied, ValidationFailed
from tandem.organisation.actors import actor_for_user
from tandem.organisation.models import Node, NodeKind, Role, RoleGrant
from tandem.organisation.services import node_create, role_grant_add
from tandem.organisation.tests.factories import make_employee, make_node

pytestmark = pytest.mark.django_db


def test_paths_and_regional_bank_are_maintained(tree):
    branch = tree.bank_a.branch
    assert branch.path == f"{tree.bank_a.regional_bank.path}{branch.pk}/"
    assert branch.regional_bank == tree.bank_a.regional_bank
    assert tree.bank_a.regional_bank.regional_bank == tree.bank_a.regional_bank
    assert tree.brand_a.regional_bank is None
    assert branch.depth == 3


@pytest.mark.parametrize(
    ("kind", "parent_attr"),
    [
        (NodeKind.BRANCH, "brand_a"),
        (NodeKind.REGIONAL_BANK, "group"),
        (NodeKind.BRAND, None),
        (NodeKind.GROUP, "group"),
    ],
)
def test_misplaced_nodes_are_refused(tree, kind, parent_attr):
    parent = getattr(tree, parent_attr) if parent_attr else None
    before = Node.objects.count()
    with pytest.raises(ValidationFailed):
        node_create(kind=kind, code="X-1", name="X", parent=parent)
    assert Node.objects.count() == before


def test_only_an_administrator_of_the_subtree_grants_roles(tree):
    admin_a = make_employee(tree.bank_a.regional_bank, Role.ADMINISTRATOR)
    target = make_employee(tree.bank_a.branch)
    grant = role_grant_add(
        actor=actor_for_user(admin_a.user),
        employee=target,
        role=Role.ADVISOR,
        node=tree.bank_a.branch,
    )
    assert grant.node == tree.bank_a.branch
    before = RoleGrant.objects.count()
    with pytest.raises(PermissionDenied):
        role_grant_add(
            actor=actor_for_user(admin_a.user),
            employee=target,
            role=Role.ADVISOR,
            node=tree.bank_b.branch,
        )
    with pytest.raises(PermissionDenied):
        role_grant_add(
            actor=Actor(user_id=target.user_id),
            employee=target,
            role=Role.ADMINISTRATOR,
            node=tree.bank_a.branch,
        )
    assert RoleGrant.objects.count() == before


def test_a_branch_cannot_hold_a_branch(tree):
    with pytest.raises(ValidationFailed):
        make_node(NodeKind.BRANCH, tree.bank_a.branch)
