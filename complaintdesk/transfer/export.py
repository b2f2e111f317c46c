"""Ticket exports: any ticket list (the filters of ``GET /tickets``) to ``.xlsx`` or ``.csv``,
streamed (XlsxWriter ``constant_memory`` / CSV rows written as read) so a million rows use the
memory of one chunk; and one ticket with its full timeline as ``.xlsx``.

What the viewer may not see is never written: the list is ``tickets.queries.list_tickets`` (data
scope), form fields hidden from the viewer's roles are left out, encrypted fields and the
customer's phone are masked unless the viewer holds ``field.view_sensitive``. Every text cell is
guarded against formula injection (``safe_text``).
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files import File

from complaintdesk.accounts import permissions as P
from complaintdesk.accounts.access import has_perm
from complaintdesk.core import clock
from complaintdesk.core.errors import InvalidInput
from complaintdesk.forms import crypto
from complaintdesk.forms import permissions as field_permissions
from complaintdesk.forms.permissions import NO_RESTRICTIONS, FieldRights, form_field_rights
from complaintdesk.tickets.choices import Channel, Level, Priority, TicketStatus
from complaintdesk.tickets.models import Ticket
from complaintdesk.tickets.queries import TicketFilters, list_tickets

if TYPE_CHECKING:
    from complaintdesk.accounts.models import User
    from complaintdesk.transfer.models import TransferJob

CHUNK = 2000
# Leading characters a spreadsheet reads as a formula (or that hide one: tab, carriage return).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """Neutralise formula injection: ``=HYPERLINK(..)`` is written as ``'=HYPERLINK(..)``."""
    return "'" + value if value.startswith(_FORMULA_START) else value


_STATUS = dict(TicketStatus.choices)
_CHANNEL = dict(Channel.choices)
_LEVEL = dict(Level.choices)
_PRIORITY = dict(Priority.choices)


def _label(table: dict[str, Any], value: str) -> str:
    return str(table.get(value, value))


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    get: Callable[[Ticket], Any]
    width: int = 14


def _name(obj: Any) -> str:
    return "" if obj is None else str(getattr(obj, "display_name", "") or getattr(obj, "name", "") or obj)


COLUMNS: tuple[Column, ...] = (
    Column("number", "工单编号", lambda t: t.number, 18),
    Column("external_id", "外部编号", lambda t: t.external_id or "", 18),
    Column("channel", "渠道", lambda t: _label(_CHANNEL, t.channel), 10),
    Column("subject", "主题", lambda t: t.subject, 40),
    Column("description", "描述", lambda t: t.description, 60),
    Column("status", "状态", lambda t: _label(_STATUS, t.status), 10),
    Column("priority", "优先级", lambda t: t.priority, 8),
    Column("urgency", "紧急程度", lambda t: _label(_LEVEL, t.urgency), 8),
    Column("impact", "影响面", lambda t: _label(_LEVEL, t.impact), 8),
    Column("category", "分类", lambda t: t.category.name if t.category_id and t.category else "", 14),
    Column("product", "产品型号", lambda t: t.product.sku if t.product_id and t.product else "", 14),
    Column("product_name", "产品名称", lambda t: t.product.name if t.product_id and t.product else "", 20),
    Column("order_number", "订单号", lambda t: t.order_number, 18),
    Column("customer", "客户姓名", lambda t: t.customer.name if t.customer_id and t.customer else "", 12),
    Column("customer_phone", "客户电话", lambda t: t.customer.phone if t.customer_id and t.customer else "", 14),
    Column("customer_email", "客户邮箱", lambda t: t.customer.email if t.customer_id and t.customer else "", 20),
    Column("assignee", "处理人", lambda t: _name(t.assignee) if t.assignee_id else "", 10),
    Column("team", "团队", lambda t: _name(t.team) if t.team_id else "", 12),
    Column("department", "部门", lambda t: _name(t.department) if t.department_id else "", 12),
    Column("tags", "标签", lambda t: "、".join(sorted(tag.name for tag in t.tags.all())), 16),
    Column("is_repeat", "重复投诉", lambda t: "是" if t.is_repeat else "否", 8),
    Column("created_at", "登记时间", lambda t: t.created_at, 19),
    Column("accepted_at", "受理时间", lambda t: t.accepted_at, 19),
    Column("first_response_at", "首次响应时间", lambda t: t.first_response_at, 19),
    Column("resolved_at", "解决时间", lambda t: t.resolved_at, 19),
    Column("closed_at", "关闭时间", lambda t: t.closed_at, 19),
    Column("resolution_due_at", "解决时限", lambda t: t.resolution_due_at, 19),
    Column("updated_at", "更新时间", lambda t: t.updated_at, 19),
)
COLUMNS_BY_KEY = {c.key: c for c in COLUMNS}
DEFAULT_COLUMNS = tuple(c.key for c in COLUMNS)


class Presenter:
    """Cell values as ``viewer`` may see them; field rights cached per form (one query each)."""

    def __init__(self, viewer: User) -> None:
        self.viewer = viewer
        self.unmasked = has_perm(viewer, P.FIELD_VIEW_SENSITIVE)
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self._rights: dict[int | None, FieldRights] = {}
        self._encrypted: dict[int, frozenset[str]] = {}
        self._ticket_rights: tuple[int | None, FieldRights] = (None, NO_RESTRICTIONS)

    def rights(self, ticket: Ticket) -> FieldRights:
        """The roles' rights (one query per form), narrowed by the per-ticket sources that
        ``forms.permissions.field_rights`` applies (the workflow node's rights), computed once per
        ticket."""
        form_id = ticket.form_version.form_id if ticket.form_version_id and ticket.form_version else None
        if form_id is None:
            return NO_RESTRICTIONS
        if form_id not in self._rights:
            self._rights[form_id] = form_field_rights(self.viewer, form_id)
        rights = self._rights[form_id]
        sources = getattr(field_permissions, "RIGHTS_SOURCES", [])
        if not sources:
            return rights
        if self._ticket_rights[0] != ticket.pk:
            for source in sources:
                extra = source(self.viewer, ticket)
                if extra is not None:
                    hidden = rights.hidden | extra.hidden
                    rights = FieldRights(hidden, (rights.read_only | extra.read_only) - hidden)
            self._ticket_rights = (ticket.pk, rights)
        return self._ticket_rights[1]

    def encrypted(self, ticket: Ticket) -> frozenset[str]:
        version_id = ticket.form_version_id
        if version_id is None or ticket.form_version is None:
            return frozenset()
        if version_id not in self._encrypted:
            from complaintdesk.forms.schema import compile_schema
            from complaintdesk.tickets.formdata import encrypted_keys

            self._encrypted[version_id] = encrypted_keys(compile_schema(ticket.form_version.schema))
        return self._encrypted[version_id]

    def data_value(self, ticket: Ticket, key: str) -> Any:
        if key in self.rights(ticket).hidden:
            return None
        value = (ticket.data or {}).get(key)
        if key in self.encrypted(ticket) and isinstance(value, dict) and crypto.is_sealed(value):
            try:
                plain = crypto.unseal(key, value)
            except crypto.DecryptionFailed:
                return "******"
            return plain if self.unmasked else crypto.mask(plain)
        return value

    def cell(self, column: str, ticket: Ticket) -> Any:
        if column.startswith("data."):
            return self.data_value(ticket, column[5:])
        value = COLUMNS_BY_KEY[column].get(ticket)
        if column == "customer_phone" and value and not self.unmasked:
            return crypto.mask(str(value))
        return value

    def local(self, value: datetime) -> datetime:
        return value.astimezone(self.tz).replace(tzinfo=None)


def check_columns(columns: list[str] | None, form_key: str | None) -> tuple[list[str], dict[str, str]]:
    """The export's columns and headers: ticket columns, then ``data.<key>`` form fields (by the
    published version of ``form_key`` when given)."""
    headers: dict[str, str] = {c.key: c.header for c in COLUMNS}
    form_keys: list[str] = []
    if form_key:
        from complaintdesk.forms.choices import VersionStatus
        from complaintdesk.forms.models import FormVersion
        from complaintdesk.forms.schema import compile_schema

        version = FormVersion.objects.filter(form__key=form_key, status=VersionStatus.PUBLISHED).first()
        if version is None:
            raise InvalidInput("表单不存在或未发布 / Unknown or unpublished form", details={"form_key": form_key[:64]})
        for f in compile_schema(version.schema).value_fields():
            if f.parent is None:
                headers[f"data.{f.key}"] = str(f.label.get("zh-CN") or f.key)
                form_keys.append(f"data.{f.key}")
    chosen = list(columns) if columns else [*DEFAULT_COLUMNS, *form_keys]
    unknown = [c for c in chosen if c not in headers and not (c.startswith("data.") and 5 < len(c) <= 70)]
    if unknown or len(chosen) > 300 or not chosen:
        raise InvalidInput("未知的导出列 / Unknown export columns",
                           details={"columns": unknown[:20], "allowed": sorted(headers)[:100]})
    for c in chosen:
        headers.setdefault(c, c[5:] if c.startswith("data.") else c)
    return chosen, {c: headers[c] for c in chosen}


def filters_from(options: dict[str, Any]) -> TicketFilters:
    raw = dict(options.get("filters") or {})
    for name in ("created_from", "created_to"):
        if isinstance(raw.get(name), str):
            raw[name] = datetime.fromisoformat(raw[name])
    return TicketFilters(**raw)


def iter_tickets(viewer: User, filters: TicketFilters, sort: str) -> Iterator[Ticket]:
    """The viewer's list in order, read in chunks (ids first, then one query per chunk)."""
    qs = list_tickets(viewer=viewer, filters=filters, sort=sort)
    ids: list[int] = []

    def rows(chunk: list[int]) -> list[Ticket]:
        found = Ticket.objects.filter(pk__in=chunk).select_related(
            "customer", "category", "product", "assignee", "team", "department", "form_version").prefetch_related(
            "tags").defer("search_text")
        by_id = {t.pk: t for t in found}
        return [by_id[pk] for pk in chunk if pk in by_id]

    for pk in qs.values_list("pk", flat=True).iterator(chunk_size=CHUNK):
        ids.append(pk)
        if len(ids) >= CHUNK:
            yield from rows(ids)
            ids = []
    if ids:
        yield from rows(ids)


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return "、".join(str(_plain(v)) for v in value)
    if isinstance(value, dict):
        import json

        return json.dumps(value, ensure_ascii=False)
    return value


def write_xlsx(path: str, headers: dict[str, str], rows: Iterator[list[Any]], *,
               widths: dict[str, int] | None = None) -> int:
    import xlsxwriter

    book = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False,
                                      "strings_to_urls": False, "strings_to_numbers": False,
                                      "tmpdir": tempfile.gettempdir()})
    sheet = book.add_worksheet("工单")
    bold = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    dt_fmt = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    d_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    num_fmt = book.add_format({"num_format": "#,##0.##"})
    keys = list(headers)
    for c, key in enumerate(keys):
        sheet.set_column(c, c, (widths or {}).get(key, 14))
    for c, key in enumerate(keys):
        sheet.write_string(0, c, headers[key], bold)
    sheet.freeze_panes(1, 0)
    r = 0
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values):
            value = _plain(value)
            if value is None or value == "":
                continue
            if isinstance(value, datetime):
                sheet.write_datetime(r, c, value, dt_fmt)
            elif isinstance(value, date):
                sheet.write_datetime(r, c, datetime.combine(value, datetime.min.time()), d_fmt)
            elif isinstance(value, bool):
                sheet.write_string(r, c, "是" if value else "否")
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value, num_fmt if isinstance(value, float) else None)
            else:
                sheet.write_string(r, c, safe_text(str(value))[:32767])
    sheet.autofilter(0, 0, max(r, 1), len(keys) - 1)
    book.close()
    return r


def write_csv(path: str, headers: dict[str, str], rows: Iterator[list[Any]]) -> int:
    count = 0
    # UTF-8 with BOM: Excel on Chinese Windows opens it as UTF-8 instead of GBK.
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(list(headers.values()))
        for values in rows:
            out: list[str] = []
            for value in values:
                value = _plain(value)
                if value is None:
                    out.append("")
                elif isinstance(value, datetime):
                    out.append(value.strftime("%Y-%m-%d %H:%M:%S"))
                elif isinstance(value, date):
                    out.append(value.isoformat())
                elif isinstance(value, bool):
                    out.append("是" if value else "否")
                elif isinstance(value, int | float):
                    out.append(str(value))
                else:
                    out.append(safe_text(str(value)))
            writer.writerow(out)
            count += 1
    return count


def write_export(job: TransferJob, *, progress: Callable[[int], None] | None = None) -> tuple[str, int]:
    """Write the job's export to its ``result`` file; returns (download name, rows)."""
    options = job.options
    viewer = job.owner
    presenter = Presenter(viewer)
    columns, headers = check_columns(options.get("columns"), options.get("form_key"))
    filters = filters_from(options)
    widths = {c.key: c.width for c in COLUMNS}

    def rows() -> Iterator[list[Any]]:
        for n, ticket in enumerate(iter_tickets(viewer, filters, options.get("sort") or "-created_at"), start=1):
            values = []
            for column in columns:
                value = presenter.cell(column, ticket)
                if isinstance(value, datetime):
                    value = presenter.local(value)
                values.append(value)
            if progress is not None and n % 10000 == 0:
                progress(n)
            yield values

    fmt = options["format"]
    handle, path = tempfile.mkstemp(suffix=f".{fmt}")
    os.close(handle)
    try:
        count = write_xlsx(path, headers, rows(), widths=widths) if fmt == "xlsx" else write_csv(path, headers, rows())
        stamp = clock.now().astimezone(presenter.tz).strftime("%Y%m%d-%H%M%S")
        with open(path, "rb") as stored:
            job.result.save(f"export.{fmt}", File(stored), save=True)
    finally:
        os.unlink(path)
    return f"工单导出-{stamp}.{fmt}", count


def ticket_workbook(ticket: Ticket, viewer: User) -> bytes:
    """One ticket for a customer or regulator: its fields, form data, timeline, replies (xlsx)."""
    import xlsxwriter

    from complaintdesk.tickets.formdata import present_data
    from complaintdesk.tickets.queries import list_comments, list_events

    presenter = Presenter(viewer)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                        "strings_to_numbers": False})
    bold = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    dt_fmt = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss", "valign": "top"})

    def put(sheet: Any, r: int, c: int, value: Any) -> None:
        value = _plain(value)
        if value is None or value == "":
            return
        if isinstance(value, datetime):
            sheet.write_datetime(r, c, presenter.local(value), dt_fmt)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            sheet.write_number(r, c, value)
        else:
            sheet.write_string(r, c, safe_text(str(value))[:32767], wrap)

    info = book.add_worksheet("工单信息")
    info.set_column(0, 0, 16)
    info.set_column(1, 1, 80)
    info.write_string(0, 0, "字段", bold)
    info.write_string(0, 1, "内容", bold)
    r = 0
    for column in COLUMNS:
        r += 1
        info.write_string(r, 0, column.header)
        value = presenter.cell(column.key, ticket)
        put(info, r, 1, value)
    data = present_data(ticket, viewer)
    labels: dict[str, str] = {}
    if ticket.form_version_id and ticket.form_version is not None:
        from complaintdesk.forms.schema import compile_schema

        schema = compile_schema(ticket.form_version.schema)
        labels = {f.key: str(f.label.get("zh-CN") or f.key) for f in schema.fields}
    for key, value in data.items():
        r += 1
        info.write_string(r, 0, safe_text(labels.get(key, key)))
        put(info, r, 1, value)
    info.freeze_panes(1, 0)

    timeline = book.add_worksheet("处理记录")
    headers = ["时间", "事件", "操作人", "渠道", "详情"]
    for c, width in enumerate((20, 14, 14, 10, 90)):
        timeline.set_column(c, c, width)
    for c, name in enumerate(headers):
        timeline.write_string(0, c, name, bold)
    from complaintdesk.tickets.api import event_out
    from complaintdesk.tickets.choices import EventType
    from complaintdesk.tickets.formdata import hidden_keys

    event_labels = dict(EventType.choices)
    hidden = hidden_keys(ticket, viewer)
    r = 0
    for event in list_events(viewer=viewer, ticket=ticket):
        r += 1
        shown = event_out(event, hidden=hidden)
        put(timeline, r, 0, event.created_at)
        put(timeline, r, 1, str(event_labels.get(event.type, event.type)))
        put(timeline, r, 2, _name(event.actor) if event.actor_id else "系统")
        put(timeline, r, 3, event.channel)
        put(timeline, r, 4, shown["data"])
    timeline.freeze_panes(1, 0)
    timeline.autofilter(0, 0, max(r, 1), len(headers) - 1)

    replies = book.add_worksheet("回复与备注")
    for c, (name, width) in enumerate((("时间", 20), ("作者", 14), ("类型", 10), ("内容", 90))):
        replies.set_column(c, c, width)
        replies.write_string(0, c, name, bold)
    for r, comment in enumerate(list_comments(viewer=viewer, ticket=ticket), start=1):
        put(replies, r, 0, comment.created_at)
        put(replies, r, 1, _name(comment.author) if comment.author_id else "系统")
        put(replies, r, 2, "公开回复" if comment.is_public else "内部备注")
        put(replies, r, 3, comment.body)
    replies.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()
