"""The admin: administrators only, each confined to their subtree."""

import pytest
from django.urls import reverse

from tandem.organisation.models import Customer, Node, NodeKind, Role, RoleGrant
from tandem.organisation.tests.factories import make_customer, make_employee

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_a(tree):
    return make_employee(tree.bank_a.regional_bank, Role.ADMINISTRATOR)


def test_non_administrators_are_kept_out(client, tree):
    advisor = make_employee(tree.bank_a.branch, Role.ADVISOR)
    client.force_login(advisor.user)
    response = client.get(reverse("admin:index"), follow=True)
    assert response.status_code == 403
    response = client.get(reverse("admin:organisation_node_changelist"), follow=True)
    assert response.status_code == 403
    client.logout()
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:login"))


def test_changelists_show_only_the_administrators_subtree(client, tree, admin_a):
    employee_b = make_employee(tree.bank_b.branch, Role.ADVISOR, last_name="Hors-Perimetre")
    make_customer(tree.bank_b.branch, reference="REF-B-SECRET")
    make_customer(tree.bank_a.branch, reference="REF-A-VISIBLE")
    client.force_login(admin_a.user)
    nodes = client.get(reverse("admin:organisation_node_changelist")).content.decode()
    assert tree.bank_a.branch.name in nodes
    assert tree.bank_b.branch.name not in nodes
    assert tree.group.name not in nodes.split("<tbody>")[1]
    employees = client.get(reverse("admin:organisation_employee_changelist")).content.decode()
    assert "Hors-Perimetre" not in employees
    customers = client.get(reverse("admin:organisation_customer_changelist")).content.decode()
    assert "REF-A-VISIBLE" in customers
    assert "REF-B-SECRET" not in customers
    users = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert employee_b.user.email not in users


@pytest.mark.parametrize(
    "name",
    ["organisation_node_change", "organisation_employee_change", "organisation_customer_change"],
)
def test_guessing_another_banks_ids_finds_nothing(client, tree, admin_a, name):
    employee_b = make_employee(tree.bank_b.branch, Role.ADVISOR)
    customer_b = make_customer(tree.bank_b.branch)
    target, label = {
        "organisation_node_change": (tree.bank_b.branch.pk, tree.bank_b.branch.name),
        "organisation_employee_change": (employee_b.pk, employee_b.user.email),
        "organisation_customer_change": (customer_b.pk, customer_b.reference),
    }[name]
    client.force_login(admin_a.user)
    response = client.get(reverse(f"admin:{name}", args=[target]), follow=True)
    # The admin redirects to its index with "doesn't exist" rather than revealing the object.
    assert response.redirect_chain[-1][0] == reverse("admin:index")
    assert label not in response.content.decode()


def test_cannot_grant_a_role_on_another_bank(client, tree, admin_a):
    target = make_employee(tree.bank_a.branch)
    before = list(RoleGrant.objects.values_list("pk", "employee_id", "role", "node_id"))
    client.force_login(admin_a.user)
    response = client.post(
        reverse("admin:organisation_rolegrant_add"),
        {"employee": target.pk, "role": Role.ADMINISTRATOR, "node": tree.bank_b.regional_bank.pk},
    )
    assert response.status_code == 200  # the form comes back with an error
    assert (
        "Select a valid choice" in response.content.decode()
        or "Sélectionnez un choix valide" in (response.content.decode())
    )
    assert list(RoleGrant.objects.values_list("pk", "employee_id", "role", "node_id")) == before
    # …nor take over an employee of the other bank.
    employee_b = make_employee(tree.bank_b.branch)
    response = client.post(
        reverse("admin:organisation_rolegrant_add"),
        {"employee": employee_b.pk, "role": Role.ADVISOR, "node": tree.bank_a.branch.pk},
    )
    assert response.status_code == 200
    assert not RoleGrant.objects.filter(employee=employee_b).exists()


def test_administrator_grants_a_role_in_scope(client, tree, admin_a):
    target = make_employee(tree.bank_a.branch)
    client.force_login(admin_a.user)
    response = client.post(
        reverse("admin:organisation_rolegrant_add"),
        {"employee": target.pk, "role": Role.ADVISOR, "node": tree.bank_a.branch.pk},
    )
    assert response.status_code == 302
    assert RoleGrant.objects.filter(employee=target, role=Role.ADVISOR).exists()


def test_administrator_adds_a_branch_with_its_path(client, tree, admin_a):
    client.force_login(admin_a.user)
    response = client.post(
        reverse("admin:organisation_node_add"),
        {
            "kind": NodeKind.BRANCH,
            "code": "NEW-1",
            "name": "Agence Vannes",
            "parent": tree.bank_a.regional_bank.pk,
            "postcode": "56000",
            "city": "Vannes",
            "opening_hours": "{}",
            "timezone": "Europe/Paris",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    node = Node.objects.get(code="NEW-1")
    assert node.path.startswith(tree.bank_a.regional_bank.path)
    assert node.regional_bank == tree.bank_a.regional_bank


def test_cannot_edit_a_customer_even_in_scope(client, tree, admin_a):
    customer = make_customer(tree.bank_a.branch)
    client.force_login(admin_a.user)
    response = client.post(
        reverse("admin:organisation_customer_change", args=[customer.pk]),
        {"display_name": "Changed"},
    )
    assert response.status_code == 403
    assert Customer.objects.get(pk=customer.pk).display_name == "Client Test"


def test_the_worker_registry_is_for_superusers_only(client, tree, admin_a):
    from django.contrib.auth import get_user_model

    from tandem.core.models import WorkerProcess

    WorkerProcess.objects.create(worker_id="host-a-4242-abcdef", hostname="host-a", pid=4242)
    url = reverse("admin:core_workerprocess_changelist")
    client.force_login(admin_a.user)
    assert client.get(url).status_code == 403
    superuser = get_user_model().objects.create_superuser(
        email="root@example.org", password="x-long-password-1"
    )
    client.force_login(superuser)
    response = client.get(url)
    assert response.status_code == 200
    assert "host-a-4242-abcdef" in response.content.decode()
    assert WorkerProcess.objects.count() == 1
