"""Import and export endpoints: upload a spreadsheet → mapping → dry run → import job → progress →
rollback; ticket-list exports (xlsx/csv) as jobs with a download; one ticket with its timeline."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import File, Router
from ninja.files import UploadedFile
from ninja.responses import Status

from complaintdesk.accounts.models import User
from complaintdesk.core import clock
from complaintdesk.core.errors import InvalidInput, NotFound
from complaintdesk.core.schemas import ERRORS, paginate, user_ref
from complaintdesk.tickets import queries as ticket_queries
from complaintdesk.transfer import actions as A
from complaintdesk.transfer import queries
from complaintdesk.transfer.choices import JobKind, JobStatus
from complaintdesk.transfer.export import check_columns, filters_from, ticket_workbook
from complaintdesk.transfer.mapping import TARGETS
from complaintdesk.transfer.models import TransferJob
from complaintdesk.transfer.schemas import ExportIn, JobOut, JobPage, MappingIn, TargetOut

router = Router(tags=["transfer"])

EXPORT_SYNC_LIMIT = 2000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_STATUS_LABELS = dict(JobStatus.choices)


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _progress(job: TransferJob) -> dict[str, Any]:
    total, done = job.rows_total, job.rows_done
    eta = None
    if job.status == JobStatus.RUNNING and job.started_at and done and total > done:
        elapsed = (clock.now() - job.started_at).total_seconds()
        eta = round(elapsed / done * (total - done), 1) if elapsed > 0 else None
    return {"rows_total": total, "rows_done": done, "rows_failed": job.rows_failed, "created": job.created_count,
            "updated": job.updated_count, "batches_done": job.batches_done, "resume_row": job.resume_row,
            "percent": round(100.0 * done / total, 1) if total else (100.0 if job.status == JobStatus.COMPLETED
                                                                    else 0.0),
            "eta_seconds": eta}


def _download_url(job: TransferJob) -> str | None:
    return f"/api/v1/transfer/jobs/{job.pk}/download" if job.result else None


def summary_out(job: TransferJob) -> dict[str, Any]:
    return {"id": job.pk, "kind": job.kind, "status": job.status, "status_label": str(_STATUS_LABELS[job.status]),
            "file_name": job.file_name or job.result_name, "file_format": job.file_format,
            "progress": _progress(job), "download_url": _download_url(job), "created_at": job.created_at,
            "finished_at": job.finished_at}


def job_out(job: TransferJob) -> dict[str, Any]:
    return {**summary_out(job), "owner": user_ref(job.owner), "layout": job.layout, "mapping": job.mapping,
            "options": job.options, "report": job.report, "log": job.log, "error": job.error,
            "started_at": job.started_at}


def _import_job(request: HttpRequest, job_id: int) -> tuple[User, TransferJob]:
    actor = _actor(request)
    A.check_import(actor)
    job = queries.get_job(viewer=actor, job_id=job_id)
    if job.kind != JobKind.IMPORT:
        raise NotFound(f"导入任务不存在 / Import job {job_id} not found")
    return actor, job


@router.get("/transfer/import-targets", response={200: list[TargetOut], **ERRORS},
            summary="Fields a column can be mapped to (ticket and customer fields; form fields are data.<key>)")
def import_targets(request: HttpRequest) -> Any:
    A.check_import(_actor(request))
    return [{"key": t.key, "label": t.label, "kind": t.kind, "synonyms": list(t.synonyms)} for t in TARGETS]


@router.post("/transfer/imports", response={201: JobOut, **ERRORS},
             summary="Upload a spreadsheet to import (xlsx, xls, csv in UTF-8 or GBK): header found, mapping suggested",
             description="Multipart field `file`. With `form_key` the form's fields are suggested for matching "
                         "columns and rows are validated through its published version.")
def create_import(request: HttpRequest, file: File[UploadedFile], form_key: str | None = None) -> Any:
    actor = _actor(request)
    A.check_import(actor)
    if file.size is not None and file.size > A.IMPORT_MAX_BYTES:
        raise InvalidInput(f"文件超过 {A.IMPORT_MAX_BYTES // (1024 * 1024)} MB / File too large", code="bad_file",
                           details={"file": f"max {A.IMPORT_MAX_BYTES} bytes"})
    job = A.do_create_import_job(actor=actor, name=file.name or "import", content=file.read(),
                                 form=(form_key or "")[:64] or None)
    return Status(201, job_out(job))


@router.put("/transfer/imports/{job_id}/mapping", response={200: JobOut, **ERRORS},
            summary="Replace the import's mapping (columns, value maps, defaults, date formats, customer matching)")
def set_mapping(request: HttpRequest, job_id: int, payload: MappingIn) -> Any:
    actor, job = _import_job(request, job_id)
    return job_out(A.do_set_mapping(job, actor=actor, mapping=payload.mapping))


@router.post("/transfer/imports/{job_id}/dry-run", response={200: JobOut, **ERRORS},
             summary="Validate every row without importing: the report, and an xlsx with an error column")
def dry_run(request: HttpRequest, job_id: int) -> Any:
    actor, job = _import_job(request, job_id)
    return job_out(A.do_dry_run(job, actor=actor))


@router.post("/transfer/imports/{job_id}/run", response={202: JobOut, **ERRORS},
             summary="Run the import as a background job (or resume a failed one from its last committed batch)")
def run_import(request: HttpRequest, job_id: int) -> Any:
    actor, job = _import_job(request, job_id)
    A.do_queue_import(job, actor=actor)
    return Status(202, job_out(queries.get_job(viewer=actor, job_id=job.pk)))


@router.post("/transfer/imports/{job_id}/rollback", response={200: JobOut, **ERRORS},
             summary="Undo an import: created tickets deleted, updated ones restored")
def rollback_import(request: HttpRequest, job_id: int) -> Any:
    actor, job = _import_job(request, job_id)
    A.check_rollback_import(actor, job)
    return job_out(A.do_rollback_import(job, actor=actor))


@router.post("/transfer/exports", response={201: JobOut, 202: JobOut, **ERRORS},
             summary="Export a ticket list (the filters of GET /tickets) to xlsx or csv",
             description="Small exports complete at once (201, `download_url` set); large ones run in the "
                         "background (202): poll GET /transfer/jobs/{id} until `completed`.")
def create_export(request: HttpRequest, payload: ExportIn) -> Any:
    actor = _actor(request)
    A.check_export(actor)
    check_columns(payload.columns, payload.form_key)
    filters: dict[str, Any] = payload.filters.dict(exclude_none=True)
    for name in ("created_from", "created_to"):
        value = filters.get(name)
        if isinstance(value, datetime):
            filters[name] = (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    options: dict[str, Any] = {"format": payload.format, "filters": filters, "sort": payload.sort,
                               "columns": payload.columns, "form_key": payload.form_key}
    qs = ticket_queries.list_tickets(viewer=actor, filters=filters_from(options), sort=payload.sort)
    background = payload.background
    if background is None:
        background = qs.values("pk")[: EXPORT_SYNC_LIMIT + 1].count() > EXPORT_SYNC_LIMIT
    job = A.do_create_export_job(actor=actor, options=options, background=background)
    if not background:
        A.run_export(job.pk)
        return Status(201, job_out(queries.get_job(viewer=actor, job_id=job.pk)))
    return Status(202, job_out(queries.get_job(viewer=actor, job_id=job.pk)))


@router.get("/transfer/jobs", response={200: JobPage, **ERRORS}, summary="My import and export jobs")
def list_jobs(request: HttpRequest, kind: str | None = None, page: int = 1, page_size: int = 20) -> Any:
    if kind is not None and kind not in JobKind.values:
        raise InvalidInput("未知的任务类型 / Unknown job kind", details={"kind": JobKind.values})
    jobs, meta = paginate(queries.list_jobs(viewer=_actor(request), kind=kind), page, page_size)
    return {**meta, "items": [summary_out(j) for j in jobs]}


@router.get("/transfer/jobs/{job_id}", response={200: JobOut, **ERRORS},
            summary="One job: status, progress (rows done / total, ETA), report, log")
def get_job(request: HttpRequest, job_id: int) -> Any:
    return job_out(queries.get_job(viewer=_actor(request), job_id=job_id))


@router.get("/transfer/jobs/{job_id}/download", response={200: None, **ERRORS},
            summary="Download the job's file: the export, or the dry-run report (xlsx with an error column)")
def download(request: HttpRequest, job_id: int) -> Any:
    actor = _actor(request)
    job = queries.get_job(viewer=actor, job_id=job_id)
    if job.kind == JobKind.EXPORT:
        A.check_export(actor)
    else:
        A.check_import(actor)
    if not job.result or job.status not in (JobStatus.COMPLETED, JobStatus.CHECKED, JobStatus.QUEUED,
                                            JobStatus.RUNNING, JobStatus.FAILED, JobStatus.ROLLED_BACK):
        raise NotFound("文件尚未生成 / The file is not ready")
    content_type = "text/csv; charset=utf-8" if job.result.name.endswith(".csv") else XLSX
    response = FileResponse(job.result.open("rb"), as_attachment=True,
                            filename=job.result_name or job.result.name.rsplit("/", 1)[-1], content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.get("/transfer/tickets/{ticket_id}/export", response={200: None, **ERRORS},
            summary="One ticket with its full timeline and replies as xlsx (for a customer or regulator)")
def export_ticket(request: HttpRequest, ticket_id: int) -> Any:
    actor = _actor(request)
    ticket = ticket_queries.get_ticket(viewer=actor, ticket_id=ticket_id)
    A.check_export(actor)
    content = ticket_workbook(ticket, actor)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename=\"ticket-{ticket.number}.xlsx\"; " \
                                      f"filename*=UTF-8''%E5%B7%A5%E5%8D%95-{ticket.number}.xlsx"
    response["X-Content-Type-Options"] = "nosniff"
    return response
