"""The review queue's services: four-eyes, scope, audit, findings and the after-commit handler."""

import logging

import pytest
from django.http import Http404

from tandem.compliance import reviews
from tandem.compliance.models import ComplianceFinding, FindingKind, ReviewRequest
from tandem.compliance.reviews import (
    finding_record,
    register_review_handler,
    review_decide,
    review_request_create,
)
from tandem.compliance.tests.conftest import actor_of, compliance_snapshot
from tandem.compliance.wording import wording_check
from tandem.core.actors import Actor
from tandem.core.errors import PermissionDenied, ValidationFailed
from tandem.core.models import AuditEntry

pytestmark = pytest.mark.django_db

SUBJECT = "test.message"


@pytest.fixture
def handled():
    """Register a recording handler for the test subject type; restore the registry after."""
    calls = []
    saved = dict(reviews._HANDLERS)
    register_review_handler(SUBJECT, lambda review: calls.append((review.pk, review.status)))
    yield calls
    reviews._HANDLERS.clear()
    reviews._HANDLERS.update(saved)


def hold(people, author=None, subject_id="m-1", text="Profitez de notre offre !"):
    author = author or people.advisor_a
    verdict = wording_check(
        text=text, regional_bank_id=author.regional_bank_id, public=True, subject="post"
    )
    assert verdict.action == "review"
    return review_request_create(
        author=author,
        regional_bank_id=author.regional_bank_id,
        subject_type=SUBJECT,
        subject_id=subject_id,
        text=text,
        hits=verdict.hits,
        public=True,
    )


def test_a_request_is_held_with_its_rules_and_audited(people):
    review = hold(people)
    assert review.status == "pending"
    assert review.branch_id == people.tree.bank_a.branch.pk
    assert review.rule_names == ["Publication promotionnelle"]
    assert review.hits[0]["legal_source"].startswith("Recommandation ACPR 2016-R-01")
    entry = AuditEntry.objects.get(action="compliance.review.requested")
    assert entry.regional_bank_id == people.tree.bank_a.regional_bank.pk
    assert entry.actor_user_id == people.advisor_a.user_id
    assert "offre" not in str(entry.data)  # never the text itself


def test_one_pending_review_per_subject(people):
    hold(people)
    with pytest.raises(ValidationFailed):
        hold(people)
    assert ReviewRequest.objects.count() == 1


def test_the_author_must_belong_to_the_regional_bank(people):
    with pytest.raises(ValidationFailed):
        review_request_create(
            author=people.advisor_b,
            regional_bank_id=people.tree.bank_a.regional_bank.pk,
            subject_type=SUBJECT,
            subject_id="x",
            text="offre",
            hits=[],
        )
    assert ReviewRequest.objects.count() == 0


def test_another_officer_approves_then_the_handler_runs_on_commit(
    people, handled, django_capture_on_commit_callbacks
):
    review = hold(people)
    with django_capture_on_commit_callbacks(execute=True):
        decided = review_decide(
            actor=actor_of(people.officer_a), review_id=review.pk, approve=True, note=""
        )
        assert handled == []  # not before the decision commits
    assert decided.status == "approved"
    assert decided.decided_by_id == people.officer_a.pk
    assert decided.decided_at is not None
    assert handled == [(review.pk, "approved")]
    entry = AuditEntry.objects.get(action="compliance.review.approved")
    assert entry.actor_user_id == people.officer_a.user_id
    assert entry.data["rules"] == ["Publication promotionnelle"]
    finding = ComplianceFinding.objects.get()
    assert finding.kind == FindingKind.REVIEWED
    assert finding.branch_id == people.tree.bank_a.branch.pk


def test_a_brand_officer_covers_the_bank_and_rejects_with_a_note(
    people, handled, django_capture_on_commit_callbacks
):
    review = hold(people)
    actor = actor_of(people.brand_officer_a)
    with pytest.raises(ValidationFailed):
        review_decide(actor=actor, review_id=review.pk, approve=False, note="  ")
    with django_capture_on_commit_callbacks(execute=True):
        review_decide(actor=actor, review_id=review.pk, approve=False, note="Ajoutez la mention.")
    review.refresh_from_db()
    assert (review.status, review.decision_note) == ("rejected", "Ajoutez la mention.")
    assert handled == [(review.pk, "rejected")]


def test_four_eyes_the_author_never_decides_even_as_an_officer(
    people, handled, django_capture_on_commit_callbacks
):
    review = hold(people, author=people.officer_a, text="Profitez de notre offre")
    before = compliance_snapshot()
    for approve in (True, False):
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
            review_decide(
                actor=actor_of(people.officer_a), review_id=review.pk, approve=approve, note="ok"
            )
    assert compliance_snapshot() == before
    assert handled == []
    review_decide(actor=actor_of(people.officer_a2), review_id=review.pk, approve=True)
    assert ReviewRequest.objects.get().status == "approved"


@pytest.mark.parametrize("who", ["officer_b", "advisor_a", "advisor_b"])
def test_outside_the_officers_scope_the_review_does_not_exist(
    people, handled, who, django_capture_on_commit_callbacks
):
    review = hold(people)
    before = compliance_snapshot()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Http404):
        review_decide(actor=actor_of(getattr(people, who)), review_id=review.pk, approve=True)
    assert compliance_snapshot() == before
    assert handled == []


def test_guessed_or_malformed_ids_are_404(people):
    for key in ("not-a-uuid", "00000000-0000-0000-0000-000000000000", 42):
        with pytest.raises(Http404):
            review_decide(actor=actor_of(people.officer_a), review_id=key, approve=True)


def test_a_superuser_without_an_employee_cannot_decide(people):
    review = hold(people)
    before = compliance_snapshot()
    with pytest.raises(PermissionDenied):
        review_decide(
            actor=Actor(user_id=999, is_superuser=True), review_id=review.pk, approve=True
        )
    assert compliance_snapshot() == before


def test_a_decision_is_final(people, handled, django_capture_on_commit_callbacks):
    review = hold(people)
    review_decide(actor=actor_of(people.officer_a), review_id=review.pk, approve=True)
    before = compliance_snapshot()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationFailed):
        review_decide(
            actor=actor_of(people.officer_a2), review_id=review.pk, approve=False, note="n"
        )
    assert compliance_snapshot() == before
    assert handled == []


def test_a_failing_or_missing_handler_does_not_undo_the_decision(
    people, caplog, django_capture_on_commit_callbacks
):
    saved = dict(reviews._HANDLERS)
    try:

        def explode(review):
            raise RuntimeError("send failed")

        register_review_handler(SUBJECT, explode)
        first = hold(people, subject_id="a")
        with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
            review_decide(actor=actor_of(people.officer_a), review_id=first.pk, approve=True)
        assert ReviewRequest.objects.get(pk=first.pk).status == "approved"
        reviews._HANDLERS.pop(SUBJECT)
        second = hold(people, subject_id="b")
        with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
            review_decide(actor=actor_of(people.officer_a), review_id=second.pk, approve=True)
        assert "compliance.review.no_handler" in caplog.text
    finally:
        reviews._HANDLERS.clear()
        reviews._HANDLERS.update(saved)


def test_registering_again_replaces_the_handler():
    saved = dict(reviews._HANDLERS)
    try:
        register_review_handler("x.y", print)
        register_review_handler("x.y", repr)
        assert reviews.review_handler_for("x.y") is repr
    finally:
        reviews._HANDLERS.clear()
        reviews._HANDLERS.update(saved)


def test_finding_record_keeps_kinds_not_text(people):
    finding = finding_record(
        regional_bank_id=people.tree.bank_a.regional_bank.pk,
        kind=FindingKind.BLOCKED_REPLY,
        detail_kinds=["iban", "iban", "card"],
        branch_id=people.tree.bank_a.branch.pk,
    )
    assert finding.detail_kinds == ["card", "iban"]
    with pytest.raises(ValidationFailed):
        finding_record(regional_bank_id=people.tree.bank_a.regional_bank.pk, kind="gossip")
