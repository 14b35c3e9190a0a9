"""Graph routing: which handler answers ``METHOD /{id}[/{edge}]``, for which account, with which
token — plus the comment moderation endpoints.

Routes (the paths ``GraphClient`` calls, research §3):

* ``POST /{id}/messages``: Send API (Messenger, Instagram, private replies) or WhatsApp.
* ``POST /{comment}/comments``: Facebook public reply (also a Page comment under its post).
* ``POST /{comment}/replies``: Instagram public reply.
* ``POST /{comment}``: hide/unhide with ``is_hidden`` (Facebook) or ``hide`` (Instagram).
* ``DELETE /{comment}``: delete a comment (or a post).
* ``POST /{page}/feed``: a Page post, possibly scheduled.
* ``POST /{ig}/media`` then ``POST /{ig}/media_publish``: Instagram publishing.
* ``GET /{id}/insights``; ``GET|POST|DELETE /{id}/subscribed_apps``.
* ``GET /{id}``: a few fields of a known object (a container's ``status_code``…).

Accounts: registered ones are what they were registered as; an unregistered ID is a Messenger
Page (a WhatsApp number when the body carries ``messaging_product=whatsapp``), or error 100/33
in strict mode. A registered token is the only one accepted for its account: another account's
token gets error 200, an unknown one error 190.
https://developers.facebook.com/docs/graph-api/guides/error-handling
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, Final

from tandem.connectors.meta.emulator import messaging, publishing, webhooks
from tandem.connectors.meta.emulator.context import (
    GraphCall,
    Outcome,
    Runtime,
    account_label,
    flag,
    permission_denied,
    text_param,
)
from tandem.connectors.meta.emulator.responses import (
    GraphFailure,
    graph_error,
    invalid_parameter,
    nonexisting_field,
    unsupported_request,
)
from tandem.connectors.meta.emulator.state import Account, CommentRecord
from tandem.connectors.meta.events import Platform

__all__ = ["dispatch", "implicit_account", "invalid_token", "resolve_account"]

_NODE_TYPES: Final = {
    Platform.FACEBOOK: "Page",
    Platform.INSTAGRAM: "IGUser",
    Platform.WHATSAPP: "WhatsAppBusinessPhoneNumber",
}


def _digits(seed: str, count: int) -> str:
    return str(int(hashlib.sha256(seed.encode()).hexdigest(), 16))[:count]


def implicit_account(external_id: str, platform: Platform) -> Account:
    """An unregistered account, with stable derived WhatsApp identifiers."""
    return Account(
        external_id=external_id,
        platform=platform,
        name=f"{_NODE_TYPES[platform]} {external_id}",
        display_phone_number="336" + _digits("display:" + external_id, 8),
        business_account_id="1" + _digits("waba:" + external_id, 14),
        registered=False,
    )


def invalid_token() -> GraphFailure:
    return graph_error(
        190,
        "Invalid OAuth access token - Cannot parse access token",
        status=401,
        headers={"WWW-Authenticate": 'OAuth "Facebook Platform" "invalid_token"'},
    )


def resolve_account(
    runtime: Runtime, call: GraphCall, object_id: str, *, hint: Platform | None = None
) -> Account:
    """The account ``object_id`` names (``me``: the token's), its token checked."""
    state = runtime.state
    account = state.account_for_token(call.token or "") if object_id == "me" else None
    if object_id == "me" and account is None:
        raise unsupported_request(call.method, object_id)
    account = account or state.account(object_id)
    if account is None or not account.registered:
        if runtime.config.strict_accounts:
            raise unsupported_request(call.method, object_id)
        account = account or implicit_account(object_id, hint or Platform.FACEBOOK)
    authorize(runtime, call, account)
    return account


def authorize(runtime: Runtime, call: GraphCall, account: Account) -> None:
    if account.token is None or call.token == account.token:
        return
    if call.token and runtime.state.account_for_token(call.token) is not None:
        raise permission_denied("The access token does not belong to this object")
    raise invalid_token()


def dispatch(runtime: Runtime, call: GraphCall) -> Outcome:
    """Route one Graph call; raises ``GraphFailure`` for Meta-shaped errors."""
    segments = call.segments
    if len(segments) == 1 and segments[0]:
        return _node(runtime, call, segments[0])
    if len(segments) == 2 and segments[0]:
        handler = _EDGES.get((call.method, segments[1]))
        if handler is None:
            raise nonexisting_field(segments[1], "Node")
        return handler(runtime, call, segments[0])
    raise invalid_parameter(f"Unknown path components: {call.path}")


# -- accounts' edges -------------------------------------------------------------------------


def _messages(runtime: Runtime, call: GraphCall, object_id: str) -> Outcome:
    whatsapp = call.params.get("messaging_product") == "whatsapp"
    account = resolve_account(
        runtime, call, object_id, hint=Platform.WHATSAPP if whatsapp else None
    )
    return messaging.send_message(runtime, call, account)


def _on_platform(
    runtime: Runtime, call: GraphCall, object_id: str, edge: str, platform: Platform
) -> Account:
    account = resolve_account(runtime, call, object_id, hint=platform)
    if account.registered and account.platform is not platform:
        raise nonexisting_field(edge, _NODE_TYPES[account.platform])
    return account


def _feed(runtime: Runtime, call: GraphCall, object_id: str) -> Outcome:
    account = _on_platform(runtime, call, object_id, "feed", Platform.FACEBOOK)
    return publishing.publish_post(runtime, call, account)


def _media(runtime: Runtime, call: GraphCall, object_id: str) -> Outcome:
    account = _on_platform(runtime, call, object_id, "media", Platform.INSTAGRAM)
    return publishing.create_container(runtime, call, account)


def _media_publish(runtime: Runtime, call: GraphCall, object_id: str) -> Outcome:
    account = _on_platform(runtime, call, object_id, "media_publish", Platform.INSTAGRAM)
    return publishing.publish_container(runtime, call, account)


def _insights(runtime: Runtime, call: GraphCall, object_id: str) -> Outcome:
    state = runtime.state
    post = state.posts.get(object_id)
    container = next((c for c in state.containers.values() if c.media_id == object_id), None)
    if post is not None:
        account_id = post.account_id
        authorize(runtime, call, _owner(runtime, account_id, Platform.FACEBOOK))
    elif container is not None:
        account_id = container.account_id
        authorize(runtime, call, _owner(runtime, account_id, Platform.INSTAGRAM))
    else:
        account_id = resolve_account(runtime, call, object_id).external_id
    return publishing.insights(runtime, call, object_id, account_id)


def _subscribed_account(runtime: Runtime, call: GraphCall, object_id: str) -> Account:
    # WhatsApp subscriptions live on the business account (WABA); the phone number's ID is
    # accepted too, as Tandem only knows the phone number.
    waba = next(
        (a for a in runtime.state.accounts.values() if a.business_account_id == object_id), None
    )
    if waba is not None:
        authorize(runtime, call, waba)
        return waba
    return resolve_account(runtime, call, object_id)


def _subscribed_apps(runtime: Runtime, call: GraphCall, object_id: str) -> Outcome:
    account = _subscribed_account(runtime, call, object_id)
    if call.method != "GET":
        account.subscribed = call.method == "POST"
        if account.external_id not in runtime.state.accounts:
            runtime.state.accounts[account.external_id] = account
        return Outcome(body={"success": True}, account_id=account.external_id)
    app: dict[str, Any] = {
        "link": "https://tandem.invalid/",
        "name": "Tandem",
        "id": runtime.config.app_id,
    }
    if account.platform is Platform.WHATSAPP:
        entry: dict[str, Any] = {"whatsapp_business_api_data": app}
    elif account.platform is Platform.INSTAGRAM:
        entry = {**app, "subscribed_fields": ["comments", "messages"]}
    else:
        fields = ["feed", "messages", "message_deliveries", "message_reads", "message_echoes"]
        entry = {
            **app,
            "category": "Business",
            "subscribed_fields": [*fields, "messaging_postbacks"],
        }
    data = [entry] if account.subscribed else []
    return Outcome(body={"data": data}, account_id=account.external_id, platform=account.platform)


# -- comments ---------------------------------------------------------------------------------


def _owner(runtime: Runtime, account_id: str, platform: Platform) -> Account:
    return runtime.state.account(account_id) or implicit_account(account_id, platform)


def _comment(runtime: Runtime, call: GraphCall, comment_id: str) -> CommentRecord | None:
    """The known comment (token checked), None for an unknown one in lenient mode."""
    comment = runtime.state.comments.get(comment_id)
    if comment is None:
        if runtime.config.strict_accounts:
            raise unsupported_request(call.method, comment_id)
        return None
    if comment.deleted:
        raise unsupported_request(call.method, comment_id)
    authorize(runtime, call, _owner(runtime, comment.account_id, comment.platform))
    return comment


def _own_reply(runtime: Runtime, parent: CommentRecord, reply_id: str, text: str) -> None:
    """Remember the account's reply and, like Meta, send it back as a comment webhook."""
    owner = _owner(runtime, parent.account_id, parent.platform)
    reply = CommentRecord(
        comment_id=reply_id,
        account_id=parent.account_id,
        platform=parent.platform,
        post_id=parent.post_id,
        parent_id=parent.comment_id,
        author_id=parent.account_id,
        author_name=account_label(owner),
        created_at=runtime.now,
        text=text,
    )
    runtime.state.comments[reply_id] = reply
    if not runtime.config.echo_own_comments:
        return
    if parent.platform is Platform.INSTAGRAM:
        runtime.emit("comments", webhooks.instagram_comment(reply, at=runtime.now), 0.0)
    else:
        payload = webhooks.feed_comment(reply, "add", at=runtime.now, text=text)
        runtime.emit("feed.comment.add", payload, 0.0)


def _facebook_reply(runtime: Runtime, call: GraphCall, object_id: str) -> Outcome:
    post = runtime.state.posts.get(object_id)
    parent: CommentRecord | None
    if post is not None:  # the Page comments under its own post: the post is the parent
        authorize(runtime, call, _owner(runtime, post.account_id, Platform.FACEBOOK))
        parent = CommentRecord(
            comment_id=post.post_id,
            account_id=post.account_id,
            platform=Platform.FACEBOOK,
            post_id=post.post_id,
            parent_id=None,
            author_id=post.account_id,
            author_name="",
            created_at=post.created_at,
        )
        post_object = post.post_id.split("_")[-1]
    else:
        parent = _comment(runtime, call, object_id)
        if parent is not None and parent.platform is Platform.INSTAGRAM:
            raise nonexisting_field("comments", "IGComment")
        # A comment ID is {post}_{comment}: replies share the post part.
        post_object = object_id.split("_", maxsplit=1)[0]
    text = text_param(call, "message")
    assert text is not None
    reply_id = f"{post_object}_{runtime.state.numeric_id(16)}"
    if parent is not None:
        _own_reply(runtime, parent, reply_id, text)
    return Outcome(
        body={"id": reply_id},
        account_id=parent.account_id if parent else None,
        platform=Platform.FACEBOOK,
        created_ids=(reply_id,),
    )


def _instagram_reply(runtime: Runtime, call: GraphCall, object_id: str) -> Outcome:
    comment = _comment(runtime, call, object_id)
    if comment is not None and comment.platform is not Platform.INSTAGRAM:
        raise nonexisting_field("replies", "Comment")
    text = text_param(call, "message")
    assert text is not None
    reply_id = runtime.state.numeric_id(17)
    if comment is not None:
        _own_reply(runtime, comment, reply_id, text)
    return Outcome(
        body={"id": reply_id},
        account_id=comment.account_id if comment else None,
        platform=Platform.INSTAGRAM,
        created_ids=(reply_id,),
    )


def _hide(runtime: Runtime, call: GraphCall, comment_id: str) -> Outcome:
    comment = _comment(runtime, call, comment_id)
    params = call.params
    if comment is None:
        instagram = "hide" in params and "is_hidden" not in params
    else:
        instagram = comment.platform is Platform.INSTAGRAM
    field = "hide" if instagram else "is_hidden"
    if field not in params:
        raise invalid_parameter(f"The parameter {field} is required")
    hidden = flag(params[field], field)
    if comment is not None:
        comment.hidden = hidden
        if not instagram:
            verb = "hide" if hidden else "unhide"
            payload = webhooks.feed_comment(comment, verb, at=runtime.now)
            runtime.emit(f"feed.comment.{verb}", payload, 0.0)
    return Outcome(
        body={"success": True},
        account_id=comment.account_id if comment else None,
        platform=Platform.INSTAGRAM if instagram else Platform.FACEBOOK,
    )


def _delete(runtime: Runtime, call: GraphCall, object_id: str) -> Outcome:
    post = runtime.state.posts.get(object_id)
    if post is not None:
        authorize(runtime, call, _owner(runtime, post.account_id, Platform.FACEBOOK))
        del runtime.state.posts[object_id]
        return Outcome(body={"success": True}, account_id=post.account_id)
    comment = _comment(runtime, call, object_id)
    if comment is not None:
        comment.deleted = True
        if comment.platform is Platform.FACEBOOK:
            payload = webhooks.feed_comment(comment, "remove", at=runtime.now)
            runtime.emit("feed.comment.remove", payload, 0.0)
    return Outcome(
        body={"success": True},
        account_id=comment.account_id if comment else None,
        platform=comment.platform if comment else None,
    )


def _node(runtime: Runtime, call: GraphCall, object_id: str) -> Outcome:
    if call.method == "POST":
        return _hide(runtime, call, object_id)
    if call.method == "DELETE":
        return _delete(runtime, call, object_id)
    if call.method != "GET":
        raise unsupported_request(call.method, object_id)
    return Outcome(body=_read_node(runtime, call, object_id))


def _read_node(runtime: Runtime, call: GraphCall, object_id: str) -> dict[str, Any]:
    state = runtime.state
    container = state.containers.get(object_id)
    if container is not None:
        status = "PUBLISHED" if container.media_id else "FINISHED"
        return {"id": object_id, "status_code": status}
    comment = _comment(runtime, call, object_id)
    if comment is not None:
        return {
            "id": comment.comment_id,
            "message": comment.text,
            "created_time": publishing.graph_time(comment.created_at),
            "from": {"id": comment.author_id, "name": comment.author_name},
            "is_hidden": comment.hidden,
        }
    post = state.posts.get(object_id)
    if post is not None:
        return {
            "id": post.post_id,
            "message": post.message,
            "created_time": publishing.graph_time(post.created_at),
        }
    account = resolve_account(runtime, call, object_id)
    fields: dict[str, Any] = {"id": account.external_id, "name": account_label(account)}
    if account.platform is Platform.WHATSAPP:
        fields = {
            "id": account.external_id,
            "display_phone_number": account.display_phone_number,
            "verified_name": account_label(account),
        }
    return fields


_Handler = Callable[[Runtime, GraphCall, str], Outcome]
_EDGES: Final[dict[tuple[str, str], _Handler]] = {
    ("POST", "messages"): _messages,
    ("POST", "comments"): _facebook_reply,
    ("POST", "replies"): _instagram_reply,
    ("POST", "feed"): _feed,
    ("POST", "media"): _media,
    ("POST", "media_publish"): _media_publish,
    ("GET", "insights"): _insights,
    ("GET", "subscribed_apps"): _subscribed_apps,
    ("POST", "subscribed_apps"): _subscribed_apps,
    ("DELETE", "subscribed_apps"): _subscribed_apps,
}
