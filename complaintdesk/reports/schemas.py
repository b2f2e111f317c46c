"""Schemas of the reports app (dashboard overview). Names start with ``Dashboard`` (unique in OpenAPI)."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema


class DashboardParams(Schema):
    days: int = Field(30, ge=1, le=366, description="窗口天数（含今天）/ Window in local days, today included")
    department_id: int | None = Field(None, ge=1, description="部门（含下级）/ Department and its sub-departments")
    team_id: int | None = Field(None, ge=1, description="班组 / Team")


class DashboardSlaOut(Schema):
    met: int
    breached: int
    rate: float | None = Field(description="达标率 % (null: no clock decided in the window)")


class DashboardDurationOut(Schema):
    count: int
    median_seconds: float | None
    mean_seconds: float | None


class DashboardCsatOut(Schema):
    responses: int
    satisfied: int
    rate: float


class DashboardChannelCount(Schema):
    key: str
    count: int


class DashboardCategoryCount(Schema):
    id: int | None
    name: str
    name_en: str
    count: int


class DashboardDayCount(Schema):
    date: date
    new: int
    closed: int


class DashboardOverviewOut(Schema):
    generated_at: datetime
    time_zone: str
    days: int
    window_start: datetime
    open: int
    new_today: int
    overdue: int
    created_in_window: int
    closed_in_window: int
    first_response_sla: DashboardSlaOut
    resolution_sla: DashboardSlaOut
    first_response: DashboardDurationOut
    resolution: DashboardDurationOut
    csat: DashboardCsatOut | None
    by_channel: list[DashboardChannelCount]
    by_category: list[DashboardCategoryCount]
    other_categories: int
    by_day: list[DashboardDayCount]
