"""Transfer jobs (huey). Each takes a job id and refetches it; running one twice is harmless: an
import skips the rows its committed batches already hold (``resume_row``, checked under a row
lock) and only runs from the statuses queued/running/failed; an export only runs when queued or
failed."""

from __future__ import annotations

import logging

from huey.contrib.djhuey import db_task

logger = logging.getLogger(__name__)


@db_task(name="transfer.run_import")
def run_import_job(job_id: int) -> None:
    from complaintdesk.transfer.actions import run_import

    try:
        run_import(job_id)
    except Exception:  # recorded on the job (status failed, error); resumable from its last batch
        logger.warning("import job %s stopped with an error; it can be resumed", job_id)


@db_task(name="transfer.run_export")
def run_export_job(job_id: int) -> None:
    from complaintdesk.transfer.actions import run_export

    try:
        run_export(job_id)
    except Exception:  # recorded on the job (status failed, error)
        logger.warning("export job %s failed", job_id)
