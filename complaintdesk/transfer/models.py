"""Import and export jobs (导入导出任务) and what each import wrote, for rollback."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models

from complaintdesk.core import clock
from complaintdesk.transfer.choices import JobKind, JobStatus, RecordAction, RecordType


def _now() -> Any:
    return clock.now()


def _job_file_path(instance: TransferJob, filename: str) -> str:
    stamp = clock.now()
    suffix = filename.rsplit(".", 1)[-1][:8] if "." in filename else "bin"
    return f"transfer/{stamp:%Y/%m}/{secrets.token_hex(10)}.{suffix}"


class TransferJob(models.Model):
    """A long import or export that its owner watches (STYLE rule 8): status, progress, log.

    An import keeps its uploaded ``source`` file, the column ``mapping`` and the dry-run ``report``;
    ``resume_row`` is the spreadsheet row number of the last row of the last *committed* batch, so
    running the job again after a crash continues after it. An export keeps its ``result`` file.
    """

    kind = models.CharField(max_length=10, choices=JobKind.choices)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.UPLOADED)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="transfer_jobs")
    file_name = models.CharField(max_length=255, blank=True, default="")
    file_format = models.CharField(max_length=8, blank=True, default="")
    source = models.FileField(upload_to=_job_file_path, max_length=300, blank=True, default="")
    source_sha256 = models.CharField(max_length=64, blank=True, default="")
    result = models.FileField(upload_to=_job_file_path, max_length=300, blank=True, default="")
    result_name = models.CharField(max_length=255, blank=True, default="")
    # Import: the detected sheet layout (headers, header rows, sample rows) and the mapping.
    layout = models.JSONField(default=dict, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    # Export: filters, columns and format; import: run options.
    options = models.JSONField(default=dict, blank=True)
    report = models.JSONField(default=dict, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    rows_failed = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    batches_done = models.PositiveIntegerField(default=0)
    resume_row = models.PositiveIntegerField(default=0)
    log = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=_now)
    updated_at = models.DateTimeField(default=_now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="transfer_job_owner")]

    def __str__(self) -> str:
        return f"{self.kind}#{self.pk} ({self.status})"


class ImportedRecord(models.Model):
    """One object an import created or updated; ``snapshot`` holds an updated ticket's fields
    before the import, so a rollback can restore them (created objects are deleted)."""

    job = models.ForeignKey(TransferJob, on_delete=models.CASCADE, related_name="records")
    object_type = models.CharField(max_length=10, choices=RecordType.choices)
    object_id = models.BigIntegerField()
    action = models.CharField(max_length=10, choices=RecordAction.choices)
    row = models.PositiveIntegerField(default=0)
    snapshot = models.JSONField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["object_type", "object_id"], name="imported_record_object")]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"
