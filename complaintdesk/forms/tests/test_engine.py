"""The evaluation engine: defaults, formulas in dependency order, visibility, required-when,
sub-tables with totals, hidden values dropped, serial numbers on submit."""

from __future__ import annotations

import pytest
from django.db import transaction

from complaintdesk.forms.engine import EvaluationContext, evaluate_form
from complaintdesk.forms.tests.conftest import COMPLAINT_SCHEMA, NOW, codes, evaluate


def test_visibility_toggles_required_ness_and_drops_hidden_values():
    refund = evaluate(COMPLAINT_SCHEMA, {"kind": "refund", "amount": "88", "reason": "屏幕碎了"})
    assert refund.valid, refund.errors
    assert refund.visibility["reason"] is True
    assert refund.required == {"kind": True, "amount": True, "qty": False, "total": False, "reason": True,
                               "phone": False}
    assert refund.values == {"kind": "refund", "amount": "88.00", "qty": 1, "total": "88.00", "reason": "屏幕碎了"}

    repair = evaluate(COMPLAINT_SCHEMA, {"kind": "repair", "reason": "不该出现", "qty": 2})
    assert repair.valid, repair.errors
    assert repair.visibility["reason"] is False
    assert repair.required["reason"] is False and repair.required["amount"] is False
    assert "reason" not in repair.values
    assert repair.values["total"] == "0.00"  # a blank amount is 0 in arithmetic, as in Excel

    missing = evaluate(COMPLAINT_SCHEMA, {"kind": "refund"})
    assert codes(missing, "amount") == ["required"] and codes(missing, "reason") == ["required"]
    assert codes(evaluate(COMPLAINT_SCHEMA, {}), "kind") == ["required"]


def test_errors_of_hidden_fields_are_not_reported():
    result = evaluate(COMPLAINT_SCHEMA, {"kind": "repair", "reason": 12345, "phone": "12"})
    assert codes(result, "phone") == ["invalid_phone"]
    assert "reason" not in result.errors


def test_a_hidden_field_counts_as_blank_for_the_fields_after_it():
    schema = {"fields": [
        {"key": "vip", "type": "switch", "label": "VIP"},
        {"key": "discount", "type": "percent", "label": "折扣",
         "visible_when": {"field": "vip", "op": "eq", "value": True}},
        {"key": "price", "type": "money", "label": "价格"},
        {"key": "pay", "type": "formula", "label": "应付", "formula": "{price} * (1 - {discount})",
         "config": {"result_type": "money"}},
        {"key": "note", "type": "text", "label": "说明",
         "visible_when": {"field": "discount", "op": "gt", "value": 10}},
    ]}
    vip = evaluate(schema, {"vip": True, "discount": 20, "price": 100})
    assert vip.values["pay"] == "80.00"  # the formula sees 20 % as 0.2
    assert vip.visibility["note"] is True
    plain = evaluate(schema, {"vip": False, "discount": 20, "price": 100})
    assert plain.values["pay"] == "100.00"
    assert plain.visibility == {"vip": True, "discount": False, "price": True, "pay": True, "note": False}


def test_sections_hide_their_fields():
    schema = {
        "fields": [{"key": "channel", "type": "dropdown", "label": "渠道",
                    "options": [{"value": "store", "label": "门店"}, {"value": "online", "label": "网店"}]},
                   {"key": "store_name", "type": "text", "label": "门店名称", "required": True},
                   {"key": "visited_at", "type": "datetime", "label": "到店时间"}],
        "layout": ["channel", {"type": "section", "title": "门店信息",
                               "visible_when": {"field": "channel", "op": "eq", "value": "store"},
                               "children": [{"type": "columns", "columns": [
                                   {"span": 12, "children": ["store_name"]},
                                   {"span": 12, "children": ["visited_at"]}]}]}],
    }
    online = evaluate(schema, {"channel": "online", "store_name": "静安店"})
    assert online.valid and online.values == {"channel": "online"}
    assert online.visibility["store_name"] is False and online.visibility["visited_at"] is False
    store = evaluate(schema, {"channel": "store"})
    assert codes(store, "store_name") == ["required"]


def test_defaults_literal_and_formula_apply_only_when_absent(frozen_clock):
    schema = {"fields": [
        {"key": "qty", "type": "integer", "label": "数量", "default": 1},
        {"key": "due", "type": "date", "label": "期限", "default_formula": "TODAY() + 7"},
        {"key": "label", "type": "text", "label": "标签", "default_formula": "\"共\" & {qty} & \"件\""},
    ]}
    result = evaluate(schema, {})
    assert result.values == {"qty": 1, "due": "2026-03-17", "label": "共1件"}
    given = evaluate(schema, {"qty": 3, "due": "2026-04-01"})
    assert given.values == {"qty": 3, "due": "2026-04-01", "label": "共3件"}
    cleared = evaluate(schema, {"qty": None})
    assert "qty" not in cleared.values and cleared.values["label"] == "共件"


def test_formulas_run_in_dependency_order_whatever_the_field_order():
    schema = {"fields": [
        {"key": "gross", "type": "formula", "label": "含税", "formula": "{net} * (1 + {rate})",
         "config": {"result_type": "money"}},
        {"key": "net", "type": "formula", "label": "净额", "formula": "{price} * {qty}",
         "config": {"result_type": "number"}},
        {"key": "rate", "type": "percent", "label": "税率", "default": 13},
        {"key": "price", "type": "number", "label": "单价"},
        {"key": "qty", "type": "integer", "label": "数量"},
        {"key": "summary", "type": "formula", "label": "摘要", "formula": "TEXT({gross}, \"0.00\") & \" 元\"",
         "config": {"result_type": "text"}},
    ]}
    result = evaluate(schema, {"price": 9.9, "qty": 3})
    assert result.values["net"] == 29.7
    assert result.values["gross"] == "33.56"  # 29.7 × 1.13 = 33.561, half-up to the cent
    assert result.values["summary"] == "33.56 元"


def test_excel_errors_are_reported_not_raised():
    schema = {"fields": [
        {"key": "a", "type": "number", "label": "A"},
        {"key": "b", "type": "number", "label": "B"},
        {"key": "ratio", "type": "formula", "label": "比例", "formula": "{a} / {b}"},
        {"key": "text_in_number", "type": "formula", "label": "文本", "formula": "\"abc\""},
        {"key": "after", "type": "formula", "label": "后续", "formula": "IFERROR({ratio}, -1)"},
    ]}
    result = evaluate(schema, {"a": 1, "b": 0})
    assert result.formula_errors["ratio"]["code"] == "#DIV/0!"
    assert result.formula_errors["ratio"]["zh-CN"] and result.formula_errors["ratio"]["en"]
    assert result.formula_errors["text_in_number"]["code"] == "#VALUE!"
    assert "ratio" not in result.values
    assert result.values["after"] == -1  # dependents see the error value, as in a spreadsheet
    assert result.valid  # formula errors are not the submitter's fault


def test_datetime_and_date_values_reach_formulas_in_local_time():
    schema = {"fields": [
        {"key": "at", "type": "datetime", "label": "发生时间"},
        {"key": "hour", "type": "formula", "label": "小时", "formula": "HOUR({at})",
         "config": {"result_type": "integer"}},
        {"key": "bought", "type": "date", "label": "购买日期"},
        {"key": "age", "type": "formula", "label": "天数", "formula": "DATEDIF({bought}, DATE(2026,3,10), \"d\")",
         "config": {"result_type": "integer"}},
    ]}
    result = evaluate(schema, {"at": "2026-03-10T01:30:00Z", "bought": "2026-02-28"})
    assert result.values["at"] == "2026-03-10T01:30:00Z"
    assert result.values["hour"] == 9  # 09:30 in Shanghai
    assert result.values["age"] == 10


ITEMS = {"fields": [
    {"key": "items", "type": "sub_table", "label": "退货明细", "min_length": 1, "config": {
        "columns": [
            {"key": "sku", "type": "text", "label": "SKU", "required": True, "unique": True},
            {"key": "qty", "type": "integer", "label": "数量", "min": 1, "default": 1},
            {"key": "price", "type": "money", "label": "单价"},
            {"key": "line", "type": "formula", "label": "小计", "formula": "{qty} * {price} * (1 - {discount})",
             "config": {"result_type": "money"}},
            {"key": "damage", "type": "textarea", "label": "破损说明",
             "visible_when": {"field": "qty", "op": "gt", "value": 5}, "required": True},
        ],
        "totals": {"qty": "sum", "line": "sum", "price": "max", "sku": "count"}}},
    {"key": "discount", "type": "percent", "label": "折扣"},
    {"key": "total", "type": "formula", "label": "总额", "formula": "SUM({items.line})",
     "config": {"result_type": "money"}},
    {"key": "lines", "type": "formula", "label": "行数", "formula": "COUNTA({items.sku})"},
], "layout": []}


def test_sub_table_rows_columns_and_totals():
    result = evaluate(ITEMS, {"discount": 10, "items": [
        {"sku": "PH-001", "qty": 2, "price": "1999"},
        {"sku": "PH-002", "price": 99.5},
        {"sku": "CASE-9", "qty": 6, "price": "10", "damage": "外箱压扁"},
    ]})
    assert result.valid, result.errors
    assert result.values["items"] == [
        {"sku": "PH-001", "qty": 2, "price": "1999.00", "line": "3598.20"},
        {"sku": "PH-002", "qty": 1, "price": "99.50", "line": "89.55"},
        {"sku": "CASE-9", "qty": 6, "price": "10.00", "line": "54.00", "damage": "外箱压扁"},
    ]
    assert result.totals == {"items": {"qty": 9, "line": "3741.75", "price": "1999.00", "sku": 3}}
    assert result.values["total"] == "3741.75"
    assert result.values["lines"] == 3
    assert result.visibility["items[0].damage"] is False and result.visibility["items[2].damage"] is True
    assert result.required["items[2].damage"] is True and result.required["items[0].damage"] is False


def test_sub_table_errors_are_per_row_and_column():
    result = evaluate(ITEMS, {"items": [
        {"sku": "A", "qty": 0},
        {"qty": 7},
        {"sku": "A", "colour": "red"},
        "not a row",
    ]})
    assert "items" in result.errors  # the fourth row is not an object: the table is refused
    fixed = evaluate(ITEMS, {"items": [{"sku": "A", "qty": 0}, {"qty": 7}, {"sku": "A", "colour": "red"}]})
    assert set(fixed.errors) == {"items[0].qty", "items[1].sku", "items[1].damage", "items[2].sku",
                                 "items[2].colour"}
    assert codes(fixed, "items[0].qty") == ["too_small"]
    assert codes(fixed, "items[1].sku") == ["required"]
    assert codes(fixed, "items[1].damage") == ["required"]
    assert codes(fixed, "items[2].sku") == ["duplicate_value"]
    assert fixed.errors["items[2].sku"][0]["en"] == "Same value as row 1"
    assert codes(fixed, "items[2].colour") == ["unknown_field"]
    assert codes(evaluate(ITEMS, {"items": []}), "items") == []  # not required: none is fine
    too_many = evaluate(ITEMS, {"items": [{"sku": str(i)} for i in range(201)]})
    assert codes(too_many, "items") == ["too_many_items"]


def test_unknown_keys_and_computed_values_in_the_input():
    result = evaluate(COMPLAINT_SCHEMA, {"kind": "repair", "total": "999.00", "hacker": 1})
    assert codes(result, "hacker") == ["unknown_field"]
    assert result.values["total"] == "0.00"  # computed, whatever was sent


def test_read_only_fields_take_their_default_unless_the_caller_is_trusted():
    schema = {"fields": [{"key": "source", "type": "text", "label": "来源", "read_only": True, "default": "热线"}]}
    assert evaluate(schema, {"source": "伪造"}).values == {"source": "热线"}
    assert evaluate(schema, {"source": "企业微信"}, trusted=True).values == {"source": "企业微信"}


def test_hidden_fields_from_url_parameters():
    schema = {"fields": [
        {"key": "campaign", "type": "hidden", "label": "活动", "config": {"param": "utm_campaign"}},
        {"key": "ref", "type": "hidden", "label": "来源", "config": {"source": "api"}},
    ]}
    result = evaluate(schema, {"ref": "crm"}, url_params={"utm_campaign": "618", "ref": "ignored"})
    assert result.values == {"campaign": "618", "ref": "crm"}
    assert evaluate(schema, {"campaign": "api-sent"}, url_params={"utm_campaign": "618"}).values == {
        "campaign": "api-sent"}


def test_a_required_switch_must_be_on():
    schema = {"fields": [{"key": "agree", "type": "switch", "label": "我已阅读并同意", "required": True}]}
    assert codes(evaluate(schema, {"agree": False}), "agree") == ["must_be_checked"]
    assert codes(evaluate(schema, {}), "agree") == ["required"]
    assert evaluate(schema, {"agree": True}).valid


def test_required_when_formula_condition():
    schema = {"fields": [
        {"key": "amount", "type": "money", "label": "金额"},
        {"key": "approver", "type": "text", "label": "审批人", "required_when": {"formula": "{amount} > 1000"}},
    ]}
    assert evaluate(schema, {"amount": 500}).required["approver"] is False
    big = evaluate(schema, {"amount": 5000})
    assert big.required["approver"] is True and codes(big, "approver") == ["required"]


@pytest.mark.django_db
def test_serial_numbers_are_taken_on_submit_only_and_only_when_valid(frozen_clock):
    schema = {"fields": [
        {"key": "sn", "type": "serial_number", "label": "编号", "config": {"pattern": "QC-{yyyyMMdd}-{seq:4}"}},
        {"key": "title", "type": "text", "label": "标题", "required": True},
    ]}
    assert "sn" not in evaluate(schema, {"title": "预览"}).values

    def submit(values):
        with transaction.atomic():
            return evaluate_form(schema, values, context=EvaluationContext(now=NOW, submit=True, serial_scope="qc"))

    assert submit({"title": "一"}).values["sn"] == "QC-20260310-0001"
    invalid = submit({})
    assert "sn" not in invalid.values
    assert submit({"title": "二"}).values["sn"] == "QC-20260310-0002"


def test_the_schema_may_be_passed_compiled_or_as_json():
    from complaintdesk.forms.schema import compile_schema

    compiled = compile_schema(COMPLAINT_SCHEMA)
    values = {"kind": "refund", "amount": 1, "reason": "x"}
    assert evaluate_form(compiled, values).as_dict() == evaluate_form(COMPLAINT_SCHEMA, values).as_dict()


@pytest.mark.parametrize("junk", [None, [], "text", 42, {"kind": {"nested": [1, {"deep": None}]}},
                                  {"kind": "refund", "amount": [1, 2], "qty": {"x": 1}, "phone": 13800138000}])
def test_junk_values_give_errors_never_exceptions(junk):
    result = evaluate_form(COMPLAINT_SCHEMA, junk)
    assert isinstance(result.errors, dict)


def test_conditions_can_read_sub_table_columns():
    schema = {"fields": [
        {"key": "items", "type": "sub_table", "label": "明细", "config": {"columns": [
            {"key": "price", "type": "money", "label": "单价"}]}},
        {"key": "approval", "type": "text", "label": "审批意见",
         "visible_when": {"formula": "SUM({items.price}) > 100"}},
        {"key": "why_empty", "type": "text", "label": "为何无明细",
         "visible_when": {"field": "items", "op": "is_empty"}},
    ]}
    big = evaluate(schema, {"items": [{"price": "60.5"}, {"price": 50}]})
    assert big.visibility["approval"] is True and big.visibility["why_empty"] is False
    small = evaluate(schema, {"items": [{"price": "60.5"}]})
    assert small.visibility["approval"] is False
    assert evaluate(schema, {}).visibility["why_empty"] is True
