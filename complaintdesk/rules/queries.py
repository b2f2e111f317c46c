"""Reads of the rules app: rules, their versions and runs, a ticket's runs, and the dry run."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from complaintdesk.accounts import permissions as P
from complaintdesk.accounts.access import check_perm
from complaintdesk.core import clock
from complaintdesk.core.errors import InvalidInput, NotFound
from complaintdesk.expressions.conditions import compile_condition
from complaintdesk.expressions.fields import TICKET_FIELDS
from complaintdesk.rules.models import Rule, RuleRun, RuleVersion
from complaintdesk.rules.registry import get_action_type

if TYPE_CHECKING:
    from complaintdesk.accounts.models import User

MAX_DRY_RUN_DAYS = 366
MAX_DRY_RUN_SCAN = 5000
MAX_DRY_RUN_LIST = 500


def list_rules(*, viewer: User) -> QuerySet[Rule]:
    check_perm(viewer, P.RULE_ADMIN)
    return Rule.objects.select_related("created_by", "updated_by").order_by("order", "id")


def get_rule(*, viewer: User, rule_id: int) -> Rule:
    check_perm(viewer, P.RULE_ADMIN)
    rule = Rule.objects.select_related("created_by", "updated_by").filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(f"规则不存在 / Rule {rule_id} not found")
    return rule


def list_rule_versions(*, viewer: User, rule_id: int) -> QuerySet[RuleVersion]:
    rule = get_rule(viewer=viewer, rule_id=rule_id)
    return RuleVersion.objects.filter(rule=rule).select_related("created_by").order_by("-version")


def list_rule_runs(*, viewer: User, rule_id: int, matched: bool | None = None) -> QuerySet[RuleRun]:
    rule = get_rule(viewer=viewer, rule_id=rule_id)
    qs = RuleRun.objects.filter(rule=rule).select_related("ticket").order_by("-created_at", "-id")
    return qs if matched is None else qs.filter(matched=matched)


def list_ticket_rule_runs(*, viewer: User, ticket_id: int, matched: bool | None = None) -> QuerySet[RuleRun]:
    """The runs on a ticket the viewer can see (ticket view permission and data scope)."""
    from complaintdesk.tickets.queries import visible_tickets

    if not visible_tickets(viewer).filter(pk=ticket_id).exists():
        raise NotFound(f"工单不存在 / Ticket {ticket_id} not found")
    qs = RuleRun.objects.filter(ticket_id=ticket_id).select_related("ticket").order_by("-created_at", "-id")
    return qs if matched is None else qs.filter(matched=matched)


# --- dry run ------------------------------------------------------------------------------


@dataclass
class DryRunResult:
    days: int
    scanned: int
    matched: int
    truncated: bool
    tickets: list[dict[str, Any]] = field(default_factory=list)


def dry_run(*, viewer: User, body: dict[str, Any], days: int) -> DryRunResult:
    """Which of the last ``days`` days' tickets (in the viewer's scope, newest first, at most
    ``MAX_DRY_RUN_SCAN``) the rule matches now, and what each action would do to each — changing
    nothing: conditions are evaluated and actions only described (``describe``)."""
    from complaintdesk.rules.actions import check_rule_body
    from complaintdesk.tickets.queries import visible_tickets

    check_perm(viewer, P.RULE_ADMIN)
    if not 1 <= days <= MAX_DRY_RUN_DAYS:
        raise InvalidInput(f"days 必须在 1 到 {MAX_DRY_RUN_DAYS} 之间 / days must be 1 to {MAX_DRY_RUN_DAYS}",
                           details={"days": days})
    check_rule_body(body)
    condition = compile_condition(body.get("condition", {"all": []}), catalog=TICKET_FIELDS)
    now = clock.now()
    qs = visible_tickets(viewer).filter(created_at__gte=now - timedelta(days=days), merged_into__isnull=True)
    scanned = qs.count()
    candidates = qs
    if condition.queryable:  # the database narrows first; both interpreters agree (property-tested)
        candidates = qs.filter(condition.to_q(now=now))
    tickets = list(TICKET_FIELDS.prepare(candidates.order_by("-created_at", "-id"))[:MAX_DRY_RUN_SCAN])
    matched = condition.matching(tickets, now=now)
    out: list[dict[str, Any]] = []
    for ticket in matched[:MAX_DRY_RUN_LIST]:
        described = []
        for action in body.get("actions", []):
            action_type = get_action_type(action["type"])
            params = action.get("params") or {}
            try:
                text = action_type.describe(ticket, params) if action_type else "?"
            except Exception as exc:  # describing must never fail the whole dry run
                text = f"无法描述 / Could not describe: {exc}"
            described.append({"type": action["type"], "description": text})
        out.append({"id": ticket.pk, "number": ticket.number, "subject": ticket.subject,
                    "created_at": ticket.created_at, "actions": described})
    return DryRunResult(days=days, scanned=min(scanned, MAX_DRY_RUN_SCAN) if not condition.queryable else scanned,
                        matched=len(matched), truncated=len(matched) > MAX_DRY_RUN_LIST
                        or (not condition.queryable and scanned > MAX_DRY_RUN_SCAN), tickets=out)
