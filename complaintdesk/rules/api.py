"""REST endpoints of the rules app: rules (CRUD, versions, reorder, enable/disable), run logs,
dry runs, the registry of action types, and users' assignment profiles (skills, working hours)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status

from complaintdesk.accounts.models import User
from complaintdesk.accounts.queries import get_user
from complaintdesk.core.errors import InvalidInput
from complaintdesk.core.schemas import ERRORS, paginate, user_ref
from complaintdesk.rules import actions as A
from complaintdesk.rules import queries
from complaintdesk.rules.assignment import is_available
from complaintdesk.rules.models import Rule, RuleRun, RuleVersion
from complaintdesk.rules.registry import ACTION_TYPES
from complaintdesk.rules.schemas import (
    ActionTypeOut,
    AssignmentProfileOut,
    DryRunByIdIn,
    DryRunIn,
    DryRunOut,
    ReorderIn,
    RuleIn,
    RuleOut,
    RulePatch,
    RuleRunPage,
    RuleVersionOut,
    SkillsIn,
    WorkingHoursIn,
)

router = Router(tags=["rules"])


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def rule_out(rule: Rule, stats: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "id": rule.pk, "name": rule.name, "name_en": rule.name_en, "description": rule.description,
        "events": rule.events, "condition": rule.condition, "actions": rule.actions, "order": rule.order,
        "stop_after": rule.stop_after,
        "enabled": rule.enabled, "version": rule.version, "is_shipped": rule.is_shipped,
        "created_by": user_ref(rule.created_by), "updated_by": user_ref(rule.updated_by),
        "created_at": rule.created_at, "updated_at": rule.updated_at, "stats": stats,
    }


def run_out(run: RuleRun) -> dict[str, Any]:
    return {
        "id": run.pk, "rule_id": run.rule_id, "rule_name": run.rule_name, "rule_version": run.rule_version,
        "ticket": {"id": run.ticket.pk, "number": run.ticket.number} if run.ticket_id and run.ticket else None,
        "event": run.event, "matched": run.matched, "actions": run.actions, "errors": run.errors,
        "depth": run.depth, "duration_us": run.duration_us, "created_at": run.created_at,
    }


def version_out(version: RuleVersion) -> dict[str, Any]:
    return {"version": version.version, "snapshot": version.snapshot, "created_by": user_ref(version.created_by),
            "created_at": version.created_at}


def _body(payload: Schema, *, exclude_unset: bool = False) -> dict[str, Any]:
    body = payload.dict(exclude_unset=exclude_unset)
    if body.get("order") is None:
        body.pop("order", None)
    if exclude_unset:
        body = {k: v for k, v in body.items() if v is not None or k == "condition"}
        if "condition" in body and body["condition"] is None:
            raise InvalidInput("condition 不能为 null / condition cannot be null", details={"condition": "null"})
    return body


class RunParams(Schema):
    matched: bool | None = None
    page: int = 1
    page_size: int = 50


# --- rules --------------------------------------------------------------------------------


@router.get("/rules", response={200: list[RuleOut], **ERRORS}, summary="All rules in evaluation order")
def list_rules(request: HttpRequest) -> Any:
    actor = _actor(request)
    rules = list(queries.list_rules(viewer=actor))
    stats = queries.rule_run_stats(viewer=actor)
    empty = {"runs": 0, "matched": 0, "last_run_at": None, "last_matched_at": None}
    return [rule_out(r, stats.get(r.pk, empty)) for r in rules]


@router.post("/rules", response={201: RuleOut, **ERRORS},
             summary="Create a rule (422 lists every problem in details.problems)")
def create_rule(request: HttpRequest, payload: RuleIn) -> Any:
    actor = _actor(request)
    A.check_manage_rules(actor)
    rule = A.do_create_rule(actor=actor, body=_body(payload))
    return Status(201, rule_out(queries.get_rule(viewer=actor, rule_id=rule.pk)))


@router.post("/rules/reorder", response={200: list[RuleOut], **ERRORS},
             summary="Set the evaluation order (every rule id exactly once)")
def reorder_rules(request: HttpRequest, payload: ReorderIn) -> Any:
    actor = _actor(request)
    A.check_manage_rules(actor)
    A.do_reorder_rules(actor=actor, rule_ids=payload.ids)
    return [rule_out(r) for r in queries.list_rules(viewer=actor)]


@router.post("/rules/dry-run", response={200: DryRunOut, **ERRORS},
             summary="Which of the last N days' tickets an unsaved rule matches and what it would do; changes nothing")
def dry_run_body(request: HttpRequest, payload: DryRunIn) -> Any:
    actor = _actor(request)
    return asdict(queries.dry_run(viewer=actor, body=_body(payload.rule), days=payload.days, limit=payload.limit,
                                  include_unmatched=payload.include_unmatched))


@router.get("/rules/{rule_id}", response={200: RuleOut, **ERRORS}, summary="One rule")
def get_rule(request: HttpRequest, rule_id: int) -> Any:
    return rule_out(queries.get_rule(viewer=_actor(request), rule_id=rule_id))


@router.patch("/rules/{rule_id}", response={200: RuleOut, **ERRORS},
              summary="Change a rule (a new version; 422 lists every problem)")
def update_rule(request: HttpRequest, rule_id: int, payload: RulePatch) -> Any:
    actor = _actor(request)
    rule = queries.get_rule(viewer=actor, rule_id=rule_id)
    A.check_manage_rules(actor)
    A.do_update_rule(rule, actor=actor, **_body(payload, exclude_unset=True))
    return rule_out(queries.get_rule(viewer=actor, rule_id=rule_id))


@router.delete("/rules/{rule_id}", response={204: None, **ERRORS}, summary="Delete a rule (its runs stay logged)")
def delete_rule(request: HttpRequest, rule_id: int) -> Any:
    actor = _actor(request)
    rule = queries.get_rule(viewer=actor, rule_id=rule_id)
    A.check_manage_rules(actor)
    A.do_delete_rule(rule, actor=actor)
    return Status(204, None)


@router.post("/rules/{rule_id}/enable", response={200: RuleOut, **ERRORS}, summary="Enable a rule")
def enable_rule(request: HttpRequest, rule_id: int) -> Any:
    actor = _actor(request)
    rule = queries.get_rule(viewer=actor, rule_id=rule_id)
    A.check_manage_rules(actor)
    A.do_set_rule_enabled(rule, actor=actor, enabled=True)
    return rule_out(queries.get_rule(viewer=actor, rule_id=rule_id))


@router.post("/rules/{rule_id}/disable", response={200: RuleOut, **ERRORS}, summary="Disable a rule")
def disable_rule(request: HttpRequest, rule_id: int) -> Any:
    actor = _actor(request)
    rule = queries.get_rule(viewer=actor, rule_id=rule_id)
    A.check_manage_rules(actor)
    A.do_set_rule_enabled(rule, actor=actor, enabled=False)
    return rule_out(queries.get_rule(viewer=actor, rule_id=rule_id))


@router.get("/rules/{rule_id}/versions", response={200: list[RuleVersionOut], **ERRORS},
            summary="The rule's versions, newest first (snapshots)")
def list_versions(request: HttpRequest, rule_id: int) -> Any:
    return [version_out(v) for v in queries.list_rule_versions(viewer=_actor(request), rule_id=rule_id)]


@router.get("/rules/{rule_id}/runs", response={200: RuleRunPage, **ERRORS},
            summary="The rule's run log, newest first")
def list_rule_runs(request: HttpRequest, rule_id: int, params: Query[RunParams]) -> Any:
    qs = queries.list_rule_runs(viewer=_actor(request), rule_id=rule_id, matched=params.matched)
    items, meta = paginate(qs, params.page, params.page_size)
    return {"items": [run_out(r) for r in items], "meta": meta}


@router.post("/rules/{rule_id}/dry-run", response={200: DryRunOut, **ERRORS},
             summary="Dry run of a saved rule over the last N days' tickets; changes nothing")
def dry_run_saved(request: HttpRequest, rule_id: int, payload: DryRunByIdIn) -> Any:
    actor = _actor(request)
    rule = queries.get_rule(viewer=actor, rule_id=rule_id)
    body = {k: v for k, v in rule.snapshot().items() if k in A.RULE_FIELDS}
    return asdict(queries.dry_run(viewer=actor, body=body, days=payload.days, limit=payload.limit,
                                  include_unmatched=payload.include_unmatched))


# --- runs on a ticket, action types -------------------------------------------------------


@router.get("/tickets/{ticket_id}/rule-runs", response={200: RuleRunPage, **ERRORS},
            summary="Rule runs on a ticket, newest first (needs the ticket in my scope)")
def ticket_rule_runs(request: HttpRequest, ticket_id: int, params: Query[RunParams]) -> Any:
    qs = queries.list_ticket_rule_runs(viewer=_actor(request), ticket_id=ticket_id, matched=params.matched)
    items, meta = paginate(qs, params.page, params.page_size)
    return {"items": [run_out(r) for r in items], "meta": meta}


@router.get("/rule-action-types", response={200: list[ActionTypeOut], **ERRORS},
            summary="The action types rules can use (built-in and registered by other apps), with labels")
def action_types(request: HttpRequest) -> Any:
    A.check_manage_rules(_actor(request))
    return [{"type": t.type, "label": t.label, "label_en": t.label_en, "params": list(t.params)}
            for t in sorted(ACTION_TYPES.values(), key=lambda t: t.type)]


# --- assignment profile -------------------------------------------------------------------


def _profile(user: User) -> dict[str, Any]:
    skills = user.skills.select_related("category", "product_line", "product").order_by("id")
    return {
        "user_id": user.pk, "availability": user.availability, "working_hours": user.working_hours or {},
        "available_now": is_available(user),
        "skills": [{"id": s.pk, "category": s.category.key if s.category else None,
                    "product_line": s.product_line.name if s.product_line else None,
                    "product": s.product.sku if s.product else None, "level": s.level} for s in skills],
    }


@router.get("/users/{user_id}/assignment-profile", response={200: AssignmentProfileOut, **ERRORS},
            summary="A user's skills, availability and working hours (used by assignment strategies)")
def get_assignment_profile(request: HttpRequest, user_id: int) -> Any:
    A.check_manage_assignment_profile(_actor(request))
    return _profile(get_user(user_id=user_id))


@router.put("/users/{user_id}/skills", response={200: AssignmentProfileOut, **ERRORS},
            summary="Replace a user's skills (categories, product lines, products)")
def set_skills(request: HttpRequest, user_id: int, payload: SkillsIn) -> Any:
    actor = _actor(request)
    A.check_manage_assignment_profile(actor)
    user = get_user(user_id=user_id)
    A.do_set_user_skills(user, actor=actor, skills=[s.dict() for s in payload.skills])
    return _profile(user)


@router.put("/users/{user_id}/working-hours", response={200: AssignmentProfileOut, **ERRORS},
            summary="Set a user's weekly working hours ({} = no restriction)")
def set_working_hours(request: HttpRequest, user_id: int, payload: WorkingHoursIn) -> Any:
    actor = _actor(request)
    A.check_manage_assignment_profile(actor)
    user = get_user(user_id=user_id)
    A.do_set_working_hours(user, actor=actor, working_hours=payload.working_hours)
    return _profile(user)
