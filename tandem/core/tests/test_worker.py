"""``tandem worker`` as a process: runs due jobs and drains the queue."""

import os
import subprocess
import sys

import pytest


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
