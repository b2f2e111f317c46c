"""Schemas of the transfer endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from complaintdesk.core.schemas import UserRef
from complaintdesk.tickets.schemas import TicketFilterParams


class TargetOut(Schema):
    key: str
    label: str
    kind: str
    synonyms: list[str]


class ProgressOut(Schema):
    rows_total: int
    rows_done: int
    rows_failed: int
    created: int
    updated: int
    batches_done: int
    resume_row: int
    percent: float
    eta_seconds: float | None = None


class JobOut(Schema):
    id: int
    kind: str
    status: str
    status_label: str
    owner: UserRef
    file_name: str
    file_format: str
    layout: dict[str, Any]
    mapping: dict[str, Any]
    options: dict[str, Any]
    report: dict[str, Any]
    progress: ProgressOut
    log: list[str]
    error: str
    download_url: str | None = None
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None


class JobSummaryOut(Schema):
    id: int
    kind: str
    status: str
    status_label: str
    file_name: str
    file_format: str
    progress: ProgressOut
    download_url: str | None = None
    created_at: datetime
    finished_at: datetime | None = None


class JobPage(Schema):
    count: int
    count_exact: bool
    page: int
    page_size: int
    items: list[JobSummaryOut]


class MappingIn(Schema):
    mapping: dict[str, Any] = Field(description="列映射、值映射、默认值等，见 docs/migration.md / the import mapping")


class ExportFilters(TicketFilterParams):
    """The ticket list's filters, with lengths bounded (an export job stores them)."""

    tag: str | None = Field(default=None, max_length=50)
    number: str | None = Field(default=None, max_length=40)
    q: str | None = Field(default=None, max_length=200)


class ExportIn(Schema):
    format: Literal["xlsx", "csv"] = "xlsx"
    filters: ExportFilters = Field(default_factory=lambda: ExportFilters())
    sort: str = "-created_at"
    columns: list[str] | None = Field(default=None, max_length=300)
    form_key: str | None = Field(default=None, max_length=64)
    background: bool | None = Field(
        default=None, description="默认：超过 2000 行时后台执行 / default: in the background above 2,000 rows")
