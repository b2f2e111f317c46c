"""Assignee rules (``cd:assignee``): who gets the work items of a user task.

``resolve_assignments`` turns a rule into a list of ``Assignment`` — one per work item to create.
Without ``cd:multi`` a rule gives one item: a single person (assignee) or a pool of candidates
(claim first). With ``cd:multi`` every person (or every department, for ``departments``) gets an
item of their own, and the node's completion rule counts them (countersign / any-sign / quorum).

Mapping decisions: ``department_head`` ``of: customer_region`` is the manager of the active
department whose ``code`` equals the customer's ``region_code`` (else whose ``name`` equals the
customer's ``region``). ``team`` names a Team by name or id; ``role`` a Role key; ``departments``
entries are department names or codes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from complaintdesk.accounts.models import Department, Team, User

if TYPE_CHECKING:
    from complaintdesk.tickets.models import Ticket
    from complaintdesk.workflows.models import ProcessInstance

RULE_TYPES = ("users", "role", "department_head", "field", "initiator", "node_handler", "team", "departments")


@dataclass
class Assignment:
    """One work item to create: a person, or a pool of candidate users."""

    assignee: User | None = None
    candidates: list[int] = field(default_factory=list)
    role: str = ""
    team: Team | None = None
    department: Department | None = None


def check_assignee_rule(rule: Any) -> list[str]:
    """Every problem of an assignee rule (shape only; names are resolved when the task starts)."""
    if not isinstance(rule, dict):
        return ["cd:assignee 必须是对象 / cd:assignee must be an object"]
    kind = rule.get("type")
    if kind not in RULE_TYPES:
        return [f"未知的处理人规则 {kind!r} / Unknown assignee rule type (one of {list(RULE_TYPES)})"]
    out: list[str] = []

    def need_list(key: str) -> None:
        value = rule.get(key)
        if not isinstance(value, list) or not value or not all(isinstance(v, str | int) for v in value):
            out.append(f"{kind} 规则需要非空列表 {key} / rule {kind!r} needs a non-empty list {key!r}")

    def need_str(key: str, choices: tuple[str, ...] = ()) -> None:
        value = rule.get(key)
        if not isinstance(value, str) or not value or (choices and value not in choices):
            extra = f" ({'/'.join(choices)})" if choices else ""
            out.append(f"{kind} 规则需要 {key}{extra} / rule {kind!r} needs {key!r}{extra}")

    if kind == "users":
        need_list("users")
    elif kind == "role":
        need_str("role")
        if "within" in rule:
            need_str("within", ("all", "ticket_department"))
    elif kind == "department_head":
        need_str("of", ("ticket", "customer_region"))
    elif kind == "field":
        need_str("field")
    elif kind == "node_handler":
        need_str("node")
    elif kind == "team":
        if not isinstance(rule.get("team"), str | int) or rule.get("team") in ("", None):
            out.append("team 规则需要 team / rule 'team' needs 'team'")
        if "strategy" in rule:
            from complaintdesk.rules.assignment import STRATEGIES

            if rule["strategy"] != "pool" and rule["strategy"] not in STRATEGIES:
                out.append(f"未知的分派策略 {rule['strategy']!r} / Unknown strategy (pool or one of "
                           f"{sorted(STRATEGIES)})")
    elif kind == "departments":
        need_list("departments")
        if "role" in rule:
            need_str("role")
    return out


def _active(qs: Any) -> list[User]:
    return list(qs.filter(is_active=True).order_by("id"))


def _users_by_ref(refs: list[Any]) -> list[User]:
    names = [r for r in refs if isinstance(r, str)]
    ids = [r for r in refs if isinstance(r, int)]
    return _active(User.objects.filter(Q(username__in=names) | Q(pk__in=ids)))


def _department(ref: Any) -> Department | None:
    qs = Department.objects.filter(is_active=True)
    if isinstance(ref, int):
        return qs.filter(pk=ref).first()
    return qs.select_related("manager").filter(Q(name=ref) | Q(code=ref)).order_by("id").first()


def _role_holders(role: str, department: Department | None, *, subtree: bool = True) -> list[User]:
    qs = User.objects.filter(roles__key=role)
    if department is not None:
        qs = qs.filter(department__path__startswith=department.path) if subtree else qs.filter(department=department)
    return _active(qs.distinct())


def _region_department(ticket: Ticket) -> Department | None:
    customer = ticket.customer if ticket.customer_id else None
    if customer is None:
        return None
    qs = Department.objects.filter(is_active=True)
    found = qs.filter(code=customer.region_code).first() if customer.region_code else None
    if found is None and customer.region:
        found = qs.filter(name=customer.region).order_by("id").first()
    return found


def _team(ref: Any) -> Team | None:
    qs = Team.objects.filter(is_active=True)
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        found = qs.filter(pk=int(ref)).first()
        if found is not None:
            return found
    return qs.filter(name=str(ref)).first()


def _field_users(ticket: Ticket, key: str) -> list[User]:
    value = (ticket.data or {}).get(key)
    refs = value if isinstance(value, list) else [value]
    clean: list[Any] = []
    for ref in refs:
        if isinstance(ref, dict):
            ref = ref.get("id", ref.get("username"))
        if isinstance(ref, str) and ref.isdigit():
            ref = int(ref)
        if isinstance(ref, int | str) and not isinstance(ref, bool):
            clean.append(ref)
    return _users_by_ref(clean) if clean else []


def resolve_assignments(rule: dict[str, Any], *, ticket: Ticket, instance: ProcessInstance,
                        multi: bool) -> list[Assignment]:
    """The work items to create for ``rule`` (may be empty: nobody found)."""
    kind = rule.get("type")

    def people(users: list[User], **extra: Any) -> list[Assignment]:
        if not users:
            return []
        if multi:
            return [Assignment(assignee=u, **extra) for u in users]
        if len(users) == 1:
            return [Assignment(assignee=users[0], **extra)]
        return [Assignment(candidates=[u.pk for u in users], **extra)]

    if kind == "users":
        return people(_users_by_ref(list(rule.get("users") or [])))
    if kind == "role":
        within = ticket.department if rule.get("within") == "ticket_department" else None
        if rule.get("within") == "ticket_department" and within is None:
            return []
        return people(_role_holders(str(rule["role"]), within), role=str(rule["role"]))
    if kind == "department_head":
        if rule.get("of") == "ticket":
            dept = (Department.objects.select_related("manager").filter(pk=ticket.department_id).first()
                    if ticket.department_id is not None else None)
        else:
            dept = _region_department(ticket)
        if dept is None or dept.manager_id is None or not dept.manager or not dept.manager.is_active:
            return []
        return [Assignment(assignee=dept.manager, department=dept)]
    if kind == "field":
        return people(_field_users(ticket, str(rule["field"])))
    if kind == "initiator":
        user = instance.started_by or ticket.created_by
        return [Assignment(assignee=user)] if user is not None and user.is_active else []
    if kind == "node_handler":
        from complaintdesk.workflows.models import WorkItem

        handler = (WorkItem.objects.filter(instance=instance, node_id=rule["node"], state="completed",
                                           completed_by__isnull=False, kind="task")
                   .select_related("completed_by").order_by("-completed_at", "-id").first())
        user = handler.completed_by if handler is not None else None
        return [Assignment(assignee=user)] if user is not None and user.is_active else []
    if kind == "team":
        team = _team(rule["team"])
        if team is None:
            return []
        members = _active(team.members.all())
        strategy = rule.get("strategy", "pool")
        if multi:
            return [Assignment(assignee=u, team=team) for u in members]
        if strategy == "pool":
            return [Assignment(candidates=[u.pk for u in members], team=team)] if members else []
        from complaintdesk.rules.assignment import pick_assignee

        chosen = pick_assignee(strategy_name=str(strategy), candidates=members, ticket=ticket,
                               pool_key=f"team:{team.pk}")
        return [Assignment(assignee=chosen, team=team)] if chosen is not None else []
    if kind == "departments":
        out: list[Assignment] = []
        for ref in rule.get("departments") or []:
            dept = _department(ref)
            if dept is None:
                continue
            if rule.get("role"):
                holders = _role_holders(str(rule["role"]), dept)
                if len(holders) == 1:
                    out.append(Assignment(assignee=holders[0], role=str(rule["role"]), department=dept))
                elif holders:
                    out.append(Assignment(candidates=[u.pk for u in holders], role=str(rule["role"]),
                                          department=dept))
            elif dept.manager is not None and dept.manager.is_active:
                out.append(Assignment(assignee=dept.manager, department=dept))
        return out
    return []
