"""Request and response schemas of the SLA API (calendars, policies, ticket clocks)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema


class CalendarIn(Schema):
    key: str = Field(..., max_length=64, description="Slug, unique")
    name: str = Field(..., max_length=100)
    time_zone: str = Field("Asia/Shanghai", max_length=64)
    working_hours: dict[str, list[list[str]]] | None = Field(
        None, description='Weekday ("0" = Monday .. "6" = Sunday) → [["09:00","12:00"],["13:30","18:00"]]; '
                          "default Mon-Fri 09:00-12:00, 13:30-18:00")
    workday_hours: list[list[str]] = Field(default_factory=list,
                                           description="Hours of a make-up workday (调休) on a weekend; "
                                                       "empty: Monday's")
    is_24x7: bool = False
    is_default: bool = False
    uses_statutory_holidays: bool = Field(True, description="Follow China's holidays; years without data warn")
    seed_statutory: bool = Field(True, description="Start with the holidays chinese_calendar knows (2004-2026)")


class CalendarPatch(Schema):
    name: str | None = Field(None, max_length=100)
    time_zone: str | None = Field(None, max_length=64)
    working_hours: dict[str, list[list[str]]] | None = None
    workday_hours: list[list[str]] | None = None
    is_24x7: bool | None = None
    is_default: bool | None = None
    uses_statutory_holidays: bool | None = None


class CalendarOut(Schema):
    id: int
    key: str
    name: str
    time_zone: str
    working_hours: dict[str, list[list[str]]]
    workday_hours: list[list[str]]
    is_24x7: bool
    is_default: bool
    uses_statutory_holidays: bool
    version: int
    years: list[int] = Field(..., description="Years with holiday data")
    warnings: list[str] = Field(..., description="e.g. a year (this or next) without holiday data")
    updated_at: datetime


class DayIn(Schema):
    kind: str = Field(..., description="holiday | workday (调休 make-up workday)")
    name: str = Field("", max_length=100)


class DayOut(Schema):
    date: date
    kind: str
    name: str


class DaysOut(Schema):
    year: int
    has_data: bool
    days: list[DayOut]
    warnings: list[str]


class HolidayRangeIn(Schema):
    name: str = Field(..., max_length=100)
    start: str = Field(..., max_length=10, description="YYYY-MM-DD")
    end: str | None = Field(None, max_length=10, description="YYYY-MM-DD (default: start)")
    workdays: list[str] = Field(default_factory=list, description="Make-up workdays (调休上班) YYYY-MM-DD")


class ScheduleIn(Schema):
    year: int
    holidays: list[HolidayRangeIn]
    dry_run: bool = False


class ImportOut(Schema):
    year: int
    dry_run: bool
    added: list[dict[str, Any]]
    changed: list[dict[str, Any]]
    removed: list[dict[str, Any]]
    unchanged: int


class DuePreviewParams(Schema):
    start: datetime = Field(..., description="Aware ISO time, e.g. 2026-09-30T17:00:00+08:00")
    minutes: float = Field(..., ge=0, le=366 * 24 * 60, description="Business minutes to add")


class DuePreviewOut(Schema):
    start: datetime
    minutes: float
    due_at: datetime
    due_at_local: str
    business_minutes_until_due: float
    warnings: list[str]


class EscalationStep(Schema):
    level: int
    after_minutes: float = 0
    to: str = Field(..., description="supervisor | department_manager | user | role")
    user_id: int | None = None
    role: str | None = Field(None, max_length=50)


class PolicyIn(Schema):
    name: str = Field(..., max_length=100)
    description: str = Field("", max_length=2000)
    condition: Any = Field(None, description="The shared condition format; null matches every ticket")
    order: int = 100
    is_active: bool = True
    calendar_id: int | None = Field(None, description="null: the default calendar")
    targets: dict[str, dict[str, float | None]] | None = Field(
        None, description='{"P1": {"first_response_minutes": 15, "resolution_minutes": 120}, ...}; '
                          "default P1 15m/2h, P2 1h/8h, P3 4h/24h, P4 8h/72h")
    warning_fractions: list[float] | None = Field(None, description="default [0.75, 0.9]")
    escalation: list[dict[str, Any]] = Field(default_factory=list,
                                             description="[{level, after_minutes, to, user_id?, role?}]")
    node_targets: dict[str, float] = Field(default_factory=dict, description="{workflow node id: hours}")


class PolicyPatch(Schema):
    name: str | None = Field(None, max_length=100)
    description: str | None = Field(None, max_length=2000)
    condition: Any = None
    order: int | None = None
    is_active: bool | None = None
    calendar_id: int | None = None
    targets: dict[str, dict[str, float | None]] | None = None
    warning_fractions: list[float] | None = None
    escalation: list[dict[str, Any]] | None = None
    node_targets: dict[str, float] | None = None


class PolicyOut(Schema):
    id: int
    name: str
    description: str
    condition: Any
    order: int
    is_active: bool
    calendar_id: int | None
    targets: dict[str, Any]
    warning_fractions: list[float]
    escalation: list[dict[str, Any]]
    node_targets: dict[str, Any]
    version: int
    updated_at: datetime


class PolicyVersionOut(Schema):
    version: int
    snapshot: dict[str, Any]
    created_at: datetime


class PolicyReorderIn(Schema):
    ids: list[int] = Field(..., max_length=1000)


class TargetState(Schema):
    target: str = Field(..., description="first_response | resolution")
    target_seconds: int
    due_at: datetime | None
    elapsed_seconds: float = Field(..., description="Business time used")
    remaining_seconds: float = Field(..., description="Business time left (negative: overdue)")
    met_at: datetime | None
    breached_at: datetime | None


class TicketSlaOut(Schema):
    ticket_id: int
    status: str = Field(..., description="none | running | paused | warning | breached | met")
    policy: dict[str, Any] | None
    policy_version: int
    priority: str
    calendar: dict[str, Any] | None
    started_at: datetime | None
    stopped_at: datetime | None
    paused: bool
    paused_at: datetime | None
    paused_business_seconds: float
    escalation_level: int
    next_check_at: datetime | None
    targets: list[TargetState]
    warnings: list[str]


class ApplyPolicyIn(Schema):
    policy_id: int | None = Field(None, description="null: the first matching policy")


class ReopenIn(Schema):
    reason: str = Field("", max_length=5000)


class ReopenOut(Schema):
    reopened: bool = Field(..., description="true: the ticket reopened; false: a follow-up ticket was opened")
    ticket_id: int
    number: str
    status: str
