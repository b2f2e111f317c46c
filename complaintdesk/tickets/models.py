"""The complaint record (ticket), its taxonomy, timeline, comments, attachments and links."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models

from complaintdesk.core import clock
from complaintdesk.core.models import AppendOnlyModel
from complaintdesk.tickets.choices import Channel, EventType, Level, LinkKind, Priority, TicketStatus


def _now() -> Any:
    return clock.now()


def _tracking_token() -> str:
    return secrets.token_urlsafe(18)


class Category(models.Model):
    """A node of the complaint taxonomy (产品质量 → 功能故障 ...). ``path`` holds ancestor ids."""

    key = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100, blank=True, default="")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=300, default="/", db_index=True)
    sort_order = models.IntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    """A free label on tickets (e.g. 媒体关注, 批量问题)."""

    name = models.CharField(max_length=50, unique=True)

    def __str__(self) -> str:
        return self.name


class Ticket(models.Model):
    """One customer complaint, tracked from intake until closed.

    ``data`` holds the custom form fields; ``search_text`` is a denormalised copy of number,
    subject, description and customer name/phone for the free-text filter (trigram-indexed on
    PostgreSQL).
    """

    number = models.CharField(max_length=40, unique=True)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.API)
    external_id = models.CharField(max_length=200, null=True, blank=True)
    tracking_token = models.CharField(max_length=32, unique=True, default=_tracking_token)
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    subject = models.CharField(max_length=300)
    description = models.TextField(blank=True, default="")
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets")
    product = models.ForeignKey(
        "customers.Product", null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    order_number = models.CharField(max_length=64, blank=True, default="")
    urgency = models.CharField(max_length=10, choices=Level.choices, default=Level.MEDIUM)
    impact = models.CharField(max_length=10, choices=Level.choices, default=Level.MEDIUM)
    priority = models.CharField(max_length=2, choices=Priority.choices, default=Priority.P3)
    status = models.CharField(max_length=20, choices=TicketStatus.choices, default=TicketStatus.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="assigned_tickets"
    )
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="tickets")
    department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="created_tickets"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets")
    data = models.JSONField(default=dict, blank=True)
    # The form version the ticket was created with: ``data`` is always validated against exactly
    # this schema, whatever has been published since (null: free-form data, no form).
    form_version = models.ForeignKey(
        "forms.FormVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    is_repeat = models.BooleanField(default=False)
    repeat_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="repeats")
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_tickets"
    )
    reopen_count = models.PositiveIntegerField(default=0)
    search_text = models.TextField(blank=True, default="")

    created_at = models.DateTimeField(default=_now)
    updated_at = models.DateTimeField(default=_now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=models.Q(external_id__isnull=False),
                name="ticket_channel_external_id_unique",
            )
        ]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="ticket_created"),
            models.Index(fields=["status", "-created_at"], name="ticket_status_created"),
            models.Index(fields=["assignee", "status", "-created_at"], name="ticket_assignee_status"),
            models.Index(fields=["team", "status", "-created_at"], name="ticket_team_status"),
            models.Index(fields=["department", "-created_at"], name="ticket_department_created"),
            models.Index(fields=["customer", "-created_at"], name="ticket_customer_created"),
            models.Index(fields=["category", "-created_at"], name="ticket_category_created"),
            models.Index(fields=["priority", "-created_at"], name="ticket_priority_created"),
            models.Index(fields=["channel", "-created_at"], name="ticket_channel_created"),
            models.Index(fields=["created_by", "-created_at"], name="ticket_created_by"),
            models.Index(fields=["resolution_due_at"], name="ticket_resolution_due"),
            # Overdue = open status + due time passed: counted from the index alone on 1M tickets.
            models.Index(fields=["status", "resolution_due_at"], name="ticket_status_due"),
        ]

    def __str__(self) -> str:
        return self.number


class TicketEvent(AppendOnlyModel):
    """An append-only timeline entry: who changed what on the ticket, when, through which channel."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=32, choices=EventType.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    channel = models.CharField(max_length=20, default="system")
    created_at = models.DateTimeField(default=_now)
    data = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["ticket", "created_at", "id"], name="ticket_event_timeline")]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.type}@{self.ticket_id}"


class Comment(models.Model):
    """A public reply to the customer (is_public) or an internal note."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    body = models.TextField()
    is_public = models.BooleanField(default=False)
    channel = models.CharField(max_length=20, default="web")
    created_at = models.DateTimeField(default=_now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="comment_ticket")]

    def __str__(self) -> str:
        return f"comment#{self.pk}"


def _attachment_path(instance: Attachment, filename: str) -> str:
    stamp = clock.now()
    return f"attachments/{stamp:%Y/%m}/{secrets.token_hex(8)}-{filename[-80:]}"


class Attachment(models.Model):
    """A file attached to a ticket (photo, invoice, recording), stored through Django storage."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, max_length=300)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(default=_now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


def _upload_path(instance: Upload, filename: str) -> str:
    stamp = clock.now()
    return f"uploads/{stamp:%Y/%m/%d}/{secrets.token_hex(8)}"


def _upload_token() -> str:
    return secrets.token_urlsafe(24)


class Upload(models.Model):
    """A file uploaded for a form field (attachments, images, signature) before the ticket exists.

    The form value references it by ``token``; creating the ticket turns it into an
    ``Attachment`` and sets ``consumed_by``. Pending uploads older than a day are deleted by the
    ``tickets.delete_stale_uploads`` job. An anonymous upload (public form) records the client IP
    instead of a user, and only a submission from that IP may use it.
    """

    token = models.CharField(max_length=64, unique=True, default=_upload_token)
    file = models.FileField(upload_to=_upload_path, max_length=300)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    # True when GPS metadata was kept (the field asked for it); using the upload in a field that
    # does not keep location strips it then.
    kept_location = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                                    related_name="+")
    client_ip = models.CharField(max_length=64, blank=True, default="")
    public = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=_now, db_index=True)
    consumed_by = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    consumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class TicketLink(models.Model):
    """A typed link between two tickets; ``parent_of`` reads "source is the parent of target"."""

    source = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=20, choices=LinkKind.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=_now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="ticket_link_unique"),
            models.CheckConstraint(condition=~models.Q(source=models.F("target")), name="ticket_link_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.kind} {self.target_id}"
