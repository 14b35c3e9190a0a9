"""``tandem serve``: its children die with it, and two servers never share gunicorn's socket."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tandem.core.management.commands.serve import Command, Supervisor

linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's"
)


class RecordingSupervisor(Supervisor):
    def __init__(self) -> None:
        super().__init__()
        self.commands: list[tuple[str, list[str]]] = []

    def start(self, name, command, env=None):
        self.commands.append((name, command))


def test_gunicorn_runs_without_the_shared_control_socket():
    supervisor = Command().build(
        {"bind": "127.0.0.1:8000", "workers": 2, "with_worker": False}, RecordingSupervisor()
    )
    ((name, command),) = supervisor.commands
    assert name == "gunicorn"
    assert "--no-control-socket" in command


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead, only not yet reaped by its new parent.
    return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"


def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@linux_only
def test_a_child_gets_sigterm_when_the_supervisor_is_killed(tmp_path):
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                """
                import subprocess, sys, time
                from tandem.core.management.commands.serve import die_with_parent
                child = subprocess.Popen(
                    [sys.executable, "-c", "import time; time.sleep(60)"],
                    preexec_fn=die_with_parent(),
                )
                print(child.pid, flush=True)
                time.sleep(60)
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        child = int(parent.stdout.readline())
        assert alive(child)
        parent.kill()
        parent.wait(timeout=10)
        assert wait_until(lambda: not alive(child), timeout=10)
    finally:
        parent.kill()
        parent.stdout.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().split(")")[-1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.slow
@linux_only
def test_serve_killed_alone_takes_gunicorn_down_and_restarts_on_the_same_port(tmp_path):
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "XDG_RUNTIME_DIR": str(tmp_path),
        "HOME": str(tmp_path),
    }
    port = free_port()

    logs = []

    def serve() -> subprocess.Popen:
        logs.append(tmp_path / f"serve-{len(logs) + 1}.log")
        with logs[-1].open("wb") as log:
            return subprocess.Popen(
                [
                    *(sys.executable, "-m", "tandem.cli", "serve"),
                    *("--bind", f"127.0.0.1:{port}", "--workers", "1", "--no-worker"),
                ],
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def serving(process: subprocess.Popen) -> bool:
        ready = wait_until(lambda: listening(port) or process.poll() is not None, timeout=60)
        assert process.poll() is None, logs[-1].read_text()[-3000:]
        return ready

    subprocess.run(
        [sys.executable, "-m", "tandem.cli", "migrate", "-v0"],
        env=environment,
        check=True,
        timeout=180,
    )
    first = serve()
    second = None
    try:
        assert serving(first)
        (gunicorn,) = children_of(first.pid)
        first.kill()  # the supervisor only, not its process group
        first.wait(timeout=10)
        assert wait_until(lambda: not alive(gunicorn), timeout=15)
        second = serve()
        assert serving(second)
        # No control socket anywhere gunicorn would put it by default.
        assert not list(tmp_path.rglob("gunicorn.ctl"))
    finally:
        for process in (first, second):
            if process is not None:
                # Whatever is left of its group (none of the first, if all went well).
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
