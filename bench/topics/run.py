"""Benchmark: topic and urgency detection (``tandem.inbox.topics.detect``) on one core.

Run from the repository root: ``.venv/bin/python bench/topics/run.py``. Messages come from the
labelled table of ``tandem/inbox/tests/topic_messages.py``: as written (short social messages),
then joined five and twenty at a time (long messages). Rates are messages per CPU-second of
this process (``time.process_time``), best of three passes after a warm-up; the rules are the
defaults, compiled once (the compilation time is printed apart).
"""

from __future__ import annotations

import random
import statistics
import time

from tandem.inbox.tests.topic_messages import HELD_OUT, HELD_OUT_2, KNOWN_MISSES, MESSAGES
from tandem.inbox.topics import DEFAULT_RULES, _compile_rules, detect, normalise

PASSES = 3


def _rate(function, messages: list[str]) -> float:
    for message in messages[:1000]:
        function(message)
    best = float("inf")
    for _ in range(PASSES):
        started = time.process_time()
        for message in messages:
            function(message)
        best = min(best, time.process_time() - started)
    return len(messages) / best


def main() -> None:
    texts = [row[0] for row in (*MESSAGES, *HELD_OUT, *HELD_OUT_2, *KNOWN_MISSES)]
    rng = random.Random(7)
    sets = {
        "as written": [rng.choice(texts) for _ in range(50_000)],
        "5 joined": [" ".join(rng.sample(texts, 5)) for _ in range(20_000)],
        "20 joined": [" ".join(rng.sample(texts, 20)) for _ in range(5_000)],
    }
    started = time.process_time()
    _compile_rules(DEFAULT_RULES)
    compile_ms = (time.process_time() - started) * 1000
    print(f"compiling the {len(DEFAULT_RULES)} default rules: {compile_ms:.1f} ms")
    print("| messages | mean chars | normalise msg/s | detect msg/s | detect µs/msg |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, messages in sets.items():
        mean = statistics.mean(len(message) for message in messages)
        normalised = _rate(normalise, messages)
        detected = _rate(detect, messages)
        print(
            f"| {name} | {mean:.0f} | {normalised:,.0f} | {detected:,.0f} | {1e6 / detected:.1f} |"
        )


if __name__ == "__main__":
    main()
