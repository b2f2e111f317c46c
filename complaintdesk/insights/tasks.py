"""Alert jobs. Running the evaluation twice is harmless: an evaluation brings each rule's alerts in
line with the counts at that moment, and a second one at the same moment finds nothing to change."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from complaintdesk.insights.actions import evaluate_all_alert_rules

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*/15"), name="insights.evaluate_alert_rules")
def evaluate_alert_rules() -> dict[str, int]:
    """Every 15 minutes: evaluate every enabled alert rule (a failing rule is logged and skipped)."""
    outcome = evaluate_all_alert_rules()
    if outcome["failed"]:
        logger.warning("alert evaluation: %(evaluated)d rules evaluated, %(failed)d failed", outcome)
    return outcome
