"""Request and response shapes of the forms API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from complaintdesk.core.schemas import UserRef
from complaintdesk.tickets.schemas import CategoryRef


class VersionRef(Schema):
    id: int
    number: int
    status: str
    revision: int


class FormOut(Schema):
    id: int
    key: str
    name: str
    name_en: str
    description: str
    category: CategoryRef | None
    channels: list[str]
    is_public: bool
    public_slug: str | None
    published_version: VersionRef | None
    draft_version: VersionRef | None = Field(None, description="Only shown to form administrators")
    created_at: datetime
    updated_at: datetime


class FormIn(Schema):
    key: str = Field(..., min_length=1, max_length=64, description="Slug, unique, never changes")
    name: str = Field(..., min_length=1, max_length=100)
    name_en: str = Field("", max_length=100)
    description: str = Field("", max_length=5000)
    category_id: int | None = None
    channels: list[str] = Field(default_factory=list, max_length=20)
    is_public: bool = False
    public_slug: str | None = Field(None, max_length=64)
    schema_: dict[str, Any] | None = Field(None, alias="schema", description="Initial draft schema (optional)")


class FormPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    name_en: str | None = Field(None, max_length=100)
    description: str | None = Field(None, max_length=5000)
    category_id: int | None = None
    channels: list[str] | None = Field(None, max_length=20)
    is_public: bool | None = None
    public_slug: str | None = Field(None, max_length=64)


class ProblemOut(Schema):
    path: str
    code: str
    message: str


class VersionSummaryOut(Schema):
    id: int
    form_id: int
    number: int
    status: str
    revision: int
    based_on: int | None
    field_count: int
    created_at: datetime
    created_by: UserRef | None
    updated_at: datetime
    published_at: datetime | None
    published_by: UserRef | None
    archived_at: datetime | None


class VersionOut(VersionSummaryOut):
    schema_: dict[str, Any] = Field(..., alias="schema")


class DraftOut(VersionOut):
    problems: list[ProblemOut] = Field(description="What would stop publishing; empty when it can be published")


class DraftIn(Schema):
    schema_: dict[str, Any] = Field(..., alias="schema", description="The whole schema: {fields, layout, settings}")
    base_revision: int | None = Field(None, description="The draft revision this edit started from (409 if stale)")


class EvaluateIn(Schema):
    values: dict[str, Any] = Field(default_factory=dict, description="Submitted values by field key")
    url_params: dict[str, str] = Field(default_factory=dict, description="URL parameters for hidden fields")


class DraftEvaluateIn(EvaluateIn):
    schema_: dict[str, Any] | None = Field(None, alias="schema",
                                           description="Evaluate this unsaved schema instead of the stored draft")


class EvaluateOut(Schema):
    version: VersionRef | None
    valid: bool
    values: dict[str, Any]
    visibility: dict[str, bool]
    required: dict[str, bool]
    errors: dict[str, list[dict[str, str]]] = Field(description='Per field ("items[2].qty" in sub-tables): '
                                                                '[{"code", "zh-CN", "en"}]')
    formula_errors: dict[str, dict[str, str]] = Field(description="Formulas that gave an Excel error value")
    totals: dict[str, dict[str, Any]] = Field(description="Sub-table column totals")


class FieldSummaryOut(Schema):
    key: str
    type: str | None
    label: Any
    parent: str | None


class FieldChangeOut(Schema):
    key: str
    type: str | None
    changes: dict[str, dict[str, Any]]


class DiffOut(Schema):
    from_version: int
    to_version: int
    added: list[FieldSummaryOut]
    removed: list[FieldSummaryOut]
    changed: list[FieldChangeOut]
    layout_changed: bool
    settings_changed: bool


class ConfigOptionOut(Schema):
    name: str
    kind: str
    label: dict[str, str]
    default: Any
    choices: list[str]
    required: bool


class FieldTypeOut(Schema):
    type: str
    family: str
    label: dict[str, str]
    has_value: bool
    computed: bool
    sensitive: bool
    properties: list[str]
    config: list[ConfigOptionOut]


class FormulaFunctionOut(Schema):
    name: str
    category: str = Field(description="logical | math | text | date | lookup")
    category_label: dict[str, str]
    min_args: int
    max_args: int | None = Field(description="None: any number of arguments")
    description: dict[str, str]
    example: str
    volatile: bool = Field(description="Reads the clock (TODAY, NOW)")


class RegionOut(Schema):
    code: str
    name: str
    level: str
    has_children: bool


class FieldPermissionIn(Schema):
    field_key: str = Field(..., min_length=1, max_length=64)
    role_id: int
    access: str = Field(..., max_length=16, description="hidden | read_only")


class FieldPermissionsIn(Schema):
    rules: list[FieldPermissionIn] = Field(..., max_length=5000, description="The whole set: replaces every rule")


class RoleRefOut(Schema):
    id: int
    key: str
    name: str


class FieldPermissionOut(Schema):
    id: int
    field_key: str
    role: RoleRefOut
    access: str
