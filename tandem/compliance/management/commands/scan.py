"""``tandem scan``: find sensitive values in a stream of JSON lines.

Input, on standard input, UTF-8, one JSON object per line::

    {"id": "msg-1", "text": "mon IBAN FR76 3000 6000 0112 3456 7890 189"}

Output, on standard output, exactly one JSON line per input line and in the same order::

    {"id":"msg-1","findings":[{"kind":"iban","start":9,"end":42}]}

- ``id`` is echoed as given: any JSON value (string, number, object…), ``null`` when absent.
- ``kind`` is one of ``iban``, ``card``, ``rib``, ``fr_nir``, ``phone``, ``email``, ``secret``.
- ``start`` and ``end`` (exclusive) are **character offsets into the decoded text**: Python
  ``str`` indices, i.e. Unicode code points, so ``text[start:end]`` is the value. They are not
  byte offsets and not UTF-16 units: "😀" counts as one character here but two in JavaScript,
  whose callers must convert (``Array.from(text)`` indexes by code point).
- A bad line (not UTF-8, not JSON, not an object, ``text`` missing or not a string, empty, or
  longer than ``--max-line-bytes``) gives ``{"id": <id or null>, "error": "<reason>", "line": N}``
  in its place, so output line N always answers input line N. At the end the number of bad lines
  goes to standard error and the exit status is 1; it is 0 when every line was good.
  ``--fail-fast`` stops at the first bad line (after writing its error line).

It streams: one input line is held at a time, output is written in batches of
``--batch-size`` lines (one line at a time when standard input is a terminal), so memory stays
flat on millions of lines. A consumer that waits for each answer before sending the next line
must pass ``--batch-size 1``. The command never touches the database and skips Django's system
checks, so it runs on a machine where nothing was migrated.
"""

from __future__ import annotations

import io
import json
import os
import sys
import time
from argparse import ArgumentParser
from collections.abc import Callable, Iterator
from typing import IO, Any, Final

from django.core.management.base import BaseCommand, CommandError

from tandem.compliance.detection import Finding, detect

DEFAULT_BATCH_SIZE: Final = 1000
# Meta caps a message far below this (Messenger 2,000 characters, comments 8,000); a longer line
# is a broken producer, and reading it whole would break the constant-memory promise.
DEFAULT_MAX_LINE_BYTES: Final = 1024 * 1024
_CHUNK: Final = 64 * 1024


def _reject_constant(name: str) -> None:
    # Python's json accepts NaN and Infinity, which are not JSON and could not be echoed back.
    raise ValueError(f"{name} is not valid JSON")


_DECODER: Final = json.JSONDecoder(parse_constant=_reject_constant)
# The decoder's C scanner, called directly for the usual line (one JSON value then the line end):
# ``JSONDecoder.decode`` adds two whitespace look-ups and a Python call around the same scan.
_SCAN_ONCE: Final[Callable[[str, int], tuple[Any, int]]] = _DECODER.scan_once  # type: ignore[attr-defined]
_LINE_ENDS: Final = ("\n", "\r\n")
_ENCODER: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
# What ``_ENCODER.encode`` does with a string, without the method call around it.
_ENCODE_STRING: Final[Callable[[str], str]] = json.encoder.encode_basestring
_JSON_TYPES: Final = {
    dict: "an object",
    list: "an array",
    int: "a number",
    float: "a number",
    bool: "a boolean",
    type(None): "null",
}


class _BadLine(Exception):
    def __init__(self, reason: str, identifier: object = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.identifier = identifier


def _parse(raw: bytes, number: int) -> tuple[object, str]:
    """The ``(id, text)`` of one input line, or ``_BadLine`` saying what is wrong with it."""
    try:
        # A byte order mark is tolerated at the very start of the stream only.
        line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
    except UnicodeDecodeError as error:
        raise _BadLine(f"invalid UTF-8 at byte {error.start + 1} of the line") from None
    try:
        document, end = _SCAN_ONCE(line, 0)
    except Exception:  # any problem: the full decoder below says what it is
        end = -1
    if end == len(line) or (end > 0 and line[end:] in _LINE_ENDS):
        pass  # exactly what _DECODER.decode(line) returns for this line
    else:
        document = _decode_slowly(line)
    if not isinstance(document, dict):
        raise _BadLine(f"not a JSON object but {_JSON_TYPES.get(type(document), 'a string')}")
    identifier = document.get("id")
    if "text" not in document:
        raise _BadLine('missing "text"', identifier)
    text = document["text"]
    if not isinstance(text, str):
        kind = _JSON_TYPES.get(type(text), "a string")
        raise _BadLine(f'"text" must be a string, not {kind}', identifier)
    return identifier, text


def _decode_slowly(line: str) -> object:
    """``_DECODER.decode(line)``, with its errors turned into ``_BadLine``."""
    try:
        return _DECODER.decode(line)
    except json.JSONDecodeError as error:
        if not line.strip():
            raise _BadLine("empty line") from None
        raise _BadLine(f"invalid JSON: {error.msg} (column {error.colno})") from None
    except (ValueError, RecursionError) as error:
        raise _BadLine(f"invalid JSON: {error}") from None


def _lines(readline: Callable[[int], bytes], max_bytes: int) -> Iterator[bytes | None]:
    """Each input line as bytes, or ``None`` for a line over ``max_bytes`` (skipped, not held)."""
    while line := readline(max_bytes + 1):
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while (rest := readline(_CHUNK)) and not rest.endswith(b"\n"):
                pass
            yield None
        else:
            yield line


def _binary_readline(stream: IO[Any]) -> Callable[[int], bytes]:
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        return buffer.readline
    if isinstance(stream, io.TextIOBase):
        # A text stream without a byte layer (a StringIO in tests): the size limit then counts
        # characters, which is close enough for a safety bound.
        def readline(size: int) -> bytes:
            return stream.readline(size).encode("utf-8", "surrogateescape")

        return readline
    return stream.readline


class _Writer:
    """Serialises records as compact JSON lines and writes them in batches."""

    def __init__(self, stream: IO[Any], batch_size: int) -> None:
        self._text = stream
        self._binary: IO[bytes] | None = getattr(stream, "buffer", None)
        if self._binary is not None:
            stream.flush()  # anything already written as text goes first
        self._batch_size = batch_size
        self._pending: list[str] = []

    def write(self, record: dict[str, object]) -> None:
        self._append(_ENCODER.encode(record))

    def write_findings(self, identifier: object, findings: list[Finding]) -> None:
        # Written by hand: kinds are fixed ASCII names and offsets integers, and this is about
        # three times cheaper than the generic encoder on the line every message goes through.
        encoded = (
            _ENCODE_STRING(identifier)
            if isinstance(identifier, str)
            else _ENCODER.encode(identifier)
        )
        if findings:
            found = ",".join(
                [
                    f'{{"kind":"{item.kind}","start":{item.start},"end":{item.end}}}'
                    for item in findings
                ]
            )
            line = f'{{"id":{encoded},"findings":[{found}]}}'
        else:
            line = f'{{"id":{encoded},"findings":[]}}'
        pending = self._pending
        pending.append(line)
        if len(pending) >= self._batch_size:
            self.flush()

    def _append(self, line: str) -> None:
        self._pending.append(line)
        if len(self._pending) >= self._batch_size:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            chunk = "\n".join(self._pending) + "\n"
            self._pending.clear()
            if self._binary is None:
                self._text.write(chunk)
            else:
                # Lone surrogates (from "\ud800" escapes in an id) cannot be UTF-8; written as
                # "\ud800" they stay inside their JSON string, which then reads back the same.
                self._binary.write(chunk.encode("utf-8", "backslashreplace"))
        (self._binary or self._text).flush()


class Command(BaseCommand):
    help = (
        'Scan JSON lines {"id", "text"} from stdin for sensitive values; write '
        '{"id", "findings": [{"kind", "start", "end"}]} lines to stdout, one per input line. '
        "Offsets count characters (Unicode code points) of the decoded text, end exclusive."
    )
    # Pure text processing: no system checks (they would load more than needed) and no database.
    requires_system_checks: list[str] = []
    requires_migrations_checks = False
    # ``call_command("scan", stdin=stream)`` for callers and tests that do not own sys.stdin.
    stealth_options = ("stdin",)

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--fail-fast",
            action="store_true",
            help="Stop at the first bad line (after writing its error line).",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help="Output lines per write and flush (default %(default)s; 1 when stdin is a "
            "terminal). Use 1 for a consumer that waits for each answer.",
        )
        parser.add_argument(
            "--max-line-bytes",
            type=int,
            default=DEFAULT_MAX_LINE_BYTES,
            help="Longer input lines are reported as bad without being read into memory "
            "(default %(default)s).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source: IO[Any] = options.get("stdin") or sys.stdin
        sink: IO[Any] = options.get("stdout") or sys.stdout
        batch_size: int = options["batch_size"]
        max_bytes: int = options["max_line_bytes"]
        if batch_size < 1 or max_bytes < 1:
            raise CommandError("--batch-size and --max-line-bytes must be at least 1")
        if source.isatty():
            batch_size = 1
        fail_fast: bool = options["fail_fast"]
        writer = _Writer(sink, batch_size)
        started = time.perf_counter()
        lines = bad = findings = 0
        first_error = ""
        write_findings = writer.write_findings
        try:
            for lines, raw in enumerate(_lines(_binary_readline(source), max_bytes), start=1):
                try:
                    if raw is None:
                        raise _BadLine(f"line longer than {max_bytes} bytes")
                    identifier, text = _parse(raw, lines)
                except _BadLine as problem:
                    bad += 1
                    first_error = first_error or f"line {lines}: {problem.reason}"
                    writer.write({"id": problem.identifier, "error": problem.reason, "line": lines})
                    if fail_fast:
                        break
                    continue
                found = detect(text)
                findings += len(found)
                write_findings(identifier, found)
            writer.flush()
        except BrokenPipeError:
            # The reader went away (``tandem scan | head``): stop like any Unix filter, without
            # a second traceback when the interpreter flushes stdout on exit.
            if sink is sys.stdout:
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise CommandError(f"standard output closed after {lines} line(s)") from None
        if options["verbosity"] >= 2:
            seconds = time.perf_counter() - started
            self.stderr.write(
                f"scanned {lines} line(s) in {seconds:.2f} s: {findings} finding(s), "
                f"{bad} bad line(s)"
            )
        if fail_fast and bad:
            raise CommandError(f"stopped at the first bad line ({first_error})")
        if bad:
            raise CommandError(
                f"{bad} bad line(s) out of {lines} (first: {first_error}); each has an "
                '"error" line in its place on stdout'
            )
