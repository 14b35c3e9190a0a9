"""Social accounts, the raw webhook events Meta delivers, and the calls Tandem makes to Meta."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.core.models import BaseModel
from tandem.organisation.models import Node


class Platform(models.TextChoices):
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    WHATSAPP = "whatsapp", "WhatsApp"


class SocialAccount(BaseModel):
    """A Facebook Page, an Instagram professional account or a WhatsApp phone number.

    ``external_id`` is what Meta's webhooks name: the Page id, the Instagram account id, or the
    WhatsApp ``phone_number_id``. The access token is stored encrypted (``tandem.core.encryption``)
    and never leaves the model except through ``SocialAccount.access_token()``.
    """

    platform = models.CharField(_("network"), max_length=20, choices=Platform.choices)
    external_id = models.CharField(_("identifier on the network"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    # The Page's username for m.me links, or the WhatsApp number in international format.
    handle = models.CharField(_("handle"), max_length=100, blank=True)
    owner = models.ForeignKey(
        Node, on_delete=models.PROTECT, related_name="social_accounts", verbose_name=_("owner")
    )
    regional_bank = models.ForeignKey(
        Node, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    token_ciphertext = models.TextField(editable=False, blank=True)
    token_fingerprint = models.CharField(max_length=16, editable=False, blank=True)
    token_set_at = models.DateTimeField(null=True, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    # Health, as administrators see it.
    token_valid = models.BooleanField(_("token valid"), null=True)
    webhooks_subscribed = models.BooleanField(_("webhooks subscribed"), null=True)
    last_event_at = models.DateTimeField(_("last event"), null=True, blank=True)
    last_error_code = models.IntegerField(null=True, blank=True)
    last_error_message = models.CharField(max_length=500, blank=True)
    unhealthy_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("social account")
        verbose_name_plural = _("social accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "external_id"], name="social_account_unique"
            )
        ]
        indexes = [models.Index(fields=["regional_bank", "platform"])]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} · {self.name}"

    @property
    def is_healthy(self) -> bool:
        return self.is_active and self.token_valid is not False and self.unhealthy_since is None

    def access_token(self) -> str:
        from tandem.core.encryption import decrypt

        return decrypt(self.token_ciphertext) if self.token_ciphertext else ""


class EventStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    PROCESSING = "processing", _("Processing")
    PROCESSED = "processed", _("Processed")
    RETRYING = "retrying", _("Retrying")
    PARKED = "parked", _("Parked (failed)")
    UNKNOWN_ACCOUNT = "unknown_account", _("Unknown account")
    UNKNOWN_KIND = "unknown_kind", _("Unknown kind")


class WebhookEvent(models.Model):
    """One event from a webhook delivery, stored before Meta gets its 200.

    ``idempotency_key`` is the event's natural key (``message:<mid>``, ``wa.status:<wamid>:read``…,
    see ``meta/payloads.py``); the unique constraint makes a redelivery store nothing new.
    """

    received_at = models.DateTimeField(default=timezone.now)
    object = models.CharField(max_length=40)
    account_external_id = models.CharField(max_length=64, blank=True)
    account = models.ForeignKey(
        SocialAccount, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    regional_bank = models.ForeignKey(
        Node, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=60)
    idempotency_key = models.CharField(max_length=255, unique=True)
    occurred_at = models.DateTimeField(null=True, blank=True)
    body = models.JSONField()
    status = models.CharField(
        max_length=20, choices=EventStatus.choices, default=EventStatus.PENDING
    )
    # The columns an ingested event starts with have database defaults too: the webhook's INSERT
    # (``meta/storage.py``) leaves them out.
    attempts = models.PositiveSmallIntegerField(default=0, db_default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)
    # The ``tandem worker`` whose claim ``locked_until`` is (empty: a command or a test): when
    # that worker is found gone, its claims are handed back at once, not when they expire.
    locked_by = models.CharField(max_length=100, blank=True, default="", db_default="")
    processed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="", db_default="")
    # Customer text in ``body`` is masked once the event is processed (compliance).
    body_masked = models.BooleanField(default=False, db_default=False)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_event_due",
                condition=Q(status__in=["pending", "retrying", "processing"]),
            ),
            models.Index(fields=["account", "received_at"]),
            models.Index(fields=["status", "received_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.idempotency_key[:40]}"

    @staticmethod
    def processing_lease() -> timedelta:
        """How long a worker's claim on an event (``locked_until``) lasts before the sweep may
        take the event again: ``TANDEM_EVENT_PROCESSING_LEASE_SECONDS``, read at each claim."""
        return timedelta(seconds=settings.TANDEM_EVENT_PROCESSING_LEASE_SECONDS)


class OutboundKind(models.TextChoices):
    MESSAGE = "message", _("Message")
    PRIVATE_REPLY = "private_reply", _("Private reply to a comment")
    PUBLIC_REPLY = "public_reply", _("Public reply to a comment")
    HIDE_COMMENT = "hide_comment", _("Hide a comment")
    UNHIDE_COMMENT = "unhide_comment", _("Unhide a comment")
    DELETE_COMMENT = "delete_comment", _("Delete a comment")
    PUBLISH_POST = "publish_post", _("Publish a Page post")
    PUBLISH_MEDIA = "publish_media", _("Publish an Instagram media")


class OutboundStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    RETRYING = "retrying", _("Retrying")
    # The call was made but its outcome is unknown (the worker died, the answer timed out):
    # never sent again blindly; settled by Meta's echo or status webhook, or by a person.
    UNCERTAIN = "uncertain", _("Outcome unknown")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    READ = "read", _("Read")
    FAILED = "failed", _("Failed")


class OutboundCall(BaseModel):
    """A call Tandem makes to Meta, made from a task, at most once.

    The row is written (with its own idempotency key) before any call. A worker claims it by
    moving it to ``sending`` in a committed transaction; only then does it call Meta. If it dies
    after claiming, the row stays ``sending`` and is never retried blindly: it becomes
    ``uncertain`` and is settled by the echo/status webhook carrying the row's id in ``metadata``
    / ``biz_opaque_callback_data``, which Meta returns to us.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    regional_bank = models.ForeignKey(
        Node, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    account = models.ForeignKey(SocialAccount, on_delete=models.PROTECT, related_name="calls")
    kind = models.CharField(max_length=30, choices=OutboundKind.choices)
    # The customer (PSID, IGSID, wa_id) or the comment the call is about.
    recipient_id = models.CharField(max_length=255, blank=True)
    idempotency_key = models.CharField(max_length=255, unique=True)
    payload = models.JSONField()
    status = models.CharField(
        max_length=20, choices=OutboundStatus.choices, default=OutboundStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    external_id = models.CharField(max_length=255, blank=True, db_index=True)
    result = models.JSONField(default=dict, blank=True)
    error_code = models.IntegerField(null=True, blank=True)
    error_subcode = models.IntegerField(null=True, blank=True)
    error_message = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("call to the network")
        verbose_name_plural = _("calls to the network")
        indexes = [
            models.Index(fields=["regional_bank", "status"]),
            models.Index(fields=["account", "recipient_id", "sent_at"]),
            models.Index(
                fields=["next_attempt_at"],
                name="outbound_call_due",
                condition=Q(status__in=["queued", "retrying"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.status}"
