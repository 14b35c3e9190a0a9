"""Typed scoring of a detector against the labelled corpus (shared with the benchmark)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TypedDict

from tandem.compliance.corpus.generation import CorpusItem
from tandem.compliance.detection import KINDS, Finding, detect

# --- Scoring ---------------------------------------------------------------------------------


class Score(TypedDict):
    support: int
    tp: int
    fp: int
    fn: int
    precision: float
    recall: float
    f1: float


class Report(TypedDict):
    messages: int
    seconds: float
    messages_per_second: float
    kinds: dict[str, Score]
    overall: Score
    mismatches: list[dict[str, object]]


def _score(tp: int, fp: int, fn: int) -> Score:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"support": tp + fn, "tp": tp, "fp": fp, "fn": fn,
            "precision": precision, "recall": recall, "f1": f1}  # fmt: skip


def evaluate(
    corpus: Sequence[CorpusItem],
    detector: Callable[[str], list[Finding]] = detect,
    max_mismatches: int = 50,
) -> Report:
    """Typed precision, recall and F1 per kind and overall (micro-averaged), plus throughput.

    A detection is a true positive only when its kind *and* its exact span match a label.
    ``seconds`` counts only time spent inside ``detector``.
    """
    counts = {kind: [0, 0, 0] for kind in KINDS}  # tp, fp, fn
    mismatches: list[dict[str, object]] = []
    seconds = 0.0
    for item in corpus:
        started = time.perf_counter()
        found = detector(item["text"])
        seconds += time.perf_counter() - started
        expected = {(label["kind"], label["start"], label["end"]) for label in item["findings"]}
        actual = {(finding.kind, finding.start, finding.end) for finding in found}
        for kind, _, _ in expected & actual:
            counts[kind][0] += 1
        for kind, _, _ in actual - expected:
            counts.setdefault(kind, [0, 0, 0])[1] += 1
        for kind, _, _ in expected - actual:
            counts[kind][2] += 1
        if expected != actual and len(mismatches) < max_mismatches:
            mismatches.append({"id": item["id"], "text": item["text"],
                               "missed": sorted(expected - actual),
                               "unexpected": sorted(actual - expected)})  # fmt: skip
    kinds = {kind: _score(*totals) for kind, totals in counts.items()}
    overall = _score(*(sum(totals[index] for totals in counts.values()) for index in range(3)))
    return {
        "messages": len(corpus),
        "seconds": seconds,
        "messages_per_second": len(corpus) / seconds if seconds else 0.0,
        "kinds": kinds,
        "overall": overall,
        "mismatches": mismatches,
    }


def format_report(report: Report) -> str:
    """The report as a fixed-width table (one line per kind, then the overall line)."""
    columns = ("support", "tp", "fp", "fn", "precision", "recall", "F1")
    widths = (7, 6, 5, 5, 9, 7, 6)
    header = f"{'kind':<8} " + " ".join(
        f"{name:>{width}}" for name, width in zip(columns, widths, strict=True)
    )
    lines = [header, "-" * len(header)]
    rows = [*report["kinds"].items(), ("overall", report["overall"])]
    for kind, score in rows:
        lines.append(
            f"{kind:<8} {score['support']:>7} {score['tp']:>6} {score['fp']:>5} {score['fn']:>5} "
            f"{score['precision']:>9.4f} {score['recall']:>7.4f} {score['f1']:>6.4f}"
        )
    lines.append(
        f"{report['messages']} messages in {report['seconds']:.3f} s of detection "
        f"= {report['messages_per_second']:,.0f} messages/s"
    )
    return "\n".join(lines)
