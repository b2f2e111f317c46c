"""SLA jobs. The sweep runs every minute; running it twice is harmless because each checkpoint's key is
recorded in the same transaction that fires it, and only rows with ``next_check_at <= now`` are read."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from complaintdesk.sla.clocks import do_replan_calendar_clocks, do_sweep

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"), name="sla.sweep")
def sla_sweep() -> int:
    """Every minute: warnings, breaches and escalation steps that came due."""
    result = do_sweep()
    if result.fired or result.failed:
        logger.info("SLA sweep: %d tickets, %d checkpoints fired, %d failed", result.tickets, result.fired,
                    result.failed)
    return result.fired


@db_task(name="sla.replan_calendar")
def replan_calendar(calendar_id: int) -> int:
    """After a calendar changed: recompute the due times of the running clocks on it. Harmless twice."""
    return do_replan_calendar_clocks(calendar_id)
