"""Jobs of the notifications app. Running any of them twice is harmless: rows are claimed one by one."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from complaintdesk.notifications.delivery import deliver_due

logger = logging.getLogger(__name__)


@db_task(name="notifications.deliver")
def deliver_notifications() -> int:
    """Send every due delivery (kicked after the commit that created them)."""
    return deliver_due()


@db_periodic_task(crontab(minute="*"), name="notifications.deliver_sweep")
def deliver_notifications_sweep() -> int:
    """Every minute: send deliveries whose retry time came, whose kick was missed or whose lease ended."""
    count = deliver_due()
    if count:
        logger.info("notification sweep sent %d deliveries", count)
    return count
