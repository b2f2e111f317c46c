"""Every write to tickets. Each ``do_*`` runs in one transaction: change + timeline event +
domain event (outbox). ``check_*`` functions hold the permission and business checks that the
API (and any other caller acting for a user) runs first.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from complaintdesk.accounts import permissions as P
from complaintdesk.accounts.access import check_perm
from complaintdesk.core import clock
from complaintdesk.core import events as ev
from complaintdesk.core.audit import changes
from complaintdesk.core.context import current_channel
from complaintdesk.core.errors import Conflict, InvalidInput, InvalidTransition
from complaintdesk.core.options import REPEAT_WINDOW_DAYS, TICKET_NUMBER_PATTERN, get_option
from complaintdesk.core.tree import move_subtree
from complaintdesk.forms.choices import VersionStatus
from complaintdesk.forms.permissions import field_rights
from complaintdesk.tickets import events as timeline
from complaintdesk.tickets.choices import (
    PRIORITY_MATRIX,
    TRANSITIONS,
    Channel,
    Level,
    LinkKind,
    Priority,
    TicketStatus,
)
from complaintdesk.tickets.formdata import check_writable, evaluate_for_ticket, merge_for_update, seal_values
from complaintdesk.tickets.models import Attachment, Category, Comment, Tag, Ticket, TicketLink
from complaintdesk.tickets.numbering import next_ticket_number
from complaintdesk.tickets.uploads import UploadClaim, attach_claimed_uploads, claim_uploads

if TYPE_CHECKING:
    from complaintdesk.accounts.models import Department, Team, User
    from complaintdesk.customers.models import Customer, Product
    from complaintdesk.forms.models import FormVersion

MAX_DATA_BYTES = 256 * 1024
MAX_TAGS = 20


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


def derive_priority(urgency: str, impact: str) -> str:
    return PRIORITY_MATRIX[(Level(urgency), Level(impact))]


def build_search_text(ticket: Ticket) -> str:
    parts = [ticket.number, ticket.subject, ticket.description]
    if ticket.customer is not None:
        parts += [ticket.customer.name, ticket.customer.phone]
    if ticket.order_number:
        parts.append(ticket.order_number)
    return "\n".join(p for p in parts if p)


def _ticket_payload(ticket: Ticket, **extra: Any) -> dict[str, Any]:
    return {"ticket_id": ticket.pk, "number": ticket.number, **extra}


def _check_levels(urgency: str, impact: str, priority: str | None) -> None:
    details = {}
    if urgency not in Level.values:
        details["urgency"] = f"one of {Level.values}"
    if impact not in Level.values:
        details["impact"] = f"one of {Level.values}"
    if priority is not None and priority not in Priority.values:
        details["priority"] = f"one of {Priority.values}"
    if details:
        raise InvalidInput("紧急程度/影响面/优先级无效 / Invalid urgency, impact or priority", details=details)


def _check_data(data: Any) -> None:
    if not isinstance(data, dict):
        raise InvalidInput("data 必须是对象 / data must be an object", details={"data": "object expected"})
    if len(json.dumps(data, ensure_ascii=False, default=str).encode()) > MAX_DATA_BYTES:
        raise InvalidInput("自定义字段过大 / Custom field data too large", details={"data": "too large"})


def _get_tags(names: list[str]) -> list[Tag]:
    clean = sorted({n.strip() for n in names if n and n.strip()})
    if len(clean) > MAX_TAGS or any(len(n) > 50 for n in clean):
        raise InvalidInput("标签过多或过长 / Too many or too long tags", details={"tags": "max 20 × 50 chars"})
    existing = {t.name: t for t in Tag.objects.filter(name__in=clean)}
    for name in clean:
        if name not in existing:
            tag, _ = Tag.objects.get_or_create(name=name)
            existing[name] = tag
    return [existing[n] for n in clean]


def _check_assignee(assignee: User | None) -> None:
    if assignee is not None and not assignee.is_active:
        raise InvalidInput("不能分派给已停用的用户 / Cannot assign to a deactivated user",
                           details={"assignee_id": "inactive"})


# --- create -------------------------------------------------------------------------------


def check_create_ticket(actor: User) -> None:
    check_perm(actor, P.TICKET_CREATE)


def do_create_ticket(
    *,
    actor: User | None,
    subject: str,
    channel: str = Channel.API,
    description: str = "",
    external_id: str | None = None,
    customer: Customer | None = None,
    category: Category | None = None,
    product: Product | None = None,
    order_number: str = "",
    urgency: str = Level.MEDIUM,
    impact: str = Level.MEDIUM,
    priority: str | None = None,
    tags: list[str] | None = None,
    data: dict[str, Any] | None = None,
    assignee: User | None = None,
    team: Team | None = None,
    department: Department | None = None,
    form_version: FormVersion | None = None,
    values: dict[str, Any] | None = None,
    trusted_values: bool = False,
    public: bool = False,
    url_params: dict[str, str] | None = None,
    client_ip: str = "",
) -> tuple[Ticket, bool]:
    """Register a complaint; returns ``(ticket, created)``.

    The same ``channel`` + ``external_id`` again returns the existing ticket with
    ``created=False`` (WeChat and webhooks redeliver), also when both arrive at once.

    With ``form_version`` the ticket pins that version and ``values`` are evaluated by the form
    engine (defaults, formulas, visibility, validation, uniqueness); the normalised values become
    ``ticket.data``. An invalid submission raises ``InvalidInput`` (code ``invalid_data``) with
    every field's errors and stores nothing. ``trusted_values`` lets the system set read-only
    fields; ``public`` marks an anonymous submission; ``url_params`` fill hidden URL fields.
    Values of file fields that reference uploads become attachments of the ticket (see
    ``tickets.uploads`` for who may use which upload; ``client_ip`` identifies a public submitter).
    """
    subject = (subject or "").strip()
    if not subject:
        raise InvalidInput("主题不能为空 / Subject is required", details={"subject": "required"})
    if channel not in Channel.values:
        raise InvalidInput("未知渠道 / Unknown channel", details={"channel": f"one of {Channel.values}"})
    _check_levels(urgency, impact, priority)
    _check_data(data or {})
    if form_version is not None:
        if data:
            raise InvalidInput("使用表单时请通过表单字段提交数据 / With a form, data goes in the form's values",
                               details={"data": "use values"})
        if form_version.status == VersionStatus.DRAFT:
            raise InvalidInput("表单版本尚未发布 / The form version is not published",
                               details={"form_version_id": form_version.pk})
        _check_data(values or {})
    _check_assignee(assignee)
    external_id = (external_id or "").strip() or None
    if external_id:
        existing = Ticket.objects.filter(channel=channel, external_id=external_id).first()
        if existing is not None:
            return existing, False
    try:
        with transaction.atomic():
            claims: list[UploadClaim] = []
            if form_version is not None:
                check_writable(form_version, values or {}, actor=actor)
                # Inside the transaction: serial numbers are taken here and given back on rollback.
                schema, result = evaluate_for_ticket(form_version, values or {}, actor=actor,
                                                     trusted=trusted_values, public=public, url_params=url_params)
                data = seal_values(schema, result.values)
                claims = claim_uploads(schema, data, actor=actor, public=public, client_ip=client_ip)
            ticket = _insert_ticket(
                actor=actor, subject=subject[:300], channel=channel, description=description,
                external_id=external_id, customer=customer, category=category, product=product,
                order_number=order_number, urgency=urgency, impact=impact, priority=priority,
                tags=tags or [], data=data or {}, assignee=assignee, team=team,
                department=department or (assignee.department if assignee else None),
                form_version=form_version,
            )
            attach_claimed_uploads(ticket, claims, actor=actor)
    except IntegrityError as exc:
        if external_id:
            existing = Ticket.objects.filter(channel=channel, external_id=external_id).first()
            if existing is not None:
                return existing, False
        raise Conflict("工单编号冲突，请重试 / Ticket could not be numbered, retry") from exc
    return ticket, True


def _insert_ticket(*, actor: User | None, tags: list[str], priority: str | None, **fields: Any) -> Ticket:
    now = clock.now()
    number = next_ticket_number(get_option(TICKET_NUMBER_PATTERN.key), timezone.localtime(now))
    ticket = Ticket(
        number=number,
        created_by=actor if actor is not None and actor.pk else None,
        priority=priority or derive_priority(fields["urgency"], fields["impact"]),
        status=TicketStatus.NEW,
        created_at=now,
        updated_at=now,
        **fields,
    )
    ticket.search_text = build_search_text(ticket)
    ticket.save(force_insert=True)
    if tags:
        ticket.tags.set(_get_tags(tags))
    timeline.ticket_created_event(ticket=ticket, actor=actor)
    ev.publish(ev.TICKET_CREATED, _ticket_payload(
        ticket, channel=ticket.channel, priority=ticket.priority,
        category_id=ticket.category_id, customer_id=ticket.customer_id,
    ))
    _detect_repeat(ticket)
    return ticket


def _detect_repeat(ticket: Ticket) -> None:
    """Same customer + same category within the window → mark as repeat and link it."""
    if ticket.customer_id is None or ticket.category_id is None:
        return
    window_days = int(get_option(REPEAT_WINDOW_DAYS.key))
    if window_days <= 0:
        return
    previous = (
        Ticket.objects.filter(
            customer_id=ticket.customer_id, category_id=ticket.category_id,
            created_at__gte=ticket.created_at - timedelta(days=window_days),
            merged_into__isnull=True,
        )
        .exclude(pk=ticket.pk)
        .exclude(status=TicketStatus.CANCELLED)
        .order_by("-created_at", "-id")
        .first()
    )
    if previous is None:
        return
    ticket.is_repeat = True
    ticket.repeat_of = previous
    ticket.save(update_fields=["is_repeat", "repeat_of"])
    TicketLink.objects.create(source=ticket, target=previous, kind=LinkKind.REPEAT_OF, created_at=ticket.created_at)
    timeline.ticket_repeat_detected_event(ticket=ticket, previous=previous, window_days=window_days)
    ev.publish(ev.TICKET_REPEAT_DETECTED, _ticket_payload(ticket, previous_id=previous.pk))


# --- update -------------------------------------------------------------------------------

EDITABLE_FIELDS = {"subject", "description", "category", "product", "order_number", "urgency", "impact",
                   "priority", "data", "customer"}


def check_update_ticket(actor: User, ticket: Ticket) -> None:
    check_perm(actor, P.TICKET_EDIT)
    if ticket.merged_into_id is not None:
        raise Conflict("工单已合并，不能修改 / A merged ticket cannot be changed")


def _locked(ticket: Ticket) -> Ticket:
    """Re-read the ticket under a row lock so concurrent changes serialise."""
    fresh = Ticket.objects.select_for_update().get(pk=ticket.pk)
    for field in Ticket._meta.concrete_fields:
        setattr(ticket, field.attname, getattr(fresh, field.attname))
    for name in ("customer", "category", "product", "assignee", "team", "department"):
        if name in ticket._state.fields_cache:
            cached = ticket._state.fields_cache[name]
            if cached is None or cached.pk != getattr(ticket, f"{name}_id"):
                del ticket._state.fields_cache[name]
    return ticket


def do_update_ticket(
    ticket: Ticket, *, actor: User | None, tags: list[str] | None = None, **fields: Any
) -> Ticket:
    """Change ticket fields; ``data`` keys are merged (a key set to null is removed)."""
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise InvalidInput(f"unknown fields: {sorted(unknown)}")
    if "subject" in fields and not str(fields["subject"] or "").strip():
        raise InvalidInput("主题不能为空 / Subject is required", details={"subject": "required"})
    with transaction.atomic():
        _locked(ticket)
        if "data" in fields:
            _check_data(fields["data"])
            if ticket.form_version_id is not None:
                # Re-validated against the version the ticket pinned, never the newest one.
                fields["data"] = merge_for_update(ticket, fields["data"], actor=actor,
                                                  read_only=field_rights(actor, ticket).unwritable)
            else:
                merged = dict(ticket.data)
                for key, value in fields["data"].items():
                    if value is None:
                        merged.pop(key, None)
                    else:
                        merged[key] = value
                fields["data"] = merged
        urgency = fields.get("urgency", ticket.urgency)
        impact = fields.get("impact", ticket.impact)
        _check_levels(urgency, impact, fields.get("priority"))
        if ("urgency" in fields or "impact" in fields) and "priority" not in fields:
            fields["priority"] = derive_priority(urgency, impact)
        diff = changes(ticket, fields)
        for name, value in fields.items():
            setattr(ticket, name, value)
        if tags is not None:
            old_tags = sorted(ticket.tags.values_list("name", flat=True))
            new_tag_objs = _get_tags(tags)
            new_tags = sorted(t.name for t in new_tag_objs)
            if old_tags != new_tags:
                ticket.tags.set(new_tag_objs)
                diff["tags"] = {"old": old_tags, "new": new_tags}
        if not diff:
            return ticket
        ticket.updated_at = clock.now()
        ticket.search_text = build_search_text(ticket)
        ticket.save(update_fields=[*(f for f in diff if f != "tags"), "updated_at", "search_text"])
        timeline.ticket_updated_event(ticket=ticket, actor=actor, diff=diff)
        ev.publish(ev.TICKET_UPDATED, _ticket_payload(ticket, changes=sorted(diff)))
    return ticket


# --- assign -------------------------------------------------------------------------------


def check_assign_ticket(actor: User, ticket: Ticket, assignee: User | None) -> None:
    check_perm(actor, P.TICKET_ASSIGN)
    if ticket.status in (TicketStatus.CLOSED, TicketStatus.CANCELLED):
        raise Conflict("已关闭或取消的工单不能分派 / A closed or cancelled ticket cannot be assigned")
    _check_assignee(assignee)


def do_assign_ticket(
    ticket: Ticket, *, actor: User | None, assignee: User | None = UNSET,
    team: Team | None = UNSET, department: Department | None = UNSET,
) -> Ticket:
    """Give the ticket to a person and/or team/department (分派). The assignee's department is
    taken when no department is given."""
    fields: dict[str, Any] = {}
    if assignee is not UNSET:
        _check_assignee(assignee)
        fields["assignee"] = assignee
        if department is UNSET and assignee is not None and assignee.department_id:
            fields["department"] = assignee.department
    if team is not UNSET:
        fields["team"] = team
    if department is not UNSET:
        fields["department"] = department
    with transaction.atomic():
        _locked(ticket)
        diff = changes(ticket, fields)
        if not diff:
            return ticket
        for name, value in fields.items():
            setattr(ticket, name, value)
        ticket.updated_at = clock.now()
        ticket.save(update_fields=[*diff, "updated_at"])
        timeline.ticket_assigned_event(ticket=ticket, actor=actor, diff=diff)
        ev.publish(ev.TICKET_ASSIGNED, _ticket_payload(
            ticket, assignee_id=ticket.assignee_id, team_id=ticket.team_id, department_id=ticket.department_id,
        ))
    return ticket


# --- status -------------------------------------------------------------------------------


def allowed_transitions(ticket: Ticket) -> tuple[str, ...]:
    return TRANSITIONS[TicketStatus(ticket.status)]


def check_transition_ticket(actor: User, ticket: Ticket, to_status: str) -> None:
    check_perm(actor, P.TICKET_CLOSE if to_status == TicketStatus.CLOSED else P.TICKET_TRANSITION)
    _check_transition(ticket, to_status)


def _check_transition(ticket: Ticket, to_status: str) -> None:
    if to_status not in TicketStatus.values:
        raise InvalidInput("未知状态 / Unknown status", details={"status": f"one of {TicketStatus.values}"})
    if ticket.merged_into_id is not None:
        raise Conflict("工单已合并，不能变更状态 / A merged ticket cannot change status")
    allowed = allowed_transitions(ticket)
    if to_status not in allowed:
        raise InvalidTransition(
            f"不能从“{TicketStatus(ticket.status).label}”变更为“{TicketStatus(to_status).label}” / "
            f"Cannot move a ticket from {ticket.status} to {to_status}",
            details={"from": ticket.status, "to": to_status, "allowed": list(allowed)},
        )
    if to_status == TicketStatus.REOPENED:
        from complaintdesk.sla.reopen import check_reopen_window  # later than N days: a follow-up ticket

        check_reopen_window(ticket)


def do_transition_ticket(ticket: Ticket, *, actor: User | None, to_status: str, reason: str = "") -> Ticket:
    with transaction.atomic():
        _locked(ticket)  # the check runs again on the locked row: a concurrent change wins once
        _check_transition(ticket, to_status)
        old = ticket.status
        now = clock.now()
        ticket.status = to_status
        ticket.updated_at = now
        update = ["status", "updated_at"]
        if to_status in (TicketStatus.ACCEPTED, TicketStatus.IN_PROGRESS) and ticket.accepted_at is None:
            ticket.accepted_at = now
            update.append("accepted_at")
        if to_status == TicketStatus.RESOLVED:
            ticket.resolved_at = now
            update.append("resolved_at")
        elif to_status == TicketStatus.CLOSED:
            ticket.closed_at = now
            update.append("closed_at")
            if ticket.resolved_at is None:
                ticket.resolved_at = now
                update.append("resolved_at")
        elif to_status == TicketStatus.REOPENED:
            ticket.resolved_at = None
            ticket.closed_at = None
            ticket.reopen_count += 1
            update += ["resolved_at", "closed_at", "reopen_count"]
        ticket.save(update_fields=update)
        timeline.ticket_status_changed_event(ticket=ticket, actor=actor, old=old, new=to_status, reason=reason)
        ev.publish(ev.TICKET_STATUS_CHANGED, _ticket_payload(ticket, old=old, new=to_status))
    return ticket


# --- comments and attachments -------------------------------------------------------------


def check_comment_ticket(actor: User, ticket: Ticket) -> None:
    check_perm(actor, P.TICKET_COMMENT)


def do_add_comment(ticket: Ticket, *, actor: User | None, body: str, is_public: bool) -> Comment:
    """Add a public reply (sent to the customer) or an internal note. The first public reply
    sets the first-response time."""
    body = (body or "").strip()
    if not body:
        raise InvalidInput("内容不能为空 / Comment body is required", details={"body": "required"})
    if len(body) > 20000:
        raise InvalidInput("内容过长 / Comment too long", details={"body": "max 20000 characters"})
    with transaction.atomic():
        _locked(ticket)
        now = clock.now()
        comment = Comment.objects.create(ticket=ticket, author=actor, body=body, is_public=is_public,
                                         created_at=now, channel=current_channel())
        ticket.updated_at = now
        update = ["updated_at"]
        if is_public and ticket.first_response_at is None:
            ticket.first_response_at = now
            update.append("first_response_at")
        ticket.save(update_fields=update)
        timeline.ticket_commented_event(ticket=ticket, actor=actor, comment_id=comment.pk, is_public=is_public)
        ev.publish(ev.TICKET_COMMENTED, _ticket_payload(ticket, comment_id=comment.pk, is_public=is_public))
    return comment


# Types we accept, by sniffed content; the file name's extension is never trusted.
ALLOWED_SNIFFED_TYPES = {
    "image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "image/bmp", "image/tiff",
    "application/pdf", "application/zip", "application/x-7z-compressed", "application/x-rar-compressed",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
    "audio/mpeg", "audio/x-wav", "audio/amr", "audio/mp4", "audio/ogg", "video/mp4", "video/quicktime",
}
TEXT_EXTENSIONS = (".txt", ".csv", ".log", ".json", ".xml", ".eml")


@dataclass(frozen=True)
class SniffedFile:
    content_type: str
    size: int


def sniff_upload(content: bytes, name: str) -> SniffedFile:
    """Decide the content type from the bytes; reject what is not on the allow-list."""
    size = len(content)
    if size == 0:
        raise InvalidInput("文件为空 / The file is empty", details={"file": "empty"})
    if size > settings.ATTACHMENT_MAX_BYTES:
        raise InvalidInput(
            f"文件超过 {settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)} MB / File too large",
            details={"file": f"max {settings.ATTACHMENT_MAX_BYTES} bytes"},
        )
    kind = filetype.guess(content[:8192])
    if kind is not None:
        if kind.mime in ALLOWED_SNIFFED_TYPES:
            return SniffedFile(kind.mime, size)
        raise InvalidInput(f"不支持的文件类型 / File type {kind.mime} is not allowed",
                           details={"file": kind.mime})
    if name.lower().endswith(TEXT_EXTENSIONS):
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            head = content[:512].lstrip().lower()
            if not head.startswith((b"<!doctype html", b"<html", b"<script", b"<svg")):
                return SniffedFile("text/plain", size)
    raise InvalidInput("无法识别或不允许的文件类型 / Unrecognised or disallowed file type",
                       details={"file": "unknown type"})


def do_add_attachment(
    ticket: Ticket, *, actor: User | None, content: bytes, name: str, comment: Comment | None = None
) -> Attachment:
    safe_name = (name or "file").replace("/", "_").replace("\\", "_").strip()[:200] or "file"
    sniffed = sniff_upload(content, safe_name)
    with transaction.atomic():
        attachment = Attachment(
            ticket=ticket, comment=comment, name=safe_name, content_type=sniffed.content_type,
            size=sniffed.size, sha256=hashlib.sha256(content).hexdigest(), uploaded_by=actor,
            created_at=clock.now(),
        )
        attachment.file.save(safe_name, ContentFile(content), save=False)
        stored_name = attachment.file.name
        try:
            attachment.save()
            Ticket.objects.filter(pk=ticket.pk).update(updated_at=attachment.created_at)
            timeline.ticket_attachment_added_event(
                ticket=ticket, actor=actor, attachment_id=attachment.pk, name=safe_name,
                size=sniffed.size, content_type=sniffed.content_type,
            )
            ev.publish(ev.TICKET_ATTACHMENT_ADDED, _ticket_payload(ticket, attachment_id=attachment.pk))
        except Exception:
            # Nothing was recorded, so the stored bytes must not linger either.
            attachment.file.storage.delete(stored_name)
            raise
    return attachment


# --- links and merge ----------------------------------------------------------------------


def check_link_tickets(actor: User, source: Ticket, target: Ticket, kind: str) -> None:
    check_perm(actor, P.TICKET_MERGE)
    if kind not in (LinkKind.RELATED, LinkKind.DUPLICATE_OF, LinkKind.PARENT_OF):
        raise InvalidInput("无效的关联类型 / Invalid link kind",
                           details={"kind": ["related", "duplicate_of", "parent_of"]})
    if source.pk == target.pk:
        raise InvalidInput("不能关联自身 / A ticket cannot link to itself", details={"target_id": "self"})


def _is_parent_ancestor(candidate_id: int, *, of: int) -> bool:
    """Whether ``candidate_id`` is ``of`` itself or one of its ancestors through parent_of links
    (then making the candidate a child of ``of`` would close a loop of any length)."""
    seen: set[int] = set()
    level = {of}
    while level:
        if candidate_id in level:
            return True
        seen |= level
        level = set(
            TicketLink.objects.filter(target_id__in=level, kind=LinkKind.PARENT_OF).values_list("source_id", flat=True)
        ) - seen
    return False


def do_link_tickets(source: Ticket, target: Ticket, *, kind: str, actor: User | None) -> TicketLink:
    with transaction.atomic():
        link = TicketLink.objects.filter(source=source, target=target, kind=kind).first()
        if link is not None:
            return link
        if kind == LinkKind.PARENT_OF and _is_parent_ancestor(target.pk, of=source.pk):
            raise InvalidInput("父子关系不能成环 / Parent/child links cannot form a cycle",
                               details={"kind": "cycle"})
        now = clock.now()
        link = TicketLink.objects.create(source=source, target=target, kind=kind, created_by=actor, created_at=now)
        for ticket, other, direction in ((source, target, "out"), (target, source, "in")):
            ticket.updated_at = now
            Ticket.objects.filter(pk=ticket.pk).update(updated_at=now)
            timeline.ticket_linked_event(ticket=ticket, actor=actor, kind=kind, other=other, direction=direction)
        ev.publish(ev.TICKET_LINKED, _ticket_payload(source, target_id=target.pk, kind=kind))
    return link


def do_unlink_tickets(link: TicketLink, *, actor: User | None) -> None:
    with transaction.atomic():
        source, target, kind = link.source, link.target, link.kind
        link.delete()
        now = clock.now()
        for ticket, other in ((source, target), (target, source)):
            ticket.updated_at = now
            Ticket.objects.filter(pk=ticket.pk).update(updated_at=now)
            timeline.ticket_unlinked_event(ticket=ticket, actor=actor, kind=kind, other=other)


def check_merge_tickets(actor: User, source: Ticket, master: Ticket) -> None:
    check_perm(actor, P.TICKET_MERGE)
    if source.pk == master.pk:
        raise InvalidInput("不能合并到自身 / A ticket cannot be merged into itself", details={"into_id": "self"})
    if source.merged_into_id is not None:
        raise Conflict("该工单已被合并 / This ticket is already merged")
    if master.merged_into_id is not None:
        raise Conflict("目标工单已被合并到其他工单 / The target ticket is itself merged; merge into its master",
                       details={"master_id": master.merged_into_id})


def do_merge_tickets(source: Ticket, *, into: Ticket, actor: User | None) -> Ticket:
    """Merge a duplicate into a master: the duplicate is closed and points at the master; both
    timelines are kept (the master's timeline shows the merged ticket's events too)."""
    master = into
    with transaction.atomic():
        _locked(source)
        _locked(master)
        if source.merged_into_id is not None or master.merged_into_id is not None:
            raise Conflict("工单已被合并 / Already merged")
        now = clock.now()
        old_status = source.status
        source.merged_into = master
        source.updated_at = now
        update = ["merged_into", "updated_at"]
        if source.status not in (TicketStatus.CLOSED, TicketStatus.CANCELLED):
            source.status = TicketStatus.CLOSED
            source.closed_at = now
            update += ["status", "closed_at"]
        source.save(update_fields=update)
        # Tickets merged earlier into the source now belong to the new master.
        Ticket.objects.filter(merged_into=source).update(merged_into=master)
        master.tags.add(*source.tags.all())
        master.updated_at = now
        master.save(update_fields=["updated_at"])
        TicketLink.objects.get_or_create(
            source=source, target=master, kind=LinkKind.DUPLICATE_OF,
            defaults={"created_by": actor, "created_at": now},
        )
        if old_status != source.status:
            timeline.ticket_status_changed_event(ticket=source, actor=actor, old=old_status, new=source.status,
                                                 reason=f"merged into {master.number}")
        timeline.ticket_merged_event(ticket=source, actor=actor, source=source, master=master)
        timeline.ticket_merged_event(ticket=master, actor=actor, source=source, master=master)
        ev.publish(ev.TICKET_MERGED, _ticket_payload(master, source_id=source.pk))
    return master


def do_refresh_customer_search_text(customer_id: int) -> int:
    """Keep the denormalised search text in step after a customer's name or phone changed."""
    updated = 0
    with transaction.atomic():
        for ticket in Ticket.objects.select_related("customer").filter(customer_id=customer_id).iterator():
            text = build_search_text(ticket)
            if text != ticket.search_text:
                Ticket.objects.filter(pk=ticket.pk).update(search_text=text)
                updated += 1
    return updated


# --- categories ---------------------------------------------------------------------------


def do_create_category(
    *, key: str, name: str, name_en: str = "", parent: Category | None = None, sort_order: int = 0,
    actor: User | None,
) -> Category:
    from complaintdesk.core.audit import record_audit

    if not key.strip() or not name.strip():
        raise InvalidInput("编码与名称必填 / Key and name are required", details={"key": "required"})
    with transaction.atomic():
        if Category.objects.filter(key=key).exists():
            raise Conflict(f"分类编码已存在 / Category key {key!r} exists", details={"key": "taken"})
        category = Category.objects.create(key=key, name=name.strip(), name_en=name_en, parent=parent,
                                           sort_order=sort_order)
        category.path = f"{parent.path if parent else '/'}{category.pk}/"
        category.save(update_fields=["path"])
        record_audit(actor=actor, action="category.created", obj=category, data={"key": key, "name": name})
    return category


def do_update_category(category: Category, *, actor: User | None, **fields: Any) -> Category:
    from complaintdesk.core.audit import record_audit

    allowed = {"name", "name_en", "sort_order", "is_active", "parent"}
    unknown = set(fields) - allowed
    if unknown:
        raise InvalidInput(f"unknown fields: {sorted(unknown)}")
    if "name" in fields and not str(fields["name"] or "").strip():
        raise InvalidInput("名称不能为空 / Name is required", details={"name": "required"})
    with transaction.atomic():
        diff = changes(category, fields)
        if "parent" in diff:
            move_subtree(category, fields["parent"], field="parent_id")
        for name, value in fields.items():
            setattr(category, name, value)
        if diff:
            category.save(update_fields=list(diff))
            record_audit(actor=actor, action="category.updated", obj=category, data=diff)
    return category
