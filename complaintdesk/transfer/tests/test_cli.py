"""``complaintdesk import FILE --mapping MAPPING [--dry-run]``."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from complaintdesk.customers.actions import do_create_product
from complaintdesk.tickets.models import Ticket
from complaintdesk.transfer.tests.sheets import messy_csv, messy_xlsx

pytestmark = pytest.mark.django_db

MAPPING = {
    "columns": {"原工单号": "external_id", "姓名": "customer.name", "联系电话": "customer.phone",
                "邮箱": "customer.email",
                "投诉标题": "subject", "问题描述": "description", "状态": "status", "投诉类别": "category",
                "产品型号": "product", "投诉日期": "created_at", "结案时间": "closed_at", "紧急程度": "urgency"},
    "value_maps": {"status": {"挂起": "pending_customer"}},
    "unmapped": {"product": "empty"},
}


def _call(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_dry_run_then_import_from_the_command_line(org, tmp_path):
    do_create_product(sku="A100", name="A100 手机", line=None, actor=None)
    ledger = tmp_path / "台账.xlsx"
    ledger.write_bytes(messy_xlsx())
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps(MAPPING, ensure_ascii=False), encoding="utf-8")
    report = tmp_path / "errors.xlsx"
    out, _ = _call(str(ledger), "--mapping", str(mapping), "--dry-run", "--report", str(report))
    assert "dry run: 8 rows, 6 ok, 2 with errors" in out
    assert "row 10 [投诉日期] '2024-13-45'" in out
    assert report.read_bytes().startswith(b"PK")
    assert not Ticket.objects.exists()
    out, err = _call(str(ledger), "--mapping", str(mapping))
    assert "5 created, 0 updated, 2 rows with errors skipped" in out
    assert "8/8 rows" in err
    assert Ticket.objects.filter(channel="import").count() == 5


def test_without_a_mapping_the_suggestion_is_printed(org, tmp_path):
    ledger = tmp_path / "ledger.csv"
    ledger.write_bytes(messy_csv("gbk"))
    out, _ = _call(str(ledger))
    assert json.loads(out)["columns"]["客户姓名"] == "customer.name"


def test_an_agent_may_not_import(org, tmp_path):
    ledger = tmp_path / "ledger.csv"
    ledger.write_bytes(messy_csv())
    with pytest.raises(CommandError):
        _call(str(ledger), "--user", "agent_a")


YAML_MAPPING = """\
# 旧系统台账 → ComplaintDesk
columns:
  原工单号: external_id
  姓名: customer.name
  联系电话: customer.phone
  邮箱: customer.email
  投诉标题: subject
  问题描述: description
  状态: status
  投诉类别: category
  产品型号: product
  投诉日期: created_at
  结案时间: closed_at
  紧急程度: urgency
value_maps:
  status:
    挂起: pending_customer
unmapped:
  product: empty
"""


def test_a_yaml_mapping_works_like_the_json_one(org, tmp_path):
    do_create_product(sku="A100", name="A100 手机", line=None, actor=None)
    ledger = tmp_path / "台账.xlsx"
    ledger.write_bytes(messy_xlsx())
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(YAML_MAPPING, encoding="utf-8")
    out, _ = _call(str(ledger), "--mapping", str(mapping))
    assert "5 created, 0 updated, 2 rows with errors skipped" in out


def test_a_malformed_yaml_mapping_is_a_clear_error(org, tmp_path):
    ledger = tmp_path / "ledger.csv"
    ledger.write_bytes(messy_csv())
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("columns: [unclosed\n", encoding="utf-8")
    with pytest.raises(CommandError) as failed:
        _call(str(ledger), "--mapping", str(mapping))
    assert "mapping" in str(failed.value).lower() or "映射" in str(failed.value)
    assert not Ticket.objects.exists()
