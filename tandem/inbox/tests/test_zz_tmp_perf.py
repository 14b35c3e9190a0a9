import time
from datetime import timedelta
from django.utils import timezone
from tandem.inbox.models import Contact, Conversation
from tandem.inbox.tests.test_api import API, api_client, world  # noqa
from tandem.inbox import api as inbox_api
from tandem.inbox.access import visible_conversations
from tandem.organisation.actors import actor_for_user
from tandem.accounts.tokens import api_token_authenticate
from config.api import api as ninja_api


def med(f, n=40):
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        f()
        ts.append((time.perf_counter() - t) * 1000)
    ts.sort()
    return "%.2f ms" % ts[n // 2]


def test_perf(world):
    tree, account = world["tree"], world["accounts"]["a"]
    a = tree.bank_a
    now = timezone.now()
    contacts = Contact.objects.bulk_create(
        [
            Contact(
                regional_bank=a.regional_bank,
                platform="facebook",
                external_id=f"p{n}",
                display_name=f"C{n}",
            )
            for n in range(5000)
        ]
    )
    Conversation.objects.bulk_create(
        [
            Conversation(
                regional_bank=a.regional_bank,
                account=account,
                contact=c,
                channel="messenger",
                thread_key=c.external_id,
                branch=a.branch if n % 2 else a.other_branch,
                assignee=world["advisor_a"] if n % 3 else None,
                last_message_at=now,
                updated_at=now - timedelta(seconds=n),
            )
            for n, c in enumerate(contacts)
        ]
    )
    user = world["cm_a"].user
    from tandem.accounts.tokens import api_token_create

    raw = api_token_create(user=user, name="x")
    api_token_authenticate(raw)
    actor = actor_for_user(user)
    print("auth", med(lambda: api_token_authenticate(raw)))
    print("actor", med(lambda: actor_for_user(user)))
    qs = lambda: (
        visible_conversations(actor)
        .select_related(*inbox_api._LIST_RELATED)
        .order_by("-updated_at", "-pk")
    )
    print("sql 51 rows", med(lambda: list(qs()[:51])))
    print("sql 201 rows", med(lambda: list(qs()[:201])))
    rows = list(qs()[:51])
    print(
        "build 50",
        med(lambda: [inbox_api.ConversationItemOut(**inbox_api._item_fields(r)) for r in rows]),
    )
    out = inbox_api.ConversationListOut(
        items=[inbox_api.ConversationItemOut(**inbox_api._item_fields(r)) for r in rows],
        next_cursor=None,
    )
    print(
        "dump+render 50",
        med(lambda: ninja_api.renderer.render(None, out.model_dump(), response_status=200)),
    )
    c = api_client(world["cm_a"])
    c.get(f"{API}/conversations?limit=1")
    print("full 50", med(lambda: c.get(f"{API}/conversations?limit=50")))
    print("full 1", med(lambda: c.get(f"{API}/conversations?limit=1")))
    print("openapi", med(lambda: c.get(f"{API}/openapi.json")))
