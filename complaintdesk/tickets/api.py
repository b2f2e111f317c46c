"""Ticket endpoints: intake, list/search, detail, update, assign, transition, comments,
attachments, links, merge, timeline; plus the category taxonomy."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import FileResponse, HttpRequest
from ninja import File, Query, Router
from ninja.files import UploadedFile
from ninja.responses import Status

from complaintdesk.accounts import permissions as P
from complaintdesk.accounts.access import check_perm
from complaintdesk.accounts.models import Department, Team, User
from complaintdesk.core.errors import Conflict, InvalidInput, NotFound
from complaintdesk.core.schemas import ERRORS, paginate, user_ref
from complaintdesk.customers.actions import do_find_or_create_customer
from complaintdesk.customers.choices import CustomerTier
from complaintdesk.customers.models import Customer, Product
from complaintdesk.forms.choices import VersionStatus
from complaintdesk.forms.models import FormVersion
from complaintdesk.forms.permissions import field_rights
from complaintdesk.tickets import actions as A
from complaintdesk.tickets import bulk, queries, uploads
from complaintdesk.tickets.choices import TRANSITIONS, Channel, EventType, Level, LinkKind, Priority, TicketStatus
from complaintdesk.tickets.formdata import hidden_keys, present_data
from complaintdesk.tickets.models import Attachment, Category, Comment, Ticket, TicketEvent, TicketLink
from complaintdesk.tickets.schemas import (
    AssignIn,
    AttachmentOut,
    BulkIn,
    BulkOut,
    CategoryIn,
    CategoryOut,
    CategoryPatch,
    CommentIn,
    CommentOut,
    EventOut,
    LinkIn,
    LinkOut,
    MergeIn,
    TicketFilterParams,
    TicketIn,
    TicketOut,
    TicketPage,
    TicketPatch,
    TransitionIn,
    UploadOut,
)

router = Router(tags=["tickets"])


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


# --- serialisation ------------------------------------------------------------------------


def _ref(obj: Any) -> dict[str, Any] | None:
    return {"id": obj.pk, "name": obj.name} if obj is not None else None


def ticket_list_item(t: Ticket) -> dict[str, Any]:
    product = t.product
    customer = t.customer
    category = t.category
    return {
        "id": t.pk, "number": t.number, "channel": t.channel, "subject": t.subject, "status": t.status,
        "priority": t.priority, "urgency": t.urgency, "impact": t.impact,
        "category": {"id": category.pk, "key": category.key, "name": category.name} if category else None,
        "product": {"id": product.pk, "sku": product.sku, "name": product.name,
                    "line": product.line.name if product.line_id and product.line else None} if product else None,
        "customer": {"id": customer.pk, "name": customer.name, "phone": customer.phone,
                     "tier": customer.tier} if customer else None,
        "assignee": user_ref(t.assignee) if t.assignee_id else None,
        "team": _ref(t.team) if t.team_id else None,
        "department": _ref(t.department) if t.department_id else None,
        "tags": sorted(tag.name for tag in t.tags.all()),
        "is_repeat": t.is_repeat, "merged_into_id": t.merged_into_id,
        "created_at": t.created_at, "updated_at": t.updated_at,
        "first_response_due_at": t.first_response_due_at, "resolution_due_at": t.resolution_due_at,
    }


def ticket_out(t: Ticket, *, viewer: User | None) -> dict[str, Any]:
    """The ticket as ``viewer`` may see it (form fields hidden from their roles are left out)."""
    return {
        **ticket_list_item(t),
        "external_id": t.external_id, "description": t.description, "order_number": t.order_number,
        "data": present_data(t, viewer), "created_by": user_ref(t.created_by) if t.created_by_id else None,
        "repeat_of_id": t.repeat_of_id, "reopen_count": t.reopen_count, "accepted_at": t.accepted_at,
        "first_response_at": t.first_response_at, "resolved_at": t.resolved_at, "closed_at": t.closed_at,
        "allowed_transitions": [] if t.merged_into_id else list(A.allowed_transitions(t)),
        "form_version_id": t.form_version_id,
        "form_key": t.form_version.form.key if t.form_version_id and t.form_version else None,
        **_rights_out(viewer, t),
    }


def _rights_out(viewer: User | None, t: Ticket) -> dict[str, list[str]]:
    if not t.form_version_id:
        return {"read_only_fields": [], "hidden_fields": []}
    rights = field_rights(viewer, t)
    return {"read_only_fields": sorted(rights.read_only), "hidden_fields": sorted(rights.hidden)}


def comment_out(c: Comment) -> dict[str, Any]:
    return {"id": c.pk, "ticket_id": c.ticket_id, "ticket_number": c.ticket.number, "author": user_ref(c.author),
            "body": c.body, "is_public": c.is_public, "channel": c.channel, "created_at": c.created_at}


def attachment_out(a: Attachment) -> dict[str, Any]:
    return {"id": a.pk, "ticket_id": a.ticket_id, "name": a.name, "content_type": a.content_type, "size": a.size,
            "sha256": a.sha256, "uploaded_by": user_ref(a.uploaded_by), "created_at": a.created_at,
            "url": f"/api/v1/tickets/{a.ticket_id}/attachments/{a.pk}/download"}


def link_out(link: TicketLink) -> dict[str, Any]:
    return {"id": link.pk, "kind": link.kind, "source_id": link.source_id, "source_number": link.source.number,
            "target_id": link.target_id, "target_number": link.target.number, "created_at": link.created_at}


def event_out(e: TicketEvent, *, hidden: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A timeline entry; ``hidden`` form fields are cut out of the data changes it records."""
    data = e.data
    change = data.get("changes", {}).get("data") if isinstance(data.get("changes"), dict) else None
    if hidden and isinstance(change, dict):
        masked = {side: {k: v for k, v in (change.get(side) or {}).items() if k not in hidden}
                  for side in ("old", "new")}
        data = {**data, "changes": {**data["changes"], "data": masked}}
    return {"id": e.pk, "ticket_id": e.ticket_id, "ticket_number": e.ticket.number, "type": e.type,
            "actor": user_ref(e.actor), "channel": e.channel, "created_at": e.created_at, "data": data}


# --- resolving references in input -------------------------------------------------------


def _lookup(model: Any, field: str, **filters: Any) -> Any:
    obj = model.objects.filter(**filters).first()
    if obj is None:
        raise InvalidInput(f"{field} 不存在 / Unknown {field}", details={field: next(iter(filters.values()))})
    return obj


def _category(cat_id: int | None, key: str | None = None) -> Category | None:
    if cat_id is not None:
        return _lookup(Category, "category_id", pk=cat_id)
    if key:
        return _lookup(Category, "category_key", key=key)
    return None


def _product(product_id: int | None, sku: str | None = None) -> Product | None:
    if product_id is not None:
        return Product.objects.select_related("line").filter(pk=product_id).first() or _lookup(
            Product, "product_id", pk=product_id)
    if sku:
        return Product.objects.select_related("line").filter(sku=sku).first() or _lookup(
            Product, "product_sku", sku=sku)
    return None


def _user(user_id: int | None, field: str) -> User | None:
    if user_id is None:
        return None
    user = User.objects.select_related("department").filter(pk=user_id).first()
    if user is None:
        raise InvalidInput(f"{field} 不存在 / Unknown {field}", details={field: user_id})
    return user


def _team(team_id: int | None) -> Team | None:
    return None if team_id is None else _lookup(Team, "team_id", pk=team_id)


def _department(dept_id: int | None) -> Department | None:
    return None if dept_id is None else _lookup(Department, "department_id", pk=dept_id)


def _customer_for_intake(payload: TicketIn, actor: User) -> Customer | None:
    if payload.customer_id is not None:
        return _lookup(Customer, "customer_id", pk=payload.customer_id)
    inline = payload.customer
    if inline is None or not (inline.name or inline.phone or inline.email or inline.external_ids):
        return None
    if inline.tier is not None and inline.tier not in CustomerTier.values:
        raise InvalidInput("无效的客户等级 / Invalid tier", details={"customer.tier": CustomerTier.values})
    extra: dict[str, Any] = {"region": inline.region}
    if inline.tier:
        extra["tier"] = inline.tier
    return do_find_or_create_customer(name=inline.name, phone=inline.phone, email=inline.email,
                                      external_ids=inline.external_ids, actor=actor, **extra)


# --- tickets ------------------------------------------------------------------------------


class TicketListParams(TicketFilterParams):
    sort: str = "-created_at"
    page: int = 1
    page_size: int = 50


@router.get("/tickets", response={200: TicketPage, **ERRORS},
            summary="List and search tickets in my data scope")
def list_tickets(request: HttpRequest, params: Query[TicketListParams]) -> Any:
    p = params.dict()
    sort, page, page_size = p.pop("sort"), p.pop("page"), p.pop("page_size")
    filters = queries.TicketFilters(**p)
    qs = queries.list_tickets(viewer=_actor(request), filters=filters, sort=sort)
    ids, meta = paginate(qs.values_list("pk", flat=True), page, page_size)
    return {**meta, "items": [ticket_list_item(t) for t in queries.list_rows(ids)]}


@router.post("/tickets", response={200: TicketOut, 201: TicketOut, **ERRORS},
             summary="Register a complaint (201), or get the existing one for a repeated channel + external_id (200)")
def create_ticket(request: HttpRequest, payload: TicketIn) -> Any:
    actor = _actor(request)
    A.check_create_ticket(actor)
    # A redelivery answers before the inline customer is resolved (which may create one);
    # do_create_ticket repeats the check under its own transaction for concurrent twins.
    if payload.external_id and payload.channel in Channel.values:
        existing = Ticket.objects.filter(channel=payload.channel, external_id=payload.external_id.strip()).first()
        if existing is not None:
            return Status(200, _existing_ticket(actor, existing))
    # One transaction: an invalid submission must not leave a half-registered customer behind.
    with transaction.atomic():
        ticket, created = _create_from_payload(actor, payload)
    if not created:
        return Status(200, _existing_ticket(actor, ticket))
    # The in-memory ticket carries every relation the answer shows; no re-read needed.
    return Status(201, ticket_out(ticket, viewer=actor))


@router.post("/tickets/bulk", response={200: BulkOut, **ERRORS},
             summary="Assign, change status or add/remove a tag on many tickets (at most 500): a result per ticket",
             description="Each ticket is loaded in your data scope, checked and changed in its own transaction "
                         "by the same action as the single-ticket endpoint; a refused ticket (not visible, not "
                         "permitted, illegal transition) does not stop the others. 422 `too_many` above 500 ids.")
def bulk_tickets(request: HttpRequest, payload: BulkIn) -> Any:
    actor = _actor(request)
    data = payload.dict(exclude_unset=True)
    op = bulk.BulkOperation(operation=payload.operation, status=payload.status, reason=payload.reason,
                            tag=payload.tag)
    if payload.operation == "assign":
        if "assignee_id" in data:
            op.assignee = _user(data["assignee_id"], "assignee_id")
        if "team_id" in data:
            op.team = _team(data["team_id"])
        if "department_id" in data:
            op.department = _department(data["department_id"])
    result = bulk.run_bulk(actor=actor, ids=payload.ids, op=op)
    return {"succeeded": result.succeeded, "failed": result.failed, "results": result.results}


def _form_version(payload: TicketIn) -> FormVersion | None:
    """The version named by ``form_version_id`` or the published version of ``form_key``."""
    if payload.form_version_id is not None:
        version = FormVersion.objects.select_related("form").filter(pk=payload.form_version_id).exclude(
            status=VersionStatus.DRAFT).first()
        if version is None:
            raise InvalidInput("表单版本不存在或未发布 / Unknown or unpublished form version",
                               details={"form_version_id": payload.form_version_id})
        if payload.form_key and version.form.key != payload.form_key:
            raise InvalidInput("表单与版本不符 / The version belongs to another form",
                               details={"form_key": payload.form_key})
        return version
    if payload.form_key:
        version = FormVersion.objects.select_related("form").filter(
            form__key=payload.form_key, status=VersionStatus.PUBLISHED).first()
        if version is None:
            raise InvalidInput("表单不存在或未发布 / Unknown or unpublished form",
                               details={"form_key": payload.form_key})
        return version
    return None


def _create_from_payload(actor: User, payload: TicketIn) -> tuple[Ticket, bool]:
    version = _form_version(payload)
    return A.do_create_ticket(
        actor=actor, subject=payload.subject, channel=payload.channel, description=payload.description,
        external_id=payload.external_id, customer=_customer_for_intake(payload, actor),
        category=_category(payload.category_id, payload.category_key),
        product=_product(payload.product_id, payload.product_sku), order_number=payload.order_number,
        urgency=payload.urgency, impact=payload.impact, priority=payload.priority, tags=payload.tags,
        data=payload.data if version is None else None, form_version=version,
        values=payload.data if version is not None else None,
        assignee=_user(payload.assignee_id, "assignee_id"), team=_team(payload.team_id),
        department=_department(payload.department_id),
    )


def _existing_ticket(actor: User, ticket: Ticket) -> dict[str, Any]:
    try:
        return ticket_out(queries.get_ticket(viewer=actor, ticket_id=ticket.pk), viewer=actor)
    except NotFound as exc:
        raise Conflict("该外部ID已登记为其他工单 / This channel message is already registered",
                       code="duplicate_external_id") from exc


@router.get("/tickets/meta", response={200: dict[str, Any], **ERRORS},
            summary="Enumerations with labels: statuses and transitions, channels, priorities, levels, links")
def ticket_meta(request: HttpRequest) -> Any:
    def labels(choices: Any) -> list[dict[str, str]]:
        return [{"value": v, "label": str(label)} for v, label in choices.choices]

    return {"statuses": labels(TicketStatus), "channels": labels(Channel), "priorities": labels(Priority),
            "levels": labels(Level), "link_kinds": labels(LinkKind), "event_types": labels(EventType),
            "transitions": {k: list(v) for k, v in TRANSITIONS.items()}}


@router.get("/tickets/by-number/{number}", response={200: TicketOut, **ERRORS}, summary="Find a ticket by number")
def get_ticket_by_number(request: HttpRequest, number: str) -> Any:
    actor = _actor(request)
    return ticket_out(queries.get_ticket_by_number(viewer=actor, number=number), viewer=actor)


@router.get("/tickets/{ticket_id}", response={200: TicketOut, **ERRORS}, summary="One ticket")
def get_ticket(request: HttpRequest, ticket_id: int) -> Any:
    actor = _actor(request)
    return ticket_out(queries.get_ticket(viewer=actor, ticket_id=ticket_id), viewer=actor)


@router.patch("/tickets/{ticket_id}", response={200: TicketOut, **ERRORS}, summary="Change ticket fields")
def update_ticket(request: HttpRequest, ticket_id: int, payload: TicketPatch) -> Any:
    actor = _actor(request)
    ticket = queries.get_ticket(viewer=actor, ticket_id=ticket_id)
    A.check_update_ticket(actor, ticket)
    data = payload.dict(exclude_unset=True)
    tags = data.pop("tags", None)
    fields: dict[str, Any] = {}
    for name in ("subject", "description", "order_number", "urgency", "impact", "priority", "data"):
        if name in data and data[name] is not None:
            fields[name] = data[name]
    if "category_id" in data:
        fields["category"] = _category(data["category_id"])
    if "product_id" in data:
        fields["product"] = _product(data["product_id"])
    if "customer_id" in data:
        fields["customer"] = None if data["customer_id"] is None else _lookup(Customer, "customer_id",
                                                                             pk=data["customer_id"])
    A.do_update_ticket(ticket, actor=actor, tags=tags, **fields)
    return ticket_out(queries.get_ticket(viewer=actor, ticket_id=ticket_id), viewer=actor)


@router.post("/tickets/{ticket_id}/assign", response={200: TicketOut, **ERRORS},
             summary="Assign to a person, team and/or department (omitted keys stay; null clears)")
def assign_ticket(request: HttpRequest, ticket_id: int, payload: AssignIn) -> Any:
    actor = _actor(request)
    ticket = queries.get_ticket(viewer=actor, ticket_id=ticket_id)
    data = payload.dict(exclude_unset=True)
    if not data:
        raise InvalidInput("请指定处理人、团队或部门 / Give assignee_id, team_id or department_id")
    kwargs: dict[str, Any] = {}
    if "assignee_id" in data:
        kwargs["assignee"] = _user(data["assignee_id"], "assignee_id")
    if "team_id" in data:
        kwargs["team"] = _team(data["team_id"])
    if "department_id" in data:
        kwargs["department"] = _department(data["department_id"])
    A.check_assign_ticket(actor, ticket, kwargs.get("assignee"))
    A.do_assign_ticket(ticket, actor=actor, **kwargs)
    return ticket_out(queries.get_ticket(viewer=actor, ticket_id=ticket_id), viewer=actor)


@router.post("/tickets/{ticket_id}/transition", response={200: TicketOut, **ERRORS},
             summary="Move the ticket to another status (409 invalid_transition when not allowed)")
def transition_ticket(request: HttpRequest, ticket_id: int, payload: TransitionIn) -> Any:
    actor = _actor(request)
    ticket = queries.get_ticket(viewer=actor, ticket_id=ticket_id)
    A.check_transition_ticket(actor, ticket, payload.status)
    A.do_transition_ticket(ticket, actor=actor, to_status=payload.status, reason=payload.reason)
    return ticket_out(queries.get_ticket(viewer=actor, ticket_id=ticket_id), viewer=actor)


@router.get("/tickets/{ticket_id}/comments", response={200: list[CommentOut], **ERRORS},
            summary="Replies and internal notes (including those of merged tickets)")
def list_comments(request: HttpRequest, ticket_id: int) -> Any:
    actor = _actor(request)
    ticket = queries.get_ticket(viewer=actor, ticket_id=ticket_id)
    return [comment_out(c) for c in queries.list_comments(viewer=actor, ticket=ticket)]


@router.post("/tickets/{ticket_id}/comments", response={201: CommentOut, **ERRORS},
             summary="Reply to the customer (is_public) or add an internal note")
def add_comment(request: HttpRequest, ticket_id: int, payload: CommentIn) -> Any:
    actor = _actor(request)
    ticket = queries.get_ticket(viewer=actor, ticket_id=ticket_id)
    A.check_comment_ticket(actor, ticket)
    comment = A.do_add_comment(ticket, actor=actor, body=payload.body, is_public=payload.is_public)
    return Status(201, comment_out(comment))


@router.get("/tickets/{ticket_id}/attachments", response={200: list[AttachmentOut], **ERRORS},
            summary="Files attached to the ticket")
def list_attachments(request: HttpRequest, ticket_id: int) -> Any:
    actor = _actor(request)
    ticket = queries.get_ticket(viewer=actor, ticket_id=ticket_id)
    return [attachment_out(a) for a in queries.list_attachments(viewer=actor, ticket=ticket)]


@router.post("/tickets/{ticket_id}/attachments", response={201: AttachmentOut, **ERRORS},
             summary="Upload a file (multipart field 'file'); its type is sniffed from the content")
def add_attachment(request: HttpRequest, ticket_id: int, file: File[UploadedFile]) -> Any:
    actor = _actor(request)
    ticket = queries.get_ticket(viewer=actor, ticket_id=ticket_id)
    A.check_comment_ticket(actor, ticket)
    from django.conf import settings

    if file.size is not None and file.size > settings.ATTACHMENT_MAX_BYTES:
        raise InvalidInput(f"文件超过 {settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)} MB / File too large",
                           details={"file": f"max {settings.ATTACHMENT_MAX_BYTES} bytes"})
    attachment = A.do_add_attachment(ticket, actor=actor, content=file.read(), name=file.name or "file")
    return Status(201, attachment_out(attachment))


@router.post("/uploads", response={201: UploadOut, **ERRORS},
             summary="Upload a file for a form's attachments/images/signature field (multipart field 'file')",
             description="The answer is the reference to put in the field's value; creating the ticket turns it "
                         "into an attachment. With `form_version_id` and `field` the field's limits apply and an "
                         "images field with keep_location keeps the photo's GPS metadata (stripped otherwise).")
def create_upload(request: HttpRequest, file: File[UploadedFile], form_version_id: int | None = None,
                  field: str | None = None) -> Any:
    from django.conf import settings

    actor = _actor(request)
    uploads.check_create_upload(actor)
    target = None
    if form_version_id is not None or field is not None:
        version = FormVersion.objects.filter(pk=form_version_id).exclude(status=VersionStatus.DRAFT).first() \
            if form_version_id is not None else None
        if version is None or not field:
            raise InvalidInput("需要已发布的表单版本和字段 / A published form version and a field are needed",
                               details={"form_version_id": "not found", "field": "required"})
        target = uploads.upload_field(version, field[:64])
    if file.size is not None and file.size > settings.ATTACHMENT_MAX_BYTES:
        raise InvalidInput(f"文件超过 {settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)} MB / File too large",
                           details={"file": f"max {settings.ATTACHMENT_MAX_BYTES} bytes"})
    upload = uploads.do_create_upload(content=file.read(), name=file.name or "file", actor=actor, field=target)
    return Status(201, uploads.upload_reference(upload))


@router.get("/tickets/{ticket_id}/attachments/{attachment_id}/download", response={200: None, **ERRORS},
            summary="Download an attachment")
def download_attachment(request: HttpRequest, ticket_id: int, attachment_id: int) -> Any:
    actor = _actor(request)
    ticket = queries.get_ticket(viewer=actor, ticket_id=ticket_id)
    attachment = queries.get_attachment(viewer=actor, ticket=ticket, attachment_id=attachment_id)
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.get("/tickets/{ticket_id}/links", response={200: list[LinkOut], **ERRORS}, summary="Linked tickets")
def list_links(request: HttpRequest, ticket_id: int) -> Any:
    actor = _actor(request)
    ticket = queries.get_ticket(viewer=actor, ticket_id=ticket_id)
    return [link_out(link) for link in queries.list_links(viewer=actor, ticket=ticket)]


@router.post("/tickets/{ticket_id}/links", response={201: LinkOut, **ERRORS},
             summary="Link to another ticket: related, duplicate_of, parent_of")
def add_link(request: HttpRequest, ticket_id: int, payload: LinkIn) -> Any:
    actor = _actor(request)
    source = queries.get_ticket(viewer=actor, ticket_id=ticket_id)
    target = queries.get_ticket(viewer=actor, ticket_id=payload.target_id)
    A.check_link_tickets(actor, source, target, payload.kind)
    link = A.do_link_tickets(source, target, kind=payload.kind, actor=actor)
    return Status(201, link_out(link))


@router.delete("/tickets/{ticket_id}/links/{link_id}", response={204: None, **ERRORS}, summary="Remove a link")
def remove_link(request: HttpRequest, ticket_id: int, link_id: int) -> Any:
    actor = _actor(request)
    ticket = queries.get_ticket(viewer=actor, ticket_id=ticket_id)
    check_perm(actor, P.TICKET_MERGE)
    link = queries.get_link(viewer=actor, ticket=ticket, link_id=link_id)
    A.do_unlink_tickets(link, actor=actor)
    return Status(204, None)


@router.post("/tickets/{ticket_id}/merge", response={200: TicketOut, **ERRORS},
             summary="Merge this ticket (a duplicate) into another; answers the master")
def merge_ticket(request: HttpRequest, ticket_id: int, payload: MergeIn) -> Any:
    actor = _actor(request)
    source = queries.get_ticket(viewer=actor, ticket_id=ticket_id)
    master = queries.get_ticket(viewer=actor, ticket_id=payload.into_id)
    A.check_merge_tickets(actor, source, master)
    A.do_merge_tickets(source, into=master, actor=actor)
    return ticket_out(queries.get_ticket(viewer=actor, ticket_id=master.pk), viewer=actor)


@router.get("/tickets/{ticket_id}/events", response={200: list[EventOut], **ERRORS},
            summary="The ticket's timeline (with the events of tickets merged into it)")
def list_events(request: HttpRequest, ticket_id: int) -> Any:
    actor = _actor(request)
    ticket = queries.get_ticket(viewer=actor, ticket_id=ticket_id)
    hidden: dict[int, frozenset[str]] = {ticket.pk: hidden_keys(ticket, actor)}
    out = []
    for e in queries.list_events(viewer=actor, ticket=ticket)[:5000]:
        if e.ticket_id not in hidden:  # a ticket merged into this one
            hidden[e.ticket_id] = hidden_keys(e.ticket, actor)
        out.append(event_out(e, hidden=hidden[e.ticket_id]))
    return out


# --- categories ---------------------------------------------------------------------------


@router.get("/categories", response={200: list[CategoryOut], **ERRORS},
            summary="The complaint taxonomy (ordered by path; parent_id builds the tree)")
def list_categories(request: HttpRequest, include_inactive: bool = False) -> Any:
    """Deactivated categories are listed only on request, for those who manage the taxonomy."""
    check_perm(_actor(request), P.TICKET_VIEW)
    if include_inactive:
        check_perm(_actor(request), P.CATEGORY_MANAGE)
    return queries.category_tree(include_inactive=include_inactive)


@router.post("/categories", response={201: CategoryOut, **ERRORS}, summary="Create a category")
def create_category(request: HttpRequest, payload: CategoryIn) -> Any:
    check_perm(_actor(request), P.CATEGORY_MANAGE)
    parent = _category(payload.parent_id) if payload.parent_id is not None else None
    category = A.do_create_category(key=payload.key, name=payload.name, name_en=payload.name_en, parent=parent,
                                    sort_order=payload.sort_order, actor=_actor(request))
    return Status(201, category)


@router.patch("/categories/{category_id}", response={200: CategoryOut, **ERRORS}, summary="Change a category")
def update_category(request: HttpRequest, category_id: int, payload: CategoryPatch) -> Any:
    check_perm(_actor(request), P.CATEGORY_MANAGE)
    category = Category.objects.filter(pk=category_id).first()
    if category is None:
        raise NotFound("分类不存在 / Category not found")
    data = payload.dict(exclude_unset=True)
    fields: dict[str, Any] = {k: v for k, v in data.items() if v is not None and k != "parent_id"}
    if "parent_id" in data:
        fields["parent"] = _category(data["parent_id"]) if data["parent_id"] is not None else None
    return A.do_update_category(category, actor=_actor(request), **fields)
