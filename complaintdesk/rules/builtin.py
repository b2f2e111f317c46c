"""The built-in rule action types: set fields / category / priority, add and remove tags, assign
(user, team or department with a strategy, the customer's account owner) and add an internal note.

Every one changes the ticket through ``complaintdesk.tickets.actions`` (so the timeline, audit and
domain events are the same as for a person's change) with ``actor=None``; the engine runs them in
the rule run's transaction with the channel ``rule``. References to teams, departments, users and
categories are resolved when the action runs: a missing one is an error of that run, never a crash.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from complaintdesk.core.errors import InvalidInput
from complaintdesk.rules.registry import ActionContext, param, register_action

if TYPE_CHECKING:
    from complaintdesk.accounts.models import Department, Team, User
    from complaintdesk.tickets.models import Category, Ticket

PRIORITIES = ("P1", "P2", "P3", "P4")
LEVELS = ("high", "medium", "low")
SIMPLE_FIELDS = {"subject": 300, "description": 20000, "order_number": 64}
CHOICE_FIELDS = {"urgency": LEVELS, "impact": LEVELS, "priority": PRIORITIES}
DATA_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")
ASSIGN_TARGETS = ("user", "team", "department", "account_owner")
MAX_NOTE = 2000


def _params_object(params: Any) -> list[str]:
    return [] if isinstance(params, dict) else ["params 必须是对象 / params must be an object"]


def _ref_ok(value: Any) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool) and value > 0) or (
        isinstance(value, str) and 0 < len(value.strip()) <= 100)


# --- lookups (at run time) ----------------------------------------------------------------


def find_team(ref: Any) -> Team | None:
    from complaintdesk.accounts.models import Team

    if isinstance(ref, int) and not isinstance(ref, bool):
        return Team.objects.filter(pk=ref, is_active=True).first()
    return Team.objects.filter(name=str(ref).strip(), is_active=True).first()


def find_department(ref: Any) -> Department | None:
    from complaintdesk.accounts.models import Department

    if isinstance(ref, int) and not isinstance(ref, bool):
        return Department.objects.filter(pk=ref, is_active=True).first()
    text = str(ref).strip()
    return (Department.objects.filter(code=text, is_active=True).first()
            or Department.objects.filter(name=text, is_active=True).order_by("id").first())


def find_user(ref: Any) -> User | None:
    from complaintdesk.accounts.models import User

    if isinstance(ref, int) and not isinstance(ref, bool):
        return User.objects.filter(pk=ref).first()
    return User.objects.filter(username=str(ref).strip()).first()


def find_category(key: Any) -> Category | None:
    from complaintdesk.tickets.models import Category

    return Category.objects.filter(key=str(key), is_active=True).first()


# --- set_fields ---------------------------------------------------------------------------


def _validate_set_fields(params: dict[str, Any]) -> list[str]:
    problems = _params_object(params)
    if problems:
        return problems
    fields = params.get("fields")
    if not isinstance(fields, dict) or not fields:
        return ["fields 必须是非空对象 / fields must be a non-empty object of field: value"]
    for name, value in fields.items():
        if name in SIMPLE_FIELDS:
            if not isinstance(value, str) or len(value) > SIMPLE_FIELDS[name]:
                problems.append(f"{name}: 必须是不超过 {SIMPLE_FIELDS[name]} 字的文本 / "
                                f"must be text of at most {SIMPLE_FIELDS[name]} characters")
            elif name == "subject" and not value.strip():
                problems.append("subject: 不能为空 / must not be empty")
        elif name in CHOICE_FIELDS:
            if value not in CHOICE_FIELDS[name]:
                problems.append(f"{name}: 必须是 {list(CHOICE_FIELDS[name])} 之一 / must be one of "
                                f"{list(CHOICE_FIELDS[name])}")
        elif name.startswith("data."):
            if not DATA_KEY.match(name[5:]):
                problems.append(f"{name}: 无效的自定义字段名 / invalid custom field key")
            elif isinstance(value, dict | list) and len(str(value)) > 10000:
                problems.append(f"{name}: 值过大 / value too large")
        else:
            problems.append(f"{name}: 不可由规则设置的字段 / not a field rules can set (allowed: "
                            f"{sorted([*SIMPLE_FIELDS, *CHOICE_FIELDS])} and data.<key>)")
    return problems


def _describe_set_fields(ticket: Ticket, params: dict[str, Any]) -> str:
    parts = []
    for name, value in (params.get("fields") or {}).items():
        old = ticket.data.get(name[5:]) if name.startswith("data.") else getattr(ticket, name, None)
        parts.append(f"{name}: {old!r} → {value!r}")
    text = "; ".join(parts)
    return f"设置字段：{text} / Set fields: {text}"


def _run_set_fields(ctx: ActionContext, params: dict[str, Any]) -> dict[str, Any]:
    from complaintdesk.tickets.actions import do_update_ticket

    fields: dict[str, Any] = {}
    data: dict[str, Any] = {}
    for name, value in params["fields"].items():
        if name.startswith("data."):
            data[name[5:]] = value
        else:
            fields[name] = value
    if data:
        fields["data"] = data
    do_update_ticket(ctx.ticket, actor=None, **fields)
    return {"fields": sorted(params["fields"])}


# --- set_category -------------------------------------------------------------------------


def _validate_set_category(params: dict[str, Any]) -> list[str]:
    problems = _params_object(params)
    if not problems and not (isinstance(params.get("category"), str) and params["category"].strip()):
        problems.append("category: 需要分类编码 / a category key is required")
    return problems


def _describe_set_category(ticket: Ticket, params: dict[str, Any]) -> str:
    category = find_category(params.get("category"))
    if category is None:
        return f"分类“{params.get('category')}”不存在 / Category {params.get('category')!r} not found"
    old = ticket.category.key if ticket.category_id and ticket.category else None
    return (f"设置分类：{old} → {category.key}（{category.name}） / Set category: {old} → {category.key} "
            f"({category.name_en or category.name})")


def _run_set_category(ctx: ActionContext, params: dict[str, Any]) -> dict[str, Any]:
    from complaintdesk.tickets.actions import do_update_ticket

    category = find_category(params["category"])
    if category is None:
        raise InvalidInput(f"分类“{params['category']}”不存在或已停用 / Category {params['category']!r} "
                           "not found or inactive")
    do_update_ticket(ctx.ticket, actor=None, category=category)
    return {"category": category.key}


# --- set_priority -------------------------------------------------------------------------


def _validate_set_priority(params: dict[str, Any]) -> list[str]:
    problems = _params_object(params)
    if problems:
        return problems
    has_priority, has_raise = "priority" in params, "raise" in params
    if has_priority == has_raise:
        return ["需要 priority（P1-P4）或 raise（1-3 级）之一 / give exactly one of priority (P1-P4) or "
                "raise (1-3 levels)"]
    if has_priority and params["priority"] not in PRIORITIES:
        problems.append(f"priority: 必须是 {list(PRIORITIES)} 之一 / must be one of {list(PRIORITIES)}")
    if has_raise and (not isinstance(params["raise"], int) or isinstance(params["raise"], bool)
                      or not 1 <= params["raise"] <= 3):
        problems.append("raise: 必须是 1 到 3 的整数 / must be an integer from 1 to 3")
    return problems


def _target_priority(ticket: Ticket, params: dict[str, Any]) -> str:
    if "priority" in params:
        return str(params["priority"])
    index = PRIORITIES.index(ticket.priority) if ticket.priority in PRIORITIES else 2
    return PRIORITIES[max(0, index - int(params["raise"]))]


def _describe_set_priority(ticket: Ticket, params: dict[str, Any]) -> str:
    change = f"{ticket.priority} → {_target_priority(ticket, params)}"
    return f"设置优先级：{change} / Set priority: {change}"


def _run_set_priority(ctx: ActionContext, params: dict[str, Any]) -> dict[str, Any]:
    from complaintdesk.tickets.actions import do_update_ticket

    old = ctx.ticket.priority
    new = _target_priority(ctx.ticket, params)
    do_update_ticket(ctx.ticket, actor=None, priority=new)
    return {"old": old, "new": new}


# --- tags ---------------------------------------------------------------------------------


def _validate_tags(params: dict[str, Any]) -> list[str]:
    problems = _params_object(params)
    if problems:
        return problems
    tags = params.get("tags")
    if (not isinstance(tags, list) or not tags or len(tags) > 20
            or not all(isinstance(t, str) and 0 < len(t.strip()) <= 50 for t in tags)):
        problems.append("tags: 1-20 个标签，每个不超过 50 字 / 1 to 20 tags of at most 50 characters")
    return problems


def _current_tags(ticket: Ticket) -> list[str]:
    return sorted(ticket.tags.values_list("name", flat=True))


def _describe_add_tags(ticket: Ticket, params: dict[str, Any]) -> str:
    tags = ", ".join(params.get("tags") or [])
    return f"添加标签：{tags} / Add tags: {tags}"


def _run_add_tags(ctx: ActionContext, params: dict[str, Any]) -> dict[str, Any]:
    from complaintdesk.tickets.actions import do_update_ticket

    current = _current_tags(ctx.ticket)
    wanted = sorted({*current, *(t.strip() for t in params["tags"])})
    if wanted != current:
        do_update_ticket(ctx.ticket, actor=None, tags=wanted)
    return {"added": sorted(set(wanted) - set(current))}


def _describe_remove_tags(ticket: Ticket, params: dict[str, Any]) -> str:
    tags = ", ".join(params.get("tags") or [])
    return f"移除标签：{tags} / Remove tags: {tags}"


def _run_remove_tags(ctx: ActionContext, params: dict[str, Any]) -> dict[str, Any]:
    from complaintdesk.tickets.actions import do_update_ticket

    current = _current_tags(ctx.ticket)
    drop = {t.strip() for t in params["tags"]}
    wanted = [t for t in current if t not in drop]
    if wanted != current:
        do_update_ticket(ctx.ticket, actor=None, tags=wanted)
    return {"removed": sorted(set(current) - set(wanted))}


# --- assign -------------------------------------------------------------------------------


def _validate_assign(params: dict[str, Any]) -> list[str]:
    from complaintdesk.rules.assignment import STRATEGIES

    problems = _params_object(params)
    if problems:
        return problems
    to = params.get("to")
    if to not in ASSIGN_TARGETS:
        return [f"to: 必须是 {list(ASSIGN_TARGETS)} 之一 / must be one of {list(ASSIGN_TARGETS)}"]
    if to in ("user", "team", "department") and not _ref_ok(params.get(to)):
        problems.append(f"{to}: 需要 id 或名称 / an id or a name is required")
    for key in ("strategy", "fallback"):
        if params.get(key) is not None and params[key] not in STRATEGIES:
            problems.append(f"{key}: 未知的分派策略 / unknown strategy (one of {sorted(STRATEGIES)})")
    if to == "user" and params.get("strategy") is not None:
        problems.append("strategy: 指定用户时不用策略 / no strategy when assigning to a user")
    if params.get("fallback") is not None and params.get("strategy") is None and to != "account_owner":
        problems.append("fallback: 仅与 strategy 一起使用 / only together with a strategy")
    return problems


def _describe_assign(ticket: Ticket, params: dict[str, Any]) -> str:
    to = params.get("to")
    strategy = params.get("strategy")
    chain = f"{strategy}{' → ' + params['fallback'] if params.get('fallback') else ''}"
    how, how_en = (f"（策略 {chain}）", f" (strategy {chain})") if strategy else ("", "")
    if to == "user":
        user = find_user(params.get("user"))
        if user is None:
            return f"用户“{params.get('user')}”不存在 / User {params.get('user')!r} not found"
        return f"分派给 {user.username} / Assign to {user.username}"
    if to == "team":
        team = find_team(params.get("team"))
        if team is None:
            return f"团队“{params.get('team')}”不存在 / Team {params.get('team')!r} not found"
        return f"分派到团队 {team.name}{how} / Assign to team {team.name}{how_en}"
    if to == "department":
        dept = find_department(params.get("department"))
        if dept is None:
            return f"部门“{params.get('department')}”不存在 / Department {params.get('department')!r} not found"
        return f"分派到部门 {dept.name}{how} / Assign to department {dept.name}{how_en}"
    return "分派给客户经理 / Assign to the customer's account owner"


def _pick(strategy: str | None, fallback: str | None, candidates: list[User], ticket: Ticket,
          pool_key: str) -> tuple[User | None, str | None]:
    from complaintdesk.rules.assignment import pick_assignee

    for name in (strategy, fallback):
        if name:
            chosen = pick_assignee(strategy_name=name, candidates=candidates, ticket=ticket, pool_key=pool_key)
            if chosen is not None:
                return chosen, name
    return None, None


def _run_assign(ctx: ActionContext, params: dict[str, Any]) -> dict[str, Any]:
    from complaintdesk.accounts.models import User
    from complaintdesk.tickets.actions import UNSET, do_assign_ticket

    ticket = ctx.ticket
    to = params["to"]
    strategy, fallback = params.get("strategy"), params.get("fallback")
    if to == "user":
        user = find_user(params["user"])
        if user is None:
            raise InvalidInput(f"用户“{params['user']}”不存在 / User {params['user']!r} not found")
        if not user.is_active:
            raise InvalidInput(f"用户“{user.username}”已停用 / User {user.username!r} is deactivated")
        do_assign_ticket(ticket, actor=None, assignee=user)
        return {"assignee_id": user.pk}
    if to == "team":
        team = find_team(params["team"])
        if team is None:
            raise InvalidInput(f"团队“{params['team']}”不存在或已停用 / Team {params['team']!r} not found or inactive")
        chosen, used = (_pick(strategy, fallback, list(team.members.all()), ticket, f"team:{team.pk}")
                        if strategy else (None, None))
        do_assign_ticket(ticket, actor=None, team=team, assignee=chosen if chosen is not None else UNSET)
        return {"team_id": team.pk, "assignee_id": chosen.pk if chosen else None, "strategy": used}
    if to == "department":
        dept = find_department(params["department"])
        if dept is None:
            raise InvalidInput(f"部门“{params['department']}”不存在或已停用 / Department {params['department']!r} "
                               "not found or inactive")
        members = list(User.objects.filter(department=dept))
        chosen, used = _pick(strategy, fallback, members, ticket, f"department:{dept.pk}") if strategy else (None, None)
        do_assign_ticket(ticket, actor=None, department=dept, assignee=chosen if chosen is not None else UNSET)
        return {"department_id": dept.pk, "assignee_id": chosen.pk if chosen else None, "strategy": used}
    # account_owner
    owner = ticket.customer.account_owner if ticket.customer_id and ticket.customer else None
    chosen, used = _pick("account_owner", None, [owner] if owner else [], ticket, "account_owner")
    if chosen is None:
        return {"assignee_id": None, "reason": "客户经理不存在或不可用 / no available account owner"}
    do_assign_ticket(ticket, actor=None, assignee=chosen)
    return {"assignee_id": chosen.pk, "strategy": used}


# --- add_internal_note --------------------------------------------------------------------


def _validate_note(params: dict[str, Any]) -> list[str]:
    problems = _params_object(params)
    if not problems:
        body = params.get("body")
        if not isinstance(body, str) or not body.strip() or len(body) > MAX_NOTE:
            problems.append(f"body: 需要 1-{MAX_NOTE} 字的内容 / text of 1 to {MAX_NOTE} characters is required")
    return problems


def _note_text(ticket: Ticket, body: str) -> str:
    return body.replace("{number}", ticket.number).replace("{subject}", ticket.subject)


def _describe_note(ticket: Ticket, params: dict[str, Any]) -> str:
    note = _note_text(ticket, str(params.get("body", "")))[:200]
    return f"添加内部备注：{note} / Add internal note: {note}"


def _run_note(ctx: ActionContext, params: dict[str, Any]) -> dict[str, Any]:
    from complaintdesk.tickets.actions import do_add_comment

    comment = do_add_comment(ctx.ticket, actor=None, body=_note_text(ctx.ticket, params["body"]), is_public=False)
    return {"comment_id": comment.pk}


_STRATEGY_CHOICES = [
    ("round_robin", "轮流分派", "Round robin"),
    ("least_loaded", "负载最少", "Least loaded"),
    ("skill", "按技能", "By skill"),
    ("account_owner", "客户经理", "Account owner"),
]

SET_FIELDS_PARAMS = [
    param("fields", "fields", label="字段与值", label_en="Fields and values", required=True,
          help="可设置 subject、description、order_number、urgency、impact、priority 与自定义字段 data.<key>",
          help_en="subject, description, order_number, urgency, impact, priority and custom fields data.<key>"),
]
SET_CATEGORY_PARAMS = [
    param("category", "category", label="分类", label_en="Category", required=True),
]
SET_PRIORITY_PARAMS = [
    param("priority", "priority", label="设为优先级", label_en="Set priority to",
          help="与“提升级数”二选一", help_en="Either this or “raise by”"),
    param("raise", "number", label="提升级数", label_en="Raise by (levels)", minimum=1, maximum=3,
          help="P3 提升 1 级为 P2，最高 P1", help_en="P3 raised by 1 is P2; never above P1"),
]
TAGS_PARAMS = [param("tags", "tags", label="标签", label_en="Tags", required=True)]
ASSIGN_PARAMS = [
    param("to", "choice", label="分派给", label_en="Assign to", required=True, default="team", choices=[
        ("user", "指定用户", "A user"), ("team", "团队", "A team"), ("department", "部门", "A department"),
        ("account_owner", "客户经理", "The customer's account owner")]),
    param("user", "user", label="用户", label_en="User", required=True, show_if={"to": ["user"]}),
    param("team", "team", label="团队", label_en="Team", required=True, show_if={"to": ["team"]}),
    param("department", "department", label="部门", label_en="Department", required=True,
          show_if={"to": ["department"]}),
    param("strategy", "choice", label="成员分派策略", label_en="Member strategy", choices=_STRATEGY_CHOICES,
          show_if={"to": ["team", "department"]},
          help="不选则只分派到团队/部门", help_en="Empty: assign to the team/department only"),
    param("fallback", "choice", label="备用策略", label_en="Fallback strategy", choices=_STRATEGY_CHOICES,
          show_if={"to": ["team", "department"]}),
]
NOTE_PARAMS = [
    param("body", "textarea", label="备注内容", label_en="Note", required=True,
          help="{number}、{subject} 会替换为工单编号与标题", help_en="{number} and {subject} are replaced"),
]


def register_builtin_actions() -> None:
    register_action("set_fields", label="设置字段", label_en="Set fields", validate=_validate_set_fields,
                    describe=_describe_set_fields, run=_run_set_fields, params=SET_FIELDS_PARAMS)
    register_action("set_category", label="设置分类", label_en="Set category", validate=_validate_set_category,
                    describe=_describe_set_category, run=_run_set_category, params=SET_CATEGORY_PARAMS)
    register_action("set_priority", label="设置优先级", label_en="Set priority", validate=_validate_set_priority,
                    describe=_describe_set_priority, run=_run_set_priority, params=SET_PRIORITY_PARAMS)
    register_action("add_tags", label="添加标签", label_en="Add tags", validate=_validate_tags,
                    describe=_describe_add_tags, run=_run_add_tags, params=TAGS_PARAMS)
    register_action("remove_tags", label="移除标签", label_en="Remove tags", validate=_validate_tags,
                    describe=_describe_remove_tags, run=_run_remove_tags, params=TAGS_PARAMS)
    register_action("assign", label="分派", label_en="Assign", validate=_validate_assign,
                    describe=_describe_assign, run=_run_assign, params=ASSIGN_PARAMS)
    register_action("add_internal_note", label="添加内部备注", label_en="Add internal note",
                    validate=_validate_note, describe=_describe_note, run=_run_note, params=NOTE_PARAMS)
