"""Every field type: what it accepts (and how it stores it), what it refuses (and with which code)."""

from __future__ import annotations

from typing import Any

import pytest

from complaintdesk.accounts.actions import do_update_user
from complaintdesk.customers.actions import do_update_product
from complaintdesk.forms.fieldtypes import FIELD_TYPES
from complaintdesk.forms.fieldtypes.identity import id_card_check_char, uscc_check_char
from complaintdesk.forms.lookups import OrderLookupUnavailable, register_order_lookup, unregister_order_lookup
from complaintdesk.forms.schema import validate_schema
from complaintdesk.forms.tests.conftest import evaluate_one, one_field
from complaintdesk.tickets.actions import do_create_ticket

CATEGORY = [{"value": "quality", "label": {"zh-CN": "质量", "en": "Quality"}},
            {"value": "delivery", "label": {"zh-CN": "物流", "en": "Delivery"}},
            {"value": "service", "label": "服务"}]
TREE = [{"value": "phone", "label": "手机", "children": [
    {"value": "x1", "label": "X1",
     "children": [{"value": "screen", "label": "屏幕"}, {"value": "battery", "label": "电池"}]},
    {"value": "x2", "label": "X2"}]},
    {"value": "tv", "label": "电视"}]

# (type, props, submitted value, stored value)
GOOD: list[tuple[str, dict[str, Any], Any, Any]] = [
    ("text", {}, "  屏幕有划痕  ", "屏幕有划痕"),
    ("text", {"regex": r"[A-Z]{2}\d{4}"}, "AB1234", "AB1234"),
    ("text", {"min_length": 2, "max_length": 4}, "四个字符", "四个字符"),
    ("text", {}, 12, "12"),
    ("text", {}, "", None),
    ("textarea", {}, "第一行\r\n第二行", "第一行\n第二行"),
    ("rich_text", {}, '<p>好<script>alert(1)</script><a href="javascript:x" onclick="y">链接</a></p>',
     '<p>好<a rel="noopener noreferrer nofollow">链接</a></p>'),
    ("rich_text", {}, "<p>  </p>", None),
    ("integer", {"min": 1, "max": 10}, "7", 7),
    ("integer", {}, 3.0, 3),
    ("number", {}, "1,234.5", 1234.5),
    ("number", {"config": {"scale": 2}}, 0.25, 0.25),
    ("money", {}, "1234.5", "1234.50"),
    ("money", {}, 99, "99.00"),
    ("money", {}, "¥1,000", "1000.00"),
    ("money", {"config": {"scale": 0, "currency": "JPY"}}, 500, "500"),
    ("percent", {}, "12.5%", 12.5),
    ("percent", {"max": 100}, 100, 100),
    ("rating", {}, 5, 5),
    ("rating", {"config": {"max": 10, "allow_half": True}}, 4.5, 4.5),
    ("nps", {}, 0, 0),
    ("nps", {}, "10", 10),
    ("slider", {"min": 0, "max": 1, "config": {"step": 0.25}}, 0.75, 0.75),
    ("slider", {}, 40, 40),
    ("switch", {}, True, True),
    ("switch", {}, "false", False),
    ("switch", {}, 0, False),
    ("date", {}, "2026-03-01", "2026-03-01"),
    ("date", {"max": "today"}, "2026-03-10", "2026-03-10"),
    ("datetime", {}, "2026-03-10T10:30:00+08:00", "2026-03-10T02:30:00Z"),
    ("datetime", {}, "2026-03-10 10:30", "2026-03-10T02:30:00Z"),  # no offset: the organisation's zone
    ("datetime", {}, "2026-03-10T02:30:00Z", "2026-03-10T02:30:00Z"),
    ("time", {}, "09:30", "09:30"),
    ("time", {}, "09:30:59", "09:30"),
    ("time", {"config": {"with_seconds": True}}, "09:30:59", "09:30:59"),
    ("date_range", {}, {"start": "2026-03-01", "end": "2026-03-05"}, {"start": "2026-03-01", "end": "2026-03-05"}),
    ("date_range", {}, ["2026-03-01", "2026-03-01"], {"start": "2026-03-01", "end": "2026-03-01"}),
    ("dropdown", {"options": CATEGORY}, "delivery", "delivery"),
    ("radio", {"options": CATEGORY}, "service", "service"),
    ("multi_select", {"options": CATEGORY}, ["service", "quality"], ["quality", "service"]),
    ("checkboxes", {"options": CATEGORY}, "delivery", ["delivery"]),
    ("cascade", {"options": TREE}, ["phone", "x1", "battery"], ["phone", "x1", "battery"]),
    ("cascade", {"options": TREE}, ["tv"], ["tv"]),
    ("cascade", {"options": TREE, "config": {"leaf_only": False}}, ["phone"], ["phone"]),
    ("tags", {}, ["媒体关注", "批量", "媒体关注"], ["媒体关注", "批量"]),
    ("china_region", {}, {"province": "440000", "city": "440300", "district": "440305"},
     {"province": "440000", "city": "440300", "district": "440305", "names": ["广东省", "深圳市", "南山区"]}),
    ("china_region", {}, "110105",
     {"province": "110000", "city": "110100", "district": "110105", "names": ["北京市", "北京市", "朝阳区"]}),
    ("china_region", {}, ["441900"],  # 东莞市 has no districts: complete at city level
     {"province": "440000", "city": "441900", "district": None, "names": ["广东省", "东莞市"]}),
    ("china_region", {}, "429004",  # 仙桃市, governed directly by 湖北省 (GB/T 2260 group 429000)
     {"province": "420000", "city": "429000", "district": "429004",
      "names": ["湖北省", "省直辖县级行政区划", "仙桃市"]}),
    ("china_region", {"config": {"level": "province"}}, ["310000"],
     {"province": "310000", "city": None, "district": None, "names": ["上海市"]}),
    ("address", {}, {"region": ["330000", "330100", "330106"], "detail": "文三路 90 号"},
     {"province": "330000", "city": "330100", "district": "330106", "names": ["浙江省", "杭州市", "西湖区"],
      "detail": "文三路 90 号"}),
    ("phone", {}, "13800138000", "13800138000"),
    ("phone", {}, "+86 138-0013-8000", "13800138000"),
    ("phone", {}, "010-12345678", "010-12345678"),
    ("phone", {}, "0755-1234567", "0755-1234567"),
    ("phone", {}, "(021)87654321转 808", "021-87654321-808"),
    ("phone", {}, "075512345678", "0755-12345678"),
    ("phone", {"config": {"accept": "mobile"}}, "19912345678", "19912345678"),
    ("email", {}, "Zhang.San@Example.COM", "Zhang.San@example.com"),
    ("id_card", {}, "11010519491231002x", "11010519491231002X"),
    ("id_card", {}, "440300199003071234", "440300199003071234"),
    ("uscc", {}, "91350100m000100y43", "91350100M000100Y43"),
    ("uscc", {}, "9144030071526726XG", "9144030071526726XG"),
    ("url", {}, "https://example.com/a?b=1", "https://example.com/a?b=1"),
    ("order_number", {}, "SO-20260310-001", "SO-20260310-001"),
    ("order_number", {"config": {"uppercase": True}, "regex": r"JD\d{6}"}, "jd123456", "JD123456"),
    ("attachments", {}, [{"id": "up_1", "name": "发票.pdf", "size": 1024, "content_type": "application/pdf"}],
     [{"id": "up_1", "name": "发票.pdf", "size": 1024, "content_type": "application/pdf"}]),
    ("images", {}, ["tok-a", {"id": "tok-b", "content_type": "IMAGE/JPEG"}],
     [{"id": "tok-a", "name": "", "size": None, "content_type": None},
      {"id": "tok-b", "name": "", "size": None, "content_type": "image/jpeg"}]),
    ("signature", {}, {"id": "sig1", "content_type": "image/png"},
     {"id": "sig1", "name": "", "size": None, "content_type": "image/png"}),
    ("location", {}, {"lat": 31.2304, "lng": 121.4737, "address": "上海市人民广场", "accuracy": 12},
     {"lat": 31.2304, "lng": 121.4737, "address": "上海市人民广场", "accuracy": 12.0}),
    # Location refused by the visitor: a written address alone (the public form's fallback).
    ("location", {}, {"lat": None, "lng": None, "address": " 深圳市南山区科技园 "},
     {"lat": None, "lng": None, "address": "深圳市南山区科技园", "accuracy": None}),
    ("location", {"config": {"capture": "map"}}, {"address": "人民广场"},
     {"lat": None, "lng": None, "address": "人民广场", "accuracy": None}),
    ("hidden", {}, "wechat_campaign", "wechat_campaign"),
]

# (type, props, submitted value, error code)
BAD: list[tuple[str, dict[str, Any], Any, str]] = [
    ("text", {"max_length": 3}, "四个字符", "too_long"),
    ("text", {"min_length": 3}, "短", "too_short"),
    ("text", {"regex": r"[A-Z]{2}\d{4}"}, "ab1234", "pattern_mismatch"),
    ("text", {}, "a\x00b", "invalid_characters"),
    ("text", {}, "x" * 201, "too_long"),
    ("text", {}, {"a": 1}, "invalid_type"),
    ("textarea", {}, ["list"], "invalid_type"),
    ("rich_text", {"max_length": 10}, "<p>" + "字" * 30 + "</p>", "too_long"),
    ("integer", {}, 1.5, "not_integer"),
    ("integer", {}, "abc", "not_integer"),
    ("integer", {}, True, "not_integer"),
    ("integer", {"min": 1}, 0, "too_small"),
    ("integer", {"max": 10}, 11, "too_large"),
    ("integer", {}, 10**20, "not_integer"),
    ("number", {}, "12abc", "not_number"),
    ("number", {"config": {"scale": 1}}, 1.25, "too_many_decimals"),
    ("money", {}, "12.345", "too_many_decimals"),
    ("money", {"min": 0}, -1, "too_small"),
    ("money", {}, "NaN", "not_number"),
    ("percent", {"max": 100}, "120%", "too_large"),
    ("rating", {}, 6, "too_large"),
    ("rating", {}, 0, "too_small"),
    ("rating", {}, 3.5, "step_mismatch"),
    ("nps", {}, 11, "too_large"),
    ("nps", {}, 5.5, "not_integer"),
    ("slider", {"min": 0, "max": 10, "config": {"step": 2}}, 3, "step_mismatch"),
    ("slider", {}, 101, "too_large"),
    ("switch", {}, "maybe", "invalid_type"),
    ("switch", {}, 2, "invalid_type"),
    ("date", {}, "2026-02-30", "invalid_date"),
    ("date", {}, "10/03/2026", "invalid_date"),
    ("date", {}, "0001-01-01", "invalid_date"),
    ("date", {"max": "today"}, "2026-03-11", "too_late"),
    ("date", {"min": "2026-01-01"}, "2025-12-31", "too_early"),
    ("datetime", {}, "2026-03-10", "invalid_datetime"),
    ("datetime", {}, "9999-12-31T23:59:59-12:00", "invalid_datetime"),
    ("datetime", {"max": "now"}, "2026-03-11T00:00:00Z", "too_late"),
    ("time", {}, "25:00", "invalid_time"),
    ("time", {"min": "09:00", "max": "18:00"}, "08:59", "too_early"),
    ("date_range", {}, {"start": "2026-03-05", "end": "2026-03-01"}, "range_reversed"),
    ("date_range", {"config": {"max_days": 3}}, ["2026-03-01", "2026-03-05"], "range_too_long"),
    ("date_range", {}, "2026-03-01", "invalid_date"),
    ("dropdown", {"options": CATEGORY}, "other", "invalid_choice"),
    ("dropdown", {"options": CATEGORY}, ["quality"], "invalid_type"),
    ("radio", {"options": CATEGORY}, True, "invalid_choice"),
    ("multi_select", {"options": CATEGORY}, ["quality", "quality"], "duplicate_item"),
    ("multi_select", {"options": CATEGORY}, ["quality", "nope"], "invalid_choice"),
    ("checkboxes", {"options": CATEGORY, "max_length": 1}, ["quality", "service"], "too_many_items"),
    ("checkboxes", {"options": CATEGORY, "min_length": 2}, ["quality"], "too_few_items"),
    ("cascade", {"options": TREE}, ["phone", "x1"], "path_not_leaf"),
    ("cascade", {"options": TREE}, ["phone", "screen"], "invalid_path"),
    ("cascade", {"options": TREE}, "phone", "invalid_path"),
    ("tags", {"config": {"free": False}, "options": CATEGORY}, ["随便"], "invalid_choice"),
    ("tags", {}, ["x" * 51], "invalid_tag"),
    ("tags", {}, [f"t{i}" for i in range(21)], "too_many_items"),
    ("china_region", {}, "999999", "invalid_region"),
    ("china_region", {}, {"province": "440000", "city": "110100"}, "region_mismatch"),
    ("china_region", {}, {"province": "440000", "city": "440300"}, "region_incomplete"),
    ("china_region", {}, {"province": "44"}, "invalid_region"),
    ("china_region", {}, 3.5, "invalid_type"),
    ("address", {}, {"region": ["330000", "330100", "330106"], "detail": ""}, "required"),
    ("address", {}, {"detail": "文三路"}, "region_incomplete"),
    ("address", {}, "杭州", "invalid_type"),
    ("phone", {}, "1380013800", "invalid_phone"),  # ten digits
    ("phone", {}, "12800138000", "invalid_phone"),  # 12x is not a mobile prefix
    ("phone", {}, "010-1234", "invalid_phone"),
    ("phone", {}, "12345678", "invalid_phone"),  # no area code
    ("phone", {"config": {"accept": "mobile"}}, "010-12345678", "mobile_only"),
    ("phone", {"config": {"accept": "landline"}}, "13800138000", "landline_only"),
    ("email", {}, "zhang@", "invalid_email"),
    ("email", {}, "a b@example.com", "invalid_email"),
    ("id_card", {}, "110105194912310021", "id_card_checksum"),
    ("id_card", {}, "11010519491331002X", "id_card_birth_date"),  # month 13
    ("id_card", {}, "110105203012310027", "id_card_birth_date"),  # born in the future
    ("id_card", {}, "99010519491231002X", "id_card_region"),
    ("id_card", {}, "110105491231002", "invalid_id_card"),  # the old 15-digit form
    ("uscc", {}, "91350100M000100Y44", "uscc_checksum"),
    ("uscc", {}, "91350100M000100Y4", "invalid_uscc"),
    ("uscc", {}, "91350100I000100Y43", "invalid_uscc"),  # I is not in the alphabet
    ("url", {}, "ftp://example.com", "invalid_url"),
    ("url", {}, "javascript:alert(1)", "invalid_url"),
    ("order_number", {}, "单号123", "pattern_mismatch"),
    ("order_number", {}, "ab", "pattern_mismatch"),
    ("attachments", {}, [{"id": "../etc/passwd"}], "invalid_attachment"),
    ("attachments", {}, [{"id": "a", "evil": 1}], "invalid_attachment"),
    ("attachments", {}, ["a", "a"], "duplicate_item"),
    ("attachments", {"config": {"max_size_mb": 1}}, [{"id": "a", "size": 2 * 1024 * 1024}], "file_too_large"),
    ("attachments", {"config": {"accept": ["application/pdf"]}}, [{"id": "a", "content_type": "image/png"}],
     "file_type_not_allowed"),
    ("images", {}, [{"id": "a", "content_type": "application/x-msdownload"}], "file_type_not_allowed"),
    ("images", {}, [f"img{i}" for i in range(10)], "too_many_items"),
    ("signature", {}, [{"id": "a"}], "invalid_attachment"),
    ("location", {}, {"lat": 91, "lng": 0}, "invalid_location"),
    ("location", {}, {"lat": 31, "lng": -181}, "invalid_location"),
    ("location", {}, {"lat": "x", "lng": 1}, "invalid_location"),
    ("location", {"config": {"max_accuracy_m": 50}}, {"lat": 31, "lng": 121, "accuracy": 80}, "too_large"),
    ("location", {"config": {"address_required": True}}, {"lat": 31, "lng": 121}, "required"),
    ("location", {}, {"lat": None, "lng": None, "address": ""}, "invalid_location"),
    ("location", {"config": {"capture": "gps"}}, {"address": "人民广场"}, "invalid_location"),
    ("location", {}, {"lat": 31, "address": "半个坐标"}, "invalid_location"),
    ("hidden", {"max_length": 5}, "toolong", "too_long"),
]


@pytest.mark.parametrize(("type_", "props", "value", "stored"), GOOD, ids=[f"{c[0]}-{i}" for i, c in enumerate(GOOD)])
def test_accepts_and_normalises(frozen_clock, type_, props, value, stored):
    assert validate_schema(one_field(type_, **props)) == []
    result, errors = evaluate_one(type_, value, **props)
    assert errors == []
    assert result == stored


@pytest.mark.parametrize(("type_", "props", "value", "code"), BAD,
                         ids=[f"{c[0]}-{c[3]}-{i}" for i, c in enumerate(BAD)])
def test_refuses_with_a_bilingual_message(frozen_clock, type_, props, value, code):
    assert validate_schema(one_field(type_, **props)) == []
    stored, errors = evaluate_one(type_, value, **props)
    assert errors == [code]
    assert stored is None


def test_every_message_has_both_languages():
    from complaintdesk.forms.engine import evaluate_form

    result = evaluate_form(one_field("integer", min=5), {"f": 1})
    [error] = result.errors["f"]
    assert error == {"code": "too_small", "zh-CN": "不能小于 5", "en": "Must be at least 5"}


def test_there_are_at_least_30_field_types_and_each_describes_itself():
    assert len(FIELD_TYPES) >= 30
    for name, field_type in FIELD_TYPES.items():
        entry = field_type.palette_entry()
        assert entry["type"] == name
        assert entry["label"]["zh-CN"] and entry["label"]["en"]
        for option in entry["config"]:
            assert option["label"]["zh-CN"] and option["label"]["en"]


def test_id_card_and_uscc_check_characters_follow_the_standards():
    # GB 11643-1999's own example, and ISO 7064 MOD 11-2 where the remainder gives "X".
    assert id_card_check_char("11010519491231002") == "X"
    # GB 32100-2015: the code of Tencent Technology (Shenzhen), public record.
    assert uscc_check_char("9144030071526726X") == "G"
    assert uscc_check_char("91350100M000100Y4") == "3"


def test_empty_values_are_blank_not_errors():
    for type_ in ("text", "integer", "money", "date", "dropdown", "multi_select", "china_region", "phone",
                  "attachments", "location", "user"):
        props = {"options": CATEGORY} if type_ in ("dropdown", "multi_select") else {}
        for empty in (None, ""):
            assert evaluate_one(type_, empty, **props) == (None, [])


# --- references (database) ----------------------------------------------------------------------


@pytest.mark.django_db
def test_user_and_department_pickers_check_existence_and_activity(org):
    assert evaluate_one("user", org.agent_a.pk) == (org.agent_a.pk, [])
    assert evaluate_one("user", {"id": str(org.agent_b.pk)}) == (org.agent_b.pk, [])
    assert evaluate_one("user", 999_999) == (None, ["unknown_user"])
    assert evaluate_one("user", "abc") == (None, ["invalid_type"])
    do_update_user(org.agent_b, is_active=False, actor=None)
    assert evaluate_one("user", org.agent_b.pk) == (None, ["unknown_user"])
    assert evaluate_one("multi_user", [org.agent_a.pk, org.handler.pk]) == ([org.agent_a.pk, org.handler.pk], [])
    assert evaluate_one("multi_user", [org.agent_a.pk, org.agent_b.pk]) == (None, ["unknown_user"])
    assert evaluate_one("multi_user", [org.agent_a.pk, org.agent_a.pk]) == (None, ["duplicate_item"])
    assert evaluate_one("department", org.repair.pk) == (org.repair.pk, [])
    assert evaluate_one("department", 10**6) == (None, ["unknown_department"])


@pytest.mark.django_db
def test_customer_and_product_references(org):
    assert evaluate_one("customer", org.vip.pk) == (org.vip.pk, [])
    assert evaluate_one("customer", 10**6) == (None, ["unknown_customer"])
    assert evaluate_one("product", org.product.pk) == (org.product.pk, [])
    do_update_product(org.product, is_active=False, actor=None)
    assert evaluate_one("product", org.product.pk) == (None, ["unknown_product"])
    assert evaluate_one("product", 2**70) == (None, ["invalid_type"])


@pytest.mark.django_db
def test_related_ticket_by_id_or_number_within_the_viewers_scope(org, frozen_clock):
    ticket, _ = do_create_ticket(actor=org.agent_a, subject="屏幕失灵", team=org.team_a)
    other, _ = do_create_ticket(actor=org.agent_b, subject="外包装破损", team=org.team_b)
    expected = {"id": ticket.pk, "number": ticket.number}
    assert evaluate_one("related_ticket", ticket.pk) == (expected, [])
    assert evaluate_one("related_ticket", ticket.number) == (expected, [])
    assert evaluate_one("related_ticket", {"number": ticket.number}) == (expected, [])
    assert evaluate_one("related_ticket", "TS-NOPE") == (None, ["unknown_ticket"])
    # agent_a cannot see agent_b's ticket: for them it does not exist.
    assert evaluate_one("related_ticket", other.pk, viewer=org.agent_a) == (None, ["unknown_ticket"])
    assert evaluate_one("related_ticket", other.pk, viewer=org.supervisor)[1] == []


def test_order_number_lookup_hook():
    answers = {"SO-1001": True}

    def lookup(number: str) -> bool:
        if number == "SO-9999":
            raise OrderLookupUnavailable()
        return answers.get(number, False)

    register_order_lookup("erp", lookup)
    try:
        props: dict[str, Any] = {"config": {"lookup": "erp"}}
        assert validate_schema(one_field("order_number", **props)) == []
        assert evaluate_one("order_number", "SO-1001", **props) == ("SO-1001", [])
        assert evaluate_one("order_number", "SO-1002", **props) == (None, ["order_not_found"])
        # Unavailable: accepted unless the field is strict.
        assert evaluate_one("order_number", "SO-9999", **props) == ("SO-9999", [])
        strict: dict[str, Any] = {"config": {"lookup": "erp", "strict": True}}
        assert evaluate_one("order_number", "SO-9999", **strict) == (None, ["order_lookup_failed"])
    finally:
        unregister_order_lookup("erp")
    problems = validate_schema(one_field("order_number", config={"lookup": "erp"}))
    assert [(p.path, p.code) for p in problems] == [("fields[0].config.lookup", "unknown_lookup")]
