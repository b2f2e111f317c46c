"""Ticket jobs. Running any of them twice is harmless: a deleted upload is simply not found again."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from complaintdesk.tickets.uploads import do_delete_stale_uploads

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="17"), name="tickets.delete_stale_uploads")
def delete_stale_uploads() -> int:
    """Hourly: delete uploads older than 24 h (never used for a ticket, or used and no longer needed)."""
    count = do_delete_stale_uploads()
    if count:
        logger.info("deleted %d stale uploads", count)
    return count
