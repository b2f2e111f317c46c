"""Schemas of the improvement endpoints."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema

from complaintdesk.core.schemas import PageMeta, Ref, UserRef


class TicketRefOut(Schema):
    id: int
    number: str


class AlertRefOut(Schema):
    id: int
    rule_id: int
    rule_name: str
    group_label: str
    level: str
    status: str


class ImprovementOut(Schema):
    id: int
    number: str
    title: str
    description: str
    kind: str
    source: str
    source_alert: AlertRefOut | None
    tickets: list[TicketRefOut]
    department: Ref | None
    owner: UserRef | None
    due_date: date | None
    overdue: bool
    status: str
    allowed_transitions: list[str]
    resolution: str
    created_by: UserRef | None
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    closed_at: datetime | None


class ImprovementPage(PageMeta):
    items: list[ImprovementOut]


class ImprovementIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=20000)
    kind: str = Field("corrective", max_length=20)
    ticket_ids: list[int] = Field([], max_length=200)
    department_id: int | None = None
    owner_id: int | None = None
    due_date: date | None = None


class ImprovementPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=20000)
    kind: str | None = Field(None, max_length=20)
    department_id: int | None = None
    owner_id: int | None = None
    due_date: date | None = None
    add_ticket_ids: list[int] | None = Field(None, max_length=200)


class ImprovementTransitionIn(Schema):
    status: str = Field(..., max_length=20)
    note: str = Field("", max_length=5000)
