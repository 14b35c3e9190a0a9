"""Audit search and export: scoped to the officer's regional banks, filtered, paginated,
streamed as CSV or JSON — and every export is itself audited."""

import csv
import io
import json

import pytest
import time_machine
from django.urls import reverse

from tandem.compliance.selectors import AuditFilters, audit_entry_list
from tandem.compliance.tests.conftest import actor_of
from tandem.compliance.views import AUDIT_PAGE_SIZE
from tandem.core.audit import audit_record
from tandem.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(people):
    """A few entries in each bank, at known times, by known people."""
    tree = people.tree
    bank_a, bank_b = tree.bank_a.regional_bank.pk, tree.bank_b.regional_bank.pk
    with time_machine.travel("2026-03-02 10:00 +01:00", tick=False):
        audit_record(actor=actor_of(people.advisor_a), action="inbox.conversation.transferred",
                     regional_bank_id=bank_a, object_type="inbox.conversation", object_id="c-1",
                     data={"reason_length": 12})  # fmt: skip
    with time_machine.travel("2026-03-10 09:00 +01:00", tick=False):
        audit_record(actor=None, action="compliance.comment.protected", regional_bank_id=bank_a,
                     object_type="message", object_id="m-7", data={"kinds": ["iban"]})  # fmt: skip
        audit_record(actor=actor_of(people.officer_a), action="compliance.review.approved",
                     regional_bank_id=bank_a, object_type="compliance.reviewrequest",
                     object_id="r-1", data={"note": "=HYPERLINK(\"http://evil\")"})  # fmt: skip
        audit_record(actor=actor_of(people.advisor_b), action="inbox.conversation.transferred",
                     regional_bank_id=bank_b, object_type="inbox.conversation",
                     object_id="secret-b", data={})  # fmt: skip
    return people


def search(client, **params):
    base = {"date_from": "2026-03-01", "date_to": "2026-03-31"}
    return client.get(reverse("compliance:audit"), base | params).content.decode()


def test_search_shows_only_the_officers_banks(client, trail):
    client.force_login(trail.officer_a.user)
    page = search(client)
    assert page.count('data-testid="audit-entry"') == 3
    assert "secret-b" not in page
    assert trail.advisor_a.user.email in page
    # Naming the other bank in the filter reveals nothing either.
    page = search(client, regional_bank=trail.tree.bank_b.regional_bank.pk)
    assert "secret-b" not in page


@pytest.mark.parametrize(
    ("params", "count"),
    [
        ({"action": "compliance."}, 2),
        ({"action": "inbox."}, 1),
        ({"object_type": "message", "object_id": "m-7"}, 1),
        ({"actor": "system"}, 1),
        ({"date_from": "2026-03-05"}, 2),
        ({"date_to": "2026-03-05"}, 1),
    ],
)
def test_filters(client, trail, params, count):
    client.force_login(trail.officer_a.user)
    assert search(client, **params).count('data-testid="audit-entry"') == count


def test_filter_by_actor_email(client, trail):
    client.force_login(trail.officer_a.user)
    page = search(client, actor=trail.officer_a.user.email.upper())
    assert page.count('data-testid="audit-entry"') == 1
    assert "compliance.review.approved" in page


def test_htmx_search_renders_the_results_fragment(client, trail):
    client.force_login(trail.officer_a.user)
    response = client.get(
        reverse("compliance:audit"),
        {"date_from": "2026-03-01", "date_to": "2026-03-31"},
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    assert 'id="audit-results"' in page
    assert "<html" not in page


def test_results_are_paginated(client, people):
    bank_a = people.tree.bank_a.regional_bank.pk
    with time_machine.travel("2026-03-02 10:00 +01:00", tick=False):
        for index in range(AUDIT_PAGE_SIZE + 5):
            audit_record(actor=None, action="test.paged", regional_bank_id=bank_a, object_id=index)
    client.force_login(people.officer_a.user)
    first = search(client)
    assert first.count('data-testid="audit-entry"') == AUDIT_PAGE_SIZE
    assert 'data-testid="audit-next"' in first
    second = search(client, page=2)
    assert second.count('data-testid="audit-entry"') == 5
    assert 'data-testid="audit-next"' not in second
    assert 'data-testid="audit-previous"' in second


def test_an_invalid_period_is_explained(client, trail):
    client.force_login(trail.officer_a.user)
    page = search(client, date_from="2026-03-31", date_to="2026-03-01")
    assert 'data-testid="audit-errors"' in page


def export(client, fmt, **params):
    data = {"date_from": "2026-03-01", "date_to": "2026-03-31"} | params
    return client.post(reverse("compliance:audit_export", args=[fmt]), data)


def test_csv_export_streams_the_filtered_set_and_is_audited(client, trail):
    client.force_login(trail.officer_a.user)
    response = export(client, "csv", action="compliance.")
    assert response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert [row["action"] for row in rows] == [
        "compliance.review.approved",
        "compliance.comment.protected",
    ]
    assert rows[0]["actor_email"] == trail.officer_a.user.email
    # A cell a spreadsheet would run as a formula is neutralised.
    assert json.loads(rows[0]["data"])["note"].startswith("=HYPERLINK")
    assert not any(value.startswith("=") for row in rows for value in row.values())
    exported = AuditEntry.objects.get(action="compliance.audit.exported")
    assert exported.regional_bank_id == trail.tree.bank_a.regional_bank.pk
    assert exported.actor_user_id == trail.officer_a.user_id
    assert exported.data["format"] == "csv"
    assert exported.data["count"] == 2
    assert exported.data["filters"]["action_prefix"] == "compliance."


def test_json_export(client, trail):
    client.force_login(trail.officer_a.user)
    response = export(client, "json")
    items = json.loads(b"".join(response.streaming_content))
    assert len(items) == 3
    assert {item["regional_bank_id"] for item in items} == {trail.tree.bank_a.regional_bank.pk}
    assert "secret-b" not in json.dumps(items)
    assert items[0]["entry_hash"]


def test_a_brand_officer_exports_each_bank_in_its_own_chain(client, trail):
    from tandem.organisation.models import Role
    from tandem.organisation.tests.factories import make_employee

    group_officer = make_employee(trail.tree.group, Role.COMPLIANCE_OFFICER)
    client.force_login(group_officer.user)
    items = json.loads(b"".join(export(client, "json").streaming_content))
    assert len(items) == 4
    exported = AuditEntry.objects.filter(action="compliance.audit.exported")
    assert {(entry.regional_bank_id, entry.data["count"]) for entry in exported} == {
        (trail.tree.bank_a.regional_bank.pk, 3),
        (trail.tree.bank_b.regional_bank.pk, 1),
    }


def test_exporting_another_bank_is_refused_and_not_recorded(client, trail):
    client.force_login(trail.officer_a.user)
    before = AuditEntry.objects.count()
    response = export(client, "csv", regional_bank=trail.tree.bank_b.regional_bank.pk)
    assert response.status_code == 400
    assert export(client, "xml").status_code == 404
    assert client.get(reverse("compliance:audit_export", args=["csv"])).status_code == 405
    client.force_login(trail.advisor_a.user)
    assert export(client, "csv").status_code == 404
    assert AuditEntry.objects.count() == before


def test_the_selector_is_scoped_and_cheap(trail, django_assert_num_queries):
    import datetime as dt

    filters = AuditFilters(date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31))
    actor = actor_of(trail.officer_a)
    with django_assert_num_queries(2):  # the officer's banks, then the entries
        entries = list(audit_entry_list(actor=actor, filters=filters))
    assert len(entries) == 3
    assert list(audit_entry_list(actor=actor_of(trail.advisor_a), filters=filters)) == []


def test_the_export_buttons_carry_the_default_period(client, people):
    import re

    audit_record(
        actor=None, action="test.today", regional_bank_id=people.tree.bank_a.regional_bank.pk
    )
    client.force_login(people.officer_a.user)
    page = client.get(reverse("compliance:audit")).content.decode()
    form = page.split(f'action="{reverse("compliance:audit_export", args=["json"])}"')[1]
    fields = dict(
        re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form.split("</form>")[0])
    )
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", fields["date_from"])
    response = client.post(reverse("compliance:audit_export", args=["json"]), fields)
    assert response.status_code == 200
    assert [item["action"] for item in json.loads(b"".join(response.streaming_content))] == [
        "test.today"
    ]
