"""What the benchmark scripts share: a throw-away database on this machine, the ``tandem``
command, free ports, and what the machine is.

Imported by ``bench/<name>/run.py``, which put ``bench/`` on ``sys.path`` first. Standard
library only; psycopg is imported when PostgreSQL is used.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class SetupError(Exception):
    """The run could not be prepared (database, server start…): no numbers, no verdict."""


def tandem_argv(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "tandem.cli", *arguments]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cpu_and_memory() -> tuple[str, float]:
    """The CPU model (``unknown`` when /proc/cpuinfo does not say) and the RAM in GiB."""
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory_kb = 0
    with contextlib.suppress(OSError, ValueError, IndexError):
        memory_kb = int(Path("/proc/meminfo").read_text().splitlines()[0].split()[1])
    return cpu, round(memory_kb / 1024 / 1024, 1)


@dataclass
class LocalDatabase:
    """A database created for one run: a SQLite file in the run's directory, or a new
    PostgreSQL database (``<prefix>_<pid>``) on the server of 127.0.0.1, dropped by ``drop``."""

    kind: str  # "sqlite" or "postgresql"
    url: str
    sqlite_path: Path | None = None
    admin_url: str | None = None
    name: str | None = None

    @classmethod
    def create(cls, spec: str, workdir: Path, prefix: str) -> LocalDatabase:
        """``spec``: ``sqlite`` (or empty), or the URL of a PostgreSQL database on this machine
        whose role may create databases (the new one is created beside it)."""
        if spec in ("", "sqlite"):
            path = workdir / "tandem.sqlite3"
            return cls(kind="sqlite", url=f"sqlite:///{path}", sqlite_path=path)
        parts = urlsplit(spec)
        if parts.scheme not in ("postgres", "postgresql", "pgsql"):
            raise SetupError(f"database: sqlite or postgres://…, not {parts.scheme!r}")
        if (parts.hostname or "127.0.0.1") not in LOCAL_HOSTS:
            raise SetupError("database: only a PostgreSQL server on 127.0.0.1 is used")
        name = f"{prefix}_{os.getpid()}"
        database = cls(
            kind="postgresql",
            url=urlunsplit(parts._replace(path="/" + name, query="")),
            admin_url=urlunsplit(
                parts._replace(path="/" + (parts.path.lstrip("/") or "postgres"), query="")
            ),
            name=name,
        )
        with database.admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
        return database

    @contextlib.contextmanager
    def admin(self) -> Iterator[Any]:
        import psycopg

        assert self.admin_url is not None
        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=10) as admin:
            yield admin

    def connect(self, *, synchronous_commit_off: bool = False) -> Any:
        """A DB-API connection configured like Django's (autocommit; transactions explicit)."""
        if self.kind == "sqlite":
            assert self.sqlite_path is not None
            lite = sqlite3.connect(self.sqlite_path, timeout=30, isolation_level=None)
            # The pragmas of config/settings/base.py (journal_mode is stored in the file), with
            # a longer wait for the lock: the scripts read while Tandem writes.
            lite.execute("PRAGMA journal_mode=WAL")
            lite.execute("PRAGMA synchronous=NORMAL")
            lite.execute("PRAGMA busy_timeout=30000")
            return lite
        import psycopg

        connection = psycopg.connect(self.url, autocommit=True, connect_timeout=10)
        if synchronous_commit_off:
            connection.execute("SET synchronous_commit = off")
        return connection

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        connection = self.connect()
        try:
            return list(connection.execute(sql).fetchall())
        finally:
            connection.close()

    def scalar(self, sql: str) -> Any:
        return self.query(sql)[0][0]

    def execute(self, sql: str) -> int:
        connection = self.connect()
        try:
            return int(connection.execute(sql).rowcount)
        finally:
            connection.close()

    def drop(self) -> None:
        if self.kind == "postgresql" and self.name:
            with self.admin() as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
