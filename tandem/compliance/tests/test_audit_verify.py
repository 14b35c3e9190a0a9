"""``tandem audit_verify`` finds any tampering with the audit trail, done behind Tandem's back
with SQL: an edited entry, a deleted one in the middle, the last ones deleted."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tandem.compliance.tests.conftest import actor_of
from tandem.core.audit import audit_record
from tandem.core.models import AuditChainHead, AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(people):
    """Five entries in bank A's chain and two in bank B's."""
    bank_a, bank_b = people.tree.bank_a.regional_bank.pk, people.tree.bank_b.regional_bank.pk
    entries = [
        audit_record(actor=actor_of(people.officer_a), action="compliance.review.approved",
                     regional_bank_id=bank_a, object_type="compliance.reviewrequest",
                     object_id=f"r-{index}", data={"rules": ["Publication promotionnelle"]})
        for index in range(5)
    ]  # fmt: skip
    for index in range(2):
        audit_record(actor=None, action="compliance.comment.protected", regional_bank_id=bank_b,
                     object_id=f"m-{index}")  # fmt: skip
    return bank_a, entries


def verify():
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit_verify", stdout=out, stderr=err)
    except CommandError as error:
        return False, err.getvalue(), str(error)
    return True, out.getvalue(), ""


def execute(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_an_intact_trail_passes(chain):
    ok, output, _error = verify()
    assert ok
    assert "intact: 7 entries" in output


def test_an_entry_edited_with_sql_is_named(chain):
    bank_a, entries = chain
    target = entries[2]
    cast = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    execute(
        f"UPDATE core_auditentry SET data = {cast} WHERE id = %s",
        [json.dumps({"rules": []}), target.pk],
    )
    ok, errors, summary = verify()
    assert not ok  # CommandError: the command exits with status 1
    assert f"chain {bank_a} (regional bank), entry {target.sequence}: content was changed" in errors
    assert "problem(s) in the audit trail" in summary
    # Only that entry: the next ones still follow the stored hash.
    assert errors.count("content was changed") == 1


def test_a_changed_action_or_actor_is_detected_too(chain):
    bank_a, entries = chain
    execute("UPDATE core_auditentry SET actor_user_id = NULL WHERE id = %s", [entries[0].pk])
    ok, errors, _summary = verify()
    assert not ok
    assert f"chain {bank_a} (regional bank), entry 1: content was changed" in errors


def test_a_deleted_middle_entry_is_detected(chain):
    bank_a, entries = chain
    execute("DELETE FROM core_auditentry WHERE id = %s", [entries[1].pk])
    ok, errors, _summary = verify()
    assert not ok
    assert f"chain {bank_a} (regional bank), entry 2: entries 2 to 2 are missing" in errors
    assert "entry 3: does not follow the previous entry" in errors


def test_deleting_the_last_entries_is_detected(chain):
    bank_a, entries = chain
    execute("DELETE FROM core_auditentry WHERE id IN (%s, %s)", [entries[3].pk, entries[4].pk])
    assert AuditChainHead.objects.get(chain=bank_a).sequence == 5
    ok, errors, _summary = verify()
    assert not ok
    assert f"chain {bank_a} (regional bank), entry 4: the last entries were removed" in errors


def test_deleting_a_whole_chain_is_detected(chain):
    bank_a, _entries = chain
    AuditEntry.objects.filter(chain=bank_a).delete()
    ok, errors, _summary = verify()
    assert not ok
    assert f"chain {bank_a} (regional bank), entry 1: the last entries were removed" in errors


def test_other_chains_are_not_blamed(chain, people):
    bank_a, entries = chain
    execute("DELETE FROM core_auditentry WHERE id = %s", [entries[4].pk])
    _ok, errors, _summary = verify()
    bank_b = people.tree.bank_b.regional_bank.pk
    assert f"chain {bank_a} " in errors
    assert f"chain {bank_b} " not in errors
