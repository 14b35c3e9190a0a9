"""Quick throughput and profile of ``detect`` and ``tandem scan``, for work on their speed.

(Not named ``profile.py``: this folder is first on ``sys.path`` when ``run.py`` runs, and a
``profile`` module here would hide the standard library's, which cProfile, and so spaCy, import.)

``run.py`` is the benchmark against Presidio; this is the tool for before/after comparisons while
changing the detectors. Everything runs pinned to one core (``taskset``-like, through
``os.sched_setaffinity``) and is measured in CPU time of that core, median of several passes, so
that other work on a shared machine counts as little as possible. Still, compare only numbers
taken in the same session, ideally interleaved (``--rounds``)::

    .venv/bin/python bench/scan/speed.py                       # detect + tandem scan
    .venv/bin/python bench/scan/speed.py --tree ../old-copy     # the same on another checkout
    .venv/bin/python bench/scan/speed.py --detectors           # time of each detector
    .venv/bin/python bench/scan/speed.py --cprofile 25         # where detect's time goes

``--tree`` points at another copy of the repository (for example the state before a change,
copied aside): its ``tandem`` package is imported instead of this one, with this repository's
virtualenv. Several ``--tree`` options are measured in turn, round after round.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

ROOT: Final = Path(__file__).resolve().parents[2]
PROJECT_PYTHON: Final = ROOT / ".venv" / "bin" / "python"

# Run inside the measured tree (its directory first on sys.path): detect's rate in-process.
_IN_PROCESS: Final = r"""
import json, statistics, sys, time
from tandem.compliance.corpus import generate_corpus
from tandem.compliance.detection import detect
size, seed, passes, detectors, cprofile = json.loads(sys.argv[1])
texts = [item["text"] for item in generate_corpus(size, seed)]
for text in texts:
    detect(text)
def timed(function, items):
    times = []
    for _ in range(passes):
        began = time.process_time()
        for item in items:
            function(item)
        times.append(time.process_time() - began)
    return statistics.median(times)
result = {"detect": len(texts) / timed(detect, texts)}
if detectors:
    from tandem.compliance.detection import accounts, cards, contact, credentials, identity
    from tandem.compliance.detection.normalisation import normalise
    normalised = [normalise(text) for text in texts]
    result["ms_per_detector"] = {
        name: 1000 * timed(function, normalised)
        for name, function in {
            "normalise": normalise, "find_ibans": accounts.find_ibans,
            "find_ribs": accounts.find_ribs, "find_cards": cards.find_cards,
            "find_nirs": identity.find_nirs, "find_phones": contact.find_phones,
            "find_emails": contact.find_emails, "find_secrets": credentials.find_secrets,
        }.items()
    }
if cprofile:
    import cProfile, io, pstats
    profiler = cProfile.Profile()
    profiler.enable()
    for text in texts:
        detect(text)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(cprofile)
    result["cprofile"] = out.getvalue()
print(json.dumps(result))
"""


def _pin() -> None:
    os.sched_setaffinity(0, {max(os.sched_getaffinity(0))})


def in_process(tree: Path, arguments: argparse.Namespace) -> dict[str, Any]:
    options = [
        arguments.size,
        arguments.seed,
        arguments.passes,
        arguments.detectors,
        arguments.cprofile,
    ]
    output = subprocess.run(
        [str(PROJECT_PYTHON), "-c", _IN_PROCESS, json.dumps(options)],
        cwd=tree,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, Any] = json.loads(output)
    return result


def _scan_cpu(tree: Path, source: Path | None) -> float:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base", "DEBUG": "true"}
    with (
        source.open("rb") if source else open(os.devnull, "rb") as stdin,
        open(os.devnull, "wb") as stdout,
    ):
        child = subprocess.Popen(
            [str(PROJECT_PYTHON), "-m", "tandem.cli", "scan"],
            stdin=stdin,
            stdout=stdout,
            env=environment,
            cwd=tree,
        )
        _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"tandem scan failed in {tree}")
    return usage.ru_utime + usage.ru_stime


def scan_command(tree: Path, source: Path, lines: int, runs: int) -> dict[str, float]:
    startup = statistics.median(_scan_cpu(tree, None) for _ in range(3))
    cpu = statistics.median(_scan_cpu(tree, source) for _ in range(runs))
    return {
        "scan": lines / cpu,
        "scan_without_startup": lines / (cpu - startup),
        "startup_cpu_s": startup,
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", type=Path, action="append", help="checkout(s) to measure")
    parser.add_argument("--size", type=int, default=3000, help="corpus size (default 3000)")
    parser.add_argument("--seed", type=int, help="corpus seed (default: the corpus default)")
    parser.add_argument("--passes", type=int, default=7, help="timed detect passes per round")
    parser.add_argument("--copies", type=int, default=30, help="corpus copies fed to tandem scan")
    parser.add_argument("--runs", type=int, default=3, help="tandem scan runs per round")
    parser.add_argument("--rounds", type=int, default=1, help="alternate the trees this often")
    parser.add_argument("--no-scan", action="store_true", help="skip the tandem scan command")
    parser.add_argument("--detectors", action="store_true", help="time each detector alone")
    parser.add_argument("--cprofile", type=int, default=0, metavar="N", help="top N functions")
    arguments = parser.parse_args(argv)
    _pin()
    sys.path.insert(0, str(ROOT))
    from tandem.compliance.corpus import DEFAULT_SEED, generate_corpus

    if arguments.seed is None:
        arguments.seed = DEFAULT_SEED
    trees = [tree.resolve() for tree in arguments.tree or [ROOT]]
    corpus = generate_corpus(arguments.size, arguments.seed)
    results: dict[Path, list[dict[str, Any]]] = {tree: [] for tree in trees}
    with tempfile.TemporaryDirectory() as directory:
        source = Path(directory) / "in.jsonl"
        one_copy = "".join(
            json.dumps({"id": item["id"], "text": item["text"]}, ensure_ascii=False) + "\n"
            for item in corpus
        )
        source.write_text(one_copy * arguments.copies, encoding="utf-8")
        for _ in range(arguments.rounds):
            for tree in trees:
                began = time.perf_counter()
                result = in_process(tree, arguments)
                if not arguments.no_scan:
                    lines = len(corpus) * arguments.copies
                    result.update(scan_command(tree, source, lines, arguments.runs))
                result["seconds"] = time.perf_counter() - began
                results[tree].append(result)
                print(tree, json.dumps({k: v for k, v in result.items() if k != "cprofile"}))
                if "cprofile" in result:
                    print(result["cprofile"])
    if arguments.rounds > 1 or len(trees) > 1:
        print("\nmedians over rounds (messages per CPU-second):")
        for tree, rounds in results.items():
            keys = [key for key in ("detect", "scan", "scan_without_startup") if key in rounds[0]]
            summary = {key: round(statistics.median(one[key] for one in rounds)) for key in keys}
            print(f"  {tree}: {summary}")


if __name__ == "__main__":
    main()
