"""The advisor's queue page: a number of queries that does not grow with the page, the teams
read once, and a list version that changes when the queue or a count changes."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.inbox import views
from tandem.inbox.models import Conversation
from tandem.inbox.tests.helpers import setup_bank
from tandem.inbox.tests.test_access import make_conversation

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def bank(tree):
    setup = setup_bank(tree.bank_a, prefix=1)
    advisor = setup.advisors[0]
    for n in range(30):
        make_conversation(setup, tree.bank_a.branch, assignee=advisor if n % 3 else None)
    return setup


def _version(response) -> str:
    match = re.search(rb"partial=list&(?:amp;)?v=([0-9a-f]{16})", response.content)
    assert match, response.content[:500]
    return match.group(1).decode()


def _queries(client, url, **extra):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **extra)
    assert response.status_code in (200, 204)
    return response, [query["sql"] for query in captured.captured_queries]


def test_the_page_reads_the_same_number_of_rows_whatever_its_size(client, bank, monkeypatch):
    client.force_login(bank.advisors[0].user)
    client.get("/inbox/")  # sessions and caches warm
    counts = {}
    for size in (2, 25):
        monkeypatch.setattr(views, "PAGE_SIZE", size)
        response, queries = _queries(client, "/inbox/?queue=branch")
        assert response.content.count(b'data-testid="conversation-row"') == size
        counts[size] = len(queries)
        # The employee's teams are read once per request, not once per query built on them.
        assert sum('FROM "inbox_team' in sql for sql in queries) == 1
    assert counts[2] == counts[25]


def test_the_poll_costs_one_query_beyond_the_session(client, bank):
    client.force_login(bank.advisors[0].user)
    response = client.get("/inbox/?queue=mine&partial=list", **HTMX)
    version = _version(response)
    response, queries = _queries(client, f"/inbox/?queue=mine&partial=list&v={version}", **HTMX)
    assert response.status_code == 204
    inbox_queries = [sql for sql in queries if 'FROM "inbox_conversation"' in sql]
    assert len(inbox_queries) == 1


def test_the_version_follows_the_queue_and_every_count(client, bank, tree):
    client.force_login(bank.advisors[0].user)

    def version(queue="mine"):
        return _version(client.get(f"/inbox/?queue={queue}&partial=list", **HTMX))

    first = version()
    assert version() == first
    # A conversation of the queue changes.
    mine = Conversation.objects.filter(assignee=bank.advisors[0]).first()
    Conversation.objects.filter(pk=mine.pk).update(updated_at=timezone.now())
    second = version()
    assert second != first
    # A conversation outside "mine" arrives unassigned: the badges change, so does the version.
    make_conversation(bank, tree.bank_a.branch)
    assert version() != second
    # Versions of the closed queue too.
    resolved = version("resolved")
    Conversation.objects.filter(pk=mine.pk).update(status="resolved", updated_at=timezone.now())
    assert version("resolved") != resolved
