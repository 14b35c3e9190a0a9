"""Wording rules and the customer-relationship check on outbound replies and posts.

Two entry points, called by the inbox before a reply goes out (and by publishing for posts):

- ``wording_check(text=, regional_bank_id=, public=, subject="reply"|"post")`` reads the active
  rules of the regional bank's ancestry and returns a ``WordingVerdict``: ``allow``, ``block``
  (at least one block rule hit), ``mention`` (a required mention is missing) or ``review`` (a
  compliance officer must approve it first), with every ``RuleHit`` and its explanation.
  Precedence: block > mention > review > allow — a text missing its mention is fixed by its
  author before anyone reviews it.
- ``relationship_check(text)`` — the phrases by which a **public** reply would confirm that
  someone is a customer or holds a product (bank secrecy, CMF L511-33). Only for public replies
  addressed to a person: a marketing post saying "ouvrez votre compte" confirms nothing.

How a text is matched (``normalise``): lower case, accents stripped, apostrophes and punctuation
made spaces, ``%`` and ``€`` kept as words, words longer than 64 characters cut. Keywords are
normalised the same way and match **whole words**; a word of four letters or more also accepts
the endings ``e``, ``s``, ``es`` and ``x`` (plurals, feminines: "garanti" matches "garanties");
``*`` stands for up to three words. Before matching, the required-mention texts of the rule set
are removed from the text (a risk warning must not trigger the rule about risk), then the rule's
own exceptions ("garantie des dépôts"). A rule hits when a keyword or its regular expression
(``patterns.py``: restricted syntax) matches and, when it has context words, one of them is
present too. A ``mention`` rule that hits is satisfied when one of its accepted mentions is in
the text.

Scopes: product defaults (no node) → group → brand → regional bank. A rule with the same name
(case-insensitive) further down replaces the one above it; an inactive one switches it off.
Compiled rules are cached by their content, so an edited rule takes effect on the next check.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Final

from tandem.compliance.patterns import UnsafePattern, pattern_validate

__all__ = [
    "CompiledRule",
    "RuleHit",
    "RuleSpec",
    "UnsafePattern",
    "WordingVerdict",
    "compile_rule",
    "evaluate",
    "keyword_lines",
    "normalise",
    "pattern_validate",
    "relationship_check",
    "resolve_rules",
    "rules_for_regional_bank",
    "wording_check",
]

ALLOW: Final = "allow"
BLOCK: Final = "block"
MENTION: Final = "mention"
REVIEW: Final = "review"
_PRECEDENCE: Final = (BLOCK, MENTION, REVIEW)
_SUBJECT_SCOPE: Final = {"reply": "replies", "post": "posts"}

# -- normalisation ---------------------------------------------------------------------------

MAX_WORD: Final = 64
_SPECIAL: Final = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "ł": "l", "đ": "d"})
_MARKS: Final = re.compile("[\u0300-\u036f]+")
_NOT_WORD: Final = re.compile("[^a-z0-9%€]+")
_SYMBOL: Final = re.compile("([%€])")
_LONG_WORD: Final = re.compile(f"[a-z0-9]{{{MAX_WORD + 1},}}")


def _cut(match: re.Match[str]) -> str:
    word = match.group(0)
    return " ".join(word[start : start + MAX_WORD] for start in range(0, len(word), MAX_WORD))


def normalise(text: str) -> str:
    """``"Rendement GARANTI à 5 % !"`` → ``" rendement garanti a 5 % "`` (padded with spaces)."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_SPECIAL))
    words = _NOT_WORD.sub(" ", _MARKS.sub("", decomposed))
    words = _SYMBOL.sub(r" \1 ", words)
    if _LONG_WORD.search(words):
        words = _LONG_WORD.sub(_cut, words)
    return " " + " ".join(words.split()) + " "


def keyword_lines(text: str) -> list[str]:
    """The non-empty lines of a keywords, exceptions or mentions field."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


_GAP: Final = "(?: [a-z0-9%€]+){0,3}"
_ENDINGS: Final = "(?:e|s|es|x)?"


def _keyword_regex(line: str) -> str | None:
    segments = []
    for part in line.split("*"):
        words = normalise(part).split()
        if words:
            segments.append(
                " ".join(
                    re.escape(word) + (_ENDINGS if word.isalpha() and len(word) >= 4 else "")
                    for word in words
                )
            )
    return (_GAP + " ").join(segments) or None


def _phrases(text: str) -> re.Pattern[str] | None:
    """One pattern for every line, longest first, matching whole words of a normalised text."""
    parts = {regex for line in keyword_lines(text) if (regex := _keyword_regex(line))}
    if not parts:
        return None
    alternatives = "|".join(sorted(parts, key=lambda part: (-len(part), part)))
    return re.compile(f"(?<= )(?:{alternatives})(?= )")


# -- rules -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleSpec:
    """What a rule says, as plain values (a ``WordingRule`` row, or a form not yet saved)."""

    rule_id: int | None
    node_id: int | None
    name: str
    kind: str
    applies_to: str = "both"
    public_only: bool = False
    keywords: str = ""
    pattern: str = ""
    context_keywords: str = ""
    exceptions: str = ""
    mention_text: str = ""
    explanation: str = ""
    legal_source: str = ""
    legal_source_url: str = ""
    is_active: bool = True
    order: int = 100

    @classmethod
    def of(cls, rule: Any) -> RuleSpec:
        return cls(
            rule_id=rule.pk,
            node_id=rule.node_id,
            **{name: getattr(rule, name) for name in _SPEC_FIELDS},
        )


_SPEC_FIELDS: Final = (
    "name", "kind", "applies_to", "public_only", "keywords", "pattern", "context_keywords",
    "exceptions", "mention_text", "explanation", "legal_source", "legal_source_url", "is_active",
    "order",
)  # fmt: skip


@dataclass(frozen=True)
class CompiledRule:
    spec: RuleSpec
    keywords: re.Pattern[str] | None
    pattern: re.Pattern[str] | None
    context: re.Pattern[str] | None
    exceptions: re.Pattern[str] | None
    mentions: tuple[str, ...]

    def applies(self, *, public: bool, subject: str) -> bool:
        scope = _SUBJECT_SCOPE.get(subject, "replies")
        if self.spec.applies_to not in ("both", scope):
            return False
        return public or not self.spec.public_only


@functools.lru_cache(maxsize=4096)
def compile_rule(spec: RuleSpec) -> CompiledRule:
    """Compile once per content. ``clean()`` refuses an unsafe pattern when a rule is saved; one
    stored anyway (by SQL, by an older version) is ignored here, never run. The timing probe is
    left to save time: on a busy server it could drop a sound pattern at random."""
    pattern = None
    if spec.pattern.strip():
        try:
            pattern = pattern_validate(spec.pattern.strip(), probe=False)
        except UnsafePattern:
            pattern = None
    return CompiledRule(
        spec=spec,
        keywords=_phrases(spec.keywords),
        pattern=pattern,
        context=_phrases(spec.context_keywords),
        exceptions=_phrases(spec.exceptions),
        mentions=tuple(
            normalise(line).strip() for line in keyword_lines(spec.mention_text) if normalise(line)
        ),
    )


@dataclass(frozen=True)
class RuleHit:
    rule_id: int | None
    name: str
    kind: str
    explanation: str
    legal_source: str
    legal_source_url: str = ""
    mention_text: str = ""
    matched: str = ""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class WordingVerdict:
    action: str
    hits: list[RuleHit] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return self.action == ALLOW

    def hits_of(self, kind: str) -> list[RuleHit]:
        return [hit for hit in self.hits if hit.kind == kind]

    @property
    def missing_mentions(self) -> list[str]:
        return [hit.mention_text for hit in self.hits_of(MENTION)]

    def explanation(self) -> str:
        """The explanations of the rules that decide the verdict, one per line."""
        deciding = self.hits_of(self.action) if self.action != ALLOW else []
        return "\n".join(f"{hit.explanation} ({hit.legal_source})" for hit in deciding)

    def as_json(self) -> list[dict[str, Any]]:
        return [hit.as_json() for hit in self.hits]


def resolve_rules(specs: Iterable[RuleSpec], ancestry: Sequence[int]) -> list[RuleSpec]:
    """The active rules in force for a node whose ancestry (root first) is given."""
    depth: dict[int | None, int] = {None: -1}
    depth.update({node_id: index for index, node_id in enumerate(ancestry)})
    chosen: dict[str, RuleSpec] = {}
    for spec in specs:
        if spec.node_id not in depth:
            continue
        key = spec.name.strip().casefold()
        current = chosen.get(key)
        if current is None or depth[spec.node_id] > depth[current.node_id]:
            chosen[key] = spec
    active = [spec for spec in chosen.values() if spec.is_active]
    return sorted(active, key=lambda spec: (spec.order, spec.name.casefold()))


def evaluate(
    rules: Sequence[CompiledRule], *, text: str, public: bool, subject: str = "reply"
) -> WordingVerdict:
    """The verdict of ``rules`` on ``text`` (pure: no database)."""
    normalised = normalise(text)
    base = normalised
    for rule in rules:
        for mention in rule.mentions:
            base = base.replace(f" {mention} ", " ")
    hits: list[RuleHit] = []
    for rule in rules:
        if not rule.applies(public=public, subject=subject):
            continue
        candidate = rule.exceptions.sub(" ", base) if rule.exceptions else base
        match = rule.keywords.search(candidate) if rule.keywords else None
        if match is None and rule.pattern is not None:
            match = rule.pattern.search(candidate)
        if match is None or (rule.context and not rule.context.search(candidate)):
            continue
        if rule.spec.kind == MENTION and any(f" {m} " in normalised for m in rule.mentions):
            continue
        spec = rule.spec
        hits.append(
            RuleHit(
                rule_id=spec.rule_id,
                name=spec.name,
                kind=spec.kind,
                explanation=spec.explanation,
                legal_source=spec.legal_source,
                legal_source_url=spec.legal_source_url,
                mention_text=next(iter(keyword_lines(spec.mention_text)), "")
                if spec.kind == MENTION
                else "",
                matched=match.group(0).strip(),
            )
        )
    kinds = {hit.kind for hit in hits}
    action = next((kind for kind in _PRECEDENCE if kind in kinds), ALLOW)
    return WordingVerdict(action=action, hits=hits)


# -- the database side -------------------------------------------------------------------------


def rule_specs_for_ancestry(ancestry: Sequence[int]) -> list[RuleSpec]:
    """Every rule (active or not) of the product and of ``ancestry``: one query."""
    from django.db.models import Q

    from tandem.compliance.models import WordingRule

    rows = WordingRule.objects.filter(Q(node__isnull=True) | Q(node_id__in=list(ancestry)))
    return [RuleSpec.of(row) for row in rows]


def regional_bank_ancestry(regional_bank_id: int) -> list[int]:
    from tandem.organisation.models import Node

    path = Node.objects.filter(pk=regional_bank_id).values_list("path", flat=True).first()
    return [int(part) for part in (path or "").strip("/").split("/") if part]


def rules_for_regional_bank(regional_bank_id: int) -> list[CompiledRule]:
    """The compiled rules in force in a regional bank (two small queries; compiling is cached,
    and reading the rows every time means an edit is never served stale by another process)."""
    ancestry = regional_bank_ancestry(regional_bank_id)
    specs = resolve_rules(rule_specs_for_ancestry(ancestry), ancestry)
    return [compile_rule(spec) for spec in specs]


def wording_check(
    *, text: str, regional_bank_id: int, public: bool, subject: str = "reply"
) -> WordingVerdict:
    """Check an outbound ``text`` (``subject``: ``reply`` or ``post``) against the wording rules
    in force in ``regional_bank_id``. ``public``: a comment reply or a post, seen by everyone."""
    rules = rules_for_regional_bank(regional_bank_id)
    return evaluate(rules, text=text, public=public, subject=subject)


# -- the customer relationship -----------------------------------------------------------------

_DETERMINERS: Final = ("votre", "vos", "ton", "ta", "tes")
_HELD: Final = (
    "compte", "carte", "carte bancaire", "pret", "credit", "conseiller", "contrat", "livret",
    "decouvert", "autorisation de decouvert", "dossier", "solde", "epargne", "assurance vie",
    "assurance emprunteur", "pel", "cel", "pea", "virement", "prelevement", "cheque", "chequier",
    "echeance", "mensualite", "rib", "iban", "espace client", "demande de pret",
    "demande de credit", "situation bancaire", "situation financiere", "frais bancaires",
    "agence de", "agence d",
)  # fmt: skip
_RELATIONSHIP_PHRASES: Final = (
    "en tant que client", "etant client", "vous etes client", "vous etes bien client",
    "notre client", "nous avons consulte",
)  # fmt: skip
# Neutral uses: social-network accounts, non-bank cards, the usual redirect.
_RELATIONSHIP_EXCEPTIONS: Final = (
    *(
        f"{determiner} compte {network}"
        for determiner in ("votre", "ton")
        for network in (
            "facebook", "instagram", "whatsapp", "messenger", "meta", "google", "apple",
            "linkedin", "tiktok", "x",
        )
    ),
    *(
        f"{determiner} carte {kind}"
        for determiner in ("votre", "ta")
        for kind in ("d identite", "vitale", "grise", "d electeur", "de visite")
    ),
    "votre agence de proximite",
    "votre dossier de candidature",
)  # fmt: skip


@functools.cache
def _relationship_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    lines = [f"{determiner} {noun}" for determiner in _DETERMINERS for noun in _HELD]
    lines += list(_RELATIONSHIP_PHRASES)
    found = _phrases("\n".join(lines))
    exceptions = _phrases("\n".join(_RELATIONSHIP_EXCEPTIONS))
    assert found is not None  # constant input
    assert exceptions is not None
    return found, exceptions


def relationship_check(text: str) -> list[str]:
    """Phrases that, in a public reply, would confirm a customer relationship or a product
    held: ``"Votre prêt a été accordé"`` → ``["votre pret"]``. Empty: nothing found."""
    found, exceptions = _relationship_patterns()
    candidate = exceptions.sub(" ", normalise(text))
    phrases: list[str] = []
    for match in found.finditer(candidate):
        phrase = match.group(0)
        if phrase not in phrases:
            phrases.append(phrase)
    return phrases
