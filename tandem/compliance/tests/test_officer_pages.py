"""The compliance officer pages: who gets in, what each officer sees, and that nothing crosses
from one regional bank to another — pages, fragments, actions, by guessing ids."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.compliance.models import ComplianceFinding, FindingKind, ReviewRequest, WordingRule
from tandem.compliance.reviews import finding_record, review_request_create
from tandem.compliance.rules import rule_create
from tandem.compliance.selectors import finding_table, review_list_for_officer, week_label
from tandem.compliance.tests.conftest import actor_of, compliance_snapshot
from tandem.organisation.models import Role
from tandem.organisation.tests.factories import make_employee

pytestmark = pytest.mark.django_db

PAGES = ["compliance:reviews", "compliance:rules", "compliance:rule_new", "compliance:dashboard",
         "compliance:dashboard_export", "compliance:audit"]  # fmt: skip


def held(author, subject_id, text="Profitez de notre offre"):
    return review_request_create(
        author=author,
        regional_bank_id=author.regional_bank_id,
        subject_type="inbox.message",
        subject_id=subject_id,
        text=text,
        hits=[{"name": "Publication promotionnelle", "kind": "review", "explanation": "e",
               "legal_source": "ACPR 2016-R-01", "legal_source_url": "", "matched": "offre"}],
    )  # fmt: skip


def bank_rule(actor_employee, node, name, **fields):
    values = {"kind": "block", "keywords": "carabistouille", "explanation": "Non.",
              "legal_source": "Charte interne"} | fields  # fmt: skip
    return rule_create(actor=actor_of(actor_employee), node=node, name=name, **values)


# -- who gets in -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_people_are_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", PAGES)
def test_employees_who_oversee_no_bank_get_404(client, people, name):
    branch_officer = make_employee(people.tree.bank_a.branch, Role.COMPLIANCE_OFFICER)
    for employee in (people.advisor_a, branch_officer):
        client.force_login(employee.user)
        assert client.get(reverse(name)).status_code == 404


@pytest.mark.parametrize("name", PAGES)
def test_officers_get_in(client, people, name):
    client.force_login(people.officer_a.user)
    response = client.get(reverse(name))
    assert response.status_code == 200
    if name != "compliance:dashboard_export":
        assert 'data-testid="compliance-nav"' in response.content.decode()


# -- review queue ------------------------------------------------------------------------------


def test_the_queue_shows_only_the_officers_banks_and_no_button_on_ones_own(client, people):
    mine = held(people.officer_a, "own", text="Mon offre à relire")
    theirs = held(people.advisor_a, "a1", text="Offre de la banque A")
    other = held(people.advisor_b, "b1", text="Offre secrète de la banque B")
    client.force_login(people.officer_a.user)
    page = client.get(reverse("compliance:reviews")).content.decode()
    assert "Offre de la banque A" in page
    assert "Offre secrète de la banque B" not in page
    assert str(other.pk) not in page
    own_block = page.split(f'data-review-id="{mine.pk}"')[1].split("</article>")[0]
    assert 'data-testid="review-own"' in own_block
    assert 'data-testid="approve"' not in own_block
    theirs_block = page.split(f'data-review-id="{theirs.pk}"')[1].split("</article>")[0]
    assert 'data-testid="approve"' in theirs_block


def test_customer_text_is_escaped(client, people):
    held(people.advisor_a, "x", text="<script>alert('offre')</script>")
    client.force_login(people.officer_a.user)
    page = client.get(reverse("compliance:reviews")).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page


def test_approving_from_the_page_with_htmx(client, people):
    review = held(people.advisor_a, "a1")
    client.force_login(people.officer_a2.user)
    response = client.post(
        reverse("compliance:review_decision", args=[review.pk]),
        {"decision": "approve", "note": "OK"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()  # the queue fragment only
    assert ReviewRequest.objects.get(pk=review.pk).status == "approved"


def test_refusals_show_the_reason_and_change_nothing(client, people):
    review = held(people.officer_a, "own")
    client.force_login(people.officer_a.user)
    before = compliance_snapshot()
    response = client.post(
        reverse("compliance:review_decision", args=[review.pk]),
        {"decision": "approve"},
        headers={"HX-Request": "true"},
    )
    assert 'data-testid="review-error"' in response.content.decode()
    response = client.post(
        reverse("compliance:review_decision", args=[review.pk]), {"decision": "approve"}
    )
    assert response.status_code == 302
    assert compliance_snapshot() == before


def test_deciding_another_banks_review_is_404_and_changes_nothing(client, people):
    other = held(people.advisor_b, "b1")
    client.force_login(people.officer_a.user)
    before = compliance_snapshot()
    for decision in ("approve", "reject"):
        response = client.post(
            reverse("compliance:review_decision", args=[other.pk]),
            {"decision": decision, "note": "n"},
        )
        assert response.status_code == 404
    assert compliance_snapshot() == before


def test_review_selector_is_scoped_and_cheap(people, django_assert_num_queries):
    for index in range(5):
        held(people.advisor_a, f"a{index}")
    held(people.advisor_b, "b")
    actor = actor_of(people.officer_a)
    with django_assert_num_queries(2):
        rows = list(review_list_for_officer(actor=actor))
        assert [row.author.user.email for row in rows]
    assert len(rows) == 5


# -- wording rules -----------------------------------------------------------------------------


def test_the_rule_list_shows_defaults_inherited_and_own_rules_but_no_other_banks(client, people):
    tree = people.tree
    bank_rule(people.brand_officer_a, tree.brand_a, "Règle de la marque A")
    bank_rule(people.officer_a, tree.bank_a.regional_bank, "Règle de la banque A")
    secret = bank_rule(people.officer_b, tree.bank_b.regional_bank, "Règle secrète B")
    client.force_login(people.officer_a.user)
    page = client.get(reverse("compliance:rules")).content.decode()
    assert "Publication promotionnelle" in page  # a product default
    assert "Règle de la marque A" in page
    assert "Règle de la banque A" in page
    assert "Règle secrète B" not in page
    assert f'data-rule-id="{secret.pk}"' not in page


def rule_post(node, name="Nouvelle règle", **fields):
    data = {"node": node.pk, "name": name, "kind": "review", "applies_to": "both",
            "keywords": "carabistouille", "explanation": "À valider.", "legal_source": "Charte",
            "order": 100, "is_active": "on"}  # fmt: skip
    data.update(fields)
    return data


def test_an_officer_creates_edits_and_deactivates_a_rule_on_their_bank(client, people):
    bank_a = people.tree.bank_a.regional_bank
    client.force_login(people.officer_a.user)
    response = client.post(reverse("compliance:rule_new"), rule_post(bank_a))
    assert response.status_code == 302
    rule = WordingRule.objects.get(name="Nouvelle règle")
    assert (rule.node_id, rule.created_by_id) == (bank_a.pk, people.officer_a.pk)
    response = client.post(
        reverse("compliance:rule_edit", args=[rule.pk]), rule_post(bank_a, kind="block")
    )
    assert response.status_code == 302
    client.post(reverse("compliance:rule_toggle", args=[rule.pk]), {"active": "0"})
    rule.refresh_from_db()
    assert (rule.kind, rule.is_active) == ("block", False)
    actions = list(rule_entries().filter(object_id=str(rule.pk)).values_list("action", flat=True))
    assert actions == [
        "compliance.wording_rule.created",
        "compliance.wording_rule.updated",
        "compliance.wording_rule.deactivated",
    ]


def rule_entries():
    from tandem.core.models import AuditEntry

    return AuditEntry.objects.filter(action__startswith="compliance.wording_rule.").order_by("pk")


def test_an_unsafe_pattern_is_refused_with_its_reason(client, people):
    client.force_login(people.officer_a.user)
    before = compliance_snapshot()
    response = client.post(
        reverse("compliance:rule_new"),
        rule_post(people.tree.bank_a.regional_bank, pattern=r"(a+)+$"),
    )
    assert response.status_code == 200
    assert "repeated group" in response.content.decode() or "groupe" in response.content.decode()
    assert compliance_snapshot() == before


def test_no_rule_on_another_bank_nor_on_a_branch_nor_on_a_default(client, people):
    tree = people.tree
    default = WordingRule.objects.filter(node__isnull=True).first()
    other = bank_rule(people.officer_b, tree.bank_b.regional_bank, "Règle B")
    client.force_login(people.officer_a.user)
    before = compliance_snapshot()
    for node in (tree.bank_b.regional_bank, tree.bank_a.branch, tree.group):
        response = client.post(reverse("compliance:rule_new"), rule_post(node, name=f"x{node.pk}"))
        assert response.status_code == 200  # the form comes back: not a valid choice
    assert client.get(reverse("compliance:rule_edit", args=[other.pk])).status_code == 404
    assert client.get(reverse("compliance:rule_edit", args=[default.pk])).status_code == 404
    for rule in (other, default):
        response = client.post(
            reverse("compliance:rule_edit", args=[rule.pk]), rule_post(tree.bank_a.regional_bank)
        )
        assert response.status_code == 404
        response = client.post(reverse("compliance:rule_toggle", args=[rule.pk]), {"active": "0"})
        assert response.status_code == 404
    assert client.get(reverse("compliance:rule_new") + f"?from={other.pk}").status_code == 404
    assert compliance_snapshot() == before


def test_replacing_an_inherited_rule_starts_from_it(client, people):
    default = WordingRule.objects.get(node__isnull=True, name="Publication promotionnelle")
    client.force_login(people.officer_a.user)
    page = client.get(reverse("compliance:rule_new") + f"?from={default.pk}").content.decode()
    assert 'value="Publication promotionnelle"' in page
    assert "ACPR 2016-R-01" in page


def test_the_live_test_box_gives_the_verdict_without_saving(client, people):
    bank_a = people.tree.bank_a.regional_bank
    client.force_login(people.officer_a.user)
    before = compliance_snapshot()
    response = client.post(
        reverse("compliance:rule_test"),
        {
            "test-text": "Ce placement est sans risque",
            "test-regional_bank": bank_a.pk,
            "test-subject": "reply",
            "test-public": "on",
        },
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    assert 'data-action="block"' in page
    assert "Promesse d&#x27;absence de risque" in page
    response = client.post(
        reverse("compliance:rule_test"),
        {
            "test-text": "Votre prêt a été accordé",
            "test-regional_bank": bank_a.pk,
            "test-subject": "reply",
            "test-public": "on",
        },
    )
    assert 'data-testid="verdict-relationship"' in response.content.decode()
    assert compliance_snapshot() == before


def test_the_test_box_tries_the_rule_being_edited(client, people):
    bank_a = people.tree.bank_a.regional_bank
    rule = bank_rule(people.officer_a, bank_a, "Mot maison", keywords="ancien")
    client.force_login(people.officer_a.user)
    before = compliance_snapshot()
    data = rule_post(bank_a, name="Mot maison", kind="block", keywords="nouveau")
    data |= {"draft": "1", "rule_id": rule.pk, "test-text": "un mot nouveau",
             "test-regional_bank": bank_a.pk, "test-subject": "reply"}  # fmt: skip
    page = client.post(reverse("compliance:rule_test"), data).content.decode()
    assert 'data-action="block"' in page
    data["test-text"] = "un mot ancien"
    assert (
        'data-action="allow"' in client.post(reverse("compliance:rule_test"), data).content.decode()
    )
    data["pattern"] = r"(a+)+"
    assert (
        'data-testid="draft-errors"'
        in client.post(reverse("compliance:rule_test"), data).content.decode()
    )
    assert compliance_snapshot() == before


def test_the_test_box_needs_no_explanation_to_try_a_new_rule(client, people):
    bank_a = people.tree.bank_a.regional_bank
    client.force_login(people.officer_a.user)
    data = rule_post(bank_a, kind="block", explanation="", legal_source="")
    data |= {"draft": "1", "test-text": "une carabistouille", "test-regional_bank": bank_a.pk,
             "test-subject": "reply"}  # fmt: skip
    page = client.post(reverse("compliance:rule_test"), data).content.decode()
    assert 'data-action="block"' in page
    assert not WordingRule.objects.filter(name="Nouvelle règle").exists()


def test_the_test_box_refuses_another_banks_ids(client, people):
    bank_b = people.tree.bank_b.regional_bank
    other = bank_rule(people.officer_b, bank_b, "Règle B")
    client.force_login(people.officer_a.user)
    page = client.post(
        reverse("compliance:rule_test"),
        {"test-text": "carabistouille", "test-regional_bank": bank_b.pk, "test-subject": "reply"},
    ).content.decode()
    assert 'data-testid="verdict-errors"' in page
    assert "Règle B" not in page
    response = client.post(
        reverse("compliance:rule_test"),
        rule_post(people.tree.bank_a.regional_bank)
        | {"draft": "1", "rule_id": other.pk, "test-text": "x",
           "test-regional_bank": people.tree.bank_a.regional_bank.pk, "test-subject": "reply"},
    )  # fmt: skip
    assert response.status_code == 404


# -- findings dashboard --------------------------------------------------------------------


def test_findings_are_counted_by_kind_branch_and_week_within_scope(client, people):
    tree = people.tree
    now = timezone.now()
    bank_a, bank_b = tree.bank_a.regional_bank.pk, tree.bank_b.regional_bank.pk
    for _ in range(3):
        finding_record(regional_bank_id=bank_a, kind=FindingKind.BLOCKED_REPLY,
                       branch_id=tree.bank_a.branch.pk, detail_kinds=["iban"])  # fmt: skip
    finding_record(regional_bank_id=bank_a, kind=FindingKind.HIDDEN_COMMENT,
                   occurred_at=now - dt.timedelta(weeks=3))  # fmt: skip
    too_old = now - dt.timedelta(weeks=20)
    finding_record(regional_bank_id=bank_a, kind=FindingKind.REVIEWED, occurred_at=too_old)
    for _ in range(7):
        finding_record(regional_bank_id=bank_b, kind=FindingKind.BLOCKED_REPLY,
                       branch_id=tree.bank_b.branch.pk)  # fmt: skip
    table = finding_table(actor=actor_of(people.officer_a), now=now)
    assert len(table.weeks) == 12
    assert table.weeks[-1] == week_label(timezone.localtime(now).date())
    assert table.kind_total(FindingKind.BLOCKED_REPLY) == 3
    assert table.by_kind[FindingKind.BLOCKED_REPLY][table.weeks[-1]] == 3
    assert table.kind_total(FindingKind.HIDDEN_COMMENT) == 1
    assert table.kind_total(FindingKind.REVIEWED) == 0
    assert table.by_branch == {
        tree.bank_a.branch.name: {FindingKind.BLOCKED_REPLY: 3},
        tree.bank_a.regional_bank.name: {FindingKind.HIDDEN_COMMENT: 1},
    }
    client.force_login(people.officer_a.user)
    page = client.get(reverse("compliance:dashboard")).content.decode()
    assert tree.bank_b.branch.name not in page
    assert 'data-testid="total-blocked_reply"><strong>3<' in page
    csv_text = b"".join(
        client.get(reverse("compliance:dashboard_export")).streaming_content
    ).decode()
    assert csv_text.lstrip("\ufeff").splitlines()[0] == "iso_week,regional_bank,branch,kind,count"
    assert f"{tree.bank_a.branch.name},blocked_reply,3" in csv_text
    assert tree.bank_b.branch.name not in csv_text
    # Asking for another bank's findings shows nothing of it.
    page = client.get(reverse("compliance:dashboard"), {"regional_bank": bank_b}).content.decode()
    assert tree.bank_b.branch.name not in page


def test_the_dashboard_costs_three_queries(people, django_assert_num_queries):
    for kind in FindingKind.values:
        finding_record(regional_bank_id=people.tree.bank_a.regional_bank.pk, kind=kind)
    actor = actor_of(people.officer_a)
    with django_assert_num_queries(3):
        finding_table(actor=actor)
    assert ComplianceFinding.objects.count() == 4


# -- admin -------------------------------------------------------------------------------------


def test_the_admin_is_read_only_for_administrators_and_scoped(client, people):
    from tandem.compliance.defaults import DEFAULT_RULES

    tree = people.tree
    secret = bank_rule(people.officer_b, tree.bank_b.regional_bank, "Règle secrète B")
    own = bank_rule(people.officer_a, tree.bank_a.regional_bank, "Règle de la banque A")
    held(people.advisor_b, "b1", text="Offre secrète B")
    administrator = make_employee(tree.bank_a.regional_bank, Role.ADMINISTRATOR)
    client.force_login(administrator.user)
    page = client.get(reverse("admin:compliance_wordingrule_changelist")).content.decode()
    assert "Règle de la banque A" in page
    assert "Publication promotionnelle" in page
    assert "Règle secrète B" not in page
    assert WordingRule.objects.filter(node__isnull=True).count() == len(DEFAULT_RULES)
    before = compliance_snapshot()
    response = client.post(
        reverse("admin:compliance_wordingrule_change", args=[own.pk]),
        rule_post(tree.bank_a.regional_bank, name="Changée"),
    )
    assert response.status_code == 403
    response = client.get(reverse("admin:compliance_wordingrule_change", args=[secret.pk]))
    assert response.status_code == 302  # "doesn't exist": back to the admin index
    reviews_page = client.get(reverse("admin:compliance_reviewrequest_changelist"))
    assert "inbox.message" not in reviews_page.content.decode()  # bank B's review is hidden
    assert compliance_snapshot() == before


def test_a_superuser_maintains_the_defaults_through_the_audited_service(client, people):
    from tandem.organisation.tests.factories import UserFactory

    superuser = UserFactory(is_superuser=True, is_staff=True)
    default = WordingRule.objects.get(node__isnull=True, name="Publication promotionnelle")
    client.force_login(superuser)
    data = {
        "name": default.name,
        "kind": "review",
        "applies_to": "posts",
        "keywords": default.keywords + "\nsoldes",
        "explanation": default.explanation,
        "legal_source": default.legal_source,
        "order": default.order,
        "is_active": "on",
    }
    response = client.post(reverse("admin:compliance_wordingrule_change", args=[default.pk]), data)
    assert response.status_code == 302
    default.refresh_from_db()
    assert default.keywords.endswith("soldes")
    from tandem.core.models import AuditEntry

    entry = AuditEntry.objects.get(action="compliance.wording_rule.updated")
    assert entry.data["changed"] == ["keywords"]


def test_decided_reviews_are_listed_newest_first(client, people):
    from tandem.compliance.reviews import review_decide

    first, second = held(people.advisor_a, "a1"), held(people.advisor_a, "a2")
    officer = actor_of(people.officer_a)
    review_decide(actor=officer, review_id=first.pk, approve=False, note="Trop promotionnel.")
    review_decide(actor=officer, review_id=second.pk, approve=True)
    rows = list(review_list_for_officer(actor=officer, decided=True))
    assert [row.pk for row in rows] == [second.pk, first.pk]
    client.force_login(people.officer_a.user)
    page = client.get(reverse("compliance:reviews")).content.decode()
    assert page.count('data-testid="decided-review"') == 2
    assert "Trop promotionnel." in page
    assert 'data-testid="no-reviews"' in page
