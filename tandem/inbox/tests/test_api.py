"""The JSON API: token auth, scoping like the token's user, guessed ids, pagination, replies,
customer links."""

import uuid
from datetime import timedelta

import httpx
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tandem.accounts.tokens import PREFIX_LENGTH, api_token_create, api_token_revoke
from tandem.connectors.meta import client as meta_client
from tandem.connectors.models import OutboundCall
from tandem.connectors.tests.conftest import connect
from tandem.inbox.access import visible_conversations
from tandem.inbox.models import Contact, Conversation, CustomerLink, Message
from tandem.organisation.actors import actor_for_user
from tandem.organisation.models import Role
from tandem.organisation.tests.factories import make_customer, make_employee

pytestmark = pytest.mark.django_db

API = "/api/v1"
CARD = "4111 1111 1111 1111"


@pytest.fixture
def world(tree):
    a, b = tree.bank_a, tree.bank_b
    people = {
        "advisor_a": make_employee(a.branch, Role.ADVISOR, language="en"),
        "advisor_a2": make_employee(a.other_branch, Role.ADVISOR, language="en"),
        "cm_a": make_employee(a.regional_bank, Role.COMMUNITY_MANAGER, language="en"),
        "advisor_b": make_employee(b.branch, Role.ADVISOR, language="en"),
        "cm_b": make_employee(b.regional_bank, Role.COMMUNITY_MANAGER, language="en"),
    }
    accounts = {
        "a": connect(a.branch, "facebook", "1000000001"),
        "b": connect(b.branch, "facebook", "2000000002"),
    }
    return {"tree": tree, "accounts": accounts, **people}


_numbers = iter(range(10_000, 99_999))


def conversation(
    account,
    branch,
    *,
    assignee=None,
    status="open",
    channel="messenger",
    linked_to=None,
    updated_at=None,
):
    now = timezone.now()
    number = str(next(_numbers))
    contact = Contact.objects.create(
        regional_bank=branch.regional_bank,
        platform="facebook",
        external_id=f"psid{number}",
        display_name=f"Client {number}",
        customer=linked_to,
    )
    item = Conversation.objects.create(
        regional_bank=branch.regional_bank,
        account=account,
        contact=contact,
        channel=channel,
        thread_key=contact.external_id,
        branch=branch,
        status=status,
        assignee=assignee,
        last_message_at=now,
        last_customer_message_at=now - timedelta(minutes=5),
    )
    Message.objects.create(
        regional_bank=branch.regional_bank,
        conversation=item,
        direction="in",
        external_id=f"m_{number}",
        text="Bonjour, ma carte ne marche plus",
        occurred_at=now - timedelta(minutes=5),
    )
    if updated_at is not None:
        Conversation.objects.filter(pk=item.pk).update(updated_at=updated_at)
        item.refresh_from_db()
    return item


def api_client(employee, *, name="test"):
    token = api_token_create(user=employee.user, name=name)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", enforce_csrf_checks=True)


def ids(response):
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


@pytest.fixture
def data(world):
    tree, accounts = world["tree"], world["accounts"]
    a, b = tree.bank_a, tree.bank_b
    customer = make_customer(a.branch, advisor=world["advisor_a"])
    return {
        "mine": conversation(
            accounts["a"], a.branch, assignee=world["advisor_a"], linked_to=customer
        ),
        "branch_free": conversation(accounts["a"], a.branch),
        "branch_resolved": conversation(accounts["a"], a.branch, status="resolved"),
        "other_branch": conversation(accounts["a"], a.other_branch, assignee=world["advisor_a2"]),
        "bank_b": conversation(
            accounts["b"],
            b.branch,
            assignee=world["advisor_b"],
            linked_to=make_customer(b.branch, advisor=world["advisor_b"]),
        ),
    }


# -- authentication -------------------------------------------------------------------------------


def test_missing_bad_revoked_tokens_are_401(client, world, data):
    assert client.get(f"{API}/conversations").status_code == 401
    bad = client.get(f"{API}/conversations", HTTP_AUTHORIZATION="Bearer tdm_" + "x" * 40)
    assert bad.status_code == 401
    assert bad.json() == {"detail": "Authentication required: send Authorization: Bearer <token>."}
    assert bad["WWW-Authenticate"].startswith("Bearer")
    token = api_token_create(user=world["advisor_a"].user, name="crm")
    other_scheme = client.get(f"{API}/conversations", HTTP_AUTHORIZATION=f"Token {token}")
    assert other_scheme.status_code == 401
    assert (
        client.get(f"{API}/conversations", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    )
    api_token_revoke(user=world["advisor_a"].user, key_prefix=token[:PREFIX_LENGTH])
    assert (
        client.get(f"{API}/conversations", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    )


def test_a_session_cookie_alone_is_refused(client, world, data):
    client.force_login(world["advisor_a"].user)
    assert client.get("/inbox/").status_code in (200, 302)  # the session itself is valid
    assert client.get(f"{API}/conversations").status_code == 401
    url = f"{API}/conversations/{data['mine'].pk}/messages"
    assert client.post(url, {"text": "Bonjour"}, content_type="application/json").status_code == 401
    assert not OutboundCall.objects.exists()


def test_the_token_user_acts_whatever_the_session(world, data):
    api = api_client(world["advisor_a2"])
    api.force_login(world["cm_a"].user)  # a wider session is ignored: the token decides
    assert ids(api.get(f"{API}/conversations")) == {str(data["other_branch"].pk)}


def test_openapi_schema_is_public(client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Tandem API"
    assert f"{API}/conversations" in schema["paths"]
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"


# -- scope ----------------------------------------------------------------------------------------


def test_token_scoped_exactly_like_its_user(world, data):
    expected = {
        "advisor_a": {"mine", "branch_free", "branch_resolved"},
        "advisor_a2": {"other_branch"},
        "cm_a": {"mine", "branch_free", "branch_resolved", "other_branch"},
        "advisor_b": {"bank_b"},
        "cm_b": {"bank_b"},
    }
    for who, names in expected.items():
        listed = ids(api_client(world[who]).get(f"{API}/conversations"))
        assert listed == {str(data[name].pk) for name in names}, who
        same = visible_conversations(actor_for_user(world[who].user))
        assert listed == {str(pk) for pk in same.values_list("pk", flat=True)}, who


def test_guessing_ids_across_banks_finds_nothing_and_changes_nothing(world, data):
    spy = api_client(world["cm_b"])
    target = data["mine"]
    calls, messages = OutboundCall.objects.count(), Message.objects.count()
    urls = [
        f"{API}/conversations/{target.pk}",
        f"{API}/conversations/{target.pk}/messages",
        f"{API}/conversations/{uuid.uuid4()}",
    ]
    for url in urls:
        response = spy.get(url)
        assert (response.status_code, response.json()) == (404, {"detail": "Not found."}), url
    for mode in ("message", "public", "private"):
        reply = spy.post(
            f"{API}/conversations/{target.pk}/messages",
            {"text": "Bonjour", "mode": mode},
            content_type="application/json",
        )
        assert reply.status_code == 404
    unlink = spy.delete(f"{API}/customer-links/contacts/{target.contact_id}")
    assert (unlink.status_code, unlink.json()) == (404, {"detail": "Not found."})
    assert spy.delete(f"{API}/customer-links/contacts/{uuid.uuid4()}").status_code == 404
    assert spy.get(f"{API}/conversations/not-a-uuid").status_code == 422
    assert (OutboundCall.objects.count(), Message.objects.count()) == (calls, messages)
    target.contact.refresh_from_db()
    assert target.contact.customer_id is not None


def test_another_branch_of_the_same_bank_is_out_of_reach(world, data):
    api = api_client(world["advisor_a2"])
    assert api.get(f"{API}/conversations/{data['mine'].pk}").status_code == 404
    assert api.get(f"{API}/conversations/{data['mine'].pk}/messages").status_code == 404
    assert api.get(f"{API}/conversations/{data['other_branch'].pk}").status_code == 200


# -- reading --------------------------------------------------------------------------------------


def test_detail(world, data):
    item = data["mine"]
    body = api_client(world["advisor_a"]).get(f"{API}/conversations/{item.pk}").json()
    assert body["id"] == str(item.pk)
    assert (body["status"], body["channel"], body["priority"]) == ("open", "messenger", "normal")
    assert body["assignee"] == {"id": world["advisor_a"].pk, "name": str(world["advisor_a"].user)}
    assert body["branch"] == {"code": item.branch.code, "name": item.branch.name}
    assert body["contact"]["linked"] is True
    assert body["contact"]["customer_reference"] == item.contact.customer.reference
    for field in ("window_closes_at", "first_response_due_at", "resolution_due_at", "updated_at"):
        assert field in body


def test_messages(world, data):
    item = data["mine"]
    api = api_client(world["advisor_a"])
    body = api.get(f"{API}/conversations/{item.pk}/messages").json()
    assert [m["direction"] for m in body["items"]] == ["in"]
    assert body["items"][0]["author"] is None
    assert body["items"][0]["delivery_status"] is None
    assert body["next_cursor"] is None
    base = timezone.now() - timedelta(hours=1)
    for minute in range(5):
        Message.objects.create(
            regional_bank=item.regional_bank,
            conversation=item,
            direction="note",
            text=f"note {minute}",
            occurred_at=base + timedelta(minutes=minute),
            author=world["advisor_a"],
        )
    first = api.get(f"{API}/conversations/{item.pk}/messages?limit=4").json()
    second = api.get(
        f"{API}/conversations/{item.pk}/messages?limit=4&cursor={first['next_cursor']}"
    ).json()
    texts = [m["text"] for m in first["items"] + second["items"]]
    assert texts == [f"note {n}" for n in range(5)] + ["Bonjour, ma carte ne marche plus"]
    assert second["next_cursor"] is None
    assert first["items"][0]["author"] == str(world["advisor_a"].user)


def test_filters(world, data):
    tree, api = world["tree"], api_client(world["cm_a"])

    def listed(query):
        return ids(api.get(f"{API}/conversations?{query}"))

    pk = {name: str(item.pk) for name, item in data.items()}
    assert listed("status=resolved") == {pk["branch_resolved"]}
    assert listed(f"branch={tree.bank_a.other_branch.code}") == {pk["other_branch"]}
    assert listed(f"branch={tree.bank_b.branch.code}") == set()
    assert listed("assignee=none") == {pk["branch_free"], pk["branch_resolved"]}
    assert listed(f"assignee={world['advisor_a2'].pk}") == {pk["other_branch"]}
    assert listed("assignee=me") == set()
    assert ids(api_client(world["advisor_a"]).get(f"{API}/conversations?assignee=me")) == {
        pk["mine"]
    }
    assert listed("channel=whatsapp") == set()
    assert len(listed("channel=messenger")) == 4
    Conversation.objects.filter(pk=data["mine"].pk).update(
        updated_at=timezone.now() - timedelta(days=3)
    )
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert pk["mine"] not in listed(f"updated_since={since.replace('+', '%2B')}")
    for bad in (
        "status=closed",
        "assignee=bob",
        "limit=0",
        "limit=201",
        "channel=fax",
        "updated_since=2026-01-01T10:00:00",
    ):  # a time without its zone is ambiguous
        assert api.get(f"{API}/conversations?{bad}").status_code == 422, bad


def test_cursor_pagination_has_no_duplicates_or_gaps(world):
    tree, account = world["tree"], world["accounts"]["a"]
    same_time = timezone.now() - timedelta(hours=2)
    created = {
        str(
            conversation(
                account,
                tree.bank_a.branch,
                updated_at=same_time if n % 3 else same_time - timedelta(minutes=n),
            ).pk
        )
        for n in range(23)
    }
    api, seen, cursor, pages = api_client(world["cm_a"]), [], "", 0
    while True:
        body = api.get(f"{API}/conversations?limit=5" + (f"&cursor={cursor}" if cursor else ""))
        assert body.status_code == 200
        seen += [item["id"] for item in body.json()["items"]]
        pages += 1
        cursor = body.json()["next_cursor"]
        if cursor is None:
            break
    assert pages == 5
    assert len(seen) == len(set(seen)) == 23
    assert set(seen) == created
    updated = list(Conversation.objects.order_by("-updated_at", "-pk").values_list("pk", flat=True))
    assert seen == [str(pk) for pk in updated]


@pytest.mark.parametrize("cursor", ["garbage", "e30", "WyJ4IiwgInkiXQ", "W10", "WzEsMl0"])
def test_invalid_cursor_is_422(world, data, cursor):
    api = api_client(world["cm_a"])
    response = api.get(f"{API}/conversations?cursor={cursor}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "cursor"]
    item = data["mine"]
    assert api.get(f"{API}/conversations/{item.pk}/messages?cursor={cursor}").status_code == 422


def test_list_query_count_does_not_grow_with_page_size(world, django_assert_max_num_queries):
    tree, account = world["tree"], world["accounts"]["a"]
    for n in range(120):
        customer = make_customer(tree.bank_a.branch) if n % 2 else None
        conversation(
            account,
            tree.bank_a.other_branch if n % 3 else tree.bank_a.branch,
            assignee=world["advisor_a2"] if n % 4 else None,
            linked_to=customer,
        )
    api = api_client(world["cm_a"])
    api.get(f"{API}/conversations?limit=1")  # the token's first use writes last_used_at
    counts = {}
    for limit in (5, 100):
        with django_assert_max_num_queries(5), CaptureQueriesContext(connection) as queries:
            response = api.get(f"{API}/conversations?limit={limit}")
        assert len(response.json()["items"]) == limit
        counts[limit] = len(queries)
    assert counts[5] == counts[100]


# -- replying -------------------------------------------------------------------------------------


@pytest.fixture
def meta():
    sent = []

    def answer(request):
        sent.append(request)
        return httpx.Response(200, json={"recipient_id": "1", "message_id": "m_1"})

    meta_client.set_transport(httpx.MockTransport(answer))
    yield sent
    meta_client.set_transport(None)


def test_reply_creates_a_message_and_sends_it(
    world, data, meta, django_capture_on_commit_callbacks
):
    item = data["mine"]
    api = api_client(world["advisor_a"])
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"{API}/conversations/{item.pk}/messages",
            {"text": "Bonjour, je regarde cela."},
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["direction"], body["text"]) == ("out", "Bonjour, je regarde cela.")
    assert body["author"] == str(world["advisor_a"].user)
    message = Message.objects.get(pk=body["id"])
    assert message.outbound_call is not None
    assert OutboundCall.objects.get().status == "sent"
    assert len(meta) == 1
    listed = api.get(f"{API}/conversations/{item.pk}/messages").json()["items"]
    assert listed[-1]["delivery_status"] == "sent"


def test_reply_refusals_change_nothing(world, data, meta):
    api = api_client(world["advisor_a"])
    before = (Message.objects.count(), OutboundCall.objects.count())

    def reply(item, text, mode="message"):
        return api.post(
            f"{API}/conversations/{item.pk}/messages",
            {"text": text, "mode": mode},
            content_type="application/json",
        )

    not_mine = reply(data["branch_free"], "Bonjour")
    assert not_mine.status_code == 403
    assert "take it over first" in not_mine.json()["detail"]
    card = reply(data["mine"], f"Votre carte {CARD} est bloquée")
    assert card.status_code == 400
    assert "card number" in card.json()["detail"]
    assert reply(data["mine"], "Bonjour", mode="public").status_code == 422
    assert reply(data["mine"], "").status_code == 422
    assert reply(data["mine"], "x" * 5000).status_code == 422
    assert (Message.objects.count(), OutboundCall.objects.count()) == before
    assert meta == []


def test_reply_needs_no_csrf_with_a_token(world, data, meta):
    api = api_client(world["advisor_a"])  # enforce_csrf_checks=True, no CSRF token sent
    api.force_login(world["advisor_a"].user)
    response = api.post(
        f"{API}/conversations/{data['mine'].pk}/messages",
        {"text": "Bonjour"},
        content_type="application/json",
    )
    assert response.status_code == 201


# -- customer links -------------------------------------------------------------------------------


def link_request(api, bank, advisor_email, reference="C-0001"):
    return api.post(
        f"{API}/customer-links",
        {
            "regional_bank": bank.code,
            "customer_reference": reference,
            "advisor_email": advisor_email,
            "display_name": "Mme Martin",
        },
        content_type="application/json",
    )


def test_customer_link_create(world):
    tree = world["tree"]
    response = link_request(
        api_client(world["cm_a"]), tree.bank_a.regional_bank, world["advisor_a"].user.email
    )
    assert response.status_code == 201, response.content
    body = response.json()
    link = CustomerLink.objects.get()
    assert body["code"] == link.code
    assert body["links"] == {"messenger": f"https://m.me/1000000001?ref={link.code}"}
    assert link.customer.advisor == world["advisor_a"]
    assert link.customer.reference == "C-0001"


def test_customer_link_refusals(world):
    tree, api = world["tree"], api_client(world["cm_a"])
    unknown = link_request(api, tree.bank_a.regional_bank, "nobody@bank.example")
    assert unknown.status_code == 422
    assert "advisor" in unknown.json()["detail"]
    other_bank_advisor = link_request(api, tree.bank_a.regional_bank, world["advisor_b"].user.email)
    assert other_bank_advisor.status_code == 422
    other_bank = link_request(api, tree.bank_b.regional_bank, world["advisor_b"].user.email)
    assert other_bank.status_code == 403
    branch_code = link_request(api, tree.bank_a.branch, world["advisor_a"].user.email)
    assert branch_code.status_code == 403
    missing = api.post(
        f"{API}/customer-links", {"regional_bank": "NOPE"}, content_type="application/json"
    )
    assert missing.status_code == 422
    assert isinstance(missing.json()["detail"], list)
    assert not CustomerLink.objects.exists()


def test_unlink(world, data):
    contact = data["mine"].contact
    api = api_client(world["cm_a"])
    assert api.delete(f"{API}/customer-links/contacts/{contact.pk}").status_code == 204
    contact.refresh_from_db()
    assert (contact.customer_id, contact.linked_at) == (None, None)
    assert api.delete(f"{API}/customer-links/contacts/{contact.pk}").status_code == 204
    detail = api.get(f"{API}/conversations/{data['mine'].pk}").json()
    assert detail["contact"]["linked"] is False


def test_comment_threads_need_an_explicit_public_or_private_mode(world, meta):
    tree, account = world["tree"], world["accounts"]["a"]
    thread = conversation(
        account, tree.bank_a.branch, assignee=world["advisor_a"], channel="facebook_comment"
    )
    Conversation.objects.filter(pk=thread.pk).update(root_comment_id="post_1_comment_1")
    api = api_client(world["advisor_a"])
    url = f"{API}/conversations/{thread.pk}/messages"
    listed = api.get(url).json()["items"]
    assert [(m["direction"], m["public"]) for m in listed] == [("in", True)]
    implicit = api.post(url, {"text": "Bonjour"}, content_type="application/json")
    assert implicit.status_code == 422
    assert "public" in implicit.json()["detail"]
    assert not OutboundCall.objects.exists()
    public = api.post(
        url,
        {"text": "Bonjour, écrivez-nous en privé.", "mode": "public"},
        content_type="application/json",
    )
    assert public.status_code == 201, public.content
    assert (public.json()["direction"], public.json()["public"]) == ("out", True)
    assert OutboundCall.objects.get().kind == "public_reply"


def test_list_items_say_what_the_detail_says(world, data):
    api = api_client(world["cm_a"])
    items = api.get(f"{API}/conversations?limit=100").json()["items"]
    assert {item["id"] for item in items} >= {str(data["mine"].pk), str(data["branch_free"].pk)}
    for item in items:
        detail = api.get(f"{API}/conversations/{item['id']}").json()
        assert {key: detail[key] for key in item} == item
    linked = next(item for item in items if item["id"] == str(data["mine"].pk))
    assert linked["contact"]["linked"] is True
    assert linked["contact"]["customer_reference"]
    assert linked["assignee"]["name"] == str(world["advisor_a"].user)
