"""Benchmark: ``tandem scan`` against Microsoft Presidio on the labelled French corpus.

Run from the repository root with the project's virtualenv (``python bench/scan/run.py`` also
works: it re-runs itself with ``.venv/bin/python`` when Tandem is not importable)::

    .venv/bin/python bench/scan/run.py                 # full run, about 3 minutes
    .venv/bin/python bench/scan/run.py --skip-presidio # Tandem only, a few seconds

What it does, everything pinned to one CPU core (``os.sched_setaffinity``, inherited by every
child process; BLAS/OpenMP threads limited to one):

1. generates the corpus (``generate_corpus()``: default size and seed);
2. Tandem in-process: ``detect`` on every message, one warm-up pass then ``--repeats`` timed
   passes, median;
3. Tandem as a command: the real ``python -m tandem.cli scan`` fed the corpus as JSON lines,
   repeated ``--copies`` times so that start-up does not dominate; its output is checked
   against in-process ``detect``; reported end to end and without the start-up time;
4. Presidio (``presidio-analyzer`` + spaCy ``fr_core_news_sm``, from the separate virtualenv
   ``bench/.venv-scan``, created and filled from ``bench/scan/requirements.txt`` on first use)
   with only its IBAN, credit-card, e-mail and phone recognisers for ``fr``: warm-up, then
   ``--presidio-repeats`` timed passes of ``AnalyzerEngine.analyze`` per message and of
   ``BatchAnalyzerEngine`` (spaCy ``nlp.pipe`` batches), medians; its findings on the whole
   corpus are scored;
5. typed precision/recall/F1 per kind (a hit needs the same kind and exact span): Tandem on all
   seven kinds, and both engines on the four kinds Presidio covers.

Throughput is messages/s and MB/s of message text (UTF-8 bytes of the ``text`` values) per
CPU-second of the pinned core (process CPU time; for the command, the child's user + system time
from ``os.wait4``), median of the passes. CPU time is what "on one core" means and does not count
the moments when other work on a shared machine held the core; wall-clock rates are printed and
recorded next to them. The results go to ``bench/results/scan-<date>.json`` (git-ignored) and a
Markdown table is printed for ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import importlib.metadata
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final

ROOT: Final = Path(__file__).resolve().parents[2]
BENCH_VENV: Final = ROOT / "bench" / ".venv-scan"
REQUIREMENTS: Final = Path(__file__).with_name("requirements.txt")
RESULTS: Final = ROOT / "bench" / "results"
PROJECT_PYTHON: Final = ROOT / ".venv" / "bin" / "python"

# Presidio entity → Tandem kind. Presidio has nothing for RIB, NIR or secrets.
PRESIDIO_KINDS: Final = {
    "IBAN_CODE": "iban",
    "CREDIT_CARD": "card",
    "EMAIL_ADDRESS": "email",
    "PHONE_NUMBER": "phone",
}
SHARED_KINDS: Final = ("iban", "card", "email", "phone")
# Presidio's PhoneRecognizer runs libphonenumber's matcher once per region; France is the region
# of this corpus (its default list has eight regions, France included, and costs more).
PHONE_REGIONS: Final = ("FR",)
PRESIDIO_BATCH_SIZE: Final = 64
TARGET_RATIO: Final = 200.0
TARGET_F1: Final = 0.97
ONE_THREAD: Final = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    # tldextract (Presidio's e-mail check) would download the public-suffix list; use its
    # bundled snapshot instead: no network during a benchmark.
    "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": "",
}


Pass = dict[str, float]  # {"cpu": seconds, "wall": seconds} of one timed pass


def _clock() -> tuple[float, float]:
    return time.process_time(), time.perf_counter()


def _since(start: tuple[float, float]) -> Pass:
    cpu, wall = _clock()
    return {"cpu": cpu - start[0], "wall": wall - start[1]}


def _rates(messages: int, megabytes: float, passes: Sequence[Pass]) -> dict[str, Any]:
    """Medians over passes. The headline rates are per CPU-second of the pinned core (process
    time): on a shared machine, wall time also counts the moments other work held the core."""
    cpu = statistics.median(one["cpu"] for one in passes)
    wall = statistics.median(one["wall"] for one in passes)
    return {
        "messages": messages,
        "passes": list(passes),
        "messages_per_second": messages / cpu,
        "megabytes_per_second": megabytes / cpu,
        "wall_messages_per_second": messages / wall,
        "wall_megabytes_per_second": megabytes / wall,
    }


def _megabytes(texts: Sequence[str]) -> float:
    return sum(len(text.encode("utf-8")) for text in texts) / 1_000_000


# --- Presidio worker (runs inside bench/.venv-scan; must not import Tandem) -----------------


def _presidio_engines() -> tuple[Any, Any]:
    import importlib.util

    if importlib.util.find_spec("fr_core_news_sm") is None:
        # Presidio would otherwise try to download the model at run time.
        raise SystemExit("fr_core_news_sm is not installed in this virtualenv")
    from presidio_analyzer import AnalyzerEngine, BatchAnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        EmailRecognizer,
        IbanRecognizer,
        PhoneRecognizer,
    )

    configuration = {
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "fr", "model_name": "fr_core_news_sm"}],
    }
    nlp_engine = NlpEngineProvider(nlp_configuration=configuration).create_engine()
    registry = RecognizerRegistry(supported_languages=["fr"])
    for recognizer in (
        IbanRecognizer(supported_language="fr"),
        CreditCardRecognizer(supported_language="fr"),
        EmailRecognizer(supported_language="fr"),
        PhoneRecognizer(supported_language="fr", supported_regions=PHONE_REGIONS),
    ):
        registry.add_recognizer(recognizer)
    engine = AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["fr"])
    return engine, BatchAnalyzerEngine(analyzer_engine=engine)


def presidio_worker(source: Path, target: Path, repeats: int, subset: int) -> None:
    """Time Presidio on the texts of ``source`` (JSON lines); write its findings to ``target``."""
    import tldextract

    if tldextract.tldextract.TLD_EXTRACTOR.suffix_list_urls:
        raise SystemExit("tldextract would fetch the public-suffix list over the network")
    with source.open(encoding="utf-8") as lines:
        texts: list[str] = [json.loads(line)["text"] for line in lines]
    entities = list(PRESIDIO_KINDS)
    started = time.perf_counter()
    engine, batch_engine = _presidio_engines()
    load_seconds = time.perf_counter() - started
    timed = texts[:subset] if subset else texts

    def per_message(items: Sequence[str]) -> list[Any]:
        return [engine.analyze(text=text, language="fr", entities=entities) for text in items]

    def batched(items: Sequence[str]) -> list[Any]:
        return batch_engine.analyze_iterator(
            list(items), language="fr", entities=entities, batch_size=PRESIDIO_BATCH_SIZE
        )

    modes: dict[str, Callable[[Sequence[str]], list[Any]]] = {
        "analyze": per_message,
        "batch": batched,
    }
    timings: dict[str, list[Pass]] = {}
    outputs: dict[str, list[Any]] = {}
    for name, run in modes.items():
        run(timed[:300])  # warm-up: lazy loading, caches
        timings[name] = []
        for _ in range(repeats):
            began = _clock()
            outputs[name] = run(timed)
            timings[name].append(_since(began))
    results = outputs["analyze"] if len(timed) == len(texts) else per_message(texts)
    findings = [
        sorted([PRESIDIO_KINDS[result.entity_type], result.start, result.end] for result in found)
        for found in results
    ]

    def spans(found: list[Any]) -> list[tuple[str, int, int]]:
        return sorted((result.entity_type, result.start, result.end) for result in found)

    same = all(
        spans(one) == spans(other)
        for one, other in zip(outputs["analyze"], outputs["batch"], strict=True)
    )
    packages = ("presidio-analyzer", "spacy", "fr-core-news-sm", "thinc", "numpy", "phonenumbers")
    report = {
        "python": platform.python_version(),
        "packages": {name: importlib.metadata.version(name) for name in packages},
        "affinity": sorted(os.sched_getaffinity(0)),
        "load_seconds": load_seconds,
        "timed_messages": len(timed),
        "seconds": timings,
        "batch_and_analyze_agree": same,
        "findings": findings,
    }
    target.write_text(json.dumps(report), encoding="utf-8")


# --- Orchestration (runs with the project's virtualenv) -------------------------------------


def _ensure_project_python() -> None:
    try:
        import tandem.compliance.corpus  # noqa: F401
    except ImportError:
        if PROJECT_PYTHON.exists() and Path(sys.executable) != PROJECT_PYTHON:
            raise SystemExit(subprocess.call([PROJECT_PYTHON, __file__, *sys.argv[1:]])) from None
        raise SystemExit(
            "Tandem is not importable: run `make install`, then this script with .venv/bin/python"
        ) from None


def _pin_to_one_core() -> int:
    core = max(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    os.environ.update(ONE_THREAD)
    return core


def ensure_bench_venv() -> Path:
    """Create ``bench/.venv-scan`` and install the pinned requirements when needed."""
    python = BENCH_VENV / "bin" / "python"
    stamp = BENCH_VENV / ".requirements.sha256"
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if python.exists() and stamp.exists() and stamp.read_text().strip() == digest:
        return python
    print(f"setting up {BENCH_VENV.relative_to(ROOT)} from {REQUIREMENTS.relative_to(ROOT)}…")
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
        # Keep the virtualenv out of git and of ruff, whatever the top-level .gitignore says.
        (BENCH_VENV / ".gitignore").write_text("*\n")
    pip = [str(python), "-m", "pip", "--disable-pip-version-check", "install", "--quiet"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-r", str(REQUIREMENTS)], check=True)
    stamp.write_text(digest + "\n")
    return python


def measure_detect(texts: Sequence[str], repeats: int) -> dict[str, Any]:
    from tandem.compliance.detection import detect

    for text in texts:  # warm-up: compiled patterns, phonenumbers metadata, caches
        detect(text)
    passes = []
    for _ in range(repeats):
        began = _clock()
        for text in texts:
            detect(text)
        passes.append(_since(began))
    return _rates(len(texts), _megabytes(texts), passes)


def _run_scan_command(source: Path | None, target: Path) -> Pass:
    """One run of ``tandem scan``; its CPU time comes from the kernel's accounting of the child."""
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.base", "DEBUG": "true"}
    command = [sys.executable, "-m", "tandem.cli", "scan"]
    with (
        source.open("rb") if source else open(os.devnull, "rb") as stdin,
        target.open("wb") as stdout,
    ):
        began = time.perf_counter()
        child = subprocess.Popen(command, stdin=stdin, stdout=stdout, env=environment, cwd=ROOT)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - began
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"tandem scan failed with exit status {child.returncode}")
    return {"cpu": usage.ru_utime + usage.ru_stime, "wall": wall}


def measure_command(corpus: Sequence[Any], repeats: int, copies: int) -> dict[str, Any]:
    """The real ``tandem scan`` in a child process, on the corpus repeated ``copies`` times."""
    from tandem.compliance.detection import detect

    with tempfile.TemporaryDirectory() as directory:
        source, target = Path(directory) / "in.jsonl", Path(directory) / "out.jsonl"
        one_copy = "".join(
            json.dumps({"id": item["id"], "text": item["text"]}, ensure_ascii=False) + "\n"
            for item in corpus
        ).encode()
        source.write_bytes(one_copy * copies)
        startup = [_run_scan_command(None, target) for _ in range(3)]
        passes = [_run_scan_command(source, target) for _ in range(repeats)]
        with target.open(encoding="utf-8") as output:
            first = [json.loads(next(output)) for _ in corpus]
            lines = len(corpus) + sum(1 for _ in output)
    expected = [[finding.as_dict() for finding in detect(item["text"])] for item in corpus]
    if lines != len(corpus) * copies or [line["findings"] for line in first] != expected:
        raise SystemExit("tandem scan's output differs from detect(): the benchmark is void")
    messages = len(corpus) * copies
    megabytes = _megabytes([item["text"] for item in corpus]) * copies
    startup_cost = {key: statistics.median(one[key] for one in startup) for key in ("cpu", "wall")}
    steady = [{key: one[key] - startup_cost[key] for key in one} for one in passes]
    return {
        **_rates(messages, megabytes, passes),
        "input_megabytes_json": len(one_copy) * copies / 1_000_000,
        "startup": startup_cost,
        "without_startup": _rates(messages, megabytes, steady),
    }


def measure_presidio(texts: Sequence[str], repeats: int, subset: int) -> dict[str, Any]:
    python = ensure_bench_venv()
    with tempfile.TemporaryDirectory() as directory:
        source, target = Path(directory) / "texts.jsonl", Path(directory) / "presidio.json"
        source.write_text(
            "".join(json.dumps({"text": text}, ensure_ascii=False) + "\n" for text in texts),
            encoding="utf-8",
        )
        command = [str(python), __file__, "--presidio-worker", str(source), str(target)]
        command += ["--presidio-repeats", str(repeats), "--presidio-subset", str(subset)]
        subprocess.run(command, env={**os.environ, **ONE_THREAD}, cwd=ROOT, check=True)
        report: dict[str, Any] = json.loads(target.read_text(encoding="utf-8"))
    timed = texts[: report["timed_messages"]]
    for mode, passes in report.pop("seconds").items():
        report[mode] = _rates(len(timed), _megabytes(timed), passes)
    return report


def _score(
    corpus: Sequence[Any], detector: Callable[[str], list[Any]], kinds: Sequence[str]
) -> Any:
    from tandem.compliance.corpus import evaluate

    restricted = [
        {**item, "findings": [label for label in item["findings"] if label["kind"] in kinds]}
        for item in corpus
    ]
    report = evaluate(restricted, lambda text: [f for f in detector(text) if f.kind in kinds])
    report["kinds"] = {kind: report["kinds"][kind] for kind in kinds}
    report.pop("mismatches")
    return report


def score_all(corpus: Sequence[Any], presidio: dict[str, Any] | None) -> dict[str, Any]:
    from tandem.compliance.detection import KINDS, Finding, detect

    scores = {
        "tandem_all_kinds": _score(corpus, detect, KINDS),
        "tandem_shared_kinds": _score(corpus, detect, SHARED_KINDS),
    }
    if presidio is not None:
        by_text = {
            item["text"]: [Finding(kind, start, end) for kind, start, end in found]
            for item, found in zip(corpus, presidio.pop("findings"), strict=True)
        }
        scores["presidio_shared_kinds"] = _score(corpus, by_text.__getitem__, SHARED_KINDS)
    return scores


def machine() -> dict[str, Any]:
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as info:
        memory_kb = int(next(line for line in info if line.startswith("MemTotal")).split()[1])
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(memory_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def _row(name: str, rates: dict[str, Any], f1_shared: float, f1_all: str, ratio: str) -> str:
    return (
        f"| {name} | {rates['messages_per_second']:,.0f} | {rates['megabytes_per_second']:.3f} "
        f"| {rates['wall_messages_per_second']:,.0f} | {f1_shared:.4f} | {f1_all} | {ratio} |"
    )


def markdown(results: dict[str, Any]) -> str:
    scores, tandem = results["scores"], results["tandem"]
    presidio = results.get("presidio")
    reference = presidio["analyze"]["messages_per_second"] if presidio else None

    def ratio(rate: float) -> str:
        return f"{rate / reference:,.0f}x" if reference else "n/a"

    f1_all = f"{scores['tandem_all_kinds']['overall']['f1']:.4f}"
    f1_tandem = scores["tandem_shared_kinds"]["overall"]["f1"]
    without_startup = tandem["command"]["without_startup"]
    lines = [
        (
            "| engine (one core) | messages/s | MB/s | messages/s (wall clock) "
            "| typed F1, 4 shared kinds | typed F1, all 7 kinds | x Presidio `analyze` |"
        ),
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        _row(
            "Tandem `detect` (in-process)",
            tandem["detect"],
            f1_tandem,
            f1_all,
            ratio(tandem["detect"]["messages_per_second"]),
        ),
        _row(
            "`tandem scan` (subprocess, end to end)",
            tandem["command"],
            f1_tandem,
            f1_all,
            ratio(tandem["command"]["messages_per_second"]),
        ),
        _row(
            "`tandem scan` (subprocess, without start-up)",
            without_startup,
            f1_tandem,
            f1_all,
            ratio(without_startup["messages_per_second"]),
        ),
    ]
    if presidio:
        f1_presidio = scores["presidio_shared_kinds"]["overall"]["f1"]
        lines += [
            _row(
                "Presidio `AnalyzerEngine.analyze` per message",
                presidio["analyze"],
                f1_presidio,
                "n/a (no rib, fr_nir, secret)",
                "1x",
            ),
            _row(
                f"Presidio `BatchAnalyzerEngine` (batches of {PRESIDIO_BATCH_SIZE})",
                presidio["batch"],
                f1_presidio,
                "n/a",
                ratio(presidio["batch"]["messages_per_second"]),
            ),
        ]
    return "\n".join(lines)


def per_kind_table(scores: dict[str, Any]) -> str:
    names = [name for name in ("tandem_all_kinds", "presidio_shared_kinds") if name in scores]
    header = f"{'kind':<8}" + "".join(f" | {name:^26}" for name in names)
    lines = [header, f"{'':<8}" + " | precision recall    F1   " * len(names)]
    for kind in scores["tandem_all_kinds"]["kinds"]:
        cells = []
        for name in names:
            score = scores[name]["kinds"].get(kind)
            cells.append(
                f" | {score['precision']:>9.4f} {score['recall']:>6.4f} {score['f1']:>6.4f}  "
                if score
                else f" | {'—':^26}"
            )
        lines.append(f"{kind:<8}" + "".join(cells))
    for name, label in (("tandem_shared_kinds", "Tandem"), ("presidio_shared_kinds", "Presidio")):
        if name in scores:
            overall = scores[name]["overall"]
            lines.append(
                f"{label} on {', '.join(SHARED_KINDS)}: precision {overall['precision']:.4f} "
                f"recall {overall['recall']:.4f} F1 {overall['f1']:.4f} "
                f"(support {overall['support']}, tp {overall['tp']}, fp {overall['fp']}, "
                f"fn {overall['fn']})"
            )
    overall = scores["tandem_all_kinds"]["overall"]
    lines.append(
        f"Tandem on all kinds: precision {overall['precision']:.4f} recall "
        f"{overall['recall']:.4f} F1 {overall['f1']:.4f} (support {overall['support']})"
    )
    return "\n".join(lines)


def verdict(results: dict[str, Any]) -> str:
    """The target of the issue: ``tandem scan`` at ≥ 200x Presidio's throughput, typed F1 ≥ 0.97.

    The headline compares the real command, end to end (start-up, JSON in and out included),
    with Presidio's ordinary per-message ``analyze``; the other ratios are recorded beside it.
    """
    presidio = results.get("presidio")
    f1 = results["scores"]["tandem_all_kinds"]["overall"]["f1"]
    if not presidio:
        return f"typed F1 {f1:.4f} (target ≥ {TARGET_F1}); Presidio not measured"
    tandem = results["tandem"]
    analyze = presidio["analyze"]["messages_per_second"]
    batch = presidio["batch"]["messages_per_second"]
    ratios = {
        "tandem scan vs analyze": tandem["command"]["messages_per_second"] / analyze,
        "tandem scan without start-up vs analyze": tandem["command"]["without_startup"][
            "messages_per_second"
        ]
        / analyze,
        "detect vs analyze": tandem["detect"]["messages_per_second"] / analyze,
        "tandem scan vs batch": tandem["command"]["messages_per_second"] / batch,
        "detect vs batch": tandem["detect"]["messages_per_second"] / batch,
    }
    results["ratios"] = ratios
    met = ratios["tandem scan vs analyze"] >= TARGET_RATIO and f1 >= TARGET_F1
    described = ", ".join(f"{name} {value:,.0f}x" for name, value in ratios.items())
    return (
        f"target: tandem scan ≥ {TARGET_RATIO:.0f}x Presidio at typed F1 ≥ {TARGET_F1}: "
        f"{'MET' if met else 'NOT MET'} — {described}; typed F1 {f1:.4f}"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeats", type=int, default=5, help="timed passes for Tandem")
    parser.add_argument("--copies", type=int, default=30, help="corpus copies fed to the command")
    parser.add_argument("--presidio-repeats", type=int, default=3)
    parser.add_argument(
        "--presidio-subset",
        type=int,
        default=0,
        help="time Presidio on the first N messages only "
        "(0: all); its F1 is always computed on the whole corpus",
    )
    parser.add_argument("--skip-presidio", action="store_true")
    parser.add_argument("--setup-only", action="store_true", help="create bench/.venv-scan, exit")
    parser.add_argument("--presidio-worker", nargs=2, type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    if arguments.presidio_worker:
        source, target = arguments.presidio_worker
        presidio_worker(source, target, arguments.presidio_repeats, arguments.presidio_subset)
        return
    if arguments.setup_only:
        ensure_bench_venv()
        return
    _ensure_project_python()
    from tandem.compliance.corpus import DEFAULT_SEED, DEFAULT_SIZE, generate_corpus

    core = _pin_to_one_core()
    started = time.perf_counter()
    # The machine may be shared: record how busy it was, since other work skews every number.
    load_before = os.getloadavg()
    corpus = generate_corpus()
    texts = [item["text"] for item in corpus]
    print(f"corpus: {len(corpus)} messages, {_megabytes(texts):.3f} MB of text; core {core}")
    tandem = {"detect": measure_detect(texts, arguments.repeats)}
    print(f"tandem detect: {tandem['detect']['messages_per_second']:,.0f} messages/s")
    tandem["command"] = measure_command(corpus, arguments.repeats, arguments.copies)
    print(f"tandem scan: {tandem['command']['messages_per_second']:,.0f} messages/s")
    presidio = None
    if not arguments.skip_presidio:
        presidio = measure_presidio(texts, arguments.presidio_repeats, arguments.presidio_subset)
        print(f"presidio analyze: {presidio['analyze']['messages_per_second']:,.1f} messages/s")
    results: dict[str, Any] = {
        "date": datetime.date.today().isoformat(),
        "machine": {**machine(), "pinned_core": core},
        "tandem_packages": {
            name: importlib.metadata.version(name)
            for name in ("django", "phonenumbers", "python-stdnum")
        },
        "corpus": {
            "messages": len(corpus),
            "seed": DEFAULT_SEED,
            "size": DEFAULT_SIZE,
            "text_megabytes": _megabytes(texts),
        },
        "tandem": tandem,
        "presidio": presidio,
        "presidio_configuration": {
            "nlp_engine": "spacy fr_core_news_sm",
            "recognizers": list(PRESIDIO_KINDS),
            "phone_regions": PHONE_REGIONS,
            "batch_size": PRESIDIO_BATCH_SIZE,
            "score_threshold": "Presidio's default",
        },
    }
    results["scores"] = score_all(corpus, presidio)
    summary = verdict(results)
    results["wall_seconds"] = time.perf_counter() - started
    results["machine"]["load_average_1_5_15_min"] = {
        "before": load_before,
        "after": os.getloadavg(),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"scan-{results['date']}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print("\nTyped precision / recall / F1 per kind\n" + per_kind_table(results["scores"]))
    print("\n" + markdown(results) + "\n\n" + summary)
    load = results["machine"]["load_average_1_5_15_min"]
    print(f"\nload average before {load['before'][0]:.2f}, after {load['after'][0]:.2f}")
    print(f"results: {path.relative_to(ROOT)} ({results['wall_seconds']:.0f} s)")


if __name__ == "__main__":
    main()
