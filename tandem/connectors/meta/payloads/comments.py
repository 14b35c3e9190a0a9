"""Parsers for Page feed comments and Instagram comments (``value`` in the body)."""

from __future__ import annotations

from typing import Any

from tandem.connectors.meta.events import (
    Attachment,
    CommentAdded,
    CommentEdited,
    CommentHidden,
    CommentRemoved,
)
from tandem.connectors.meta.payloads.common import (
    _COMMENTS,
    _PLATFORMS,
    OBJECT_INSTAGRAM,
    OBJECT_PAGE,
    PayloadError,
    _get,
    _id,
    _object,
    _require_dict,
    _require_id,
    _text,
)
from tandem.connectors.meta.payloads.timestamps import _require_time


def _comment_common(body: dict[str, Any], time_order: tuple[str, ...]) -> dict[str, Any]:
    """Fields shared by feed and Instagram comment events; ``time_order`` lists where to look
    for ``occurred_at`` (value keys, or ``entry_time``)."""
    object_name = _object(body, _COMMENTS)
    value = _require_dict(body.get("value"), "value")
    account = _require_id(body.get("entry_id"), "entry id")
    author = _get(value, "from")
    # Older feed payloads use sender_id/sender_name instead of from{id,name}.
    author_id = _id(_get(author, "id")) or _id(value.get("sender_id"))
    author_name = _text(_get(author, "name")) or _text(_get(author, "username"))
    times = [
        body.get("entry_time") if name == "entry_time" else value.get(name) for name in time_order
    ]
    return {
        "platform": _PLATFORMS[object_name],
        "channel": _COMMENTS[object_name],
        "account_external_id": account,
        "occurred_at": _require_time(*times),
        "parent_id": _id(value.get("parent_id")),
        "author_id": author_id,
        "author_name": author_name or _text(value.get("sender_name")),
        "from_account": author_id is not None and author_id == account,
    }


def _feed_value(body: dict[str, Any]) -> tuple[dict[str, Any], str, str | None]:
    value = _require_dict(body.get("value"), "value")
    if body.get("object") != OBJECT_PAGE or value.get("item") != "comment":
        raise PayloadError("feed comment event expected")
    return value, _require_id(value.get("comment_id"), "comment_id"), _id(value.get("post_id"))


def _feed_attachments(value: dict[str, Any]) -> tuple[Attachment, ...]:
    media = (("photo", value.get("photo")), ("video", value.get("video")))
    return tuple(Attachment(type=kind, url=url) for kind, url in media if isinstance(url, str))


def _parse_comment_add(body: dict[str, Any]) -> CommentAdded:
    value, comment_id, post_id = _feed_value(body)
    common = _comment_common(body, ("created_time", "entry_time"))
    return CommentAdded(
        **common,
        post_id=post_id,
        comment_id=comment_id,
        text=_text(value.get("message")),
        attachments=_feed_attachments(value),
    )


def _parse_comment_edit(body: dict[str, Any]) -> CommentEdited:
    value, comment_id, post_id = _feed_value(body)
    common = _comment_common(body, ("edited_time", "entry_time", "created_time"))
    return CommentEdited(
        **common, post_id=post_id, comment_id=comment_id, text=_text(value.get("message"))
    )


def _parse_comment_remove(body: dict[str, Any]) -> CommentRemoved:
    _, comment_id, post_id = _feed_value(body)
    common = _comment_common(body, ("entry_time", "created_time"))
    return CommentRemoved(**common, post_id=post_id, comment_id=comment_id)


def _parse_comment_hide(body: dict[str, Any], *, unhidden: bool) -> CommentHidden:
    _, comment_id, post_id = _feed_value(body)
    common = _comment_common(body, ("entry_time", "created_time"))
    return CommentHidden(**common, post_id=post_id, comment_id=comment_id, unhidden=unhidden)


def _parse_instagram_comment(body: dict[str, Any]) -> CommentAdded:
    if body.get("object") != OBJECT_INSTAGRAM:
        raise PayloadError("Instagram comment event expected")
    value = _require_dict(body.get("value"), "value")
    comment_id = _id(value.get("id")) or _require_id(value.get("comment_id"), "comment id")
    common = _comment_common(body, ("timestamp", "entry_time"))
    return CommentAdded(
        **common,
        post_id=_id(_get(value, "media", "id")),
        comment_id=comment_id,
        text=_text(value.get("text")),
    )
