"""Schemas of the alert endpoints: alert rules, their preview, alerts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from complaintdesk.core.schemas import PageMeta, Ref, UserRef


class ThresholdsIO(Schema):
    """Per level, the value at which it fires (``null``: the level is not used). blue < yellow < red."""

    blue: float | None = None
    yellow: float | None = None
    red: float | None = None


class AutoImprovementIn(Schema):
    enabled: bool = False
    min_level: str = Field("red", max_length=10)
    department_id: int | None = None
    owner_id: int | None = None
    due_days: int = Field(14, ge=0, le=3650)


class AutoImprovementOut(Schema):
    enabled: bool
    min_level: str
    department: Ref | None
    owner: UserRef | None
    due_days: int


class AlertRuleIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    description: str = Field("", max_length=5000)
    enabled: bool = True
    scope: dict[str, Any] | None = None
    grouping: str = Field("category", max_length=20)
    window_days: int = Field(7, ge=1, le=365)
    metric: str = Field("count", max_length=10)
    baseline_windows: int = Field(4, ge=1, le=52)
    min_count: int = Field(0, ge=0, le=1_000_000)
    thresholds: ThresholdsIO
    owner_ids: list[int] = Field([], max_length=50)
    auto_improvement: AutoImprovementIn = AutoImprovementIn(min_level="red", due_days=14)


class AlertRulePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    description: str | None = Field(None, max_length=5000)
    enabled: bool | None = None
    scope: dict[str, Any] | None = None
    grouping: str | None = Field(None, max_length=20)
    window_days: int | None = Field(None, ge=1, le=365)
    metric: str | None = Field(None, max_length=10)
    baseline_windows: int | None = Field(None, ge=1, le=52)
    min_count: int | None = Field(None, ge=0, le=1_000_000)
    thresholds: ThresholdsIO | None = None
    owner_ids: list[int] | None = Field(None, max_length=50)
    auto_improvement: AutoImprovementIn | None = None


class AlertRuleOut(Schema):
    id: int
    name: str
    description: str
    enabled: bool
    scope: dict[str, Any] | None
    grouping: str
    window_days: int
    metric: str
    baseline_windows: int
    min_count: int
    thresholds: ThresholdsIO
    owners: list[UserRef]
    auto_improvement: AutoImprovementOut
    version: int
    open_alerts: int
    created_by: UserRef | None
    created_at: datetime
    updated_at: datetime
    last_evaluated_at: datetime | None
    last_error: str


class AlertRuleVersionOut(Schema):
    version: int
    snapshot: dict[str, Any]
    created_by: UserRef | None
    created_at: datetime


class EvaluationOut(Schema):
    rule_id: int
    evaluated_at: datetime
    groups: int
    opened: list[int]
    escalated: list[int]
    lowered: list[int]
    cleared: list[int]
    unchanged: list[int]
    improvements: list[int]


class PreviewGroupOut(Schema):
    group_key: str
    group_label: str
    max_level: str | None
    days_at_level: dict[str, int]
    counts: list[int]
    baselines: list[float | None]
    values: list[float]
    levels: list[str | None]


class PreviewOut(Schema):
    """One point per day (the rule as evaluated at the end of that day; today: so far) per group."""

    metric: str
    window_days: int
    thresholds: ThresholdsIO
    days: list[date]
    evaluated_at: list[datetime]
    total_groups: int
    groups: list[PreviewGroupOut]


class PreviewIn(AlertRuleIn):
    name: str = Field("preview", min_length=1, max_length=100)
    days: int = Field(90, ge=1, le=366)
    top: int = Field(10, ge=1, le=100)


class TicketSampleOut(Schema):
    id: int
    number: str
    subject: str
    status: str
    created_at: datetime


class ImprovementRefOut(Schema):
    id: int
    number: str
    title: str
    status: str


class AlertOut(Schema):
    id: int
    rule: Ref
    rule_version: int
    metric: str
    window_days: int
    group_key: str
    group_label: str
    level: str
    peak_level: str
    status: str
    value: float
    baseline: float | None
    count: int
    window_start: datetime
    window_end: datetime
    sample_ticket_ids: list[int]
    opened_at: datetime
    last_level_change_at: datetime
    last_evaluated_at: datetime
    cleared_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: UserRef | None
    improvement: ImprovementRefOut | None


class AlertDetailOut(AlertOut):
    sample_tickets: list[TicketSampleOut]


class AlertPage(PageMeta):
    items: list[AlertOut]
