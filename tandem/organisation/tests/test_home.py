import pytest
from django.urls import reverse

from tandem.organisation.models import Role
from tandem.organisation.tests.factories import make_employee

pytestmark = pytest.mark.django_db


def test_home_shows_identity_place_colleagues_and_capabilities(client, tree):
    me = make_employee(tree.bank_a.branch, Role.ADVISOR, first_name="Claire")
    make_employee(tree.bank_a.branch, Role.BRANCH_MANAGER, first_name="Yann", last_name="Le Gall")
    make_employee(tree.bank_b.branch, Role.ADVISOR, first_name="Intruse")
    client.force_login(me.user)
    page = client.get(reverse("home")).content.decode()
    assert "Bonjour Claire" in page
    for node in (tree.group, tree.brand_a, tree.bank_a.regional_bank, tree.bank_a.branch):
        assert node.name in page
    assert "Yann Le Gall" in page
    assert "Intruse" not in page
    assert "Répondre à vos clients" in page
    assert "Administration" not in page  # not an administrator


def test_home_escapes_names(client, tree):
    me = make_employee(tree.bank_a.branch, Role.ADVISOR, first_name="<script>alert(1)</script>")
    client.force_login(me.user)
    page = client.get(reverse("home")).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_home_query_count_does_not_grow_with_colleagues(
    client, tree, django_assert_max_num_queries
):
    me = make_employee(tree.bank_a.branch, Role.ADVISOR)
    for _ in range(10):
        make_employee(tree.bank_a.branch, Role.ADVISOR)
    client.force_login(me.user)
    with django_assert_max_num_queries(14):
        client.get(reverse("home"))
    for _ in range(20):
        make_employee(tree.bank_a.branch, Role.ADVISOR)
    with django_assert_max_num_queries(14):
        client.get(reverse("home"))


def test_home_requires_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response.url
