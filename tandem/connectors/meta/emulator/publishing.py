"""Publishing and results: Page posts, Instagram media, insights.

* ``POST /{page-id}/feed``: ``message``/``link``; scheduled with ``published=false`` +
  ``scheduled_publish_time`` 10 minutes to 30 days ahead, else error 100; an identical
  consecutive post is error 506 "Duplicate status message".
  https://developers.facebook.com/docs/pages-api/posts
  https://developers.facebook.com/docs/graph-api/guides/error-handling
* ``POST /{ig-id}/media`` then ``POST /{ig-id}/media_publish`` with ``creation_id``; a
  container not published within 24 hours expires.
  https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/content-publishing
* ``GET /{id}/insights?metric=a,b&period=day``: Meta's shape, numbers derived from a hash of
  (object, metric, period, day) so every run shows the same figures.
  https://developers.facebook.com/docs/graph-api/reference/insights/
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from tandem.connectors.meta.emulator.context import GraphCall, Outcome, Runtime, flag
from tandem.connectors.meta.emulator.responses import graph_error, invalid_parameter
from tandem.connectors.meta.emulator.state import Account, ContainerRecord, PostRecord
from tandem.connectors.meta.events import Platform

__all__ = ["create_container", "insights", "publish_container", "publish_post"]

_SCHEDULE_MIN: Final = timedelta(minutes=10)
_SCHEDULE_MAX: Final = timedelta(days=30)
_CONTAINER_LIFETIME: Final = timedelta(hours=24)
_PERIODS: Final = frozenset({"day", "week", "days_28", "month", "lifetime", "total_over_range"})
_METRIC: Final = re.compile(r"[a-z][a-z0-9_]{0,99}")
_GRAPH: Final = "https://graph.facebook.com"


def graph_time(at: datetime) -> str:
    """Graph's timestamp format: ``2026-03-10T14:30:00+0000``."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _scheduled_time(value: Any) -> datetime:
    """UNIX seconds (number or digits) or ISO 8601; ``strtotime`` phrases are not emulated."""
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(value, UTC)
        if isinstance(value, str) and value.strip().isdigit():
            return datetime.fromtimestamp(int(value.strip()), UTC)
        if isinstance(value, str):
            parsed = datetime.fromisoformat(value.strip())
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError, OSError):
        pass
    raise invalid_parameter("The specified scheduled publish time is invalid.")


def publish_post(runtime: Runtime, call: GraphCall, account: Account) -> Outcome:
    params = call.params
    message, link = params.get("message"), params.get("link")
    if message is not None and not isinstance(message, str):
        raise invalid_parameter("Param message must be a string")
    if link is not None and not isinstance(link, str):
        raise invalid_parameter("Param link must be a URL")
    if not message and not link:
        raise invalid_parameter("Missing message or attachment")
    published = flag(params["published"], "published") if "published" in params else True
    scheduled_at = None
    if params.get("scheduled_publish_time") is not None:
        if published:
            raise invalid_parameter(
                "You cannot specify a scheduled publish time on a published post"
            )
        scheduled_at = _scheduled_time(params["scheduled_publish_time"])
        ahead = scheduled_at - runtime.now
        if not _SCHEDULE_MIN <= ahead <= _SCHEDULE_MAX:
            raise invalid_parameter("The specified scheduled publish time is invalid.")
    state = runtime.state
    previous = [post for post in state.posts.values() if post.account_id == account.external_id]
    if previous and (previous[-1].message, previous[-1].link) == (message or "", link):
        raise graph_error(506, "(#506) Duplicate status message")
    post_id = f"{account.external_id}_{state.numeric_id(15)}"
    state.posts[post_id] = PostRecord(
        post_id=post_id,
        account_id=account.external_id,
        message=message or "",
        link=link,
        created_at=runtime.now,
        scheduled_at=scheduled_at,
    )
    return Outcome(
        body={"id": post_id},
        account_id=account.external_id,
        platform=Platform.FACEBOOK,
        created_ids=(post_id,),
    )


def create_container(runtime: Runtime, call: GraphCall, account: Account) -> Outcome:
    params = call.params
    media_url = params.get("image_url") or params.get("video_url")
    if not isinstance(media_url, str) or not media_url:
        raise invalid_parameter("The parameter image_url is required.")
    caption = params.get("caption", "")
    if not isinstance(caption, str) or len(caption) > 2200:
        raise invalid_parameter("Param caption must be a string of at most 2200 characters")
    container_id = runtime.state.numeric_id(17)
    runtime.state.containers[container_id] = ContainerRecord(
        container_id=container_id,
        account_id=account.external_id,
        image_url=media_url,
        caption=caption,
        created_at=runtime.now,
    )
    return Outcome(
        body={"id": container_id},
        account_id=account.external_id,
        platform=Platform.INSTAGRAM,
        created_ids=(container_id,),
    )


def publish_container(runtime: Runtime, call: GraphCall, account: Account) -> Outcome:
    creation_id = call.params.get("creation_id")
    key = str(creation_id) if isinstance(creation_id, str | int) else ""
    container = runtime.state.containers.get(key)
    if container is None or container.account_id != account.external_id:
        raise invalid_parameter("Param creation_id must be a valid media container ID")
    if container.media_id is not None:
        raise invalid_parameter("The media container has already been published")
    if runtime.now - container.created_at >= _CONTAINER_LIFETIME:
        raise invalid_parameter("The media container has expired (status EXPIRED)")
    media_id = runtime.state.numeric_id(17)
    container.media_id = media_id
    return Outcome(
        body={"id": media_id},
        account_id=account.external_id,
        platform=Platform.INSTAGRAM,
        created_ids=(media_id,),
    )


def insights(runtime: Runtime, call: GraphCall, object_id: str, account_id: str | None) -> Outcome:
    raw = call.params.get("metric")
    names = raw if isinstance(raw, list) else str(raw or "").split(",")
    metrics = [name.strip() for name in names if isinstance(name, str) and name.strip()]
    if not metrics or not all(_METRIC.fullmatch(name) for name in metrics):
        raise invalid_parameter("The value must be a valid insights metric")
    period = call.params.get("period") or "day"
    if not isinstance(period, str) or period not in _PERIODS:
        raise invalid_parameter(
            "period must be one of the following values: " + ", ".join(sorted(_PERIODS))
        )
    today = runtime.now.astimezone(UTC).replace(hour=8, minute=0, second=0, microsecond=0)
    data = [_metric(object_id, name, period, today) for name in metrics]
    version = call.version or "v21.0"
    since, until = webhook_seconds(today - timedelta(days=2)), webhook_seconds(today)
    base = f"{_GRAPH}/{version}/{object_id}/insights?metric={','.join(metrics)}&period={period}"
    paging = {
        "previous": f"{base}&since={since - 86400 * 2}&until={since}",
        "next": f"{base}&since={until}&until={until + 86400 * 2}",
    }
    return Outcome(body={"data": data, "paging": paging}, account_id=account_id)


def webhook_seconds(at: datetime) -> int:
    return int(at.timestamp())


def _metric(object_id: str, name: str, period: str, today: datetime) -> dict[str, Any]:
    if period == "lifetime":
        values: list[dict[str, Any]] = [{"value": _value(object_id, name, period, "lifetime")}]
    else:
        values = [
            {
                "value": _value(object_id, name, period, day.date().isoformat()),
                "end_time": graph_time(day),
            }
            for day in (today - timedelta(days=1), today)
        ]
    title = name.replace("_", " ").capitalize()
    return {
        "name": name,
        "period": period,
        "values": values,
        "title": title,
        "description": f"{title} ({period}), generated by the Meta emulator.",
        "id": f"{object_id}/insights/{name}/{period}",
    }


def _value(object_id: str, name: str, period: str, day: str) -> int:
    digest = hashlib.sha256(f"{object_id}|{name}|{period}|{day}".encode()).hexdigest()
    number = int(digest[:8], 16)
    # Plausible orders of magnitude: reach/impressions in thousands, engagement in hundreds.
    if "impression" in name or "reach" in name or "view" in name:
        return 200 + number % 4800
    if "engag" in name or "click" in name or "reaction" in name or "like" in name:
        return number % 400
    return number % 1000
