"""check_condition: every problem at once, with its place in the tree and a message in zh and en."""

from __future__ import annotations

import pytest

from complaintdesk.expressions.conditions import check_condition
from complaintdesk.expressions.fields import TICKET_FIELDS, FieldType, record_catalog, ticket_fields_with_form

FORM = ticket_fields_with_form([("amount", "number"), ("day", "date"), ("when", "datetime"), ("labels", "multi")])


def problems(condition, catalog=FORM):
    return [(p.path, p.code) for p in check_condition(condition, catalog=catalog)]


@pytest.mark.django_db
def test_a_valid_condition_has_no_problems():
    assert problems({"all": [
        {"field": "category", "op": "in", "value": ["product_quality", "logistics"]},
        {"any": [{"field": "customer.tier", "op": "eq", "value": "vip"},
                 {"not": {"field": "data.amount", "op": "between", "value": [1, "2.5"]}}]},
        {"field": "created_at", "op": "within_last", "value": "7d"},
        {"field": "data.labels", "op": "is_empty"},
        {"formula": "{amount} > 10"},
    ]}) == []


def test_every_problem_is_reported_with_its_path():
    found = problems({"all": [
        {"field": "nope", "op": "eq", "value": 1},
        {"field": "priority", "op": "gt", "value": "P1"},
        {"field": "priority", "op": "eq", "value": "P9"},
        {"field": "subject", "op": "contains"},
        {"field": "subject", "op": "explode", "value": "x"},
        {"any": "not a list"},
        {"not": {"field": "data.amount", "op": "gt", "value": "abc"}},
        {"field": "created_at", "op": "within_last", "value": "7 days"},
        {"field": "data.day", "op": "eq", "value": "2026-03-10T10:00:00+08:00"},
        {"field": "subject", "op": "eq", "value": "x", "extra": 1},
        {"all": [], "any": []},
        "text",
    ]})
    assert found == [
        ("/all/0/field", "unknown_field"),
        ("/all/1/op", "operator_not_allowed"),
        ("/all/2/value", "unknown_value"),
        ("/all/3/value", "missing_value"),
        ("/all/4/op", "unknown_operator"),
        ("/all/5/any", "not_list"),
        ("/all/6/not/value", "bad_value"),
        ("/all/7/value", "bad_value"),
        ("/all/8/value", "bad_value"),
        ("/all/9/extra", "unknown_key"),
        ("/all/10", "bad_node"),
        ("/all/11", "not_object"),
    ]


def test_messages_are_in_chinese_and_english():
    [problem] = check_condition({"field": "nope", "op": "eq", "value": 1}, catalog=FORM)
    assert problem.message_zh == "未知字段“nope”"
    assert problem.message_en == "Unknown field 'nope'"
    assert problem.message == "未知字段“nope” / Unknown field 'nope'"
    assert problem.as_dict()["path"] == "/field"


@pytest.mark.django_db
def test_unknown_category_keys_are_problems():
    assert problems({"field": "category", "op": "in", "value": ["product_quality", "nope"]}) == [
        ("/value", "unknown_value")]


@pytest.mark.parametrize(("condition", "expected"), [
    ({"field": "data.amount", "op": "between", "value": [5, 1]}, [("/value", "bad_value")]),
    ({"field": "data.amount", "op": "between", "value": [1]}, [("/value", "bad_value")]),
    ({"field": "data.amount", "op": "in", "value": 3}, [("/value", "not_list")]),
    ({"field": "data.amount", "op": "eq", "value": [3]}, [("/value", "bad_value")]),
    ({"field": "data.amount", "op": "eq", "value": True}, [("/value", "bad_value")]),
    ({"field": "data.amount", "op": "eq", "value": "NaN"}, [("/value", "bad_value")]),
    ({"field": "is_repeat", "op": "eq", "value": "yes"}, [("/value", "bad_value")]),
    ({"field": "customer_id", "op": "in", "value": [1, "x"]}, [("/value/1", "bad_value")]),
    ({"field": "subject", "op": "any_keyword", "value": " ,，"}, [("/value", "bad_value")]),
    ({"field": "subject", "op": "eq", "value": "a\x00b"}, [("/value", "bad_value")]),
    ({"field": "created_at", "op": "between", "value": ["2026-03-10", "2026-03-01"]}, [("/value", "bad_value")]),
    ({"field": "data.undeclared", "op": "within_last", "value": "1d"}, [("/field", "type_needed")]),
    ({"field": "data.undeclared", "op": "gt", "value": "abc"}, [("/field", "type_needed")]),
    ({"field": "data.bad key", "op": "eq", "value": 1}, [("/field", "bad_field")]),
    ({"field": "tags", "op": "eq", "value": "VIP"}, [("/op", "operator_not_allowed")]),
    ({"field": "subject", "op": "eq"}, [("/value", "missing_value")]),
    ({"op": "eq", "value": 1}, [("", "bad_node")]),
    ({"field": "", "op": "eq", "value": 1}, [("/field", "missing_field")]),
    ({"field": "subject", "value": 1}, [("/op", "missing_operator")]),
    ({"formula": ""}, [("/formula", "bad_formula")]),
    ({"formula": "{amount} >"}, [("/formula", "formula_syntax")]),
])
def test_leaf_problems(condition, expected):
    assert problems(condition) == expected


def test_formula_syntax_errors_give_the_position():
    [problem] = check_condition({"formula": "1 + (2"}, catalog=FORM)
    assert problem.code == "formula_syntax"
    assert "character" in problem.message_en


def test_depth_and_size_are_bounded():
    deep: dict = {"field": "subject", "op": "is_empty"}
    for _ in range(30):
        deep = {"not": deep}
    assert ("too_deep" in {code for _, code in problems(deep)})
    wide = {"any": [{"field": "subject", "op": "is_empty"}] * 1200}
    assert [code for _, code in problems(wide)] == ["too_large"]


def test_record_catalogs_know_only_their_keys():
    catalog = record_catalog([("kind", "choice"), ("amount", FieldType.NUMBER)])
    assert problems({"formula": "{amount} > 1"}, catalog) == []
    assert problems({"formula": "{nope} > 1"}, catalog) == [("/formula", "unknown_field")]
    assert problems({"field": "kind", "op": "eq", "value": "x"}, catalog) == []
    assert problems({"field": "data.kind", "op": "eq", "value": "x"}, catalog) == [("/field", "unknown_field")]
    assert problems({"field": "status", "op": "eq", "value": "new"}, catalog) == [("/field", "unknown_field")]


def test_the_catalog_describes_its_fields_for_the_builder_ui():
    described = {f["name"]: f for f in TICKET_FIELDS.describe()}
    assert described["customer.tier"]["choices"] == ["normal", "silver", "gold", "vip"]
    assert "within_last" in described["created_at"]["operators"]
    assert described["category"]["type"] == "tree"
    assert described["subject"]["label"] == "主题"
