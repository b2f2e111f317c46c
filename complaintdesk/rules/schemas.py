"""Request and response schemas of the rules API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from complaintdesk.core.schemas import PageMeta, UserRef


class RuleActionIn(Schema):
    type: str = Field(..., max_length=64, description="A registered action type (GET /rule-action-types)")
    params: dict[str, Any] = Field(default_factory=dict)


class RuleIn(Schema):
    name: str = Field(..., max_length=200)
    name_en: str = Field("", max_length=200, description="The English name (optional; the UI falls back to name)")
    description: str = Field("", max_length=5000)
    events: list[str] = Field(..., description="Trigger events (names from GET /event-types, e.g. ticket.created)")
    condition: Any = Field(default_factory=lambda: {"all": []}, description="The shared condition format")
    actions: list[RuleActionIn] = Field(default_factory=list)
    order: int | None = Field(None, description="Evaluation order (lower first); default: after the last rule")
    stop_after: bool = False
    enabled: bool = True


class RulePatch(Schema):
    name: str | None = Field(None, max_length=200)
    name_en: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=5000)
    events: list[str] | None = None
    condition: Any = None
    actions: list[RuleActionIn] | None = None
    order: int | None = None
    stop_after: bool | None = None
    enabled: bool | None = None


class RuleStatsOut(Schema):
    runs: int = Field(..., description="Runs in the log (unmatched runs are pruned after 30 days)")
    matched: int = Field(..., description="Runs that matched")
    last_run_at: datetime | None
    last_matched_at: datetime | None


class RuleOut(Schema):
    id: int
    name: str
    name_en: str
    description: str
    events: list[str]
    condition: Any
    actions: list[dict[str, Any]]
    order: int
    stop_after: bool
    enabled: bool
    version: int
    is_shipped: bool
    created_by: UserRef | None
    updated_by: UserRef | None
    created_at: datetime
    updated_at: datetime
    stats: RuleStatsOut | None = Field(None, description="Run counts (in GET /rules only)")


class RuleVersionOut(Schema):
    version: int
    snapshot: dict[str, Any]
    created_by: UserRef | None
    created_at: datetime


class ReorderIn(Schema):
    ids: list[int] = Field(..., max_length=10000, description="Every rule id exactly once, in the new order")


class RunTicketRef(Schema):
    id: int
    number: str


class RuleRunOut(Schema):
    id: int
    rule_id: int | None
    rule_name: str
    rule_version: int
    ticket: RunTicketRef | None
    event: str
    matched: bool
    actions: list[dict[str, Any]]
    errors: list[str]
    depth: int
    duration_us: int
    created_at: datetime


class RuleRunPage(Schema):
    items: list[RuleRunOut]
    meta: PageMeta


class ActionParamChoiceOut(Schema):
    value: str
    label: str
    label_en: str


class ActionParamOut(Schema):
    """One parameter of an action type as the rule editor shows it (``registry.param``)."""

    name: str
    kind: str = Field(..., description="text, textarea, number, bool, choice, user, users, roles, team, department, "
                                       "category, priority, tags, template, process, sla_policy, fields or json")
    label: str
    label_en: str
    required: bool
    choices: list[ActionParamChoiceOut]
    show_if: dict[str, list[Any]] = Field(..., description="Shown only while these parameters have these values")
    help: str
    help_en: str
    minimum: int | None
    maximum: int | None
    default: Any = None


class ActionTypeOut(Schema):
    type: str
    label: str
    label_en: str
    params: list[ActionParamOut] = Field(..., description="The parameters (empty: edit params as JSON)")


class DryRunIn(Schema):
    rule: RuleIn
    days: int = Field(7, description="Look at the tickets created in the last N days (1-366)")
    limit: int | None = Field(None, description="Only the N most recent of those tickets (1-5000)")
    include_unmatched: bool = Field(False, description="List the tickets the rule does not match too "
                                                       "(matched: false), newest first")


class DryRunByIdIn(Schema):
    days: int = Field(7, description="Look at the tickets created in the last N days (1-366)")
    limit: int | None = Field(None, description="Only the N most recent of those tickets (1-5000)")
    include_unmatched: bool = Field(False, description="List the unmatched tickets too (matched: false)")


class DryRunActionOut(Schema):
    type: str
    description: str


class DryRunTicketOut(Schema):
    id: int
    number: str
    subject: str
    created_at: datetime
    matched: bool = True
    actions: list[DryRunActionOut]


class DryRunOut(Schema):
    days: int
    scanned: int
    matched: int
    truncated: bool
    tickets: list[DryRunTicketOut]


class SkillIn(Schema):
    category: str | None = Field(None, max_length=64, description="A category key (covers its subcategories)")
    product_line: int | str | None = Field(None, description="A product line id or name")
    product: str | None = Field(None, max_length=64, description="A product SKU")
    level: int = Field(3, description="1-5, higher is preferred")


class SkillsIn(Schema):
    skills: list[SkillIn] = Field(..., max_length=200)


class SkillOut(Schema):
    id: int
    category: str | None
    product_line: str | None
    product: str | None
    level: int


class WorkingHoursIn(Schema):
    working_hours: dict[str, Any] = Field(
        ..., description='{"1": [["09:00", "18:00"]], ...}: ISO weekday (1 = Monday) to spans; {} = no restriction'
    )


class AssignmentProfileOut(Schema):
    user_id: int
    availability: str
    working_hours: dict[str, Any]
    available_now: bool
    skills: list[SkillOut]
