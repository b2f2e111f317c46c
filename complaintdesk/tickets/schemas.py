from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from ninja import Field, Schema

from complaintdesk.core.schemas import PageMeta, Ref, UserRef


class CategoryRef(Schema):
    id: int
    key: str
    name: str


class CategoryOut(Schema):
    id: int
    key: str
    name: str
    name_en: str
    parent_id: int | None
    path: str
    sort_order: int
    is_active: bool


class CategoryIn(Schema):
    key: str = Field(..., min_length=1, max_length=64, pattern=r"^[a-z0-9_\-]+$")
    name: str = Field(..., min_length=1, max_length=100)
    name_en: str = Field("", max_length=100)
    parent_id: int | None = None
    sort_order: int = 0


class CategoryPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    name_en: str | None = Field(None, max_length=100)
    sort_order: int | None = None
    is_active: bool | None = None
    parent_id: int | None = Field(None, description="Move under this category; null moves it to the top level")


class CustomerRef(Schema):
    id: int
    name: str
    phone: str
    tier: str


class ProductRef(Schema):
    id: int
    sku: str
    name: str
    line: str | None


class TicketListItem(Schema):
    id: int
    number: str
    channel: str
    subject: str
    status: str
    priority: str
    urgency: str
    impact: str
    category: CategoryRef | None
    product: ProductRef | None
    customer: CustomerRef | None
    assignee: UserRef | None
    team: Ref | None
    department: Ref | None
    tags: list[str]
    is_repeat: bool
    merged_into_id: int | None
    created_at: datetime
    updated_at: datetime
    first_response_due_at: datetime | None
    resolution_due_at: datetime | None


class TicketOut(TicketListItem):
    external_id: str | None
    description: str
    order_number: str
    data: dict[str, Any]
    created_by: UserRef | None
    repeat_of_id: int | None
    reopen_count: int
    accepted_at: datetime | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    allowed_transitions: list[str]
    form_version_id: int | None = Field(None, description="The form version the ticket pinned (its data follow it)")
    form_key: str | None = Field(None, description="The key of that form")
    read_only_fields: list[str] = Field([], description="Form fields the caller sees but may not change (只读字段)")
    hidden_fields: list[str] = Field([], description="Form fields hidden from the caller (keys only; their values "
                                                     "are left out of data)")


class TicketPage(PageMeta):
    items: list[TicketListItem]


class CustomerInline(Schema):
    """Identify or create the complaining customer inline (matched by external id, phone, email)."""

    name: str = Field("", max_length=200)
    phone: str = Field("", max_length=32)
    email: str = Field("", max_length=254)
    tier: str | None = Field(None, max_length=16)
    region: str = Field("", max_length=100)
    external_ids: dict[str, Annotated[str, Field(max_length=200)]] = {}


class TicketIn(Schema):
    subject: str = Field(..., min_length=1, max_length=300)
    description: str = Field("", max_length=50000)
    channel: str = Field("api", max_length=20)
    external_id: str | None = Field(None, max_length=200,
                                    description="The message id in the source channel; makes intake idempotent.")
    customer_id: int | None = None
    customer: CustomerInline | None = None
    category_id: int | None = None
    category_key: str | None = Field(None, max_length=64)
    product_id: int | None = None
    product_sku: str | None = Field(None, max_length=64)
    order_number: str = Field("", max_length=64)
    urgency: str = Field("medium", max_length=10)
    impact: str = Field("medium", max_length=10)
    priority: str | None = Field(None, max_length=2, description="P1..P4; derived from urgency × impact when omitted.")
    tags: list[Annotated[str, Field(max_length=50)]] = Field([], max_length=1000)
    data: dict[str, Any] = Field({}, description="Custom fields; with a form: the form's values (validated by it)")
    form_key: str | None = Field(None, max_length=64, description="Fill the form's published version")
    form_version_id: int | None = Field(None, description="Fill this (published or archived) form version")
    assignee_id: int | None = None
    team_id: int | None = None
    department_id: int | None = None


class TicketPatch(Schema):
    subject: str | None = Field(None, min_length=1, max_length=300)
    description: str | None = Field(None, max_length=50000)
    customer_id: int | None = None
    category_id: int | None = None
    product_id: int | None = None
    order_number: str | None = Field(None, max_length=64)
    urgency: str | None = Field(None, max_length=10)
    impact: str | None = Field(None, max_length=10)
    priority: str | None = Field(None, max_length=2)
    tags: list[Annotated[str, Field(max_length=50)]] | None = Field(None, max_length=1000)
    data: dict[str, Any] | None = Field(None, description="Merged into the stored data; a null value removes a key.")


class AssignIn(Schema):
    assignee_id: int | None = None
    team_id: int | None = None
    department_id: int | None = None


class TransitionIn(Schema):
    status: str = Field(..., max_length=20)
    reason: str = Field("", max_length=2000)


class CommentIn(Schema):
    body: str = Field(..., min_length=1, max_length=20000)
    is_public: bool = Field(False, description="true: reply to the customer; false: internal note")


class CommentOut(Schema):
    id: int
    ticket_id: int
    ticket_number: str
    author: UserRef | None
    body: str
    is_public: bool
    channel: str
    created_at: datetime


class AttachmentOut(Schema):
    id: int
    ticket_id: int
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: UserRef | None
    created_at: datetime
    url: str


class LinkIn(Schema):
    target_id: int
    kind: str = Field("related", max_length=20, description="related | duplicate_of | parent_of")


class LinkOut(Schema):
    id: int
    kind: str
    source_id: int
    source_number: str
    target_id: int
    target_number: str
    created_at: datetime


class MergeIn(Schema):
    into_id: int = Field(..., description="The master ticket that keeps living.")


class EventOut(Schema):
    id: int
    ticket_id: int
    ticket_number: str
    type: str
    actor: UserRef | None
    channel: str
    created_at: datetime
    data: dict[str, Any]


class UploadOut(Schema):
    """A pending upload, as a form's file field references it in its values."""

    id: str = Field(..., description="The upload token: put the whole object in the form field's value")
    name: str
    size: int
    content_type: str


class TicketFilterParams(Schema):
    """The filters of the ticket list (``GET /tickets``); the Excel export takes the same ones."""

    status: list[str] | None = None
    category_id: int | None = None
    priority: list[str] | None = None
    channel: list[str] | None = None
    assignee_id: int | None = None
    unassigned: bool | None = None
    team_id: int | None = None
    department_id: int | None = None
    customer_id: int | None = None
    tag: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    overdue: bool | None = None
    is_repeat: bool | None = None
    open_only: bool | None = None
    number: str | None = None
    q: str | None = None
    view_id: int | None = Field(default=None,
                                description="Apply a saved view (GET /views): its condition and search text")
    condition: str | None = Field(default=None, max_length=20000,
                                  description="A condition in the one condition format as JSON text "
                                              "(docs/conditions.md); formulas are not allowed (it runs in SQL)")


class BulkIn(Schema):
    """One operation on many tickets (at most 500 per request)."""

    ids: list[int] = Field(..., max_length=100000, description="Ticket ids (at most 500; duplicates ignored)")
    operation: str = Field(..., max_length=20, description="assign | transition | add_tag | remove_tag")
    assignee_id: int | None = Field(None, description="assign: the person (null clears; omit to keep)")
    team_id: int | None = Field(None, description="assign: the team (null clears; omit to keep)")
    department_id: int | None = Field(None, description="assign: the department (null clears; omit to keep)")
    status: str = Field("", max_length=20, description="transition: the target status")
    reason: str = Field("", max_length=2000, description="transition: the reason on the timeline")
    tag: str = Field("", max_length=50, description="add_tag / remove_tag: the tag name")


class BulkItemOut(Schema):
    id: int
    number: str | None = Field(description="null when the ticket is not visible to you")
    ok: bool
    code: str = Field(description="Why it was refused: not_found, permission_denied, invalid_transition, ...")
    message: str


class BulkOut(Schema):
    succeeded: int
    failed: int
    results: list[BulkItemOut]
