"""Topic and urgency detection (``tandem.inbox.topics``; pure, no database).

The labelled table is in ``topic_messages.py``; run with ``-s`` to see precision and recall per
topic. No timing is asserted here: the 10k-message run only guards against a regular expression
that would blow up, and throughput is measured in ``bench/``.
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.inbox import topic_rules
from tandem.inbox.tests.topic_messages import (
    ACCEPTED_FALSE_POSITIVES,
    HELD_OUT,
    HELD_OUT_2,
    KNOWN_MISSES,
    MESSAGES,
    TRAPS,
)
from tandem.inbox.topics import (
    DEFAULT_RULES,
    PRIORITIES,
    TOPICS,
    Detection,
    Rule,
    default_rule_rows,
    detect,
    normalise,
    normalise_keyword,
    rules_from_rows,
    urgency_marker,
)

TABLE = [*MESSAGES, *HELD_OUT, *HELD_OUT_2]


@pytest.fixture(autouse=True)
def _fresh_account_cache():
    """Overrides the root conftest's autouse reset of the webhook account cache, which imports
    Django models: these tests are pure and run without Django (``-p no:django``)."""
    return


EVERYTHING = [*TABLE, *((text, topic, priority) for text, topic, priority, _ in KNOWN_MISSES)]


def read(text: str, rules: tuple[Rule, ...] = DEFAULT_RULES) -> tuple[str, str]:
    detection = detect(text, rules)
    return detection.topic, detection.priority


# -- the labelled table ----------------------------------------------------------------------


def test_the_table_is_large_varied_and_without_duplicates():
    texts = [text for text, *_ in EVERYTHING]
    assert len(TABLE) >= 120
    assert len(set(texts)) == len(texts)
    assert {topic for _, topic, _ in TABLE} == set(TOPICS)
    assert {priority for *_, priority in TABLE} == {"urgent", "high", "normal"}


@pytest.mark.parametrize(
    ("text", "topic", "priority"), TABLE, ids=[f"{index:03d}" for index in range(len(TABLE))]
)
def test_labelled_message(text, topic, priority):
    assert read(text) == (topic, priority), (text, detect(text))


@pytest.mark.parametrize(
    ("text", "topic", "priority"),
    [
        pytest.param(text, topic, priority, marks=pytest.mark.xfail(strict=True, reason=why))
        for text, topic, priority, why in KNOWN_MISSES
    ],
)
def test_known_miss(text, topic, priority):
    assert read(text) == (topic, priority)


def _report(rows: list[tuple[str, str, str]]) -> tuple[str, float]:
    predicted = Counter[str]()
    expected = Counter[str]()
    correct = Counter[str]()
    right = 0
    for text, topic, priority in rows:
        got_topic, got_priority = read(text)
        predicted[got_topic] += 1
        expected[topic] += 1
        correct[topic] += got_topic == topic
        right += (got_topic, got_priority) == (topic, priority)
    lines = [f"{'topic':<16} {'n':>4} {'precision':>9} {'recall':>7}"]
    for topic in TOPICS:
        precision = correct[topic] / predicted[topic] if predicted[topic] else 1.0
        recall = correct[topic] / expected[topic] if expected[topic] else 1.0
        lines.append(f"{topic:<16} {expected[topic]:>4} {precision:>9.3f} {recall:>7.3f}")
    accuracy = right / len(rows)
    lines.append(f"topic and priority both right: {right}/{len(rows)} = {accuracy:.3f}")
    return "\n".join(lines), accuracy


def test_precision_and_recall_per_topic():
    report, accuracy = _report(EVERYTHING)
    sys.stdout.write("\n" + report + "\n")
    assert accuracy >= 0.97


# -- traps and documented trade-offs ---------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), TRAPS)
def test_trap(text, expected):
    assert read(text) == expected, detect(text)


@pytest.mark.parametrize(("text", "expected"), ACCEPTED_FALSE_POSITIVES)
def test_accepted_false_positive(text, expected):
    """Trade-offs documented in ``topic_rules.py``: a change here must be a decision."""
    assert read(text) == expected, detect(text)


# -- normalisation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "J\N{RIGHT SINGLE QUOTATION MARK}ai PERDU ma Carte à l'Étranger",
            "j ai perdu ma carte a l etranger",
        ),
        ("Cœur, sœur, ex æquo", "coeur soeur ex aequo"),
        ("rendez-vous   demain\n\t14h30 !!!", "rendez vous demain 14h30"),
        ("carte😱perdue", "carte perdue"),
        ("🆘 aidez-moi", "sos aidez moi"),
        ("\uff35\uff32\uff27\uff25\uff2e\uff34 \ufb01n", "urgent fin"),  # full width, ligature
        ("URGENTTTTT svppppp", "urgent s il vous plait"),
        ("g perdu ma cb", "j ai perdu ma carte bancaire"),
        ("pb avec l'appli, rdv svp", "probleme avec l appli rendez vous s il vous plait"),
        ("mdp oublié", "mot de passe oublie"),
        ("le cbd et le abcb restent", "le cbd et le abcb restent"),
        ("Caisse d'Épargne, Crédit Mutuel", "caissedepargne creditmutuel"),
        ("", ""),
        ("  ¡¿…!?  ", ""),
    ],
)
def test_normalise(text, expected):
    assert normalise(text) == expected


@pytest.mark.parametrize(
    ("keyword", "expected"),
    [
        ("Carte * Perdue", "carte * perdue"),
        ("* carte *", "carte"),
        ("perdu ** * carte", "perdu * carte"),
        ("CB volée", "carte bancaire volee"),
        ("rdv", "rendez vous"),
        ("!!!", ""),
        ("*", ""),
    ],
)
def test_normalise_keyword(keyword, expected):
    assert normalise_keyword(keyword) == expected


# -- the rule engine -------------------------------------------------------------------------

THEFT = Rule(topic="card_lost", priority="urgent", keywords=("vol", "carte * perdue"), order=10)
LOANS = Rule(topic="loan", priority="normal", keywords=("pret",), order=20)


def test_keywords_match_whole_words_and_phrases_only():
    rules = (THEFT,)
    assert read("un vol !", rules) == ("card_lost", "urgent")
    assert read("volontiers", rules)[0] == "general"
    assert read("envol", rules)[0] == "general"
    assert read("vol-au-vent", rules)[0] == "card_lost"  # hyphens separate words
    phrase = (Rule(topic="appointment", priority="normal", keywords=("prendre rendez vous",)),)
    assert read("Je veux prendre RDV", phrase)[0] == "appointment"
    assert read("je veux prendre un rendez vous", phrase)[0] == "general"


@pytest.mark.parametrize(
    ("text", "matches"),
    [
        ("carte perdue", True),
        ("carte bleue perdue", True),
        ("carte bleue visa perdue", True),
        ("carte bleue visa premier perdue", False),
        ("perdue carte", False),
    ],
)
def test_a_gap_is_up_to_two_words(text, matches):
    assert (read(text, (THEFT,))[0] == "card_lost") is matches


def test_the_first_rule_by_order_wins_wherever_its_keyword_is():
    text = "un pret pour remplacer ce qui a ete pris lors du vol"
    assert read(text, (LOANS, THEFT)) == ("card_lost", "urgent")
    assert detect(text, (LOANS, THEFT)).matched_keyword == "vol"


def test_equal_orders_go_by_position_in_the_sequence():
    first = Rule(topic="savings", priority="normal", keywords=("livret",), order=5)
    second = Rule(topic="loan", priority="normal", keywords=("livret",), order=5)
    assert read("livret", (first, second))[0] == "savings"
    assert read("livret", (second, first))[0] == "loan"


def test_the_matched_keyword_is_reported_as_the_rule_writes_it():
    rules = (Rule(topic="card_lost", priority="urgent", keywords=("CB Volée", "Perdu * Carte")),)
    assert detect("on a vu ma cb volee", rules).matched_keyword == "CB Volée"
    assert detect("perdu ma petite carte", rules).matched_keyword == "Perdu * Carte"
    assert detect("Je suis perdu", rules) == Detection("general", "normal", None, None)


def test_rules_may_come_as_a_list_and_the_list_may_change():
    rules = [LOANS]
    assert read("un vol", rules)[0] == "general"
    rules.append(THEFT)
    assert read("un vol", rules)[0] == "card_lost"


def test_rules_without_usable_keywords_match_nothing():
    assert read("tout", ()) == ("general", "normal")
    empty = (Rule(topic="fraud", priority="urgent", keywords=("", "!!", "*")),)
    assert read("fraude !!", empty) == ("general", "normal")


def test_a_rule_checks_its_priority_and_keeps_keywords_hashable():
    with pytest.raises(ValueError, match="priority"):
        Rule(topic="fraud", priority="asap", keywords=("fraude",))
    with pytest.raises(ValueError, match="topic"):
        Rule(topic="", priority="high", keywords=("fraude",))
    rule = Rule(topic="fraud", priority="urgent", keywords=["fraude"])  # type: ignore[arg-type]
    assert rule.keywords == ("fraude",)
    assert hash(rule) == hash(Rule(topic="fraud", priority="urgent", keywords=("fraude",)))


# -- urgency ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "marker"),
    [
        ("Je voudrais un rdv, c'est URGENT", ("appointment", "high"), "urgent"),
        ("au secours mon compte est vide", ("general", "high"), "au secours"),
        ("Je ne peux plus payer mes courses", ("general", "high"), "peux plus payer"),
        ("j'ai besoin de mon RIB tout de suite", ("general", "high"), "tout de suite"),
        ("Ma carte est bloquée depuis hier", ("general", "high"), "bloquee"),
        ("Ce n'est pas urgent, mais un rdv serait bien", ("appointment", "normal"), None),
        ("Rien d'urgent : quels sont vos horaires ?", ("appointment", "normal"), None),
        ("Pas du tout urgent : mon RIB svp", ("general", "normal"), None),
        ("Pas urgent mais ma carte est bloquée", ("general", "high"), "bloquee"),
        ("Ma carte n'est plus bloquée", ("general", "normal"), None),
        # already urgent or high: unchanged, no marker reported
        ("URGENT j'ai perdu ma carte", ("card_lost", "urgent"), None),
        ("Réclamation urgente !", ("complaint", "high"), None),
    ],
)
def test_urgency_markers_raise_normal_to_high(text, expected, marker):
    detection = detect(text)
    assert (detection.topic, detection.priority) == expected
    assert detection.urgency_marker == marker


def test_urgency_raises_a_low_rule_too():
    rules = (Rule(topic="general", priority="low", keywords=("merci",)),)
    assert read("merci", rules) == ("general", "low")
    assert read("merci, c'est urgent", rules) == ("general", "high")


def test_urgency_marker_alone():
    assert urgency_marker("AU SECOURS 🆘") == "au secours"
    assert urgency_marker("🆘") == "sos"
    assert urgency_marker("rien de pressé") is None


# -- the defaults and their rows -------------------------------------------------------------


def test_default_rows_fit_the_topic_rule_model():
    rows = default_rule_rows()
    json.dumps(rows)
    assert len(rows) == len(DEFAULT_RULES)
    for row in rows:
        assert set(row) == {"regional_bank", "topic", "keywords", "priority", "order", "is_active"}
        assert row["regional_bank"] is None
        assert row["is_active"] is True
        assert row["topic"] in TOPICS
        assert row["priority"] in PRIORITIES
        assert 0 <= row["order"] <= 32767  # PositiveSmallIntegerField
        assert isinstance(row["keywords"], list)
        assert row["keywords"]
    assert rules_from_rows(rows) == DEFAULT_RULES
    assert {row["topic"] for row in rows} == set(TOPICS) - {"general"}


def test_inactive_rows_are_left_out():
    rows = default_rule_rows()
    rows[0]["is_active"] = False
    assert rules_from_rows(rows) == DEFAULT_RULES[1:]


def test_cards_and_fraud_are_urgent_and_come_before_everything_but_accusations():
    by_topic = {rule.topic: rule for rule in reversed(DEFAULT_RULES)}  # first rule per topic
    assert by_topic["card_lost"].priority == by_topic["fraud"].priority == "urgent"
    assert by_topic["complaint"].priority == "high"
    urgent_orders = {r.order for r in DEFAULT_RULES if r.topic in {"card_lost", "fraud"}}
    others = [r for r in DEFAULT_RULES if r.topic not in {"card_lost", "fraud", "complaint"}]
    assert max(urgent_orders) < min(r.order for r in others)
    assert [rule.order for rule in DEFAULT_RULES] == sorted({r.order for r in DEFAULT_RULES})


@pytest.mark.parametrize(
    "keywords",
    [
        *(rule.keywords for rule in DEFAULT_RULES),
        topic_rules.URGENCY_MARKERS,
        topic_rules.NOT_URGENT,
    ],
)
def test_default_keywords_are_written_normalised_and_once(keywords):
    assert [kw for kw in keywords if normalise_keyword(kw) != kw] == []
    assert [kw for kw, count in Counter(keywords).items() if count > 1] == []


def test_no_default_keyword_is_shadowed_by_an_earlier_rule():
    seen: dict[str, str] = {}
    for rule in DEFAULT_RULES:
        for keyword in rule.keywords:
            assert keyword not in seen, (keyword, seen.get(keyword), rule.topic)
        seen.update(dict.fromkeys(rule.keywords, rule.topic))


def test_spellings_and_names_expand_to_settled_words():
    """Expanding never produces something expanded again (``normalise`` is idempotent)."""
    for table in (topic_rules.SMS_SPELLINGS, topic_rules.MERGED_NAMES):
        for value in table.values():
            assert normalise(value) == value


# -- robustness ------------------------------------------------------------------------------

WORDS = re.compile(r"\S+")


def _variants(texts: list[str], count: int, seed: int = 7) -> list[str]:
    """Messages mixed from the table: shuffled words, shouting, emojis, lost accents."""
    rng = random.Random(seed)
    words = [word for text in texts for word in WORDS.findall(text)]
    out = []
    for index in range(count):
        text = rng.choice(texts)
        if index % 3 == 0:
            text = " ".join(rng.sample(words, rng.randint(3, 40)))
        if index % 5 == 0:
            text = text.upper() + " 😡😡"
        if index % 7 == 0:
            text = normalise(text)
        out.append(text)
    return out


def test_ten_thousand_messages_run_through():
    texts = [text for text, *_ in EVERYTHING]
    counts = Counter(detect(text).topic for text in _variants(texts, 10_000))
    assert sum(counts.values()) == 10_000
    assert set(counts) <= set(TOPICS)


@pytest.mark.parametrize(
    "text",
    [
        "vol de " * 20_000,
        "perdu " * 20_000 + "carte",
        "a" * 200_000,
        "😡 " * 50_000,
        "carte " + "bleue " * 30_000 + "perdue",
        "pas " * 30_000 + "urgent",
        "\u0301" * 10_000 + "e" * 10_000,
    ],
    ids=["vol-de", "perdu", "aaaa", "emojis", "long-gap", "pas-pas", "marks"],
)
def test_pathological_texts_run_through(text):
    assert detect(text).topic in TOPICS


FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.text())
def test_detect_never_raises(text):
    detection = detect(text)
    assert detection.topic in TOPICS
    assert detection.priority in PRIORITIES


@FUZZ
@given(st.text())
def test_normalise_is_idempotent_and_plain(text):
    once = normalise(text)
    assert normalise(once) == once
    assert re.fullmatch(r"(?:[a-z0-9]+(?: [a-z0-9]+)*)?", once)
    assert detect(once) == detect(text)


@FUZZ
@given(
    st.lists(
        st.tuples(
            st.sampled_from(TOPICS),
            st.sampled_from(PRIORITIES),
            st.lists(st.text(max_size=20), max_size=5),
            st.integers(min_value=0, max_value=300),
        ),
        max_size=6,
    ),
    st.text(),
)
def test_any_rules_on_any_text(specs, text):
    rules = tuple(
        Rule(topic=topic, priority=priority, keywords=tuple(keywords), order=order)
        for topic, priority, keywords, order in specs
    )
    detection = detect(text, rules)
    assert detection.topic in {rule.topic for rule in rules} | {"general"}


@FUZZ
@given(
    st.from_regex(r"[a-z]{1,8}( [a-z]{1,8}){0,2}", fullmatch=True),
    st.text(),
    st.text(),
    st.booleans(),
)
def test_a_keyword_matches_exactly_where_its_words_stand(keyword, before, after, insert):
    """The compiled trie agrees with the plain definition: the keyword's words in the text's."""
    text = f"{before} {keyword.upper()} {after}" if insert else before + after
    rule = Rule(topic="fraud", priority="urgent", keywords=(keyword,))
    words = normalise_keyword(keyword)
    expected = bool(words) and f" {words} " in f" {normalise(text)} "
    assert (read(text, (rule,))[0] == "fraud") is expected
