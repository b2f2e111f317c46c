"""The semantics written down in docs/conditions.md, one decision per test, each checked through
both interpreters (``matching`` asserts they agree before returning the match)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Case, Count, Value, When
from django.test.utils import CaptureQueriesContext

from complaintdesk.core import clock
from complaintdesk.customers.actions import do_create_customer, do_create_product, do_create_product_line
from complaintdesk.expressions.conditions import (
    ConditionNotQueryable,
    InvalidCondition,
    compile_condition,
    condition_to_q,
    evaluate_condition,
)
from complaintdesk.expressions.fields import (
    TICKET_FIELDS,
    DeclaredField,
    Field,
    FieldType,
    record_catalog,
    ticket_fields_with_form,
)
from complaintdesk.tickets.actions import do_create_ticket, do_transition_ticket
from complaintdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # 10:00 in Asia/Shanghai
FORM = ticket_fields_with_form([
    ("amount", "number"), ("note", "text"), ("when", "datetime"), ("day", "date"), ("labels", "multi"),
    ("flag", "bool"), {"key": "level", "type": "choice", "label": "等级", "choices": ["a", "b"]},
])


@pytest.fixture(autouse=True)
def _now():
    clock.set_now(NOW)


def make(org, subject="投诉", **fields):
    ticket, created = do_create_ticket(actor=org.agent_a, subject=subject, **fields)
    assert created
    return ticket


def matching(condition, catalog=FORM):
    """The tickets matching ``condition``, after checking Python and SQL agree on them."""
    tickets = list(catalog.prepare(Ticket.objects.all()))
    in_python = {t.pk for t in tickets if evaluate_condition(condition, t, catalog=catalog)}
    in_sql = set(Ticket.objects.filter(condition_to_q(condition, catalog=catalog)).values_list("pk", flat=True))
    assert in_python == in_sql, (condition, in_python, in_sql)
    return in_python


def leaf(field, op, value=None):
    return {"field": field, "op": op} if value is None else {"field": field, "op": op, "value": value}


# --- text and case --------------------------------------------------------------------------


def test_text_is_case_insensitive_for_ascii_letters_only(org):
    english = make(org, "Screen BROKEN")
    german = make(org, "Ärger mit dem Händler")
    chinese = make(org, "屏幕碎了")
    assert matching(leaf("subject", "contains", "screen broken")) == {english.pk}
    assert matching(leaf("subject", "eq", "SCREEN broken")) == {english.pk}
    assert matching(leaf("subject", "starts_with", "scr")) == {english.pk}
    # Ä and ä are different letters to both databases' ASCII-only folding, and to Python's.
    assert matching(leaf("subject", "contains", "Ärger")) == {german.pk}
    assert matching(leaf("subject", "contains", "ärger")) == set()
    assert matching(leaf("subject", "contains", "碎")) == {chinese.pk}


def test_contains_takes_like_wildcards_literally(org):
    percent = make(org, "退款 100%")
    underscore = make(org, "code a_b")
    make(org, "code axb 1000")
    assert matching(leaf("subject", "contains", "100%")) == {percent.pk}
    assert matching(leaf("subject", "contains", "a_b")) == {underscore.pk}
    assert matching(leaf("subject", "starts_with", "%")) == set()


def test_any_keyword_splits_on_spaces_and_chinese_punctuation(org):
    slow = make(org, "物流太慢了")
    rude = make(org, "客服态度 Rude")
    make(org, "一切正常")
    assert matching(leaf("subject", "any_keyword", "太慢，rude")) == {slow.pk, rude.pk}
    assert matching(leaf("subject", "any_keyword", ["态度"])) == {rude.pk}


def test_in_on_text_compares_each_value_case_insensitively(org):
    a = make(org, "OK")
    make(org, "not ok")
    assert matching(leaf("subject", "in", ["ok", "fine"])) == {a.pk}
    assert matching(leaf("subject", "in", [])) == set()
    assert matching(leaf("subject", "not_in", [])) == set(Ticket.objects.values_list("pk", flat=True))


def test_choice_fields_compare_exactly(org):
    p1 = make(org, urgency="high", impact="high")
    make(org)
    assert matching(leaf("priority", "eq", "P1")) == {p1.pk}
    assert matching(leaf("priority", "in", ["P1", "P2"])) == {p1.pk}


# --- nulls ----------------------------------------------------------------------------------


def test_ne_not_in_and_not_match_a_missing_value(org):
    vip = make(org, customer=org.vip)
    normal = make(org, customer=org.customer)
    nobody = make(org)  # no customer: no tier
    assert matching(leaf("customer.tier", "eq", "vip")) == {vip.pk}
    assert matching(leaf("customer.tier", "ne", "vip")) == {normal.pk, nobody.pk}
    assert matching(leaf("customer.tier", "not_in", ["vip", "gold"])) == {normal.pk, nobody.pk}
    assert matching({"not": leaf("customer.tier", "eq", "vip")}) == {normal.pk, nobody.pk}
    assert matching(leaf("customer.tier", "is_empty")) == {nobody.pk}


def test_comparisons_are_false_on_a_missing_value(org):
    big = make(org, data={"amount": 500})
    make(org, data={})
    make(org, data={"amount": None})
    assert matching(leaf("data.amount", "gt", 100)) == {big.pk}
    assert matching(leaf("data.amount", "lte", 100)) == set()
    assert len(matching({"not": leaf("data.amount", "gt", 100)})) == 2


def test_is_empty_covers_none_empty_text_and_empty_lists(org):
    blank = make(org, description="", tags=[], data={"note": "", "labels": []})
    full = make(org, description="x", tags=["VIP"], data={"note": "x", "labels": ["a"]})
    for name in ("description", "tags", "data.note", "data.labels", "data.missing"):
        assert matching(leaf(name, "is_empty")) == {blank.pk, full.pk} - ({full.pk} if name != "data.missing"
                                                                          else set()), name
    assert matching(leaf("tags", "is_not_empty")) == {full.pk}


def test_whitespace_is_not_empty(org):
    spaced = make(org, description="  ")
    assert spaced.pk not in matching(leaf("description", "is_empty"))


# --- data fields and types ------------------------------------------------------------------


def test_a_value_of_another_json_type_counts_as_missing(org):
    number = make(org, data={"amount": 12})
    text = make(org, data={"amount": "12"})  # declared number, stored text
    boolean = make(org, data={"amount": True})
    assert matching(leaf("data.amount", "eq", 12)) == {number.pk}
    assert matching(leaf("data.amount", "is_empty")) == {text.pk, boolean.pk}


def test_numbers_compare_as_numbers_ints_and_floats_alike(org):
    a = make(org, data={"amount": 2})
    b = make(org, data={"amount": 10.5})
    c = make(org, data={"amount": 100})
    assert matching(leaf("data.amount", "gt", 9)) == {b.pk, c.pk}  # not text order ("100" < "9")
    assert matching(leaf("data.amount", "eq", 2.0)) == {a.pk}
    assert matching(leaf("data.amount", "between", [2, 10.5])) == {a.pk, b.pk}
    assert matching(leaf("data.amount", "gte", "10.5")) == {b.pk, c.pk}  # numeric text in a condition


def test_undeclared_data_fields_take_their_type_from_the_value(org):
    number = make(org, data={"score": 3})
    text = make(org, data={"score": "3"})
    assert matching(leaf("data.score", "eq", 3), TICKET_FIELDS) == {number.pk}
    assert matching(leaf("data.score", "eq", "3"), TICKET_FIELDS) == {text.pk}
    assert matching(leaf("data.score", "is_empty"), TICKET_FIELDS) == set()


def test_multi_contains_an_element_and_text_contains_a_substring(org):
    both = make(org, tags=["VIP", "媒体关注"], data={"labels": ["Urgent", "退货"]})
    make(org, tags=["VIPER"], data={"labels": ["Urgently"]})
    assert matching(leaf("tags", "contains", "vip")) == {both.pk}
    assert matching(leaf("data.labels", "contains", "urgent")) == {both.pk}
    assert matching(leaf("tags", "in", ["媒体关注", "nope"])) == {both.pk}
    assert len(matching(leaf("tags", "not_contains", "VIP"))) == 1


def test_customer_tags_json_list(org):
    customer = do_create_customer(name="王五", tags=["老客户", "VIP"], actor=None)
    mine = make(org, customer=customer)
    make(org, customer=org.customer)
    assert matching(leaf("customer.tags", "contains", "vip")) == {mine.pk}


def test_bool_fields(org):
    yes = make(org, data={"flag": True})
    no = make(org, data={"flag": False})
    text = make(org, data={"flag": "true"})
    assert matching(leaf("data.flag", "eq", True)) == {yes.pk}
    assert matching(leaf("data.flag", "ne", True)) == {no.pk, text.pk}
    assert matching(leaf("is_repeat", "eq", False)) == {yes.pk, no.pk, text.pk}


# --- category, product, relations -----------------------------------------------------------


def test_category_matches_the_subtree_and_category_key_the_node(org):
    cats = org.categories
    child = make(org, category=cats["malfunction"])
    parent = make(org, category=cats["product_quality"])
    other = make(org, category=cats["logistics"])
    none = make(org)
    assert matching(leaf("category", "in", ["product_quality"])) == {child.pk, parent.pk}
    assert matching(leaf("category", "eq", "malfunction")) == {child.pk}
    assert matching(leaf("category", "ne", "product_quality")) == {other.pk, none.pk}
    assert matching(leaf("category.key", "eq", "product_quality")) == {parent.pk}
    assert matching(leaf("category", "in", ["no_such_key"])) == set()
    assert matching(leaf("category", "is_empty")) == {none.pk}


def test_product_line_by_name_and_product_by_sku(org):
    appliances = do_create_product_line(name="家用电器", actor=None)
    fridge = do_create_product(sku="FR-1", name="冰箱", line=appliances, actor=None)
    loose = do_create_product(sku="LO-1", name="配件", line=None, actor=None)
    phone = make(org, product=org.product)
    cold = make(org, product=fridge)
    part = make(org, product=loose)
    none = make(org)
    assert matching(leaf("product.line", "eq", "智能手机")) == {phone.pk}
    assert matching(leaf("product.line", "ne", "智能手机")) == {cold.pk, part.pk, none.pk}
    assert matching(leaf("product.line", "is_empty")) == {part.pk, none.pk}
    assert matching(leaf("product", "in", ["FR-1", "LO-1"])) == {cold.pk, part.pk}


def test_ids_and_team_names(org):
    mine = make(org, assignee=org.agent_a, team=org.team_a)
    make(org)
    assert matching(leaf("assignee_id", "eq", org.agent_a.pk)) == {mine.pk}
    assert matching(leaf("team.name", "contains", "一组")) == {mine.pk}
    assert matching(leaf("department.name", "eq", "客服部")) == {mine.pk}


# --- time -----------------------------------------------------------------------------------


def test_dates_on_datetime_fields_are_local_days(org):
    # 2026-03-09 23:30 in Shanghai is 15:30 UTC on the 9th; 00:30 on the 10th is 16:30 UTC on the 9th.
    clock.set_now(datetime(2026, 3, 9, 15, 30, tzinfo=UTC))
    late = make(org, "late on the 9th")
    clock.set_now(datetime(2026, 3, 9, 16, 30, tzinfo=UTC))
    early = make(org, "early on the 10th")
    clock.set_now(NOW)
    assert matching(leaf("created_at", "eq", "2026-03-09")) == {late.pk}
    assert matching(leaf("created_at", "eq", "2026-03-10")) == {early.pk}
    assert matching(leaf("created_at", "before", "2026-03-10")) == {late.pk}
    assert matching(leaf("created_at", "after", "2026-03-09")) == {early.pk}
    assert matching(leaf("created_at", "between", ["2026-03-09", "2026-03-10"])) == {late.pk, early.pk}
    assert matching(leaf("created_at", "lt", "2026-03-10T00:30:00+08:00")) == {late.pk}
    assert matching(leaf("created_at", "gte", "2026-03-10T00:30:00")) == {early.pk}  # naive = local time


def test_within_last_and_within_next_are_relative_to_the_clock(org):
    clock.set_now(NOW - timedelta(hours=2))
    two_hours = make(org, "2h ago")
    clock.set_now(NOW - timedelta(days=3))
    three_days = make(org, "3d ago")
    clock.set_now(NOW)
    assert matching(leaf("created_at", "within_last", "3h")) == {two_hours.pk}
    assert matching(leaf("created_at", "within_last", "7d")) == {two_hours.pk, three_days.pk}
    assert matching(leaf("created_at", "within_next", "1d")) == set()
    clock.set_now(NOW + timedelta(hours=2))
    assert matching(leaf("created_at", "within_last", "3h")) == set()


def test_lifecycle_timestamps_are_null_until_set(org):
    resolved = make(org)
    do_transition_ticket(resolved, actor=None, to_status="resolved")
    waiting = make(org)
    assert matching(leaf("resolved_at", "is_not_empty")) == {resolved.pk}
    assert matching(leaf("resolved_at", "within_last", "1h")) == {resolved.pk}
    assert matching({"not": leaf("resolved_at", "within_last", "1h")}) == {waiting.pk}


def test_datetimes_in_data_need_an_offset(org):
    good = make(org, data={"when": "2026-03-09T23:00:00+08:00"})
    utc = make(org, data={"when": "2026-03-09T15:00:00.250Z"})
    naive = make(org, data={"when": "2026-03-09T23:00:00"})
    impossible = make(org, data={"when": "2026-02-30T10:00:00Z"})
    assert matching(leaf("data.when", "eq", "2026-03-09")) == {good.pk, utc.pk}
    assert matching(leaf("data.when", "gt", "2026-03-09T15:00:00.249Z")) == {utc.pk}
    assert matching(leaf("data.when", "lte", "2026-03-09T15:00:00Z")) == {good.pk}
    assert matching(leaf("data.when", "eq", "2026-03-09T23:00:00.250+08:00")) == {utc.pk}
    assert matching(leaf("data.when", "is_empty")) == {naive.pk, impossible.pk}


def test_dates_in_data(org):
    ninth = make(org, data={"day": "2026-03-09"})
    leap = make(org, data={"day": "2024-02-29"})
    bad = make(org, data={"day": "2026-02-29"})
    assert matching(leaf("data.day", "before", "2026-03-10")) == {ninth.pk, leap.pk}
    assert matching(leaf("data.day", "within_last", "1d")) == {ninth.pk}
    assert matching(leaf("data.day", "is_empty")) == {bad.pk}


# --- structure ------------------------------------------------------------------------------


def test_empty_all_is_true_and_empty_any_is_false(org):
    ticket = make(org)
    assert matching({"all": []}) == {ticket.pk}
    assert matching({"any": []}) == set()
    assert matching({"not": {"all": []}}) == set()
    assert matching({"not": {"any": []}}) == {ticket.pk}
    # A false constant stays false when combined and negated by a caller.
    never = condition_to_q({"any": []}, catalog=FORM)
    assert set(Ticket.objects.filter(~never).values_list("pk", flat=True)) == {ticket.pk}


def test_nested_conditions(org):
    vip_quality = make(org, customer=org.vip, category=org.categories["malfunction"], urgency="high")
    make(org, customer=org.vip, category=org.categories["logistics"])
    normal_quality = make(org, customer=org.customer, category=org.categories["performance"])
    condition = {"all": [
        leaf("category", "in", ["product_quality"]),
        {"any": [leaf("customer.tier", "in", ["vip", "gold"]), {"not": leaf("urgency", "ne", "high")}]},
    ]}
    assert matching(condition) == {vip_quality.pk}
    assert matching({"not": condition}) == set(Ticket.objects.values_list("pk", flat=True)) - {vip_quality.pk}
    assert normal_quality.pk not in matching(condition)


def test_condition_to_q_runs_in_one_query_and_composes(org):
    make(org, customer=org.vip, tags=["VIP"])
    condition = {"any": [leaf("customer.tier", "eq", "vip"), leaf("tags", "contains", "vip"),
                         leaf("category", "in", ["product_quality"])]}
    q = condition_to_q(condition, catalog=FORM)  # looks up the category paths once
    with CaptureQueriesContext(connection) as queries:
        assert Ticket.objects.filter(q, status="new").count() == 1
    assert len(queries) == 1


def test_the_q_works_in_exclude_and_conditional_aggregates(org):
    make(org, customer=org.vip, data={"amount": 5000, "labels": ["Urgent"]})
    make(org, customer=org.customer, data={"amount": "n/a"})
    make(org)
    condition = {"any": [leaf("data.amount", "gt", 1000), leaf("data.labels", "contains", "urgent"),
                         leaf("customer.tier", "eq", "vip")]}
    q = condition_to_q(condition, catalog=FORM)
    matched = matching(condition)
    assert Ticket.objects.aggregate(n=Count("pk", filter=q))["n"] == len(matched) == 1
    assert set(Ticket.objects.exclude(q).values_list("pk", flat=True)) == set(
        Ticket.objects.values_list("pk", flat=True)) - matched
    flagged = Ticket.objects.annotate(hit=Case(When(q, then=Value(True)), default=Value(False)))
    assert {t.pk for t in flagged if t.hit} == matched


# --- formulas -------------------------------------------------------------------------------


def test_formula_nodes_are_true_when_the_result_is_true(org):
    big = make(org, data={"amount": 1500}, customer=org.vip)
    small = make(org, data={"amount": 20})
    tickets = {t.pk: t for t in FORM.prepare(Ticket.objects.all())}

    def run(formula):
        return {pk for pk, t in tickets.items() if evaluate_condition({"formula": formula}, t, catalog=FORM)}

    assert run("{amount} > 1000") == {big.pk}
    assert run("AND({amount} > 10, {customer.tier} = \"vip\")") == {big.pk}
    assert run("{amount} / 0") == set()  # #DIV/0! is not TRUE
    assert run("IF({amount} > 100, 1, 0)") == {big.pk}  # non-zero numbers are TRUE
    assert run('"TRUE"') == {big.pk, small.pk}
    assert run("DATEDIF({created_at}, TODAY(), \"d\") = 0") == {big.pk, small.pk}
    assert run("{category} = \"\"") == {big.pk, small.pk}
    with pytest.raises(ConditionNotQueryable):
        condition_to_q({"all": [{"formula": "{amount} > 1"}]}, catalog=FORM)
    assert compile_condition({"formula": "{amount} > 1"}, catalog=FORM).queryable is False


# --- plain records (form visibility) --------------------------------------------------------

RECORD = record_catalog([
    DeclaredField("kind", "choice", choices=("quality", "delivery")),
    DeclaredField("amount", "number"),
    DeclaredField("bought", "date"),
    DeclaredField("visited", "datetime"),
    DeclaredField("photos", "multi"),
    DeclaredField("remark", "text"),
    DeclaredField("items", FieldType.ANY),
])


def test_record_catalog_evaluates_dicts_in_python_only():
    def ok(condition, record):
        return evaluate_condition(condition, record, catalog=RECORD, now=NOW)

    assert ok(leaf("kind", "eq", "quality"), {"kind": "quality"})
    assert ok(leaf("kind", "ne", "quality"), {})
    assert ok(leaf("amount", "gt", 10), {"amount": Decimal("10.01")})
    assert not ok(leaf("amount", "gt", 10), {"amount": "11"})
    assert ok(leaf("bought", "within_last", "30d"), {"bought": date(2026, 3, 1)})
    assert ok(leaf("bought", "before", "2026-03-02"), {"bought": "2026-03-01"})
    assert ok(leaf("visited", "eq", "2026-03-10"), {"visited": datetime(2026, 3, 10, 9, 0)})  # naive: local
    assert ok(leaf("photos", "is_empty"), {"photos": []})
    assert ok(leaf("remark", "contains", "GOOD"), {"remark": "very good"})
    assert ok({"formula": "SUM({items.qty}) > 2"}, {"items": [{"qty": 2}, {"qty": 1}]})
    assert ok(leaf("items", "is_not_empty"), {"items": [{"qty": 2}]})
    with pytest.raises(ConditionNotQueryable):
        condition_to_q(leaf("kind", "eq", "quality"), catalog=RECORD)


def test_a_sub_table_column_may_be_its_own_field():
    """The form engine may declare ``data.items.qty`` (a flat list of the column's values)."""
    catalog = record_catalog([("kind", "choice")]).extended([Field(
        name="data.items.qty", type=FieldType.ANY, json=True,
        getter=lambda record: [row.get("qty") for row in record.get("items", [])])])
    assert evaluate_condition({"formula": "SUM({items.qty}) = 5"}, {"items": [{"qty": 2}, {"qty": 3}]},
                              catalog=catalog, now=NOW)


def test_invalid_conditions_raise_with_every_problem(org):
    with pytest.raises(InvalidCondition) as info:
        evaluate_condition({"all": [leaf("nope", "eq", 1), leaf("priority", "gt", "P1")]}, make(org), catalog=FORM)
    assert [p["path"] for p in info.value.details["problems"]] == ["/all/0/field", "/all/1/op"]
    assert info.value.status_code == 422


def test_compiled_conditions_are_cached_per_catalog():
    first = compile_condition(leaf("priority", "eq", "P1"), catalog=FORM)
    assert compile_condition({"op": "eq", "value": "P1", "field": "priority"}, catalog=FORM) is first
    assert compile_condition(leaf("priority", "eq", "P1"), catalog=TICKET_FIELDS) is not first


def test_sqlite_lower_folds_ascii_only():
    """The SQLite side relies on lower() leaving non-ASCII letters alone (no ICU extension)."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT lower('ÄBC')")
        assert cursor.fetchone()[0] == "Äbc"
