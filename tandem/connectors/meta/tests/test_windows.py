"""Messaging windows: every channel, every boundary, human or automated sender."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tandem.connectors.meta.events import Channel
from tandem.connectors.meta.windows import (
    HUMAN_AGENT_WINDOW,
    PRIVATE_REPLY_WINDOW,
    REASONS_FR,
    STANDARD_WINDOW,
    MessageTag,
    MessagingType,
    WindowDecision,
    WindowReason,
    WindowVerdict,
    private_reply_decision,
    window_decision,
)

NOW = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)
TICK = timedelta(microseconds=1)
H24 = STANDARD_WINDOW
D7 = HUMAN_AGENT_WINDOW

A = WindowVerdict.ALLOWED
H = WindowVerdict.ALLOWED_HUMAN_AGENT
T = WindowVerdict.TEMPLATE_ONLY
R = WindowVerdict.REFUSED

# Elapsed time since the customer's last message (None: the customer never wrote).
ELAPSED: dict[str, timedelta | None] = {
    "never": None,
    "future_1h": -timedelta(hours=1),  # clock skew: counts as just received
    "0": timedelta(0),
    "1us": TICK,
    "23h59": H24 - timedelta(minutes=1),
    "24h-1us": H24 - TICK,
    "24h": H24,
    "24h+1us": H24 + TICK,
    "3d": timedelta(days=3),
    "7d-1us": D7 - TICK,
    "7d": D7,
    "7d+1us": D7 + TICK,
    "30d": timedelta(days=30),
}

# channel -> elapsed label -> (verdict for a human, verdict for automation)
DM_TABLE = {
    "never": (R, R),
    "future_1h": (A, A),
    "0": (A, A),
    "1us": (A, A),
    "23h59": (A, A),
    "24h-1us": (A, A),
    "24h": (H, R),
    "24h+1us": (H, R),
    "3d": (H, R),
    "7d-1us": (H, R),
    "7d": (R, R),
    "7d+1us": (R, R),
    "30d": (R, R),
}
WHATSAPP_TABLE = {
    "never": (T, T),
    "future_1h": (A, A),
    "0": (A, A),
    "1us": (A, A),
    "23h59": (A, A),
    "24h-1us": (A, A),
    "24h": (T, T),
    "24h+1us": (T, T),
    "3d": (T, T),
    "7d-1us": (T, T),
    "7d": (T, T),
    "7d+1us": (T, T),
    "30d": (T, T),
}
COMMENT_TABLE = dict.fromkeys(ELAPSED, (A, A))
TABLE = {
    Channel.MESSENGER: DM_TABLE,
    Channel.INSTAGRAM_DM: DM_TABLE,
    Channel.WHATSAPP: WHATSAPP_TABLE,
    Channel.FACEBOOK_COMMENT: COMMENT_TABLE,
    Channel.INSTAGRAM_COMMENT: COMMENT_TABLE,
}
CASES = [
    pytest.param(channel, label, human, id=f"{channel.value}-{label}-{'human' if human else 'bot'}")
    for channel in Channel
    for label in ELAPSED
    for human in (True, False)
]


def test_table_covers_every_channel_and_boundary() -> None:
    assert set(TABLE) == set(Channel)
    for table in TABLE.values():
        assert set(table) == set(ELAPSED)


def decide(channel: Channel, label: str, *, human: bool, enabled: bool = True) -> WindowDecision:
    elapsed = ELAPSED[label]
    last = None if elapsed is None else NOW - elapsed
    return window_decision(
        channel=channel,
        last_customer_message_at=last,
        now=NOW,
        human_agent=human,
        human_agent_enabled=enabled,
    )


@pytest.mark.parametrize(("channel", "label", "human"), CASES)
def test_verdict(channel: Channel, label: str, human: bool) -> None:
    expected = TABLE[channel][label][0 if human else 1]
    assert decide(channel, label, human=human).verdict is expected


@pytest.mark.parametrize(("channel", "label", "human"), CASES)
def test_decision_is_self_consistent(channel: Channel, label: str, human: bool) -> None:
    """closes_at, messaging_type and tag always agree with the verdict."""
    decision = decide(channel, label, human=human)
    elapsed = ELAPSED[label]
    last = None if elapsed is None else NOW - elapsed
    assert decision.reason == REASONS_FR[decision.code]
    assert decision.allows_free_form is (decision.verdict in (A, H))
    if decision.verdict is H:
        assert last is not None
        assert decision.tag is MessageTag.HUMAN_AGENT
        assert decision.messaging_type is MessagingType.MESSAGE_TAG
        assert decision.closes_at == last + D7
        assert decision.closes_at > NOW
    else:
        assert decision.tag is None
    if decision.verdict is A and not channel.is_comment:
        assert last is not None
        assert decision.closes_at == last + H24
        assert decision.closes_at > NOW
    if decision.verdict in (R, T) or channel.is_comment:
        assert decision.closes_at is None
    if channel in (Channel.MESSENGER, Channel.INSTAGRAM_DM) and decision.verdict is A:
        assert decision.messaging_type is MessagingType.RESPONSE
    if channel is Channel.WHATSAPP or channel.is_comment:
        assert decision.messaging_type is None


@pytest.mark.parametrize(
    ("channel", "label", "human", "code"),
    [
        (Channel.MESSENGER, "never", True, WindowReason.NO_CUSTOMER_MESSAGE),
        (Channel.MESSENGER, "0", False, WindowReason.STANDARD_WINDOW_OPEN),
        (Channel.MESSENGER, "24h", True, WindowReason.HUMAN_AGENT_WINDOW_OPEN),
        (Channel.MESSENGER, "24h", False, WindowReason.AUTOMATION_OUTSIDE_STANDARD_WINDOW),
        (Channel.INSTAGRAM_DM, "7d", True, WindowReason.WINDOW_CLOSED),
        (Channel.INSTAGRAM_DM, "7d", False, WindowReason.WINDOW_CLOSED),
        (Channel.WHATSAPP, "never", True, WindowReason.TEMPLATE_REQUIRED),
        (Channel.WHATSAPP, "24h-1us", False, WindowReason.STANDARD_WINDOW_OPEN),
        (Channel.WHATSAPP, "24h", True, WindowReason.TEMPLATE_REQUIRED),
        (Channel.FACEBOOK_COMMENT, "never", False, WindowReason.PUBLIC_REPLY),
        (Channel.INSTAGRAM_COMMENT, "30d", True, WindowReason.PUBLIC_REPLY),
    ],
)
def test_reason_codes(channel: Channel, label: str, human: bool, code: WindowReason) -> None:
    assert decide(channel, label, human=human).code is code


@pytest.mark.parametrize("channel", [Channel.MESSENGER, Channel.INSTAGRAM_DM])
@pytest.mark.parametrize("label", list(ELAPSED))
def test_human_agent_feature_disabled(channel: Channel, label: str) -> None:
    """Without the Human Agent feature, 24 h - 7 d is refused even for a human."""
    enabled = decide(channel, label, human=True)
    disabled = decide(channel, label, human=True, enabled=False)
    if enabled.verdict is H:
        assert disabled.verdict is R
        assert disabled.code is WindowReason.HUMAN_AGENT_UNAVAILABLE
        assert disabled.tag is None
    else:
        assert disabled == enabled


def test_whatsapp_and_comments_ignore_the_human_agent_flags() -> None:
    for channel in (Channel.WHATSAPP, Channel.FACEBOOK_COMMENT, Channel.INSTAGRAM_COMMENT):
        for label in ELAPSED:
            decisions = {
                decide(channel, label, human=human, enabled=enabled)
                for human in (True, False)
                for enabled in (True, False)
            }
            assert len(decisions) == 1, (channel, label)


def test_channel_may_be_given_as_string() -> None:
    decision = window_decision(
        channel="messenger", last_customer_message_at=NOW, now=NOW, human_agent=True
    )
    assert decision.verdict is A


def test_unknown_channel_is_refused_loudly() -> None:
    with pytest.raises(ValueError, match="telegram"):
        window_decision(channel="telegram", last_customer_message_at=NOW, now=NOW, human_agent=True)


@pytest.mark.parametrize("naive", ["now", "last"])
def test_naive_datetimes_are_refused(naive: str) -> None:
    plain = datetime(2026, 3, 10, 14, 30)  # naive on purpose
    with pytest.raises(ValueError, match="aware"):
        window_decision(
            channel=Channel.MESSENGER,
            last_customer_message_at=plain if naive == "last" else NOW,
            now=plain if naive == "now" else NOW,
            human_agent=True,
        )


def test_time_zones_do_not_change_the_decision() -> None:
    paris = ZoneInfo("Europe/Paris")
    last = NOW - (H24 - TICK)
    in_utc = window_decision(
        channel=Channel.MESSENGER, last_customer_message_at=last, now=NOW, human_agent=False
    )
    in_paris = window_decision(
        channel=Channel.MESSENGER,
        last_customer_message_at=last.astimezone(paris),
        now=NOW.astimezone(timezone(timedelta(hours=-5))),
        human_agent=False,
    )
    assert in_paris == in_utc
    assert in_paris.closes_at is not None
    assert in_paris.closes_at.utcoffset() == timedelta(0)


def test_daylight_saving_change_uses_real_elapsed_time() -> None:
    """Paris moves to summer time on 29 March 2026: noon to noon is only 23 real hours.

    Python subtracts two datetimes sharing one tzinfo by wall clock; the window must not.
    """
    paris = ZoneInfo("Europe/Paris")
    last = datetime(2026, 3, 28, 12, 0, tzinfo=paris)
    now = datetime(2026, 3, 29, 12, 0, tzinfo=paris)
    assert now - last == timedelta(hours=24)  # the wall-clock trap
    decision = window_decision(
        channel=Channel.WHATSAPP, last_customer_message_at=last, now=now, human_agent=False
    )
    assert decision.verdict is A
    assert decision.closes_at == datetime(2026, 3, 29, 11, 0, tzinfo=UTC)


def test_every_reason_has_a_french_sentence() -> None:
    assert set(REASONS_FR) == set(WindowReason)
    for sentence in REASONS_FR.values():
        assert sentence.strip()
        assert sentence[0].isupper()
        assert sentence.endswith(".")


# -- private replies to comments ------------------------------------------------------------

PRIVATE_ELAPSED = {
    "future_1h": (-timedelta(hours=1), A),
    "0": (timedelta(0), A),
    "24h": (H24, A),  # a comment does not open the 24 h window, but the private reply lasts 7 d
    "7d-1us": (PRIVATE_REPLY_WINDOW - TICK, A),
    "7d": (PRIVATE_REPLY_WINDOW, R),
    "7d+1us": (PRIVATE_REPLY_WINDOW + TICK, R),
    "30d": (timedelta(days=30), R),
}


@pytest.mark.parametrize("channel", [Channel.FACEBOOK_COMMENT, Channel.INSTAGRAM_COMMENT])
@pytest.mark.parametrize("label", list(PRIVATE_ELAPSED))
@pytest.mark.parametrize("already_sent", [False, True])
def test_private_reply(channel: Channel, label: str, already_sent: bool) -> None:
    elapsed, expected = PRIVATE_ELAPSED[label]
    created = NOW - elapsed
    decision = private_reply_decision(
        channel=channel, comment_created_at=created, now=NOW, private_reply_sent=already_sent
    )
    if already_sent:
        assert decision.verdict is R
        assert decision.code is WindowReason.PRIVATE_REPLY_ALREADY_SENT
        assert decision.closes_at is None
    elif expected is A:
        assert decision.verdict is A
        assert decision.code is WindowReason.PRIVATE_REPLY_OPEN
        assert decision.closes_at == created + PRIVATE_REPLY_WINDOW
        assert decision.messaging_type is MessagingType.RESPONSE
        assert decision.tag is None
    else:
        assert decision.verdict is R
        assert decision.code is WindowReason.PRIVATE_REPLY_EXPIRED
        assert decision.closes_at is None


@pytest.mark.parametrize("channel", [Channel.MESSENGER, Channel.INSTAGRAM_DM, Channel.WHATSAPP])
def test_private_reply_only_answers_comments(channel: Channel) -> None:
    with pytest.raises(ValueError, match="comments"):
        private_reply_decision(
            channel=channel, comment_created_at=NOW, now=NOW, private_reply_sent=False
        )


def test_private_reply_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="aware"):
        private_reply_decision(
            channel=Channel.FACEBOOK_COMMENT,
            comment_created_at=datetime(2026, 3, 10),  # naive on purpose
            now=NOW,
            private_reply_sent=False,
        )
