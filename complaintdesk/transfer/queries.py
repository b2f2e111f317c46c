"""Reads of transfer jobs: a job is visible to its owner (and superusers) only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from complaintdesk.core.errors import NotFound
from complaintdesk.transfer.models import TransferJob

if TYPE_CHECKING:
    from complaintdesk.accounts.models import User


def list_jobs(*, viewer: User, kind: str | None = None) -> QuerySet[TransferJob]:
    qs = TransferJob.objects.all() if viewer.is_superuser else TransferJob.objects.filter(owner=viewer)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("owner").order_by("-created_at", "-id")


def get_job(*, viewer: User, job_id: int) -> TransferJob:
    job = list_jobs(viewer=viewer).filter(pk=job_id).first()
    if job is None:
        raise NotFound(f"任务不存在 / Job {job_id} not found")
    return job
