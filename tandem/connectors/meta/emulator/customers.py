"""The other side of the conversation: accounts, tokens, and customers writing to the bank.

Mixed into ``MetaEmulator``. ``record_*`` only teach the emulator what happened (for windows and
private replies); ``customer_*`` also build the webhook Meta would send and queue it. A comment
does not open the 24 h messaging window (``windows.py`` follows the private-replies page), so
comments are never recorded as customer messages.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from tandem.connectors.meta.emulator import webhooks
from tandem.connectors.meta.emulator.handlers import implicit_account
from tandem.connectors.meta.emulator.state import (
    Account,
    CommentRecord,
    EmulatorState,
    parse_platform,
)
from tandem.connectors.meta.events import Platform

__all__ = ["CustomerActions"]


class CustomerActions:
    """Helpers for tests, the demo and the control API (all thread-safe)."""

    _lock: threading.RLock
    _state: EmulatorState
    now: Callable[[], datetime]
    _emit: Callable[[str, dict[str, Any], float], None]

    # -- accounts and tokens -----------------------------------------------------------------

    def register_account(
        self,
        external_id: str,
        platform: Platform | str,
        token: str | None = None,
        *,
        name: str | None = None,
        display_phone_number: str | None = None,
        business_account_id: str | None = None,
    ) -> None:
        """Declare a Page, Instagram account or WhatsApp phone number (again: replaces it).

        With ``token``, only that token is accepted for this account. WhatsApp numbers get a
        derived display number and business account ID unless given.
        """
        external_id = str(external_id)
        if not external_id or "/" in external_id:
            raise ValueError("external_id must be a non-empty ID")
        kind = parse_platform(platform)
        derived = implicit_account(external_id, kind)
        with self._lock:
            self._state.accounts[external_id] = Account(
                external_id=external_id,
                platform=kind,
                token=token or None,
                name=name or derived.name,
                display_phone_number=display_phone_number or derived.display_phone_number,
                business_account_id=business_account_id or derived.business_account_id,
            )

    def accounts(self) -> list[Account]:
        with self._lock:
            return list(self._state.accounts.values())

    def revoke_token(self, token: str) -> None:
        """Calls with ``token`` now fail with error 190 / subcode 463 (session expired)."""
        with self._lock:
            self._state.revoked_tokens.add(token)

    def _helper_account(self, account: str, platform: Platform | str | None) -> Account:
        """The registered account, or an unregistered one remembered with ``platform``."""
        known = self._state.account(str(account))
        kind = parse_platform(platform) if platform is not None else None
        if known is not None:
            if kind is not None and known.platform is not kind and known.registered:
                raise ValueError(f"account {account} is registered as {known.platform}")
            if kind is not None and not known.registered:
                known.platform = kind
            return known
        created = implicit_account(str(account), kind or Platform.FACEBOOK)
        self._state.accounts[created.external_id] = created
        return created

    # -- what the emulator knows about customers ----------------------------------------------

    def record_inbound(
        self,
        account: str,
        user: str,
        *,
        at: datetime | None = None,
        platform: Platform | str | None = None,
    ) -> None:
        """Set the time of ``user``'s last message to ``account`` (default: now). No webhook."""
        with self._lock:
            found = self._helper_account(account, platform)
            self._state.last_customer_message[(found.external_id, _user(found, user))] = self._time(
                at
            )

    def record_comment(
        self,
        account: str,
        comment_id: str,
        *,
        author_id: str,
        at: datetime | None = None,
        platform: Platform | str | None = None,
        post_id: str | None = None,
        parent_id: str | None = None,
        author_name: str = "",
        text: str = "",
    ) -> None:
        """Declare a public comment (created at ``at``), so it can be hidden, deleted, answered
        publicly and privately. No webhook."""
        with self._lock:
            found = self._helper_account(account, platform)
            if found.platform is Platform.WHATSAPP:
                raise ValueError("WhatsApp has no comments")
            self._state.comments[str(comment_id)] = CommentRecord(
                comment_id=str(comment_id),
                account_id=found.external_id,
                platform=found.platform,
                post_id=post_id or self._state.default_post(found),
                parent_id=parent_id,
                author_id=str(author_id),
                author_name=author_name,
                created_at=self._time(at),
                text=text,
            )

    def _time(self, at: datetime | None) -> datetime:
        if at is None:
            return self.now()
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError("times must be aware datetimes")
        return at

    # -- customers writing ------------------------------------------------------------------

    def customer_message(
        self,
        account: str,
        user: str,
        text: str | None,
        platform: Platform | str | None = None,
        *,
        name: str | None = None,
        attachments: Sequence[tuple[str, str]] = (),
        at: datetime | None = None,
    ) -> str:
        """A customer writes (Messenger, Instagram DM or WhatsApp text): opens the window and
        queues the webhook. ``attachments`` are ``(type, url)`` pairs (Messenger/Instagram).
        For WhatsApp ``user`` is the ``wa_id`` (digits). Returns the ``mid``/``wamid``."""
        with self._lock:
            found = self._helper_account(account, platform)
            when = self._time(at)
            user = _user(found, user)
            message_id = self._state.message_id_for(found.platform, found.external_id, user)
            if found.platform is Platform.WHATSAPP:
                if not text:
                    raise ValueError("a WhatsApp customer message needs text")
                payload = webhooks.whatsapp_message(
                    found, wa_id=user, name=name or "Client", wamid=message_id, at=when, text=text
                )
                kind = "wa.message"
            else:
                if not text and not attachments:
                    raise ValueError("a message needs text or attachments")
                item = webhooks.customer_message_item(
                    account_id=found.external_id,
                    user_id=user,
                    mid=message_id,
                    at=when,
                    text=text,
                    attachments=attachments,
                )
                payload = webhooks.messaging(found.platform, found.external_id, when, item)
                kind = "message"
            self._state.last_customer_message[(found.external_id, user)] = when
            self._emit(kind, payload, 0.0)
            return message_id

    def customer_referral(
        self,
        account: str,
        user: str,
        ref: str,
        platform: Platform | str | None = None,
        *,
        at: datetime | None = None,
    ) -> None:
        """A customer opens an ``m.me/…?ref=`` (or ``ig.me``) link on an existing thread: a
        ``referral`` event, which also opens the window. For WhatsApp click-to-chat, send a
        ``customer_message`` whose text holds ``payloads.format_prefilled_ref(code)``."""
        with self._lock:
            found = self._helper_account(account, platform)
            if found.platform is Platform.WHATSAPP:
                raise ValueError("WhatsApp referrals travel in the message text")
            when = self._time(at)
            item = webhooks.referral_item(
                account_id=found.external_id, user_id=str(user), at=when, ref=ref
            )
            self._state.last_customer_message[(found.external_id, str(user))] = when
            self._emit(
                "referral", webhooks.messaging(found.platform, found.external_id, when, item), 0.0
            )

    def customer_comment(
        self,
        account: str,
        user: str,
        text: str,
        platform: Platform | str | None = None,
        *,
        name: str | None = None,
        post_id: str | None = None,
        parent_id: str | None = None,
        at: datetime | None = None,
    ) -> str:
        """A customer comments under a Page post or Instagram media (default: one post per
        account). Queues the ``feed``/``comments`` webhook; returns the comment ID."""
        with self._lock:
            found = self._helper_account(account, platform)
            if found.platform is Platform.WHATSAPP:
                raise ValueError("WhatsApp has no comments")
            when = self._time(at)
            post = post_id or self._state.default_post(found)
            instagram = found.platform is Platform.INSTAGRAM
            if instagram:
                comment_id = self._state.numeric_id(17)
            else:
                comment_id = f"{post.split('_')[-1]}_{self._state.numeric_id(16)}"
            comment = CommentRecord(
                comment_id=comment_id,
                account_id=found.external_id,
                platform=found.platform,
                post_id=post,
                parent_id=parent_id,
                author_id=str(user),
                author_name=name or (f"client.{user[-4:]}" if instagram else f"Client {user[-4:]}"),
                created_at=when,
                text=text,
            )
            self._state.comments[comment_id] = comment
            if instagram:
                self._emit("comments", webhooks.instagram_comment(comment, at=when), 0.0)
            else:
                payload = webhooks.feed_comment(
                    comment, "add", at=when, text=text, include_post=True
                )
                self._emit("feed.comment.add", payload, 0.0)
            return comment_id

    def customer_comment_edit(
        self, comment_id: str, text: str, *, at: datetime | None = None
    ) -> None:
        """The author edits a Facebook comment (``verb: edited``); Tandem must scan it again."""
        with self._lock:
            comment = self._state.comments.get(comment_id)
            if comment is None or comment.platform is not Platform.FACEBOOK:
                raise ValueError("only known Facebook comments can be edited")
            comment.text = text
            when = self._time(at)
            self._emit(
                "feed.comment.edit",
                webhooks.feed_comment(comment, "edited", at=when, text=text),
                0.0,
            )


def _user(account: Account, user: str) -> str:
    """WhatsApp users are ``wa_id`` digits (a leading ``+`` or spaces are dropped)."""
    user = str(user)
    if account.platform is Platform.WHATSAPP:
        digits = re.sub(r"[\s().+-]", "", user)
        if not re.fullmatch(r"\d{7,15}", digits):
            raise ValueError("a WhatsApp user is a phone number (wa_id)")
        return digits
    return user
