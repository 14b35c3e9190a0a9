import hashlib

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from tandem.organisation.demo import DEMO_LOGINS, DEMO_PASSWORD, seed_demo
from tandem.organisation.imports import POSTCODE
from tandem.organisation.models import Customer, Employee, Node, NodeKind, Role, RoleGrant

pytestmark = pytest.mark.django_db


def digest() -> str:
    rows = [
        *Node.objects.order_by("code").values_list("code", "name", "kind", "postcode", "city"),
        *Employee.objects.order_by("employee_number").values_list(
            "employee_number", "user__email", "node__code", "job_title", "skills"
        ),
        *Customer.objects.order_by("reference").values_list(
            "reference", "display_name", "branch__code", "advisor__employee_number"
        ),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_demo_group_has_the_promised_shape():
    counts = seed_demo()
    assert counts["branches"] >= 40
    assert counts["employees"] >= 300
    assert Node.objects.filter(kind=NodeKind.BRAND).count() == 2
    assert Node.objects.filter(kind=NodeKind.REGIONAL_BANK).count() >= 6
    assert set(RoleGrant.objects.values_list("role", flat=True)) == set(Role.values)
    for postcode in Node.objects.filter(kind=NodeKind.BRANCH).values_list("postcode", flat=True):
        assert POSTCODE.match(postcode)
    assert Customer.objects.count() == counts["customers"] > 0
    # Every customer's advisor works in the customer's own regional bank.
    assert not Customer.objects.exclude(advisor__regional_bank=models_f("regional_bank")).exists()


def models_f(name):
    from django.db.models import F

    return F(name)


def test_demo_logins_work_one_per_role():
    seed_demo()
    roles = set()
    for login in DEMO_LOGINS:
        user = authenticate(username=login.email, password=DEMO_PASSWORD)
        assert user is not None, login.email
        assert user.employee.grants.filter(role=login.role).exists()
        roles.add(login.role)
    assert roles == set(Role.values)


def test_demo_is_deterministic_and_runs_once(capsys):
    seed_demo()
    first = digest()
    assert seed_demo() == {}
    assert digest() == first
    call_command("seed_demo")
    assert "already there" in capsys.readouterr().out
