"""Rules engine throughput on one core: events evaluated per second with 200 active rules
(conditions + decisions; the actions of matched rules are not run). Prints one JSON object.

    python bench/rules.py                      # fresh SQLite database in a temporary data dir
    python bench/rules.py --database-url postgres://postgres@127.0.0.1:5432/bench_rules
    python bench/rules.py --seconds 1 --rounds 3   # quicker

Set-up (through the real actions): an organisation, ``--tickets`` complaints with realistic Chinese
text over customers of every tier, regions, channels, product lines and categories, then ``--rules``
enabled rules that all listen to ``ticket.created`` (the worst case: every rule is evaluated for
every event), with conditions of the kinds routing rules use — keywords in subject/description,
channel, customer tier and region, product line, category subtree, priority, custom data fields,
tags, recency — combined with all/any/not.

Measured, with the process pinned to one CPU, for events round-robin over the tickets:

- ``decide``: what the engine does per event before running actions, on a ticket already in memory:
  evaluate every rule's condition in order and decide (stop-after, chain exclusions), with equal
  sub-conditions of different rules evaluated once per event.
- ``engine_per_event``: the same as the engine does it per event: take the compiled rule set (the
  rules' generation is read at most once a second, so a rule change made in another process is seen
  within a second), then decide.
- ``decide_with_generation_query``: the worst case, reading the generation (one indexed query) on
  every event.
- ``decide_with_ticket_load``: the same plus loading the ticket through the ORM with the relations
  the conditions read (1 query + 1 for tags; what the subscriber does for each event).
- ``plain_interpreter_no_sharing``: the shared condition interpreter on every rule's condition,
  without the engine's sharing of equal sub-conditions (for comparison).

Each figure is per CPU second (the engine's own single-core throughput on a shared machine) and per
wall-clock second, best and median of ``--rounds`` timed rounds. The target (>= 2,000 events/s) is judged
on ``engine_per_event``; the worst case and the ticket load are reported beside it.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (
    PRODUCTS,
    REGIONS,
    bench_data_dir,
    chinese_name,
    complaint_text,
    django_setup,
    drop_database,
    emit,
    mobile_phone,
    note,
    prepare_database,
    seed_random,
)

TARGET = 2000
CHANNELS = ["web_form", "api", "email", "phone", "wechat", "wecom", "dingtalk", "mini_program", "store", "social"]
TIERS = ["normal", "normal", "normal", "silver", "gold", "vip"]
KEYWORDS = [["发票"], ["物流", "快递"], ["故障", "坏了"], ["退货", "退款"], ["赔偿"], ["起火", "冒烟", "漏电"],
            ["态度"], ["维修"], ["屏幕"], ["噪音"], ["划痕"], ["赠品"], ["价格"], ["客服"], ["上门"]]
DEPARTMENTS = ["财务部", "物流部", "售后维修", "客服部", "质量部", "华南服务中心", "华东服务中心", "家电售后部"]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="PostgreSQL database to create (default: SQLite in the data dir)")
    parser.add_argument("--data-dir", help="data dir (default: a new temporary one, removed afterwards)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir / database")
    parser.add_argument("--rules", type=int, default=200, help="active rules listening to the event")
    parser.add_argument("--tickets", type=int, default=500, help="distinct tickets the events are about")
    parser.add_argument("--seconds", type=float, default=2.0, help="length of one timed round")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds (best and median reported)")
    parser.add_argument("--seed", type=int, default=42)
    return parser.parse_args(argv)


def rule_bodies(count: int, rng: Any, category_keys: list[str], lines: list[str]) -> list[dict[str, Any]]:
    """``count`` rule definitions of the kinds an organisation writes, deterministic for a seed."""

    def keyword() -> dict[str, Any]:
        words = rng.choice(KEYWORDS)
        return {"any": [{"field": "subject", "op": "any_keyword", "value": words},
                        {"field": "description", "op": "any_keyword", "value": words}]}

    makers: list[Callable[[], dict[str, Any]]] = [
        lambda: {"all": [{"field": "department_id", "op": "is_empty"}, keyword()]},
        lambda: {"field": "channel", "op": "in", "value": rng.sample(CHANNELS, 2)},
        lambda: {"all": [{"field": "customer.tier", "op": "eq", "value": rng.choice(["vip", "gold"])},
                         {"field": "priority", "op": "in", "value": ["P2", "P3", "P4"]}]},
        lambda: {"all": [{"field": "product.line", "op": "eq", "value": rng.choice(lines)},
                         {"field": "department_id", "op": "is_empty"}]},
        lambda: {"field": "customer.region", "op": "starts_with", "value": rng.choice(REGIONS)[:2]},
        lambda: {"all": [{"field": "category", "op": "in", "value": rng.sample(category_keys, 2)},
                         {"not": {"field": "tags", "op": "contains", "value": "已核实"}}]},
        lambda: {"any": [{"field": "data.amount", "op": "gt", "value": rng.choice([500, 1000, 3000])},
                         {"field": "urgency", "op": "eq", "value": "high"}]},
        lambda: {"all": [{"field": "created_at", "op": "within_last", "value": "24h"},
                         {"field": "is_repeat", "op": "eq", "value": True}]},
        lambda: {"all": [keyword(), {"field": "customer.tier", "op": "in", "value": ["vip", "gold", "silver"]},
                         {"field": "channel", "op": "ne", "value": "import"}]},
    ]
    bodies = []
    for i in range(count):
        condition = makers[i % len(makers)]()
        bodies.append({
            "name": f"bench rule {i:03d}", "events": ["ticket.created"], "condition": condition, "order": i,
            "actions": [{"type": "add_tags", "params": {"tags": [f"r{i % 20}"]}},
                        {"type": "assign", "params": {"to": "department", "department": rng.choice(DEPARTMENTS)}}],
        })
    return bodies


def seed(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command

    from complaintdesk.accounts.actions import do_create_department
    from complaintdesk.customers.actions import do_create_customer, do_create_product, do_create_product_line
    from complaintdesk.rules.actions import do_create_rule
    from complaintdesk.rules.models import Rule
    from complaintdesk.tickets.actions import do_create_ticket
    from complaintdesk.tickets.models import Category, Ticket

    rng = seed_random(args.seed)
    call_command("migrate", verbosity=0)
    Rule.objects.all().delete()  # no rules while seeding tickets (the shipped ones included)
    for name in DEPARTMENTS:
        do_create_department(name=name, actor=None)
    lines: dict[str, Any] = {}
    products = []
    for sku, name, line in PRODUCTS:
        if line not in lines:
            lines[line] = do_create_product_line(name=line, actor=None)
        products.append(do_create_product(sku=sku, name=name, line=lines[line], actor=None))
    customers = [do_create_customer(name=chinese_name(rng), phone=mobile_phone(rng), tier=rng.choice(TIERS),
                                    region=rng.choice(REGIONS), actor=None) for _ in range(200)]
    leaves = list(Category.objects.filter(children__isnull=True))
    note(f"seeding {args.tickets} tickets")
    for n in range(args.tickets):
        category = rng.choice(leaves)
        product = rng.choice(products)
        subject, description = complaint_text(rng, category.key, product.name, f"SO{rng.randrange(10**8):08d}")
        do_create_ticket(actor=None, subject=subject, description=description, channel=rng.choice(CHANNELS),
                         customer=rng.choice(customers), category=category, product=product,
                         urgency=rng.choice(["high", "medium", "low"]), impact=rng.choice(["high", "medium", "low"]),
                         data={"amount": rng.choice([0, 99, 650, 1200, 4999])}, tags=["已核实"] if n % 7 == 0 else [])
    note(f"creating {args.rules} rules")
    bodies = rule_bodies(args.rules, rng, [c.key for c in Category.objects.all()], list(lines))
    for body in bodies:
        do_create_rule(actor=None, body=body)
    return {"ticket_ids": list(Ticket.objects.order_by("id").values_list("id", flat=True))}


def rate(step: Callable[[int], Any], items: list[int], seconds: float) -> tuple[float, float]:
    done = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    deadline = started + seconds
    while True:
        for item in items:
            step(item)
        done += len(items)
        now = time.perf_counter()
        if now >= deadline:
            return done / (now - started), done / max(time.process_time() - cpu_started, 1e-9)


def measure(step: Callable[[int], Any], items: list[int], seconds: float, rounds: int) -> dict[str, float]:
    rate(step, items[: max(1, len(items) // 5)], 0.2)  # warm-up
    samples = [rate(step, items, seconds) for _ in range(rounds)]
    wall = sorted(s[0] for s in samples)
    cpu = sorted(s[1] for s in samples)
    return {"per_cpu_s_best": round(cpu[-1]), "per_cpu_s_median": round(statistics.median(cpu)),
            "per_wall_s_best": round(wall[-1]), "per_wall_s_median": round(statistics.median(wall))}


def run(args: argparse.Namespace) -> dict[str, Any]:
    cpu = None
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
    with bench_data_dir(args.data_dir, prefix="cd-bench-rules-", keep=args.keep) as data_dir:
        db = prepare_database(args.database_url, data_dir)
        try:
            django_setup(data_dir, db.url)
            return measure_all(args, db.vendor, cpu)
        finally:
            from django.db import connections

            connections.close_all()
            if not args.keep:
                drop_database(db)


def measure_all(args: argparse.Namespace, vendor: str, cpu: int | None) -> dict[str, Any]:
    from complaintdesk.expressions.conditions.evaluate import evaluate_node
    from complaintdesk.expressions.fields import TICKET_FIELDS
    from complaintdesk.rules import engine
    from complaintdesk.tickets.models import Ticket

    seeded = seed(args)
    ids = seeded["ticket_ids"]
    tickets = {t.pk: t for t in TICKET_FIELDS.prepare(Ticket.objects.filter(pk__in=ids))}
    for t in tickets.values():  # the tags prefetch is part of the load; keep it like the engine does
        list(t.tags.all())
    engine.forget_cache()
    ruleset = engine.active_ruleset()
    rules = ruleset.for_event("ticket.created")
    assert len(rules) == args.rules, len(rules)
    matched_total = 0
    for tid in ids:
        matched_total += sum(d.matched for d in engine.decide(rules, tickets[tid], tree_ids=ruleset.tree_ids))

    def decide(tid: int) -> None:
        engine.decide(rules, tickets[tid], tree_ids=ruleset.tree_ids)

    def engine_per_event(tid: int) -> None:
        current = engine.active_ruleset()
        engine.decide(current.for_event("ticket.created"), tickets[tid], tree_ids=current.tree_ids)

    def decide_with_generation_query(tid: int) -> None:
        engine.current_generation()
        engine.decide(rules, tickets[tid], tree_ids=ruleset.tree_ids)

    def decide_with_ticket_load(tid: int) -> None:
        current = engine.active_ruleset()
        ticket = engine._load_ticket(tid, current.load_plan("ticket.created"))
        assert ticket is not None
        engine.decide(current.for_event("ticket.created"), ticket, tree_ids=current.tree_ids)

    nodes = [r.condition.node for r in rules if r.condition is not None]
    tree_cache: dict[Any, Any] = {}

    def plain_interpreter(tid: int) -> None:
        evaluation = engine.RuleEvaluation(now=datetime.now(UTC), tree_ids=tree_cache)
        ticket = tickets[tid]
        for node in nodes:
            evaluate_node(node, ticket, evaluation)

    results: dict[str, Any] = {}
    for name, step in (("decide", decide), ("engine_per_event", engine_per_event),
                       ("decide_with_generation_query", decide_with_generation_query),
                       ("decide_with_ticket_load", decide_with_ticket_load),
                       ("plain_interpreter_no_sharing", plain_interpreter)):
        note(f"measuring {name}")
        results[name] = measure(step, ids, args.seconds, args.rounds)
    return {
        "benchmark": "rules",
        "note": "single core (process pinned to one CPU); events evaluated per CPU second and per wall-clock "
                "second (best and median of timed rounds); every event evaluates every rule (all listen to "
                "ticket.created); actions of matched rules are not run",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpu": cpu,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "database": vendor,
        "rules": args.rules,
        "tickets": len(ids),
        "mean_rules_matched_per_event": round(matched_total / len(ids), 2),
        "condition_evaluations_per_event": len(rules),
        "seconds_per_round": args.seconds,
        "rounds": args.rounds,
        "events_per_s": results,
        "target_events_per_s": TARGET,
        "target_basis": "engine_per_event (conditions + decisions as the engine does them per event); "
                        "decide_with_generation_query reads the rules' generation on every event (worst case); "
                        "decide_with_ticket_load adds the ORM load of the ticket",
        "target_met_per_cpu_s": results["engine_per_event"]["per_cpu_s_median"] >= TARGET,
    }


def main(argv: list[str] | None = None) -> None:
    emit(run(parse_args(argv)))


if __name__ == "__main__":
    main()
