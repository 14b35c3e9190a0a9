"""``fetch_prepared``: the hot statements prepared once per connection on PostgreSQL, Django's
cursor everywhere else, the same rows and the same errors either way."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from tandem.core.db import fetch_prepared

pytestmark = pytest.mark.django_db(transaction=True)

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements: PostgreSQL"
)

TABLE = "tandem_test_prepared"


@pytest.fixture
def table():
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {TABLE} (id integer PRIMARY KEY, label text NOT NULL)")
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {TABLE}")


def _prepared() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}


INSERT = f"INSERT INTO {TABLE} (id, label) VALUES (%s, %s) RETURNING id, label"


def test_rows_come_back_on_every_database(table):
    assert [tuple(row) for row in fetch_prepared(INSERT, [1, "un"])] == [(1, "un")]
    assert [tuple(row) for row in fetch_prepared(INSERT, [2, "deux"])] == [(2, "deux")]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, label FROM {TABLE} ORDER BY id")
        assert cursor.fetchall() == [(1, "un"), (2, "deux")]


def test_errors_are_djangos_and_the_transaction_rolls_back(table):
    fetch_prepared(INSERT, [1, "un"])

    def insert_twice():
        with transaction.atomic():
            fetch_prepared(INSERT, [3, "trois"])
            fetch_prepared(INSERT, [1, "encore"])

    with pytest.raises(IntegrityError):
        insert_twice()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {TABLE}")
        assert cursor.fetchall() == [(1,)]
    # The connection and its prepared statement are still good after the rollback.
    assert [tuple(row) for row in fetch_prepared(INSERT, [4, "quatre"])] == [(4, "quatre")]


@postgresql_only
def test_the_statement_is_prepared_once_per_connection(table):
    before = _prepared()
    fetch_prepared(INSERT, [1, "un"])
    after = _prepared()
    new = after - before
    assert len(new) == 1 and TABLE in next(iter(new))
    fetch_prepared(INSERT, [2, "deux"])
    assert _prepared() == after  # reused, not prepared again


@postgresql_only
def test_connections_without_prepared_statements_are_respected(table, monkeypatch):
    connection.ensure_connection()
    monkeypatch.setattr(connection.connection, "prepare_threshold", None)
    before = _prepared()
    assert [tuple(row) for row in fetch_prepared(INSERT, [1, "un"])] == [(1, "un")]
    assert _prepared() == before


def test_logged_queries_go_through_djangos_cursor(table):
    with CaptureQueriesContext(connection) as queries:
        fetch_prepared(INSERT, [1, "un"])
    assert [query["sql"] for query in queries.captured_queries if TABLE in query["sql"]]


@postgresql_only
def test_a_statement_first_prepared_in_a_rolled_back_transaction_still_runs(table):
    class Boom(Exception):
        pass

    def prepare_then_fail():
        with transaction.atomic():
            fetch_prepared(INSERT, [1, "un"])
            raise Boom

    with pytest.raises(Boom):
        prepare_then_fail()
    assert [tuple(row) for row in fetch_prepared(INSERT, [1, "encore"])] == [(1, "encore")]
    assert [tuple(row) for row in fetch_prepared(INSERT, [2, "deux"])] == [(2, "deux")]
