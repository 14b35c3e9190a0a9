"""Topic and urgency of a customer's message, detected from French social-media text by rules.

Pure Python, no Django: the inbox services turn ``TopicRule`` rows into :class:`Rule` objects
and call :func:`detect`; the vocabulary of the defaults lives in ``topic_rules.py``.

How a message is read:

1. :func:`normalise` — lower-case, accents stripped, apostrophes, punctuation and emojis turned
   into spaces, letters repeated three times or more collapsed ("urgenttt"), common SMS
   spellings expanded as whole words ("cb" → "carte bancaire", "rdv" → "rendez vous"), and a
   few brand names merged into one word ("caisse d epargne" → "caissedepargne").
2. Keywords are normalised the same way and match **whole words or phrases** only: "vol" does
   not match "volontiers". In a keyword, ``*`` stands for zero to two arbitrary words
   ("perdu * carte" matches "perdu ma carte bancaire").
3. Rules are tried by ``(order, position in the sequence)``: the first rule with any keyword in
   the text gives the topic and the priority, and the keyword is reported for explanation.
   No match: ``general`` / ``normal``.
4. Urgency markers ("urgent", "au secours", "je ne peux plus payer", "bloqué" …) raise a normal
   or low priority to ``high``, unless negated ("ce n'est pas urgent"). Urgent and high stay.

Every rule set is compiled once into one regular expression (a character trie per rule, each
rule a group, tried at every word start) and cached by the rules tuple.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tandem.inbox import topic_rules

TOPICS = (
    "card_lost", "fraud", "complaint", "job_application", "loan", "savings", "appointment",
    "online_banking", "general",
)  # fmt: skip
PRIORITIES = ("urgent", "high", "normal", "low")
GENERAL = "general"
HIGH = "high"
NORMAL = "normal"
GAP = "*"

_PRIORITY_RANK = {priority: rank for rank, priority in enumerate(PRIORITIES)}
# Up to two whole words, each followed by its space (the gap of a "perdu * carte" keyword).
_GAP_RE = "(?:[a-z0-9]+ ){0,2}"
_END_RE = "(?= )"

# -- normalisation ---------------------------------------------------------------------------

# Letters that Unicode does not decompose, and two emojis that mean something here.
_SPECIAL = {
    "œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l",
    "đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "þ": "th", "Þ": "th",
    "\N{LATIN SMALL LETTER DOTLESS I}": "i",
    "\N{SQUARED SOS}": " sos ", "\N{POLICE CARS REVOLVING LIGHT}": " urgence ",
}  # fmt: skip
_SPECIAL_RE = re.compile("[" + "".join(_SPECIAL) + "]")
# After decomposition: anything neither ASCII nor an accent (symbols, emojis, other scripts)
# becomes a space; the accents are then dropped with the other non-ASCII bytes.
_NOT_ASCII_NOR_MARK = re.compile(
    "[^\x00-\x7f\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+"
)
# ASCII bytes to words: letters lower-cased, digits kept, everything else a space.
_WORD_BYTES = bytes(
    byte + 32 if 65 <= byte <= 90 else byte if 48 <= byte <= 57 or 97 <= byte <= 122 else 32
    for byte in range(256)
)
_REPEATED = re.compile(r"([a-z])\1{2,}")


def normalise(text: str) -> str:
    """The text as keywords see it: ``"J'ai PERDU ma CB !!! 😱"`` → ``"j ai perdu ma carte
    bancaire"``. Idempotent; the output holds only ``[a-z0-9]`` words and single spaces."""
    if text.isascii():
        data = text.encode("ascii")
    else:
        if _SPECIAL_RE.search(text):
            text = _SPECIAL_RE.sub(lambda match: _SPECIAL[match.group()], text)
        folded = unicodedata.normalize("NFKD", text).casefold()
        data = _NOT_ASCII_NOR_MARK.sub(" ", folded).encode("ascii", "ignore")
    words = data.translate(_WORD_BYTES).decode("ascii")
    if _REPEATED.search(words):
        words = _REPEATED.sub(r"\1", words)
    spellings = topic_rules.SMS_SPELLINGS
    out = " ".join([spellings.get(word, word) for word in words.split()])
    if any(first in out for first in _MERGED_FIRST_WORDS):
        out = _merged_names().sub(lambda match: topic_rules.MERGED_NAMES[match.group()], out)
    return out


_MERGED_FIRST_WORDS = frozenset(name.split(" ")[0] for name in topic_rules.MERGED_NAMES)


@functools.cache
def _merged_names() -> re.Pattern[str]:
    names = topic_rules.MERGED_NAMES
    return re.compile(f"(?<![a-z0-9])(?:{_trie_regex(list(names), end='(?![a-z0-9])')})")


def normalise_keyword(keyword: str) -> str:
    """A keyword as the detector uses it (``"Carte * perdue"`` → ``"carte * perdue"``); the
    empty string when nothing is left of it. Consecutive gaps merge; a gap at an end is dropped.
    """
    parts = [normalise(part) for part in keyword.split(GAP)]
    tokens: list[str] = []
    for index, part in enumerate(parts):
        if index and tokens and tokens[-1] != GAP:
            tokens.append(GAP)
        tokens.extend(part.split())
    while tokens and tokens[-1] == GAP:
        tokens.pop()
    return " ".join(tokens)


# -- rules -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rule:
    """Any of ``keywords`` in a message gives it ``topic`` and ``priority``; lower ``order``
    first. Keywords are normalised when the rule set is compiled."""

    topic: str
    priority: str
    keywords: tuple[str, ...]
    order: int = 100

    def __post_init__(self) -> None:
        if not self.topic:
            raise ValueError("a topic rule needs a topic")
        if self.priority not in _PRIORITY_RANK:
            raise ValueError(f"unknown priority {self.priority!r}")
        if not isinstance(self.keywords, tuple):  # a JSON list from the database
            object.__setattr__(self, "keywords", tuple(self.keywords))


@dataclass(frozen=True, slots=True)
class Detection:
    """What :func:`detect` read in a message."""

    topic: str
    priority: str
    # The rule's keyword that matched (as written in the rule), for explanation.
    matched_keyword: str | None
    # The urgency marker that raised the priority, if one did.
    urgency_marker: str | None = None


DEFAULT_RULES: tuple[Rule, ...] = tuple(
    Rule(topic=topic, priority=priority, keywords=keywords, order=order)
    for topic, priority, order, keywords in topic_rules.DEFAULT_RULE_SPECS
)


def default_rule_rows() -> list[dict[str, Any]]:
    """The defaults as ``TopicRule`` field values, for the data migration that inserts them."""
    return [
        {
            "regional_bank": None,
            "topic": rule.topic,
            "priority": rule.priority,
            "keywords": list(rule.keywords),
            "order": rule.order,
            "is_active": True,
        }
        for rule in DEFAULT_RULES
    ]


def rules_from_rows(rows: Iterable[Mapping[str, Any]]) -> tuple[Rule, ...]:
    """Rules from ``TopicRule`` values (mappings), in the given sequence, inactive ones left out."""
    return tuple(
        Rule(
            topic=row["topic"],
            priority=row["priority"],
            keywords=tuple(row["keywords"]),
            order=int(row.get("order", 100)),
        )
        for row in rows
        if row.get("is_active", True)
    )


# -- compilation -----------------------------------------------------------------------------


def _atoms(keyword: str) -> list[str]:
    """A normalised keyword as trie atoms: its characters, and the gap as one atom."""
    atoms: list[str] = []
    for token in keyword.split(" "):
        if atoms and atoms[-1] != GAP:
            atoms.append(" ")
        if token == GAP:
            atoms.append(GAP)
        else:
            atoms.extend(token)
    return atoms


def _trie_regex(words: Iterable[Sequence[str]], end: str = _END_RE) -> str:
    """One alternation for many words, factored by common prefixes (fast to try anywhere)."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for atom in word:
            node = node.setdefault(atom, {})
        node[""] = {}
    return _node_regex(trie, end)


def _node_regex(node: dict[str, Any], end: str) -> str:
    branches = [
        (_GAP_RE if atom == GAP else re.escape(atom)) + _node_regex(child, end)
        for atom, child in sorted(node.items())
        if atom
    ]
    if "" in node:
        branches.append(end)  # the longest keyword first, then this one
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"


@dataclass(frozen=True, slots=True)
class _Slot:
    """A rule in the compiled set, and how to tell which of its keywords matched."""

    rule: Rule
    literal: dict[str, str]  # normalised keyword without a gap -> keyword as written
    gapped: tuple[tuple[re.Pattern[str], str], ...]  # (pattern, keyword as written)

    def keyword_for(self, matched: str) -> str:
        if matched in self.literal:
            return self.literal[matched]
        for pattern, keyword in self.gapped:
            if pattern.fullmatch(matched + " "):
                return keyword
        return matched  # unreachable: every alternative comes from one of the keywords


@dataclass(frozen=True, slots=True)
class _Compiled:
    pattern: re.Pattern[str] | None
    slots: tuple[_Slot, ...]


def _compile_rules(rules: tuple[Rule, ...]) -> _Compiled:
    ranked = sorted(enumerate(rules), key=lambda pair: (pair[1].order, pair[0]))
    slots: list[_Slot] = []
    groups: list[str] = []
    for _, rule in ranked:
        written: dict[str, str] = {}  # normalised -> as written, the first one if several
        for keyword in rule.keywords:
            if normalised := normalise_keyword(keyword):
                written.setdefault(normalised, keyword)
        if not written:
            continue
        literal = {words: kw for words, kw in written.items() if GAP not in words}
        gapped = tuple(
            (re.compile(_trie_regex([_atoms(words)], end=" ")), kw)
            for words, kw in written.items()
            if GAP in words
        )
        slots.append(_Slot(rule, literal, gapped))
        groups.append("(" + _trie_regex(_atoms(words) for words in written) + ")")
    if not groups:
        return _Compiled(None, ())
    return _Compiled(re.compile(" (?=(?:" + "|".join(groups) + "))"), tuple(slots))


@functools.lru_cache(maxsize=64)
def _compiled_cached(rules: tuple[Rule, ...]) -> _Compiled:
    return _compile_rules(rules)


_last: tuple[Sequence[Rule], _Compiled] | None = None


def _compiled_for(rules: Sequence[Rule]) -> _Compiled:
    """The compiled rule set; the same tuple as last time costs one identity check."""
    global _last  # noqa: PLW0603 - a one-entry cache in front of the LRU one
    last = _last
    if last is not None and last[0] is rules:
        return last[1]
    compiled = _compiled_cached(tuple(rules))
    if isinstance(rules, tuple):  # immutable, like the rules in it: safe to know by identity
        _last = (rules, compiled)
    return compiled


@functools.cache
def _urgency_pattern() -> re.Pattern[str]:
    negated = _trie_regex(_atoms(normalise_keyword(kw)) for kw in topic_rules.NOT_URGENT)
    markers = _trie_regex(_atoms(normalise_keyword(kw)) for kw in topic_rules.URGENCY_MARKERS)
    # Consumes what it matches: a negated marker hides the marker inside it.
    return re.compile(f" (?:({negated})|({markers}))")


def urgency_marker(text: str) -> str | None:
    """The first urgency marker in ``text`` (normalised form), ``None`` if there is none."""
    return _urgency_in(f" {normalise(text)} ")


def _urgency_in(padded: str) -> str | None:
    for match in _urgency_pattern().finditer(padded):
        if match.lastindex == 2:
            return match.group(2)
    return None


# -- detection -------------------------------------------------------------------------------


def detect(text: str, rules: Sequence[Rule] = DEFAULT_RULES) -> Detection:
    """The topic and priority of ``text`` under ``rules`` (see the module's docstring)."""
    compiled = _compiled_for(rules)
    padded = f" {normalise(text)} "
    topic, priority, keyword = GENERAL, NORMAL, None
    if compiled.pattern is not None:
        best: re.Match[str] | None = None
        best_index = len(compiled.slots) + 1
        for match in compiled.pattern.finditer(padded):
            index = match.lastindex or best_index
            if index < best_index:
                best, best_index = match, index
                if index == 1:
                    break
        if best is not None:
            slot = compiled.slots[best_index - 1]
            topic, priority = slot.rule.topic, slot.rule.priority
            keyword = slot.keyword_for(best.group(best_index))
    marker = None
    if _PRIORITY_RANK[priority] > _PRIORITY_RANK[HIGH]:
        marker = _urgency_in(padded)
        if marker is not None:
            priority = HIGH
    return Detection(topic, priority, keyword, marker)
