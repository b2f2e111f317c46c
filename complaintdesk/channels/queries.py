"""Reads for anonymous visitors: a public form's published version, and a ticket by its tracking
token (what the customer may see of it: status and public replies, nothing internal)."""

from __future__ import annotations

from django.db.models import QuerySet

from complaintdesk.core.errors import NotFound
from complaintdesk.forms.choices import VersionStatus
from complaintdesk.forms.models import FormVersion
from complaintdesk.tickets.models import Comment, Ticket


def get_public_version(*, slug: str) -> FormVersion:
    """The published version of the public form ``slug``; a form that is not public, or has no
    published version, does not exist here."""
    version = (FormVersion.objects.select_related("form", "form__category")
               .filter(form__is_public=True, form__public_slug=slug, status=VersionStatus.PUBLISHED).first())
    if version is None:
        raise NotFound("表单不存在 / Form not found")
    return version


def get_tracked_ticket(*, token: str) -> Ticket:
    ticket = Ticket.objects.filter(tracking_token=token).only(
        "id", "number", "subject", "status", "created_at", "updated_at", "resolved_at", "closed_at").first()
    if ticket is None:
        raise NotFound("未找到该查询码对应的投诉 / No complaint with this tracking code")
    return ticket


def public_replies(*, ticket: Ticket) -> QuerySet[Comment]:
    """Replies to the customer only (never internal notes), oldest first."""
    return Comment.objects.filter(ticket=ticket, is_public=True).only("body", "created_at").order_by(
        "created_at", "id")
