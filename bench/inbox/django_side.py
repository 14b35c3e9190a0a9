"""The inbox benchmark's in-process half: run inside Django, against the benchmark database.

Started by ``run.py`` as a child process with the benchmark's environment (``DATABASE_URL``…)::

    python bench/inbox/django_side.py tokens EMAIL [EMAIL …]   # prints {"EMAIL": "tdm_…"}
    python bench/inbox/django_side.py queries OUT.json --token EMAIL=tdm_… [--token …]

``queries`` sends each benchmarked request through Django's test client (the whole middleware
stack, as gunicorn runs it) with ``CaptureQueriesContext`` and writes, per request: the status,
the number of queries, their SQL and time; the queue page is asked with the page size patched to
10, 50 and 200 rows (``tandem.inbox.views.PAGE_SIZE``, in this process only) and the API with
``limit`` 10, 50 and 200. Then every query of the requests as measured over HTTP (50 rows per
page, every API limit) is run again under ``EXPLAIN (ANALYZE, BUFFERS)``, three times, keeping
the fastest run; ``postgres_ms`` is the sum of their planning and execution times.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

# The Tandem being measured: this repository, or the modified copy ``run.py --app-root`` names.
ROOT = Path(os.environ.get("BENCH_APP_ROOT") or Path(__file__).resolve().parents[2])

ADVISOR = "conseiller@lumiere.example"
COMMUNITY = "community@lumiere.example"
PAGE_SIZES = (10, 50, 200)
API_LIMITS = (10, 50, 200)


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()


def tokens(emails: list[str]) -> dict[str, str]:
    from tandem.accounts.models import User
    from tandem.accounts.tokens import api_token_create

    return {
        email: api_token_create(user=User.objects.get(email=email), name="bench inbox")
        for email in emails
    }


def _capture(client: Any, url: str, headers: dict[str, str]) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, headers=headers)  # warm: connection, caches, plans
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        elapsed = time.perf_counter() - started
    if response.get("Content-Type", "").startswith("application/json"):
        rows = len(json.loads(response.content).get("items", []))
    else:
        rows = response.content.count(b'data-testid="conversation-row"')
    return {
        "url": url,
        "status": response.status_code,
        "rows": rows,
        "bytes": len(response.content),
        "ms_in_process": round(elapsed * 1000, 2),
        "queries": len(captured.captured_queries),
        "db_ms": round(sum(float(q["time"]) for q in captured.captured_queries) * 1000, 2),
        "sql": [
            {"ms": round(float(q["time"]) * 1000, 2), "sql": q["sql"]}
            for q in captured.captured_queries
        ],
    }


def _explain(sql: str, runs: int = 3) -> dict[str, Any]:
    """The fastest of ``runs`` executions under EXPLAIN (the machine is shared: one run can be
    slowed down by a neighbour; the plan is the same every time)."""
    from django.db import connection

    best: dict[str, Any] = {}
    for _ in range(runs):
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            lines = [row[0] for row in cursor.fetchall()]
        timings = {
            key: float(line.split(":")[1].split()[0])
            for line in lines
            for key in ("Planning", "Execution")
            if line.startswith(f"{key} Time")
        }
        execution = timings.get("Execution", 0.0)
        if not best or execution < best["execution_ms"]:
            best = {
                "sql": sql,
                "execution_ms": execution,
                "planning_ms": timings.get("Planning", 0.0),
                "plan": lines,
            }
    return best


def queries(out: Path, api_tokens: dict[str, str]) -> None:
    from django.test import Client

    from tandem.accounts.models import User
    from tandem.inbox import views

    results: dict[str, Any] = {"page": {}, "api": {}, "explain": {}}
    client = Client()
    for email in (ADVISOR, COMMUNITY):
        client.force_login(User.objects.get(email=email))
        default_size = views.PAGE_SIZE
        try:
            for size in PAGE_SIZES:
                views.PAGE_SIZE = size
                for name, url, headers in (
                    ("mine", "/inbox/?queue=mine", {}),
                    ("branch", "/inbox/?queue=branch", {}),
                    ("list mine", "/inbox/?queue=mine&partial=list", {"HX-Request": "true"}),
                    ("list branch", "/inbox/?queue=branch&partial=list", {"HX-Request": "true"}),
                ):
                    result = _capture(client, url, headers)
                    results["page"][f"{email} {name} page_size={size}"] = result
        finally:
            views.PAGE_SIZE = default_size
        client.logout()
    api = Client()
    for email, token in api_tokens.items():
        for limit in API_LIMITS:
            result = _capture(
                api,
                f"/api/v1/conversations?limit={limit}",
                {"Authorization": f"Bearer {token}"},
            )
            results["api"][f"{email} limit={limit}"] = result
    measured = {
        **{key: value for key, value in results["page"].items() if key.endswith("page_size=50")},
        **results["api"],
    }
    for key, result in measured.items():
        plans = [_explain(query["sql"]) for query in result["sql"]]
        result["postgres_ms"] = round(
            sum(plan["execution_ms"] + plan["planning_ms"] for plan in plans), 2
        )
        results["explain"][key] = sorted(plans, key=lambda plan: -plan["execution_ms"])
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    token_parser = commands.add_parser("tokens")
    token_parser.add_argument("emails", nargs="+")
    query_parser = commands.add_parser("queries")
    query_parser.add_argument("out", type=Path)
    query_parser.add_argument("--token", action="append", default=[], help="EMAIL=TOKEN")
    arguments = parser.parse_args()
    _setup()
    if arguments.command == "tokens":
        print(json.dumps(tokens(arguments.emails)))
    else:
        pairs = dict(item.split("=", 1) for item in arguments.token)
        queries(arguments.out, pairs)


if __name__ == "__main__":
    main()
