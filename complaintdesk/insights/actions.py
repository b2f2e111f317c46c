"""Every write of threshold alerts (预警): alert rules (versioned definitions) and the alerts their
evaluation opens, raises, lowers and clears. Each ``do_*`` runs in one transaction with its audit
rows (``core.audit``) and domain events (``alert.fired`` / ``alert.cleared``).
"""

from __future__ import annotations

import itertools
import logging
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from complaintdesk.accounts import permissions as P
from complaintdesk.accounts.access import check_perm, has_perm
from complaintdesk.core import clock
from complaintdesk.core import events as ev
from complaintdesk.core.audit import check_known_fields, record_audit
from complaintdesk.core.errors import Conflict, InvalidInput, PermissionDenied
from complaintdesk.insights.choices import (
    LEVEL_ORDER,
    AlertGrouping,
    AlertLevel,
    AlertMetric,
    AlertStatus,
    level_rank,
)
from complaintdesk.insights.measure import GroupMeasure, RuleSpec, check_scope, measure_rule, sample_ticket_ids
from complaintdesk.insights.models import Alert, AlertRule, AlertRuleVersion

if TYPE_CHECKING:
    from complaintdesk.accounts.models import User
    from complaintdesk.improvement.models import ImprovementAction

logger = logging.getLogger(__name__)

RULE_FIELDS = {
    "name", "description", "enabled", "scope", "grouping", "window_days", "metric", "baseline_windows", "min_count",
    "threshold_blue", "threshold_yellow", "threshold_red", "owners", "auto_improvement", "improvement_min_level",
    "improvement_department", "improvement_owner", "improvement_due_days",
}
# Changing these makes a new version; switching a rule on or off does not.
UNVERSIONED_FIELDS = {"enabled"}
MAX_WINDOW_DAYS = 365
MAX_BASELINE_WINDOWS = 52
MAX_SPAN_DAYS = 800  # window × (baseline windows + 1): bounds what one evaluation reads


# --- alert rules ----------------------------------------------------------------------------


def check_manage_alert_rules(actor: User) -> None:
    check_perm(actor, P.RULE_ADMIN)


def rule_snapshot(rule: AlertRule, owners: list[User] | None = None) -> dict[str, Any]:
    """The definition of ``rule`` as plain JSON (stored per version, exported with the config)."""
    owner_ids = sorted(u.pk for u in owners) if owners is not None else sorted(
        rule.owners.values_list("pk", flat=True))
    return {
        "name": rule.name, "description": rule.description, "enabled": rule.enabled, "scope": rule.scope,
        "grouping": rule.grouping, "window_days": rule.window_days, "metric": rule.metric,
        "baseline_windows": rule.baseline_windows, "min_count": rule.min_count,
        "thresholds": {"blue": rule.threshold_blue, "yellow": rule.threshold_yellow, "red": rule.threshold_red},
        "owner_ids": owner_ids,
        "auto_improvement": {
            "enabled": rule.auto_improvement, "min_level": rule.improvement_min_level,
            "department_id": rule.improvement_department_id, "owner_id": rule.improvement_owner_id,
            "due_days": rule.improvement_due_days,
        },
    }


def validate_rule_fields(values: dict[str, Any]) -> dict[str, Any]:
    """Every problem of a (complete) rule definition, as ``{field: message}``; empty when valid."""
    problems: dict[str, Any] = {}
    name = str(values.get("name") or "").strip()
    if not name or len(name) > 100:
        problems["name"] = "必填，最多100字 / required, at most 100 characters"
    if values.get("grouping") not in AlertGrouping.values:
        problems["grouping"] = f"one of {AlertGrouping.values}"
    metric = values.get("metric")
    if metric not in AlertMetric.values:
        problems["metric"] = f"one of {AlertMetric.values}"
    window = values.get("window_days")
    if not isinstance(window, int) or not 1 <= window <= MAX_WINDOW_DAYS:
        problems["window_days"] = f"1..{MAX_WINDOW_DAYS}"
    back = values.get("baseline_windows")
    if not isinstance(back, int) or not 1 <= back <= MAX_BASELINE_WINDOWS:
        problems["baseline_windows"] = f"1..{MAX_BASELINE_WINDOWS}"
    elif isinstance(window, int) and metric == AlertMetric.GROWTH and window * (back + 1) > MAX_SPAN_DAYS:
        problems["baseline_windows"] = (f"窗口×(基准窗口数+1)不能超过{MAX_SPAN_DAYS}天 / "
                                        f"window × (baseline windows + 1) must not exceed {MAX_SPAN_DAYS} days")
    min_count = values.get("min_count")
    if not isinstance(min_count, int) or not 0 <= min_count <= 1_000_000:
        problems["min_count"] = "0..1000000"
    thresholds = [(lv, values.get(f"threshold_{lv}")) for lv in LEVEL_ORDER]
    set_ = [(lv, t) for lv, t in thresholds if t is not None]
    if not set_:
        problems["thresholds"] = "至少设置一个级别的阈值 / set the threshold of at least one level"
    for lv, t in set_:
        if not isinstance(t, int | float) or isinstance(t, bool) or not math.isfinite(t) or abs(t) > 1e9:
            problems[f"threshold_{lv}"] = "a finite number"
        elif metric == AlertMetric.COUNT and t < 1:
            problems[f"threshold_{lv}"] = "投诉量阈值至少为1 / a count threshold is at least 1"
        elif metric == AlertMetric.GROWTH and t < 0:
            problems[f"threshold_{lv}"] = "增长率阈值不能为负 / a growth threshold (%) is at least 0"
    numeric = [(lv, float(t)) for lv, t in set_ if f"threshold_{lv}" not in problems]
    if any(b <= a for (_, a), (_, b) in itertools.pairwise(numeric)):
        problems["thresholds"] = "阈值必须满足 蓝 < 黄 < 红 / thresholds must increase: blue < yellow < red"
    scope_problems = check_scope(values.get("scope"))
    if scope_problems:
        problems["scope"] = scope_problems
    if values.get("improvement_min_level") not in AlertLevel.values:
        problems["improvement_min_level"] = f"one of {AlertLevel.values}"
    due_days = values.get("improvement_due_days")
    if not isinstance(due_days, int) or not 0 <= due_days <= 3650:
        problems["improvement_due_days"] = "0..3650"
    if values.get("auto_improvement") and values.get("improvement_department") is None:
        problems["improvement_department"] = ("自动整改需要指定责任部门 / automatic improvement actions need a "
                                              "responsible department")
    owner = values.get("improvement_owner")
    if owner is not None and not owner.is_active:
        problems["improvement_owner"] = "inactive"
    if any(not u.is_active for u in values.get("owners") or []):
        problems["owners"] = "inactive user"
    return problems


def _raise_problems(problems: dict[str, Any]) -> None:
    if problems:
        raise InvalidInput("预警规则无效 / Invalid alert rule", details=problems)


RULE_DEFAULTS: dict[str, Any] = {
    "description": "", "enabled": True, "scope": None, "grouping": AlertGrouping.CATEGORY, "window_days": 7,
    "metric": AlertMetric.COUNT, "baseline_windows": 4, "min_count": 0, "threshold_blue": None,
    "threshold_yellow": None, "threshold_red": None, "owners": [], "auto_improvement": False,
    "improvement_min_level": AlertLevel.RED, "improvement_department": None, "improvement_owner": None,
    "improvement_due_days": 14,
}


def spec_from_fields(fields: dict[str, Any]) -> RuleSpec:
    """A ``RuleSpec`` for an unsaved definition (preview); raises ``InvalidInput`` when invalid."""
    check_known_fields(fields, RULE_FIELDS)
    values = {**RULE_DEFAULTS, "name": "preview", **fields}
    _raise_problems(validate_rule_fields(values))
    return RuleSpec(
        scope=values["scope"] or None, grouping=values["grouping"], window_days=values["window_days"],
        metric=values["metric"], baseline_windows=values["baseline_windows"], min_count=values["min_count"],
        thresholds={lv: values[f"threshold_{lv}"] for lv in LEVEL_ORDER},
    )


def do_create_alert_rule(*, actor: User | None, name: str, **fields: Any) -> AlertRule:
    check_known_fields(fields, RULE_FIELDS)
    values = {**RULE_DEFAULTS, **fields, "name": (name or "").strip()}
    values["scope"] = values["scope"] or None
    _raise_problems(validate_rule_fields(values))
    owners: list[User] = list(values.pop("owners") or [])
    with transaction.atomic():
        now = clock.now()
        rule = AlertRule.objects.create(
            **values, version=1, created_by=actor if actor is not None and actor.pk else None,
            created_at=now, updated_at=now,
        )
        rule.owners.set(owners)
        snapshot = rule_snapshot(rule, owners)
        AlertRuleVersion.objects.create(rule=rule, version=1, snapshot=snapshot, created_by=rule.created_by,
                                        created_at=now)
        record_audit(actor=actor, action="alert_rule.created", obj=rule, data={"version": 1, **snapshot})
    return rule


def do_update_alert_rule(rule: AlertRule, *, actor: User | None, **fields: Any) -> AlertRule:
    """Change a rule. A change of the definition makes a new version (snapshot kept); switching the
    rule off clears its open alerts (``alert.cleared`` with ``reason: rule_disabled``)."""
    check_known_fields(fields, RULE_FIELDS)
    if "name" in fields:
        fields["name"] = str(fields["name"] or "").strip()
    if "scope" in fields:
        fields["scope"] = fields["scope"] or None
    with transaction.atomic():
        rule = AlertRule.objects.select_for_update().get(pk=rule.pk)
        current_owners = list(rule.owners.all())
        values = {name: getattr(rule, name) for name in RULE_FIELDS - {"owners"}}
        values["owners"] = current_owners
        values.update(fields)
        _raise_problems(validate_rule_fields(values))
        before = rule_snapshot(rule, current_owners)
        owners = fields.pop("owners", None)
        for name, value in fields.items():
            setattr(rule, name, value)
        after = rule_snapshot(rule, owners if owners is not None else current_owners)
        diff = {k: {"old": before[k], "new": after[k]} for k in after if before[k] != after[k]}
        if not diff:
            return rule
        now = clock.now()
        rule.updated_at = now
        if set(diff) - UNVERSIONED_FIELDS:
            rule.version += 1
            AlertRuleVersion.objects.create(rule=rule, version=rule.version, snapshot=after,
                                            created_by=actor if actor is not None and actor.pk else None,
                                            created_at=now)
        rule.save(update_fields=[*fields, "updated_at", "version"])
        if owners is not None:
            rule.owners.set(owners)
        record_audit(actor=actor, action="alert_rule.updated", obj=rule, data={"version": rule.version, **diff})
        if "enabled" in diff and not rule.enabled:
            for alert in Alert.objects.select_for_update().filter(rule=rule, status=AlertStatus.OPEN):
                _clear(alert, rule, now=now, reason="rule_disabled", actor=actor)
    return rule


def do_delete_alert_rule(rule: AlertRule, *, actor: User | None) -> None:
    """Delete a rule that never raised an alert; one with alerts is kept for their history (switch
    it off instead)."""
    with transaction.atomic():
        if Alert.objects.filter(rule=rule).exists():
            raise Conflict("该规则已产生预警，请停用而不是删除 / The rule has alerts: disable it instead of deleting",
                           details={"rule_id": rule.pk})
        record_audit(actor=actor, action="alert_rule.deleted", obj=rule, data=rule_snapshot(rule))
        rule.delete()


# --- evaluation -----------------------------------------------------------------------------


@dataclass
class EvaluationResult:
    """What one evaluation did, by alert id."""

    rule_id: int
    evaluated_at: datetime
    groups: int = 0
    opened: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)
    lowered: list[int] = field(default_factory=list)
    cleared: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    improvements: list[int] = field(default_factory=list)


def check_evaluate_alert_rule(actor: User) -> None:
    check_perm(actor, P.RULE_ADMIN)


def _recipients(rule: AlertRule) -> list[int]:
    return sorted(rule.owners.filter(is_active=True).values_list("pk", flat=True))


def _alert_payload(alert: Alert, rule: AlertRule, **extra: Any) -> dict[str, Any]:
    return {
        "alert_id": alert.pk, "rule_id": rule.pk, "rule_name": rule.name, "rule_version": alert.rule_version,
        "group_key": alert.group_key, "group_label": alert.group_label, "level": alert.level,
        "metric": rule.metric, "value": alert.value, "baseline": alert.baseline, "count": alert.count,
        "window_days": rule.window_days, "improvement_id": alert.improvement_id,
        "sample_ticket_ids": list(alert.sample_ticket_ids or []), "user_ids": _recipients(rule), **extra,
    }


def do_evaluate_alert_rule(rule: AlertRule, now: datetime | None = None) -> EvaluationResult:
    """Measure ``rule`` at ``now`` (default: the clock) and bring its alerts in line: open an alert
    for a group that reached a level, raise (and notify again) or quietly lower an open one, clear
    one that fell below every threshold. Opens the rule's automatic improvement action once per
    alert when the level reaches the rule's minimum. Running it twice at the same moment changes
    nothing the second time."""
    now = now or clock.now()
    result = EvaluationResult(rule_id=rule.pk, evaluated_at=now)
    with transaction.atomic():
        # The row lock serialises evaluations of one rule (the periodic job and "evaluate now").
        rule = AlertRule.objects.select_for_update().get(pk=rule.pk)
        spec = RuleSpec.of(rule)
        open_alerts = {a.group_key: a for a in Alert.objects.select_for_update().filter(
            rule=rule, status=AlertStatus.OPEN)}
        measurement = measure_rule(spec, now=now, extra_groups=open_alerts)
        result.groups = len(measurement.groups)
        for key, measure in sorted(measurement.groups.items()):
            alert = open_alerts.get(key)
            if measure.level is None:
                if alert is not None:
                    _clear(alert, rule, now=now, reason="below_threshold", measure=measure)
                    result.cleared.append(alert.pk)
                continue
            if alert is None:
                alert, created = _open(rule, spec, measure, measurement.window_start, measurement.window_end,
                                       now=now)
                (result.opened if created else result.unchanged).append(alert.pk)
            else:
                change = _follow(alert, rule, spec, measure, measurement.window_start, measurement.window_end,
                                 now=now)
                {"up": result.escalated, "down": result.lowered, "same": result.unchanged}[change].append(alert.pk)
            improvement = _auto_improvement(alert, rule, now=now)
            if improvement is not None:
                result.improvements.append(improvement.pk)
        rule.last_evaluated_at = now
        rule.last_error = ""
        rule.save(update_fields=["last_evaluated_at", "last_error"])
    return result


def _open(rule: AlertRule, spec: RuleSpec, m: GroupMeasure, start: datetime, end: datetime, *,
          now: datetime) -> tuple[Alert, bool]:
    assert m.level is not None
    samples = sample_ticket_ids(spec, m.group_key, now=now)
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                rule=rule, rule_version=rule.version, group_key=m.group_key[:200], group_label=m.label[:300],
                level=m.level, peak_level=m.level, status=AlertStatus.OPEN, value=m.value, baseline=m.baseline,
                count=m.count, window_start=start, window_end=end, sample_ticket_ids=samples, opened_at=now,
                last_level_change_at=now, last_evaluated_at=now,
            )
    except IntegrityError:
        # Another evaluation opened it first (the partial unique index refused ours): follow that one.
        alert = Alert.objects.select_for_update().get(rule=rule, group_key=m.group_key[:200], status=AlertStatus.OPEN)
        _follow(alert, rule, spec, m, start, end, now=now)
        return alert, False
    record_audit(actor=None, action="alert.fired", obj=alert, data={
        "rule_id": rule.pk, "group_key": alert.group_key, "level": alert.level, "value": alert.value,
        "baseline": alert.baseline, "count": alert.count,
    })
    ev.publish(ev.ALERT_FIRED, _alert_payload(alert, rule, previous_level=None, escalation=False))
    return alert, True


def _follow(alert: Alert, rule: AlertRule, spec: RuleSpec, m: GroupMeasure, start: datetime, end: datetime, *,
            now: datetime) -> str:
    """Update an open alert with a new measure; returns "up", "down" or "same"."""
    assert m.level is not None
    old_level = alert.level
    change = "same"
    if level_rank(m.level) > level_rank(old_level):
        change = "up"
    elif level_rank(m.level) < level_rank(old_level):
        change = "down"
    alert.value, alert.baseline, alert.count = m.value, m.baseline, m.count
    alert.window_start, alert.window_end, alert.last_evaluated_at = start, end, now
    update = ["value", "baseline", "count", "window_start", "window_end", "last_evaluated_at"]
    if change != "same":
        alert.level = m.level
        alert.rule_version = rule.version
        alert.last_level_change_at = now
        alert.sample_ticket_ids = sample_ticket_ids(spec, alert.group_key, now=now)
        update += ["level", "rule_version", "last_level_change_at", "sample_ticket_ids"]
        if level_rank(m.level) > level_rank(alert.peak_level):
            alert.peak_level = m.level
            update.append("peak_level")
    alert.save(update_fields=update)
    if change != "same":
        record_audit(actor=None, action="alert.escalated" if change == "up" else "alert.lowered", obj=alert, data={
            "old": old_level, "new": alert.level, "value": alert.value, "baseline": alert.baseline,
        })
    if change == "up":
        ev.publish(ev.ALERT_FIRED, _alert_payload(alert, rule, previous_level=old_level, escalation=True))
    return change


def _clear(alert: Alert, rule: AlertRule, *, now: datetime, reason: str, measure: GroupMeasure | None = None,
           actor: User | None = None) -> None:
    old_level = alert.level
    alert.status = AlertStatus.CLEARED
    alert.cleared_at = now
    alert.last_evaluated_at = now
    update = ["status", "cleared_at", "last_evaluated_at"]
    if measure is not None:
        alert.value, alert.baseline, alert.count = measure.value, measure.baseline, measure.count
        update += ["value", "baseline", "count"]
    alert.save(update_fields=update)
    record_audit(actor=actor, action="alert.cleared", obj=alert, data={
        "level": old_level, "reason": reason, "value": alert.value,
    })
    ev.publish(ev.ALERT_CLEARED, _alert_payload(alert, rule, previous_level=old_level, reason=reason))


def _auto_improvement(alert: Alert, rule: AlertRule, *, now: datetime) -> ImprovementAction | None:
    """The rule's automatic improvement action for ``alert``, opened once, when its level reaches
    the rule's minimum; ``None`` when nothing was opened now."""
    if not rule.auto_improvement or alert.improvement_id is not None:
        return None
    if level_rank(alert.level) < level_rank(rule.improvement_min_level):
        return None
    from complaintdesk.improvement.actions import do_create_improvement
    from complaintdesk.improvement.choices import ImprovementSource
    from complaintdesk.tickets.models import Ticket

    department = rule.improvement_department
    owner = rule.improvement_owner if rule.improvement_owner and rule.improvement_owner.is_active else None
    if owner is None and department is not None and department.manager is not None and department.manager.is_active:
        owner = department.manager
    level_label = AlertLevel(alert.level).label
    metric = "投诉量 / count" if rule.metric == AlertMetric.COUNT else "增长率 / growth %"
    baseline = f", 基准 / baseline {alert.baseline:g}" if alert.baseline is not None else ""
    tickets = list(Ticket.objects.filter(pk__in=alert.sample_ticket_ids).order_by("-created_at", "-id"))
    action = do_create_improvement(
        actor=None, title=f"【{level_label}】{rule.name}：{alert.group_label}"[:200],
        description=(f"预警规则“{rule.name}”（v{alert.rule_version}）在 {alert.group_label} 达到{level_label}："
                     f"{rule.window_days}天{metric} = {alert.value:g}{baseline}。\n"
                     f"Alert rule {rule.name!r} reached {alert.level} for {alert.group_label}: {metric} over "
                     f"{rule.window_days} days = {alert.value:g}{baseline}."),
        source=ImprovementSource.ALERT, source_alert=alert, tickets=tickets, department=department, owner=owner,
        due_date=timezone.localtime(now).date() + timedelta(days=rule.improvement_due_days),
    )
    alert.improvement = action
    alert.save(update_fields=["improvement"])
    record_audit(actor=None, action="alert.improvement_linked", obj=alert, data={"improvement_id": action.pk})
    return action


def evaluate_all_alert_rules(now: datetime | None = None) -> dict[str, int]:
    """Evaluate every enabled rule; a rule that fails is logged, its error kept on the rule, and the
    run goes on with the next one."""
    now = now or clock.now()
    done = failed = 0
    for rule_id in AlertRule.objects.filter(enabled=True).order_by("pk").values_list("pk", flat=True):
        rule = AlertRule.objects.filter(pk=rule_id, enabled=True).first()
        if rule is None:
            continue
        try:
            do_evaluate_alert_rule(rule, now)
            done += 1
        except Exception as exc:  # one broken rule must not stop the others
            failed += 1
            logger.exception("alert rule %s failed to evaluate", rule_id)
            AlertRule.objects.filter(pk=rule_id).update(last_error=f"{type(exc).__name__}: {exc}"[:2000],
                                                        last_evaluated_at=now)
    return {"evaluated": done, "failed": failed}


# --- alerts ---------------------------------------------------------------------------------


def check_acknowledge_alert(actor: User, alert: Alert) -> None:
    """The rule's owners and rule administrators may acknowledge an alert."""
    if has_perm(actor, P.RULE_ADMIN) or alert.rule.owners.filter(pk=actor.pk).exists():
        return
    raise PermissionDenied("只有规则负责人可以确认预警 / Only the rule's owners can acknowledge its alerts",
                           details={"permission": P.RULE_ADMIN})


def do_acknowledge_alert(alert: Alert, *, actor: User) -> Alert:
    """Record that an owner has seen the alert (once; later calls change nothing)."""
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        if alert.acknowledged_at is not None:
            return alert
        alert.acknowledged_at = clock.now()
        alert.acknowledged_by = actor
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
        record_audit(actor=actor, action="alert.acknowledged", obj=alert, data={"level": alert.level})
    return alert
