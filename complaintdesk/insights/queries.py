"""Every read of alert rules and alerts.

Rules are read by rule administrators. Alerts are read by whoever watches complaint trends
(``report.view``, ``rule.admin``, ``improvement.manage``) and by the owners of a rule (its alerts
only); anything else behaves like a missing alert.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from complaintdesk.accounts import permissions as P
from complaintdesk.accounts.access import check_perm, get_access
from complaintdesk.core.errors import InvalidInput, NotFound, PermissionDenied
from complaintdesk.insights.choices import AlertLevel, AlertStatus
from complaintdesk.insights.models import Alert, AlertRule, AlertRuleVersion

if TYPE_CHECKING:
    from complaintdesk.accounts.models import User

ALERT_READERS = frozenset({P.REPORT_VIEW, P.RULE_ADMIN, P.IMPROVEMENT_MANAGE})


def list_alert_rules(*, viewer: User) -> QuerySet[AlertRule]:
    check_perm(viewer, P.RULE_ADMIN)
    return AlertRule.objects.select_related("improvement_department", "improvement_owner", "created_by") \
        .prefetch_related("owners").order_by("name", "id")


def get_alert_rule(*, viewer: User, rule_id: int) -> AlertRule:
    rule = list_alert_rules(viewer=viewer).filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(f"预警规则不存在 / Alert rule {rule_id} not found")
    return rule


def list_rule_versions(*, viewer: User, rule: AlertRule) -> QuerySet[AlertRuleVersion]:
    check_perm(viewer, P.RULE_ADMIN)
    return rule.versions.select_related("created_by").order_by("-version")


def visible_alerts(viewer: User) -> QuerySet[Alert]:
    access = get_access(viewer)
    qs = Alert.objects.all()
    if access.permissions & ALERT_READERS:
        return qs
    if not viewer.owned_alert_rules.exists():
        raise PermissionDenied(f"您没有此操作的权限 / You lack the permission {P.REPORT_VIEW!r}",
                               details={"permission": P.REPORT_VIEW})
    return qs.filter(rule__owners=viewer)


def _with_relations(qs: QuerySet[Alert]) -> QuerySet[Alert]:
    return qs.select_related("rule", "acknowledged_by", "improvement")


@dataclass
class AlertFilters:
    status: str | None = None
    level: list[str] | None = None
    rule_id: int | None = None
    group_key: str | None = None


def list_alerts(*, viewer: User, filters: AlertFilters) -> QuerySet[Alert]:
    if filters.status is not None and filters.status not in AlertStatus.values:
        raise InvalidInput("未知状态 / Unknown status", details={"status": AlertStatus.values})
    if filters.level and any(lv not in AlertLevel.values for lv in filters.level):
        raise InvalidInput("未知级别 / Unknown level", details={"level": AlertLevel.values})
    qs = visible_alerts(viewer)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.level:
        qs = qs.filter(level__in=filters.level)
    if filters.rule_id is not None:
        qs = qs.filter(rule_id=filters.rule_id)
    if filters.group_key is not None:
        qs = qs.filter(group_key=filters.group_key)
    return _with_relations(qs.order_by("-opened_at", "-id"))


def get_alert(*, viewer: User, alert_id: int) -> Alert:
    alert = _with_relations(visible_alerts(viewer)).filter(pk=alert_id).first()
    if alert is None:
        raise NotFound(f"预警不存在 / Alert {alert_id} not found")
    return alert
