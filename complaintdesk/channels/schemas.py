from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema


class PublicFormOut(Schema):
    slug: str
    key: str
    name: str
    name_en: str
    description: str
    version_id: int
    version: int
    schema_: dict[str, Any] = Field(..., alias="schema")


class SubmissionIn(Schema):
    values: dict[str, Any] = Field({}, description="The form's values, as for POST /forms/{id}/evaluate")
    url_params: dict[str, str] = Field({}, description="The page's URL parameters (fill hidden fields)")
    submission_id: str | None = Field(None, max_length=64, pattern=r"^[A-Za-z0-9_-]+$",
                                      description="A random id chosen by the page: a repeated submit is one ticket")
    website: str | None = Field(None, max_length=500,
                                description="Leave empty (a field people never see; robots fill it in)")


class SubmissionOut(Schema):
    number: str
    tracking_token: str
    tracking_url: str
    message: dict[str, str]


class PublicReplyOut(Schema):
    body: str
    created_at: datetime


class PublicTicketOut(Schema):
    number: str
    subject: str
    status: str
    status_label: dict[str, str]
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None
    replies: list[PublicReplyOut]
