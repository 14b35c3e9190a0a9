from datetime import timedelta
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from tandem.inbox.models import Contact, Conversation
from tandem.inbox.tests.test_api import API, api_client, world  # noqa
from tandem.inbox import api as inbox_api
from tandem.inbox.access import visible_conversations
from tandem.organisation.actors import actor_for_user


def plan(qs):
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute("EXPLAIN QUERY PLAN " + sql, params)
        for row in cur.fetchall():
            print("   ", row[3])


def test_plan(world):
    a = world["tree"].bank_a
    actor = actor_for_user(world["cm_a"].user)
    now = timezone.now()
    base = (
        visible_conversations(actor)
        .select_related(*inbox_api._LIST_RELATED)
        .order_by("-updated_at", "-pk")
    )
    print("first page")
    plan(base[:51])
    import uuid

    print("cursor OR")
    plan(base.filter(Q(updated_at__lt=now) | Q(updated_at=now, pk__lt=uuid.uuid4()))[:51])
    print("cursor lte+not")
    plan(base.filter(Q(updated_at__lte=now) & ~Q(updated_at=now, pk__gte=uuid.uuid4()))[:51])
    print(
        str(base.filter(Q(updated_at__lte=now) & ~Q(updated_at=now, pk__gte=uuid.uuid4())).query)[
            -400:
        ]
    )
