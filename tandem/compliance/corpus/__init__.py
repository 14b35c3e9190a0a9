"""A deterministic, labelled corpus of French social-media messages to a bank, and its scoring.

``generate_corpus()`` builds messages the way customers write them on Facebook, Instagram and
WhatsApp (greetings, SMS spelling, emojis) around sensitive values of every kind and spelling the
detectors support, plus values with a broken checksum, the known false-positive traps (SIRET,
order and parcel numbers, amounts, dates, postcodes, references…) and clean messages. Each item
is ``{"id", "text", "findings": [{"kind", "start", "end"}]}`` with exact character offsets; the
id ends with the message's category (``msg-00042-trap``).

``evaluate(corpus)`` scores ``detect`` against the labels (typed: a true positive needs the same
kind and exactly the same span) and is shared with the benchmark; ``format_report`` prints it.
``python -m tandem.compliance.corpus [--size N] [--seed S]`` writes the corpus as JSON lines.

The corpus is written by the same people as the detectors, so its scores measure agreement with
the spellings and traps listed here, not field accuracy on real customer traffic.
"""

from __future__ import annotations

from tandem.compliance.corpus.generation import (
    DEFAULT_SEED,
    DEFAULT_SIZE,
    CorpusItem,
    Label,
    generate_corpus,
)
from tandem.compliance.corpus.scoring import Report, Score, evaluate, format_report
from tandem.compliance.corpus.values import Piece, Values

__all__ = [
    "DEFAULT_SEED",
    "DEFAULT_SIZE",
    "CorpusItem",
    "Label",
    "Piece",
    "Report",
    "Score",
    "Values",
    "evaluate",
    "format_report",
    "generate_corpus",
]
