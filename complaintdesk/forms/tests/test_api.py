"""The forms REST API: administration, versions, diff, JSON Schema export, evaluation, permissions,
and bad input (never a 500)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from complaintdesk.forms.tests.conftest import COMPLAINT_SCHEMA

pytestmark = pytest.mark.django_db

SHIPPED_KEYS = {"general", "product_quality", "logistics", "service_attitude", "onsite_service"}


def _ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json() if response.content else None


def _error(response, status, code=None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    if code is not None:
        assert body["code"] == code, body
    return body


@pytest.fixture
def admin(org):
    return org.client(org.admin)


@pytest.fixture
def agent(org):
    return org.client(org.agent_a)


def _published_form(admin, key="complaint", schema=COMPLAINT_SCHEMA) -> dict[str, Any]:
    form = _ok(admin.post("forms", {"key": key, "name": "通用投诉", "name_en": "General complaint",
                                    "channels": ["web_form", "phone"], "schema": schema}), 201)
    _ok(admin.post(f"forms/{form['id']}/publish"))
    return _ok(admin.get(f"forms/{form['id']}"))


def test_designing_and_publishing_a_form(org, admin, frozen_clock):
    form = _ok(admin.post("forms", {"key": "delivery", "name": "物流配送投诉", "name_en": "Delivery complaint",
                                    "category_id": org.categories["logistics"].pk, "channels": ["web_form"]}), 201)
    assert form["draft_version"] == {"id": form["draft_version"]["id"], "number": 1, "status": "draft", "revision": 1}
    assert form["published_version"] is None
    assert form["category"]["key"] == "logistics"
    fid = form["id"]

    draft = _ok(admin.get(f"forms/{fid}/draft"))
    assert draft["schema"] == {"fields": [], "layout": []} and draft["problems"] == []

    broken = {"fields": [{"key": "waybill", "type": "text", "label": "运单号", "regex": "("},
                         {"key": "fee", "type": "formula", "label": "费用", "formula": "{weight} * "}],
              "layout": ["waybill", "carrier"]}
    draft = _ok(admin.put(f"forms/{fid}/draft", {"schema": broken, "base_revision": 1}))
    assert draft["revision"] == 2
    assert {(p["path"], p["code"]) for p in draft["problems"]} == {
        ("fields[0].regex", "invalid_regex"), ("fields[1].formula", "formula_syntax"),
        ("layout[1]", "layout_unknown_field"), ("fields[1]", "field_not_in_layout")}
    body = _error(admin.post(f"forms/{fid}/publish"), 422, "invalid_schema")
    assert body["details"] == draft["problems"]
    assert all(set(p) == {"path", "code", "message"} for p in body["details"])

    _error(admin.put(f"forms/{fid}/draft", {"schema": COMPLAINT_SCHEMA, "base_revision": 1}), 409, "conflict")
    _ok(admin.put(f"forms/{fid}/draft", {"schema": COMPLAINT_SCHEMA, "base_revision": 2}))
    published = _ok(admin.post(f"forms/{fid}/publish"))
    assert (published["number"], published["status"], published["schema"]) == (1, "published", COMPLAINT_SCHEMA)
    assert published["published_by"]["username"] == "admin"
    form = _ok(admin.get(f"forms/{fid}"))
    assert form["published_version"]["number"] == 1 and form["draft_version"] is None

    # A new draft comes from the published version; publishing it archives version 1.
    draft = _ok(admin.get(f"forms/{fid}/draft"))
    assert (draft["number"], draft["based_on"], draft["schema"]) == (2, 1, COMPLAINT_SCHEMA)
    schema2 = {**COMPLAINT_SCHEMA, "fields": [f for f in COMPLAINT_SCHEMA["fields"] if f["key"] != "phone"]
               + [{"key": "carrier", "type": "dropdown", "label": "承运商",
                   "options": [{"value": "sf", "label": "顺丰"}, {"value": "jd", "label": "京东"}]}],
               "layout": [COMPLAINT_SCHEMA["layout"][0], {"type": "section", "title": "补充",
                                                         "children": ["reason", "carrier"]}]}
    schema2["fields"][1] = {**schema2["fields"][1], "min": 1, "label": {"zh-CN": "退款金额", "en": "Refund"}}
    _ok(admin.put(f"forms/{fid}/draft", {"schema": schema2}))
    diff = _ok(admin.get(f"forms/{fid}/diff", {"from_version": "1", "to_version": "draft"}))
    assert (diff["from_version"], diff["to_version"]) == (1, 2)
    assert [a["key"] for a in diff["added"]] == ["carrier"]
    assert [r["key"] for r in diff["removed"]] == ["phone"]
    assert diff["changed"] == [{"key": "amount", "type": "money", "changes": {
        "label": {"old": {"zh-CN": "金额", "en": "Amount"}, "new": {"zh-CN": "退款金额", "en": "Refund"}},
        "min": {"old": 0, "new": 1}}}]
    assert diff["layout_changed"] is True and diff["settings_changed"] is False
    _ok(admin.post(f"forms/{fid}/publish"))
    versions = _ok(admin.get(f"forms/{fid}/versions"))
    assert [(v["number"], v["status"], v["field_count"]) for v in versions] == [(2, "published", 6), (1, "archived", 6)]
    assert _ok(admin.get(f"forms/{fid}/diff", {"from_version": "1", "to_version": "published"}))["added"][0]["key"] == \
        "carrier"
    # The archived version is still there, unchanged, by number and by id.
    v1 = _ok(admin.get(f"forms/{fid}/versions/1"))
    assert v1["schema"] == COMPLAINT_SCHEMA and v1["archived_at"]
    assert _ok(admin.get(f"forms/versions/{v1['id']}")) == v1
    assert _ok(admin.get(f"forms/{fid}/published"))["number"] == 2


def test_agents_use_published_forms_but_never_see_drafts(org, admin, agent):
    form = _published_form(admin)
    fid = form["id"]
    _ok(admin.put(f"forms/{fid}/draft", {"schema": {"fields": [], "layout": []}}))
    hidden = _ok(admin.post("forms", {"key": "unpublished", "name": "未发布"}), 201)

    # The shipped forms (forms/shipped/) are published too; this test looks at its own.
    listed = [f for f in _ok(agent.get("forms")) if f["key"] not in SHIPPED_KEYS]
    assert [f["key"] for f in listed] == ["complaint"]
    assert listed[0]["draft_version"] is None and listed[0]["published_version"]["number"] == 1
    _error(agent.get(f"forms/{hidden['id']}"), 404, "not_found")
    assert [v["number"] for v in _ok(agent.get(f"forms/{fid}/versions"))] == [1]
    _error(agent.get(f"forms/{fid}/versions/2"), 404)
    _error(agent.get(f"forms/{fid}/diff", {"from_version": "1", "to_version": "draft"}), 404)
    draft_id = _ok(admin.get(f"forms/{fid}"))["draft_version"]["id"]
    _error(agent.get(f"forms/versions/{draft_id}"), 404)
    assert _ok(agent.get(f"forms/{fid}/published"))["schema"] == COMPLAINT_SCHEMA
    assert [f for f in _ok(agent.get("forms", {"channel": "phone"})) if f["key"] not in SHIPPED_KEYS] == listed
    assert [f for f in _ok(agent.get("forms", {"channel": "email"})) if f["key"] not in SHIPPED_KEYS] == []
    assert [f["key"] for f in _ok(admin.get("forms", {"q": "unpub"}))] == ["unpublished"]


def test_evaluate_endpoint(org, admin, agent):
    fid = _published_form(admin)["id"]
    result = _ok(agent.post(f"forms/{fid}/evaluate", {"values": {"kind": "refund", "amount": "12.5", "qty": 4}}))
    assert result["version"]["number"] == 1
    assert result["valid"] is False
    assert result["values"] == {"kind": "refund", "amount": "12.50", "qty": 4, "total": "50.00"}
    assert result["visibility"]["reason"] is True and result["required"]["reason"] is True
    assert result["errors"] == {
        "reason": [{"code": "required", "zh-CN": "此项为必填项", "en": "This field is required"}]}
    repair = _ok(agent.post(f"forms/{fid}/evaluate", {"values": {"kind": "repair"}}))
    assert repair["valid"] is True and repair["visibility"]["reason"] is False and repair["required"]["reason"] is False
    assert _ok(agent.post(f"forms/{fid}/versions/1/evaluate", {"values": {"kind": "repair"}})) == repair

    # The designer previews the draft, or what is on screen before saving.
    items = {"fields": [{"key": "items", "type": "sub_table", "label": "明细", "config": {
        "columns": [{"key": "qty", "type": "integer", "label": "数量"},
                    {"key": "price", "type": "money", "label": "单价"},
                    {"key": "line", "type": "formula", "label": "小计", "formula": "{qty}*{price}",
                     "config": {"result_type": "money"}}],
        "totals": {"qty": "sum", "line": "sum"}}}], "layout": []}
    preview = _ok(admin.post(f"forms/{fid}/draft/evaluate", {"schema": items, "values": {
        "items": [{"qty": 2, "price": 5}, {"qty": 1, "price": "0.5"}]}}))
    assert preview["version"] is None
    assert preview["totals"] == {"items": {"qty": 3, "line": "10.50"}}
    assert preview["values"]["items"][1] == {"qty": 1, "price": "0.50", "line": "0.50"}
    _error(admin.post(f"forms/{fid}/draft/evaluate", {"values": {}}), 404)  # no draft yet
    _ok(admin.get(f"forms/{fid}/draft"))
    assert _ok(admin.post(f"forms/{fid}/draft/evaluate", {"values": {"kind": "repair"}}))["version"]["number"] == 2
    bad = _error(admin.post(f"forms/{fid}/draft/evaluate", {"schema": {"fields": [
        {"key": "a", "type": "formula", "label": "A", "formula": "{a}"}]}}), 422, "invalid_schema")
    assert bad["details"][0]["code"] == "cycle"
    _error(agent.post(f"forms/{fid}/draft/evaluate", {"values": {}}), 403)


# A small JSON Schema (2020-12) checker: the keywords the export uses.
def _check(instance: Any, schema: dict[str, Any], path: str = "$") -> list[str]:
    errors: list[str] = []
    kinds: dict[str, Any] = {"string": str, "integer": int, "number": (int, float), "boolean": bool, "array": list,
             "object": dict, "null": type(None)}
    allowed = schema.get("type")
    if allowed is not None:
        names = allowed if isinstance(allowed, list) else [allowed]
        ok = any(isinstance(instance, kinds[n]) and not (n in ("integer", "number") and isinstance(instance, bool))
                 for n in names)
        if not ok:
            return [f"{path}: not {allowed}"]
    if "enum" in schema and instance not in schema["enum"]:
        errors.append(f"{path}: not in enum")
    if isinstance(instance, str):
        if len(instance) > schema.get("maxLength", 10**9) or len(instance) < schema.get("minLength", 0):
            errors.append(f"{path}: length")
        if "pattern" in schema and not re.search(schema["pattern"], instance):
            errors.append(f"{path}: pattern")
    if isinstance(instance, int | float) and not isinstance(instance, bool) and not (
            schema.get("minimum", float("-inf")) <= instance <= schema.get("maximum", float("inf"))):
        errors.append(f"{path}: range")
    if isinstance(instance, list):
        if len(instance) > schema.get("maxItems", 10**9) or len(instance) < schema.get("minItems", 0):
            errors.append(f"{path}: items count")
        for i, item in enumerate(instance):
            errors += _check(item, schema.get("items", {}), f"{path}[{i}]")
    if isinstance(instance, dict):
        for name in schema.get("required", []):
            if name not in instance:
                errors.append(f"{path}.{name}: required")
        for name, value in instance.items():
            if name in schema.get("properties", {}):
                errors += _check(value, schema["properties"][name], f"{path}.{name}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{path}.{name}: not allowed")
    return errors


RICH: dict[str, Any] = {"fields": [
    {"key": "kind", "type": "radio", "label": "诉求", "required": True,
     "options": [{"value": "refund", "label": "退款"}, {"value": "repair", "label": "维修"}]},
    {"key": "amount", "type": "money", "label": "金额", "min": 0},
    {"key": "stars", "type": "rating", "label": "评分"},
    {"key": "when", "type": "datetime", "label": "时间"},
    {"key": "region", "type": "china_region", "label": "地区"},
    {"key": "phone", "type": "phone", "label": "电话"},
    {"key": "tags", "type": "tags", "label": "标签"},
    {"key": "photos", "type": "images", "label": "照片"},
    {"key": "where", "type": "location", "label": "位置"},
    {"key": "items", "type": "sub_table", "label": "明细", "config": {"columns": [
        {"key": "sku", "type": "text", "label": "SKU", "required": True},
        {"key": "n", "type": "integer", "label": "数量", "min": 1}]}},
    {"key": "total", "type": "formula", "label": "合计", "formula": "{amount} * 2", "config": {"result_type": "money"}},
    {"key": "note", "type": "description", "label": "说明", "config": {"content": "<p>请如实填写</p>"}},
], "layout": []}


def test_json_schema_export_describes_the_stored_values(org, admin, agent):
    fid = _published_form(admin, key="rich", schema=RICH)["id"]
    document = _ok(agent.get(f"forms/{fid}/versions/1/json-schema"))
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["$id"] == "urn:complaintdesk:form:rich:v1"
    assert document["required"] == ["kind"]
    assert document["additionalProperties"] is False
    assert set(document["properties"]) == {f["key"] for f in RICH["fields"]} - {"note"}
    assert document["properties"]["total"]["readOnly"] is True
    assert document["properties"]["kind"]["enum"] == ["refund", "repair"]
    assert document["properties"]["kind"]["x-options"][0] == {"value": "refund", "label": {"zh-CN": "退款"}}

    sample = {"kind": "refund", "amount": "99.9", "stars": 4, "when": "2026-03-10 09:00",
              "region": "440305", "phone": "0755-1234567", "tags": ["加急"], "photos": ["img1"],
              "where": {"lat": 22.5, "lng": 113.9, "address": "深圳湾"},
              "items": [{"sku": "A", "n": 2}]}
    result = _ok(agent.post(f"forms/{fid}/evaluate", {"values": sample}))
    assert result["valid"], result["errors"]
    assert _check(result["values"], document) == []
    wrong = {**result["values"], "kind": "other", "amount": 99.9, "items": [{"n": 0}], "extra": 1}
    assert set(_check(wrong, document)) == {"$.kind: not in enum", "$.amount: not string", "$.items[0].sku: required",
                                            "$.items[0].n: range", "$.extra: not allowed"}


def test_field_types_and_regions(org, agent):
    types = _ok(agent.get("forms/field-types"))
    assert len(types) >= 30
    by_name = {t["type"]: t for t in types}
    assert by_name["money"]["label"] == {"zh-CN": "金额", "en": "Money"}
    assert {o["name"]: o["default"] for o in by_name["money"]["config"]} == {"currency": "CNY", "scale": 2}
    assert by_name["phone"]["sensitive"] is True and by_name["formula"]["computed"] is True
    assert by_name["divider"]["has_value"] is False
    assert "regex" in by_name["text"]["properties"] and "regex" not in by_name["date"]["properties"]
    provinces = _ok(agent.get("forms/regions"))
    assert len(provinces) == 34 and provinces[0] == {"code": "110000", "name": "北京市", "level": "province",
                                                     "has_children": True}
    cities = _ok(agent.get("forms/regions", {"parent": "440000"}))
    assert {"code": "441900", "name": "东莞市", "level": "city", "has_children": False} in cities
    _error(agent.get("forms/regions", {"parent": "000000"}), 404)


def test_formula_functions_come_from_the_engine_registry(org, agent):
    from complaintdesk.expressions.formula.functions import FUNCTIONS

    functions = _ok(agent.get("formulas/functions"))
    assert [f["name"] for f in functions if f["category"] == "logical"][:3] == ["AND", "FALSE", "IF"]
    assert {f["name"] for f in functions} == set(FUNCTIONS) and len(functions) >= 60
    by_name = {f["name"]: f for f in functions}
    assert by_name["IF"] == {
        "name": "IF", "category": "logical", "category_label": {"zh-CN": "逻辑", "en": "Logical"},
        "min_args": 2, "max_args": 3, "example": FUNCTIONS["IF"].example, "volatile": False,
        "description": {"zh-CN": FUNCTIONS["IF"].description_zh, "en": FUNCTIONS["IF"].description_en}}
    assert by_name["SUM"]["max_args"] is None and by_name["TODAY"]["volatile"] is True


# --- permissions ----------------------------------------------------------------------------


def _endpoints(fid: int, vid: int) -> list[tuple[str, str, Any]]:
    return [
        ("get", "forms", None), ("post", "forms", {"key": "x", "name": "x"}),
        ("get", f"forms/{fid}", None), ("patch", f"forms/{fid}", {"name": "y"}),
        ("get", f"forms/{fid}/draft", None), ("put", f"forms/{fid}/draft", {"schema": {"fields": []}}),
        ("delete", f"forms/{fid}/draft", None), ("post", f"forms/{fid}/draft/evaluate", {"values": {}}),
        ("post", f"forms/{fid}/publish", None), ("get", f"forms/{fid}/versions", None),
        ("get", f"forms/{fid}/versions/1", None), ("get", f"forms/{fid}/versions/1/json-schema", None),
        ("post", f"forms/{fid}/versions/1/evaluate", {"values": {}}), ("post", f"forms/{fid}/evaluate", {"values": {}}),
        ("get", f"forms/{fid}/published", None), ("get", f"forms/versions/{vid}", None),
        ("get", f"forms/{fid}/diff?from_version=1&to_version=1", None),
        ("get", "forms/field-types", None), ("get", "forms/regions", None), ("get", "formulas/functions", None),
    ]


def _call(api, method, path, body):
    if method in ("get", "delete"):
        return getattr(api, method)(path)
    return getattr(api, method)(path, body)


def test_unauthenticated_requests_get_401(org, admin):
    form = _published_form(admin)
    anonymous = org.client(None)
    for method, path, body in _endpoints(form["id"], form["published_version"]["id"]):
        _error(_call(anonymous, method, path, body), 401, "unauthenticated")


def test_agents_cannot_administer_forms(org, admin, agent):
    form = _published_form(admin)
    fid = form["id"]
    writes: list[tuple[str, str, Any]] = [
        ("post", "forms", {"key": "x", "name": "x"}), ("patch", f"forms/{fid}", {"name": "y"}),
        ("get", f"forms/{fid}/draft", None), ("put", f"forms/{fid}/draft", {"schema": {"fields": []}}),
        ("delete", f"forms/{fid}/draft", None), ("post", f"forms/{fid}/draft/evaluate", {"values": {}}),
        ("post", f"forms/{fid}/publish", None)]
    for method, path, body in writes:
        _error(_call(agent, method, path, body), 403, "permission_denied")
    assert _ok(admin.get(f"forms/{fid}"))["draft_version"] is None  # nothing happened


def test_people_without_ticket_permissions_cannot_read_forms(org, admin):
    form = _published_form(admin)
    nobody = org.client(org.nobody)
    for method, path, body in _endpoints(form["id"], form["published_version"]["id"]):
        if path.startswith(("forms/field-types", "forms/regions", "formulas/functions")):
            _ok(_call(nobody, method, path, body))  # the palette is not secret
        else:
            _error(_call(nobody, method, path, body), 403, "permission_denied")


# --- bad input ------------------------------------------------------------------------------

JUNK: list[Any] = [None, [], "x", 0, -1, 2**70, 1e308, True, {"": ""}, {"a": {"b": {"c": [None] * 50}}},
                   "\u0000", "字" * 5000, [[[[[]]]]], {"$ref": "#"}]


def test_bad_input_is_never_a_500(org, admin):
    fid = _published_form(admin)["id"]
    schemas = [*JUNK, {"fields": JUNK}, {"fields": [{"key": "a", "type": "text", "label": "A", name: value}
                                                   for name in ("min", "max", "regex", "options", "visible_when",
                                                                "default", "config", "formula")
                                                   for value in JUNK[:6]]},
               {"fields": [{"key": "a", "type": t, "label": "A", "config": {"columns": JUNK, "totals": JUNK[8]},
                            "options": [{"value": "v", "children": JUNK}]} for t in
                           ("sub_table", "cascade", "formula", "serial_number")]},
               {"fields": [], "layout": JUNK}]
    for schema in schemas:
        for response in (admin.put(f"forms/{fid}/draft", {"schema": schema}),
                         admin.post(f"forms/{fid}/draft/evaluate", {"schema": schema, "values": {}}),
                         admin.post("forms", {"key": "k", "name": "n", "schema": schema})):
            assert response.status_code < 500, (schema, response.content)
    for values in [*JUNK, {k: v for k, v in zip(("kind", "amount", "qty", "reason", "phone", "zzz"), JUNK,
                                                 strict=False)}]:
        response = admin.post(f"forms/{fid}/evaluate", {"values": values})
        assert response.status_code in (200, 422), (values, response.content)
    for params in ({"from_version": "x"}, {"from_version": "99999999999"}, {"from_version": "1", "to_version": "-1"},
                   {}):
        assert admin.get(f"forms/{fid}/diff", params).status_code in (404, 422)
    for path in (f"forms/{fid}/versions/99999999999999999999", "forms/99999999999999999999",
                 "forms/versions/99999999999999999999"):
        assert admin.get(path).status_code in (404, 422)
    for body in ({"key": "ok", "name": "n", "channels": ["fax"]}, {"key": "a" * 65, "name": "n"},
                 {"key": "ok", "name": "n", "category_id": 2**62}, {"key": "ok", "name": "n", "is_public": True},
                 {"key": "ok", "name": ""}):
        assert admin.post("forms", body).status_code == 422, body


def test_deeply_nested_input_is_refused_not_a_500(org, admin):
    fid = _published_form(admin)["id"]
    deep: dict[str, Any] = {}
    node = deep
    for _ in range(600):
        node["x"] = {}
        node = node["x"]
    schema = {"fields": [{"key": "a", "type": "text", "label": "A", "visible_when": deep}]}
    body = _error(admin.put(f"forms/{fid}/draft", {"schema": schema}), 422, "invalid_schema")
    assert body["details"][0]["code"] == "schema_too_large"
    result = _ok(admin.post(f"forms/{fid}/evaluate", {"values": {"kind": deep, "reason": [deep]}}))
    assert result["errors"]["kind"][0]["code"] == "invalid_choice" or result["errors"]["kind"][0]["code"] == \
        "invalid_type"
