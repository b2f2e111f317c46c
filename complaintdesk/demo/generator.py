"""Seed a realistic demo organisation: people, customers, products and a year of complaints.

Two stages:

1. **Planning** (pure, no database): from a seed and "now", decide every customer and every
   ticket — when it arrives (weekly rhythm, 618 and 双11 peaks, the 春节 dip, two batch-defect
   spikes), through which channel, in which category, for which product, with what text.
2. **Playing** the plan through the domain actions. Each ticket's lifecycle is a generator that
   performs one step (accept, reply, dispatch, resolve, close ...) and yields the time of its next
   step; a heap runs all steps of all tickets in time order with the domain clock set to each
   step's time, so numbers, timestamps, repeat detection and timelines are exactly what the
   system would have recorded live. Steps that would fall after the real "now" never happen,
   which leaves recent tickets naturally open.

Work is committed in batches: on SQLite every commit is an fsync, and one transaction per
action would make 5,000 tickets take minutes instead of seconds.
"""

from __future__ import annotations

import heapq
import math
import os
import random
import secrets
import time
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from complaintdesk.accounts.actions import (
    do_create_department,
    do_create_team,
    do_create_user,
    do_set_password,
    do_update_department,
    do_update_user,
)
from complaintdesk.accounts.models import Department, Role, Team, User
from complaintdesk.core import clock
from complaintdesk.core.context import via
from complaintdesk.customers.actions import do_create_product, do_create_product_line, do_find_or_create_customer
from complaintdesk.customers.models import Customer, Product, ProductLine
from complaintdesk.demo import catalog, names, texts
from complaintdesk.demo import forms as demo_forms
from complaintdesk.demo import processes as demo_processes
from complaintdesk.forms.models import FormVersion
from complaintdesk.sla.reopen import within_reopen_window
from complaintdesk.tickets.actions import (
    do_add_comment,
    do_assign_ticket,
    do_create_ticket,
    do_link_tickets,
    do_merge_tickets,
    do_transition_ticket,
)
from complaintdesk.tickets.choices import Channel, Level, LinkKind, TicketStatus
from complaintdesk.tickets.models import Category, Ticket
from complaintdesk.tickets.taxonomy import DEFAULT_CATEGORIES

T = TypeVar("T")

DEFAULT_TICKETS = 5000
DEFAULT_CUSTOMERS = 1000
DEFAULT_SEED = 1
CREDENTIALS_FILE = "demo-credentials.txt"
WINDOW_DAYS = 365
STEPS_PER_TRANSACTION = 1500
ADMIN_USERNAME = "admin"

# --- planning: the calendar -----------------------------------------------------------------

# 春节 (first day of the lunar year); years outside the table fall back to early February.
SPRING_FESTIVAL: dict[int, date] = {
    2023: date(2023, 1, 22), 2024: date(2024, 2, 10), 2025: date(2025, 1, 29), 2026: date(2026, 2, 17),
    2027: date(2027, 2, 6), 2028: date(2028, 1, 26), 2029: date(2029, 2, 13), 2030: date(2030, 2, 3),
    2031: date(2031, 1, 23), 2032: date(2032, 2, 11), 2033: date(2033, 1, 31), 2034: date(2034, 2, 19),
    2035: date(2035, 2, 8),
}
WEEKDAY_FACTOR = (1.18, 1.1, 1.05, 1.0, 0.97, 0.72, 0.66)  # Monday first: complaints pile up after weekends
HOURS_ONLINE = (0.6, 0.35, 0.2, 0.12, 0.1, 0.15, 0.35, 0.8, 1.5, 2.3, 2.6, 2.4, 1.9, 2.0, 2.3, 2.3, 2.2, 2.0,
                1.8, 2.1, 2.6, 2.7, 2.2, 1.3)
HOURS_DESK = (0, 0, 0, 0, 0, 0, 0, 0, 0.6, 2.0, 2.8, 2.6, 1.5, 1.8, 2.6, 2.6, 2.4, 2.0, 1.4, 1.2, 0.9, 0, 0, 0)
DESK_CHANNELS = {Channel.PHONE, Channel.STORE, Channel.IMPORT}

CHANNEL_WEIGHTS: tuple[tuple[str, float], ...] = (
    (Channel.PHONE, 24), (Channel.WECHAT, 17), (Channel.MINI_PROGRAM, 11), (Channel.WEB_FORM, 9),
    (Channel.API, 7), (Channel.EMAIL, 6), (Channel.STORE, 6), (Channel.SOCIAL, 5), (Channel.IMPORT, 5),
    (Channel.WECOM, 4), (Channel.DINGTALK, 3),
)

CATEGORY_WEIGHTS: dict[str, float] = {
    "malfunction": 16, "appearance_defect": 4, "performance": 5, "workmanship": 4,
    "delivery_delay": 9, "damaged_package": 5, "wrong_item": 4, "courier_attitude": 3,
    "agent_attitude": 3, "slow_response": 4, "broken_promise": 3,
    "repair_quality": 4, "repair_delay": 4, "return_exchange": 9,
    "overcharge": 2.5, "price_fraud": 2, "invoice": 3,
    "exaggeration": 2.5, "gift_not_delivered": 2.5,
    "injury": 0.6, "fire_electric": 0.8, "food_safety": 0.6,
    "other": 3,
}
LOGISTICS_KEYS = {"delivery_delay", "damaged_package", "wrong_item", "courier_attitude"}
PROMO_SENSITIVE = {"return_exchange": 0.8, "price_fraud": 1.5, "gift_not_delivered": 1.2}

TOP_OF: dict[str, str] = {leaf: top for top, _, _, leaves in DEFAULT_CATEGORIES for leaf, _, _ in leaves}
TOP_OF.update({top: top for top, _, _, leaves in DEFAULT_CATEGORIES if not leaves})

PRODUCT_PROBABILITY: dict[str, float] = {
    "product_quality": 1.0, "after_sales": 0.95, "safety": 1.0, "false_advertising": 0.9, "logistics": 0.85,
    "pricing": 0.6, "service_attitude": 0.35, "other": 0.4,
}
LINE_WEIGHTS_FOR: dict[str, dict[str, float]] = {
    "food_safety": {"KA": 1},
    "fire_electric": {"KA": 4, "HA": 3, "AC": 2.5, "PH": 1},
    "injury": {"KA": 3, "WR": 2, "HA": 1, "AC": 1, "PH": 0.5},
}


def _bump(day: date, center: date, sigma_days: float) -> float:
    return math.exp(-0.5 * ((day - center).days / sigma_days) ** 2)


def _spring_festival(day: date) -> date:
    candidates = [SPRING_FESTIVAL.get(y, date(y, 2, 5)) for y in (day.year - 1, day.year, day.year + 1)]
    return min(candidates, key=lambda sf: abs((day - sf).days))


def promo_intensity(day: date) -> float:
    """0 on ordinary days, about 1 around 618 and 双11 (complaints lag the sales by a few days)."""
    return (0.9 * _bump(day, date(day.year, 6, 20), 7) + 1.1 * _bump(day, date(day.year, 11, 14), 6)
            + 0.35 * _bump(day, date(day.year, 12, 14), 4))


def day_weight(day: date, window_start: date) -> float:
    """Relative complaint volume of a local calendar day."""
    sf = _spring_festival(day)
    festival_dip = 0.55 * _bump(day, sf + timedelta(days=3), 6)
    trend = 0.85 + 0.3 * max(0.0, min(1.0, (day - window_start).days / WINDOW_DAYS))  # a growing business
    return WEEKDAY_FACTOR[day.weekday()] * trend * (1 + promo_intensity(day)) * (1 - festival_dip)


def _category_weights(day: date, keys: Sequence[str]) -> list[float]:
    promo = promo_intensity(day)
    logistics_boost = 0.8 * _bump(day, _spring_festival(day) - timedelta(days=10), 6)  # couriers go home early
    weights = []
    for key in keys:
        w = CATEGORY_WEIGHTS.get(key, 1.0)
        if key in LOGISTICS_KEYS:
            w *= 1 + 1.8 * promo + logistics_boost
        w *= 1 + PROMO_SENSITIVE.get(key, 0.0) * promo
        weights.append(w)
    return weights


# --- planning: data ------------------------------------------------------------------------


@dataclass
class CustomerPlan:
    name: str
    pinyin: str
    phone: str
    email: str
    tier: str
    region: str
    city: str
    region_code: str
    company: str
    tags: list[str]
    external_ids: dict[str, str]
    weight: float
    created_at: datetime | None = None


@dataclass
class TicketPlan:
    key: int
    created_at: datetime
    channel: str
    category_key: str
    customer: int  # index into the customer plan list
    sku: str | None
    urgency: str
    impact: str
    subject: str
    description: str
    order_number: str
    external_id: str | None
    tags: list[str]
    seed: int
    spike: str | None = None
    duplicate_of: int | None = None  # key of the ticket this one repeats through another channel
    follow_up_of: int | None = None


@dataclass
class DemoPlan:
    customers: list[CustomerPlan]
    tickets: list[TicketPlan]  # sorted by created_at
    org_time: datetime


class _Ctx(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def _fill(template: str, ctx: dict[str, Any]) -> str:
    return template.format_map(_Ctx(ctx))


def _pick(rng: random.Random, items: Sequence[tuple[T, float]]) -> T:
    return rng.choices([i for i, _ in items], weights=[w for _, w in items])[0]


def _log_uniform(rng: random.Random, lo: float, hi: float) -> float:
    return math.exp(rng.uniform(math.log(lo), math.log(hi)))


def plan_customers(rng: random.Random, count: int) -> list[CustomerPlan]:
    customers: list[CustomerPlan] = []
    phones: set[str] = set()
    for i in range(count):
        name, pinyin = names.person_name(rng)
        phone = names.mobile_number(rng)
        while phone in phones:
            phone = names.mobile_number(rng)
        phones.add(phone)
        tier = _pick(rng, (("normal", 78), ("silver", 12), ("gold", 7), ("vip", 3)))
        region_text, city, code = names.region(rng)
        company = names.company_name(rng, city) if rng.random() < 0.08 else ""
        external_ids: dict[str, str] = {}
        if rng.random() < 0.4:
            external_ids["crm"] = f"CRM{10_000_000 + i * 7 + rng.randrange(7):08d}"
        if rng.random() < 0.45:
            alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
            external_ids["wechat_openid"] = "o" + "".join(rng.choice(alphabet) for _ in range(27))
        tags: list[str] = []
        if tier in ("gold", "vip"):
            tags.append("高价值客户")
        if company:
            tags.append("企业客户")
        for tag, p in (("老客户", 0.2), ("多次复购", 0.1), ("敏感客户", 0.03), ("会员", 0.25)):
            if rng.random() < p:
                tags.append(tag)
        weight = min(rng.paretovariate(1.6), 25.0) * (1.5 if tier == "vip" else 1.0)
        customers.append(CustomerPlan(
            name=name, pinyin=pinyin, phone=phone,
            email=names.email_address(rng, pinyin) if rng.random() < 0.35 else "",
            tier=tier, region=region_text, city=city, region_code=code, company=company, tags=tags,
            external_ids=external_ids, weight=weight,
        ))
    return customers


def _leaf_keys(available: Sequence[str] | None) -> list[str]:
    keys = list(available) if available is not None else list(CATEGORY_WEIGHTS)
    return sorted(keys, key=lambda k: (list(CATEGORY_WEIGHTS).index(k) if k in CATEGORY_WEIGHTS else 999, k))


def _pick_sku(rng: random.Random, category_key: str) -> str:
    line_weights = LINE_WEIGHTS_FOR.get(category_key)
    lines = [ln for ln in catalog.LINES if line_weights is None or ln.code in line_weights]
    line = rng.choices(lines, weights=[(line_weights or {}).get(ln.code, ln.weight) for ln in lines])[0]
    products = [p for p in line.products if category_key != "fire_electric" or p.sku not in catalog.NOT_ELECTRIC]
    return _pick(rng, [(p.sku, p.weight) for p in products])


def _ticket_time(rng: random.Random, day_cum: list[float], days: list[date], channel: str,
                 cutoff: datetime) -> datetime:
    hours = HOURS_DESK if channel in DESK_CHANNELS else HOURS_ONLINE
    tz = timezone.get_current_timezone()
    for _ in range(50):
        day = rng.choices(days, cum_weights=day_cum)[0]
        hour = rng.choices(range(24), weights=hours)[0]
        local = datetime(day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60), tzinfo=tz)
        if local <= cutoff:
            return local
    return cutoff - timedelta(hours=rng.uniform(1, 48))


def _text_context(rng: random.Random, sku: str | None, city: str, created: datetime) -> dict[str, Any]:
    purchased = timezone.localtime(created) - timedelta(days=rng.randint(1, 60))
    return {
        "product": catalog.PRODUCT_NAME.get(sku or "", ""),
        "symptom": rng.choice(catalog.symptoms_of(sku)) if sku else "无法正常使用",
        "shortfall": rng.choice(catalog.shortfalls_of(sku)) if sku else "效果与宣传差距很大",
        "flaw": rng.choice(texts.FLAWS + texts.WORKMANSHIP),
        "days": rng.choice([3, 5, 7, 10, 12, 15, 20, 30]),
        "store": rng.choice(texts.STORES),
        "date": f"{purchased.month}月{purchased.day}日",
        "order": f"SO{purchased:%Y%m%d}{rng.randrange(10**6):06d}",
        "courier": rng.choice(texts.COURIERS),
        "city": city,
        "amount": rng.choice([30, 50, 80, 100, 150, 200, 300]),
        "gift": rng.choice(texts.GIFTS),
        "name": names.person_name(rng)[0][:1] + "某",
    }


def _without_product(templates: Sequence[str], has_product: bool) -> list[str]:
    return [t for t in templates if has_product or "{product}" not in t]


def _render(rng: random.Random, key: str, ctx: dict[str, Any]) -> tuple[str, str]:
    has_product = bool(ctx["product"])
    if key == "workmanship":
        ctx = {**ctx, "flaw": rng.choice(texts.WORKMANSHIP)}
    elif key == "appearance_defect":
        ctx = {**ctx, "flaw": rng.choice(texts.FLAWS)}
    subjects = _without_product(texts.SUBJECTS.get(key, texts.GENERIC_SUBJECTS), has_product) or ["{city}用户投诉"]
    openings = _without_product(texts.OPENINGS, has_product) or [""]
    bodies = _without_product(texts.BODIES.get(key, texts.BODIES["other"]), has_product) or ["问题如题。"]
    parts = [rng.choice(openings), rng.choice(bodies)]
    if rng.random() < 0.3:
        top = TOP_OF.get(key)
        extras = texts.SAFETY_EXTRAS if top == "safety" else texts.EXTRAS
        if top in ("product_quality", "after_sales"):
            extras += texts.PRODUCT_EXTRAS
        parts.append(rng.choice(extras))
    parts.append(rng.choice(texts.DEMANDS))
    description = "".join(dict.fromkeys(p for p in parts if p))  # no sentence twice
    return _fill(rng.choice(subjects), ctx), _fill(description, ctx)


def _levels(rng: random.Random, key: str, tier: str, channel: str, spike: bool) -> tuple[str, str]:
    urgency = _pick(rng, ((Level.LOW, 25), (Level.MEDIUM, 55), (Level.HIGH, 20)))
    impact = _pick(rng, ((Level.LOW, 35), (Level.MEDIUM, 50), (Level.HIGH, 15)))
    if TOP_OF.get(key) == "safety":
        urgency = Level.HIGH
        impact = Level.HIGH if key != "food_safety" and rng.random() < 0.7 else _pick(
            rng, ((Level.MEDIUM, 2), (Level.HIGH, 1)))
    elif key == "other":
        urgency = Level.LOW if rng.random() < 0.7 else Level.MEDIUM
    if tier in ("gold", "vip") and rng.random() < 0.6:
        urgency = Level.HIGH if urgency != Level.LOW else Level.MEDIUM
    if channel == Channel.SOCIAL and rng.random() < 0.6:
        impact = Level.HIGH
    if spike and rng.random() < 0.5:
        impact = Level.HIGH
    return urgency, impact


def _external_id(rng: random.Random, channel: str) -> str | None:
    if channel in (Channel.WECHAT, Channel.WECOM, Channel.DINGTALK, Channel.MINI_PROGRAM):
        return f"{channel}-{rng.getrandbits(64):016x}"
    if channel == Channel.API:
        return f"EC{rng.randrange(10**11, 10**12)}"
    if channel == Channel.EMAIL:
        return f"<{rng.getrandbits(80):020x}@mail.example.com>"
    if channel == Channel.IMPORT:
        return f"12315-{rng.randrange(10**9, 10**10)}"
    return None


def plan_demo(
    *, seed: int, tickets: int, customers: int, now: datetime, category_keys: Sequence[str] | None = None
) -> DemoPlan:
    """Decide everything the demo will contain; pure and deterministic for (seed, now, sizes)."""
    rng = random.Random(seed)
    cutoff = now - timedelta(minutes=5)
    local_today = timezone.localtime(cutoff).date()
    window_start = local_today - timedelta(days=WINDOW_DAYS - 1)
    days = [window_start + timedelta(days=i) for i in range(WINDOW_DAYS)]
    day_cum: list[float] = []
    total = 0.0
    for d in days:
        total += day_weight(d, window_start)
        day_cum.append(total)
    keys = _leaf_keys(category_keys)
    customer_plans = plan_customers(rng, max(1, customers))
    customer_cum: list[float] = []
    total = 0.0
    for c in customer_plans:
        total += c.weight
        customer_cum.append(total)
    customer_indexes = range(len(customer_plans))

    def new_ticket(key_no: int, created: datetime, channel: str, category: str, spike: catalog.SpikeSpec | None
                   ) -> TicketPlan:
        customer = rng.choices(customer_indexes, cum_weights=customer_cum)[0]
        cplan = customer_plans[customer]
        if spike is not None:
            sku: str | None = spike.sku
        elif rng.random() < PRODUCT_PROBABILITY.get(TOP_OF.get(category, "other"), 0.5):
            sku = _pick_sku(rng, category)
        else:
            sku = None
        ctx = _text_context(rng, sku, cplan.city, created)
        if spike is not None:
            subject = rng.choice(spike.subjects)
            opening = rng.choice(_without_product(texts.OPENINGS, True))
            description = _fill(opening + rng.choice(spike.details) + rng.choice(texts.DEMANDS), ctx)
        else:
            subject, description = _render(rng, category, ctx)
        urgency, impact = _levels(rng, category, cplan.tier, channel, spike is not None)
        tags: list[str] = []
        if spike is not None:
            tags += ["批量问题", spike.tag]
        if channel == Channel.SOCIAL:
            tags.append("媒体关注")
        if channel == Channel.IMPORT:
            tags.append("12315转办")
        if "12315" in description or "曝光" in description:
            tags.append("升级风险")
        if cplan.tier == "vip":
            tags.append("VIP客户")
        top = TOP_OF.get(category, "other")
        wants_order = sku is not None and (top in ("logistics", "pricing") or rng.random() < 0.6)
        return TicketPlan(
            key=key_no, created_at=created, channel=channel, category_key=category, customer=customer, sku=sku,
            urgency=urgency, impact=impact, subject=subject[:300], description=description,
            order_number=ctx["order"] if wants_order else "", external_id=_external_id(rng, channel),
            tags=tags, seed=rng.getrandbits(48), spike=spike.key if spike else None,
        )

    plans: list[TicketPlan] = []
    spike_counts = [(s, round(tickets * s.share)) for s in catalog.SPIKES
                    if s.start_days_ago < WINDOW_DAYS and s.days <= s.start_days_ago]
    spike_total = sum(n for _, n in spike_counts) if tickets >= 40 else 0
    channel_items = list(CHANNEL_WEIGHTS)
    for i in range(tickets - spike_total):
        channel = _pick(rng, channel_items)
        created = _ticket_time(rng, day_cum, days, channel, cutoff)
        category = rng.choices(keys, weights=_category_weights(timezone.localtime(created).date(), keys))[0]
        plans.append(new_ticket(i, created, channel, category, None))
    if spike_total:
        tz = timezone.get_current_timezone()
        for spike, count in spike_counts:
            start = local_today - timedelta(days=spike.start_days_ago)
            shape = [(x + 0.5) * math.exp(-x / max(1.0, spike.days / 4)) for x in range(spike.days)]
            categories = [(k, w) for k, w in spike.categories if k in keys] or [(keys[0], 1.0)]
            for _ in range(count):
                day = start + timedelta(days=rng.choices(range(spike.days), weights=shape)[0])
                channel = _pick(rng, channel_items)
                hours = HOURS_DESK if channel in DESK_CHANNELS else HOURS_ONLINE
                created = datetime(day.year, day.month, day.day, rng.choices(range(24), weights=hours)[0],
                                   rng.randrange(60), rng.randrange(60), tzinfo=tz)
                plans.append(new_ticket(len(plans), created, channel, _pick(rng, categories), spike))

    # Coverage: with enough tickets every channel and category appears at least once.
    ordinary = [p for p in plans if p.spike is None]
    for attr, values in (("channel", [c for c, _ in CHANNEL_WEIGHTS]), ("category_key", keys)):
        present = {getattr(p, attr) for p in plans}
        for value in values:
            if value not in present and len(ordinary) > len(values) * 2:
                victim = rng.choice(ordinary)
                replacement = new_ticket(victim.key, victim.created_at,
                                         value if attr == "channel" else victim.channel,
                                         value if attr == "category_key" else victim.category_key, None)
                plans[plans.index(victim)] = replacement
                ordinary[ordinary.index(victim)] = replacement
                present = {getattr(p, attr) for p in plans}

    # Follow-ups (the same customer comes back about the same problem) and duplicates (the same
    # complaint again through another channel shortly after) replace some ordinary tickets.
    plans.sort(key=lambda p: p.created_at)
    candidates = [p for p in plans if p.spike is None]
    referenced: set[int] = set()  # tickets others refer to keep their time
    for _ in range(int(tickets * 0.05)):
        victim, original = rng.choice(candidates), rng.choice(candidates)
        if (victim is original or victim.follow_up_of is not None or victim.duplicate_of is not None
                or victim.key in referenced):
            continue
        when = original.created_at + timedelta(days=rng.uniform(2, 25), minutes=rng.uniform(-120, 120))
        if when > cutoff:
            continue
        days_ago = max(2, (when - original.created_at).days)
        victim.created_at = when
        victim.customer, victim.category_key, victim.sku = original.customer, original.category_key, original.sku
        victim.order_number = original.order_number
        victim.subject = (rng.choice(["再次投诉：", "二次投诉：", "问题仍未解决："]) + original.subject)[:300]
        victim.description = f"{days_ago}天前已经反映过这个问题，到现在还没有解决。" + original.description
        victim.follow_up_of = original.key
        referenced.add(original.key)
        victim.tags = sorted({*victim.tags, "二次投诉"})
    for _ in range(int(tickets * 0.012)):
        victim, original = rng.choice(candidates), rng.choice(candidates)
        if (victim is original or victim.follow_up_of is not None or victim.duplicate_of is not None
                or original.duplicate_of is not None or victim.key in referenced):
            continue
        when = original.created_at + timedelta(minutes=rng.uniform(8, 120))
        if when > cutoff:
            continue
        other_channels = [c for c, _ in CHANNEL_WEIGHTS if c not in (original.channel, Channel.IMPORT)]
        victim.channel = rng.choice(other_channels)
        victim.external_id = _external_id(rng, victim.channel)
        victim.created_at = when
        victim.customer, victim.category_key, victim.sku = original.customer, original.category_key, original.sku
        victim.order_number, victim.subject = original.order_number, original.subject
        victim.urgency, victim.impact = original.urgency, original.impact
        victim.description = "之前已经反映过一次，再留言催一下：" + original.description
        victim.duplicate_of = original.key
        referenced.add(original.key)
        victim.tags = list(original.tags)
    # Whoever opens the demo finds a live queue: a few complaints arrived in the last hours.
    recent_floor = cutoff - timedelta(hours=3)
    wanted = 4 if tickets >= 20 else 0
    missing = wanted - sum(p.created_at > recent_floor for p in plans)
    movable = [p for p in candidates if p.key not in referenced and p.follow_up_of is None
               and p.duplicate_of is None and p.created_at <= recent_floor]
    for p in rng.sample(movable, max(0, min(missing, len(movable)))):
        p.created_at = cutoff - timedelta(minutes=rng.uniform(5, 175))
    plans.sort(key=lambda p: (p.created_at, p.key))

    # Customers are registered when they first complain (a few came over from the CRM earlier).
    tz = timezone.get_current_timezone()
    org_time = datetime(window_start.year, window_start.month, window_start.day, 9, tzinfo=tz) - timedelta(days=14)
    first_seen: dict[int, datetime] = {}
    for p in plans:
        first_seen.setdefault(p.customer, p.created_at)
    for index, cplan in enumerate(customer_plans):
        first = first_seen.get(index)
        if first is None:
            cplan.created_at = org_time + (cutoff - org_time) * rng.random()
        elif rng.random() < 0.3 or first - org_time < timedelta(hours=1):
            cplan.created_at = org_time + timedelta(minutes=index)  # imported from the CRM at the start
        else:
            cplan.created_at = first - timedelta(minutes=rng.uniform(1, 30))
    return DemoPlan(customers=customer_plans, tickets=plans, org_time=org_time)


# --- playing: organisation ------------------------------------------------------------------


@dataclass
class DemoAccount:
    username: str
    display_name: str
    role: str
    department: str
    team: str
    password: str
    manager: bool = False


@dataclass
class Org:
    departments: dict[str, Department]
    teams: dict[str, Team]
    admin: User
    users_by_role: dict[str, list[User]]
    handlers: dict[str, list[User]]  # by department code
    handler_team: dict[str, Team | None]
    agents_by_team: dict[str, list[User]]
    accounts: list[DemoAccount]


def _unique_username(base: str, display_name: str, used: set[str]) -> tuple[str, User | None]:
    """A free user name derived from the pinyin; an earlier demo run's user with the same name and
    display name is reused (so running the demo twice does not double the staff)."""
    candidate, n = base, 1
    while True:
        if candidate not in used:
            existing = User.objects.filter(username__iexact=candidate).first()
            if existing is None:
                return candidate, None
            if existing.display_name == display_name:
                return existing.username, existing
        n += 1
        candidate = f"{base}{n}"


def seed_organisation(rng: random.Random, *, admin_password: str, staff_password: str) -> Org:
    """Departments, teams and about 20 people across the default roles (created or reused)."""
    roles = {r.key: r for r in Role.objects.all()}
    departments: dict[str, Department] = {}
    for spec in catalog.DEPARTMENTS:
        dept = Department.objects.filter(code=spec.code).first()
        departments[spec.code] = dept or do_create_department(name=spec.name, code=spec.code, actor=None)

    admin = User.objects.filter(username=ADMIN_USERNAME).first()
    if admin is None:
        admin = do_create_user(username=ADMIN_USERNAME, password=admin_password, display_name="系统管理员",
                               roles=[roles["admin"]], is_superuser=True, actor=None)
    else:
        do_set_password(admin, admin_password, actor=None)
        current = list(admin.roles.all())
        if "admin" not in {r.key for r in current}:
            do_update_user(admin, actor=None, roles=[*current, roles["admin"]])
        if not admin.is_active:
            do_update_user(admin, actor=None, is_active=True)
    accounts = [DemoAccount(ADMIN_USERNAME, admin.display_name or "系统管理员", "admin", "", "", admin_password)]

    used: set[str] = {ADMIN_USERNAME}
    users_by_role: dict[str, list[User]] = {}
    members: dict[str, list[User]] = {}
    for role_key, dept_code, team_name, count in catalog.STAFF:
        for _ in range(count):
            display, pinyin = names.person_name(rng)
            phone = names.mobile_number(rng)  # drawn either way, so a re-run meets the same people
            username, user = _unique_username(pinyin, display, used)
            used.add(username)
            dept = departments[dept_code]
            if user is None:
                user = do_create_user(
                    username=username, password=staff_password, display_name=display,
                    email=f"{username}@xingchen.example.com", phone=phone, department=dept,
                    roles=[roles[role_key]] if role_key in roles else [], actor=None,
                )
            else:
                do_set_password(user, staff_password, actor=None)
            users_by_role.setdefault(role_key, []).append(user)
            if team_name:
                members.setdefault(team_name, []).append(user)
            accounts.append(DemoAccount(username, display, role_key, dept.name, team_name, staff_password))

    teams: dict[str, Team] = {}
    for spec in catalog.DEPARTMENTS:
        for team_name in spec.teams:
            team_members = members.get(team_name, [])
            team = Team.objects.filter(name=team_name).first()
            if team is None:
                team = do_create_team(name=team_name, department=departments[spec.code],
                                      lead=team_members[0] if team_members else None, members=team_members,
                                      actor=None)
            else:
                for member in team_members:
                    if not member.teams.filter(pk=team.pk).exists():
                        do_update_user(member, actor=None, teams=[*member.teams.all(), team])
            teams[team_name] = team

    handlers: dict[str, list[User]] = {}
    handler_team: dict[str, Team | None] = {}
    for role_key, dept_code, team_name, _ in catalog.STAFF:
        if role_key == "handler":
            handlers[dept_code] = [u for u in users_by_role["handler"] if u.department_id == departments[dept_code].pk]
            handler_team[dept_code] = teams.get(team_name)
    heads = {"service": users_by_role["supervisor"][0], "quality": users_by_role["quality"][0]}
    heads.update({code: people[0] for code, people in handlers.items() if people})
    for code, head in heads.items():
        if departments[code].manager_id is None:
            do_update_department(departments[code], actor=None, manager=head)
        for account in accounts:
            if account.username == head.username and departments[code].manager_id == head.pk:
                account.manager = True
    agents_by_team = {name: [u for u in people if u in users_by_role.get("agent", [])]
                      for name, people in members.items() if name in catalog.DEPARTMENTS[0].teams}
    return Org(departments=departments, teams=teams, admin=admin, users_by_role=users_by_role, handlers=handlers,
               handler_team=handler_team, agents_by_team=agents_by_team, accounts=accounts)


def seed_products() -> dict[str, Product]:
    products: dict[str, Product] = {}
    for spec in catalog.LINES:
        line = ProductLine.objects.filter(name=spec.name).first() or do_create_product_line(
            name=spec.name, code=spec.code, actor=None)
        for p in spec.products:
            products[p.sku] = Product.objects.filter(sku=p.sku).first() or do_create_product(
                sku=p.sku, name=p.name, line=line, actor=None)
    return products


def seed_customers(plans: list[CustomerPlan], org: Org, rng: random.Random) -> list[Customer]:
    vip_desk = org.agents_by_team.get("VIP专席") or org.users_by_role.get("agent", [])
    order = sorted(range(len(plans)), key=lambda i: plans[i].created_at or timezone.now())
    result: list[Customer | None] = [None] * len(plans)
    for start in range(0, len(order), 250):
        with transaction.atomic():
            for index in order[start:start + 250]:
                c = plans[index]
                assert c.created_at is not None
                clock.set_now(c.created_at)
                owner = rng.choice(vip_desk) if c.tier in ("gold", "vip") and vip_desk else None
                result[index] = do_find_or_create_customer(
                    name=c.name, phone=c.phone, email=c.email, external_ids=c.external_ids, actor=None,
                    tier=c.tier, region=c.region, region_code=c.region_code, company=c.company, tags=c.tags,
                    account_owner=owner,
                )
    return [c for c in result if c is not None]


# --- playing: ticket lifecycles -------------------------------------------------------------

DESK = "desk"  # the service desk: 08:30-21:00 every day
OFFICE = "office"  # back-office departments: 09:00-18:00 Monday to Friday
ANY = "any"

CITY_BY_CODE = {code: (city or province).removesuffix("市") for province, city, code, _ in names.REGIONS}
# Simple matters an agent can settle while the customer is still on the line (一次性解决).
FIRST_CONTACT_KEYS = {"other", "invoice", "delivery_delay", "slow_response", "return_exchange", "wrong_item",
                      "broken_promise", "gift_not_delivered"}
RESOLUTION_HOURS = {"P1": (2, 24), "P2": (6, 72), "P3": (12, 120), "P4": (24, 168)}


def working_time(at: datetime, hours: str, rng: random.Random) -> datetime:
    """The first moment at or after ``at`` when someone on that schedule would act."""
    if hours == ANY:
        return at
    local = timezone.localtime(at)
    if hours == DESK:
        opens, closes = (8, 30), (21, 0)
        if (local.hour, local.minute) < opens:
            local = local.replace(hour=8, minute=30) + timedelta(minutes=rng.uniform(0, 60))
        elif (local.hour, local.minute) >= closes:
            local = (local + timedelta(days=1)).replace(hour=8, minute=30) + timedelta(minutes=rng.uniform(0, 60))
        return local
    moved = False
    if local.hour >= 18:
        local, moved = (local + timedelta(days=1)).replace(hour=9, minute=0), True
    elif local.hour < 9:
        local, moved = local.replace(hour=9, minute=0), True
    while local.weekday() >= 5:
        local, moved = (local + timedelta(days=1)).replace(hour=9, minute=0), True
    return local + timedelta(minutes=rng.uniform(0, 90)) if moved else local


Lifecycle = Generator[datetime, None, None]


class _Player:
    """Runs every ticket's lifecycle through the actions, in time order."""

    def __init__(self, org: Org, customers: list[Customer], products: dict[str, Product],
                 categories: dict[str, Category], cutoff: datetime) -> None:
        self.org = org
        self.customers = customers
        self.products = products
        self.categories = categories
        self.cutoff = cutoff
        self.tickets: dict[int, Ticket] = {}
        self.spike_parent: dict[str, Ticket] = {}
        self.last_by_customer: dict[int, Ticket] = {}
        self.dept_names = {code: d.name for code, d in org.departments.items()}
        self.form_versions = demo_forms.published_versions()
        # Recent tickets run through the shipped processes (see demo/processes.py).
        self.process_definitions = demo_processes.load_definitions()
        self.process_from = cutoff - timedelta(days=demo_processes.PROCESS_DAYS)
        self.people = {u.pk: u for u in User.objects.filter(is_active=True)}

    # time helpers
    def later(self, rng: random.Random, lo_minutes: float, hi_minutes: float, hours: str) -> datetime:
        at = clock.now() + timedelta(minutes=_log_uniform(rng, lo_minutes, hi_minutes))
        return working_time(at, hours, rng)

    def _agent(self, rng: random.Random, customer: Customer) -> tuple[User, Team | None]:
        teams = self.org.agents_by_team
        if customer.tier in ("gold", "vip") and teams.get("VIP专席") and rng.random() < 0.8:
            name = "VIP专席"
        else:
            name = rng.choice([n for n in teams if n != "VIP专席" and teams[n]] or list(teams))
        people = teams.get(name) or self.org.users_by_role.get("agent") or [self.org.admin]
        return rng.choice(people), self.org.teams.get(name)

    def _ctx(self, rng: random.Random, ticket: Ticket, plan: TicketPlan, customer: Customer,
             dept_code: str) -> dict[str, Any]:
        line = catalog.PRODUCT_LINE_OF.get(plan.sku or "")
        visit = timezone.localtime(clock.now()) + timedelta(days=rng.randint(1, 3))
        spike = next((s for s in catalog.SPIKES if s.key == plan.spike), None)
        return {
            "name": customer.name, "number": ticket.number, "dept": self.dept_names.get(dept_code, "相关部门"),
            "product": catalog.PRODUCT_NAME.get(plan.sku or "", "产品"),
            "part": rng.choice(line.parts) if line else "配件",
            "amount": rng.choice([300, 500, 800, 1000, 2000]) if TOP_OF.get(plan.category_key) == "safety"
            else rng.choice([20, 30, 50, 80, 100, 150, 200]),
            "tracking": f"{rng.choice(['SF', 'YT', 'ZT', 'JT'])}{rng.randrange(10**11, 10**12)}",
            "city": CITY_BY_CODE.get(customer.region_code, "当地"),
            "courier": rng.choice(texts.COURIERS), "date": f"{visit.month}月{visit.day}日下午",
            "score": rng.choice([3, 4, 4, 5, 5, 5]), "batch": spike.batch if spike else "",
            "hours": rng.choice([2, 4, 24]), "gift": rng.choice(texts.GIFTS),
        }

    def _form(self, plan: TicketPlan, customer: Customer, product: Product | None,
              creator: User | None) -> tuple[FormVersion | None, dict[str, Any] | None]:
        """The shipped form this intake is filled through (if any) and its values; a stream of its
        own, so the rest of the ticket's story stays as planned."""
        rng = random.Random(plan.seed ^ 0x5F0A4D)
        top = TOP_OF.get(plan.category_key, "other")
        version = demo_forms.choose_form(rng, top=top, channel=plan.channel, has_product=product is not None,
                                         has_phone=bool(customer.phone), versions=self.form_versions)
        if version is None or (plan.external_id and Ticket.objects.filter(
                channel=plan.channel, external_id=plan.external_id).exists()):
            return None, None
        spike = next((s for s in catalog.SPIKES if s.key == plan.spike), None)
        values = demo_forms.form_values(
            rng, version, top=top, category_key=plan.category_key, subject=plan.subject,
            description=plan.description, customer=customer, product=product, order_number=plan.order_number,
            batch=spike.batch if spike else "", uploader=creator, now=clock.now())
        return version, values

    def lifecycle(self, plan: TicketPlan) -> Lifecycle:
        """One ticket's story; each ``yield`` hands back the time of the next step."""
        rng = random.Random(plan.seed)
        customer = self.customers[plan.customer]
        agent, team = self._agent(rng, customer)
        supervisor = rng.choice(self.org.users_by_role.get("supervisor") or [self.org.admin])
        if plan.channel in (Channel.PHONE, Channel.STORE, Channel.SOCIAL):
            creator: User | None = agent
        elif plan.channel == Channel.IMPORT:
            creator = supervisor
        else:
            creator = None
        intake_via = "web" if creator else ("api" if plan.channel == Channel.API else "system")
        # An agent who registers a call owns it from the start; online intake is routed to an agent
        # on duty, or waits in the team queue outside the service desk's hours.
        on_duty = working_time(plan.created_at, DESK, rng) == plan.created_at
        product = self.products.get(plan.sku) if plan.sku else None
        with via(intake_via):
            version, values = self._form(plan, customer, product, creator)
            ticket, created = do_create_ticket(
                actor=creator, subject=plan.subject, channel=plan.channel, description=plan.description,
                external_id=plan.external_id, customer=customer, category=self.categories.get(plan.category_key),
                product=product, order_number=plan.order_number,
                urgency=plan.urgency, impact=plan.impact, tags=plan.tags,
                assignee=agent if creator is agent or on_duty else None, team=team,
                form_version=version, values=values,
            )
        if not created:  # an earlier demo run already holds this external id
            return
        self.tickets[plan.key] = ticket
        previous = self.last_by_customer.get(customer.pk)
        self.last_by_customer[customer.pk] = ticket
        dept_code = catalog.ROUTING.get(plan.category_key, "service")
        ctx = self._ctx(rng, ticket, plan, customer, dept_code)
        resolutions = texts.SPIKE_RESOLUTIONS if plan.spike else texts.RESOLUTIONS.get(
            TOP_OF.get(plan.category_key, "other"), texts.RESOLUTIONS["other"])

        if plan.duplicate_of is not None:
            yield self.later(rng, 10, 90, DESK)
            master = self.tickets.get(plan.duplicate_of)
            if master is not None and master.merged_into_id is None:
                with via("web"):
                    do_add_comment(ticket, actor=agent, body=rng.choice(texts.MERGE_NOTES), is_public=False)
                    do_merge_tickets(ticket, into=master, actor=agent)
            return

        owner, owner_hours = agent, DESK
        first_contact = (not plan.spike and plan.category_key in FIRST_CONTACT_KEYS
                         and rng.random() < (0.5 if creator is agent else 0.3))
        if (not first_contact and plan.created_at >= self.process_from and self.org.handlers.get(dept_code)
                and self.process_definitions):
            definition = demo_processes.choose_process(
                rng, priority=ticket.priority, top=TOP_OF.get(plan.category_key, "other"), spike=bool(plan.spike),
                definitions=self.process_definitions)
            if definition is not None:
                yield from demo_processes.process_story(
                    rng=rng, ticket=ticket, definition=definition, agent=agent, supervisor=supervisor,
                    handler=rng.choice(self.org.handlers[dept_code]), handler_team=self.org.handler_team.get(dept_code),
                    starter=creator, ctx=ctx, resolution=rng.choice(resolutions), later=self.later,
                    people=self.people, fill=_fill, texts=texts, desk=DESK, office=OFFICE, any_hours=ANY)
                return
        if first_contact:
            # Solved in the first contact (一次性解决): while the customer is still on the line or at
            # the counter, or with the first answer to an online message.
            if creator is agent:
                yield self.later(rng, 3, 25, ANY)
            else:
                yield self.later(rng, 5, 150, DESK)
            with via("web"):
                if ticket.assignee_id is None:
                    do_assign_ticket(ticket, actor=agent, assignee=agent)
                replies = texts.FIRST_CONTACT_REPLIES.get(plan.category_key, texts.FIRST_CONTACT_REPLIES["other"])
                do_add_comment(ticket, actor=agent, body=_fill(rng.choice(replies), ctx), is_public=True)
                do_transition_ticket(ticket, actor=agent, to_status=TicketStatus.RESOLVED, reason="一次性解决")
        else:
            # Accept and tell the customer (first response); a backlog builds up now and then.
            if rng.random() < 0.12:
                yield self.later(rng, 240, 2 * 24 * 60, DESK)
            else:
                fast = ticket.priority == "P1"
                yield self.later(rng, 2 if fast else 5, 20 if fast else 150, DESK)
            with via("web"):
                if ticket.assignee_id is None:
                    do_assign_ticket(ticket, actor=agent, assignee=agent)
                do_transition_ticket(ticket, actor=agent, to_status=TicketStatus.ACCEPTED)
            yield self.later(rng, 1, 25, DESK)
            with via("web"):
                do_add_comment(ticket, actor=agent, body=_fill(rng.choice(texts.ACK_REPLIES), ctx), is_public=True)
                if previous is not None and previous.category_id != ticket.category_id and rng.random() < 0.06:
                    do_link_tickets(ticket, previous, kind=LinkKind.RELATED, actor=agent)
            if rng.random() < 0.035:
                yield self.later(rng, 30, 2 * 24 * 60, DESK)
                reason = rng.choice(texts.CANCEL_REASONS)
                with via("web"):
                    do_transition_ticket(ticket, actor=agent, to_status=TicketStatus.CANCELLED, reason=reason)
                return

            # Dispatch to the department that can fix it, or keep it on the service desk.
            if dept_code != "service" and self.org.handlers.get(dept_code):
                yield self.later(rng, 10, 180, DESK)
                handler = rng.choice(self.org.handlers[dept_code])
                with via("web"):
                    if customer.tier == "vip" or rng.random() < 0.35:
                        note = _fill(rng.choice(texts.DISPATCH_NOTES), ctx)
                        if customer.tier == "vip":
                            note += rng.choice(texts.VIP_NOTES)
                        do_add_comment(ticket, actor=agent, body=note, is_public=False)
                    do_assign_ticket(ticket, actor=agent, assignee=handler,
                                     team=self.org.handler_team.get(dept_code))
                owner, owner_hours = handler, OFFICE
                if plan.spike:
                    parent = self.spike_parent.setdefault(plan.spike, ticket)
                    if parent.pk != ticket.pk and rng.random() < 0.7:
                        with via("web"):
                            do_link_tickets(parent, ticket, kind=LinkKind.PARENT_OF, actor=supervisor)
            elif plan.category_key == "agent_attitude":
                yield self.later(rng, 10, 120, DESK)
                with via("web"):
                    do_assign_ticket(ticket, actor=agent, assignee=supervisor, team=None)
                owner = supervisor
            yield self.later(rng, 10, 360, owner_hours)
            with via("web"):
                do_transition_ticket(ticket, actor=owner, to_status=TicketStatus.IN_PROGRESS)
                if rng.random() < 0.25:
                    work_notes = texts.WORK_NOTES.get(dept_code, texts.WORK_NOTES["service"])
                    do_add_comment(ticket, actor=owner, body=_fill(rng.choice(work_notes), ctx), is_public=False)

            # Quality engineers watch product and safety problems.
            quality = self.org.users_by_role.get("quality") or []
            watched = plan.spike or TOP_OF.get(plan.category_key) in ("product_quality", "safety")
            if quality and watched and rng.random() < (0.8 if plan.spike else 0.35):
                yield self.later(rng, 60, 2 * 24 * 60, OFFICE)
                notes_pool = texts.SPIKE_QUALITY_NOTES if plan.spike else texts.QUALITY_NOTES
                with via("web"):
                    do_add_comment(ticket, actor=rng.choice(quality), body=_fill(rng.choice(notes_pool), ctx),
                                   is_public=False)

            # Sometimes the customer has to send photos or agree a visit first.
            if rng.random() < 0.22:
                yield self.later(rng, 30, 24 * 60, owner_hours)
                with via("web"):
                    do_add_comment(ticket, actor=owner, body=rng.choice(texts.PENDING_REQUESTS), is_public=True)
                    do_transition_ticket(ticket, actor=owner, to_status=TicketStatus.PENDING_CUSTOMER)
                if rng.random() < 0.06:
                    yield self.later(rng, 7 * 24 * 60, 9 * 24 * 60, DESK)
                    with via("web"):
                        do_transition_ticket(ticket, actor=agent, to_status=TicketStatus.CANCELLED,
                                             reason=texts.CANCEL_REASONS[2])
                    return
                slow = rng.random() < 0.1
                answer = self.later(rng, 5 * 24 * 60 if slow else 120, 30 * 24 * 60 if slow else 3 * 24 * 60, ANY)
                yield working_time(answer, owner_hours, rng)
                with via("web"):
                    if rng.random() < 0.4:
                        do_add_comment(ticket, actor=owner, body=rng.choice(texts.CUSTOMER_SUPPLIED),
                                       is_public=False)
                    do_transition_ticket(ticket, actor=owner, to_status=TicketStatus.IN_PROGRESS)

            # Resolve with a reply that says what was done.
            lo, hi = (48, 240) if plan.spike else RESOLUTION_HOURS.get(ticket.priority, (12, 120))
            yield self.later(rng, lo * 60 / 3, hi * 60 / 2, owner_hours)
            with via("web"):
                do_add_comment(ticket, actor=owner, body=_fill(rng.choice(resolutions), ctx), is_public=True)
                do_transition_ticket(ticket, actor=owner, to_status=TicketStatus.RESOLVED)

        yield from self._after_resolution(rng, ticket, plan, agent, owner, owner_hours, resolutions, ctx)

    def _after_resolution(self, rng: random.Random, ticket: Ticket, plan: TicketPlan, agent: User, owner: User,
                          owner_hours: str, resolutions: Sequence[str], ctx: dict[str, Any]) -> Lifecycle:
        """Follow-up call, closing, and the occasional customer who comes back (重开)."""
        for round_no in range(2):
            if rng.random() >= (0.1 if plan.spike else 0.06) / (round_no + 1):
                break
            yield self.later(rng, 6 * 60, 5 * 24 * 60, DESK)
            with via("web"):
                do_transition_ticket(ticket, actor=agent, to_status=TicketStatus.REOPENED,
                                     reason=rng.choice(texts.REOPEN_REASONS))
            yield self.later(rng, 30, 8 * 60, owner_hours)
            with via("web"):
                do_transition_ticket(ticket, actor=owner, to_status=TicketStatus.IN_PROGRESS)
            yield self.later(rng, 4 * 60, 3 * 24 * 60, owner_hours)
            with via("web"):
                do_add_comment(ticket, actor=owner, body=_fill(rng.choice(resolutions), ctx), is_public=True)
                do_transition_ticket(ticket, actor=owner, to_status=TicketStatus.RESOLVED)
        if rng.random() < 0.04:
            return  # the follow-up call never reached the customer: stays resolved
        yield self.later(rng, 24 * 60, 7 * 24 * 60, DESK)
        if rng.random() < 0.7:
            with via("web"):
                if rng.random() < 0.3:
                    do_add_comment(ticket, actor=agent, body=_fill(rng.choice(texts.CLOSE_NOTES), ctx),
                                   is_public=False)
                do_transition_ticket(ticket, actor=agent, to_status=TicketStatus.CLOSED, reason="回访完成")
        else:
            with via("system"):
                do_transition_ticket(ticket, actor=None, to_status=TicketStatus.CLOSED,
                                     reason="已解决超过7天客户未反馈，系统自动关闭")
        if rng.random() < 0.02:
            yield self.later(rng, 3 * 24 * 60, 20 * 24 * 60, DESK)
            if not within_reopen_window(ticket):
                return  # too late to reopen: the customer would be asked to open a follow-up ticket
            with via("web"):
                do_transition_ticket(ticket, actor=agent, to_status=TicketStatus.REOPENED,
                                     reason=rng.choice(texts.REOPEN_REASONS))
            yield self.later(rng, 30, 8 * 60, owner_hours)
            with via("web"):
                do_transition_ticket(ticket, actor=owner, to_status=TicketStatus.IN_PROGRESS)
            yield self.later(rng, 6 * 60, 4 * 24 * 60, owner_hours)
            with via("web"):
                do_add_comment(ticket, actor=owner, body=_fill(rng.choice(resolutions), ctx), is_public=True)
                do_transition_ticket(ticket, actor=owner, to_status=TicketStatus.RESOLVED)
            yield self.later(rng, 24 * 60, 5 * 24 * 60, DESK)
            with via("web"):
                do_transition_ticket(ticket, actor=agent, to_status=TicketStatus.CLOSED, reason="回访完成")

    def play(self, plans: list[TicketPlan], progress: Callable[[int, int], None] | None = None) -> int:
        """Run all lifecycles in time order; returns how many tickets were created."""
        heap: list[tuple[datetime, int, Lifecycle]] = []
        order = 0
        for plan in plans:
            heap.append((plan.created_at, order, self.lifecycle(plan)))
            order += 1
        heapq.heapify(heap)
        started = 0
        total = len(plans)
        while heap:
            with transaction.atomic():
                for _ in range(STEPS_PER_TRANSACTION):
                    if not heap:
                        break
                    at, _, steps = heapq.heappop(heap)
                    clock.set_now(at)
                    try:
                        next_at = next(steps)
                    except StopIteration:
                        continue
                    if next_at <= self.cutoff:
                        heapq.heappush(heap, (next_at, order, steps))
                        order += 1
                    else:
                        steps.close()  # the rest of this ticket's story lies in the future
            created_now = len(self.tickets)
            if progress is not None and created_now != started:
                started = created_now
                progress(created_now, total)
        return len(self.tickets)


# --- credentials ----------------------------------------------------------------------------


def credentials_path() -> Path:
    return Path(settings.DATA_DIR) / CREDENTIALS_FILE


def format_credentials(accounts: list[DemoAccount]) -> str:
    admin = next(a for a in accounts if a.username == ADMIN_USERNAME)
    staff = [a for a in accounts if a.username != ADMIN_USERNAME]
    role_names = {r.key: r.name for r in Role.objects.all()}
    lines = [
        "ComplaintDesk 演示账号 / demo accounts",
        f"admin login: {admin.username} / {admin.password}",
    ]
    if staff:
        lines.append(f"other demo users (password for all: {staff[0].password}):")
        width = max(len(a.username) for a in staff)
        for a in staff:
            where = a.department + (f" / {a.team}" if a.team else "") + (" (负责人)" if a.manager else "")
            lines.append(f"  {a.username.ljust(width)}  {a.password}  {a.display_name}  "
                         f"{role_names.get(a.role, a.role)} ({a.role})  {where}")
    return "\n".join(lines) + "\n"


def save_credentials(text: str) -> Path:
    """Write the credentials where only the owner can read them (0600), replacing older ones."""
    path = credentials_path()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # an existing file keeps its old mode on open: narrow it too
        os.write(fd, text.encode())
    finally:
        os.close(fd)
    return path


def load_credentials() -> str | None:
    path = credentials_path()
    return path.read_text() if path.exists() else None


# --- entry point ----------------------------------------------------------------------------


@dataclass
class DemoResult:
    tickets: int
    customers: int
    accounts: list[DemoAccount]
    credentials: str
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)


def enable_process_rules() -> None:
    """Switch on the shipped rules that start a process on new complaints (they ship disabled, see
    rules migration 0003): the demo company has every role and department the processes assign to,
    so complaints entered in the demo UI get their process at once. The history above ran its
    processes explicitly (demo/processes.py), so enabling only now keeps it reproducible."""
    from complaintdesk.rules.actions import do_update_rule
    from complaintdesk.rules.models import Rule

    for rule in Rule.objects.filter(is_shipped=True, enabled=False, actions__0__type="start_process"):
        do_update_rule(rule, actor=None, enabled=True)


def generate_demo(
    *, tickets: int = DEFAULT_TICKETS, customers: int = DEFAULT_CUSTOMERS, seed: int = DEFAULT_SEED,
    now: datetime | None = None, progress: Callable[[int, int], None] | None = None,
) -> DemoResult:
    """Create the demo organisation, customers, products and ``tickets`` complaints spread over
    the last 12 months, and save the demo credentials (see ``credentials_path()``)."""
    if tickets < 0 or customers < 1:
        raise ValueError("tickets must be >= 0 and customers >= 1")
    started = time.monotonic()
    timings: dict[str, float] = {}
    real_now = now or timezone.now()
    categories = {c.key: c for c in Category.objects.filter(is_active=True)}
    parents = set(Category.objects.filter(is_active=True, parent__isnull=False).values_list("parent_id", flat=True))
    leaf_keys = [key for key, c in categories.items() if c.pk not in parents]
    plan = plan_demo(seed=seed, tickets=tickets, customers=customers, now=real_now, category_keys=leaf_keys)
    timings["plan"] = time.monotonic() - started
    rng = random.Random(seed + 1)
    admin_password = secrets.token_urlsafe(12)
    staff_password = secrets.token_urlsafe(9)
    try:
        with via("cli"):
            clock.set_now(plan.org_time)
            with transaction.atomic():
                org = seed_organisation(rng, admin_password=admin_password, staff_password=staff_password)
                products = seed_products()
            credentials = format_credentials(org.accounts)
            save_credentials(credentials)
            timings["organisation"] = time.monotonic() - started - sum(timings.values())
            customer_rows = seed_customers(plan.customers, org, rng)
            timings["customers"] = time.monotonic() - started - sum(timings.values())
        player = _Player(org, customer_rows, products, categories, cutoff=real_now - timedelta(minutes=1))
        created = player.play(plan.tickets, progress)
        timings["tickets"] = time.monotonic() - started - sum(timings.values())
        with via("cli"):
            enable_process_rules()
    finally:
        clock.set_now(None)
    return DemoResult(tickets=created, customers=len(customer_rows), accounts=org.accounts, credentials=credentials,
                      seconds=time.monotonic() - started, timings=timings)
