"""Every write of the rules app: rules (create, update, enable/disable, reorder, delete — each a new
version with a snapshot, an audit row and a bump of the rules' generation so every process reloads
its compiled rule set) and the assignment profile of users (skills, working hours).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from complaintdesk.accounts import permissions as P
from complaintdesk.accounts.access import check_perm
from complaintdesk.core import clock
from complaintdesk.core.audit import record_audit
from complaintdesk.core.errors import InvalidInput
from complaintdesk.expressions.conditions import check_condition
from complaintdesk.expressions.fields import TICKET_FIELDS
from complaintdesk.rules.engine import bump_generation, trigger_events
from complaintdesk.rules.models import Rule, RuleVersion
from complaintdesk.rules.registry import get_action_type

if TYPE_CHECKING:
    from complaintdesk.accounts.models import User

MAX_ACTIONS = 20
MAX_EVENTS = 20
RULE_FIELDS = ("name", "name_en", "description", "events", "condition", "actions", "order", "stop_after", "enabled")


# --- validation ---------------------------------------------------------------------------


def _problem(path: str, message: str, code: str = "invalid") -> dict[str, str]:
    return {"path": path, "code": code, "message": message}


def rule_problems(body: dict[str, Any]) -> list[dict[str, str]]:
    """Every problem of a rule definition at once (empty when it can be saved). Paths are JSON
    Pointers into the body (``/actions/1/params``)."""
    problems: list[dict[str, str]] = []
    name = body.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        problems.append(_problem("/name", "名称必填，最多 200 字 / name is required, at most 200 characters",
                                 "required"))
    name_en = body.get("name_en", "")
    if not isinstance(name_en, str) or len(name_en) > 200:
        problems.append(_problem("/name_en", "英文名称最多 200 字 / English name: at most 200 characters"))
    description = body.get("description", "")
    if not isinstance(description, str) or len(description) > 5000:
        problems.append(_problem("/description", "描述最多 5000 字 / description: at most 5000 characters"))
    events = body.get("events")
    known = set(trigger_events())
    if not isinstance(events, list) or not events or len(events) > MAX_EVENTS:
        problems.append(_problem("/events", f"需要 1-{MAX_EVENTS} 个触发事件 / 1 to {MAX_EVENTS} trigger events "
                                 "are required", "required"))
    else:
        for i, name_ in enumerate(events):
            if not isinstance(name_, str) or name_ not in known:
                problems.append(_problem(f"/events/{i}", f"未知的触发事件 {name_!r} / unknown trigger event "
                                         f"(one of {sorted(known)})", "unknown_event"))
        if len(set(map(str, events))) != len(events):
            problems.append(_problem("/events", "触发事件重复 / duplicate trigger events", "duplicate"))
    if "condition" in body:
        for p in check_condition(body["condition"], catalog=TICKET_FIELDS):
            problems.append(_problem(f"/condition{p.path}", p.message, p.code))
    actions = body.get("actions", [])
    if not isinstance(actions, list) or len(actions) > MAX_ACTIONS:
        problems.append(_problem("/actions", f"动作必须是最多 {MAX_ACTIONS} 项的列表 / actions: a list of at most "
                                 f"{MAX_ACTIONS}"))
    else:
        for i, action in enumerate(actions):
            if not isinstance(action, dict) or set(action) - {"type", "params"}:
                problems.append(_problem(f"/actions/{i}", "动作格式为 {type, params} / an action is {type, params}"))
                continue
            action_type = get_action_type(str(action.get("type", "")))
            if action_type is None:
                problems.append(_problem(f"/actions/{i}/type", f"未知的动作类型 {action.get('type')!r} / unknown "
                                         "action type", "unknown_action"))
                continue
            params = action.get("params", {})
            if not isinstance(params, dict):
                problems.append(_problem(f"/actions/{i}/params", "params 必须是对象 / params must be an object"))
                continue
            try:
                found = action_type.validate(params)
            except Exception as exc:  # another app's validator must not turn a 422 into a 500
                found = [f"参数无法校验 / parameters could not be checked: {exc}"]
            problems.extend(_problem(f"/actions/{i}/params", message) for message in found)
    for key, kind in (("order", int), ("stop_after", bool), ("enabled", bool)):
        if key in body and (not isinstance(body[key], kind) or (kind is int and isinstance(body[key], bool))):
            problems.append(_problem(f"/{key}", f"{key} 类型错误 / {key} must be {kind.__name__}"))
    if isinstance(body.get("order"), int) and not -1_000_000 <= body["order"] <= 1_000_000:
        problems.append(_problem("/order", "order 超出范围 / order must be within ±1,000,000"))
    return problems


def check_rule_body(body: dict[str, Any]) -> None:
    problems = rule_problems(body)
    if problems:
        raise InvalidInput(
            f"规则有 {len(problems)} 个问题 / The rule has {len(problems)} problem(s)",
            details={"problems": problems},
        )


def _normalise(body: dict[str, Any]) -> dict[str, Any]:
    out = dict(body)
    out["name"] = str(out["name"]).strip()
    out["name_en"] = str(out.get("name_en") or "").strip()
    out["actions"] = [{"type": a["type"], "params": a.get("params") or {}} for a in out.get("actions", [])]
    return out


# --- rules --------------------------------------------------------------------------------


def check_manage_rules(actor: User) -> None:
    check_perm(actor, P.RULE_ADMIN)


def _save_version(rule: Rule, *, actor: User | None) -> None:
    RuleVersion.objects.create(rule=rule, version=rule.version, snapshot=rule.snapshot(), created_by=actor,
                               created_at=rule.updated_at)


def do_create_rule(*, actor: User | None, body: dict[str, Any]) -> Rule:
    """Create a rule (version 1). ``body`` holds the rule fields; every problem is reported at once."""
    unknown = set(body) - set(RULE_FIELDS)
    if unknown:
        raise InvalidInput(f"unknown fields: {sorted(unknown)}", details={"fields": sorted(unknown)})
    check_rule_body(body)
    fields = _normalise(body)
    with transaction.atomic():
        if "order" not in fields:
            last = Rule.objects.order_by("-order").values_list("order", flat=True).first()
            fields["order"] = (last or 0) + 10
        now = clock.now()
        rule = Rule.objects.create(**fields, version=1, created_by=actor, updated_by=actor, created_at=now,
                                   updated_at=now)
        _save_version(rule, actor=actor)
        record_audit(actor=actor, action="rule.created", obj=rule, data={"name": rule.name, "version": 1})
        bump_generation()
    return rule


def do_update_rule(rule: Rule, *, actor: User | None, **fields: Any) -> Rule:
    """Change rule fields; a real change makes a new version (snapshot kept)."""
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise InvalidInput(f"unknown fields: {sorted(unknown)}", details={"fields": sorted(unknown)})
    with transaction.atomic():
        rule = Rule.objects.select_for_update().get(pk=rule.pk)
        merged = {**rule.snapshot(), **fields}
        check_rule_body(merged)
        merged = _normalise(merged)
        changed = sorted(k for k in RULE_FIELDS if merged[k] != getattr(rule, k))
        if not changed:
            return rule
        for key in changed:
            setattr(rule, key, merged[key])
        rule.version += 1
        rule.updated_by = actor
        rule.updated_at = clock.now()
        rule.save(update_fields=[*changed, "version", "updated_by", "updated_at"])
        _save_version(rule, actor=actor)
        record_audit(actor=actor, action="rule.updated", obj=rule, data={"changed": changed, "version": rule.version})
        bump_generation()
    return rule


def do_set_rule_enabled(rule: Rule, *, actor: User | None, enabled: bool) -> Rule:
    return do_update_rule(rule, actor=actor, enabled=enabled)


def do_reorder_rules(*, actor: User | None, rule_ids: list[int]) -> list[Rule]:
    """Put every rule in the given order (the list must name each rule exactly once)."""
    with transaction.atomic():
        existing = {r.pk: r for r in Rule.objects.select_for_update().order_by("id")}
        problems: dict[str, Any] = {}
        missing = sorted(set(existing) - set(rule_ids))
        unknown = sorted(set(rule_ids) - set(existing))
        if missing:
            problems["missing"] = missing
        if unknown:
            problems["unknown"] = unknown
        if len(set(rule_ids)) != len(rule_ids):
            problems["duplicates"] = sorted({i for i in rule_ids if rule_ids.count(i) > 1})
        if problems:
            raise InvalidInput("排序必须恰好列出每条规则一次 / The order must list every rule exactly once",
                               details=problems)
        now = clock.now()
        for position, rule_id in enumerate(rule_ids):
            rule = existing[rule_id]
            new_order = (position + 1) * 10
            if rule.order != new_order:
                rule.order = new_order
                rule.version += 1
                rule.updated_by = actor
                rule.updated_at = now
                rule.save(update_fields=["order", "version", "updated_by", "updated_at"])
                _save_version(rule, actor=actor)
        if rule_ids:
            record_audit(actor=actor, action="rule.reordered", obj=existing[rule_ids[0]], data={"order": rule_ids})
            bump_generation()
    return sorted(existing.values(), key=lambda r: (r.order, r.pk))


def do_delete_rule(rule: Rule, *, actor: User | None) -> None:
    """Delete a rule; its runs stay in the log (with the rule's name)."""
    with transaction.atomic():
        record_audit(actor=actor, action="rule.deleted", obj=rule, data={"name": rule.name, "version": rule.version})
        rule.delete()
        bump_generation()


# --- assignment profile -------------------------------------------------------------------


def check_manage_assignment_profile(actor: User) -> None:
    check_perm(actor, P.USER_MANAGE)


def do_set_user_skills(user: User, *, actor: User | None, skills: list[dict[str, Any]]) -> list[Any]:
    """Replace the user's skills: ``[{"category": key} | {"product_line": id} | {"product": sku}, "level": 1-5]``."""
    from complaintdesk.accounts.models import UserSkill
    from complaintdesk.customers.models import Product, ProductLine
    from complaintdesk.tickets.models import Category

    if len(skills) > 200:
        raise InvalidInput("技能过多 / Too many skills (max 200)", details={"skills": "max 200"})
    rows: list[UserSkill] = []
    problems: list[dict[str, str]] = []
    for i, skill in enumerate(skills):
        subjects = [k for k in ("category", "product_line", "product") if skill.get(k) is not None]
        level = skill.get("level", 3)
        if len(subjects) != 1:
            problems.append(_problem(f"/skills/{i}", "恰好指定 category、product_line、product 之一 / give exactly "
                                     "one of category, product_line, product"))
            continue
        if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 5:
            problems.append(_problem(f"/skills/{i}/level", "level 为 1-5 / level is 1 to 5"))
            continue
        kind = subjects[0]
        value = skill[kind]
        row = UserSkill(user=user, level=level)
        if kind == "category":
            row.category = Category.objects.filter(key=str(value)).first()
            found = row.category is not None
        elif kind == "product_line":
            row.product_line = ProductLine.objects.filter(
                **({"pk": value} if isinstance(value, int) and not isinstance(value, bool) else {"name": str(value)})
            ).first()
            found = row.product_line is not None
        else:
            row.product = Product.objects.filter(sku=str(value)).first()
            found = row.product is not None
        if not found:
            problems.append(_problem(f"/skills/{i}/{kind}", f"不存在 / {kind} {value!r} not found", "not_found"))
            continue
        rows.append(row)
    if problems:
        raise InvalidInput("技能有误 / Invalid skills", details={"problems": problems})
    with transaction.atomic():
        UserSkill.objects.filter(user=user).delete()
        created = UserSkill.objects.bulk_create(rows)
        record_audit(actor=actor, action="user.skills_set", obj=user, data={"skills": skills})
    return created


def do_set_working_hours(user: User, *, actor: User | None, working_hours: dict[str, Any]) -> User:
    from complaintdesk.rules.assignment import check_working_hours

    problems = check_working_hours(working_hours)
    if problems:
        raise InvalidInput("工作时间有误 / Invalid working hours", details={"problems": problems})
    with transaction.atomic():
        old = user.working_hours
        user.working_hours = working_hours
        user.save(update_fields=["working_hours"])
        record_audit(actor=actor, action="user.working_hours_set", obj=user,
                     data={"old": old, "new": working_hours})
    return user


# --- run log retention --------------------------------------------------------------------

UNMATCHED_RUN_RETENTION_DAYS = 30


def do_prune_rule_runs(*, days: int = UNMATCHED_RUN_RETENTION_DAYS, batch: int = 10_000) -> int:
    """Delete runs that did not match and are older than ``days`` (they are most of the log: every
    rule listening to an event is logged for every event); matched runs are kept with the ticket.
    Deletes in batches; returns how many rows went."""
    from datetime import timedelta

    from complaintdesk.rules.models import RuleRun

    cutoff = clock.now() - timedelta(days=days)
    total = 0
    while True:
        ids = list(RuleRun.objects.filter(matched=False, created_at__lt=cutoff).order_by("id")
                   .values_list("id", flat=True)[:batch])
        if not ids:
            return total
        total += RuleRun.objects.filter(pk__in=ids).delete()[0]
