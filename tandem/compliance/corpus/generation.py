"""Assembling labelled messages from templates and values, deterministically."""

from __future__ import annotations

import random
import re
from typing import Final, TypedDict

from tandem.compliance.corpus.templates import CATEGORY_SHARES, GREETINGS, SIGN_OFFS, TEMPLATES
from tandem.compliance.corpus.values import Piece, Values

DEFAULT_SEED: Final = 20240917
DEFAULT_SIZE: Final = 3000


class Label(TypedDict):
    kind: str
    start: int
    end: int


class CorpusItem(TypedDict):
    id: str
    text: str
    findings: list[Label]


_PLACEHOLDER: Final = re.compile(r"\{(\w+)\}")
_UNACCENT: Final = str.maketrans("éèêëàâäçîïôöùûü", "eeeeaaaciioouuu")
_GENERATORS: Final[dict[str, str]] = {
    "iban_bad": "iban_invalid", "card_bad": "card_invalid", "rib_bad": "rib_invalid",
    "nir_bad": "nir_invalid", "time": "time_of_day",
}  # fmt: skip


def _restyle(literal: str, style: int) -> str:
    """Vary how customers type the words around the values (never the values themselves)."""
    if style == 1:
        literal = literal.translate(_UNACCENT)
    elif style == 2:
        literal = literal.lower()
    elif style == 3:
        literal = literal.upper()
    elif style == 4:
        literal = literal.replace("'", "\u2019")
    return literal


def _render(template: str, values: Values, style: int) -> tuple[str, list[Label]]:
    text_parts: list[str] = []
    labels: list[Label] = []
    length = 0
    for index, chunk in enumerate(_PLACEHOLDER.split(template)):
        if index % 2 == 0:
            piece = Piece(_restyle(chunk, style), None)
        else:
            piece = getattr(values, _GENERATORS.get(chunk, chunk))()
        if piece.kind is not None:
            labels.append({"kind": piece.kind, "start": length, "end": length + len(piece.text)})
        text_parts.append(piece.text)
        length += len(piece.text)
    return "".join(text_parts), labels


def _message(category: str, values: Values) -> tuple[str, list[Label]]:
    rng = values.rng
    template = rng.choice(TEMPLATES[category])
    if template[0] != "{" or rng.random() < 0.5:
        template = rng.choice(GREETINGS) + template + rng.choice(SIGN_OFFS)
    style = rng.choices(range(5), weights=(60, 12, 10, 4, 14))[0]
    return _render(template, values, style)


def generate_corpus(size: int = DEFAULT_SIZE, seed: int = DEFAULT_SEED) -> list[CorpusItem]:
    """Build ``size`` labelled messages; the same ``seed`` always gives the same corpus."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not a secret
    values = Values(rng)
    categories: list[str] = []
    for category, share in CATEGORY_SHARES.items():
        categories += [category] * round(size * share)
    categories = (categories + ["clean"] * size)[:size]
    rng.shuffle(categories)
    corpus: list[CorpusItem] = []
    for number, category in enumerate(categories, start=1):
        text, labels = _message(category, values)
        corpus.append({"id": f"msg-{number:05d}-{category}", "text": text, "findings": labels})
    return corpus
