"""The two interpreters agree (ARCHITECTURE.md invariant 5).

A pool of random tickets is built once per test through the ticket actions (random customers of
random tiers, products of random product lines, categories at both levels, tags, lifecycle
timestamps, and custom ``data`` values of deliberately mixed JSON types, including values of the
wrong type for their declared field and malformed dates). Hypothesis then draws random
conditions over every catalog field and operator, and for each one

    {t.pk for t in pool if evaluate_condition(c, t)} == set(Ticket.objects.filter(condition_to_q(c)))

must hold — on whichever database the suite runs (SQLite, and PostgreSQL with
CD_TEST_DATABASE_URL).
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from complaintdesk.core import clock
from complaintdesk.customers.actions import do_create_customer, do_create_product, do_create_product_line
from complaintdesk.customers.choices import CustomerTier
from complaintdesk.expressions.conditions import compile_condition
from complaintdesk.expressions.fields import OPERATORS, FieldType, ticket_fields_with_form
from complaintdesk.tickets.actions import (
    do_add_comment,
    do_assign_ticket,
    do_create_ticket,
    do_transition_ticket,
    do_update_ticket,
)
from complaintdesk.tickets.choices import Channel, Level, Priority
from complaintdesk.tickets.models import Category, Ticket

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # 10:00 in Asia/Shanghai

CATALOG = ticket_fields_with_form([
    ("amount", "number"), ("note", "text"), ("when", "datetime"), ("day", "date"), ("labels", "multi"),
    ("flag", "bool"), ("level", "choice"), ("ref_id", "id"),
])

# Text with ASCII case pairs, non-ASCII letters that have case (Ä/ä, É/é: compared exactly),
# Chinese, LIKE wildcards, and blanks.
TEXTS = ["Screen 破裂", "screen broken", "SCREEN", "屏幕碎了 Screen", "Ärger über Lieferung", "ärger", "ÄRGER",
         "naïve Café", "CAFÉ", "100% 退款_", "a_b%c", "退货退款", "OK", "ok", "  ", "Straße", "物流太慢 slow"]
FRAGMENTS = ["screen", "SCREEN", "Screen", "破裂", "屏幕", "ärger", "Ärger", "ÄRGER", "café", "CAFÉ", "%", "_",
             "a_b", "退", "退款", "ok", "OK", "slow", "straße", "STRASSE", " ", "x", "Screen 破裂", "物流太慢 slow"]
TAGS = ["VIP", "vip", "媒体关注", "批量问题", "Ärger", "ärger", "Urgent"]
LABELS = ["Urgent", "urgent", "URGENT", "退货", "Ärger", "ärger", "x"]
LINE_NAMES = ["家用电器", "Audio", "AUDIO", "Ärger-Linie"]


def _iso(moment: datetime, rng: random.Random) -> str:
    zone = rng.choice([UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5, minutes=-30)),
                       timezone(timedelta(hours=14))])
    local = moment.astimezone(zone)
    style = rng.randrange(4)
    text = local.strftime("%Y-%m-%dT%H:%M" if style == 0 else "%Y-%m-%dT%H:%M:%S")
    if style == 2:
        text += f".{rng.randrange(1000):03d}"
    if style == 3:
        text += f".{rng.randrange(10)}"
    return text + ("Z" if zone is UTC and rng.random() < 0.5 else local.strftime("%z")[:3] + ":" +
                   local.strftime("%z")[3:])


def _near_now(rng: random.Random) -> datetime:
    return NOW + timedelta(seconds=rng.randrange(-20 * 86400, 5 * 86400))


def _data_value(key: str, rng: random.Random) -> Any:
    """A value for ``key`` — usually of the declared type, often not."""
    stray = rng.choice([None, "abc", 7, 2.5, True, False, [], ["x"], {"k": 1}, "", "12"])
    if rng.random() < 0.25:
        return stray
    if key == "amount":
        return rng.choice([-5, 0, 0.1, 1, 12, 12.5, 100, 1e-7, 999.999, 1000, 2**40, -0.5, 0.30000000000000004])
    if key in ("note", "extra"):
        return rng.choice([*TEXTS, "", 12])
    if key == "when":
        return rng.choice([
            _iso(_near_now(rng), rng), _iso(_near_now(rng), rng), "2026-03-09T10:00:00+08:00",
            "2026-03-10T00:00:00+08:00", "2026-03-09T23:59:59.999+08:00", "2026-02-30T10:00:00Z",
            "2026-03-09T10:00:00", "2026-03-09", "2026-03-09T24:00:00Z", "2026-03-09T10:00:00+15:00",
            "2026-03-09 10:00:00Z", "0999-01-01T00:00:00Z", "2026-03-09T10:00:00.123456Z", "２０２６-03-09T10:00Z",
        ])
    if key == "day":
        day = (NOW + timedelta(days=rng.randrange(-20, 6))).date()
        return rng.choice([day.isoformat(), day.isoformat(), "2026-03-09", "2026-03-10", "2026-02-29",
                           "2024-02-29", "2026-3-9", "2026-03-09T10:00:00Z", "2026-13-01", "0000-01-01"])
    if key == "labels":
        return rng.choice([rng.sample(LABELS, rng.randrange(0, 4)), ["Urgent", 1, None], "Urgent", []])
    if key == "flag":
        return rng.choice([True, False, "true", 1, 0])
    if key == "level":
        return rng.choice(["a", "b", "A", "c"])
    if key == "ref_id":
        return rng.choice([1, 2, 3, 2.0, "2", 99])
    raise AssertionError(key)


def build_pool(org: Any, seed: int, size: int = 60) -> list[Ticket]:
    rng = random.Random(seed)
    clock.set_now(NOW - timedelta(days=40))
    lines = [org.product.line] + [do_create_product_line(name=name, actor=None) for name in LINE_NAMES]
    products = [org.product] + [
        do_create_product(sku=f"SKU-{i}", name=rng.choice(TEXTS).strip() or "产品", line=rng.choice([*lines, None]),
                          actor=None)
        for i in range(6)
    ]
    customers = [org.customer, org.vip] + [
        do_create_customer(
            name=rng.choice(TEXTS).strip() or "客户", tier=rng.choice(CustomerTier.values),
            region=rng.choice(["", "上海", "Beijing", "beijing"]), company=rng.choice(["", "ACME", "acme 公司"]),
            region_code=rng.choice(["", "310000", "110000"]),
            tags=rng.choice([[], ["VIP"], ["vip", "老客户"], "VIP", [1, "Ärger"]]), actor=None,
        )
        for _ in range(8)
    ]
    categories = list(Category.objects.all())
    people = [org.agent_a, org.agent_b, org.handler, org.repair_handler, org.quality]
    teams = [org.team_a, org.team_b]
    tickets = []
    for _ in range(size):
        created = NOW - timedelta(seconds=rng.randrange(3600, 15 * 86400))
        clock.set_now(created)
        data = {key: _data_value(key, rng) for key in ("amount", "note", "when", "day", "labels", "flag", "level",
                                                        "ref_id", "extra") if rng.random() < 0.8}
        ticket, _ = do_create_ticket(
            actor=rng.choice([org.agent_a, org.supervisor, None]),
            subject=rng.choice([t for t in TEXTS if t.strip()]),
            description=rng.choice([*TEXTS, ""]),
            channel=rng.choice(Channel.values),
            customer=rng.choice([*customers, None]),
            category=rng.choice([*categories, None, None]),
            product=rng.choice([*products, None]),
            order_number=rng.choice(["", "SO-1", "so-1", "订单 9"]),
            urgency=rng.choice(Level.values), impact=rng.choice(Level.values),
            priority=rng.choice([None, *Priority.values]),
            tags=rng.sample(TAGS, rng.randrange(0, 4)),
            data={k: v for k, v in data.items() if v is not None or rng.random() < 0.5},
        )
        if rng.random() < 0.6:
            clock.advance(timedelta(minutes=rng.randrange(1, 600)))
            do_assign_ticket(ticket, actor=None, assignee=rng.choice([*people, None]),
                             team=rng.choice([*teams, None]))
        if rng.random() < 0.5:
            clock.advance(timedelta(minutes=rng.randrange(1, 600)))
            do_add_comment(ticket, actor=org.agent_a, body="您好，已收到", is_public=rng.random() < 0.7)
        for step in rng.choice([[], ["accepted"], ["in_progress"], ["resolved"], ["resolved", "closed"],
                                ["resolved", "reopened"], ["accepted", "resolved", "reopened", "resolved"],
                                ["cancelled"]]):
            clock.advance(timedelta(minutes=rng.randrange(1, 3000)))
            do_transition_ticket(ticket, actor=None, to_status=step)
        if rng.random() < 0.2:
            clock.advance(timedelta(minutes=5))
            do_update_ticket(ticket, actor=None, data={"note": _data_value("note", rng)})
        tickets.append(ticket)
    clock.set_now(NOW)
    return list(CATALOG.prepare(Ticket.objects.filter(pk__in=[t.pk for t in tickets])))


# --- random conditions ----------------------------------------------------------------------

MOMENTS = ["2026-03-09", "2026-03-10", "2026-03-01", "2026-02-28", "2026-03-10T10:00:00+08:00",
           "2026-03-09T10:00:00+08:00", "2026-03-09T02:00:00Z", "2026-03-05T12:30:00", "2026-03-10T01:59:59.5Z",
           "2026-03-12T00:00:00+08:00", "2026-03-09T23:59:59.999+08:00", "2026-03-09T15:59:59.999500Z"]
DAYS = ["2026-03-09", "2026-03-10", "2026-03-01", "2026-02-28", "2026-03-14", "2024-02-29"]
DURATIONS = ["30m", "1h", "24h", "3d", "7d", "2w", "90s"]
NUMBERS = [-5, 0, 0.1, 1, 1.5, 2, 12, 12.5, 100, 1e-7, 999.999, 1000, 2**40, 0.3, 3]


TREE_KEYS = ["product_quality", "malfunction", "logistics", "other", "safety", "nope"]
CHOICE_EXTRA = {"category.key": ["product_quality", "malfunction", "logistics", "delivery_delay", "other", "nope"],
                "product": ["PH-001", "SKU-1", "sku-1", "SKU-4"], "customer.region_code": ["310000", "110000", ""],
                "data.level": ["a", "A", "b", "c"]}


def _choice_vocab(name: str) -> list[str]:
    field = CATALOG.get(name)
    assert field is not None
    return list(field.choices) or CHOICE_EXTRA[name]


def _scalar_values(name: str, kind: FieldType, pool_ids: dict[str, list[int]]) -> st.SearchStrategy[Any]:
    if kind == FieldType.TEXT:
        return st.sampled_from(FRAGMENTS + TEXTS)
    if kind == FieldType.CHOICE:
        return st.sampled_from(_choice_vocab(name))
    if kind == FieldType.TREE:
        return st.sampled_from(TREE_KEYS)
    if kind == FieldType.ID:
        return st.sampled_from([*pool_ids.get(name, [1, 2, 3]), 999_999])
    if kind == FieldType.NUMBER:
        return st.sampled_from(NUMBERS) if name != "reopen_count" else st.sampled_from([0, 1, 2, 0.5, 1.5])
    if kind == FieldType.BOOL:
        return st.booleans()
    if kind == FieldType.MULTI:
        return st.sampled_from(TAGS + LABELS + ["老客户", "VIP"])
    raise AssertionError(kind)


def leaf_strategy(pool_ids: dict[str, list[int]]) -> st.SearchStrategy[dict[str, Any]]:
    fields = [f for f in CATALOG if f.orm_path is not None]
    dynamic = [("data.extra", FieldType.TEXT), ("data.extra", FieldType.NUMBER), ("data.extra", FieldType.BOOL),
               ("data.note", None), ("data.missing", FieldType.TEXT)]

    @st.composite
    def leaf(draw: Any) -> dict[str, Any]:
        if draw(st.integers(0, 9)) == 0:
            name, kind = draw(st.sampled_from(dynamic))
            if kind is None:  # an undeclared key read by emptiness only
                return {"field": "data.undeclared", "op": draw(st.sampled_from(["is_empty", "is_not_empty"]))}
            name = "data.extra" if name == "data.note" else name
            ops = [op for op in OPERATORS[kind] if op not in ("is_empty", "is_not_empty")]
            if kind == FieldType.TEXT:
                ops = [op for op in ops if op not in ("gt", "gte", "lt", "lte", "between")]
            op = draw(st.sampled_from([*ops, "is_empty"]))
        else:
            field = draw(st.sampled_from(fields))
            name, kind = field.name, field.type
            op = draw(st.sampled_from(field.operators))
        if op in ("is_empty", "is_not_empty"):
            return {"field": name, "op": op}
        if kind in (FieldType.DATETIME, FieldType.DATE):
            moments = DAYS if kind == FieldType.DATE else MOMENTS
            if op in ("within_last", "within_next"):
                value: Any = draw(st.sampled_from(DURATIONS))
            elif op == "between":
                a, b = sorted(draw(st.lists(st.sampled_from(moments), min_size=2, max_size=2)))
                value = [a, b]
            else:
                value = draw(st.sampled_from(moments))
            return {"field": name, "op": op, "value": value}
        one = _scalar_values(name, kind, pool_ids)
        if op in ("in", "not_in"):
            value = draw(st.lists(one, max_size=4))
        elif op == "any_keyword":
            value = draw(st.lists(st.sampled_from([f for f in FRAGMENTS if f.strip()]), min_size=1, max_size=3))
        elif op == "between":
            value = _ordered_pair(draw(st.lists(one, min_size=2, max_size=2)))
        else:
            value = draw(one)
        return {"field": name, "op": op, "value": value}

    return leaf()


def _ordered_pair(pair: list[Any]) -> list[Any]:
    """Low end first. Moments are ordered as instants, not as text: '...15:59:59.9995Z' sorts before
    '...23:59:59.999+08:00' as text but is the later instant (the parser then rightly refuses it)."""

    def instant(value: Any) -> float:
        if not isinstance(value, str):
            raise TypeError(value)
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=ZoneInfo("Asia/Shanghai"))
        return moment.timestamp()

    try:
        keys = [instant(v) for v in pair]
    except (TypeError, ValueError):
        return sorted(pair)
    return [v for _, v in sorted(zip(keys, pair, strict=True), key=lambda kv: kv[0])]


def condition_strategy(pool_ids: dict[str, list[int]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.recursive(
        leaf_strategy(pool_ids),
        lambda children: st.one_of(
            st.lists(children, max_size=3).map(lambda xs: {"all": xs}),
            st.lists(children, max_size=3).map(lambda xs: {"any": xs}),
            children.map(lambda x: {"not": x}),
        ),
        max_leaves=6,
    )


def _pool_ids(pool: list[Ticket]) -> dict[str, list[int]]:
    def ids(attr: str) -> list[int]:
        return sorted({getattr(t, attr) for t in pool if getattr(t, attr) is not None})[:6]

    return {name: ids(name) for name in ("customer_id", "product_id", "assignee_id", "team_id", "department_id",
                                         "created_by_id", "category_id")} | {
        "product.line_id": sorted({t.product.line_id for t in pool if t.product and t.product.line_id})[:4],
        "data.ref_id": [1, 2, 3, 99],
    }


def _explain(condition: Any, pool: list[Ticket], only: set[int]) -> str:
    compiled = compile_condition(condition, catalog=CATALOG)
    rows = []
    for ticket in pool:
        if ticket.pk in only:
            values = {name: ticket.data.get(name.removeprefix("data.")) if CATALOG.get(name) is None
                      else CATALOG.get(name).getter(ticket) for name in compiled.fields}  # type: ignore[union-attr]
            rows.append(f"  #{ticket.pk}: {values!r}")
    return json.dumps(condition, ensure_ascii=False) + "\n" + "\n".join(rows)


def assert_agree(condition: Any, pool: list[Ticket]) -> set[int]:
    compiled = compile_condition(condition, catalog=CATALOG)
    in_python = {t.pk for t in compiled.matching(pool)}
    assert in_python == {t.pk for t in pool if compiled.evaluate(t)}
    in_sql = set(Ticket.objects.filter(compiled.to_q()).values_list("pk", flat=True))
    assert in_python == in_sql, _explain(condition, pool, in_python ^ in_sql)
    return in_python


@pytest.mark.parametrize("seed", [11, 29])
def test_python_and_sql_agree_on_random_tickets_and_conditions(org, seed):
    pool = build_pool(org, seed)
    assert len(pool) == 60
    pool_ids = _pool_ids(pool)
    matched_some: list[bool] = []
    examples: list[Any] = []

    @settings(max_examples=300, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
    @given(condition=condition_strategy(pool_ids))
    def agree(condition: dict[str, Any]) -> None:
        matched = assert_agree(condition, pool)
        examples.append(condition)
        event("matches none" if not matched else "matches all" if len(matched) == len(pool) else "matches some")
        matched_some.append(0 < len(matched) < len(pool))

    agree()
    print(f"seed {seed}: {len(examples)} conditions, {sum(matched_some)} matched some but not all tickets")
    # The conditions must discriminate, or agreement would prove little.
    assert sum(matched_some) >= len(matched_some) // 4


def test_every_field_and_operator_agrees_on_the_pool(org):
    """Each (field, operator) pair a few times, and its negation, with values from the pool's vocabulary."""
    pool = build_pool(org, 5, size=40)
    pool_ids = _pool_ids(pool)
    rng = random.Random(5)
    pairs = 0
    for field in CATALOG:
        for op in field.operators:
            pairs += 1
            for _ in range(3):
                condition = _leaf_for(field.name, field.type, op, rng, pool_ids)
                assert_agree(condition, pool)
                assert_agree({"not": condition}, pool)
    assert pairs > 250


def _leaf_for(name: str, kind: FieldType, op: str, rng: random.Random, pool_ids: dict[str, list[int]]) -> Any:
    if op in ("is_empty", "is_not_empty"):
        return {"field": name, "op": op}
    if kind in (FieldType.DATETIME, FieldType.DATE):
        moments = DAYS if kind == FieldType.DATE else MOMENTS
        if op in ("within_last", "within_next"):
            return {"field": name, "op": op, "value": rng.choice(DURATIONS)}
        if op == "between":
            return {"field": name, "op": op, "value": sorted(rng.sample(moments, 2))}
        return {"field": name, "op": op, "value": rng.choice(moments)}
    vocab: list[Any] = {  # type: ignore[assignment]
        FieldType.TEXT: lambda: FRAGMENTS + TEXTS,
        FieldType.CHOICE: lambda: _choice_vocab(name),
        FieldType.TREE: lambda: TREE_KEYS,
        FieldType.ID: lambda: [*pool_ids.get(name, [1, 2]), 999_999],
        FieldType.NUMBER: lambda: NUMBERS,
        FieldType.BOOL: lambda: [True, False],
        FieldType.MULTI: lambda: TAGS + LABELS,
    }[kind]()
    if op in ("in", "not_in"):
        return {"field": name, "op": op, "value": [rng.choice(vocab) for _ in range(rng.randrange(0, 4))]}
    if op == "any_keyword":
        return {"field": name, "op": op, "value": [rng.choice([f for f in FRAGMENTS if f.strip()])]}
    if op == "between":
        return {"field": name, "op": op, "value": sorted([rng.choice(vocab), rng.choice(vocab)])}
    return {"field": name, "op": op, "value": rng.choice(vocab)}
