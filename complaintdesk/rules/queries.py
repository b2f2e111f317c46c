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


def rule_run_stats(*, viewer: User) -> dict[int, dict[str, Any]]:
    """Per rule id: runs in the log, matched runs, the last run and the last match (one query)."""
    from django.db.models import Count, Max, Q

    check_perm(viewer, P.RULE_ADMIN)
    rows = (RuleRun.objects.filter(rule__isnull=False).order_by().values("rule_id")
            .annotate(n_runs=Count("id"), n_matched=Count("id", filter=Q(matched=True)),
                      last_run=Max("created_at"), last_match=Max("created_at", filter=Q(matched=True))))
    # (annotation names differ from the model's fields: "matched" would shadow RuleRun.matched)
    return {row["rule_id"]: {"runs": row["n_runs"], "matched": row["n_matched"], "last_run_at": row["last_run"],
                             "last_matched_at": row["last_match"]} for row in rows}


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


def dry_run(*, viewer: User, body: dict[str, Any], days: int, limit: int | None = None,
            include_unmatched: bool = False) -> DryRunResult:
    """Which of the last ``days`` days' tickets (in the viewer's scope, newest first, at most
    ``MAX_DRY_RUN_SCAN``, or the ``limit`` most recent) the rule matches now, and what each action
    would do to each — changing nothing: conditions are evaluated and actions only described
    (``describe``). With ``include_unmatched`` the tickets it does not match are listed too
    (``matched: false``, no actions), so a reviewer sees what the rule leaves alone."""
    from complaintdesk.rules.actions import check_rule_body
    from complaintdesk.tickets.queries import visible_tickets

    check_perm(viewer, P.RULE_ADMIN)
    if not 1 <= days <= MAX_DRY_RUN_DAYS:
        raise InvalidInput(f"days 必须在 1 到 {MAX_DRY_RUN_DAYS} 之间 / days must be 1 to {MAX_DRY_RUN_DAYS}",
                           details={"days": days})
    if limit is not None and not 1 <= limit <= MAX_DRY_RUN_SCAN:
        raise InvalidInput(f"limit 必须在 1 到 {MAX_DRY_RUN_SCAN} 之间 / limit must be 1 to {MAX_DRY_RUN_SCAN}",
                           details={"limit": limit})
    check_rule_body(body)
    condition = compile_condition(body.get("condition", {"all": []}), catalog=TICKET_FIELDS)
    now = clock.now()
    qs = visible_tickets(viewer).filter(created_at__gte=now - timedelta(days=days), merged_into__isnull=True)
    newest = qs.order_by("-created_at", "-id")
    cap = limit or MAX_DRY_RUN_SCAN
    scanned = qs.count()
    if limit is not None or include_unmatched or not condition.queryable:
        # Evaluate in Python over the newest tickets (the window the user asked to look at).
        tickets = list(TICKET_FIELDS.prepare(newest)[:cap])
        truncated_scan = scanned > cap
        scanned = min(scanned, cap)
    else:  # the database narrows first; both interpreters agree (property-tested)
        tickets = list(TICKET_FIELDS.prepare(newest.filter(condition.to_q(now=now)))[:cap])
        truncated_scan = False
    matched = condition.matching(tickets, now=now)
    matched_ids = {t.pk for t in matched}
    listed = tickets if include_unmatched else matched
    out: list[dict[str, Any]] = []
    for ticket in listed[:MAX_DRY_RUN_LIST]:
        hit = ticket.pk in matched_ids
        described = []
        for action in body.get("actions", []) if hit else []:
            action_type = get_action_type(action["type"])
            params = action.get("params") or {}
            try:
                text = action_type.describe(ticket, params) if action_type else "?"
            except Exception as exc:  # describing must never fail the whole dry run
                text = f"无法描述 / Could not describe: {exc}"
            described.append({"type": action["type"], "description": text})
        out.append({"id": ticket.pk, "number": ticket.number, "subject": ticket.subject,
                    "created_at": ticket.created_at, "matched": hit, "actions": described})
    return DryRunResult(days=days, scanned=scanned, matched=len(matched),
                        truncated=len(listed) > MAX_DRY_RUN_LIST or truncated_scan, tickets=out)
