"""Assignment strategies: choose one user out of candidates (a team's members, a role's holders ...).

Used by the rules engine's "assign" action and by the workflow engine's team assignee rules, so
both pick people the same way. ``pick_assignee`` never returns a deactivated user. Strategies are
registered by name in ``STRATEGIES``; the load of a user (for "least loaded") is the sum of what
each registered ``LOAD_SOURCES`` function reports — tickets register their open tickets, the
workflow engine its open work items — so no app has to import another's models here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from complaintdesk.core import sequences

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


def pick_assignee(
    *, strategy_name: str, candidates: Sequence[User], ticket: Ticket | None = None, pool_key: str = ""
) -> User | None:
    """Choose one active user from ``candidates`` with the named strategy (None: nobody available).

    ``pool_key`` names the pool for stateful strategies (round robin), e.g. ``"team:7"``.
    Must run inside the caller's transaction (round robin advances a counter).
    """
    if strategy_name not in STRATEGIES:
        from complaintdesk.core.errors import InvalidInput

        raise InvalidInput(f"未知的分派策略 / Unknown assignment strategy: {strategy_name!r}",
                           details={"strategy": strategy_name, "known": sorted(STRATEGIES)})
    active = sorted({u.pk: u for u in candidates if u.is_active}.values(), key=lambda u: u.pk)
    return STRATEGIES[strategy_name](active, ticket, pool_key or "default")
