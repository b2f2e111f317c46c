from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from complaintdesk.core.schemas import Ref, UserRef


class SavedViewIn(Schema):
    name: str = Field(..., max_length=200)
    sharing: str = Field("private", max_length=10, description="private | everyone | role | team")
    role_id: int | None = Field(None, description="With sharing=role")
    team_id: int | None = Field(None, description="With sharing=team")
    condition: dict[str, Any] = Field(default_factory=lambda: {"all": []},
                                      description="The one condition format (docs/conditions.md); no formulas")
    search: str = Field("", max_length=500, description="Search text, as the list's q")
    columns: list[str] | None = Field(None, max_length=50, description="Visible columns, in order")
    sort: str = Field("-created_at", max_length=32)
    page_size: int = 20


class SavedViewPatch(Schema):
    name: str | None = Field(None, max_length=200)
    sharing: str | None = Field(None, max_length=10)
    role_id: int | None = None
    team_id: int | None = None
    condition: dict[str, Any] | None = None
    search: str | None = Field(None, max_length=500)
    columns: list[str] | None = Field(None, max_length=50)
    sort: str | None = Field(None, max_length=32)
    page_size: int | None = None


class RoleRef(Schema):
    id: int
    key: str
    name: str


class SavedViewOut(Schema):
    id: int
    name: str
    owner: UserRef
    mine: bool = Field(description="The viewer owns it")
    can_edit: bool = Field(description="The viewer may change or delete it")
    sharing: str
    role: RoleRef | None
    team: Ref | None
    condition: dict[str, Any]
    search: str
    columns: list[str]
    sort: str
    page_size: int
    created_at: datetime
    updated_at: datetime


class ViewOptionsOut(Schema):
    """What a view may hold: the list's columns (default first), sorts, page sizes, sharing modes."""

    columns: list[str]
    default_columns: list[str]
    sorts: list[str]
    page_sizes: list[int]
    sharing: list[str]
    can_share: bool


class ConditionFieldOut(Schema):
    """A field the condition builder offers (``FieldCatalog.describe``)."""

    name: str
    type: str
    label: str
    label_en: str
    operators: list[str]
    choices: list[str]
    queryable: bool
