"""Kernel jobs. Running any of them twice is harmless: delivery claims rows one by one."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from complaintdesk.core.outbox import deliver_due

logger = logging.getLogger(__name__)


@db_task(name="core.deliver_outbox")
def deliver_outbox() -> int:
    """Deliver every due outbox row (kicked after commits)."""
    return deliver_due()


@db_periodic_task(crontab(minute="*"), name="core.deliver_outbox_sweep")
def deliver_outbox_sweep() -> int:
    """Every minute: deliver rows whose retry time came or whose kick was missed."""
    count = deliver_due()
    if count:
        logger.info("outbox sweep delivered %d rows", count)
    return count
