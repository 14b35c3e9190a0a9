from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tandem.core.models import PeriodicJobLease
from tandem.core.schedule import PeriodicJob, job_acquire, job_release, run_due_jobs

JOB = PeriodicJob(
    name="test-job", command="housekeeping", every=timedelta(minutes=10), lease=timedelta(minutes=5)
)

pytestmark = pytest.mark.django_db


def test_a_job_is_leased_by_one_worker_only():
    assert job_acquire(job=JOB, worker_id="w1") is True
    assert job_acquire(job=JOB, worker_id="w2") is False
    job_release(job=JOB, worker_id="w1")
    lease = PeriodicJobLease.objects.get(name="test-job")
    assert lease.leased_by == ""
    assert lease.last_succeeded is True
    # Released, but not due again for ten minutes.
    assert job_acquire(job=JOB, worker_id="w2") is False


def test_a_dead_workers_lease_expires():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        assert job_acquire(job=JOB, worker_id="w1")
        traveller.shift(timedelta(minutes=4))
        assert not job_acquire(job=JOB, worker_id="w2")
        traveller.shift(timedelta(minutes=2))
        assert job_acquire(job=JOB, worker_id="w2")
        # The late release of the dead worker must not clobber the new holder's lease.
        job_release(job=JOB, worker_id="w1")
        assert PeriodicJobLease.objects.get(name="test-job").leased_by == "w2"


def test_run_due_jobs_records_failures_and_reschedules():
    ran = []

    def runner(job):
        ran.append(job.name)
        raise RuntimeError("boom")

    with time_machine.travel(timezone.now(), tick=False) as traveller:
        assert run_due_jobs(worker_id="w1", schedule=(JOB,), runner=runner) == ["test-job"]
        lease = PeriodicJobLease.objects.get(name="test-job")
        assert lease.last_succeeded is False
        assert "RuntimeError: boom" in lease.last_error
        assert run_due_jobs(worker_id="w1", schedule=(JOB,), runner=runner) == []
        traveller.shift(timedelta(minutes=11))
        assert run_due_jobs(worker_id="w1", schedule=(JOB,), runner=runner) == ["test-job"]
    assert ran == ["test-job", "test-job"]


def test_housekeeping_dry_run_changes_nothing(capsys):
    from django.contrib.sessions.models import Session
    from django.core.management import call_command

    Session.objects.create(
        session_key="x" * 32, session_data="", expire_date=timezone.now() - timedelta(days=1)
    )
    call_command("housekeeping", "--dry-run")
    assert "would delete 1 expired sessions" in capsys.readouterr().out
    assert Session.objects.count() == 1
    call_command("housekeeping")
    assert Session.objects.count() == 0


def test_a_job_interrupted_by_a_stopping_worker_stays_due():
    import threading

    from tandem.core.schedule import stop_requested

    stop = threading.Event()
    seen = []

    def runner(job):
        seen.append(stop_requested())
        stop.set()  # SIGTERM arrives while the job runs
        seen.append(stop_requested())

    assert not stop_requested()
    with time_machine.travel(timezone.now(), tick=False):
        assert run_due_jobs(worker_id="w1", schedule=(JOB,), runner=runner, stop=stop) == [
            "test-job"
        ]
        lease = PeriodicJobLease.objects.get(name="test-job")
        assert lease.leased_by == ""
        assert lease.next_run_at == timezone.now()  # the next worker takes it at once
    assert seen == [False, True]
    assert not stop_requested()  # outside a job, nothing to stop
