"""One function per kind of simulated event, and the mix of kinds per webhook object.

Each maker takes the ``World``, the bank's ``Account`` and a customer (index into
``World.people``) and returns one ``Item``: the Meta JSON item (from ``shapes``), the
idempotency key Tandem must derive, and the bookkeeping the runner and tests need (customer
texts, sensitive texts, the customer action that opens a messaging window).

``MAKERS[object]`` lists ``(name, weight, maker)``; weights are relative frequencies inside an
object, chosen to look like a bank's inbox: mostly customer messages, a steady flow of receipts
(deliveries, reads, statuses), public comments, and a few postbacks, referrals and moderation
events.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from tandem.connectors.meta.payloads import format_prefilled_ref
from tandem.connectors.simulation import shapes
from tandem.connectors.simulation.accounts import Account
from tandem.connectors.simulation.conversations import Comment, Item, World
from tandem.connectors.simulation.corpus import (
    DOCUMENT_NAMES,
    EDIT_SUFFIXES,
    MEDIA_CAPTIONS,
    MENU_BUTTONS,
    PAGE_REPLIES,
    PREFILLED_TEXTS,
    QUICK_REPLIES,
    REACTIONS,
    WHATSAPP_BUTTONS,
)
from tandem.connectors.simulation.sensitive import make_piece

__all__ = ["MAKERS", "Maker"]

Maker = Callable[[World, Account, int], Item]


def _psid(world: World, account: Account, person: int) -> str:
    prefix = "igsid" if account.platform == "instagram" else "psid"
    return world.scoped_id(prefix, account.external_id, person, 16 if prefix == "psid" else 17)


def _direct_mid(world: World, account: Account) -> str:
    if account.platform == "instagram":
        return world.instagram_mid()
    return world.messenger_mid()


# -- Messenger and Instagram direct messages --------------------------------------------------


def direct_text(world: World, account: Account, person: int) -> Item:
    sender, timestamp = _psid(world, account, person), world.event_time()
    said = world.utter(world.people[person], public=False)
    body, key = shapes.text_message(
        account=account.external_id,
        sender=sender,
        timestamp=timestamp,
        mid=_direct_mid(world, account),
        text=said.text,
    )
    action = world.action(account, sender, timestamp)
    return Item(account, "message", key, "messaging", body, timestamp, action=action, texts=1,
                sensitive=int(said.sensitive))  # fmt: skip


def quick_reply(world: World, account: Account, person: int) -> Item:
    sender, timestamp = _psid(world, account, person), world.event_time()
    title, payload = world.rng.choice(QUICK_REPLIES)
    body, key = shapes.text_message(
        account=account.external_id,
        sender=sender,
        timestamp=timestamp,
        mid=world.messenger_mid(),
        text=title,
        quick_reply=payload,
    )
    action = world.action(account, sender, timestamp)
    return Item(account, "message", key, "messaging", body, timestamp, action=action)


def direct_attachment(world: World, account: Account, person: int) -> Item:
    sender, timestamp = _psid(world, account, person), world.event_time()
    rng = world.rng
    if account.platform == "instagram":
        kind = rng.choices(("image", "share", "story_mention", "ig_reel"), (5, 3, 2, 1))[0]
        url = f"https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id={world.digits(17)}"
        url += f"&signature={world.token(24)}"
    else:
        kind = rng.choices(("image", "file", "audio", "video"), (14, 3, 2, 1))[0]
        suffix = {"image": "n.jpg", "file": "releve.pdf", "audio": "clip.mp4", "video": "n.mp4"}
        url = (
            f"https://scontent.xx.fbcdn.net/v/t1.15752-9/{world.digits(9)}_{world.digits(15)}"
            f"_{suffix[kind]}?_nc_cat={rng.randint(100, 111)}&oh={world.token(12)}"
        )
    body, key = shapes.attachment_message(
        account=account.external_id,
        sender=sender,
        timestamp=timestamp,
        mid=_direct_mid(world, account),
        kind=kind,
        url=url,
    )
    action = world.action(account, sender, timestamp)
    return Item(account, "message", key, "messaging", body, timestamp, action=action)


def menu_postback(world: World, account: Account, person: int) -> Item:
    sender, timestamp = _psid(world, account, person), world.tick()
    title, payload = world.rng.choice(MENU_BUTTONS)
    body, key = shapes.postback(
        account=account.external_id,
        sender=sender,
        timestamp=timestamp,
        mid=world.messenger_mid(),
        title=title,
        payload=payload,
    )
    action = world.action(account, sender, timestamp)
    return Item(account, "postback", key, "messaging", body, timestamp, action=action)


def get_started(world: World, account: Account, person: int) -> Item:
    """A new thread opened from the bank app's ``m.me/<page>?ref=<code>`` link."""
    sender, timestamp = _psid(world, account, person), world.tick()
    body, key = shapes.postback(
        account=account.external_id,
        sender=sender,
        timestamp=timestamp,
        mid=world.messenger_mid(),
        title="Démarrer",
        payload="GET_STARTED",
        ref=world.linking_code(),
    )
    action = world.action(account, sender, timestamp)
    return Item(account, "postback", key, "messaging", body, timestamp, action=action)


def link_referral(world: World, account: Account, person: int) -> Item:
    """The same link opened on an existing thread: a standalone ``referral`` event."""
    sender, timestamp = _psid(world, account, person), world.tick()
    body, key = shapes.referral(
        account=account.external_id, sender=sender, timestamp=timestamp, ref=world.linking_code()
    )
    action = world.action(account, sender, timestamp)
    return Item(account, "referral", key, "messaging", body, timestamp, action=action)


def messenger_delivery(world: World, account: Account, person: int) -> Item:
    watermark = world.tick()
    mids = [world.messenger_mid() for _ in range(world.rng.choice((1, 1, 2)))]
    body, key = shapes.delivery(
        account=account.external_id,
        sender=_psid(world, account, person),
        mids=mids,
        watermark=watermark,
    )
    return Item(account, "delivery", key, "messaging", body, watermark)


def messenger_read(world: World, account: Account, person: int) -> Item:
    watermark = world.tick()  # strictly increasing: a read's key holds its watermark
    timestamp = watermark + world.rng.randint(20, 900)
    body, key = shapes.read(
        account=account.external_id,
        sender=_psid(world, account, person),
        timestamp=timestamp,
        watermark=watermark,
    )
    return Item(account, "read", key, "messaging", body, timestamp)


def instagram_seen(world: World, account: Account, person: int) -> Item:
    timestamp = world.tick()
    body, key = shapes.instagram_seen(
        account=account.external_id,
        sender=_psid(world, account, person),
        timestamp=timestamp,
        mid=world.instagram_mid(),
    )
    return Item(account, "read", key, "messaging", body, timestamp)


# -- Public comments --------------------------------------------------------------------------


def feed_add(world: World, account: Account, person: int) -> Item:
    rng, timestamp = world.rng, world.event_time()
    post_id = world.post(account)
    created = timestamp // 1000
    earlier = [c for c in world.comments.get(account.external_id, ()) if c.post_id == post_id]
    people = world.people[person]
    if earlier and rng.random() < 0.06:  # the Page answering publicly: it comes back as an event
        parent = rng.choice(earlier[-20:])
        author = {"id": account.external_id, "name": "Votre agence"}
        text = rng.choice(PAGE_REPLIES).format(prenom=parent.author["name"].split()[0])
        comment_id = f"{post_id.split('_')[1]}_{world.digits(16)}"
        body, key = shapes.feed_comment(
            verb="add", author=author, post_id=post_id, comment_id=comment_id,
            parent_id=parent.comment_id, created_time=created, entry_time=created, text=text,
        )  # fmt: skip
        return Item(account, "feed.comment.add", key, "changes", body, timestamp)
    parent_id = rng.choice(earlier[-20:]).comment_id if earlier and rng.random() < 0.3 else post_id
    author = {
        "id": world.scoped_id("fbuser", account.external_id, person, 16),
        "name": f"{people.first_name} {people.last_name}",
    }
    said = world.utter(people, public=True)
    comment = Comment(
        comment_id=f"{post_id.split('_')[1]}_{world.digits(16)}",
        post_id=post_id,
        parent_id=parent_id,
        author=author,
        text=said.text,
        created_time=created,
        sensitive=said.sensitive,
    )
    world.remember(account, comment)
    body, key = shapes.feed_comment(
        verb="add", author=author, post_id=post_id, comment_id=comment.comment_id,
        parent_id=parent_id, created_time=created, entry_time=created, text=said.text,
    )  # fmt: skip
    return Item(account, "feed.comment.add", key, "changes", body, timestamp, texts=1,
                sensitive=int(said.sensitive))  # fmt: skip


def feed_edit(world: World, account: Account, person: int) -> Item:
    comment = world.live_comment(account)
    if comment is None:
        return feed_add(world, account, person)
    timestamp = world.tick()
    edited = max(timestamp // 1000, comment.last_edit + 1)  # the key holds the edit time
    comment.last_edit = edited
    rng = world.rng
    if rng.random() < world.config.sensitive_share:
        # Editing a comment to add an account number is exactly what compliance must re-scan.
        author = comment.author["name"].split(" ", 1)
        text, _, _ = make_piece(rng, first_name=author[0], last_name=author[-1]).render()
        comment.text = f"{comment.text} {text}"
        comment.sensitive = True
    else:
        comment.text += rng.choice(EDIT_SUFFIXES)
    body, key = shapes.feed_comment(
        verb="edited", author=comment.author, post_id=comment.post_id,
        comment_id=comment.comment_id, parent_id=comment.parent_id,
        created_time=comment.created_time, entry_time=edited, text=comment.text,
        edited_time=edited,
    )  # fmt: skip
    return Item(account, "feed.comment.edit", key, "changes", body, timestamp, texts=1,
                sensitive=int(comment.sensitive))  # fmt: skip


def feed_remove(world: World, account: Account, person: int) -> Item:
    comment = world.live_comment(account)
    if comment is None:
        return feed_add(world, account, person)
    comment.removed = True
    timestamp = world.tick()
    body, key = shapes.feed_comment(
        verb="remove", author=comment.author, post_id=comment.post_id,
        comment_id=comment.comment_id, parent_id=comment.parent_id,
        created_time=comment.created_time, entry_time=timestamp // 1000,
    )  # fmt: skip
    return Item(account, "feed.comment.remove", key, "changes", body, timestamp)


def feed_hide(world: World, account: Account, person: int) -> Item:
    """A moderator (or Tandem itself) hid a comment, preferably one exposing sensitive data."""
    comment = world.live_comment(account, prefer_sensitive=True)
    if comment is None or comment.hidden:
        return feed_add(world, account, person)
    comment.hidden = True
    timestamp = world.tick()
    entry_time = timestamp // 1000  # the hide's key holds the entry time: pin it
    body, key = shapes.feed_comment(
        verb="hide", author=comment.author, post_id=comment.post_id,
        comment_id=comment.comment_id, parent_id=comment.parent_id,
        created_time=comment.created_time, entry_time=entry_time,
    )  # fmt: skip
    return Item(account, "feed.comment.hide", key, "changes", body, timestamp, entry_time)


def instagram_comment(world: World, account: Account, person: int) -> Item:
    rng, timestamp = world.rng, world.event_time()
    media_id, people = world.post(account), world.people[person]
    earlier = [c for c in world.comments.get(account.external_id, ()) if c.post_id == media_id]
    parent = rng.choice(earlier[-20:]).comment_id if earlier and rng.random() < 0.2 else None
    said = world.utter(people, public=True)
    author_id = world.scoped_id("igsid", account.external_id, person, 17)
    comment_id = "178" + world.digits(14)
    body, key = shapes.instagram_comment(
        author_id=author_id, username=people.username, media_id=media_id,
        comment_id=comment_id, text=said.text, parent_id=parent, reel=rng.random() < 0.3,
    )  # fmt: skip
    world.remember(account, Comment(comment_id, media_id, parent or media_id, {"id": author_id},
                                    said.text, timestamp // 1000, said.sensitive))  # fmt: skip
    # Accounts on "Instagram API with Instagram Login" get the flat envelope (no changes[]).
    flat = int(world.scoped_id("login", account.external_id, 0, 2)) % 2 == 0
    return Item(account, "comments", key, "flat" if flat else "changes", body, timestamp,
                entry_time=timestamp // 1000 if flat else None, texts=1,
                sensitive=int(said.sensitive))  # fmt: skip


# -- WhatsApp ---------------------------------------------------------------------------------


def _whatsapp(
    world: World, account: Account, person: int, kind: str, content: dict[str, Any],
    *, context: dict[str, str] | None = None, texts: int = 0, sensitive: int = 0,
) -> Item:  # fmt: skip
    people, timestamp = world.people[person], world.event_time()
    body, key = shapes.whatsapp_message(
        sender=people.mobile, wamid=world.wamid(people.mobile), timestamp=timestamp // 1000,
        kind=kind, content=content, context=context,
    )  # fmt: skip
    contact = {"profile": {"name": people.profile_name}, "wa_id": people.mobile}
    action = world.action(account, people.mobile, timestamp)
    return Item(account, "wa.message", key, "wa.messages", body, timestamp, contact=contact,
                action=action, texts=texts, sensitive=sensitive)  # fmt: skip


def whatsapp_text(world: World, account: Account, person: int) -> Item:
    said = world.utter(world.people[person], public=False)
    return _whatsapp(world, account, person, "text", {"body": said.text}, texts=1,
                     sensitive=int(said.sensitive))  # fmt: skip


def whatsapp_media(world: World, account: Account, person: int) -> Item:
    rng = world.rng
    kind = rng.choices(("image", "document", "audio"), (5, 2, 2))[0]
    content: dict[str, Any] = {"id": world.digits(16), "sha256": world.token(33)}
    if kind == "audio":
        content.update(mime_type="audio/ogg; codecs=opus", voice=True)
    else:
        content["mime_type"] = "image/jpeg" if kind == "image" else "application/pdf"
        if kind == "document":
            content["filename"] = rng.choice(DOCUMENT_NAMES)
        caption = rng.choice(MEDIA_CAPTIONS)
        if caption:
            content["caption"] = caption
    return _whatsapp(world, account, person, kind, content)


def whatsapp_button(world: World, account: Account, person: int) -> Item:
    """The customer taps a button of the bank's interactive message."""
    button_id, title = world.rng.choice(WHATSAPP_BUTTONS)
    mobile = world.people[person].mobile
    content = {"type": "button_reply", "button_reply": {"id": button_id, "title": title}}
    context = {"from": account.display_number, "id": world.wamid(mobile)}
    return _whatsapp(world, account, person, "interactive", content, context=context)


def whatsapp_reaction(world: World, account: Account, person: int) -> Item:
    content = {
        "message_id": world.wamid(world.people[person].mobile),
        "emoji": world.rng.choice(REACTIONS),
    }
    return _whatsapp(world, account, person, "reaction", content)


def whatsapp_click_to_chat(world: World, account: Account, person: int) -> Item:
    """The prefilled text of a ``wa.me`` link from the bank's app, with its linking code."""
    text = f"{world.rng.choice(PREFILLED_TEXTS)} {format_prefilled_ref(world.linking_code())}"
    return _whatsapp(world, account, person, "text", {"body": text})


def whatsapp_status(world: World, account: Account, person: int) -> Item:
    outbound = world.next_status(account, world.people[person].mobile)
    status, timestamp = world.report_status(outbound), world.event_time()
    body, key = shapes.whatsapp_status(
        wamid=outbound.wamid, status=status, timestamp=timestamp // 1000,
        recipient=outbound.recipient,
    )  # fmt: skip
    return Item(outbound.account, "wa.status", key, "wa.statuses", body, timestamp)


MAKERS: Final[dict[str, tuple[tuple[str, float, Maker], ...]]] = {
    "page": (
        ("text", 30, direct_text), ("attachment", 4, direct_attachment),
        ("quick_reply", 3, quick_reply), ("postback", 4, menu_postback),
        ("get_started", 2, get_started), ("referral", 2, link_referral),
        ("delivery", 10, messenger_delivery), ("read", 10, messenger_read),
        ("comment_add", 14, feed_add), ("comment_edit", 2, feed_edit),
        ("comment_remove", 1.5, feed_remove), ("comment_hide", 1.5, feed_hide),
    ),
    "instagram": (
        ("text", 40, direct_text), ("attachment", 6, direct_attachment),
        ("seen", 12, instagram_seen), ("comment", 30, instagram_comment),
    ),
    "whatsapp_business_account": (
        ("text", 45, whatsapp_text), ("media", 6, whatsapp_media),
        ("button", 3, whatsapp_button), ("reaction", 2, whatsapp_reaction),
        ("click_to_chat", 3, whatsapp_click_to_chat), ("status", 35, whatsapp_status),
    ),
}  # fmt: skip
