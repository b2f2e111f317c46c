"""The "time passed" trigger (ticket.time_passed): a periodic sweep over open tickets for the rules
that listen to it — "open for 3 days and still unassigned", "waiting for the customer for a week".

Only open tickets that match at least one of those rules' conditions are looked at (one query when
the conditions can be compiled to SQL). A time rule runs at most once per ticket and rule version:
the matched runs already logged are excluded like the rule's own chain, so a condition that stays
true does not repeat its actions every sweep; editing the rule (a new version) arms it again.
"""

from __future__ import annotations

import logging
from functools import reduce
from operator import or_

from complaintdesk.core import clock
from complaintdesk.core import events as ev
from complaintdesk.rules import engine
from complaintdesk.rules.models import RuleRun

logger = logging.getLogger(__name__)

BATCH = 2000


def do_time_passed_sweep(*, limit: int = BATCH) -> int:
    """Evaluate the time rules for up to ``limit`` open tickets (least recently swept first: the
    oldest ``updated_at``); returns the number of tickets evaluated. Running it twice is harmless:
    a rule that ran on a ticket does not run there again."""
    from complaintdesk.tickets.choices import OPEN_STATUSES
    from complaintdesk.tickets.models import Ticket

    ruleset = engine.active_ruleset()
    rules = ruleset.for_event(ev.TIME_PASSED)
    runnable = [r for r in rules if r.condition is not None]
    if not runnable:
        return 0
    now = clock.now()
    qs = Ticket.objects.filter(status__in=OPEN_STATUSES, merged_into__isnull=True)
    if all(r.condition is not None and r.condition.queryable for r in runnable):
        qs = qs.filter(reduce(or_, [r.condition.to_q(now=now) for r in runnable if r.condition is not None]))
    ticket_ids = list(qs.order_by("updated_at", "id").values_list("id", flat=True).distinct()[:limit])
    if not ticket_ids:
        return 0
    done: dict[int, set[int]] = {}
    versions = {r.id: r.version for r in rules}
    for ticket_id, rule_id, version in RuleRun.objects.filter(
        ticket_id__in=ticket_ids, rule_id__in=list(versions), event=ev.TIME_PASSED, matched=True,
    ).values_list("ticket_id", "rule_id", "rule_version"):
        if versions.get(rule_id) == version:
            done.setdefault(ticket_id, set()).add(rule_id)
    evaluated = 0
    plan = ruleset.load_plan(ev.TIME_PASSED)
    for ticket_id in ticket_ids:
        ran = done.get(ticket_id, set())
        if len(ran) == len(rules):
            continue
        event = ev.DomainEvent(name=ev.TIME_PASSED, payload={"ticket_id": ticket_id, "at": now.isoformat()})
        try:
            engine.run_rules(event, ticket_id, rules, chain=engine.Chain(0, frozenset(ran)),
                             tree_ids=ruleset.tree_ids, plan=plan)
            evaluated += 1
        except Exception:  # one ticket must not stop the sweep
            logger.exception("rules: time-passed rules failed for ticket %s", ticket_id)
    return evaluated
