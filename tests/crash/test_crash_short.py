"""The crash test in its short form (``bench/crash/run.py``): part of ``make test`` and so of
CI, about a minute, bounded < 120 s.

1,000 events sent by ``tandem simulate`` while the server and the worker are each SIGKILLed
twice and restarted (one server kill hits the ``tandem serve`` supervisor alone); afterwards
every acknowledged event must be stored exactly once and processed, and the killed processes
must have left nothing behind (task rows ``RUNNING``, job leases, gunicorn children). On the
database the suite runs on: a temporary SQLite file, or, when ``DATABASE_URL`` points at
PostgreSQL, a database ``tandem_crash_<pid>`` created beside it and dropped after. CI runs the
suite once on each.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "crash" / "run.py"
EVENTS = 1000
# Deliveries per second: slow enough for the four kills to spread over the sending.
RATE = 50
# The script stops by itself within its budget; past the margin it is sent SIGTERM, on which
# it still kills its servers and drops its database.
BUDGET_SECONDS = 105
MARGIN_SECONDS = 10


def _databases() -> list[object]:
    """The suite's own database only: the SQLite run of CI covers SQLite, the PostgreSQL run
    PostgreSQL, and each pays the crash test's minute once."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return [pytest.param(url, id="postgresql")]
    return [pytest.param("sqlite", id="sqlite")]


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="kills processes the Linux way")
@pytest.mark.parametrize("database_url", _databases())
def test_every_acknowledged_event_survives_kills(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            str(SCRIPT),
            "--events",
            str(EVENTS),
            "--kills",
            "2",
            "--rate",
            str(RATE),
            "--budget",
            str(BUDGET_SECONDS),
            "--database-url",
            database_url,
            "--json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=BUDGET_SECONDS + MARGIN_SECONDS)
    except subprocess.TimeoutExpired:
        process.terminate()
        stdout, stderr = process.communicate(timeout=60)
    assert stdout, stderr[-3000:]
    report = json.loads(stdout)
    with capsys.disabled():  # the counts belong in the CI log, pass or fail
        sys.stdout.write("\n" + _summary(report) + "\n")
    assert process.returncode == 0, report["violations"]
    assert report["ok"]
    assert report["events_acked"] >= EVENTS
    assert report["events_missing"] == 0
    assert report["events_stored_twice"] == 0
    assert report["events_unfinished"] == {}
    assert report["kills_server"] == report["kills_worker"] == 2
    assert report["kills_server_supervisor_only"] == 1
    assert report["left_after_a_worker_restart"] == {}


def _summary(report: dict) -> str:
    keys = (
        "database",
        "events_acked",
        "events_stored",
        "events_missing",
        "events_stored_twice",
        "events_processed",
        "events_unknown_kind",
        "events_unknown_account",
        "events_unfinished",
        "duplicates_sent",
        "http_retries",
        "connection_errors",
        "http_rejected",
        "kills_server",
        "kills_server_supervisor_only",
        "kills_worker",
        "restarts_server",
        "restarts_worker",
        "server_children_exit_s",
        "worker_takeover_s",
        "running_tasks_after_worker_stop",
        "job_leases_held_after_worker_stop",
        "left_after_a_worker_restart",
        "claims_left_by_killed_workers",
        "elapsed_s",
    )
    counts = " ".join(f"{key}={report.get(key)}" for key in keys)
    verdict = "OK" if report.get("ok") else f"FAILED {report.get('violations')}"
    return f"crash test: {counts} -> {verdict}"
