"""Publish-time validation: every problem of a schema at once, each with a path and a code."""

from __future__ import annotations

import pytest

from complaintdesk.forms.schema import InvalidSchema, compile_schema, validate_schema
from complaintdesk.forms.tests.conftest import COMPLAINT_SCHEMA, one_field, problem_codes

OPTIONS = [{"value": "a", "label": "甲"}, {"value": "b", "label": "乙"}]


def _problems(schema):
    return problem_codes(validate_schema(schema))


def test_a_good_schema_has_no_problems():
    assert validate_schema(COMPLAINT_SCHEMA) == []
    compiled = compile_schema(COMPLAINT_SCHEMA)
    assert [f.key for f in compiled.fields] == ["kind", "amount", "qty", "total", "reason", "phone"]
    # Formulas after what they read.
    assert compiled.order.index("total") > compiled.order.index("amount")


def test_every_problem_is_reported_at_once():
    schema = {
        "fields": [
            {"key": "amount", "type": "money", "label": "金额", "config": {"currency": "rmb"}},
            {"key": "amount", "type": "text", "label": "重复"},
            {"key": "Bad-Key", "type": "text", "label": "坏标识"},
            {"key": "what", "type": "hologram", "label": "未知类型"},
            {"key": "nolabel", "type": "text"},
            {"key": "calc", "type": "formula", "label": "计算", "formula": "{amount} + {ghost} * 2"},
            {"key": "broken", "type": "formula", "label": "坏公式", "formula": "SUM({amount}, "},
            {"key": "fn", "type": "formula", "label": "坏函数", "formula": "NOSUCHFN({amount})"},
            {"key": "shown", "type": "text", "label": "条件",
             "visible_when": {"field": "missing_field", "op": "eq", "value": "x"}},
            {"key": "op", "type": "text", "label": "坏运算符",
             "required_when": {"field": "amount", "op": "sounds_like", "value": 1}},
            {"key": "stars", "type": "rating", "label": "评分", "config": {"max": 50}},
            {"key": "when", "type": "date", "label": "日期", "regex": "x"},
            {"key": "count", "type": "integer", "label": "数量", "default": "many"},
            {"key": "choice", "type": "dropdown", "label": "选择", "options": []},
            {"key": "sn", "type": "serial_number", "label": "编号", "config": {"pattern": "QC-{yyyyMMdd}"}},
            {"key": "x", "type": "formula", "label": "X", "formula": "{y} + 1"},
            {"key": "y", "type": "formula", "label": "Y", "formula": "{x} * 2"},
            {"key": "extra", "type": "text", "label": "多余属性", "colour": "red"},
        ],
        "layout": ["amount", "ghost_in_layout", "calc", "calc", {"type": "carousel"}],
    }
    problems = _problems(schema)
    expected = {
        ("fields[0].config.currency", "invalid_config"),
        ("fields[1].key", "duplicate_key"),
        ("fields[2].key", "invalid_key"),
        ("fields[3].type", "unknown_type"),
        ("fields[4].label", "missing_label"),
        ("fields[5].formula", "unknown_reference"),
        ("fields[6].formula", "formula_syntax"),
        ("fields[7].formula", "formula_unknown_function"),
        ("fields[8].visible_when.field", "condition_unknown_field"),
        ("fields[9].required_when.op", "condition_unknown_operator"),
        ("fields[10].config.max", "invalid_config"),
        ("fields[11].regex", "unsupported_property"),
        ("fields[12].default", "invalid_default"),
        ("fields[13].options", "invalid_options"),
        ("fields[14].config.pattern", "invalid_config"),
        ("fields[15]", "cycle"),
        ("fields[17].colour", "unknown_property"),
        ("layout[1]", "layout_unknown_field"),
        ("layout[3]", "layout_duplicate_field"),
        ("layout[4]", "invalid_layout"),
        ("fields[8]", "field_not_in_layout"),
    }
    assert expected <= problems, expected - problems
    messages = {p.path: p.message for p in validate_schema(schema)}
    # Bilingual, and precise: where in the formula, which fields form the cycle.
    assert "第 15 个字符" in messages["fields[6].formula"] and "at character 15" in messages["fields[6].formula"]
    assert "x → y → x" in messages["fields[15]"]
    assert "ghost" in messages["fields[5].formula"]


def test_a_cycle_through_visibility_and_formulas_names_every_field_in_it():
    schema = {"fields": [
        {"key": "a", "type": "formula", "label": "A", "formula": "{b} + 1"},
        {"key": "b", "type": "number", "label": "B", "default_formula": "{c} * 2"},
        {"key": "c", "type": "number", "label": "C", "visible_when": {"formula": "{a} > 3"}},
        {"key": "d", "type": "formula", "label": "D", "formula": "{d}"},
        {"key": "ok", "type": "formula", "label": "OK", "formula": "{a} + {b}"},
    ]}
    problems = validate_schema(schema)
    cycles = sorted(p.message.split(" / ")[1] for p in problems if p.code == "cycle")
    assert cycles == ["circular dependency: a → b → c → a", "circular dependency: d → d"]


def test_references_into_sub_tables():
    schema = {"fields": [
        {"key": "items", "type": "sub_table", "label": "明细", "config": {
            "columns": [
                {"key": "qty", "type": "integer", "label": "数量"},
                {"key": "price", "type": "money", "label": "单价"},
                {"key": "line", "type": "formula", "label": "小计", "formula": "{qty} * {price} + {fee}"},
                {"key": "nested", "type": "sub_table", "label": "嵌套", "config": {"columns": []}},
            ],
            "totals": {"qty": "sum", "nope": "sum", "price": "median"}}},
        {"key": "fee", "type": "money", "label": "手续费"},
        {"key": "bare", "type": "formula", "label": "裸列", "formula": "{qty} + 1"},
        {"key": "deep", "type": "formula", "label": "深", "formula": "SUM({items.ghost})"},
        {"key": "good", "type": "formula", "label": "好", "formula": "SUM({items.line}) + COUNTA({items.qty})"},
        {"key": "qty_again", "type": "text", "label": "重复列", "visible_when": {"field": "qty", "op": "is_empty"}},
    ], "layout": []}
    problems = _problems(schema)
    assert ("fields[0].config.columns[3].type", "invalid_config") in problems
    assert ("fields[0].config.totals.nope", "unknown_reference") in problems
    assert ("fields[0].config.totals.price", "invalid_config") in problems
    assert ("fields[2].formula", "unknown_reference") in problems  # a column must be named {items.qty}
    assert ("fields[3].formula", "unknown_reference") in problems
    assert ("fields[5].visible_when.field", "condition_unknown_field") in problems
    assert not any(path.startswith(("fields[4]", "fields[0].config.columns[2]")) for path, _ in problems)


def test_column_keys_share_the_form_key_space():
    schema = {"fields": [
        {"key": "qty", "type": "integer", "label": "数量"},
        {"key": "items", "type": "sub_table", "label": "明细",
         "config": {"columns": [{"key": "qty", "type": "integer", "label": "数量"}]}},
    ]}
    assert ("fields[1].config.columns[0].key", "duplicate_key") in _problems(schema)


def test_layout_rules():
    fields = [{"key": "a", "type": "text", "label": "A"}, {"key": "b", "type": "text", "label": "B"},
              {"key": "t", "type": "sub_table", "label": "T", "config": {"columns": [
                  {"key": "c", "type": "text", "label": "C"}]}},
              {"key": "h", "type": "hidden", "label": "来源"}]
    good = {"fields": fields, "layout": [
        {"type": "tabs", "tabs": [
            {"title": {"zh-CN": "一", "en": "One"}, "children": [{"type": "field", "key": "a", "span": 12}]},
            {"title": "二", "visible_when": {"field": "a", "op": "is_not_empty"}, "children": [
                {"type": "columns", "columns": [{"span": 8, "children": ["b"]}, {"span": 16, "children": ["t"]}]}]},
        ]}]}
    assert validate_schema(good) == []  # the hidden field needs no place
    bad = {"fields": fields, "layout": [
        "a", "c", {"type": "section", "title": 5, "children": ["a"]},
        {"type": "columns", "columns": [{"span": 30, "children": []}]},
        {"type": "section", "visible_when": {"field": "zz", "op": "is_empty"}, "children": "b"},
    ]}
    problems = _problems(bad)
    assert {
        ("layout[1]", "layout_column_field"),
        ("layout[2].title", "invalid_layout"),
        ("layout[2].children[0]", "layout_duplicate_field"),
        ("layout[3].columns[0].span", "invalid_layout"),
        ("layout[4].visible_when.field", "condition_unknown_field"),
        ("layout[4].children", "invalid_layout"),
        ("fields[1]", "field_not_in_layout"),
        ("fields[2]", "field_not_in_layout"),
    } <= problems


def test_type_configuration_is_checked():
    cases = [
        (one_field("money", config={"scale": 7}), "fields[0].config.scale"),
        (one_field("slider", config={"step": 0}), "fields[0].config.step"),
        (one_field("slider", min=10, max=1), "fields[0].min"),
        (one_field("text", regex="(unclosed"), "fields[0].regex"),
        (one_field("text", max_length=100000), "fields[0].max_length"),
        (one_field("cascade", options=[{"value": "a", "children": [{"value": "x"}, {"value": "x"}]}]),
         "fields[0].options[0].children[1].value"),
        (one_field("dropdown", options=[*OPTIONS, {"value": "a", "label": "再来"}]), "fields[0].options[2].value"),
        (one_field("images", config={"accept": ["application/pdf"]}), "fields[0].config.accept"),
        (one_field("location", config={"coordinate_system": "mars"}), "fields[0].config.coordinate_system"),
        (one_field("formula", config={"result_type": "colour"}, formula="1"), "fields[0].config.result_type"),
        (one_field("formula"), "fields[0].formula"),
        (one_field("description"), "fields[0].config.content"),
        (one_field("china_region", config={"level": "street"}), "fields[0].config.level"),
        (one_field("phone", config={"accept": "fax"}), "fields[0].config.accept"),
        (one_field("text", config={"colour": "red"}), "fields[0].config.colour"),
        (one_field("text", required="yes"), "fields[0].required"),
        (one_field("formula", formula="1", required=True), "fields[0].required"),
        (one_field("integer", default=1, default_formula="2"), "fields[0].default"),
    ]
    for schema, path in cases:
        paths = {p.path for p in validate_schema(schema)}
        assert path in paths, (schema, paths)


@pytest.mark.parametrize("junk", [None, [], "fields", 42, {"fields": "x"}, {"fields": [1, None, "a"]},
                                  {"fields": [], "layout": {}, "settings": []}, {"oops": 1},
                                  {"fields": [{"key": "a", "type": "text", "label": {"fr": "non"}}]},
                                  {"fields": [{"key": "a", "type": "dropdown", "label": "A", "options": [None]}]}])
def test_junk_is_problems_never_an_exception(junk):
    problems = validate_schema(junk)
    assert problems
    with pytest.raises(InvalidSchema) as caught:
        compile_schema(junk)
    assert caught.value.status_code == 422
    assert caught.value.details == [p.as_dict() for p in problems]


def test_too_large_a_schema():
    big = {"fields": [{"key": f"f{i}", "type": "text", "label": "字" * 2000} for i in range(300)]}
    assert ("", "schema_too_large") in _problems(big)
    many = {"fields": [{"key": f"f{i}", "type": "text", "label": "x"} for i in range(501)]}
    assert ("fields", "too_many_fields") in _problems(many)
