"""Wording rules: matching, scopes, the French defaults, the relationship check, the regex guard."""

import time

import pytest

from tandem.compliance.defaults import (
    CONSUMER_CREDIT_WARNING,
    INVESTMENT_RISK_WARNING,
    PAST_PERFORMANCE_WARNING,
    PUBLIC_REDIRECT,
    default_rule_rows,
)
from tandem.compliance.models import WordingRule
from tandem.compliance.patterns import UnsafePattern, pattern_validate
from tandem.compliance.rules import rule_create, rule_update
from tandem.compliance.tests.conftest import actor_of
from tandem.compliance.wording import (
    RuleSpec,
    compile_rule,
    evaluate,
    normalise,
    relationship_check,
    resolve_rules,
    wording_check,
)


def spec(name="R", kind="block", node_id=None, rule_id=None, **fields):
    fields.setdefault("explanation", "Explication.")
    fields.setdefault("legal_source", "Source")
    return RuleSpec(rule_id=rule_id, node_id=node_id, name=name, kind=kind, **fields)


def verdict(text, *specs, public=False, subject="reply"):
    rules = [compile_rule(item) for item in resolve_rules(specs, [])]
    return evaluate(rules, text=text, public=public, subject=subject)


DEFAULTS = [
    compile_rule(RuleSpec(rule_id=None, node_id=None, **row)) for row in default_rule_rows()
]


def defaults_verdict(text, *, public, subject):
    return evaluate(DEFAULTS, text=text, public=public, subject=subject)


# -- normalisation and matching ----------------------------------------------------------------


def test_normalise_strips_case_accents_punctuation_and_cuts_long_words():
    assert normalise("Rendement GARANTI à 5 % ! L'œuvre €/mois") == (
        " rendement garanti a 5 % l oeuvre € mois "
    )
    assert normalise("Prêt\u202fà\u00a0taux") == " pret a taux "
    long_word = normalise("x" * 130)
    assert [len(word) for word in long_word.split()] == [64, 64, 2]


def test_keywords_match_whole_words_with_plural_and_feminine_endings():
    rule = spec(keywords="rendement garanti")
    assert verdict("Des RENDEMENTS garantis !", rule).action == "block"
    assert verdict("une rentabilité garantie", spec(keywords="rentabilité garanti")).hits
    assert verdict("rendementgaranti", rule).action == "allow"
    assert verdict("vol", spec(keywords="volontiers")).action == "allow"
    assert verdict("volontiers", spec(keywords="vol")).action == "allow"  # whole words only


def test_star_is_a_gap_of_up_to_three_words():
    rule = spec(keywords="envoyez * rib")
    assert verdict("envoyez-nous votre RIB", rule).hits
    assert verdict("envoyez rib", rule).hits
    assert not verdict("envoyez nous donc tout de suite votre rib", rule).hits


def test_exceptions_and_context_words():
    rule = spec(keywords="garanti", exceptions="garantie des dépôts")
    assert verdict("La garantie des dépôts protège 100 000 €", rule).action == "allow"
    assert verdict("Capital garanti", rule).action == "block"
    contextual = spec(keywords="aucun risque", context_keywords="placement\népargne")
    assert verdict("Aucun risque, votre carte est bloquée.", contextual).action == "allow"
    assert verdict("Un placement sans aucun risque", contextual).action == "block"


def test_mention_rule_is_satisfied_by_any_accepted_form():
    rule = spec(
        kind="mention",
        keywords="crédit",
        mention_text=f"{CONSUMER_CREDIT_WARNING}\nUn crédit vous engage",
    )
    missing = verdict("Notre crédit auto", rule, subject="post")
    assert missing.action == "mention"
    assert missing.missing_mentions == [CONSUMER_CREDIT_WARNING]
    assert verdict(f"Notre crédit auto. {CONSUMER_CREDIT_WARNING}", rule).action == "allow"
    assert verdict("Notre crédit auto. UN CRÉDIT vous engage !", rule).action == "allow"
    # The mention alone does not trigger its own rule.
    assert verdict(CONSUMER_CREDIT_WARNING, rule).action == "allow"


def test_precedence_block_then_mention_then_review():
    block = spec("B", "block", keywords="interdit")
    mention = spec("M", "mention", keywords="credit", mention_text="Mention légale")
    review = spec("R", "review", keywords="offre")
    assert verdict("offre credit interdit", block, mention, review).action == "block"
    assert verdict("offre credit", block, mention, review).action == "mention"
    assert verdict("offre", block, mention, review).action == "review"
    result = verdict("offre credit interdit", block, mention, review)
    assert [hit.name for hit in result.hits] == ["B", "M", "R"]
    assert "Explication. (Source)" in result.explanation()


def test_applies_to_and_public_only():
    posts = spec(keywords="offre", applies_to="posts")
    assert verdict("offre", posts, subject="reply").action == "allow"
    assert verdict("offre", posts, subject="post", public=True).action == "block"
    public = spec(keywords="imbattable", public_only=True)
    assert verdict("imbattable", public, public=False).action == "allow"
    assert verdict("imbattable", public, public=True).action == "block"


def test_a_closer_scope_replaces_a_rule_of_the_same_name():
    default = spec("Offre", "review", keywords="offre")
    brand = spec("offre ", "block", node_id=2, keywords="offre")
    other_bank = spec("OFFRE", "mention", node_id=9, keywords="offre", mention_text="x")
    resolved = resolve_rules([default, brand, other_bank], [1, 2, 3])
    assert [item.kind for item in resolved] == ["block"]
    switched_off = spec("Offre", "review", node_id=3, keywords="offre", is_active=False)
    assert resolve_rules([default, brand, switched_off], [1, 2, 3]) == []
    assert resolve_rules([default, switched_off], [1, 2, 4]) == [default]


# -- the French defaults ---------------------------------------------------------------------

SHOULD_MATCH = [
    ("Envoyez-nous une photo de votre pièce d'identité", False, "reply", "block"),
    ("Pouvez-vous me communiquer le code reçu par SMS ?", False, "reply", "block"),
    ("Merci d'indiquer votre numéro de carte et le cryptogramme", False, "reply", "block"),
    ("Transmettez-moi votre IBAN en privé", False, "reply", "block"),
    ("Ce placement est sans risque !", True, "post", "block"),
    ("Rendements garantis de 5 % par an", False, "reply", "block"),
    ("Doublez votre épargne en un an", True, "post", "block"),
    ("Crédit accordé même fiché, sans justificatif", True, "post", "block"),
    ("Une mensualité moins chère que votre loyer", True, "post", "block"),
    ("Je vous conseille d'investir dans ce fonds", True, "reply", "block"),
    ("Notre prêt perso pour vos projets", True, "post", "mention"),
    ("Ce fonds a rapporté 7 % sur 5 ans", True, "post", "mention"),
    ("En partenariat avec @marie, découvrez…", True, "post", "mention"),
    ("Profitez de notre offre de bienvenue", True, "post", "review"),
    ("Crédit auto : TAEG 3,9 %. " + CONSUMER_CREDIT_WARNING, True, "post", "review"),
    ("Capital garanti à l'échéance", True, "reply", "review"),
    ("Le meilleur taux du marché !", True, "reply", "review"),
    ("Dernière chance : plus que 2 jours", True, "post", "review"),
    ("Un fonds durable pour votre épargne", True, "post", "review"),
    ("Découvrez le trading de crypto", True, "post", "review"),
    ("Notre appli est 100 % sécurisée", True, "reply", "review"),
    ("Zéro impôt avec ce placement", True, "reply", "review"),
]
SHOULD_NOT_MATCH = [
    # The bank's own security warnings and the redirect template.
    ("Ne communiquez jamais votre code secret ni votre mot de passe.", True, "reply"),
    ("Nous ne vous demanderons jamais de transmettre votre IBAN.", True, "reply"),
    (PUBLIC_REDIRECT, True, "reply"),
    # Advisors' everyday private replies.
    ("Aucun risque, votre carte est bloquée.", False, "reply"),
    ("Quel est le taux de votre prêt ? Je regarde votre crédit.", False, "reply"),
    ("Je vous propose notre offre jeunes, on en parle jeudi ?", False, "reply"),
    ("Le capital est garanti sur le fonds euros, je vous explique.", False, "reply"),
    ("Nos tarifs sont imbattables", False, "reply"),
    ("Votre crédit d'impôt, on vous explique en agence", True, "post"),
    ("Bonjour, je regarde et je reviens vers vous rapidement.", False, "reply"),
    ("La garantie des dépôts protège vos avoirs jusqu'à 100 000 €", True, "reply"),
    # Posts that carry their mentions.
    (
        f"Ce fonds a rapporté 7 % sur 5 ans. {INVESTMENT_RISK_WARNING} {PAST_PERFORMANCE_WARNING}",
        True,
        "post",
    ),
    ("En partenariat avec @marie #publicité", True, "post"),
]


@pytest.mark.parametrize(("text", "public", "subject", "action"), SHOULD_MATCH)
def test_the_defaults_catch(text, public, subject, action):
    result = defaults_verdict(text, public=public, subject=subject)
    assert result.action == action, result.hits
    assert all(hit.legal_source and hit.explanation for hit in result.hits)


@pytest.mark.parametrize(("text", "public", "subject"), SHOULD_NOT_MATCH)
def test_the_defaults_let_through(text, public, subject):
    result = defaults_verdict(text, public=public, subject=subject)
    assert result.action == "allow", result.hits


def test_every_default_has_a_source_an_explanation_and_a_safe_pattern():
    rows = default_rule_rows()
    assert len({row["name"].casefold() for row in rows}) == len(rows)
    for row in rows:
        assert row["legal_source"] and row["explanation"], row["name"]
        assert row["kind"] in {"block", "mention", "review"}
        if row["pattern"]:
            pattern_validate(row["pattern"])
        if row["kind"] == "mention":
            assert row["mention_text"]
    credit = next(row for row in rows if "L312-5" in row["legal_source"])
    assert credit["mention_text"] == CONSUMER_CREDIT_WARNING


def test_checking_is_fast():
    text = "Bonjour Madame, je vous confirme le rendez-vous jeudi à 14 h à l'agence. " * 50
    started = time.perf_counter()
    for _ in range(20):
        defaults_verdict(text, public=True, subject="post")
    assert (time.perf_counter() - started) / 20 < 0.05


# -- relationship check ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            "Bonjour Mme Martin, votre conseillère de l'agence de Lyon vous rappelle.",
            ["votre conseillere"],
        ),
        ("Votre prêt a été accordé !", ["votre pret"]),
        ("En tant que cliente, vous avez droit à…", ["en tant que cliente"]),
        ("Nous avons consulté VOTRE DOSSIER", ["nous avons consulte", "votre dossier"]),
        (
            "Vos comptes sont à jour et votre découvert est couvert",
            ["vos comptes", "votre decouvert"],
        ),
        ("Ton livret est bien ouvert", ["ton livret"]),
        ("Votre agence d'Angers vous attend", ["votre agence d"]),
    ],
)
def test_relationship_check_finds_confirmations(text, found):
    assert relationship_check(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "Bonjour, écrivez-nous en message privé, nous vous répondrons.",
        PUBLIC_REDIRECT,
        "Vérifiez votre compte Instagram : il a peut-être été piraté.",
        "Munissez-vous de votre carte d'identité pour ouvrir un compte.",
        "Votre agence de proximité vous accueille du lundi au samedi.",
        "Un conseiller vous répondra en message privé.",
        "Comptez sur nous !",
    ],
)
def test_relationship_check_ignores_neutral_replies(text):
    assert relationship_check(text) == []


# -- the regex guard ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern",
    [
        r"\d+ ?%",
        r"taux .{0,40}credit",
        r"plus que \d+ (?:heure|jour)s?",
        r"\benvoy(?:ez|er)(?: \w+){0,3} rib\b",
        r"(?:votre|vos) comptes?",
        r"[a-z]+ment garanti",
    ],
)
def test_safe_patterns_are_accepted(pattern):
    assert pattern_validate(pattern).pattern == pattern


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        (r"(a+)+$", "repeated group"),
        (r"(a|a)*b", "repeated group"),
        (r"(\w+\s?)*$", "repeated group"),
        (r"(?:a*)*b", "repeated group"),
        (r".*.*x", "bounded repetition"),
        (r"\s+x", "bounded repetition"),
        (r"(\w)\1", "Backreferences"),
        (r"(?=taux)taux", "lookarounds"),
        (r"a+b+c+d+", "At most"),
        (r"Crédit", "lower case"),
        (r"crédit", "accents"),
        (r"(unclosed", "not valid"),
        ("a" * 301, "longer"),
        (r"(?: \w+){0,20}", "repeated group"),
        (r".{0,50}.{0,50}.{0,50}x", "too slow"),
    ],
)
def test_unsafe_or_useless_patterns_are_refused(pattern, why):
    from django.utils import translation

    with translation.override("en"), pytest.raises(UnsafePattern, match=why):
        pattern_validate(pattern)


def test_a_refused_pattern_stored_anyway_is_ignored_not_run():
    rule = compile_rule(spec(pattern=r"(a+)+$", keywords="ok"))
    assert rule.pattern is None
    assert verdict("a" * 5000 + "!", spec(pattern=r"(a+)+$", keywords="ok")).action == "allow"


# -- the database side -------------------------------------------------------------------------


@pytest.mark.django_db
def test_wording_check_reads_the_regional_banks_ancestry(people, django_assert_num_queries):
    tree = people.tree
    bank_a, bank_b = tree.bank_a.regional_bank, tree.bank_b.regional_bank
    rule_create(
        actor=actor_of(people.brand_officer_a),
        node=tree.brand_a,
        name="Mot interdit de la marque",
        kind="block",
        keywords="carabistouille",
        explanation="Non.",
        legal_source="Charte de la marque A",
    )
    with django_assert_num_queries(2):
        result = wording_check(text="Une carabistouille", regional_bank_id=bank_a.pk, public=False)
    assert result.action == "block"
    assert wording_check(
        text="Une carabistouille", regional_bank_id=bank_b.pk, public=False
    ).allowed
    # The defaults are there, from the data migration.
    assert not wording_check(
        text="Ce placement est sans risque", regional_bank_id=bank_b.pk, public=True
    ).allowed


@pytest.mark.django_db
def test_an_override_takes_effect_at_once_and_only_below_it(people):
    tree = people.tree
    bank_a, bank_b = tree.bank_a.regional_bank, tree.bank_b.regional_bank
    text = "Profitez de notre offre"
    assert (
        wording_check(text=text, regional_bank_id=bank_a.pk, public=True, subject="post").action
        == "review"
    )
    default = WordingRule.objects.get(node__isnull=True, name="Publication promotionnelle")
    override = rule_create(
        actor=actor_of(people.officer_a),
        node=bank_a,
        name=default.name,
        kind=default.kind,
        keywords=default.keywords,
        explanation=default.explanation,
        legal_source=default.legal_source,
        applies_to=default.applies_to,
        is_active=False,
    )
    assert wording_check(text=text, regional_bank_id=bank_a.pk, public=True, subject="post").allowed
    assert (
        wording_check(text=text, regional_bank_id=bank_b.pk, public=True, subject="post").action
        == "review"
    )
    rule_update(actor=actor_of(people.officer_a), rule=override, is_active=True, kind="block")
    assert (
        wording_check(text=text, regional_bank_id=bank_a.pk, public=True, subject="post").action
        == "block"
    )


@pytest.mark.django_db
def test_the_model_refuses_incomplete_or_unsafe_rules(people):
    from django.core.exceptions import ValidationError

    rule = WordingRule(
        node=people.tree.bank_a.branch,
        name="x",
        kind="mention",
        pattern=r"(a+)+",
        explanation="e",
        legal_source="s",
    )
    with pytest.raises(ValidationError) as error:
        rule.full_clean()
    assert set(error.value.message_dict) >= {"node", "pattern", "mention_text"}
