"""``tandem scan``: JSON lines in, findings out, aligned line for line, in constant memory.

These tests take no ``db`` fixture, so pytest-django fails any of them that touches the
database; the subprocess tests point ``DATABASE_URL`` at a file that must never appear.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tandem.compliance.corpus import CorpusItem, generate_corpus
from tandem.compliance.detection import detect

IBAN = "FR76 3000 6000 0112 3456 7890 189"
PHONE = "06 12 34 56 78"
EMAIL = "élodie.martin@exemple.fr"
MAX_RSS_BYTES = 150 * 1024 * 1024
MAX_RSS_GROWTH_BYTES = 20 * 1024 * 1024


@pytest.fixture(scope="module")
def corpus() -> list[CorpusItem]:
    return generate_corpus()


def jsonl(*records: object) -> bytes:
    return b"".join(json.dumps(record, ensure_ascii=False).encode() + b"\n" for record in records)


def corpus_input(corpus: list[CorpusItem]) -> bytes:
    return jsonl(*({"id": item["id"], "text": item["text"]} for item in corpus))


def expected_output(corpus: list[CorpusItem]) -> list[dict[str, object]]:
    return [
        {"id": item["id"], "findings": [finding.as_dict() for finding in detect(item["text"])]}
        for item in corpus
    ]


def scan(data: bytes, *arguments: str, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], str]:
    """Run the command in-process on ``data`` as stdin; the output lines and the error, if any."""
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    stdout = io.StringIO()
    error = ""
    try:
        call_command("scan", *arguments, stdout=stdout)
    except CommandError as command_error:
        error = str(command_error)
    return stdout.getvalue().splitlines(), error


def child_environment(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "true",
        # Never migrated, never created: the command must not open the database.
        "DATABASE_URL": f"sqlite:///{tmp_path / 'never-created.sqlite3'}",
    }


def scan_in_child(
    data: bytes, tmp_path: Path, *arguments: str
) -> subprocess.CompletedProcess[bytes]:
    result = subprocess.run(
        [sys.executable, "-m", "tandem.cli", "scan", *arguments],
        input=data,
        capture_output=True,
        env=child_environment(tmp_path),
        timeout=120,
        check=False,
    )
    assert not (tmp_path / "never-created.sqlite3").exists()
    return result


def test_call_command_round_trip_on_the_corpus(
    corpus: list[CorpusItem], monkeypatch: pytest.MonkeyPatch
) -> None:
    lines, error = scan(corpus_input(corpus), monkeypatch=monkeypatch)
    assert error == ""
    assert len(corpus) >= 2000
    assert [json.loads(line) for line in lines] == expected_output(corpus)
    assert sum(bool(json.loads(line)["findings"]) for line in lines) > 1000


def test_output_is_compact_utf8_json_written_as_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    stdout_bytes = io.BytesIO()
    monkeypatch.setattr("sys.stdout", io.TextIOWrapper(stdout_bytes, encoding="ascii"))
    monkeypatch.setattr(
        "sys.stdin", io.TextIOWrapper(io.BytesIO(jsonl({"id": "é😀", "text": EMAIL})))
    )
    call_command("scan")
    sys.stdout.flush()
    end = len(EMAIL)
    expected = '{"id":"é😀","findings":[{"kind":"email","start":0,"end":' + f"{end}}}]}}\n"
    # UTF-8 bytes whatever the text layer's encoding, without spaces or \u escapes.
    assert stdout_bytes.getvalue() == expected.encode()


def test_ids_are_echoed_as_given(monkeypatch: pytest.MonkeyPatch) -> None:
    identifiers: list[object] = [7, 2.5, "abc", None, True, [1, "a"], {"page": "p", "n": 1}, "é"]
    records = [{"id": identifier, "text": PHONE} for identifier in identifiers]
    lines, error = scan(jsonl(*records, {"text": PHONE}), monkeypatch=monkeypatch)
    assert error == ""
    assert [json.loads(line)["id"] for line in lines] == [*identifiers, None]
    phone = {"kind": "phone", "start": 0, "end": len(PHONE)}
    assert all(json.loads(line)["findings"] == [phone] for line in lines)


def test_lone_surrogate_in_an_id_is_echoed_as_an_escape(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = b'{"id": "x\\ud800", "text": "rien"}\n'
    lines, _ = scan(data, monkeypatch=monkeypatch)
    assert json.loads(lines[0]) == {"id": "x\ud800", "findings": []}
    result = scan_in_child(data, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == b'{"id":"x\\ud800","findings":[]}\n'


def astral_text() -> str:
    # Emoji (one code point, two UTF-16 units), a family (several code points joined by ZWJ),
    # a mathematical letter, a flag, all before the values.
    return f"😀😀 {IBAN} 👨\u200d👩\u200d👧 tél {PHONE} 𝔘𝔫 🇫🇷 mail {EMAIL} 🙏"  # noqa: RUF001


def check_astral_findings(text: str, findings: list[dict[str, object]]) -> None:
    assert findings == [
        {"kind": "iban", "start": text.index(IBAN), "end": text.index(IBAN) + len(IBAN)},
        {"kind": "phone", "start": text.index(PHONE), "end": text.index(PHONE) + len(PHONE)},
        {"kind": "email", "start": text.index(EMAIL), "end": text.index(EMAIL) + len(EMAIL)},
    ]
    assert text.index(IBAN) == 3  # code points: each emoji counts as one


def test_offsets_count_characters_with_emoji_and_astral_characters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = astral_text()
    # Raw UTF-8, and the same text with every non-ASCII character as a JSON \u escape (astral
    # ones as surrogate pairs): both decode to the same string, so the offsets are the same.
    raw = jsonl({"id": 1, "text": text})
    escaped = (json.dumps({"id": 2, "text": text}, ensure_ascii=True) + "\n").encode()
    assert b"\\ud83d\\ude00" in escaped
    lines, error = scan(raw + escaped, monkeypatch=monkeypatch)
    assert error == ""
    for line in lines:
        check_astral_findings(text, json.loads(line)["findings"])

    result = scan_in_child(raw + escaped, tmp_path)
    assert result.returncode == 0, result.stderr
    for line in result.stdout.decode().splitlines():
        check_astral_findings(text, json.loads(line)["findings"])


def test_bad_lines_are_reported_in_place(monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"".join(
        [
            jsonl({"id": "ok-1", "text": PHONE}),
            b"{not json\n",
            b"[1, 2]\n",
            b'{"id": "no-text"}\n',
            b'{"id": {"k": 1}, "text": 42}\n',
            b'{"id": "latin-1", "text": "caf\xe9"}\n',
            b"\n",
            b'{"id": "nan", "text": NaN}\n',
            jsonl({"id": "ok-2", "text": f"IBAN {IBAN}"}),
        ]
    )
    lines, error = scan(data, monkeypatch=monkeypatch)
    output = [json.loads(line) for line in lines]
    assert len(output) == 9
    assert output[0] == {"id": "ok-1", "findings": [{"kind": "phone", "start": 0, "end": 14}]}
    assert output[1] == {"id": None, "error": output[1]["error"], "line": 2}
    assert output[1]["error"].startswith("invalid JSON")
    assert output[2] == {"id": None, "error": "not a JSON object but an array", "line": 3}
    assert output[3] == {"id": "no-text", "error": 'missing "text"', "line": 4}
    assert output[4] == {
        "id": {"k": 1},
        "error": '"text" must be a string, not a number',
        "line": 5,
    }
    assert output[5] == {"id": None, "error": "invalid UTF-8 at byte 31 of the line", "line": 6}
    assert output[6] == {"id": None, "error": "empty line", "line": 7}
    assert output[7]["line"] == 8
    assert "NaN" in output[7]["error"]
    assert output[8]["findings"] == [{"kind": "iban", "start": 5, "end": 5 + len(IBAN)}]
    assert error.startswith("7 bad line(s) out of 9 (first: line 2: invalid JSON")


def test_fail_fast_stops_at_the_first_bad_line(monkeypatch: pytest.MonkeyPatch) -> None:
    data = jsonl({"id": 1, "text": PHONE}) + b"oops\n" + jsonl({"id": 3, "text": PHONE})
    lines, error = scan(data, "--fail-fast", monkeypatch=monkeypatch)
    assert [json.loads(line).get("line") for line in lines] == [None, 2]
    assert error.startswith("stopped at the first bad line (line 2: invalid JSON")


def test_overlong_lines_are_skipped_without_being_held(monkeypatch: pytest.MonkeyPatch) -> None:
    long_line = jsonl({"id": "long", "text": "a" * 5000})
    data = long_line + jsonl({"id": "next", "text": PHONE}) + long_line.rstrip(b"\n")
    lines, error = scan(data, "--max-line-bytes", "1000", monkeypatch=monkeypatch)
    output = [json.loads(line) for line in lines]
    assert output[0] == {"id": None, "error": "line longer than 1000 bytes", "line": 1}
    assert output[1]["id"] == "next"
    assert output[1]["findings"] == [{"kind": "phone", "start": 0, "end": 14}]
    assert output[2] == {"id": None, "error": "line longer than 1000 bytes", "line": 3}
    assert error.startswith("2 bad line(s) out of 3")


def test_crlf_line_ends_a_bom_and_a_missing_final_newline(monkeypatch: pytest.MonkeyPatch) -> None:
    data = (
        "\ufeff"
        + json.dumps({"id": 1, "text": PHONE})
        + "\r\n"
        + json.dumps({"id": 2, "text": PHONE})
    )
    lines, error = scan(data.encode(), monkeypatch=monkeypatch)
    assert error == ""
    assert [json.loads(line)["id"] for line in lines] == [1, 2]
    assert all(json.loads(line)["findings"] for line in lines)


def test_batches_are_flushed_and_empty_input_gives_empty_output(
    corpus: list[CorpusItem], monkeypatch: pytest.MonkeyPatch
) -> None:
    sample = corpus[:25]
    lines, error = scan(corpus_input(sample), "--batch-size", "7", monkeypatch=monkeypatch)
    assert error == ""
    assert [json.loads(line) for line in lines] == expected_output(sample)
    assert scan(b"", monkeypatch=monkeypatch) == ([], "")


def test_tandem_scan_subprocess_round_trip(corpus: list[CorpusItem], tmp_path: Path) -> None:
    result = scan_in_child(corpus_input(corpus), tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    lines = result.stdout.decode("utf-8").splitlines()
    assert [json.loads(line) for line in lines] == expected_output(corpus)


def test_tandem_scan_subprocess_reports_bad_lines(tmp_path: Path) -> None:
    data = jsonl({"id": 1, "text": PHONE}) + b"\xff\xfe\n" + b"42\n" + jsonl({"id": 4, "text": ""})
    result = scan_in_child(data, tmp_path)
    assert result.returncode == 1
    output = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [record.get("line") for record in output] == [None, 2, 3, None]
    assert output[3] == {"id": 4, "findings": []}
    assert b"2 bad line(s) out of 4" in result.stderr

    result = scan_in_child(data, tmp_path, "--fail-fast")
    assert result.returncode == 1
    assert len(result.stdout.splitlines()) == 2
    assert b"stopped at the first bad line (line 2: invalid UTF-8" in result.stderr


def _peak_rss(pid: int) -> int | None:
    """The process's own high-water mark (``VmHWM``), in bytes; None once it has exited.

    Read from /proc rather than from ``wait4``: a child forked from a large test process
    inherits that process's peak in ``ru_maxrss``, while ``VmHWM`` belongs to the program the
    child became.
    """
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return None


def _scan_file_in_child(source: Path, tmp_path: Path) -> tuple[int, int, int]:
    """Run ``tandem scan`` on ``source``; (exit code, output lines, child's peak RSS in bytes)."""
    output = tmp_path / "output.jsonl"
    peak = 0
    with source.open("rb") as stdin, output.open("wb") as stdout:
        child = subprocess.Popen(
            [sys.executable, "-m", "tandem.cli", "scan"],
            stdin=stdin,
            stdout=stdout,
            stderr=subprocess.DEVNULL,
            env=child_environment(tmp_path),
        )
        while child.poll() is None:
            peak = max(peak, _peak_rss(child.pid) or 0)
            time.sleep(0.02)
    with output.open("rb") as lines:
        count = sum(1 for _ in lines)
    return int(child.returncode), count, peak


@pytest.mark.slow
def test_memory_stays_flat_on_200k_lines(corpus: list[CorpusItem], tmp_path: Path) -> None:
    # Mostly long clean messages (cheap to scan, heavy to hold) and every tenth a corpus message:
    # ~45 MB of input, which a command holding its input or output could not hide in 20 MB.
    filler = "Bonjour, je voudrais savoir quels sont vos horaires d'ouverture samedi. " * 3
    sample = corpus[:200]
    small, large = tmp_path / "small.jsonl", tmp_path / "large.jsonl"
    for path, count in ((small, 2_000), (large, 200_000)):
        with path.open("wb") as handle:
            for number in range(count):
                text = sample[number // 10 % 200]["text"] if number % 10 == 0 else filler
                handle.write(jsonl({"id": number, "text": text}))
    assert large.stat().st_size > 40_000_000

    small_code, small_lines, small_rss = _scan_file_in_child(small, tmp_path)
    large_code, large_lines, large_rss = _scan_file_in_child(large, tmp_path)
    assert (small_code, small_lines) == (0, 2_000)
    assert (large_code, large_lines) == (0, 200_000)
    assert large_rss < MAX_RSS_BYTES, large_rss
    assert large_rss - small_rss < MAX_RSS_GROWTH_BYTES, (small_rss, large_rss)
