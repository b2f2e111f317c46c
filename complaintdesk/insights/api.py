"""REST endpoints of the insights app: alert rules (预警规则), their preview and evaluation, and
the alerts (预警) they raise."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status

from complaintdesk.accounts import permissions as P
from complaintdesk.accounts.access import has_perm
from complaintdesk.accounts.models import Department, User
from complaintdesk.core import clock
from complaintdesk.core.errors import InvalidInput
from complaintdesk.core.schemas import ERRORS, paginate, user_ref
from complaintdesk.insights import actions as A
from complaintdesk.insights import queries
from complaintdesk.insights.choices import AlertStatus, level_rank
from complaintdesk.insights.measure import Preview, RuleSpec, preview_rule
from complaintdesk.insights.models import Alert, AlertRule
from complaintdesk.insights.schemas import (
    AlertDetailOut,
    AlertPage,
    AlertRuleIn,
    AlertRuleOut,
    AlertRulePatch,
    AlertRuleVersionOut,
    AutoImprovementIn,
    EvaluationOut,
    PreviewIn,
    PreviewOut,
)
from complaintdesk.tickets.queries import visible_tickets

router = Router(tags=["insights"])


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


# --- serialisation ------------------------------------------------------------------------


def alert_rule_out(rule: AlertRule, *, open_alerts: int | None = None) -> dict[str, Any]:
    dept = rule.improvement_department
    if open_alerts is None:
        open_alerts = getattr(rule, "open_alert_count", None)
    if open_alerts is None:
        open_alerts = rule.alerts.filter(status=AlertStatus.OPEN).count()
    return {
        "id": rule.pk, "name": rule.name, "description": rule.description, "enabled": rule.enabled,
        "scope": rule.scope, "grouping": rule.grouping, "window_days": rule.window_days, "metric": rule.metric,
        "baseline_windows": rule.baseline_windows, "min_count": rule.min_count,
        "thresholds": {"blue": rule.threshold_blue, "yellow": rule.threshold_yellow, "red": rule.threshold_red},
        "owners": [user_ref(u) for u in sorted(rule.owners.all(), key=lambda u: u.pk)],
        "auto_improvement": {
            "enabled": rule.auto_improvement, "min_level": rule.improvement_min_level,
            "department": {"id": dept.pk, "name": dept.name} if dept is not None else None,
            "owner": user_ref(rule.improvement_owner), "due_days": rule.improvement_due_days,
        },
        "version": rule.version, "open_alerts": open_alerts, "created_by": user_ref(rule.created_by),
        "created_at": rule.created_at, "updated_at": rule.updated_at, "last_evaluated_at": rule.last_evaluated_at,
        "last_error": rule.last_error,
    }


def alert_out(alert: Alert) -> dict[str, Any]:
    improvement = alert.improvement
    return {
        "id": alert.pk, "rule": {"id": alert.rule.pk, "name": alert.rule.name}, "rule_version": alert.rule_version,
        "metric": alert.rule.metric, "window_days": alert.rule.window_days,
        "group_key": alert.group_key, "group_label": alert.group_label, "level": alert.level,
        "peak_level": alert.peak_level, "status": alert.status, "value": alert.value, "baseline": alert.baseline,
        "count": alert.count, "window_start": alert.window_start, "window_end": alert.window_end,
        "sample_ticket_ids": list(alert.sample_ticket_ids or []), "opened_at": alert.opened_at,
        "last_level_change_at": alert.last_level_change_at, "last_evaluated_at": alert.last_evaluated_at,
        "cleared_at": alert.cleared_at, "acknowledged_at": alert.acknowledged_at,
        "acknowledged_by": user_ref(alert.acknowledged_by),
        "improvement": {"id": improvement.pk, "number": improvement.number, "title": improvement.title,
                        "status": improvement.status} if improvement is not None else None,
    }


def preview_out(spec: RuleSpec, preview: Preview) -> dict[str, Any]:
    groups = []
    for g in preview.groups:
        at_level = {lv: sum(1 for x in g.levels if x == lv) for lv in ("blue", "yellow", "red")}
        top = max(g.levels, key=level_rank, default=None)
        groups.append({"group_key": g.group_key, "group_label": g.label, "max_level": top if g.max_rank else None,
                       "days_at_level": at_level, "counts": g.counts, "baselines": g.baselines,
                       "values": g.values, "levels": g.levels})
    return {"metric": spec.metric, "window_days": spec.window_days, "thresholds": spec.thresholds,
            "days": preview.days, "evaluated_at": preview.evaluated_at, "total_groups": preview.total_groups,
            "groups": groups}


# --- resolving input ------------------------------------------------------------------------


def _users(ids: list[int], field: str) -> list[User]:
    found = {u.pk: u for u in User.objects.filter(pk__in=set(ids))}
    missing = sorted(set(ids) - set(found))
    if missing:
        raise InvalidInput(f"{field} 不存在 / Unknown users", details={field: missing[:20]})
    return [found[i] for i in dict.fromkeys(ids)]


def _auto_fields(auto: AutoImprovementIn) -> dict[str, Any]:
    dept = None
    if auto.department_id is not None:
        dept = Department.objects.filter(pk=auto.department_id).first()
        if dept is None:
            raise InvalidInput("部门不存在 / Unknown department",
                               details={"auto_improvement.department_id": auto.department_id})
    owner = _users([auto.owner_id], "auto_improvement.owner_id")[0] if auto.owner_id is not None else None
    return {"auto_improvement": auto.enabled, "improvement_min_level": auto.min_level,
            "improvement_department": dept, "improvement_owner": owner, "improvement_due_days": auto.due_days}


_SIMPLE = ("name", "description", "enabled", "grouping", "window_days", "metric", "baseline_windows", "min_count")


def _rule_fields(data: dict[str, Any], payload: Schema) -> dict[str, Any]:
    """Model fields from a create body (all keys) or a patch body (only the keys sent)."""
    fields: dict[str, Any] = {k: data[k] for k in _SIMPLE if k in data and data[k] is not None}
    if "scope" in data:
        fields["scope"] = data["scope"]
    thresholds = getattr(payload, "thresholds", None)
    if "thresholds" in data and thresholds is not None:
        fields.update({f"threshold_{lv}": getattr(thresholds, lv) for lv in ("blue", "yellow", "red")})
    if data.get("owner_ids") is not None:
        fields["owners"] = _users(data["owner_ids"], "owner_ids")
    auto = getattr(payload, "auto_improvement", None)
    if "auto_improvement" in data and auto is not None:
        fields.update(_auto_fields(auto))
    return fields


def _rule_out(viewer: User, rule_id: int) -> dict[str, Any]:
    return alert_rule_out(queries.get_alert_rule(viewer=viewer, rule_id=rule_id))


# --- alert rules ----------------------------------------------------------------------------


@router.get("/alert-rules", response={200: list[AlertRuleOut], **ERRORS}, summary="Alert rules (预警规则)")
def list_alert_rules(request: HttpRequest) -> Any:
    rules = queries.list_alert_rules(viewer=_actor(request)).annotate(
        open_alert_count=Count("alerts", filter=Q(alerts__status=AlertStatus.OPEN)))
    return [alert_rule_out(r) for r in rules]


@router.post("/alert-rules", response={201: AlertRuleOut, **ERRORS}, summary="Create an alert rule")
def create_alert_rule(request: HttpRequest, payload: AlertRuleIn) -> Any:
    actor = _actor(request)
    A.check_manage_alert_rules(actor)
    fields = _rule_fields(payload.dict(), payload)
    name = fields.pop("name")
    rule = A.do_create_alert_rule(actor=actor, name=name, **fields)
    return Status(201, _rule_out(actor, rule.pk))


@router.post("/alert-rules/preview", response={200: PreviewOut, **ERRORS},
             summary="Preview an unsaved alert rule over the last days (per day, per group: value and level)")
def preview_unsaved_alert_rule(request: HttpRequest, payload: PreviewIn) -> Any:
    A.check_manage_alert_rules(_actor(request))
    data = payload.dict()
    fields = _rule_fields(data, payload)
    for key in ("owners", "auto_improvement", "improvement_min_level", "improvement_department",
                "improvement_owner", "improvement_due_days"):
        fields.pop(key, None)
    spec = A.spec_from_fields(fields)
    return preview_out(spec, preview_rule(spec, now=clock.now(), days=payload.days, top=payload.top))


@router.get("/alert-rules/{rule_id}", response={200: AlertRuleOut, **ERRORS}, summary="One alert rule")
def get_alert_rule(request: HttpRequest, rule_id: int) -> Any:
    return _rule_out(_actor(request), rule_id)


@router.patch("/alert-rules/{rule_id}", response={200: AlertRuleOut, **ERRORS},
              summary="Change an alert rule (a new version; switching it off clears its alerts)")
def update_alert_rule(request: HttpRequest, rule_id: int, payload: AlertRulePatch) -> Any:
    actor = _actor(request)
    rule = queries.get_alert_rule(viewer=actor, rule_id=rule_id)
    A.check_manage_alert_rules(actor)
    A.do_update_alert_rule(rule, actor=actor, **_rule_fields(payload.dict(exclude_unset=True), payload))
    return _rule_out(actor, rule_id)


@router.delete("/alert-rules/{rule_id}", response={204: None, **ERRORS},
               summary="Delete an alert rule that never raised an alert")
def delete_alert_rule(request: HttpRequest, rule_id: int) -> Any:
    actor = _actor(request)
    rule = queries.get_alert_rule(viewer=actor, rule_id=rule_id)
    A.check_manage_alert_rules(actor)
    A.do_delete_alert_rule(rule, actor=actor)
    return Status(204, None)


@router.get("/alert-rules/{rule_id}/versions", response={200: list[AlertRuleVersionOut], **ERRORS},
            summary="The saved versions of an alert rule")
def list_alert_rule_versions(request: HttpRequest, rule_id: int) -> Any:
    actor = _actor(request)
    rule = queries.get_alert_rule(viewer=actor, rule_id=rule_id)
    return [{"version": v.version, "snapshot": v.snapshot, "created_by": user_ref(v.created_by),
             "created_at": v.created_at} for v in queries.list_rule_versions(viewer=actor, rule=rule)]


@router.post("/alert-rules/{rule_id}/evaluate", response={200: EvaluationOut, **ERRORS},
             summary="Evaluate an alert rule now (opens, raises, lowers and clears its alerts)")
def evaluate_alert_rule(request: HttpRequest, rule_id: int) -> Any:
    actor = _actor(request)
    rule = queries.get_alert_rule(viewer=actor, rule_id=rule_id)
    A.check_evaluate_alert_rule(actor)
    return asdict(A.do_evaluate_alert_rule(rule, clock.now()))


class PreviewParams(Schema):
    days: int = 90
    top: int = 10


@router.get("/alert-rules/{rule_id}/preview", response={200: PreviewOut, **ERRORS},
            summary="What the rule would have shown on each of the last days (per group: value and level)")
def preview_alert_rule(request: HttpRequest, rule_id: int, params: Query[PreviewParams]) -> Any:
    rule = queries.get_alert_rule(viewer=_actor(request), rule_id=rule_id)
    if not 1 <= params.days <= 366 or not 1 <= params.top <= 100:
        raise InvalidInput("1 <= days <= 366, 1 <= top <= 100", details={"days": params.days, "top": params.top})
    spec = RuleSpec.of(rule)
    return preview_out(spec, preview_rule(spec, now=clock.now(), days=params.days, top=params.top))


# --- alerts ---------------------------------------------------------------------------------


class AlertListParams(Schema):
    status: str | None = None
    level: list[str] | None = None
    rule_id: int | None = None
    group_key: str | None = None
    page: int = 1
    page_size: int = 50


@router.get("/alerts", response={200: AlertPage, **ERRORS}, summary="Alerts (预警), open or cleared")
def list_alerts(request: HttpRequest, params: Query[AlertListParams]) -> Any:
    filters = queries.AlertFilters(status=params.status, level=params.level, rule_id=params.rule_id,
                                   group_key=params.group_key)
    items, meta = paginate(queries.list_alerts(viewer=_actor(request), filters=filters), params.page,
                           params.page_size)
    return {**meta, "items": [alert_out(a) for a in items]}


@router.get("/alerts/{alert_id}", response={200: AlertDetailOut, **ERRORS},
            summary="One alert with its sample tickets (those the viewer may see)")
def get_alert(request: HttpRequest, alert_id: int) -> Any:
    actor = _actor(request)
    alert = queries.get_alert(viewer=actor, alert_id=alert_id)
    samples: list[dict[str, Any]] = []
    if has_perm(actor, P.TICKET_VIEW) and alert.sample_ticket_ids:
        found = {t.pk: t for t in visible_tickets(actor).filter(pk__in=alert.sample_ticket_ids)}
        samples = [{"id": t.pk, "number": t.number, "subject": t.subject, "status": t.status,
                    "created_at": t.created_at} for i in alert.sample_ticket_ids if (t := found.get(i)) is not None]
    return {**alert_out(alert), "sample_tickets": samples}


@router.post("/alerts/{alert_id}/acknowledge", response={200: AlertDetailOut, **ERRORS},
             summary="Acknowledge an alert (the rule's owners)")
def acknowledge_alert(request: HttpRequest, alert_id: int) -> Any:
    actor = _actor(request)
    alert = queries.get_alert(viewer=actor, alert_id=alert_id)
    A.check_acknowledge_alert(actor, alert)
    A.do_acknowledge_alert(alert, actor=actor)
    return get_alert(request, alert_id)
