"""Exports: Chinese headers, frozen header row and filter, formula-injection guard, data scope,
field rights (hidden never, encrypted masked), the round trip through import, one ticket's
timeline workbook."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime

import pytest
from python_calamine import CalamineWorkbook

from complaintdesk.accounts.models import Role
from complaintdesk.customers.actions import do_create_product
from complaintdesk.forms.actions import do_create_form, do_publish_draft, do_set_field_permissions
from complaintdesk.tickets.actions import do_add_comment, do_assign_ticket, do_create_ticket, do_transition_ticket
from complaintdesk.tickets.models import Ticket
from complaintdesk.transfer import actions as A
from complaintdesk.transfer.choices import JobStatus
from complaintdesk.transfer.export import safe_text, ticket_workbook
from complaintdesk.transfer.models import TransferJob
from complaintdesk.transfer.tests.sheets import messy_xlsx

pytestmark = pytest.mark.django_db


def _export(user, *, fmt="xlsx", filters=None, columns=None, form_key=None) -> TransferJob:
    job = A.do_create_export_job(actor=user, options={"format": fmt, "filters": filters or {}, "sort": "created_at",
                                                      "columns": columns, "form_key": form_key}, background=False)
    A.run_export(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED, job.error
    return job


def _rows(job: TransferJob) -> list[list]:
    content = job.result.open("rb").read()
    if job.file_format == "csv":
        assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return book.get_sheet_by_index(0).to_python()


def test_xlsx_export_has_chinese_headers_frozen_row_filter_and_real_dates(org, frozen_clock):
    ticket, _ = do_create_ticket(actor=org.agent_a, subject="屏幕闪烁", customer=org.customer,
                                 category=org.categories["malfunction"], product=org.product, tags=["批量问题"])
    job = _export(org.supervisor)
    rows = _rows(job)
    header = rows[0]
    assert header[:6] == ["工单编号", "外部编号", "渠道", "主题", "描述", "状态"]
    row = dict(zip(header, rows[1], strict=True))
    assert row["工单编号"] == ticket.number and row["状态"] == "新建" and row["分类"] == "功能故障"
    assert row["产品型号"] == "PH-001" and row["标签"] == "批量问题"
    assert row["登记时间"] == datetime(2026, 3, 10, 10, 0)  # a date cell, in Asia/Shanghai
    assert row["客户电话"] == "13800138000"  # the supervisor may see sensitive fields
    with zipfile.ZipFile(io.BytesIO(job.result.open("rb").read())) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert 'state="frozen"' in sheet_xml and "<autoFilter" in sheet_xml
    assert job.result_name.startswith("工单导出-") and job.result_name.endswith(".xlsx")
    assert job.rows_done == job.rows_total == 1


def test_formula_injection_is_neutralised_in_xlsx_and_csv(org):
    for subject in ("=HYPERLINK(\"http://evil\",\"点我\")", "+1+1", "-2+3", "@SUM(A1)", "正常标题"):
        do_create_ticket(actor=org.admin, subject=subject)
    for fmt in ("xlsx", "csv"):
        rows = _rows(_export(org.admin, fmt=fmt, columns=["subject"]))
        assert sorted(r[0] for r in rows[1:]) == sorted([
            "'=HYPERLINK(\"http://evil\",\"点我\")", "'+1+1", "'-2+3", "'@SUM(A1)", "正常标题"])
    assert safe_text("\r=cmd") == "'\r=cmd" and safe_text("\t=1") == "'\t=1" and safe_text("a=b") == "a=b"


def test_exports_respect_the_data_scope(org):
    mine, _ = do_create_ticket(actor=org.agent_a, subject="一组的工单")
    do_assign_ticket(mine, actor=org.admin, team=org.team_a)
    other, _ = do_create_ticket(actor=org.agent_b, subject="二组的工单")
    do_assign_ticket(other, actor=org.admin, team=org.team_b)
    everything = _rows(_export(org.supervisor, columns=["subject"], filters={"status": ["new"]}))
    assert sorted(r[0] for r in everything[1:]) == ["一组的工单", "二组的工单"]
    # A custom role: export permission, team scope.
    role = Role.objects.create(key="team_exporter", name="组内导出", permissions=["ticket.view", "ticket.export"],
                               data_scope="team")
    org.agent_b.roles.set([role])
    rows = _rows(_export(org.agent_b, columns=["subject"]))
    assert [r[0] for r in rows[1:]] == ["二组的工单"]


FORM_SCHEMA = {"fields": [
    {"key": "mobile", "type": "phone", "label": {"zh-CN": "手机", "en": "Mobile"}, "config": {"encrypted": True}},
    {"key": "cost", "type": "number", "label": {"zh-CN": "内部成本", "en": "Internal cost"}},
    {"key": "note", "type": "text", "label": {"zh-CN": "备注", "en": "Note"}},
]}


def test_hidden_fields_are_never_exported_and_encrypted_ones_are_masked(org):
    form = do_create_form(key="export_form", name="导出表单", schema=FORM_SCHEMA, actor=None)
    version = do_publish_draft(form, actor=None)
    do_set_field_permissions(form, rules=[("cost", Role.objects.get(key="quality"), "hidden")], actor=None)
    do_create_ticket(actor=org.admin, subject="带表单的工单", form_version=version,
                     values={"mobile": "13912345678", "cost": 99.5, "note": "=cmd|' /C calc'!A0"})
    quality = _rows(_export(org.quality, form_key="export_form"))
    row = dict(zip(quality[0], quality[1], strict=True))
    assert "内部成本" in quality[0] and row["内部成本"] in (None, "")  # hidden: no value
    assert row["手机"] == "139****5678"  # quality lacks field.view_sensitive
    assert row["备注"] == "'=cmd|' /C calc'!A0"
    supervisor = _rows(_export(org.supervisor, form_key="export_form", fmt="csv"))
    row = dict(zip(supervisor[0], supervisor[1], strict=True))
    assert row["手机"] == "13912345678" and row["内部成本"] == "99.5"


def test_export_round_trips_through_import(org, frozen_clock, django_capture_on_commit_callbacks):
    do_create_product(sku="A100", name="A100 手机", line=None, actor=None)
    job = A.do_create_import_job(actor=org.admin, name="ledger.xlsx", content=messy_xlsx())
    with django_capture_on_commit_callbacks(execute=True):
        A.do_queue_import(job, actor=org.admin)
    before = {t.external_id: t for t in Ticket.objects.all()}
    assert len(before) == 3
    exported = _export(org.admin, filters={"channel": ["import"]})
    content = exported.result.open("rb").read()
    again = A.do_create_import_job(actor=org.admin, name="export.xlsx", content=content)
    assert again.mapping["columns"]["外部编号"] == "external_id"
    assert "工单编号" not in again.mapping["columns"]
    again = A.do_dry_run(again, actor=org.admin)
    assert again.report["rows_with_errors"] == 0, again.report["errors"]
    assert again.report["would_update"] == 3
    with django_capture_on_commit_callbacks(execute=True):
        A.do_queue_import(again, actor=org.admin)
    again.refresh_from_db()
    assert (again.created_count, again.updated_count, again.rows_failed) == (0, 0, 0)
    after = {t.external_id: t for t in Ticket.objects.all()}
    for key, ticket in before.items():
        for field in ("subject", "description", "status", "category_id", "product_id", "customer_id", "urgency",
                      "priority", "created_at", "resolved_at", "closed_at"):
            assert getattr(after[key], field) == getattr(ticket, field), (key, field)


def test_one_ticket_with_its_timeline(org, frozen_clock):
    ticket, _ = do_create_ticket(actor=org.agent_a, subject="屏幕闪烁", customer=org.customer)
    do_add_comment(ticket, actor=org.agent_a, body="已联系客户，安排上门", is_public=True)
    do_transition_ticket(ticket, actor=org.agent_a, to_status="in_progress")
    book = CalamineWorkbook.from_filelike(io.BytesIO(ticket_workbook(ticket, org.supervisor)))
    assert book.sheet_names == ["工单信息", "处理记录", "回复与备注"]
    info = dict((r[0], r[1]) for r in book.get_sheet_by_name("工单信息").to_python()[1:])
    assert info["工单编号"] == ticket.number and info["状态"] == "处理中"
    timeline = book.get_sheet_by_name("处理记录").to_python()
    assert [r[1] for r in timeline[1:]] == ["创建", "回复/备注", "状态变更"]
    assert timeline[1][0] == datetime(2026, 3, 10, 10, 0)
    replies = book.get_sheet_by_name("回复与备注").to_python()
    assert replies[1][2:] == ["公开回复", "已联系客户，安排上门"]
    assert ticket.created_at == datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
