"""Writes of the SLA configuration: business calendars, their days, yearly holiday imports and SLA policies.

Every change of a calendar or its days bumps ``version`` and ``revision`` (compiled calendars are
cached by revision); every change of a policy bumps its ``version`` and freezes a copy in
``SlaPolicyVersion``: running clocks keep the version they were applied with.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from complaintdesk.accounts import permissions as P
from complaintdesk.accounts.access import check_perm
from complaintdesk.core import clock
from complaintdesk.core.audit import record_audit
from complaintdesk.core.errors import Conflict, InvalidInput
from complaintdesk.sla.calendar import (
    check_zone,
    clear_cache,
    hours_to_json,
    parse_day_hours,
    parse_working_hours,
)
from complaintdesk.sla.clocks import policy_snapshot
from complaintdesk.sla.holidays import ScheduleDay, statutory_days, statutory_years
from complaintdesk.sla.models import (
    BusinessCalendar,
    CalendarDay,
    CalendarYear,
    DayKind,
    SlaPolicy,
    SlaPolicyVersion,
    TicketSla,
    _revision,
)
from complaintdesk.tickets.choices import Priority

if TYPE_CHECKING:
    from complaintdesk.accounts.models import User

MAX_TARGET_MINUTES = 366 * 24 * 60  # a year
ESCALATION_TARGETS = ("supervisor", "department_manager", "user", "role")


def check_manage_sla(actor: User) -> None:
    check_perm(actor, P.RULE_ADMIN)


# ---------------------------------------------------------------- calendars


def _calendar_fields(fields: dict[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    if "name" in out:
        name = str(out["name"] or "").strip()
        if not name or len(name) > 100:
            raise InvalidInput("名称必填且不超过100字 / name is required (max 100)", details={"name": "required"})
        out["name"] = name
    if "time_zone" in out:
        check_zone(out["time_zone"])
    if "working_hours" in out:
        weekly = parse_working_hours(out["working_hours"])
        out["working_hours"] = {str(i): hours_to_json(h) for i, h in enumerate(weekly)}
    if "workday_hours" in out:
        out["workday_hours"] = hours_to_json(parse_day_hours(out["workday_hours"] or [], where="workday_hours"))
    return out


def _check_has_working_time(calendar: BusinessCalendar) -> None:
    if not calendar.is_24x7 and not any(parse_working_hours(calendar.working_hours)):
        raise InvalidInput(
            "日历至少需要一个工作时段 / a calendar needs working hours on at least one weekday",
            details={"working_hours": "empty"},
        )


def _touch(calendar: BusinessCalendar) -> None:
    """A new revision (compiled calendars are cached by it); running clocks on it are recomputed after commit."""
    from complaintdesk.sla.tasks import replan_calendar

    calendar_id = calendar.pk
    transaction.on_commit(lambda: replan_calendar(calendar_id))
    calendar.version += 1
    calendar.revision = _revision()
    calendar.updated_at = clock.now()
    BusinessCalendar.objects.filter(pk=calendar.pk).update(
        version=calendar.version, revision=calendar.revision, updated_at=calendar.updated_at
    )


def _make_default(calendar: BusinessCalendar) -> None:
    BusinessCalendar.objects.filter(is_default=True).exclude(pk=calendar.pk).update(is_default=False)


def do_create_calendar(
    *, actor: User | None, key: str, name: str, time_zone: str = "Asia/Shanghai",
    working_hours: dict[str, Any] | None = None, workday_hours: list[Any] | None = None, is_24x7: bool = False,
    is_default: bool = False, uses_statutory_holidays: bool = True, seed_statutory: bool = True,
) -> BusinessCalendar:
    """Create a calendar; a statutory one starts with China's schedule as far as ``chinese_calendar`` knows it."""
    from django.utils.text import slugify

    if not key or slugify(key) != key or len(key) > 64:
        raise InvalidInput("key 只能含字母、数字、-、_ / key must be a slug", details={"key": "slug"})
    fields = _calendar_fields({"name": name, "time_zone": time_zone, "workday_hours": workday_hours or []})
    if is_24x7:
        fields["working_hours"] = {str(d): [["00:00", "24:00"]] for d in range(7)}
    elif working_hours is not None:
        fields.update(_calendar_fields({"working_hours": working_hours}))
    calendar = BusinessCalendar(key=key, is_24x7=is_24x7, is_default=is_default,
                                uses_statutory_holidays=uses_statutory_holidays and not is_24x7, **fields)
    _check_has_working_time(calendar)
    with transaction.atomic():
        if BusinessCalendar.objects.filter(key=key).exists():
            raise Conflict("日历 key 已存在 / a calendar with this key exists", details={"key": key})
        if is_default:
            _make_default(calendar)
        calendar.save(force_insert=True)
        if calendar.uses_statutory_holidays and seed_statutory:
            CalendarDay.objects.bulk_create([
                CalendarDay(calendar=calendar, date=d, kind=kind, name=day_name)
                for d, (kind, day_name) in sorted(statutory_days().items())
            ])
            CalendarYear.objects.bulk_create(
                [CalendarYear(calendar=calendar, year=y, source="chinese_calendar") for y in statutory_years()]
            )
        record_audit(actor=actor, action="sla.calendar_created", obj=calendar, data={"key": key, "name": name})
    return calendar


CALENDAR_EDITABLE = {"name", "time_zone", "working_hours", "workday_hours", "is_24x7", "is_default",
                     "uses_statutory_holidays"}


def do_update_calendar(calendar: BusinessCalendar, *, actor: User | None, **fields: Any) -> BusinessCalendar:
    unknown = set(fields) - CALENDAR_EDITABLE
    if unknown:
        raise InvalidInput(f"unknown fields: {sorted(unknown)}")
    fields = _calendar_fields(fields)
    if fields.get("is_default") is False and calendar.is_default:
        raise InvalidInput(
            "请把另一个日历设为默认 / make another calendar the default instead", details={"is_default": "required"}
        )
    if fields.get("is_24x7"):
        fields["working_hours"] = {str(d): [["00:00", "24:00"]] for d in range(7)}
    with transaction.atomic():
        locked = BusinessCalendar.objects.select_for_update().get(pk=calendar.pk)
        diff: dict[str, Any] = {}
        for name, value in fields.items():
            if getattr(locked, name) != value:
                diff[name] = {"old": getattr(locked, name), "new": value}
                setattr(calendar, name, value)
        if not diff:
            return calendar
        _check_has_working_time(calendar)
        if fields.get("is_default"):
            _make_default(calendar)
        calendar.version = locked.version
        calendar.save(update_fields=list(diff))
        _touch(calendar)
        record_audit(actor=actor, action="sla.calendar_updated", obj=calendar, data=diff)
    clear_cache()
    return calendar


def do_delete_calendar(calendar: BusinessCalendar, *, actor: User | None) -> None:
    if calendar.is_default:
        raise Conflict("不能删除默认日历 / the default calendar cannot be deleted")
    with transaction.atomic():
        if SlaPolicy.objects.filter(calendar=calendar).exists():
            raise Conflict("日历被 SLA 策略使用 / the calendar is used by an SLA policy")
        record_audit(actor=actor, action="sla.calendar_deleted", obj=calendar, data={"key": calendar.key})
        TicketSla.objects.filter(calendar=calendar).update(calendar=None)
        try:
            calendar.delete()
        except ProtectedError as exc:
            raise Conflict("日历仍被使用 / the calendar is still in use") from exc
    clear_cache()


def _check_kind(kind: str) -> None:
    if kind not in DayKind.values:
        raise InvalidInput("kind 应为 holiday 或 workday / kind must be holiday or workday",
                           details={"kind": DayKind.values})


def do_set_calendar_day(
    calendar: BusinessCalendar, *, actor: User | None, day: date, kind: str, name: str = ""
) -> CalendarDay:
    """Add or change one exceptional day (a holiday, or a make-up workday 调休)."""
    _check_kind(kind)
    if not 1900 <= day.year <= 2200:
        raise InvalidInput("日期超出范围 / date out of range", details={"date": str(day)})
    name = (name or "").strip()[:100]
    with transaction.atomic():
        row, created = CalendarDay.objects.update_or_create(
            calendar=calendar, date=day, defaults={"kind": kind, "name": name}
        )
        _touch(calendar)
        record_audit(actor=actor, action="sla.calendar_day_set", obj=calendar,
                     data={"date": day.isoformat(), "kind": kind, "name": name, "created": created})
    return row


def do_delete_calendar_day(calendar: BusinessCalendar, *, actor: User | None, day: date) -> None:
    with transaction.atomic():
        deleted, _ = CalendarDay.objects.filter(calendar=calendar, date=day).delete()
        if deleted:
            _touch(calendar)
            record_audit(actor=actor, action="sla.calendar_day_deleted", obj=calendar, data={"date": day.isoformat()})


@dataclass
class ImportResult:
    year: int
    dry_run: bool
    added: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0


def _day_json(day: date, kind: str, name: str) -> dict[str, Any]:
    return {"date": day.isoformat(), "kind": kind, "name": name}


def do_import_schedule(
    calendar: BusinessCalendar, *, actor: User | None, year: int, days: list[ScheduleDay], dry_run: bool
) -> ImportResult:
    """Replace the calendar's holidays and make-up workdays of ``year`` with ``days``.

    With ``dry_run`` nothing is written: the result lists what would be added, changed and removed.
    """
    if not 1900 <= year <= 2200:
        raise InvalidInput("年份超出范围 / year out of range", details={"year": year})
    result = ImportResult(year=year, dry_run=dry_run)
    with transaction.atomic():
        existing = {
            d.date: d for d in CalendarDay.objects.filter(calendar=calendar, date__year=year)
        }
        incoming = {d.date: d for d in days}
        for day, new in sorted(incoming.items()):
            old = existing.get(day)
            if old is None:
                result.added.append(_day_json(day, new.kind, new.name))
            elif (old.kind, old.name) != (new.kind, new.name):
                result.changed.append({**_day_json(day, new.kind, new.name), "old_kind": old.kind,
                                       "old_name": old.name})
            else:
                result.unchanged += 1
        for day, old in sorted(existing.items()):
            if day not in incoming:
                result.removed.append(_day_json(day, old.kind, old.name))
        if dry_run:
            return result
        CalendarDay.objects.filter(calendar=calendar, date__year=year).exclude(date__in=list(incoming)).delete()
        for day, new in incoming.items():
            CalendarDay.objects.update_or_create(calendar=calendar, date=day,
                                                 defaults={"kind": new.kind, "name": new.name})
        CalendarYear.objects.update_or_create(calendar=calendar, year=year,
                                              defaults={"source": "import", "updated_at": clock.now()})
        _touch(calendar)
        record_audit(actor=actor, action="sla.calendar_imported", obj=calendar, data={
            "year": year, "added": len(result.added), "changed": len(result.changed),
            "removed": len(result.removed),
        })
    return result


# ---------------------------------------------------------------- policies


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _check_targets(targets: Any) -> dict[str, Any]:
    if not isinstance(targets, dict):
        raise InvalidInput("targets 应为对象 / targets must be an object", details={"targets": "object expected"})
    out: dict[str, Any] = {}
    for priority, per in targets.items():
        if priority not in Priority.values:
            raise InvalidInput("未知优先级 / unknown priority", details={"targets": f"{priority!s:.10}"})
        if not isinstance(per, dict) or set(per) - {"first_response_minutes", "resolution_minutes"}:
            raise InvalidInput(
                "每个优先级应为 {first_response_minutes, resolution_minutes} / each priority needs "
                "first_response_minutes and/or resolution_minutes", details={f"targets.{priority}": "object"},
            )
        clean: dict[str, float | int] = {}
        for key, value in per.items():
            if value is None:
                continue
            number = _number(value)
            if number is None or not 0 < number <= MAX_TARGET_MINUTES:
                raise InvalidInput(
                    f"时限应为 0..{MAX_TARGET_MINUTES} 分钟 / targets are minutes in (0, {MAX_TARGET_MINUTES}]",
                    details={f"targets.{priority}.{key}": str(value)[:20]},
                )
            clean[key] = int(number) if number == int(number) else number
        out[priority] = clean
    return out


def _check_fractions(value: Any) -> list[float]:
    if not isinstance(value, list) or len(value) > 5:
        raise InvalidInput("warning_fractions 应为最多5个数 / up to 5 fractions", details={"warning_fractions": "list"})
    out = []
    for item in value:
        number = _number(item)
        if number is None or not 0 < number < 1:
            raise InvalidInput("预警比例应在 0 与 1 之间 / fractions lie strictly between 0 and 1",
                               details={"warning_fractions": str(item)[:20]})
        out.append(number)
    return sorted(set(out))


def _check_escalation(value: Any) -> list[dict[str, Any]]:
    from complaintdesk.accounts.models import Role, User

    if not isinstance(value, list) or len(value) > 3:
        raise InvalidInput("升级链最多3级 / the escalation chain has up to 3 steps", details={"escalation": "list"})
    out: list[dict[str, Any]] = []
    for i, step in enumerate(value):
        where = f"escalation.{i}"
        if not isinstance(step, dict):
            raise InvalidInput("升级步骤应为对象 / a step must be an object", details={where: "object"})
        level, after, to = step.get("level"), _number(step.get("after_minutes", 0)), step.get("to")
        if level not in (1, 2, 3) or any(s["level"] == level for s in out):
            raise InvalidInput("级别应为 1、2、3 且不重复 / levels are 1, 2, 3, once each", details={where: "level"})
        if after is None or not 0 <= after <= MAX_TARGET_MINUTES:
            raise InvalidInput("after_minutes 无效 / invalid after_minutes", details={where: "after_minutes"})
        if to not in ESCALATION_TARGETS:
            raise InvalidInput("升级对象无效 / unknown escalation target",
                               details={where: f"to: one of {list(ESCALATION_TARGETS)}"})
        clean: dict[str, Any] = {"level": level, "after_minutes": int(after) if after == int(after) else after,
                                 "to": to}
        if to == "user" or step.get("user_id") is not None:
            user_id = step.get("user_id")
            if isinstance(user_id, bool) or not isinstance(user_id, int) or not User.objects.filter(
                    pk=user_id, is_active=True).exists():
                raise InvalidInput("用户不存在 / no such active user", details={where: "user_id"})
            clean["user_id"] = user_id
        if to == "role" or step.get("role") is not None:
            role = step.get("role")
            if not isinstance(role, str) or not Role.objects.filter(key=role).exists():
                raise InvalidInput("角色不存在 / no such role", details={where: "role"})
            clean["role"] = role
        out.append(clean)
    return sorted(out, key=lambda s: s["level"])


def _check_node_targets(value: Any) -> dict[str, float | int]:
    if not isinstance(value, dict) or len(value) > 200:
        raise InvalidInput("node_targets 应为 {节点: 小时} / node_targets maps node ids to hours",
                           details={"node_targets": "object"})
    out: dict[str, float | int] = {}
    for node, hours in value.items():
        number = _number(hours)
        if not isinstance(node, str) or not node or len(node) > 100 or number is None or not 0 < number <= 8784:
            raise InvalidInput("节点时限无效 / invalid node target", details={"node_targets": str(node)[:100]})
        out[node] = int(number) if number == int(number) else number
    return out


def _check_policy_condition(condition: Any) -> Any:
    if condition in (None, {}):
        return None
    from complaintdesk.expressions.conditions import check_condition
    from complaintdesk.expressions.fields import TICKET_FIELDS

    problems = check_condition(condition, catalog=TICKET_FIELDS)
    if problems:
        raise InvalidInput("条件无效 / invalid condition", code="invalid_condition",
                           details={"condition": [p.as_dict() for p in problems]})
    return condition


POLICY_EDITABLE = {"name", "description", "condition", "order", "is_active", "calendar", "targets",
                   "warning_fractions", "escalation", "node_targets"}


def _clean_policy(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - POLICY_EDITABLE
    if unknown:
        raise InvalidInput(f"unknown fields: {sorted(unknown)}")
    out = dict(fields)
    if "name" in out:
        name = str(out["name"] or "").strip()
        if not name or len(name) > 100:
            raise InvalidInput("名称必填且不超过100字 / name is required (max 100)", details={"name": "required"})
        out["name"] = name
    if "description" in out:
        out["description"] = str(out["description"] or "")[:2000]
    if "order" in out and (isinstance(out["order"], bool) or not isinstance(out["order"], int)
                           or not -1_000_000 <= out["order"] <= 1_000_000):
        raise InvalidInput("order 应为整数 / order must be an integer", details={"order": "integer"})
    if "condition" in out:
        out["condition"] = _check_policy_condition(out["condition"])
    if "targets" in out:
        out["targets"] = _check_targets(out["targets"])
    if "warning_fractions" in out:
        out["warning_fractions"] = _check_fractions(out["warning_fractions"])
    if "escalation" in out:
        out["escalation"] = _check_escalation(out["escalation"])
    if "node_targets" in out:
        out["node_targets"] = _check_node_targets(out["node_targets"])
    return out


def _freeze(policy: SlaPolicy) -> None:
    SlaPolicyVersion.objects.create(policy=policy, version=policy.version, snapshot=policy_snapshot(policy),
                                    created_at=policy.updated_at)


DEFAULT_TARGETS: dict[str, dict[str, int]] = {
    "P1": {"first_response_minutes": 15, "resolution_minutes": 120},
    "P2": {"first_response_minutes": 60, "resolution_minutes": 480},
    "P3": {"first_response_minutes": 240, "resolution_minutes": 1440},
    "P4": {"first_response_minutes": 480, "resolution_minutes": 4320},
}


def do_create_policy(*, actor: User | None, name: str, **fields: Any) -> SlaPolicy:
    fields = _clean_policy({"name": name, **fields})
    fields.setdefault("targets", DEFAULT_TARGETS)
    fields.setdefault("warning_fractions", [0.75, 0.9])
    now = clock.now()
    try:
        with transaction.atomic():
            policy = SlaPolicy.objects.create(created_at=now, updated_at=now, updated_by=actor, **fields)
            _freeze(policy)
            record_audit(actor=actor, action="sla.policy_created", obj=policy, data={"name": policy.name})
    except IntegrityError as exc:
        raise Conflict("策略名称已存在 / a policy with this name exists", details={"name": fields["name"]}) from exc
    return policy


def do_update_policy(policy: SlaPolicy, *, actor: User | None, **fields: Any) -> SlaPolicy:
    """Change a policy: a new version; clocks already running keep theirs."""
    fields = _clean_policy(fields)
    try:
        with transaction.atomic():
            locked = SlaPolicy.objects.select_for_update().get(pk=policy.pk)
            diff: dict[str, Any] = {}
            for name, value in fields.items():
                old = getattr(locked, name)
                if old != value:
                    diff[name] = {"old": getattr(locked, f"{name}_id") if name == "calendar" else old,
                                  "new": value.pk if name == "calendar" and value is not None else value}
                setattr(policy, name, value)
            if not diff:
                return policy
            policy.version = locked.version + 1
            policy.updated_at = clock.now()
            policy.updated_by = actor
            policy.save(update_fields=[*diff, "version", "updated_at", "updated_by"])
            _freeze(policy)
            record_audit(actor=actor, action="sla.policy_updated", obj=policy,
                         data={"version": policy.version, "changes": diff})
    except IntegrityError as exc:
        raise Conflict("策略名称已存在 / a policy with this name exists", details={"name": policy.name}) from exc
    return policy


def do_delete_policy(policy: SlaPolicy, *, actor: User | None) -> None:
    with transaction.atomic():
        if TicketSla.objects.filter(policy=policy).exists():
            raise Conflict("已有工单使用此策略，请停用 / tickets run on this policy: deactivate it instead",
                           details={"is_active": False})
        record_audit(actor=actor, action="sla.policy_deleted", obj=policy, data={"name": policy.name})
        policy.delete()


def do_reorder_policies(*, actor: User | None, policy_ids: list[int]) -> list[SlaPolicy]:
    """Give the listed policies the orders 10, 20, 30 ... (first match wins)."""
    if len(set(policy_ids)) != len(policy_ids):
        raise InvalidInput("策略重复 / a policy is listed twice", details={"ids": "duplicates"})
    with transaction.atomic():
        policies = {p.pk: p for p in SlaPolicy.objects.select_for_update().filter(pk__in=policy_ids)}
        missing = [i for i in policy_ids if i not in policies]
        if missing:
            raise InvalidInput("策略不存在 / unknown policies", details={"ids": missing[:20]})
        for position, pid in enumerate(policy_ids, start=1):
            do_update_policy(policies[pid], actor=actor, order=position * 10)
    return [policies[i] for i in policy_ids]
