"""Benchmark: the advisor's queue page and the conversations API on 1M conversations, 10M messages.

Issue target: on PostgreSQL with 1,000,000 conversations and 10,000,000 messages, the advisor's
queue page and the API list answer with p95 < 50 ms (server time), with a query count that does
not grow with the page size.

From the repository root, with the project's virtualenv (any python re-runs itself with it)::

    .venv/bin/python bench/inbox/run.py             # about 7 minutes; drops its database
    .venv/bin/python bench/inbox/run.py --keep      # keep tandem_bench_inbox afterwards
    .venv/bin/python bench/inbox/run.py --reuse     # measure a kept database (no generation)
    .venv/bin/python bench/inbox/run.py \\
        --try-index INDEX.sql --patch CHANGE.patch  # + an A/B of a proposed change: ~15 minutes

1. creates the PostgreSQL database ``tandem_bench_inbox`` (role ``tandem``, CREATEDB; see
   ``--admin-url``), migrates it and runs ``seed_demo`` (the demo group: 7 regional banks,
   43 branches, the demo logins);
2. generates contacts, conversations and messages inside PostgreSQL (``generate.py``), then
   ``VACUUM ANALYZE``;
3. counts the queries of each request in-process (Django's test client and
   ``CaptureQueriesContext`` on the same database) with 10, 50 and 200 rows per page, and runs
   each query under ``EXPLAIN (ANALYZE, BUFFERS)`` (``django_side.py``);
4. serves it with ``tandem serve`` (gunicorn, 2 workers, ``DEBUG=false``, no task worker) on
   127.0.0.1; signs the advisor ``conseiller@lumiere.example`` in through the sign-in form and
   times the queue page (``/inbox/?queue=mine|branch``), its htmx list partial and the unchanged
   poll (204); times ``GET /api/v1/conversations?limit=10|50|200`` with API tokens of the advisor
   and of the regional community manager ``community@lumiere.example`` (the whole regional bank);
   sequential requests on one keep-alive connection per user after a warm-up: p50/p95/p99 of the
   client-side time, the time gunicorn logs for the same requests, and the CPU time the
   gunicorn workers and the PostgreSQL backends spent per request (``latency.py``);
5. with ``--try-index FILE.sql`` and/or ``--patch FILE.patch``, an A/B comparison: a copy of
   the database (``CREATE DATABASE … TEMPLATE``) gets the indexes, a temporary copy of the
   repository gets the patch (nothing in the repository changes), both Tandems are served at
   once and every request goes to one then the other (alternating which goes first), so that
   both meet the same load from the rest of the machine;
6. writes ``bench/results/inbox-<date-time>.json`` and prints the Markdown tables of the README.

Everything listens on 127.0.0.1 only; servers are stopped (their whole process group) in a
``finally``; the copy of the database always, and the database unless ``--keep``, are dropped.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
RESULTS = HERE.parent / "results"
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"

if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve() and VENV_PYTHON.exists():
    # Run with the project's virtualenv whatever python started us.
    os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), __file__, *sys.argv[1:]])  # noqa: S606

import httpx  # noqa: E402
import psycopg  # noqa: E402

sys.path[:0] = [str(HERE), str(HERE.parent)]
import generate  # noqa: E402
import latency  # noqa: E402
from common import cpu_and_memory, free_port, tandem_argv  # noqa: E402

DATABASE = "tandem_bench_inbox"
DATABASE_B = "tandem_bench_inbox_b"
ADVISOR = "conseiller@lumiere.example"
COMMUNITY = "community@lumiere.example"
DEMO_PASSWORD = "tandem-demo"  # noqa: S105 — the published password of the demo logins
TARGET_P95_MS = 50.0


@dataclass(frozen=True)
class Endpoint:
    key: str
    who: str
    url: str
    htmx: bool = False
    api: bool = False
    expect: int = 200
    # Keys of the in-process query counts for 10, 50 and 200 rows per page.
    query_keys: tuple[str, ...] = ()
    # Which of them is the request as measured (the page shows 50 rows).
    measured: int = 1

    @property
    def label(self) -> str:
        return f"{self.who} {self.key}"


def endpoints() -> list[Endpoint]:
    sizes = (10, 50, 200)
    return [
        Endpoint(
            "queue page mine",
            ADVISOR,
            "/inbox/?queue=mine",
            query_keys=tuple(f"{ADVISOR} mine page_size={n}" for n in sizes),
        ),
        Endpoint(
            "queue page branch",
            ADVISOR,
            "/inbox/?queue=branch",
            query_keys=tuple(f"{ADVISOR} branch page_size={n}" for n in sizes),
        ),
        Endpoint(
            "htmx list mine",
            ADVISOR,
            "/inbox/?queue=mine&partial=list",
            htmx=True,
            query_keys=tuple(f"{ADVISOR} list mine page_size={n}" for n in sizes),
        ),
        Endpoint(
            "htmx list branch",
            ADVISOR,
            "/inbox/?queue=branch&partial=list",
            htmx=True,
            query_keys=tuple(f"{ADVISOR} list branch page_size={n}" for n in sizes),
        ),
        Endpoint(
            "htmx poll mine, unchanged (204)",
            ADVISOR,
            "/inbox/?queue=mine&partial=list&v={version}",
            htmx=True,
            expect=204,
        ),
        Endpoint(
            "queue page branch",
            COMMUNITY,
            "/inbox/?queue=branch",
            query_keys=tuple(f"{COMMUNITY} branch page_size={n}" for n in sizes),
        ),
        *(
            Endpoint(
                f"API list limit={limit}",
                who,
                f"/api/v1/conversations?limit={limit}",
                api=True,
                query_keys=tuple(f"{who} limit={n}" for n in sizes),
                measured=index,
            )
            for who in (ADVISOR, COMMUNITY)
            for index, limit in enumerate(sizes)
        ),
    ]


@dataclass
class Target:
    """One Tandem as measured: its code, its database, its environment."""

    label: str
    app_root: Path
    database: str
    env: dict[str, str]


@dataclass
class Context:
    arguments: argparse.Namespace
    admin_url: str
    secrets_env: dict[str, str]
    results: dict[str, Any] = field(default_factory=dict)

    def database_url(self, database: str) -> str:
        return urlsplit(self.admin_url)._replace(path=f"/{database}").geturl()

    def target(self, label: str, database: str, app_root: Path = ROOT) -> Target:
        env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
        if app_root != ROOT:
            # The copy's packages before the editable install of this repository.
            env["PYTHONPATH"] = os.pathsep.join(
                [str(app_root), *filter(None, [os.environ.get("PYTHONPATH")])]
            )
            env["BENCH_APP_ROOT"] = str(app_root)
        env.update(self.secrets_env)
        env["DATABASE_URL"] = self.database_url(database)
        return Target(label=label, app_root=app_root, database=database, env=env)


def log(message: str) -> None:
    print(message, flush=True)


def _secrets_environment() -> dict[str, str]:
    """Production settings (DEBUG off) with throw-away secrets; no Redis (a local cache)."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "META_APP_SECRET": secrets.token_hex(16),
        "META_VERIFY_TOKEN": secrets.token_hex(16),
        "TANDEM_ENCRYPTION_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SECURE_COOKIES": "false",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


def _run(target: Target, command: list[str], timeout: float) -> str:
    completed = subprocess.run(
        command,
        cwd=target.app_root,
        env=target.env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(command[1:4])} failed:\n{completed.stderr[-3000:]}")
    return completed.stdout


def tandem(target: Target, *arguments: str, timeout: float = 600) -> str:
    return _run(target, tandem_argv(*arguments), timeout)


def django_side(target: Target, *arguments: str, timeout: float = 900) -> str:
    return _run(target, [sys.executable, str(HERE / "django_side.py"), *arguments], timeout)


def _timed(context: Context, name: str, action: Callable[[], object]) -> None:
    started = time.perf_counter()
    action()
    seconds = round(time.perf_counter() - started, 1)
    context.results.setdefault("phases_s", {})[name] = seconds
    log(f"{name}: {seconds} s")


# -- machine ------------------------------------------------------------------------------------


def machine(context: Context) -> dict[str, Any]:
    cpu, ram_gib = cpu_and_memory()
    with psycopg.connect(context.admin_url) as connection:
        version = (connection.execute("SHOW server_version").fetchone() or ("?",))[0]
        settings = {
            name: (connection.execute(f"SHOW {name}").fetchone() or ("?",))[0]
            for name in (
                "shared_buffers",
                "work_mem",
                "effective_cache_size",
                "random_page_cost",
                "jit",
                "max_parallel_workers_per_gather",
            )
        }
    import django
    import gunicorn

    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": cpu,
        "ram_gib": ram_gib,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "psycopg": psycopg.__version__,
        "httpx": httpx.__version__,
        "postgresql": version,
        "postgresql_settings": settings,
        "disk_free_gib": round(shutil.disk_usage("/").free / 2**30, 1),
    }


# -- databases ----------------------------------------------------------------------------------


def create_database(context: Context, target: Target) -> None:
    with psycopg.connect(context.admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{target.database}"')
    tandem(target, "migrate", "--verbosity", "0")
    tandem(target, "seed_demo")


def database_exists(context: Context, database: str) -> bool:
    with psycopg.connect(context.admin_url) as connection:
        row = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (database,)
        ).fetchone()
    return row is not None


def drop_database(context: Context, database: str) -> None:
    with psycopg.connect(context.admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def clone_database(context: Context, source: str, copy: str) -> None:
    """``copy`` as a file copy of ``source`` (which nobody may be connected to)."""
    drop_database(context, copy)
    with psycopg.connect(context.admin_url, autocommit=True) as connection:
        for attempt in range(20):
            try:
                connection.execute(
                    f'CREATE DATABASE "{copy}" TEMPLATE "{source}" STRATEGY = FILE_COPY'
                )
                return
            except psycopg.errors.ObjectInUse:
                if attempt == 19:
                    raise
                time.sleep(1)  # a connection of a stopped server, or autovacuum, going away


def _index_statement(path: Path) -> tuple[str, str]:
    """The index name (the file's stem) and its CREATE INDEX statement (comments dropped)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    statement = " ".join(line for line in lines if not line.lstrip().startswith("--")).strip()
    return path.stem, statement.rstrip(";")


def create_indexes(context: Context, database: str, files: list[Path]) -> None:
    for path in files:
        name, statement = _index_statement(path)
        with psycopg.connect(context.database_url(database), autocommit=True) as connection:
            connection.execute("SET maintenance_work_mem = '1GB'")
            started = time.perf_counter()
            connection.execute(statement)
            connection.execute("ANALYZE inbox_conversation")
            build = round(time.perf_counter() - started, 1)
            size = connection.execute("SELECT pg_relation_size(%s::regclass)", (name,)).fetchone()
        context.results.setdefault("indexes_tried", {})[name] = {
            "statement": statement,
            "build_s": build,
            "index_bytes": int(size[0]) if size else 0,
        }
        log(f"  {name}: built in {build} s ({int(size[0]) if size else 0:,} bytes)")


def data_sizes(context: Context) -> None:
    with psycopg.connect(context.database_url(DATABASE)) as connection:
        context.results["sizes"] = generate.sizes(connection)
        row = connection.execute("SELECT pg_database_size(current_database())").fetchone()
        context.results["database_bytes"] = int(row[0]) if row else 0
        scopes = connection.execute(
            """
            SELECT u.email,
                   count(*) FILTER (WHERE c.assignee_id = e.id
                                    AND c.status IN ('open', 'waiting')) AS mine,
                   count(*) FILTER (WHERE n.path LIKE gn.path || '%%'
                                    AND c.status IN ('open', 'waiting')) AS branch_open,
                   count(*) FILTER (WHERE n.path LIKE gn.path || '%%') AS in_scope
            FROM accounts_user u
            JOIN organisation_employee e ON e.user_id = u.id
            JOIN organisation_rolegrant g ON g.employee_id = e.id
            JOIN organisation_node gn ON gn.id = g.node_id
            JOIN inbox_conversation c ON c.regional_bank_id = e.regional_bank_id
            JOIN organisation_node n ON n.id = c.branch_id
            WHERE u.email IN (%s, %s)
            GROUP BY u.email
            """,
            (ADVISOR, COMMUNITY),
        ).fetchall()
        context.results["scopes"] = {
            email: {"mine_open": mine, "branch_open": branch, "conversations_in_scope": scope}
            for email, mine, branch, scope in scopes
        }


# -- code -----------------------------------------------------------------------------------


def _ignore_for_copy(directory: str, names: list[str]) -> set[str]:
    relative = Path(directory).resolve().relative_to(ROOT)
    ignored = {name for name in names if name in {"__pycache__", ".mypy_cache", ".ruff_cache"}}
    if relative == Path():
        ignored |= {".venv", ".git", "var", "staticfiles", "test-results", ".pytest_cache"}
        ignored |= {name for name in names if name.endswith(".egg-info")}
    if relative == Path("bench"):
        ignored |= {name for name in names if name == "results" or name.startswith(".venv-")}
    return ignored


def patched_copy(patch: Path, destination: Path) -> Path:
    """A copy of this repository's sources with ``patch`` applied (``patch -p1``)."""
    shutil.copytree(ROOT, destination, ignore=_ignore_for_copy)
    subprocess.run(
        ["patch", "-p1", "--forward", "--batch", "--quiet", "-i", str(patch.resolve())],
        cwd=destination,
        check=True,
        timeout=60,
    )
    return destination


# -- measurements -------------------------------------------------------------------------------


def in_process(context: Context, target: Target, tokens: dict[str, str]) -> None:
    out = RESULTS / f".inbox-queries-{os.getpid()}.json"
    try:
        django_side(
            target,
            "queries",
            str(out),
            *(f"--token={email}={token}" for email, token in tokens.items()),
        )
        result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    finally:
        out.unlink(missing_ok=True)
    context.results.setdefault("in_process", {})[target.label] = result


@dataclass
class Live:
    """A running server of a target, with its signed-in clients."""

    target: Target
    server: latency.Server
    clients: dict[str, httpx.Client]
    version: str = ""
    line: int = 0

    def client_for(self, endpoint: Endpoint) -> httpx.Client:
        return self.clients["api" if endpoint.api else endpoint.who]


@contextlib.contextmanager
def serving(targets: list[Target], port: int) -> Iterator[list[Live]]:
    """Every target served at once (gunicorn, 2 workers), with signed-in clients."""
    with contextlib.ExitStack() as stack:
        lives: list[Live] = []
        for index, target in enumerate(targets):
            server = latency.Server(
                root=target.app_root,
                env=target.env,
                port=(port + index) if port else free_port(),
                log_path=RESULTS / f"inbox-serve-{index}.log",
            )
            stack.enter_context(latency.running(server))
            clients: dict[str, httpx.Client] = {}
            for email in (ADVISOR, COMMUNITY):
                clients[email] = stack.enter_context(
                    httpx.Client(base_url=server.base_url, timeout=30)
                )
                latency.login(clients[email], email, DEMO_PASSWORD)
            clients["api"] = stack.enter_context(httpx.Client(base_url=server.base_url, timeout=30))
            live = Live(target, server, clients)
            live.version = latency.list_version(clients[ADVISOR], "mine")
            _, live.line = server.access_times(0)
            lives.append(live)
        yield lives


def _alternate(
    lives: list[Live], endpoint: Endpoint, urls: list[str], headers: dict[str, str], count: int
) -> tuple[list[list[float]], list[int], list[latency.CpuSampler]]:
    """``count`` requests to each server, one after the other (first A, then B first…)."""
    times: list[list[float]] = [[] for _ in lives]
    sizes = [0 for _ in lives]
    samplers = [
        latency.CpuSampler(live.server.worker_pids(), live.target.database) for live in lives
    ]
    deadline = time.monotonic() + 120 * len(lives)
    with contextlib.ExitStack() as stack:
        for sampler in samplers:
            stack.enter_context(sampler)
        for turn in range(count):
            order = list(range(len(lives)))
            if turn % 2:
                order.reverse()
            for index in order:
                elapsed, sizes[index] = latency.timed_get(
                    lives[index].client_for(endpoint), urls[index], headers, endpoint.expect
                )
                times[index].append(elapsed)
            if time.monotonic() > deadline:
                break
    return times, sizes, samplers


def measure_http(context: Context, targets: list[Target], tokens: dict[str, str]) -> None:
    """Each endpoint on every target; with several targets, their requests alternate."""
    arguments = context.arguments
    results: dict[str, dict[str, Any]] = {target.label: {} for target in targets}
    with serving(targets, arguments.port) as lives:
        for endpoint in endpoints():
            headers: dict[str, str] = {"HX-Request": "true"} if endpoint.htmx else {}
            if endpoint.api:
                headers["Authorization"] = f"Bearer {tokens[endpoint.who]}"
            urls = [endpoint.url.format(version=live.version) for live in lives]
            for live, url in zip(lives, urls, strict=True):
                for _ in range(arguments.warmup):
                    latency.timed_get(live.client_for(endpoint), url, headers, endpoint.expect)
                _, live.line = live.server.access_times(live.line)
            times, sizes, samplers = _alternate(lives, endpoint, urls, headers, arguments.requests)
            time.sleep(0.2)
            for index, live in enumerate(lives):
                logged, live.line = live.server.access_times(live.line)
                cpu = {
                    name: round(seconds * 1000 / len(times[index]), 2)
                    for name, seconds in samplers[index].seconds().items()
                }
                stats = latency.summary(times[index])
                results[live.target.label][endpoint.label] = {
                    "url": urls[index],
                    "bytes": sizes[index],
                    "client_ms": stats,
                    "gunicorn_ms": latency.summary(logged),
                    "cpu_ms_per_request": cpu,
                }
                prefix = f"[{live.target.label}] " if len(lives) > 1 else ""
                log(
                    f"  {prefix}{endpoint.label:<58} p50 {stats['p50']:6.1f}  "
                    f"p95 {stats['p95']:6.1f}  p99 {stats['p99']:6.1f} ms  "
                    f"cpu {cpu['gunicorn']:5.1f} + {cpu['postgres']:5.1f} ms  "
                    f"({sizes[index]:,} bytes)"
                )
        if arguments.profile:
            for live in lives:
                results[live.target.label]["py-spy"] = profile(context, live, tokens)
    for label, measured in results.items():
        context.results.setdefault("http", {})[label] = measured


def profile(context: Context, live: Live, tokens: dict[str, str]) -> dict[str, str]:
    """py-spy (raw stacks) on the gunicorn workers while the slowest requests are repeated."""
    py_spy = Path(sys.executable).parent / "py-spy"
    if not py_spy.exists():
        log("  (py-spy is not installed in the virtualenv: no profile)")
        return {}
    outputs: dict[str, str] = {}
    seconds = context.arguments.profile
    for name, client, url, headers in (
        ("queue-branch", live.clients[ADVISOR], "/inbox/?queue=branch", {}),
        (
            "api-community-200",
            live.clients["api"],
            "/api/v1/conversations?limit=200",
            {"Authorization": f"Bearer {tokens[COMMUNITY]}"},
        ),
    ):
        files: list[Path] = []
        recorders: list[subprocess.Popen[bytes]] = []
        for pid in live.server.worker_pids():
            target = RESULTS / f"inbox-py-spy-{name}-{pid}.txt"
            files.append(target)
            recorders.append(
                subprocess.Popen(
                    [
                        *(str(py_spy), "record", "--pid", str(pid)),
                        *("--duration", str(seconds), "--rate", "250"),
                        *("--format", "raw", "--output", str(target)),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        time.sleep(1.0)
        deadline = time.monotonic() + seconds - 1.5
        while time.monotonic() < deadline:
            client.get(url, headers=headers)
        for recorder in recorders:
            try:
                recorder.wait(timeout=seconds + 30)
            except subprocess.TimeoutExpired:
                recorder.kill()
                recorder.wait()
        outputs[name] = ", ".join(str(path.relative_to(ROOT)) for path in files)
        log(f"  py-spy {live.target.label} {name}: {outputs[name]}")
    return outputs


# -- report -------------------------------------------------------------------------------------


def _mib(value: int) -> str:
    return f"{value / 2**20:,.0f} MiB"


def _counts(context: Context, label: str) -> dict[str, Any]:
    queries = context.results.get("in_process", {}).get(label, {})
    return {**queries.get("page", {}), **queries.get("api", {})}


def _row(endpoint: Endpoint, counts: dict[str, Any]) -> tuple[str, str, str]:
    found = [counts[key] for key in endpoint.query_keys if key in counts]
    queries = " / ".join(str(item["queries"]) for item in found) or "n/a"
    own = found[endpoint.measured] if len(found) > endpoint.measured else None
    rows = str(own["rows"]) if own else "-"
    postgres = f"{own['postgres_ms']:.1f}" if own and "postgres_ms" in own else "-"
    return rows, queries, postgres


def report(context: Context) -> str:
    results = context.results
    lines: list[str] = []
    sizes = results.get("sizes", {})
    if sizes:
        lines += [
            "| table | rows | table | indexes | total |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for table, size in sizes.items():
            lines.append(
                f"| `{table}` | {size['rows']:,} | {_mib(size['table_bytes'])} | "
                f"{_mib(size['index_bytes'])} | {_mib(size['total_bytes'])} |"
            )
        lines.append("")
    http = results.get("http", {})
    first = str(results.get("baseline"))
    if first in http:
        lines += [
            f"**{first}**",
            "",
            (
                "| who | request | rows | bytes | p50 ms | p95 ms | p99 ms | max ms | "
                "gunicorn p95 ms | CPU ms/request (gunicorn + PostgreSQL) | "
                "queries (10 / 50 / 200 rows) | PostgreSQL ms (EXPLAIN) |"
            ),
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
        ]
        counts = _counts(context, first)
        for endpoint in endpoints():
            if endpoint.label not in http[first]:
                continue
            measured = http[first][endpoint.label]
            client = measured["client_ms"]
            cpu = measured["cpu_ms_per_request"]
            rows, queries, postgres = _row(endpoint, counts)
            mark = "**" if client["p95"] >= TARGET_P95_MS else ""
            lines.append(
                f"| {endpoint.who.split('@')[0]} | {endpoint.key} | {rows} | "
                f"{measured['bytes']:,} | {client['p50']:.1f} | {mark}{client['p95']:.1f}{mark} "
                f"| {client['p99']:.1f} | {client['max']:.1f} | "
                f"{measured['gunicorn_ms'].get('p95', float('nan')):.0f} | "
                f"{cpu['gunicorn']:.1f} + {cpu['postgres']:.1f} | {queries} | {postgres} |"
            )
        lines.append("")
    comparison = results.get("comparison")
    if comparison:
        a, b = comparison["a"], comparison["b"]
        lines += [
            f"**A/B, requests alternating: A = {a}, B = {b}**",
            "",
            (
                "| who | request | p50 A → B ms | p95 A → B ms | p99 A → B ms | "
                "CPU ms/request A → B (gunicorn + PostgreSQL) | queries A → B | "
                "PostgreSQL ms (EXPLAIN) A → B |"
            ),
            "| --- | --- | ---: | ---: | ---: | ---: | --- | ---: |",
        ]
        counts_a, counts_b = _counts(context, a), _counts(context, b)
        for endpoint in endpoints():
            if endpoint.label not in comparison["http_a"]:
                continue
            ma, mb = comparison["http_a"][endpoint.label], comparison["http_b"][endpoint.label]
            ca, cb = ma["client_ms"], mb["client_ms"]
            _, qa, pa = _row(endpoint, counts_a)
            _, qb, pb = _row(endpoint, counts_b)
            cpu_a, cpu_b = ma["cpu_ms_per_request"], mb["cpu_ms_per_request"]

            def bold(value: float) -> str:
                return f"**{value:.1f}**" if value >= TARGET_P95_MS else f"{value:.1f}"

            lines.append(
                f"| {endpoint.who.split('@')[0]} | {endpoint.key} | "
                f"{ca['p50']:.1f} → {cb['p50']:.1f} | {bold(ca['p95'])} → {bold(cb['p95'])} | "
                f"{ca['p99']:.1f} → {cb['p99']:.1f} | "
                f"{cpu_a['gunicorn']:.1f} + {cpu_a['postgres']:.1f} → "
                f"{cpu_b['gunicorn']:.1f} + {cpu_b['postgres']:.1f} | {qa} → {qb} | "
                f"{pa} → {pb} |"
            )
        lines.append("")
    return "\n".join(lines)


# -- main ---------------------------------------------------------------------------------------


def compare(context: Context, baseline: Target, tokens: dict[str, str]) -> None:
    """A/B: the baseline against the patched code and/or the tried indexes, side by side."""
    arguments = context.arguments
    clone_database(context, DATABASE, DATABASE_B)
    try:
        create_indexes(context, DATABASE_B, arguments.try_index)
        with tempfile.TemporaryDirectory(prefix="tandem-bench-inbox-") as scratch:
            parts = []
            app_root = ROOT
            if arguments.patch is not None:
                app_root = patched_copy(arguments.patch, Path(scratch) / "tandem")
                parts.append(f"patched ({arguments.patch.name})")
            else:
                parts.append(baseline.label)
            parts += [path.stem for path in arguments.try_index]
            variant = context.target(" + ".join(parts), DATABASE_B, app_root)
            _timed(
                context,
                f"{variant.label}: in-process",
                lambda: in_process(context, variant, tokens),
            )
            second = baseline.label + " (A/B)"
            again = Target(second, baseline.app_root, baseline.database, baseline.env)
            _timed(
                context,
                "A/B http",
                lambda: measure_http(context, [again, variant], tokens),
            )
            context.results["comparison"] = {
                "a": baseline.label,
                "b": variant.label,
                "http_a": context.results["http"].pop(second),
                "http_b": context.results["http"][variant.label],
                "patch": str(arguments.patch) if arguments.patch else None,
                "indexes": [str(path) for path in arguments.try_index],
            }
    finally:
        drop_database(context, DATABASE_B)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--admin-url",
        default=os.environ.get(
            "BENCH_PG_ADMIN_URL", "postgresql://tandem:tandem@127.0.0.1:5432/postgres"
        ),
        help="a role with CREATEDB on the local PostgreSQL (default: tandem/tandem)",
    )
    parser.add_argument("--conversations", type=int, default=1_000_000)
    parser.add_argument("--messages-per-conversation", type=int, default=10)
    parser.add_argument("--requests", type=int, default=300, help="timed requests per endpoint")
    parser.add_argument("--warmup", type=int, default=30, help="untimed requests before")
    parser.add_argument("--port", type=int, default=0, help="first port (default: free ports)")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    parser.add_argument(
        "--reuse", action="store_true", help="measure the kept database (no generation)"
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="SECONDS",
        help="also record py-spy on the gunicorn workers (queue page, API limit=200)",
    )
    parser.add_argument(
        "--try-index",
        type=Path,
        action="append",
        default=[],
        metavar="FILE.sql",
        help="A/B: the CREATE INDEX of this file (the index is named like the file) in a copy "
        "of the database",
    )
    parser.add_argument(
        "--patch",
        type=Path,
        default=None,
        metavar="FILE.patch",
        help="A/B: a temporary copy of this repository with this patch applied (patch -p1), "
        "served from the same virtualenv",
    )
    arguments = parser.parse_args()
    admin_url = arguments.admin_url
    if urlsplit(admin_url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("the benchmark only runs against a local PostgreSQL (127.0.0.1)")
    context = Context(arguments, admin_url, _secrets_environment())
    baseline = context.target("current code", DATABASE)
    RESULTS.mkdir(exist_ok=True)
    started = time.perf_counter()
    now = datetime.now(UTC)
    context.results.update(
        {
            "benchmark": "inbox",
            "date": now.date().isoformat(),
            "command": " ".join(["python", "bench/inbox/run.py", *sys.argv[1:]]),
            "machine": machine(context),
            "load_average_start": os.getloadavg(),
            "baseline": baseline.label,
            "requests_per_endpoint": arguments.requests,
            "warmup_per_endpoint": arguments.warmup,
        }
    )
    log(f"machine: {json.dumps(context.results['machine'])}")
    try:
        if arguments.reuse and database_exists(context, DATABASE):
            log(f"reusing database {DATABASE}")
        else:
            _timed(
                context, "create, migrate, seed_demo", lambda: create_database(context, baseline)
            )
            context.results["generation"] = generate.generate(
                context.database_url(DATABASE),
                conversations=arguments.conversations,
                messages_per_conversation=arguments.messages_per_conversation,
                now=now,
                log=log,
            )
            log(f"generation: {context.results['generation']['seconds']} s")
        data_sizes(context)
        log(f"sizes: {json.dumps(context.results['sizes'])}")
        log(f"scopes: {json.dumps(context.results['scopes'])}")
        tokens: dict[str, str] = json.loads(django_side(baseline, "tokens", ADVISOR, COMMUNITY))
        _timed(context, "in-process", lambda: in_process(context, baseline, tokens))
        _timed(context, "http", lambda: measure_http(context, [baseline], tokens))
        if arguments.try_index or arguments.patch:
            compare(context, baseline, tokens)
    finally:
        context.results["load_average_end"] = os.getloadavg()
        context.results["total_s"] = round(time.perf_counter() - started, 1)
        if not arguments.keep:
            drop_database(context, DATABASE)
            log(f"dropped {DATABASE}")
        out = RESULTS / f"inbox-{now:%Y-%m-%d-%H%M%S}.json"
        out.write_text(json.dumps(context.results, indent=2, ensure_ascii=False), encoding="utf-8")
        log(f"results: {out.relative_to(ROOT)}")
    print()
    print(report(context))


if __name__ == "__main__":
    main()
