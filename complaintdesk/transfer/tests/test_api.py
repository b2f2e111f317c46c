"""The transfer endpoints end to end: upload → mapping → dry run → report download → import job →
progress → rollback; exports with download; permissions (negative tests for every endpoint);
bad files and bad bodies answer 4xx in the one error shape (including a fuzz test)."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from complaintdesk.customers.actions import do_create_product
from complaintdesk.tickets.actions import do_create_ticket
from complaintdesk.tickets.models import Ticket
from complaintdesk.transfer.tests.sheets import messy_csv, messy_xlsx

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _shape(response) -> dict:
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    body = response.json()
    assert {"code", "message", "details"} <= set(body), body
    return body


def _read(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_import_flow_through_the_api(org, django_capture_on_commit_callbacks):
    do_create_product(sku="A100", name="A100 手机", line=None, actor=None)
    api = org.client(org.admin)
    response = api.upload("transfer/imports", "台账.xlsx", messy_xlsx())
    assert response.status_code == 201, response.content
    job = response.json()
    assert job["status"] == "uploaded" and job["kind"] == "import" and job["file_name"] == "台账.xlsx"
    assert job["mapping"]["columns"]["原工单号"] == "external_id"
    assert job["layout"]["header_rows"] == [3, 4]
    job_id = job["id"]

    mapping = {**job["mapping"], "value_maps": {"status": {"挂起": "pending_customer"}}}
    response = api.put(f"transfer/imports/{job_id}/mapping", {"mapping": mapping})
    assert response.status_code == 200, response.content
    response = api.post(f"transfer/imports/{job_id}/dry-run")
    assert response.status_code == 200, response.content
    checked = response.json()
    assert checked["status"] == "checked"
    assert (checked["report"]["rows_ok"], checked["report"]["rows_with_errors"]) == (5, 3)
    assert checked["download_url"] == f"/api/v1/transfer/jobs/{job_id}/download"

    report = api.get(checked["download_url"])
    assert report.status_code == 200
    assert report["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(_read(report))).get_sheet_by_index(0).to_python()
    assert rows[0][:3] == ["行号 / Row", "错误 / Errors", "原工单号"]
    assert [int(r[0]) for r in rows[1:]] == [10, 12, 13]
    assert "邮箱格式无效" in rows[2][1] and rows[2][2] == "OLD-006"

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"transfer/imports/{job_id}/run")
    assert response.status_code == 202, response.content
    done = api.get(f"transfer/jobs/{job_id}").json()
    assert done["status"] == "completed"
    assert done["progress"] == {"rows_total": 8, "rows_done": 8, "rows_failed": 3, "created": 4, "updated": 0,
                                "batches_done": 1, "resume_row": 13, "percent": 100.0, "eta_seconds": None}
    assert Ticket.objects.filter(channel="import").count() == 4
    listed = api.get("transfer/jobs", {"kind": "import"}).json()
    assert [j["id"] for j in listed["items"]] == [job_id]

    # Mapping and dry run are closed once the import ran; run again is a conflict.
    assert _shape(api.put(f"transfer/imports/{job_id}/mapping", {"mapping": mapping}))["code"] == "conflict"
    assert _shape(api.post(f"transfer/imports/{job_id}/run"))["code"] == "conflict"

    response = api.post(f"transfer/imports/{job_id}/rollback")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "rolled_back"
    assert not Ticket.objects.filter(channel="import").exists()


def test_a_gbk_csv_upload_with_a_form_key(org):
    api = org.client(org.admin)
    response = api.client.post("/api/v1/transfer/imports?form_key=general",
                               {"file": _file("ledger.csv", messy_csv("gbk"))}, **api.headers)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["layout"]["encoding"] == "gb18030" and body["mapping"]["form"] == "general"


def _file(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_the_export_flow_through_the_api(org, django_capture_on_commit_callbacks):
    do_create_ticket(actor=org.admin, subject="=1+1 危险标题", customer=org.customer)
    do_create_ticket(actor=org.admin, subject="普通标题")
    api = org.client(org.supervisor)
    response = api.post("transfer/exports", {"format": "csv", "filters": {"q": "标题"}, "columns": ["subject"]})
    assert response.status_code == 201, response.content
    job = response.json()
    assert job["status"] == "completed" and job["progress"]["rows_done"] == 2
    content = _read(api.get(job["download_url"])).decode("utf-8-sig").splitlines()
    assert content[0] == "主题" and sorted(content[1:]) == ["'=1+1 危险标题", "普通标题"]

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("transfer/exports", {"format": "xlsx", "background": True})
    assert response.status_code == 202, response.content
    background = api.get(f"transfer/jobs/{response.json()['id']}").json()
    assert background["status"] == "completed" and background["progress"]["rows_total"] == 2
    download = api.get(background["download_url"])
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]

    ticket = Ticket.objects.get(subject="普通标题")
    single = api.get(f"transfer/tickets/{ticket.pk}/export")
    assert single.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(single.content))
    assert book.sheet_names == ["工单信息", "处理记录", "回复与备注"]


def test_bad_files_and_bodies_answer_4xx(org):
    api = org.client(org.admin)
    for name, content in (("x.xlsx", b"PK\x03\x04broken"), ("x.csv", b""), ("x.bin", b"\x00\x01binary")):
        body = _shape(api.upload("transfer/imports", name, content))
        assert body["code"] in ("bad_file", "validation_error"), body
    assert _shape(api.client.post("/api/v1/transfer/imports", {}, **api.headers))["code"] == "validation_error"
    job_id = api.upload("transfer/imports", "a.xlsx", messy_xlsx()).json()["id"]
    body = _shape(api.put(f"transfer/imports/{job_id}/mapping", {"mapping": {"columns": {"原工单号": "nope"}}}))
    assert body["code"] == "invalid_mapping" and "columns.原工单号" in body["details"]
    assert _shape(api.put(f"transfer/imports/{job_id}/mapping", {"mapping": []}))["code"] == "validation_error"
    assert _shape(api.post("transfer/exports", {"format": "pdf"}))["code"] == "validation_error"
    assert _shape(api.post("transfer/exports", {"columns": ["nope"]}))["code"] == "validation_error"
    assert _shape(api.post("transfer/exports", {"sort": "nope"}))["code"] == "validation_error"
    assert _shape(api.get("transfer/jobs", {"kind": "nope"}))["code"] == "validation_error"
    assert _shape(api.get("transfer/jobs/999999"))["code"] == "not_found"
    assert _shape(api.post("transfer/imports/999999/dry-run"))["code"] == "not_found"


def test_permissions(org):
    admin = org.client(org.admin)
    job_id = admin.upload("transfer/imports", "a.xlsx", messy_xlsx()).json()["id"]
    ticket, _ = do_create_ticket(actor=org.admin, subject="任意工单")
    # The supervisor may export but not import (settings.manage): 403 on every import endpoint.
    supervisor = org.client(org.supervisor)
    assert supervisor.upload("transfer/imports", "a.xlsx", messy_xlsx()).status_code == 403
    assert supervisor.get("transfer/import-targets").status_code == 403
    for method, path, body in (("put", f"transfer/imports/{job_id}/mapping", {"mapping": {}}),
                               ("post", f"transfer/imports/{job_id}/dry-run", None),
                               ("post", f"transfer/imports/{job_id}/run", None),
                               ("post", f"transfer/imports/{job_id}/rollback", None)):
        response = getattr(supervisor, method)(path, body) if body is not None else supervisor.post(path)
        assert _shape(response)["code"] == "permission_denied", path
    # Another user's job is not found, even for someone with the permission.
    assert supervisor.get(f"transfer/jobs/{job_id}").status_code == 404
    assert supervisor.get(f"transfer/jobs/{job_id}/download").status_code == 404
    # The auditor may view tickets but not export them.
    auditor = org.client(org.auditor)
    assert _shape(auditor.post("transfer/exports", {}))["code"] == "permission_denied"
    assert _shape(auditor.get(f"transfer/tickets/{ticket.pk}/export"))["code"] == "permission_denied"
    assert auditor.get("transfer/jobs").json()["items"] == []
    # Outside the data scope the ticket does not exist.
    assert org.client(org.nobody).get(f"transfer/tickets/{ticket.pk}/export").status_code in (403, 404)
    assert org.client(None).get("transfer/jobs").status_code == 401


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20),
              st.sampled_from(["external_id", "data.x", "customer.phone", "ignore", "%Y", "csv", "xlsx"])),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=15,
)


def test_random_bodies_never_break_the_transfer_endpoints(org):
    api = org.client(org.admin)
    job_id = api.upload("transfer/imports", "a.xlsx", messy_xlsx()).json()["id"]
    mapping_keys = st.sampled_from(["columns", "value_maps", "unmapped", "defaults", "product_code", "date_formats",
                                    "customer_match", "customer_system", "batch_size", "header_row", "sheet", "form"])

    @FUZZ
    @given(mapping=st.dictionaries(mapping_keys, json_values, max_size=6), export=json_values)
    def run(mapping, export) -> None:
        for response in (
            api.put(f"transfer/imports/{job_id}/mapping", {"mapping": mapping}),
            api.post("transfer/exports", export),
            api.post("transfer/exports", {"filters": export} if isinstance(export, dict) else export),
        ):
            assert response.status_code < 500, (response.status_code, response.content[:500], json.dumps(mapping))
            if response.status_code >= 400:
                _shape(response)

    run()


def test_random_uploads_never_break_the_import(org):
    api = org.client(org.admin)

    @settings(FUZZ, max_examples=15)
    @given(content=st.one_of(st.binary(max_size=3000),
                             st.text(max_size=500).map(lambda t: t.encode("utf-8")),
                             st.sampled_from([b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"a,b\n1,2\n",
                                              b"\xef\xbb\xbf", "名称,电话\n张三,138\n".encode("gbk")])),
           name=st.sampled_from(["a.xlsx", "a.csv", "a.xls", "a", "../x.csv"]))
    def run(content: bytes, name: str) -> None:
        response = api.upload("transfer/imports", name, content)
        assert response.status_code < 500, (response.status_code, response.content[:300], content[:80])
        if response.status_code >= 400:
            _shape(response)
        else:
            job_id = response.json()["id"]
            dry = api.post(f"transfer/imports/{job_id}/dry-run")
            assert dry.status_code < 500, dry.content[:300]

    run()
