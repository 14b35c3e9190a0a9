"""The worker registry: who is alive, and what a dead worker's tasks and job leases become."""

import os
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from tandem.core.management.commands.worker import heartbeat_loop
from tandem.core.models import PeriodicJobLease, WorkerProcess, WorkerStopReason
from tandem.core.schedule import PeriodicJob, job_acquire, run_due_jobs
from tandem.core.workers import (
    HEARTBEAT_TIMEOUT,
    MAX_TASK_ATTEMPTS,
    UNREGISTERED_TASK_TIMEOUT,
    WORKER_LOST,
    ProcessIdentity,
    new_worker_id,
    process_identity,
    process_start,
    worker_beat,
    worker_orphans_recover,
    worker_register,
    worker_stop,
)

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
JOB = PeriodicJob(name="test-job", command="housekeeping", every=timedelta(minutes=10))
TASK = "tandem.connectors.tasks.webhook_event_process_task"
HERE = ProcessIdentity(
    hostname="host-a", pid=os.getpid(), boot_id="boot-a", pid_namespace="pid:[1]"
)


def ended_process() -> int:
    """The PID of a process that has exited and been reaped."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def registered(worker_id, *, pid, process_start="12345", boot_id="boot-a", seen_ago=0):
    return WorkerProcess.objects.create(
        worker_id=worker_id,
        hostname="host-a",
        pid=pid,
        boot_id=boot_id,
        pid_namespace="pid:[1]",
        process_start=process_start,
        seen_at=timezone.now() - timedelta(seconds=seen_ago),
    )


def running_task(*worker_ids, started_ago=timedelta(seconds=5)):
    return DBTaskResult.objects.create(
        args_kwargs={"args": [1], "kwargs": {}},
        task_path=TASK,
        backend_name="default",
        run_after=get_date_max(),
        status="RUNNING",
        started_at=timezone.now() - started_ago,
        worker_ids=list(worker_ids),
    )


def held_lease(worker_id):
    assert job_acquire(job=JOB, worker_id=worker_id)
    return PeriodicJobLease.objects.get(name=JOB.name)


# -- processes -------------------------------------------------------------------------------


@linux_only
def test_a_process_is_recognised_by_its_pid_and_start_time():
    identity = process_identity()
    assert identity.pid == os.getpid()
    assert identity.boot_id
    assert identity.pid_namespace.startswith("pid:[")
    assert identity.process_start == process_start(os.getpid())
    assert process_start(ended_process()) is None


@linux_only
def test_a_zombie_counts_as_ended():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        deadline = time.monotonic() + 10
        while process_start(child.pid) is not None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert process_start(child.pid) is None  # exited, not yet reaped
    finally:
        child.wait()


def test_without_proc_nothing_can_be_proven(tmp_path):
    identity = process_identity(proc=tmp_path)
    assert identity.boot_id == identity.pid_namespace == identity.process_start == ""
    worker = WorkerProcess(boot_id="", pid_namespace="", process_start="", pid=1)
    assert not identity.can_see(worker)


def test_worker_ids_differ_for_the_same_pid():
    assert new_worker_id(HERE) != new_worker_id(HERE)
    assert len(new_worker_id(ProcessIdentity(hostname="h" * 300, pid=4_194_304))) <= 64


# -- the registry ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_worker_beats_until_it_is_presumed_dead():
    worker_register(worker_id="w1", identity=HERE)
    assert worker_beat(worker_id="w1")
    WorkerProcess.objects.filter(pk="w1").update(
        stopped_at=timezone.now(), stop_reason=WorkerStopReason.NO_HEARTBEAT
    )
    assert not worker_beat(worker_id="w1")


@pytest.mark.django_db(transaction=True)  # the loop closes its connection, as in its thread
def test_the_heartbeat_stops_the_worker_once_presumed_dead():
    worker_register(worker_id="w1", identity=HERE)
    lost = []
    stop = threading.Event()
    bound = threading.Timer(10, stop.set)  # should the loop never see it
    bound.start()
    beats = []

    def presumed_dead_after_two_beats():
        beats.append(WorkerProcess.objects.get(pk="w1").seen_at)
        if len(beats) == 2:
            WorkerProcess.objects.filter(pk="w1").update(stopped_at=timezone.now())

    def beat_and_watch(**kwargs):
        presumed_dead_after_two_beats()
        return worker_beat(**kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("tandem.core.management.commands.worker.worker_beat", beat_and_watch)
        heartbeat_loop(worker_id="w1", interval=0.01, stop=stop, on_lost=lambda: lost.append(1))
    bound.cancel()
    assert not stop.is_set()
    assert lost == [1]
    assert len(beats) == 2
    assert beats[1] > beats[0]  # the first beat was recorded


@pytest.mark.django_db
def test_a_clean_stop_is_recorded():
    worker_register(worker_id="w1", identity=HERE)
    worker_stop(worker_id="w1")
    worker = WorkerProcess.objects.get(pk="w1")
    assert worker.stopped_at is not None
    assert worker.stop_reason == WorkerStopReason.STOPPED


# -- recovery --------------------------------------------------------------------------------


@linux_only
@pytest.mark.django_db
def test_a_killed_worker_on_this_machine_is_taken_over_at_once():
    here = process_identity()
    dead = registered("dead", pid=ended_process(), boot_id=here.boot_id)
    WorkerProcess.objects.filter(pk="dead").update(pid_namespace=here.pid_namespace)
    task = running_task("dead")
    lease = held_lease("dead")
    assert not job_acquire(job=JOB, worker_id="new")

    recovery = worker_orphans_recover(here=here)

    assert recovery.workers_gone == ["dead"]
    assert recovery.leases_released == [JOB.name]
    assert recovery.tasks_requeued == 1
    dead.refresh_from_db()
    assert dead.stop_reason == WorkerStopReason.PROCESS_ENDED
    assert dead.recovered_at is not None
    task.refresh_from_db()
    assert task.status == "READY"
    assert task.worker_ids == ["dead"]  # the attempts so far
    released = PeriodicJobLease.objects.get(name=JOB.name)
    assert released.leased_by == ""
    assert released.last_succeeded is False
    assert "dead" in released.last_error
    assert released.next_run_at == lease.next_run_at  # still due
    assert job_acquire(job=JOB, worker_id="new")
    # A second pass finds nothing more to do.
    assert not worker_orphans_recover(here=here)


@linux_only
@pytest.mark.django_db
def test_a_live_worker_on_this_machine_keeps_everything_however_late_its_beat():
    here = process_identity()
    registered(
        "live",
        pid=here.pid,
        process_start=here.process_start,
        boot_id=here.boot_id,
        seen_ago=HEARTBEAT_TIMEOUT.total_seconds() * 10,
    )
    WorkerProcess.objects.filter(pk="live").update(pid_namespace=here.pid_namespace)
    task = running_task("live")
    held_lease("live")
    assert not worker_orphans_recover(here=here)
    task.refresh_from_db()
    assert task.status == "RUNNING"
    assert PeriodicJobLease.objects.get(name=JOB.name).leased_by == "live"


@linux_only
@pytest.mark.django_db
def test_a_reused_pid_is_not_the_worker():
    here = process_identity()
    registered("old", pid=here.pid, process_start="1", boot_id=here.boot_id)
    WorkerProcess.objects.filter(pk="old").update(pid_namespace=here.pid_namespace)
    assert worker_orphans_recover(here=here).workers_gone == ["old"]


@pytest.mark.django_db
def test_a_worker_elsewhere_is_presumed_dead_only_after_the_heartbeat_timeout():
    registered("remote", pid=os.getpid(), boot_id="boot-b")
    task = running_task("remote")
    held_lease("remote")
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        traveller.shift(HEARTBEAT_TIMEOUT - timedelta(seconds=1))
        assert not worker_orphans_recover(here=HERE)
        traveller.shift(timedelta(seconds=2))
        recovery = worker_orphans_recover(here=HERE)
    assert recovery.workers_gone == ["remote"]
    assert recovery.tasks_requeued == 1
    assert WorkerProcess.objects.get(pk="remote").stop_reason == WorkerStopReason.NO_HEARTBEAT
    task.refresh_from_db()
    assert task.status == "READY"


@pytest.mark.django_db
def test_a_task_that_killed_its_workers_too_often_is_failed_not_requeued():
    registered("w3", pid=os.getpid(), boot_id="boot-b")
    WorkerProcess.objects.filter(pk="w3").update(stopped_at=timezone.now())
    names = [f"w{n}" for n in range(1, MAX_TASK_ATTEMPTS + 1)]
    task = running_task(*names)
    recovery = worker_orphans_recover(here=HERE)
    assert (recovery.tasks_requeued, recovery.tasks_failed) == (0, 1)
    task.refresh_from_db()
    assert task.status == "FAILED"
    assert task.finished_at is not None
    assert task.exception_class_path == WORKER_LOST
    assert "w3" in task.traceback


@pytest.mark.django_db
def test_a_task_claimed_again_meanwhile_is_left_alone(monkeypatch):
    registered("w1", pid=os.getpid(), boot_id="boot-b")
    WorkerProcess.objects.filter(pk="w1").update(stopped_at=timezone.now())
    task = running_task("w1")
    original = DBTaskResult.objects.filter

    def claimed_meanwhile(*args, **kwargs):
        # Another worker claims it between the recovery's read and its update.
        if kwargs.get("status") == "RUNNING" and "id" in kwargs:
            DBTaskResult.objects.all().filter(pk=task.pk).update(
                started_at=timezone.now(), worker_ids=["w1", "w2"]
            )
        return original(*args, **kwargs)

    monkeypatch.setattr(DBTaskResult.objects, "filter", claimed_meanwhile)
    assert worker_orphans_recover(here=HERE).tasks_requeued == 0
    monkeypatch.undo()
    task.refresh_from_db()
    assert task.status == "RUNNING"


@pytest.mark.django_db
def test_tasks_of_unregistered_workers_wait_for_the_thorough_pass_and_an_hour():
    task = running_task(
        "db-worker-abc", started_ago=UNREGISTERED_TASK_TIMEOUT - timedelta(minutes=1)
    )
    assert not worker_orphans_recover(here=HERE, thorough=True)
    assert not worker_orphans_recover(
        here=HERE, now=timezone.now() + timedelta(minutes=2), thorough=False
    )
    recovery = worker_orphans_recover(
        here=HERE, now=timezone.now() + timedelta(minutes=2), thorough=True
    )
    assert recovery.tasks_requeued == 1
    task.refresh_from_db()
    assert task.status == "READY"


@pytest.mark.django_db
def test_the_thorough_pass_finds_tasks_of_workers_recovered_long_ago():
    registered("w1", pid=os.getpid(), boot_id="boot-b")
    WorkerProcess.objects.filter(pk="w1").update(
        stopped_at=timezone.now(), recovered_at=timezone.now()
    )
    task = running_task("w1")  # claimed after its recovery (it was frozen, then woke up)
    assert not worker_orphans_recover(here=HERE)
    assert worker_orphans_recover(here=HERE, thorough=True).tasks_requeued == 1
    task.refresh_from_db()
    assert task.status == "READY"


@pytest.mark.django_db
def test_a_dry_run_changes_nothing():
    registered("remote", pid=os.getpid(), boot_id="boot-b", seen_ago=3600)
    task = running_task("remote")
    held_lease("remote")
    recovery = worker_orphans_recover(here=HERE, thorough=True, dry_run=True)
    assert recovery.workers_gone == ["remote"]
    assert recovery.leases_released == [JOB.name]
    assert recovery.tasks_requeued == 1
    assert WorkerProcess.objects.get(pk="remote").stopped_at is None
    task.refresh_from_db()
    assert task.status == "RUNNING"
    assert PeriodicJobLease.objects.get(name=JOB.name).leased_by == "remote"


@pytest.mark.django_db
def test_housekeeping_hands_back_and_forgets(capsys):
    registered("remote", pid=os.getpid(), boot_id="boot-b", seen_ago=3600)
    task = running_task("remote")
    registered("ancient", pid=os.getpid(), boot_id="boot-b")
    WorkerProcess.objects.filter(pk="ancient").update(
        stopped_at=timezone.now() - timedelta(days=30),
        recovered_at=timezone.now() - timedelta(days=30),
    )
    call_command("housekeeping", "--dry-run")
    out = capsys.readouterr().out
    assert "would hand back: workers gone: 1" in out
    assert "would delete 1 stopped workers" in out
    call_command("housekeeping")
    task.refresh_from_db()
    assert task.status == "READY"
    assert set(WorkerProcess.objects.values_list("pk", flat=True)) == {"remote"}


# -- the schedule on shutdown ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_stopping_worker_starts_no_further_job():
    stop = threading.Event()
    ran = []

    def runner(job):
        ran.append(job.name)
        stop.set()

    other = PeriodicJob(name="other-job", command="housekeeping", every=timedelta(minutes=10))
    assert run_due_jobs(worker_id="w1", schedule=(JOB, other), runner=runner, stop=stop) == [
        JOB.name
    ]
    assert ran == [JOB.name]
    assert PeriodicJobLease.objects.get(name=JOB.name).leased_by == ""  # released
    assert not PeriodicJobLease.objects.filter(name="other-job", leased_by="w1").exists()
