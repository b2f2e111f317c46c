"""Rules jobs."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from complaintdesk.rules.actions import do_prune_rule_runs
from complaintdesk.rules.timed import do_time_passed_sweep

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/10"), name="rules.time_passed_sweep")
def time_passed_sweep() -> int:
    """Every 10 minutes: evaluate the "time passed" rules on open tickets. Running it twice is
    harmless: a time rule runs at most once per ticket and rule version."""
    count = do_time_passed_sweep()
    if count:
        logger.info("time-passed rules evaluated on %d tickets", count)
    return count


@db_periodic_task(crontab(hour="3", minute="41"), name="rules.prune_runs")
def prune_runs() -> int:
    """Daily: delete unmatched rule runs older than 30 days. Running it twice deletes nothing more."""
    count = do_prune_rule_runs()
    if count:
        logger.info("pruned %d unmatched rule runs", count)
    return count
