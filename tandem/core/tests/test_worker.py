"""``tandem worker`` as a process: runs due jobs, drains the queue, takes over what a killed
worker held and leaves nothing held when stopped."""

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tandem.core.schedule import SCHEDULE


@pytest.mark.slow
def test_worker_batch_runs_due_jobs_once(tmp_path):
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
    }

    def tandem(*arguments):
        return subprocess.run(
            [sys.executable, "-m", "tandem.cli", *arguments],
            capture_output=True,
            text=True,
            env=environment,
            timeout=180,
            check=True,
        )

    tandem("migrate", "-v0")
    first = tandem("worker", "--batch")
    assert "periodic jobs run: housekeeping" in first.stdout
    assert "deleted 0 expired sessions" in first.stdout
    # A second worker right after finds nothing due: the job never runs twice in a row.
    second = tandem("worker", "--batch")
    assert "periodic jobs run: none due" in second.stdout


def sqlite_now(delta: timedelta = timedelta()) -> str:
    return (datetime.now(UTC) + delta).strftime("%Y-%m-%d %H:%M:%S.%f")


def wait_for(query, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = query()
        if result:
            return result
        time.sleep(0.1)
    pytest.fail("timed out")


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_restarted_worker_takes_over_what_a_killed_one_held(tmp_path):
    """SIGKILL a worker holding a task row and a job lease; the next worker queues the task
    again and runs the job at once; SIGTERM then leaves nothing held."""
    database = tmp_path / "worker.sqlite3"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{database}",
    }
    subprocess.run(
        [sys.executable, "-m", "tandem.cli", "migrate", "-v0"],
        env=environment,
        check=True,
        timeout=180,
        capture_output=True,
    )

    def query(sql, *parameters):
        with contextlib.closing(sqlite3.connect(database, timeout=30)) as db, db:
            return db.execute(sql, parameters).fetchall()

    def worker():
        return subprocess.Popen(
            [sys.executable, "-m", "tandem.cli", "worker", "--schedule-interval", "0.5"],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    first = worker()
    second = None
    try:
        # Its first tick has run every job (all are due on a new database) and released them.
        wait_for(
            lambda: (
                query("SELECT COUNT(*) FROM core_periodicjoblease WHERE leased_until IS NULL")[0][0]
                == len(SCHEDULE)
            )
        )
        ((killed,),) = query("SELECT worker_id FROM core_workerprocess")
        query(
            "UPDATE core_periodicjoblease SET leased_by = ?, leased_until = ?, next_run_at = ? "
            "WHERE name = 'housekeeping'",
            killed,
            sqlite_now(timedelta(hours=1)),
            sqlite_now(-timedelta(minutes=1)),
        )
        task_id = uuid.uuid4().hex
        query(
            "INSERT INTO django_tasks_database_dbtaskresult (id, args_kwargs, priority, "
            "task_path, queue_name, backend_name, run_after, enqueued_at, started_at, "
            "exception_class_path, traceback, worker_ids, status) "
            "VALUES (?, ?, 0, ?, 'default', 'default', '9999-01-01 00:00:00', ?, ?, '', '', ?, "
            "'RUNNING')",
            task_id,
            json.dumps({"args": [987654321], "kwargs": {}}),
            "tandem.connectors.tasks.webhook_event_process_task",
            sqlite_now(),
            sqlite_now(),
            json.dumps([killed]),
        )
        first.kill()
        first.wait(timeout=10)
        killed_at = sqlite_now()

        second = worker()
        worker_ids, result = wait_for(
            lambda: query(
                "SELECT worker_ids, return_value FROM django_tasks_database_dbtaskresult "
                "WHERE id = ? AND status = 'SUCCESSFUL'",
                task_id,
            ),
            timeout=30,
        )[0]
        assert json.loads(worker_ids)[0] == killed
        assert json.loads(result) == "not-due"
        assert wait_for(
            lambda: query(
                "SELECT 1 FROM core_periodicjoblease WHERE name = 'housekeeping' "
                "AND last_started_at > ? AND leased_until IS NULL",
                killed_at,
            ),
            timeout=30,
        )
        assert query(
            "SELECT stop_reason, recovered_at IS NOT NULL FROM core_workerprocess "
            "WHERE worker_id = ?",
            killed,
        ) == [("process_ended", 1)]

        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=30) == 0
        assert query("SELECT stop_reason FROM core_workerprocess WHERE worker_id != ?", killed) == [
            ("stopped",)
        ]
        assert query("SELECT name FROM core_periodicjoblease WHERE leased_by != ''") == []
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(timeout=10)
