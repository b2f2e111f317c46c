"""Workflow jobs. Running either twice is harmless: a fired timer is no longer pending and a timed-out
work item is marked (``timed_out_at``) so its timeout action runs once."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from complaintdesk.workflows.actions import do_fire_due_timers, do_sweep_overdue_work_items

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"), name="workflows.fire_timers")
def fire_timers() -> int:
    """Every minute: advance instances whose BPMN timer (boundary / intermediate) is due by our clock."""
    count = do_fire_due_timers()
    if count:
        logger.info("fired timers of %d process instances", count)
    return count


@db_periodic_task(crontab(minute="*"), name="workflows.sweep_overdue")
def sweep_overdue() -> int:
    """Every minute: run the node timeout action (remind / escalate / transfer / approve) of overdue items."""
    count = do_sweep_overdue_work_items()
    if count:
        logger.info("ran timeout actions of %d work items", count)
    return count
