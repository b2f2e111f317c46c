"""Assignment strategies: choose one user out of candidates (a team's members, a role's holders ...).

Used by the rules engine's "assign" action and by the workflow engine's team assignee rules, so
both pick people the same way. ``pick_assignee`` never returns a deactivated user. Strategies are
registered by name in ``STRATEGIES``; the load of a user (for "least loaded") is the sum of what
each registered ``LOAD_SOURCES`` function reports — tickets register their open tickets, the
workflow engine its open work items — so no app has to import another's models here.

Strategies: ``round_robin`` (take turns within a pool), ``least_loaded`` (fewest open items,
weighted by priority), ``skill`` (category / product / product-line skills on users, see
``accounts.UserSkill``), ``account_owner`` (the customer's account owner). ``pick_assignee`` also
skips users who are away / off duty or outside their working hours (``User.working_hours``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from complaintdesk.core import clock, sequences

if TYPE_CHECKING:
    from complaintdesk.accounts.models import User
    from complaintdesk.tickets.models import Ticket

# Weight of an open ticket in a user's load, by priority: one P1 weighs as much as four P4s.
PRIORITY_WEIGHT: dict[str, float] = {"P1": 4.0, "P2": 3.0, "P3": 2.0, "P4": 1.0}

# ``fn(user_ids) -> {user_id: load}``; missing users count as 0.
LoadSource = Callable[[list[int]], dict[int, float]]
LOAD_SOURCES: list[LoadSource] = []

# ``fn(candidates, ticket, pool_key) -> chosen user or None``; candidates are active users, sorted by id.
Strategy = Callable[[list["User"], "Ticket | None", str], "User | None"]
STRATEGIES: dict[str, Strategy] = {}


def load_source(fn: LoadSource) -> LoadSource:
    """Decorator: add ``fn`` to the sources summed into a user's load."""
    if fn not in LOAD_SOURCES:
        LOAD_SOURCES.append(fn)
    return fn


def strategy(name: str) -> Callable[[Strategy], Strategy]:
    """Decorator: register an assignment strategy under ``name``."""

    def register(fn: Strategy) -> Strategy:
        STRATEGIES[name] = fn
        return fn

    return register


def user_loads(user_ids: list[int]) -> dict[int, float]:
    totals = dict.fromkeys(user_ids, 0.0)
    for source in LOAD_SOURCES:
        for user_id, load in source(user_ids).items():
            if user_id in totals:
                totals[user_id] += load
    return totals


@load_source
def open_ticket_load(user_ids: list[int]) -> dict[int, float]:
    """Open tickets assigned to each user, weighted by priority."""
    from django.db.models import Count

    from complaintdesk.tickets.choices import OPEN_STATUSES
    from complaintdesk.tickets.models import Ticket

    loads: dict[int, float] = {}
    rows = (
        Ticket.objects.filter(assignee_id__in=user_ids, status__in=OPEN_STATUSES, merged_into__isnull=True)
        .values("assignee_id", "priority").annotate(n=Count("id"))
    )
    for row in rows:
        loads[row["assignee_id"]] = loads.get(row["assignee_id"], 0.0) + row["n"] * PRIORITY_WEIGHT.get(
            row["priority"], 1.0
        )
    return loads


@strategy("round_robin")
def round_robin(candidates: list[User], ticket: Ticket | None, pool_key: str) -> User | None:
    """The next candidate after the one chosen last time for the same pool (a gap-free counter per
    pool, so concurrent assignments in one pool take turns instead of picking the same person)."""
    if not candidates:
        return None
    turn = sequences.next_value(f"assign.rr.{pool_key}")
    return candidates[(turn - 1) % len(candidates)]


@strategy("least_loaded")
def least_loaded(candidates: list[User], ticket: Ticket | None, pool_key: str) -> User | None:
    """The candidate with the smallest load (ties: the lowest id, so the choice is reproducible)."""
    if not candidates:
        return None
    loads = user_loads([u.pk for u in candidates])
    return min(candidates, key=lambda u: (loads.get(u.pk, 0.0), u.pk))


@strategy("skill")
def by_skill(candidates: list[User], ticket: Ticket | None, pool_key: str) -> User | None:
    """The candidate most skilled for the ticket's category (a skill on a parent category covers its
    subcategories), product or product line: highest skill level first, then the least loaded,
    then the lowest id. Nobody skilled: None (the caller's fallback strategy decides)."""
    if not candidates or ticket is None:
        return None
    levels = skill_levels([u.pk for u in candidates], ticket)
    skilled = [u for u in candidates if u.pk in levels]
    if not skilled:
        return None
    loads = user_loads([u.pk for u in skilled])
    return min(skilled, key=lambda u: (-levels[u.pk], loads.get(u.pk, 0.0), u.pk))


@strategy("account_owner")
def account_owner(candidates: list[User], ticket: Ticket | None, pool_key: str) -> User | None:
    """The customer's account owner (客户经理) when they are one of the candidates, else None."""
    if ticket is None or ticket.customer_id is None or ticket.customer is None:
        return None
    owner_id = ticket.customer.account_owner_id
    return next((u for u in candidates if u.pk == owner_id), None)


def skill_levels(user_ids: list[int], ticket: Ticket) -> dict[int, int]:
    """``{user_id: best level}`` of the users' skills that match the ticket."""
    from django.db.models import Q

    from complaintdesk.accounts.models import UserSkill

    match = Q(pk__in=[])
    if ticket.category_id is not None:
        category_ids = [int(p) for p in (ticket.category.path if ticket.category else "").split("/") if p]
        match |= Q(category_id__in=[*category_ids, ticket.category_id])
    if ticket.product_id is not None:
        match |= Q(product_id=ticket.product_id)
        line_id = ticket.product.line_id if ticket.product else None
        if line_id is not None:
            match |= Q(product_line_id=line_id)
    levels: dict[int, int] = {}
    for user_id, level in UserSkill.objects.filter(match, user_id__in=user_ids).values_list("user_id", "level"):
        levels[user_id] = max(levels.get(user_id, 0), level)
    return levels


# --- availability -------------------------------------------------------------------------

WEEKDAYS = ("1", "2", "3", "4", "5", "6", "7")  # ISO: 1 = Monday


def _minutes(text: Any) -> int | None:
    if not isinstance(text, str) or len(text) != 5 or text[2] != ":":
        return None
    hours, minutes = text[:2], text[3:]
    if not (hours.isdigit() and minutes.isdigit()):
        return None
    value = int(hours) * 60 + int(minutes)
    return value if int(minutes) < 60 and value <= 24 * 60 else None


def check_working_hours(value: Any) -> list[str]:
    """Every problem with a working-hours value (``{"1": [["09:00", "18:00"]], ...}``)."""
    if not isinstance(value, dict):
        return ["工作时间必须是对象 / working_hours must be an object"]
    problems: list[str] = []
    for day, spans in value.items():
        if day not in WEEKDAYS:
            problems.append(f"未知的星期 {day!r}（1=周一 … 7=周日）/ Unknown weekday {day!r} (1 = Monday … 7 = Sunday)")
            continue
        if not isinstance(spans, list):
            problems.append(f"{day}: 必须是时段列表 / must be a list of [from, to] spans")
            continue
        for span in spans:
            ok = isinstance(span, list) and len(span) == 2
            start, end = (_minutes(span[0]), _minutes(span[1])) if ok else (None, None)
            if start is None or end is None or start >= end:
                problems.append(f"{day}: 无效时段 {span!r}（HH:MM，开始早于结束）/ "
                                f"invalid span {span!r} (HH:MM, start before end)")
    return problems


def within_working_hours(user: User, at: datetime | None = None) -> bool:
    """Whether ``at`` (default: now) is inside the user's working hours, in the organisation's
    time zone. No working hours set: always."""
    hours = user.working_hours or {}
    if not isinstance(hours, dict) or not hours:
        return True
    from django.utils import timezone

    local = timezone.localtime(at or clock.now())
    spans = hours.get(str(local.isoweekday())) or []
    minute = local.hour * 60 + local.minute
    for span in spans:
        if isinstance(span, list) and len(span) == 2:
            start, end = _minutes(span[0]), _minutes(span[1])
            if start is not None and end is not None and start <= minute < end:
                return True
    return False


def is_available(user: User, at: datetime | None = None) -> bool:
    """Active, on duty (not away or off) and within working hours."""
    from complaintdesk.accounts.choices import Availability

    return bool(user.is_active) and user.availability == Availability.ON_DUTY and within_working_hours(user, at)


def pick_assignee(
    *, strategy_name: str, candidates: Sequence[User], ticket: Ticket | None = None, pool_key: str = "",
    respect_availability: bool = True,
) -> User | None:
    """Choose one active user from ``candidates`` with the named strategy (None: nobody available).

    ``pool_key`` names the pool for stateful strategies (round robin), e.g. ``"team:7"``.
    With ``respect_availability`` (the default) users who are away, off duty or outside their
    working hours are skipped too. Deactivated users are never chosen.
    Must run inside the caller's transaction (round robin advances a counter).
    """
    if strategy_name not in STRATEGIES:
        from complaintdesk.core.errors import InvalidInput

        raise InvalidInput(f"未知的分派策略 / Unknown assignment strategy: {strategy_name!r}",
                           details={"strategy": strategy_name, "known": sorted(STRATEGIES)})
    now = clock.now()
    active = sorted(
        {u.pk: u for u in candidates
         if u.is_active and (not respect_availability or is_available(u, now))}.values(),
        key=lambda u: u.pk,
    )
    return STRATEGIES[strategy_name](active, ticket, pool_key or "default")
