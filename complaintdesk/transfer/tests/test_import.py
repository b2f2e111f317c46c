"""Imports through the actions: a messy ledger (title row, merged two-row header, blank rows, mixed
dates, GBK CSV, duplicates, unknown statuses and products) through dry run and import; value
maps; idempotent re-import; crash and resume; rollback; form validation; no domain events."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from complaintdesk.core.errors import Conflict, InvalidInput
from complaintdesk.core.models import Outbox
from complaintdesk.customers.actions import do_create_product
from complaintdesk.customers.models import Customer
from complaintdesk.tickets.models import Category, Ticket, TicketEvent
from complaintdesk.transfer import actions as A
from complaintdesk.transfer.choices import JobStatus
from complaintdesk.transfer.models import ImportedRecord, TransferJob
from complaintdesk.transfer.tests.sheets import MESSY_ROWS, messy_csv, messy_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def a100(org):
    return do_create_product(sku="A100", name="A100 手机", line=None, actor=None)


def _upload(org, content: bytes, name: str = "ledger.xlsx", **mapping_changes) -> TransferJob:
    job = A.do_create_import_job(actor=org.admin, name=name, content=content)
    if mapping_changes:
        job = A.do_set_mapping(job, actor=org.admin, mapping={**job.mapping, **mapping_changes})
    return job


def _import(org, job: TransferJob, capture) -> TransferJob:
    with capture(execute=True):
        A.do_queue_import(job, actor=org.admin)
    job.refresh_from_db()
    return job


def _errors(report):
    return sorted((e["row"], e["column"], e["code"]) for e in report["errors"])


EXPECTED_COLUMNS = {"原工单号": "external_id", "姓名": "customer.name", "联系电话": "customer.phone",
                    "邮箱": "customer.email", "投诉标题": "subject", "问题描述": "description", "状态": "status",
                    "投诉类别": "category", "产品型号": "product", "投诉日期": "created_at", "结案时间": "closed_at",
                    "紧急程度": "urgency"}


def test_the_header_is_found_under_a_title_row_and_merged_group_cells(org):
    job = _upload(org, messy_xlsx())
    assert job.status == JobStatus.UPLOADED
    assert job.layout["headers"] == ["原工单号", "姓名", "联系电话", "邮箱", "投诉标题", "问题描述", "状态",
                                     "投诉类别", "产品型号", "投诉日期", "结案时间", "紧急程度"]
    assert job.layout["header_rows"] == [3, 4]
    assert job.layout["first_data_row"] == 5
    assert job.mapping["columns"] == EXPECTED_COLUMNS
    assert job.layout["samples"][0][0] == "OLD-001"


def test_dry_run_of_the_messy_ledger_reports_every_problem(org, a100):
    job = A.do_dry_run(_upload(org, messy_xlsx()), actor=org.admin)
    report = job.report
    assert job.status == JobStatus.CHECKED
    assert report["rows_total"] == 8  # the blank row is not a row
    assert report["rows_ok"] == 4
    assert report["rows_with_errors"] == 4
    # Spreadsheet rows: title 1, blank 2, header 3-4, data from 5 (the blank row 7 counts in Excel).
    assert _errors(report) == [(9, "状态", "unknown_value"), (10, "投诉日期", "invalid_date"),
                               (12, "邮箱", "invalid_email"), (13, "产品型号", "unknown_value")]
    first = report["errors"][0]
    assert first["value"] == "挂起"
    assert "未知的状态" in first["zh-CN"] and "Unknown status" in first["en"]
    assert first["message"] == f"{first['zh-CN']} / {first['en']}"
    assert report["duplicates"] == [{"row": 11, "external_id": "OLD-002", "first_row": 6}]
    # 王小明 and 李雷 are new; 韩梅梅's phone belongs to the existing customer 张三.
    assert report["new_customers"] == 2
    assert report["new_customer_samples"] == ["李雷", "王小明"]
    assert report["value_map_misses"] == [{"field": "product", "value": "Z-999", "rows": 1},
                                          {"field": "status", "value": "挂起", "rows": 1}]
    assert report["would_create"] == 3 and report["would_update"] == 0
    assert not Ticket.objects.exists()  # a dry run writes no tickets


def test_the_gbk_csv_gives_the_same_report(org, a100):
    job = A.do_dry_run(_upload(org, messy_csv("gbk"), "ledger.csv"), actor=org.admin)
    assert job.layout["encoding"] == "gb18030"
    assert job.layout["headers"][:3] == ["原工单号", "客户姓名", "联系电话"]
    report = job.report
    assert (report["rows_total"], report["rows_ok"], report["rows_with_errors"]) == (8, 4, 4)
    # The CSV has one header row: data starts at row 4, and its blank line is row 6.
    assert [e["row"] for e in report["errors"]] == [8, 9, 11, 12]
    assert report["new_customers"] == 2


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_utf8_and_utf16_csv_are_detected(org, encoding):
    job = _upload(org, messy_csv(encoding), "ledger.csv")
    assert job.layout["headers"][0] == "原工单号"
    assert job.layout["samples"][0][1] == "王小明"


def test_the_import_keeps_history_and_fires_no_rules_or_notifications(org, a100, django_capture_on_commit_callbacks):
    outbox_before = Outbox.objects.count()
    job = _import(org, A.do_dry_run(_upload(org, messy_xlsx()), actor=org.admin), django_capture_on_commit_callbacks)
    assert job.status == JobStatus.COMPLETED, job.error
    assert (job.created_count, job.updated_count, job.rows_failed) == (3, 0, 4)
    assert job.report["duplicates_skipped"] == 1
    assert len(job.report["import_errors"]) == 4
    tickets = {t.external_id: t for t in Ticket.objects.select_related("customer", "product", "category")}
    assert set(tickets) == {"OLD-001", "OLD-002", "OLD-003"}
    first = tickets["OLD-001"]
    assert first.channel == "import" and first.status == "new"
    assert first.created_at == datetime(2024, 3, 5, 6, 30, tzinfo=UTC)  # 14:30 Asia/Shanghai
    assert first.product == a100  # "A-100" normalised
    assert first.category.key == "malfunction"
    assert first.customer.name == "王小明" and first.customer.phone == "13800138001"
    assert first.urgency == "high" and first.priority == "P2"
    # The later OLD-002 row wins: closed on 2024年3月10日 18:00 (local), resolved then too.
    second = tickets["OLD-002"]
    assert second.subject == "发货太慢（追加）"
    assert second.status == "closed"
    assert second.created_at == datetime(2024, 3, 5, 16, 0, tzinfo=UTC)
    assert second.closed_at == second.resolved_at == datetime(2024, 3, 10, 10, 0, tzinfo=UTC)
    assert second.customer.phone == "13900139002"
    third = tickets["OLD-003"]
    assert third.customer == org.customer  # matched by phone, not created
    assert third.created_at == datetime(2024, 3, 5, 16, 0, tzinfo=UTC)  # Excel serial 45357 = 2024-03-06
    assert third.status == "in_progress" and third.accepted_at == third.created_at
    assert Customer.objects.filter(name__in=["王小明", "李雷"]).count() == 2
    # One "created" timeline row each, through the import channel, at the historical time.
    events = TicketEvent.objects.filter(ticket__in=tickets.values())
    assert sorted(events.values_list("type", "channel")) == [("created", "import")] * 3
    assert events.get(ticket=first).created_at == first.created_at
    # No ticket.created / repeat / status events: rules, SLA and notifications never hear of it.
    assert not Outbox.objects.filter(topic__startswith="ticket.").exists()
    assert Outbox.objects.count() == outbox_before
    assert {t.number[:2] for t in tickets.values()} == {"TS"}
    assert "发货太慢" in second.search_text and "13900139002" in second.search_text


def test_reimporting_the_same_file_changes_nothing(org, a100, django_capture_on_commit_callbacks):
    _import(org, _upload(org, messy_xlsx()), django_capture_on_commit_callbacks)
    numbers = dict(Ticket.objects.values_list("external_id", "number"))
    events = TicketEvent.objects.count()
    customers = Customer.objects.count()
    again = _import(org, _upload(org, messy_xlsx()), django_capture_on_commit_callbacks)
    assert again.status == JobStatus.COMPLETED
    assert (again.created_count, again.updated_count) == (0, 0)
    assert dict(Ticket.objects.values_list("external_id", "number")) == numbers
    assert TicketEvent.objects.count() == events and Customer.objects.count() == customers
    # The same records from the GBK CSV: still nothing new.
    csv_job = _import(org, _upload(org, messy_csv(), "ledger.csv"), django_capture_on_commit_callbacks)
    assert (csv_job.created_count, csv_job.updated_count) == (0, 0)
    assert Ticket.objects.count() == 3


def test_a_changed_file_updates_the_tickets_and_records_it(org, a100, django_capture_on_commit_callbacks):
    _import(org, _upload(org, messy_xlsx()), django_capture_on_commit_callbacks)
    rows = list(MESSY_ROWS)
    rows[0] = ("OLD-001", "王小明", "13800138001", "wxm@example.com", "屏幕闪烁（已上门）", "上门检修后仍闪烁",
               "已解决", "功能故障", "A100", datetime(2024, 3, 5, 14, 30), "2024-03-08 10:00", "高")
    job = _import(org, _upload(org, messy_xlsx(rows)), django_capture_on_commit_callbacks)
    assert (job.created_count, job.updated_count) == (0, 1)
    ticket = Ticket.objects.get(external_id="OLD-001")
    assert ticket.subject == "屏幕闪烁（已上门）" and ticket.status == "resolved"
    assert ticket.resolved_at == datetime(2024, 3, 8, 2, 0, tzinfo=UTC)
    event = TicketEvent.objects.get(ticket=ticket, type="updated")
    assert event.channel == "import"
    assert event.data["changes"]["subject"] == {"old": "屏幕闪烁", "new": "屏幕闪烁（已上门）"}
    record = ImportedRecord.objects.get(job=job, object_id=ticket.pk)
    assert record.action == "updated" and record.snapshot["subject"] == "屏幕闪烁"


def test_value_maps_defaults_and_product_rules_from_the_mapping(org, a100, django_capture_on_commit_callbacks):
    base = _upload(org, messy_xlsx()).mapping
    job = _upload(org, messy_xlsx(), value_maps={"status": {"挂起": "pending_customer"}, "product": {"Z-999": "A-100"}},
                  defaults={"urgency": "low"})
    job = A.do_dry_run(job, actor=org.admin)
    assert base["value_maps"] == {}
    assert _errors(job.report) == [(10, "投诉日期", "invalid_date"), (12, "邮箱", "invalid_email")]
    assert job.report["value_map_misses"] == []
    job = _import(org, job, django_capture_on_commit_callbacks)
    assert Ticket.objects.get(external_id="OLD-004").status == "pending_customer"
    assert Ticket.objects.get(external_id="OLD-007").product == a100


def test_unknown_values_can_fall_back_to_the_default(org, a100):
    job = _upload(org, messy_xlsx(), unmapped={"status": "default", "product": "empty"},
                  defaults={"status": "closed"})
    report = A.do_dry_run(job, actor=org.admin).report
    assert _errors(report) == [(10, "投诉日期", "invalid_date"), (12, "邮箱", "invalid_email")]
    # The misses are still listed, so that the value map can be completed.
    assert {m["value"] for m in report["value_map_misses"]} == {"挂起", "Z-999"}


def test_unknown_categories_can_be_created(org, a100, django_capture_on_commit_callbacks):
    rows = [("N-1", "钱一", "13600136001", "", "新问题", "一种新的问题", "待处理", "智能家居联网", "", "2024-01-02",
             None, "中")]
    job = A.do_dry_run(_upload(org, messy_xlsx(rows), create_categories=True), actor=org.admin)
    assert job.report["new_categories"] == ["智能家居联网"]
    assert job.report["rows_with_errors"] == 0
    _import(org, job, django_capture_on_commit_callbacks)
    assert Ticket.objects.get(external_id="N-1").category.name == "智能家居联网"
    refused = A.do_dry_run(_upload(org, messy_xlsx(rows)), actor=org.admin)
    assert _errors(refused.report) == []  # the category exists now
    assert Category.objects.filter(name="智能家居联网").count() == 1


def test_customers_are_not_created_when_the_mapping_says_so(org, a100):
    job = A.do_dry_run(_upload(org, messy_xlsx(), create_customers=False), actor=org.admin)
    assert job.report["new_customers"] == 0
    assert job.report["missing_customers"] == 3  # OLD-001, OLD-002 twice; 韩梅梅 is matched


def test_a_crashed_import_resumes_after_its_last_batch_without_duplicates(org, a100):
    rows = [(f"R-{i:03d}", f"客户{i}", f"1350000{i:04d}", "", f"问题 {i}", "描述", "待处理", "功能故障", "A100",
             "2024-02-01", None, "中") for i in range(1, 11)]
    job = A.do_dry_run(_upload(org, messy_xlsx(rows), batch_size=3), actor=org.admin)
    job.status = JobStatus.QUEUED
    job.save(update_fields=["status"])
    calls = []

    def crash_on_second_batch(progress: TransferJob) -> None:
        calls.append(progress.resume_row)
        if len(calls) == 2:
            raise RuntimeError("worker killed")

    with pytest.raises(RuntimeError):
        A.run_import(job.pk, on_batch=crash_on_second_batch)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "worker killed" in job.error
    # A worker killed outright leaves the job "running": resumable once it made no progress for 10 minutes.
    job.status = JobStatus.RUNNING
    job.save(update_fields=["status"])
    with pytest.raises(Conflict):
        A.do_queue_import(job, actor=org.admin)
    TransferJob.objects.filter(pk=job.pk).update(updated_at=datetime(2020, 1, 1, tzinfo=UTC))
    job.refresh_from_db()
    # Two batches committed (rows 5-7 and 8-10), as the job says.
    assert (job.batches_done, job.rows_done, job.resume_row) == (2, 6, 10)
    assert Ticket.objects.count() == 6
    assert job.rows_total == 10
    A.do_queue_import(job, actor=org.admin)  # the API's "run" on a failed job resumes it
    resumed = A.run_import(job.pk)
    assert resumed is not None and resumed.status == JobStatus.COMPLETED
    assert (resumed.rows_done, resumed.created_count, resumed.batches_done) == (10, 10, 4)
    assert sorted(Ticket.objects.values_list("external_id", flat=True)) == [f"R-{i:03d}" for i in range(1, 11)]
    assert TicketEvent.objects.filter(type="created").count() == 10


def test_a_second_run_of_a_finished_job_writes_nothing(org, a100, django_capture_on_commit_callbacks):
    job = _import(org, _upload(org, messy_xlsx()), django_capture_on_commit_callbacks)
    assert A.run_import(job.pk).status == JobStatus.COMPLETED  # the task delivered twice: a no-op
    assert Ticket.objects.count() == 3
    with pytest.raises(Conflict):
        A.do_queue_import(job, actor=org.admin)


def test_rollback_deletes_what_the_import_created_and_restores_what_it_changed(
        org, a100, django_capture_on_commit_callbacks):
    first = _import(org, _upload(org, messy_xlsx()), django_capture_on_commit_callbacks)
    rows = list(MESSY_ROWS)
    rows[0] = ("OLD-001", "王小明", "13800138001", "", "改过的标题", "改过的描述", "已解决", "功能故障", "A100",
               datetime(2024, 3, 5, 14, 30), None, "低")
    rows.append(("OLD-100", "新客户", "13600136100", "", "新增", "新增的投诉", "待处理", "功能故障", "", "2024-04-01",
                 None, "中"))
    second = _import(org, _upload(org, messy_xlsx(rows)), django_capture_on_commit_callbacks)
    assert (second.created_count, second.updated_count) == (1, 1)
    with pytest.raises(Conflict) as refused:
        A.do_rollback_import(first, actor=org.admin)
    assert refused.value.details == {"jobs": [second.pk]}

    A.do_rollback_import(second, actor=org.admin)
    second.refresh_from_db()
    assert second.status == JobStatus.ROLLED_BACK
    assert second.report["rollback"] == {"deleted_tickets": 1, "restored_tickets": 1, "deleted_customers": 1}
    restored = Ticket.objects.get(external_id="OLD-001")
    assert (restored.subject, restored.status, restored.urgency) == ("屏幕闪烁", "new", "high")
    assert not Ticket.objects.filter(external_id="OLD-100").exists()
    assert not Customer.objects.filter(name="新客户").exists()

    A.do_rollback_import(first, actor=org.admin)
    assert not Ticket.objects.exists()
    assert not Customer.objects.filter(name__in=["王小明", "李雷"]).exists()
    assert Customer.objects.filter(pk=org.customer.pk).exists()  # matched, not created: kept
    with pytest.raises(Conflict):
        A.do_rollback_import(first, actor=org.admin)


def test_mapping_problems_are_reported_at_once(org):
    job = _upload(org, messy_xlsx())
    with pytest.raises(InvalidInput) as bad:
        A.do_set_mapping(job, actor=org.admin, mapping={
            "columns": {"原工单号": "external_id", "姓名": "external_id", "没有这列": "subject", "状态": "nonsense"},
            "value_maps": {"subject": {}}, "batch_size": 0, "surprise": 1})
    assert bad.value.code == "invalid_mapping"
    assert set(bad.value.details) == {"columns.姓名", "columns.没有这列", "columns.状态", "value_maps.subject",
                                      "batch_size", "surprise", "columns"}


def test_bad_files_are_refused(org):
    for content, name in ((b"", "x.csv"), (b"PK\x03\x04not really a zip", "x.xlsx"),
                          (b"\x00\x01\x02\x03binary", "x.bin"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1junk", "x.xls")):
        with pytest.raises(InvalidInput) as refused:
            A.do_create_import_job(actor=org.admin, name=name, content=content)
        assert refused.value.code == "bad_file", name
    assert not TransferJob.objects.exists()


def test_form_fields_are_validated_by_the_form_engine_like_the_api(org, django_capture_on_commit_callbacks):
    import csv
    import io

    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["编号", "您的姓名", "手机", "投诉类型", "投诉标题", "详细描述", "您的诉求"])
    writer.writerow(["F-1", "张三", "13800000001", "product", "屏幕闪烁问题", "开机后屏幕一直闪烁，无法使用", "repair"])
    writer.writerow(["F-2", "李四", "13800000002", "product", "太短", "太短了", "repair"])
    writer.writerow(["F-3", "王五", "13800000003", "no-such-type", "发货慢的问题", "下单一周还没有发货，很着急",
                     "repair"])
    job = A.do_create_import_job(actor=org.admin, name="form.csv", content=text.getvalue().encode("utf-8"),
                                 form="general")
    assert job.mapping["columns"]["您的姓名"] == "data.contact_name"
    columns = {"编号": "external_id", "您的姓名": "data.contact_name", "手机": "data.contact_phone",
               "投诉类型": "data.complaint_type", "投诉标题": "data.subject", "详细描述": "data.description",
               "您的诉求": "data.expectation"}
    job = A.do_set_mapping(job, actor=org.admin, mapping={**job.mapping, "columns": columns,
                                                            "defaults": {"subject": "表单导入", "data.agree": True}})
    job = A.do_dry_run(job, actor=org.admin)
    problems = {(e["row"], e["column"]) for e in job.report["errors"]}
    assert problems == {(3, "投诉标题"), (3, "详细描述"), (4, "投诉类型")}, job.report["errors"]
    assert {e["code"] for e in job.report["errors"]} == {"too_short", "invalid_choice"}
    assert all(e["zh-CN"] and e["en"] for e in job.report["errors"])
    job = _import(org, job, django_capture_on_commit_callbacks)
    assert (job.created_count, job.rows_failed) == (1, 2)
    ticket = Ticket.objects.get(external_id="F-1")
    assert ticket.form_version is not None and ticket.form_version.form.key == "general"
    assert ticket.data["contact_name"] == "张三" and ticket.data["expectation"] == "repair"


def test_a_reimport_only_touches_what_its_file_maps(org, a100, django_capture_on_commit_callbacks):
    _import(org, _upload(org, messy_xlsx()), django_capture_on_commit_callbacks)
    before = Ticket.objects.get(external_id="OLD-001")
    narrow = "原工单号,投诉标题,问题描述\nOLD-001,屏幕闪烁,开机后屏幕闪烁严重，无法正常使用\n".encode()
    job = _import(org, _upload(org, narrow, "narrow.csv"), django_capture_on_commit_callbacks)
    assert (job.created_count, job.updated_count) == (0, 0)
    after = Ticket.objects.get(external_id="OLD-001")
    assert (after.category_id, after.customer_id, after.product_id, after.status, after.created_at) == (
        before.category_id, before.customer_id, before.product_id, before.status, before.created_at)


def test_customers_known_by_name_only_are_not_duplicated_on_reimport(org, django_capture_on_commit_callbacks):
    names_only = "编号,客户姓名,投诉标题\nN-1,无电话客户,标题一\nN-2,无电话客户,标题二\n".encode("gbk")
    first = _import(org, _upload(org, names_only, "names.csv"), django_capture_on_commit_callbacks)
    assert first.created_count == 2
    assert Customer.objects.filter(name="无电话客户").count() == 1  # one per new person within the file
    again = _import(org, _upload(org, names_only, "names.csv"), django_capture_on_commit_callbacks)
    assert (again.created_count, again.updated_count) == (0, 0)
    assert Customer.objects.filter(name="无电话客户").count() == 1


def test_encrypted_form_fields_are_sealed_and_a_reimport_keeps_them(org, django_capture_on_commit_callbacks):
    from complaintdesk.forms import crypto
    from complaintdesk.forms.actions import do_create_form, do_publish_draft

    form = do_create_form(key="secret_form", name="加密表单", actor=None, schema={"fields": [
        {"key": "mobile", "type": "phone", "label": {"zh-CN": "手机", "en": "Mobile"}, "config": {"encrypted": True}}]})
    do_publish_draft(form, actor=None)
    content = "编号,标题,手机\nS-1,加密字段导入,13912345678\n".encode()
    columns = {"编号": "external_id", "标题": "subject", "手机": "data.mobile"}

    def run() -> TransferJob:
        job = A.do_create_import_job(actor=org.admin, name="secret.csv", content=content, form="secret_form")
        job = A.do_set_mapping(job, actor=org.admin, mapping={**job.mapping, "columns": columns})
        return _import(org, job, django_capture_on_commit_callbacks)

    assert run().created_count == 1
    ticket = Ticket.objects.get(external_id="S-1")
    assert crypto.is_sealed(ticket.data["mobile"])  # stored sealed, as on intake
    assert crypto.unseal("mobile", ticket.data["mobile"]) == "13912345678"
    again = run()
    assert (again.created_count, again.updated_count) == (0, 0)


def test_imported_numbers_come_from_the_ticket_counter_in_one_block(org, a100, frozen_clock,
                                                                    django_capture_on_commit_callbacks):
    from complaintdesk.tickets.actions import do_create_ticket

    before, _ = do_create_ticket(actor=org.admin, subject="导入前的工单")
    _import(org, _upload(org, messy_xlsx()), django_capture_on_commit_callbacks)
    after, _ = do_create_ticket(actor=org.admin, subject="导入后的工单")
    imported = sorted(Ticket.objects.filter(channel="import").values_list("number", flat=True))
    assert before.number == "TS202603100001"
    assert imported == ["TS202603100002", "TS202603100003", "TS202603100004"]
    assert after.number == "TS202603100005"
