"""Every write of the transfer app: import jobs (upload, mapping, dry run, run, rollback) and
export jobs. ``check_*`` hold the permission checks.

Permissions: importing and rolling back need ``settings.manage`` (only administrators by default).
An import creates tickets and customers outside anyone's data scope and a rollback deletes them,
so it is an administrator's migration tool, not an agent's everyday action. Exports need
``ticket.export`` and only ever contain what the viewer may see (data scope, field rights).
"""

from __future__ import annotations

import hashlib
import logging
import math
import queue
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from complaintdesk.accounts import permissions as P
from complaintdesk.accounts.access import check_perm
from complaintdesk.core import clock
from complaintdesk.core.audit import record_audit
from complaintdesk.core.errors import Conflict, InvalidInput, NotFound
from complaintdesk.core.options import TICKET_NUMBER_PATTERN, get_option
from complaintdesk.customers.models import Customer, CustomerExternalId
from complaintdesk.tickets.actions import build_search_text, derive_priority
from complaintdesk.tickets.choices import Channel, EventType
from complaintdesk.tickets.models import Category, Tag, Ticket, TicketEvent
from complaintdesk.tickets.numbering import next_ticket_numbers
from complaintdesk.transfer.choices import JobKind, JobStatus, RecordAction, RecordType
from complaintdesk.transfer.convert import CellError, PreparedRow, RowConverter, match_customers
from complaintdesk.transfer.fastinsert import allocate_ids, insert_rows
from complaintdesk.transfer.mapping import check_mapping, header_score, suggest_mapping
from complaintdesk.transfer.models import ImportedRecord, TransferJob
from complaintdesk.transfer.reader import Layout, Sheet, detect_format, open_sheet

if TYPE_CHECKING:
    from complaintdesk.accounts.models import User

logger = logging.getLogger(__name__)

IMPORT_MAX_BYTES = 200 * 1024 * 1024
MAX_REPORT_ERRORS = 500
MAX_LOG_LINES = 200
SAMPLE_ROWS = 5
STALE_AFTER = timedelta(minutes=10)
# The ticket fields an import sets (and a rollback restores from the snapshot).
IMPORT_FIELDS = ("subject", "description", "status", "category_id", "product_id", "order_number", "urgency",
                 "impact", "priority", "assignee_id", "team_id", "department_id", "customer_id", "data",
                 "form_version_id", "created_at", "updated_at", "accepted_at", "first_response_at", "resolved_at",
                 "closed_at", "search_text")
_TIME_FIELDS = {"created_at", "updated_at", "accepted_at", "first_response_at", "resolved_at", "closed_at"}


# --- checks --------------------------------------------------------------------------------------


def check_import(actor: User) -> None:
    check_perm(actor, P.SETTINGS_MANAGE)


def check_export(actor: User) -> None:
    check_perm(actor, P.TICKET_EXPORT)


def _log(job: TransferJob, message: str) -> None:
    stamp = clock.now().isoformat(timespec="seconds")
    job.log = [*job.log[-(MAX_LOG_LINES - 1):], f"{stamp} {message}"]


# --- upload and mapping --------------------------------------------------------------------------


def _open(job: TransferJob, sheet: str | int | None = None) -> Sheet:
    path: str | None
    try:
        path = job.source.path
    except NotImplementedError:  # remote storage: read through a file object
        path = None
    if path is not None:
        return open_sheet(path, job.file_format, sheet=sheet)
    return open_sheet(job.source.open("rb"), job.file_format, sheet=sheet)


def _form_fields(form_key: str | None) -> list[tuple[str, str, str]]:
    if not form_key:
        return []
    from complaintdesk.forms.choices import VersionStatus
    from complaintdesk.forms.models import FormVersion
    from complaintdesk.forms.schema import compile_schema

    version = FormVersion.objects.filter(form__key=form_key, status=VersionStatus.PUBLISHED).first()
    if version is None:
        return []
    schema = compile_schema(version.schema)
    return [(f.key, str(f.label.get("zh-CN", "")), str(f.label.get("en", "")))
            for f in schema.value_fields() if f.parent is None and not f.field_type.computed]


def _detect(job: TransferJob, *, sheet: str | int | None, header_row: int | None) -> Layout:
    opened = _open(job, sheet)
    layout = opened.layout(header_score, header_row)
    samples = []
    for _, cells in opened.rows(layout):
        samples.append([_json_cell(c) for c in cells])
        if len(samples) >= SAMPLE_ROWS:
            break
    job.layout = {"headers": layout.headers, "header_rows": layout.header_rows,
                  "first_data_row": layout.first_data_row, "sheet": layout.sheet_name,
                  "sheets": layout.sheet_names, "encoding": layout.encoding, "samples": samples}
    return layout


def _json_cell(value: Any) -> Any:
    """A cell as JSON for the sample rows (dates ISO, times and durations as text)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return int(value) if value.is_integer() else value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def do_create_import_job(*, actor: User, name: str, content: bytes, form: str | None = None) -> TransferJob:
    """Store an uploaded spreadsheet, find its header and suggest a mapping (status ``uploaded``)."""
    if len(content) > IMPORT_MAX_BYTES:
        raise InvalidInput(f"文件超过 {IMPORT_MAX_BYTES // (1024 * 1024)} MB / File too large",
                           code="bad_file", details={"file": f"max {IMPORT_MAX_BYTES} bytes"})
    file_format = detect_format(name, content[:8192])
    safe_name = (name or "import").replace("/", "_").replace("\\", "_").strip()[:200] or "import"
    with transaction.atomic():
        now = clock.now()
        job = TransferJob(kind=JobKind.IMPORT, status=JobStatus.UPLOADED, owner=actor, file_name=safe_name,
                          file_format=file_format, source_sha256=hashlib.sha256(content).hexdigest(),
                          created_at=now, updated_at=now)
        job.source.save(f"source.{file_format}", ContentFile(content), save=False)
        try:
            _detect(job, sheet=None, header_row=None)
            headers = job.layout["headers"]
            job.mapping = suggest_mapping(headers, job.layout["samples"], form_fields=_form_fields(form))
            if form:
                job.mapping["form"] = form
            _log(job, f"uploaded {safe_name} ({file_format}, {len(content)} bytes)")
            job.save()
            record_audit(actor=actor, action="import.uploaded", obj=job,
                         data={"file": safe_name, "sha256": job.source_sha256})
        except Exception:
            job.source.storage.delete(job.source.name)
            raise
    return job


def _check_editable(job: TransferJob) -> None:
    if job.kind != JobKind.IMPORT:
        raise NotFound(f"导入任务不存在 / Import job {job.pk} not found")
    if job.status not in (JobStatus.UPLOADED, JobStatus.CHECKED):
        raise Conflict(f"任务状态为 {job.status}，不能再修改映射或校验 / The job is {job.status}: mapping and dry run "
                       f"are only possible before the import runs", details={"status": job.status})


def do_set_mapping(job: TransferJob, *, actor: User, mapping: Any) -> TransferJob:
    """Replace the mapping (checked against the file's columns); a previous dry run is void."""
    _check_editable(job)
    with transaction.atomic():
        raw = dict(mapping) if isinstance(mapping, dict) else mapping
        if isinstance(raw, dict) and (raw.get("sheet") != job.mapping.get("sheet")
                                      or raw.get("header_row") != job.mapping.get("header_row")):
            checked = check_mapping(raw)  # types first: the sheet and header row are used to read the file
            _detect(job, sheet=checked.sheet, header_row=checked.header_row)
        check_mapping(raw, job.layout.get("headers", []))
        job.mapping = raw
        job.status = JobStatus.UPLOADED
        job.report = {}
        job.updated_at = clock.now()
        _log(job, "mapping changed")
        job.save(update_fields=["mapping", "layout", "status", "report", "updated_at", "log"])
        record_audit(actor=actor, action="import.mapping_changed", obj=job, data={"columns": raw.get("columns")})
    return job


# --- dry run -------------------------------------------------------------------------------------


@dataclass
class _Run:
    """What one pass over the file needs."""

    sheet: Sheet
    layout: Layout
    converter: RowConverter


def _prepare_run(job: TransferJob) -> _Run:
    lay = job.layout
    mapping = check_mapping(job.mapping, lay.get("headers", []))
    sheet = _open(job, mapping.sheet)
    layout = Layout(headers=list(lay["headers"]), header_rows=list(lay["header_rows"]),
                    first_data_row=int(lay["first_data_row"]))
    converter = RowConverter(mapping, layout.headers, source_key=job.source_sha256[:16])
    if mapping.form and converter.form_version is None:
        raise InvalidInput("表单不存在或未发布 / Unknown or unpublished form", code="invalid_mapping",
                           details={"form": mapping.form})
    return _Run(sheet, layout, converter)


def _form_errors(converter: RowConverter, prepared: PreparedRow, exc: InvalidInput) -> None:
    errors = exc.details.get("errors") if isinstance(exc.details, dict) else None
    if not isinstance(errors, dict):
        prepared.errors.append(CellError(prepared.row, "data", "", exc.code, exc.message, exc.message))
        return
    for key, found in errors.items():
        top = key.split("[", 1)[0].split(".", 1)[0]
        column = converter.form_columns.get(top, f"data.{key}")
        value = prepared.data.get(top, "")
        for e in found:
            prepared.errors.append(CellError(prepared.row, column, str(value)[:200], e.get("code", "invalid"),
                                             e.get("zh-CN", ""), e.get("en", "")))


def _check_form(converter: RowConverter, prepared: PreparedRow, *, actor: User | None, submit: bool) -> None:
    """The form data through the same evaluation as the ticket API; sealed as stored."""
    version = converter.form_version
    if version is None:
        return
    from complaintdesk.tickets.formdata import evaluate_for_ticket, seal_values

    try:
        schema, result = evaluate_for_ticket(version, prepared.data, actor=actor, trusted=True, submit=submit)
    except InvalidInput as exc:
        _form_errors(converter, prepared, exc)
        return
    prepared.plain_data = dict(result.values)
    prepared.data = seal_values(schema, result.values)


def do_dry_run(job: TransferJob, *, actor: User) -> TransferJob:
    """Validate every row without writing tickets: the report (rows OK, errors with row, column,
    value and message, new customers/categories, value-map misses, duplicates, updates) and an
    xlsx copy of the file with an error column."""
    _check_editable(job)
    run = _prepare_run(job)
    converter = run.converter
    mapping = converter.mapping
    total = ok = 0
    errors: list[dict[str, Any]] = []
    error_rows: dict[int, list[str]] = {}
    seen_ext: dict[str, int] = {}
    duplicates: list[dict[str, Any]] = []
    pending_specs: list[Any] = []
    new_customers: dict[tuple[str, str], str] = {}
    missing_customers = 0
    ext_ids: list[str] = []
    updates = 0

    def flush_customers() -> None:
        nonlocal missing_customers
        if not pending_specs:
            return
        found = match_customers([s for _, s in pending_specs], match=mapping.customer_match,
                                system=mapping.customer_system)
        for row, spec in pending_specs:
            keys = spec.keys(mapping.customer_match) or [("name", spec.name)]
            if any(k in found for k in keys) or any(k in new_customers for k in keys):
                continue
            if not mapping.create_customers:
                missing_customers += 1
                message = "客户不存在且未允许新建 / Customer not found and creating customers is off"
                error_rows.setdefault(row, []).append(message)
                continue
            for k in keys:
                new_customers[k] = spec.name or spec.phone or spec.email or "匿名客户"
        pending_specs.clear()

    def flush_existing() -> None:
        nonlocal updates
        if ext_ids:
            updates += Ticket.objects.filter(channel=Channel.IMPORT, external_id__in=ext_ids).count()
            ext_ids.clear()

    with transaction.atomic():
        job.status = JobStatus.CHECKING
        job.save(update_fields=["status"])
    started = time.monotonic()
    try:
        for row, cells in run.sheet.rows(run.layout):
            total += 1
            prepared = converter.convert(row, cells)
            if converter.form_version is not None and not prepared.errors:
                with transaction.atomic():
                    _check_form(converter, prepared, actor=actor, submit=False)
            if prepared.external_id in seen_ext:
                duplicates.append({"row": row, "external_id": prepared.external_id,
                                   "first_row": seen_ext[prepared.external_id]})
            else:
                seen_ext[prepared.external_id] = row
                ext_ids.append(prepared.external_id)
            if prepared.errors:
                for e in prepared.errors:
                    if len(errors) < MAX_REPORT_ERRORS:
                        errors.append(e.as_dict())
                    error_rows.setdefault(row, []).append(f"[{e.column}] {e.zh} / {e.en}")
            else:
                ok += 1
                if prepared.customer is not None:
                    pending_specs.append((row, prepared.customer))
            if len(pending_specs) >= 2000:
                flush_customers()
            if len(ext_ids) >= 2000:
                flush_existing()
        flush_customers()
        flush_existing()
    except Exception as exc:
        job.status = JobStatus.UPLOADED
        job.error = str(exc)[:2000]
        job.save(update_fields=["status", "error"])
        raise
    rows_with_errors = len(error_rows)
    report = {
        "rows_total": total,
        "rows_ok": total - rows_with_errors,
        "rows_with_errors": rows_with_errors,
        "errors": errors,
        "errors_truncated": sum(len(v) for v in error_rows.values()) > len(errors),
        "new_customers": len(set(new_customers.values())) if new_customers else 0,
        "new_customer_samples": sorted(set(new_customers.values()))[:50],
        "missing_customers": missing_customers,
        "new_categories": sorted(converter.new_categories),
        "value_map_misses": converter.misses.as_list(),
        "duplicates": duplicates[:MAX_REPORT_ERRORS],
        "duplicate_count": len(duplicates),
        "would_update": updates,
        "would_create": max(0, total - rows_with_errors - updates - len(duplicates)),
        "seconds": round(time.monotonic() - started, 2),
    }
    content = _error_workbook(run, error_rows)
    with transaction.atomic():
        if job.result:
            job.result.storage.delete(job.result.name)
        job.result.save("report.xlsx", ContentFile(content), save=False)
        job.result_name = f"{job.file_name.rsplit('.', 1)[0]}-校验报告.xlsx"
        job.report = report
        job.rows_total = total
        job.status = JobStatus.CHECKED
        job.error = ""
        job.updated_at = clock.now()
        _log(job, f"dry run: {total} rows, {rows_with_errors} with errors")
        job.save()
    return job


def _error_workbook(run: _Run, error_rows: dict[int, list[str]]) -> bytes:
    """The rows with errors, each with its row number and an error column ("错误 / Errors") in
    front of its original cells."""
    import io

    import xlsxwriter

    from complaintdesk.transfer.export import safe_text

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})
    sheet = book.add_worksheet("校验结果")
    bold = book.add_format({"bold": True, "bg_color": "#F2F2F2"})
    red = book.add_format({"font_color": "#C00000", "text_wrap": True})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 60)
    sheet.set_column(2, 2 + len(run.layout.headers), 16)
    for c, name in enumerate(["行号 / Row", "错误 / Errors", *run.layout.headers]):
        sheet.write_string(0, c, name, bold)
    out_row = 0
    for row, cells in run.sheet.rows(run.layout):
        messages = error_rows.get(row)
        if not messages:
            continue  # only the rows to fix: the file of a clean 100,000-row import stays small
        out_row += 1
        sheet.write_number(out_row, 0, row)
        sheet.write_string(out_row, 1, safe_text("\n".join(messages))[:32000], red)
        for c, value in enumerate(cells, start=2):
            if value is None or value == "":
                continue
            if isinstance(value, datetime):
                sheet.write_datetime(out_row, c, value.replace(tzinfo=None), date_fmt)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                sheet.write_number(out_row, c, value)
            else:
                sheet.write_string(out_row, c, safe_text(str(value))[:32000])
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(out_row, 1), 1 + len(run.layout.headers))
    book.close()
    return buffer.getvalue()


# --- the import ----------------------------------------------------------------------------------


def _stale(job: TransferJob) -> bool:
    """A running job whose worker died: no batch committed for STALE_AFTER."""
    return job.status == JobStatus.RUNNING and job.updated_at < clock.now() - STALE_AFTER


def do_queue_import(job: TransferJob, *, actor: User) -> TransferJob:
    """Start the import as a job, or resume a failed one (or one whose worker died: ``running``
    without progress for 10 minutes) from its last committed batch."""
    if job.kind != JobKind.IMPORT:
        raise NotFound(f"导入任务不存在 / Import job {job.pk} not found")
    if job.status not in (JobStatus.UPLOADED, JobStatus.CHECKED, JobStatus.FAILED) and not _stale(job):
        raise Conflict(f"任务状态为 {job.status}，不能执行导入 / The job is {job.status}",
                       details={"status": job.status})
    check_mapping(job.mapping, job.layout.get("headers", []))
    from complaintdesk.transfer.tasks import run_import_job

    with transaction.atomic():
        job.status = JobStatus.QUEUED
        job.updated_at = clock.now()
        _log(job, "queued" if job.resume_row == 0 else f"queued to resume after row {job.resume_row}")
        job.save(update_fields=["status", "updated_at", "log"])
        record_audit(actor=actor, action="import.queued", obj=job, data={"resume_row": job.resume_row})
        job_id = job.pk
        transaction.on_commit(lambda: run_import_job(job_id))
    return job


def do_queue_import_now(job: TransferJob, *, actor: User) -> TransferJob:
    """Mark the import queued for a caller that runs it in its own process (the CLI)."""
    if job.kind != JobKind.IMPORT:
        raise NotFound(f"导入任务不存在 / Import job {job.pk} not found")
    if job.status not in (JobStatus.UPLOADED, JobStatus.CHECKED, JobStatus.FAILED) and not _stale(job):
        raise Conflict(f"任务状态为 {job.status}，不能执行导入 / The job is {job.status}",
                       details={"status": job.status})
    with transaction.atomic():
        job.status = JobStatus.QUEUED
        job.updated_at = clock.now()
        _log(job, "started from the command line")
        job.save(update_fields=["status", "updated_at", "log"])
        record_audit(actor=actor, action="import.queued", obj=job, data={"resume_row": job.resume_row})
    return job


BatchHook = Callable[[TransferJob], None]


def run_import(job_id: int, *, on_batch: BatchHook | None = None) -> TransferJob | None:
    """Import the rows after ``resume_row`` in batches of ``batch_size``; each batch commits with
    the job's progress, so a crash loses at most the batch in flight and running again resumes.
    ``on_batch`` is called after each committed batch (progress reporting)."""
    job = TransferJob.objects.select_related("owner").filter(pk=job_id, kind=JobKind.IMPORT).first()
    if job is None or job.status not in (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.FAILED):
        return job
    actor = job.owner
    run = _prepare_run(job)
    converter = run.converter
    # One pass over the keys first: the total for progress, and the last row of each external id
    # (a record listed twice in the file is imported once, as its last row says).
    last_row: dict[str, int] = {}
    total = 0
    for row, cells in run.sheet.rows(run.layout):
        total += 1
        last_row[converter.external_id(row, cells)] = row
    job.rows_total = total
    now = clock.now()
    job.status = JobStatus.RUNNING
    job.started_at = job.started_at or now
    job.updated_at = now
    job.error = ""
    _log(job, "running" if job.resume_row == 0 else f"resuming after row {job.resume_row}")
    job.save(update_fields=["status", "started_at", "updated_at", "error", "log", "rows_total"])
    size = converter.mapping.batch_size
    timing = {"write": 0.0}
    try:
        # Reading and converting (Python) overlaps writing (mostly the database's time): the next
        # batches are prepared by a thread while the current one commits.
        for batch in _in_background(_batches(run, converter, last_row, after_row=job.resume_row, size=size)):
            t0 = time.monotonic()
            _commit_batch(job, batch, converter, actor=actor, on_batch=on_batch)
            timing["write"] += time.monotonic() - t0
    except Exception as exc:
        logger.exception("import job %s failed after row %s", job.pk, job.resume_row)
        job.refresh_from_db()
        job.status = JobStatus.FAILED
        job.error = f"{type(exc).__name__}: {exc}"[:2000]
        job.updated_at = clock.now()
        _log(job, f"failed after row {job.resume_row}: {job.error[:200]}")
        job.save(update_fields=["status", "error", "updated_at", "log"])
        raise
    job.report = {**job.report, "write_seconds": round(timing["write"], 2)}
    now = clock.now()
    job.status = JobStatus.COMPLETED
    job.finished_at = now
    job.updated_at = now
    job.report = {**job.report, "misses_on_import": converter.misses.as_list()[:200]}
    _log(job, f"completed: {job.created_count} created, {job.updated_count} updated, {job.rows_failed} failed")
    job.save(update_fields=["status", "finished_at", "updated_at", "report", "log"])
    return job


def _batches(run: _Run, converter: RowConverter, last_row: dict[str, int], *, after_row: int,
             size: int) -> Iterator[list[PreparedRow]]:
    """Converted rows in batches of ``size``; a record seen twice closes the batch first (the
    later row then updates what the earlier one wrote)."""
    batch: list[PreparedRow] = []
    in_batch: set[str] = set()
    for row, cells in run.sheet.rows(run.layout, after_row=after_row):
        prepared = converter.convert(row, cells)
        prepared.superseded = last_row.get(prepared.external_id, row) != row
        if prepared.external_id in in_batch and not prepared.superseded:
            yield batch
            batch, in_batch = [], set()
        batch.append(prepared)
        if not prepared.superseded:
            in_batch.add(prepared.external_id)
        if len(batch) >= size:
            yield batch
            batch, in_batch = [], set()
    if batch:
        yield batch


_DONE = object()


def _in_background(items: Iterator[Any], ahead: int = 2) -> Iterator[Any]:
    """``items`` produced by a thread, at most ``ahead`` in advance; its exception re-raised here.
    The producer only converts cells (no database access)."""
    buffer: queue.Queue[Any] = queue.Queue(maxsize=ahead)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        buffer.put(item, timeout=0.5)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            buffer.put(_DONE)
        except BaseException as exc:  # handed to the consumer
            buffer.put(exc)

    worker = threading.Thread(target=produce, name="import-reader", daemon=True)
    worker.start()
    try:
        while True:
            item = buffer.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join(timeout=5)


def _commit_batch(job: TransferJob, batch: list[PreparedRow], converter: RowConverter, *, actor: User,
                  on_batch: BatchHook | None) -> None:
    if not batch:
        return
    do_import_ticket_batch(job, batch, converter, actor=actor)
    if on_batch is not None:
        on_batch(job)


def _snapshot(ticket: Ticket) -> dict[str, Any]:
    snap: dict[str, Any] = {}
    for name in IMPORT_FIELDS:
        value = getattr(ticket, name)
        snap[name] = value.isoformat() if isinstance(value, datetime) else value
    snap["tags"] = sorted(t.name for t in ticket.tags.all())
    return snap


def _resolve_customers(job: TransferJob, rows: list[PreparedRow], converter: RowConverter, actor: User,
                       current: dict[str, Ticket]) -> dict[int, Customer]:
    """Row → customer: matched by external id / phone / email, else the customer the row's ticket
    already has when the names agree (a re-import of rows with a name only), else created (one
    per new person)."""
    mapping = converter.mapping
    specs = [r.customer for r in rows if r.customer is not None]
    if not specs:
        return {}
    found = match_customers(specs, match=mapping.customer_match, system=mapping.customer_system)
    existing = Customer.objects.only("id", "name", "phone").in_bulk(set(found.values()))
    by_row: dict[int, Customer] = {}
    new: dict[tuple[str, str], Customer] = {}
    created: list[Customer] = []
    ext_for: dict[int, str] = {}
    now = clock.now()
    for r in rows:
        spec = r.customer
        if spec is None:
            continue
        keys = spec.keys(mapping.customer_match) or [("name", spec.name)]
        hit = next((existing[found[k]] for k in keys if k in found and found[k] in existing), None)
        if hit is None:
            hit = next((new[k] for k in keys if k in new), None)
        ticket = current.get(r.external_id)
        if hit is None and ticket is not None and ticket.customer is not None \
                and ticket.customer.name == (spec.name or ticket.customer.name):
            hit = ticket.customer
        if hit is None:
            if not mapping.create_customers:
                r.errors.append(CellError(r.row, "customer", spec.name or spec.phone, "customer_not_found",
                                          "客户不存在且未允许新建", "Customer not found and creating customers is off"))
                continue
            hit = Customer(name=spec.name or spec.phone or spec.email or "匿名客户", phone=spec.phone,
                           email=spec.email, region=spec.region, company=spec.company,
                           tier=spec.tier or "normal", created_at=now, updated_at=now)
            created.append(hit)
            if spec.external_id:
                ext_for[id(hit)] = spec.external_id
            for k in keys:
                new.setdefault(k, hit)
        by_row[r.row] = hit
    if created:
        fields = [f.attname for f in Customer._meta.concrete_fields]
        for customer, pk in zip(created, allocate_ids(Customer, len(created)), strict=True):
            customer.pk = pk
        insert_rows(Customer, ({name: getattr(c, name) for name in fields} for c in created))
        with_ext = [c for c in created if id(c) in ext_for]
        insert_rows(CustomerExternalId, (
            {"id": pk, "customer_id": c.pk, "system": mapping.customer_system, "value": ext_for[id(c)]}
            for c, pk in zip(with_ext, allocate_ids(CustomerExternalId, len(with_ext)), strict=True)))
        insert_rows(ImportedRecord, (
            {"id": pk, "job_id": job.pk, "object_type": RecordType.CUSTOMER, "object_id": c.pk,
             "action": RecordAction.CREATED, "row": 0, "snapshot": None}
            for c, pk in zip(created, allocate_ids(ImportedRecord, len(created)), strict=True)))
    return by_row


def _resolve_categories(job: TransferJob, rows: list[PreparedRow], converter: RowConverter) -> None:
    names = sorted({r.new_category for r in rows if r.new_category and not r.errors})
    if not names:
        return
    for name in names:
        key = "imp-" + hashlib.sha1(name.encode()).hexdigest()[:12]
        category = Category.objects.filter(key=key).first()
        if category is None:
            category = Category.objects.create(key=key, name=name)
            category.path = f"/{category.pk}/"
            category.save(update_fields=["path"])
            ImportedRecord.objects.create(job=job, object_type=RecordType.CATEGORY, object_id=category.pk,
                                          action=RecordAction.CREATED)
        converter.categories[name.replace(" ", "").lower()] = category
        for r in rows:
            if r.new_category == name:
                r.fields["category"] = category


def _tags(names: Iterable[str]) -> dict[str, Tag]:
    wanted = set(names)
    if not wanted:
        return {}
    found = {t.name: t for t in Tag.objects.filter(name__in=wanted)}
    missing = [Tag(name=n) for n in sorted(wanted - set(found))]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        found = {t.name: t for t in Tag.objects.filter(name__in=wanted)}
    return found


def do_import_ticket_batch(job: TransferJob, rows: list[PreparedRow], converter: RowConverter, *,
                           actor: User) -> tuple[int, int]:
    """Write one batch of imported rows in one transaction; returns ``(created, updated)``.

    This action writes the tickets app's models (Ticket, TicketEvent, Tag) and customers' models
    (Customer, CustomerExternalId) directly, with ``bulk_create``/``bulk_update``, instead of
    calling ``do_create_ticket`` per row. That is deliberate: ``do_create_ticket`` runs ~100
    tickets/s (a transaction, a number, repeat detection and a domain event per ticket), 100,000
    rows would take 20 minutes; and a historical import must *not* publish ``ticket.created`` —
    rules, notifications and SLA clocks would fire on complaints closed years ago. The tickets
    app's own helpers are reused for numbers (``next_ticket_numbers``, one block per batch),
    ``build_search_text`` and ``derive_priority``; every ticket still gets its ``created`` (or
    ``updated``) timeline row, with channel ``import``, and the batch one audit row.

    Idempotency: tickets are keyed by (channel ``import``, external id); a row whose ticket exists
    updates it (snapshot kept for rollback). Progress (``resume_row``) commits with the batch.
    """
    with transaction.atomic():
        # Lock the job row: two workers running the same job serialise here, and the second sees
        # the first one's progress (rows already committed are skipped below).
        locked = TransferJob.objects.select_for_update().get(pk=job.pk)
        # A write first: on SQLite it takes the database's write lock, which ``allocate_ids`` needs.
        TransferJob.objects.filter(pk=job.pk).update(updated_at=clock.now())
        if connection.vendor == "postgresql":
            # The batch and the job's progress commit together, so a commit lost in a crash only
            # means the resumed job writes that batch again: no need to wait for the WAL flush.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        rows = [r for r in rows if r.row > locked.resume_row]
        if not rows:
            return 0, 0
        skipped = [r for r in rows if r.superseded]
        rows_to_write = [r for r in rows if not r.superseded]
        if converter.form_version is not None:
            for r in rows_to_write:
                if not r.errors:
                    _check_form(converter, r, actor=actor, submit=True)
        existing: dict[str, Ticket] = {str(t.external_id): t for t in Ticket.objects.filter(
            channel=Channel.IMPORT, external_id__in=[r.external_id for r in rows_to_write if not r.errors])
            .select_related("customer").prefetch_related("tags")}
        customers = _resolve_customers(job, [r for r in rows_to_write if not r.errors], converter, actor, existing)
        _resolve_categories(job, rows_to_write, converter)
        good = [r for r in rows_to_write if not r.errors]
        failed = [r for r in rows_to_write if r.errors]
        tag_objs = _tags(t for r in good for t in r.tags)
        now = clock.now()
        version = converter.form_version
        new_rows = [r for r in good if r.external_id not in existing]
        numbers = next_ticket_numbers(get_option(TICKET_NUMBER_PATTERN.key), timezone.localtime(now),
                                      len(new_rows)) if new_rows else []
        # New tickets: plain rows written by ``fastinsert`` (COPY on PostgreSQL), not model instances.
        ticket_ids = allocate_ids(Ticket, len(new_rows))
        tickets: list[dict[str, Any]] = []
        for r, number, pk in zip(new_rows, numbers, ticket_ids, strict=True):
            f = r.fields
            customer = customers.get(r.row)
            row = {
                "id": pk, "number": number, "channel": Channel.IMPORT, "external_id": r.external_id,
                "tracking_token": secrets.token_urlsafe(18), "customer_id": customer.pk if customer else None,
                "subject": f["subject"], "description": f["description"],
                "category_id": f["category"].pk if f.get("category") else None,
                "product_id": f["product"].pk if f.get("product") else None, "order_number": f["order_number"],
                "urgency": f["urgency"], "impact": f["impact"],
                "priority": f["priority"] or derive_priority(f["urgency"], f["impact"]), "status": f["status"],
                "assignee_id": f["assignee"].pk if f["assignee"] else None,
                "team_id": f["team"].pk if f["team"] else None,
                "department_id": f["department"].pk if f["department"] else None, "created_by_id": None,
                "data": r.data, "form_version_id": version.pk if version is not None else None,
                "is_repeat": False, "repeat_of_id": None, "merged_into_id": None, "reopen_count": 0,
                "created_at": f["created_at"], "updated_at": f["updated_at"], "accepted_at": f["accepted_at"],
                "first_response_at": f["first_response_at"], "resolved_at": f["resolved_at"],
                "closed_at": f["closed_at"], "first_response_due_at": None, "resolution_due_at": None,
            }
            row["search_text"] = build_search_text(cast(Ticket, SimpleNamespace(
                number=number, subject=row["subject"], description=row["description"], customer=customer,
                order_number=row["order_number"])))
            tickets.append(row)
        insert_rows(Ticket, tickets)
        through = Ticket.tags.through
        links = [through(ticket_id=t["id"], tag_id=tag_objs[name].pk)
                 for t, r in zip(tickets, new_rows, strict=True) for name in r.tags]
        event_ids = iter(allocate_ids(TicketEvent, len(tickets) + len(good) - len(new_rows)))
        events: list[dict[str, Any]] = [
            {"id": next(event_ids), "ticket_id": t["id"], "type": EventType.CREATED,
             "actor_id": actor.pk if actor else None, "channel": Channel.IMPORT, "created_at": t["created_at"],
             "data": {"number": t["number"], "channel": Channel.IMPORT, "status": t["status"],
                      "priority": t["priority"], "external_id": t["external_id"], "import_job": job.pk,
                      "row": r.row}}
            for t, r in zip(tickets, new_rows, strict=True)]
        records: list[dict[str, Any]] = [
            {"job_id": job.pk, "object_type": RecordType.TICKET, "object_id": t["id"],
             "action": RecordAction.CREATED, "row": r.row, "snapshot": None}
            for t, r in zip(tickets, new_rows, strict=True)]
        updated: list[Ticket] = []
        changed_fields: set[str] = set()
        covered = _covered_fields(converter.mapping)
        for r in good:
            ticket = existing.get(r.external_id)
            if ticket is None:
                continue
            f = r.fields
            values: dict[str, Any] = {
                "subject": f["subject"], "description": f["description"], "status": f["status"],
                "category_id": f["category"].pk if f.get("category") else None,
                "product_id": f["product"].pk if f.get("product") else None, "order_number": f["order_number"],
                "urgency": f["urgency"], "impact": f["impact"],
                "priority": f["priority"] or derive_priority(f["urgency"], f["impact"]),
                "assignee_id": f["assignee"].pk if f["assignee"] else None,
                "team_id": f["team"].pk if f["team"] else None,
                "department_id": f["department"].pk if f["department"] else None,
                "customer_id": customers[r.row].pk if r.row in customers else None,
                "created_at": f["created_at"], "accepted_at": f["accepted_at"],
                "first_response_at": f["first_response_at"], "resolved_at": f["resolved_at"],
                "closed_at": f["closed_at"],
            }
            values = {k: v for k, v in values.items() if k in covered}
            if version is not None or r.data:
                values["data"] = r.data
                values["form_version_id"] = version.pk if version is not None else ticket.form_version_id
                if converter.schema is not None and r.plain_data is not None \
                        and ticket.form_version_id == values["form_version_id"]:
                    from complaintdesk.tickets.formdata import seal_values, unseal_values

                    # Unchanged encrypted values keep their seal, so they do not count as changes.
                    old_plain, _ = unseal_values(converter.schema, ticket.data or {})
                    values["data"] = seal_values(converter.schema, r.plain_data, previous=ticket.data or {},
                                                 previous_plain=old_plain)
            diff = {k: {"old": _plain(getattr(ticket, k)), "new": _plain(v)} for k, v in values.items()
                    if getattr(ticket, k) != v}
            old_tags = sorted(t.name for t in ticket.tags.all())
            if "tags" in covered and old_tags != r.tags:
                diff["tags"] = {"old": old_tags, "new": r.tags}
            if not diff:
                continue
            snapshot = _snapshot(ticket)
            for k, v in values.items():
                setattr(ticket, k, v)
            if "customer_id" in diff:
                ticket.customer = customers.get(r.row)
            ticket.updated_at = max(f["updated_at"], now)
            ticket.search_text = build_search_text(ticket)
            changed_fields.update(k for k in diff if k != "tags")
            if "tags" in diff:
                through.objects.filter(ticket_id=ticket.pk).delete()
                links += [through(ticket_id=ticket.pk, tag_id=tag_objs[name].pk) for name in r.tags]
            updated.append(ticket)
            events.append({"id": next(event_ids), "ticket_id": ticket.pk, "type": EventType.UPDATED,
                           "actor_id": actor.pk if actor else None, "channel": Channel.IMPORT, "created_at": now,
                           "data": {"changes": diff, "import_job": job.pk, "row": r.row}})
            records.append({"job_id": job.pk, "object_type": RecordType.TICKET, "object_id": ticket.pk,
                            "action": RecordAction.UPDATED, "row": r.row, "snapshot": snapshot})
        if updated:
            Ticket.objects.bulk_update(updated, [*sorted(changed_fields), "updated_at", "search_text"],
                                       batch_size=500)
        through.objects.bulk_create(links, batch_size=2000, ignore_conflicts=True)
        insert_rows(TicketEvent, events)
        for record, pk in zip(records, allocate_ids(ImportedRecord, len(records)), strict=True):
            record["id"] = pk
        insert_rows(ImportedRecord, records)
        report_errors = list(job.report.get("import_errors", []))
        for r in failed:
            for e in r.errors:
                if len(report_errors) < MAX_REPORT_ERRORS:
                    report_errors.append(e.as_dict())
        job.report = {**job.report, "import_errors": report_errors,
                      "duplicates_skipped": int(job.report.get("duplicates_skipped", 0)) + len(skipped)}
        job.rows_done = locked.rows_done + len(rows)
        job.rows_failed = locked.rows_failed + len(failed)
        job.created_count = locked.created_count + len(tickets)
        job.updated_count = locked.updated_count + len(updated)
        job.batches_done = locked.batches_done + 1
        job.resume_row = rows[-1].row
        job.updated_at = now
        job.save(update_fields=["report", "rows_done", "rows_failed", "created_count", "updated_count",
                                "batches_done", "resume_row", "updated_at"])
        record_audit(actor=actor, action="import.batch", obj=job,
                     data={"batch": job.batches_done, "first_row": rows[0].row, "last_row": rows[-1].row,
                           "created": len(tickets), "updated": len(updated), "failed": len(failed)})
    return len(tickets), len(updated)


def _covered_fields(mapping: Any) -> set[str]:
    """The ticket fields a re-import may change: those the mapping fills (columns or defaults) and
    those derived from them. Fields the file says nothing about keep their current values."""
    targets = set(mapping.columns.values()) | set(mapping.defaults)
    fields: set[str] = set()
    if targets & {"subject", "description"}:
        fields |= {"subject", "description"}
    for target, name in (("status", "status"), ("category", "category_id"), ("product", "product_id"),
                         ("order_number", "order_number"), ("urgency", "urgency"), ("impact", "impact"),
                         ("assignee", "assignee_id"), ("team", "team_id"), ("department", "department_id"),
                         ("created_at", "created_at"), ("accepted_at", "accepted_at"),
                         ("first_response_at", "first_response_at"), ("resolved_at", "resolved_at"),
                         ("closed_at", "closed_at")):
        if target in targets:
            fields.add(name)
    if targets & {"priority", "urgency", "impact"}:
        fields.add("priority")
    if "assignee" in targets:
        fields.add("department_id")
    if "status" in targets:
        fields |= {"accepted_at", "resolved_at", "closed_at"}
    if any(t.startswith("customer.") for t in targets):
        fields.add("customer_id")
    if "tags" in targets:
        fields.add("tags")
    return fields


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


# --- rollback ------------------------------------------------------------------------------------


def check_rollback_import(actor: User, job: TransferJob) -> None:
    check_import(actor)
    if job.kind != JobKind.IMPORT:
        raise NotFound(f"导入任务不存在 / Import job {job.pk} not found")
    if job.status not in (JobStatus.COMPLETED, JobStatus.FAILED):
        raise Conflict(f"只能回滚已完成或失败的导入 / Only a completed or failed import can be rolled back "
                       f"(status {job.status})", details={"status": job.status})
    ticket_ids = ImportedRecord.objects.filter(job=job, object_type=RecordType.TICKET).values("object_id")
    later = ImportedRecord.objects.filter(object_type=RecordType.TICKET, object_id__in=ticket_ids,
                                          job_id__gt=job.pk).exclude(job__status=JobStatus.ROLLED_BACK)
    blocking = sorted(set(later.values_list("job_id", flat=True)[:20]))
    if blocking:
        raise Conflict("之后的导入修改过这些工单，请先回滚它们 / "
                       "Later imports changed these tickets: roll them back first",
                       details={"jobs": blocking})


def _restore_value(name: str, value: Any) -> Any:
    if name in _TIME_FIELDS and isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


def do_rollback_import(job: TransferJob, *, actor: User) -> TransferJob:
    """Undo an import as a unit: tickets it created are deleted (with their timeline), tickets it
    updated get their fields and tags back from the snapshot (an ``updated`` timeline row says so),
    customers and categories it created are deleted unless something else uses them now."""
    with transaction.atomic():
        job = TransferJob.objects.select_for_update().get(pk=job.pk)
        check_rollback_import(actor, job)
        records = ImportedRecord.objects.filter(job=job)
        created_tickets = list(records.filter(object_type=RecordType.TICKET, action=RecordAction.CREATED)
                               .values_list("object_id", flat=True))
        deleted = 0
        try:
            for start in range(0, len(created_tickets), 1000):
                chunk = created_tickets[start:start + 1000]
                Ticket.objects.filter(merged_into_id__in=chunk).update(merged_into=None)
                Ticket.objects.filter(repeat_of_id__in=chunk).update(repeat_of=None)
                deleted += Ticket.objects.filter(pk__in=chunk).delete()[1].get("tickets.Ticket", 0)
        except ProtectedError as exc:
            raise Conflict("工单已被其他记录引用，无法回滚 / "
                           "Imported tickets are referenced elsewhere; cannot roll back",
                           details={"protected": len(exc.protected_objects)}) from exc
        restored = 0
        now = clock.now()
        for record in records.filter(object_type=RecordType.TICKET, action=RecordAction.UPDATED).order_by("-id"):
            ticket = Ticket.objects.filter(pk=record.object_id).first()
            snap = record.snapshot or {}
            if ticket is None or not snap:
                continue
            fields = {k: _restore_value(k, v) for k, v in snap.items() if k in IMPORT_FIELDS}
            for name, value in fields.items():
                setattr(ticket, name, value)
            ticket.save(update_fields=list(fields))
            ticket.tags.set(list(_tags(snap.get("tags", [])).values()))
            TicketEvent.objects.create(ticket=ticket, type=EventType.UPDATED, actor=actor, channel=Channel.IMPORT,
                                       created_at=now, data={"changes": {}, "rolled_back_import": job.pk})
            restored += 1
        customer_ids = list(records.filter(object_type=RecordType.CUSTOMER).values_list("object_id", flat=True))
        removed_customers = 0
        for start in range(0, len(customer_ids), 1000):
            chunk = customer_ids[start:start + 1000]
            removed_customers += Customer.objects.filter(pk__in=chunk, tickets__isnull=True).delete()[1].get(
                "customers.Customer", 0)
        category_ids = list(records.filter(object_type=RecordType.CATEGORY).values_list("object_id", flat=True))
        Category.objects.filter(pk__in=category_ids, tickets__isnull=True, children__isnull=True).delete()
        job.status = JobStatus.ROLLED_BACK
        job.updated_at = now
        job.report = {**job.report, "rollback": {"deleted_tickets": deleted, "restored_tickets": restored,
                                                 "deleted_customers": removed_customers}}
        _log(job, f"rolled back: {deleted} tickets deleted, {restored} restored")
        job.save(update_fields=["status", "updated_at", "report", "log"])
        record_audit(actor=actor, action="import.rolled_back", obj=job, data=job.report["rollback"])
    return job


# --- exports -------------------------------------------------------------------------------------


def do_create_export_job(*, actor: User, options: dict[str, Any], background: bool) -> TransferJob:
    """Record an export job; ``background`` queues it for the job consumer (after commit),
    otherwise the caller runs it at once (small exports answer immediately)."""
    from complaintdesk.transfer.tasks import run_export_job

    with transaction.atomic():
        now = clock.now()
        job = TransferJob.objects.create(kind=JobKind.EXPORT, status=JobStatus.QUEUED, owner=actor,
                                         file_format=options["format"], options=options, created_at=now,
                                         updated_at=now)
        record_audit(actor=actor, action="export.created", obj=job, data={"format": options["format"]})
        if background:
            job_id = job.pk
            transaction.on_commit(lambda: run_export_job(job_id))
    return job


def run_export(job_id: int) -> TransferJob | None:
    """Write the export file (streamed to a temporary file, then stored) and complete the job."""
    from complaintdesk.transfer.export import write_export

    job = TransferJob.objects.select_related("owner").filter(pk=job_id, kind=JobKind.EXPORT).first()
    if job is None or job.status not in (JobStatus.QUEUED, JobStatus.FAILED):
        return job
    from complaintdesk.tickets.queries import list_tickets
    from complaintdesk.transfer.export import filters_from

    now = clock.now()
    job.status = JobStatus.RUNNING
    job.started_at = now
    job.rows_total = list_tickets(viewer=job.owner, filters=filters_from(job.options),
                                  sort=job.options.get("sort") or "-created_at").count()
    job.save(update_fields=["status", "started_at", "rows_total"])
    try:
        def progress(done: int) -> None:
            TransferJob.objects.filter(pk=job.pk).update(rows_done=done, updated_at=clock.now())

        name, rows = write_export(job, progress=progress)
    except Exception as exc:
        logger.exception("export job %s failed", job.pk)
        job.status = JobStatus.FAILED
        job.error = f"{type(exc).__name__}: {exc}"[:2000]
        job.save(update_fields=["status", "error"])
        raise
    job.refresh_from_db(fields=["result"])
    now = clock.now()
    job.status = JobStatus.COMPLETED
    job.rows_total = job.rows_done = rows
    job.finished_at = job.updated_at = now
    job.result_name = name
    _log(job, f"exported {rows} rows")
    job.save(update_fields=["status", "rows_total", "rows_done", "finished_at", "updated_at", "result_name", "log"])
    return job
