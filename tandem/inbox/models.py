"""Contacts, conversations and messages; the teams and policies that route and time them.

Every row here is customer data or bank policy of one regional bank (the legal entity):
``regional_bank`` is non-null and first in every index. Ids in URLs and the API are UUIDs.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tandem.connectors.models import OutboundCall, SocialAccount
from tandem.core.models import BaseModel
from tandem.organisation.models import Customer, Employee, Node


class TeamKind(models.TextChoices):
    BRANCH = "branch", _("Branch team")
    REGIONAL_POOL = "regional_pool", _("Regional pool")
    URGENT = "urgent", _("24/7 team (cards, fraud)")
    COMPLAINTS = "complaints", _("Complaints desk")
    RECRUITING = "recruiting", _("Recruiters")
    COMMUNITY = "community", _("Community managers")


class Team(BaseModel):
    regional_bank = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="teams")
    kind = models.CharField(_("kind"), max_length=20, choices=TeamKind.choices)
    name = models.CharField(_("name"), max_length=120)
    members = models.ManyToManyField(Employee, related_name="teams", blank=True)
    # Open around the clock (the 24/7 team); otherwise the node's opening hours apply.
    always_open = models.BooleanField(_("open 24/7"), default=False)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [models.UniqueConstraint(fields=["node", "kind"], name="team_unique_kind")]
        indexes = [models.Index(fields=["regional_bank", "kind"])]

    def __str__(self) -> str:
        return self.name


class Presence(models.TextChoices):
    AVAILABLE = "available", _("Available")
    BUSY = "busy", _("Busy")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


class AgentState(models.Model):
    """An employee's availability for conversations, and their place in the rotation."""

    employee = models.OneToOneField(
        Employee, on_delete=models.CASCADE, primary_key=True, related_name="agent_state"
    )
    presence = models.CharField(
        _("presence"), max_length=12, choices=Presence.choices, default=Presence.OFFLINE
    )
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=8)
    # Fair rotation: among the eligible, the one served longest ago gets the next conversation.
    last_assigned_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("agent state")
        verbose_name_plural = _("agent states")

    def __str__(self) -> str:
        return f"{self.employee} {self.presence}"


class Contact(BaseModel):
    """A social identity writing to the bank (a PSID, an Instagram id, a WhatsApp number)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    regional_bank = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    platform = models.CharField(_("network"), max_length=20)
    external_id = models.CharField(_("identifier on the network"), max_length=64)
    display_name = models.CharField(_("name"), max_length=200, blank=True)
    locale = models.CharField(_("locale"), max_length=16, blank=True)
    # The bank's customer this identity is linked to (through a one-time code), if any.
    customer = models.ForeignKey(
        Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="contacts"
    )
    linked_at = models.DateTimeField(null=True, blank=True)
    # Merged contacts point at the one that carries on (same person on several channels).
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged"
    )

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["regional_bank", "platform", "external_id"], name="contact_identity"
            )
        ]
        indexes = [models.Index(fields=["regional_bank", "customer"])]

    def __str__(self) -> str:
        return self.label(self.display_name, self.platform, self.external_id)

    @staticmethod
    def label(display_name: str, platform: str, external_id: str) -> str:
        """How a contact is named on screen: their name, else the network and the end of their
        id (rows of the inbox build it from these columns alone)."""
        if display_name:
            return display_name
        labels = {"facebook": "Messenger", "instagram": "Instagram", "whatsapp": "WhatsApp"}
        return f"Client {labels.get(platform, platform)} ··{external_id[-4:]}"


class ChannelChoice(models.TextChoices):
    MESSENGER = "messenger", "Messenger"
    INSTAGRAM_DM = "instagram_dm", "Instagram"
    WHATSAPP = "whatsapp", "WhatsApp"
    FACEBOOK_COMMENT = "facebook_comment", _("Facebook comment")
    INSTAGRAM_COMMENT = "instagram_comment", _("Instagram comment")


class ConversationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    WAITING = "waiting", _("Waiting on customer")
    SNOOZED = "snoozed", _("Snoozed")
    RESOLVED = "resolved", _("Resolved")


class Priority(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")


class Topic(models.TextChoices):
    CARD_LOST = "card_lost", _("Lost or stolen card")
    FRAUD = "fraud", _("Fraud")
    COMPLAINT = "complaint", _("Complaint")
    JOB_APPLICATION = "job_application", _("Job application")
    LOAN = "loan", _("Loan")
    SAVINGS = "savings", _("Savings")
    APPOINTMENT = "appointment", _("Appointment")
    ONLINE_BANKING = "online_banking", _("App and online banking")
    GENERAL = "general", _("General question")


class Conversation(BaseModel):
    """One per contact and direct channel, or one per public comment thread."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    regional_bank = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(
        SocialAccount, on_delete=models.PROTECT, related_name="conversations"
    )
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="conversations")
    channel = models.CharField(_("channel"), max_length=20, choices=ChannelChoice.choices)
    # Direct channels: the contact's id; comment threads: "<post id>:<top comment id>".
    thread_key = models.CharField(max_length=255)
    post_id = models.CharField(max_length=128, blank=True)
    root_comment_id = models.CharField(max_length=128, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ConversationStatus.choices,
        default=ConversationStatus.OPEN,
    )
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    topic = models.CharField(
        _("topic"), max_length=20, choices=Topic.choices, default=Topic.GENERAL
    )
    assignee = models.ForeignKey(
        Employee, on_delete=models.SET_NULL, null=True, blank=True, related_name="conversations"
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="conversations"
    )
    # The branch (or regional node) whose scope the conversation sits in.
    branch = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="conversations")
    # Waiting for a free person since (first in, first out), when nobody could take it.
    queued_at = models.DateTimeField(null=True, blank=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    next_response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    sla_warned_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    last_customer_message_at = models.DateTimeField(null=True, blank=True)
    last_agent_message_at = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True)
    window_closes_at = models.DateTimeField(null=True, blank=True)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    satisfaction_asked_at = models.DateTimeField(null=True, blank=True)
    satisfaction_score = models.PositiveSmallIntegerField(null=True, blank=True)
    # Compliance flagged something in it (sensitive data posted in public …).
    flagged = models.BooleanField(default=False)
    tags = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "channel", "thread_key"], name="conversation_thread"
            )
        ]
        indexes = [
            models.Index(
                fields=["regional_bank", "assignee", "status", "-last_message_at"],
                name="conversation_assignee",
            ),
            models.Index(
                fields=["regional_bank", "branch", "status", "-last_message_at"],
                name="conversation_branch",
            ),
            models.Index(
                fields=["regional_bank", "team", "queued_at"],
                name="conversation_queue",
                condition=Q(queued_at__isnull=False),
            ),
            models.Index(
                fields=["regional_bank", "status", "next_response_due_at"],
                name="conversation_sla",
            ),
            models.Index(fields=["regional_bank", "-updated_at"], name="conversation_updated"),
            # The open queues (mine, branch, unassigned, late), their counts and versions:
            # ordered like the list and covering every column they filter on, so the page of
            # a whole regional bank is read in order and the counts without the heap.
            models.Index(
                fields=["regional_bank", "-last_message_at", "-id"],
                name="conversation_open_recent",
                include=[
                    "branch",
                    "assignee",
                    "team",
                    "updated_at",
                    "first_response_due_at",
                    "next_response_due_at",
                ],
                condition=Q(status__in=["open", "waiting"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.contact}"


class MessageDirection(models.TextChoices):
    INBOUND = "in", _("From the customer")
    OUTBOUND = "out", _("To the customer")
    NOTE = "note", _("Internal note")
    SYSTEM = "system", _("Event")


class Message(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    regional_bank = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    direction = models.CharField(max_length=8, choices=MessageDirection.choices)
    # Meta's id (mid, wamid, comment id); empty for notes and system events.
    external_id = models.CharField(max_length=255, blank=True)
    author = models.ForeignKey(
        Employee, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField(blank=True)
    attachments = models.JSONField(default=list, blank=True)
    # The event's own time: messages are shown in the order customers wrote them.
    occurred_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    outbound_call = models.ForeignKey(
        OutboundCall, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Public replies vs private replies to a comment, HUMAN_AGENT sends, template names …
    meta = models.JSONField(default=dict, blank=True)
    hidden = models.BooleanField(default=False)
    removed = models.BooleanField(default=False)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "external_id"],
                name="message_external_unique",
                condition=~Q(external_id=""),
            )
        ]
        indexes = [
            models.Index(
                fields=["regional_bank", "conversation", "occurred_at"], name="message_timeline"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.occurred_at:%Y-%m-%d %H:%M}"


class TopicRule(BaseModel):
    """Editable detection of topic and urgency from French text (policy as data).

    Rules with no regional bank are the defaults; a regional bank's own rules come first.
    """

    regional_bank = models.ForeignKey(
        Node, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    # Lower-cased, accent-free keywords or phrases; any one of them matches.
    keywords = models.JSONField(_("keywords"), default=list)
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("topic rule")
        verbose_name_plural = _("topic rules")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.get_topic_display()} ({len(self.keywords)})"


class SlaPolicy(BaseModel):
    """Service levels per priority, counted in business hours (a 24/7 team: around the clock)."""

    regional_bank = models.ForeignKey(
        Node, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices)
    first_response_minutes = models.PositiveIntegerField(_("first response (minutes)"))
    next_response_minutes = models.PositiveIntegerField(_("next response (minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution (minutes)"))
    warning_minutes = models.PositiveIntegerField(_("warn before (minutes)"), default=15)

    class Meta:
        verbose_name = _("service level")
        verbose_name_plural = _("service levels")
        constraints = [
            models.UniqueConstraint(
                fields=["regional_bank", "priority"],
                name="sla_policy_unique",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_priority_display()}: {self.first_response_minutes} min"


class CustomerLink(BaseModel):
    """A one-time code the bank's app hands a signed-in customer, to link their social identity."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    regional_bank = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="links")
    code = models.CharField(max_length=32, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="links"
    )

    class Meta:
        verbose_name = _("customer link")
        verbose_name_plural = _("customer links")
        indexes = [models.Index(fields=["regional_bank", "customer"])]

    def __str__(self) -> str:
        return f"link {self.code[:4]}…"


class CannedAnswer(BaseModel):
    """An approved answer advisors insert, with variables ({prenom_client}, {agence} …)."""

    regional_bank = models.ForeignKey(
        Node, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"))
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices, blank=True)
    # Set for an approved WhatsApp template (its name at Meta): usable outside the 24 h window,
    # its variables sent as the template's parameters.
    whatsapp_template = models.CharField(_("WhatsApp template name"), max_length=120, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("approved answer")
        verbose_name_plural = _("approved answers")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Notification(models.Model):
    """Something an employee must know: a customer of theirs came back to someone else, an
    SLA about to breach, an escalation."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="notifications")
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=30)
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["employee", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} → {self.employee_id}"
