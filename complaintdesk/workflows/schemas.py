"""Schemas of the workflow endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema

from complaintdesk.core.schemas import PageMeta, Ref, UserRef

KEY_PATTERN = r"^[a-z0-9_\-]+$"


class ProcessIn(Schema):
    key: str = Field(..., min_length=1, max_length=64, pattern=KEY_PATTERN)
    name: str = Field(..., min_length=1, max_length=100)
    name_en: str = Field("", max_length=100)
    description: str = Field("", max_length=2000)


class VersionIn(Schema):
    bpmn_xml: str = Field(..., min_length=1, max_length=1024 * 1024)


class ProcessVersionSummaryOut(Schema):
    version: int
    status: str
    checksum: str
    created_at: datetime
    published_at: datetime | None
    running: int = Field(0, description="Process instances still running on this version")


class ProcessOut(Schema):
    id: int
    key: str
    name: str
    name_en: str
    description: str
    is_active: bool
    published_version: int | None
    versions: list[ProcessVersionSummaryOut]


class ProcessProblemOut(Schema):
    node: str
    message: str


class ValidateOut(Schema):
    problems: list[ProcessProblemOut]


class ProcessVersionOut(Schema):
    process: str
    version: int
    status: str
    checksum: str
    bpmn_xml: str
    process_id: str
    nodes: list[dict[str, Any]]
    flows: list[dict[str, Any]]
    problems: list[ProcessProblemOut]
    created_at: datetime
    published_at: datetime | None
    published_by: UserRef | None


class NodeStatsOut(Schema):
    node_id: str
    node_name: str
    count: int
    mean_seconds: float | None = None
    median_seconds: float | None = None
    p90_seconds: float | None = None
    backlog: int
    overdue: int


class StartIn(Schema):
    process: str = Field(..., min_length=1, max_length=64)


class TicketRef(Schema):
    id: int
    number: str
    subject: str
    status: str
    priority: str


class WorkItemOut(Schema):
    id: int
    kind: str
    state: str
    ticket: TicketRef
    instance_id: int
    process: str = Field(description="The process definition's key")
    process_name: str = Field("", description="The process definition's name (zh)")
    process_name_en: str = Field("", description="The process definition's English name (the name when unset)")
    node_id: str
    node_name: str
    assignee: UserRef | None
    candidate_user_ids: list[int]
    candidate_role: str
    candidate_team: Ref | None
    department: Ref | None
    created_at: datetime
    claimed_at: datetime | None
    due_at: datetime | None
    overdue: bool
    completed_at: datetime | None
    completed_by: UserRef | None
    outcome: str
    comment: str
    origin: str
    parent_id: int | None
    round: int
    read_at: datetime | None


class WorkItemDetailOut(WorkItemOut):
    operations: list[str]
    outcomes: list[str]
    field_rights: dict[str, str]


class WorkItemPage(PageMeta):
    items: list[WorkItemOut]


class CompleteIn(Schema):
    outcome: str = Field("approve", min_length=1, max_length=50)
    comment: str = Field("", max_length=5000)
    fields: dict[str, Any] = Field(default_factory=dict)


class TransferIn(Schema):
    user_id: int
    reason: str = Field("", max_length=5000)


class ReturnIn(Schema):
    to_node: str = Field(..., min_length=1, max_length=200)
    reason: str = Field(..., min_length=1, max_length=5000)


class AddSignerIn(Schema):
    user_id: int
    position: Literal["before", "after"] = "after"
    reason: str = Field("", max_length=5000)


class UrgeIn(Schema):
    comment: str = Field("", max_length=500)


class CcIn(Schema):
    user_ids: list[int] = Field(..., min_length=1, max_length=50)
    comment: str = Field("", max_length=5000)


class CcOut(Schema):
    work_item_ids: list[int]


class ReasonIn(Schema):
    reason: str = Field("", max_length=5000)


class HistoryEntryOut(Schema):
    work_item_id: int
    round: int
    assignee: UserRef | None
    actor: UserRef | None
    state: str
    start: datetime
    end: datetime | None
    duration_seconds: float | None
    outcome: str
    comment: str
    origin: str


class OpenItemOut(Schema):
    work_item_id: int
    node_id: str
    node_name: str
    assignee: UserRef | None
    state: str
    due_at: datetime | None
    operations: list[str]


class ProcessViewOut(Schema):
    instance_id: int
    status: str
    process: str
    process_name: str
    version: int
    bpmn_xml: str
    started_by: UserRef | None
    started_at: datetime
    ended_at: datetime | None
    node_states: dict[str, str]
    current_nodes: list[str]
    history: dict[str, list[HistoryEntryOut]]
    open_items: list[OpenItemOut]
    operations: list[str]
    return_targets: list[str]
