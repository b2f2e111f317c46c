"""Alert rule evaluation and preview over a large ticket table; prints one JSON object.

    python bench/alerts.py                                    # 100 000 tickets, SQLite
    python bench/alerts.py --database-url postgres://postgres@127.0.0.1:5432/bench_alerts

Set-up: a fresh database migrated through the CLI; products, categories and customers (12
regions) through the actions; tickets bulk-inserted (spread over 180 days, product/category/
channel/region chosen at random) because 100 000 tickets through ``do_create_ticket`` would take
long and measure intake, not alerts. Then, for a count rule by product and a growth rule by
category (4 baseline weeks), each with and without a scope: ``do_evaluate_alert_rule`` (one
grouped query + the alert writes) and the 90-day preview, ``--rounds`` times each (median, best).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (
    PRODUCTS,
    REGIONS,
    BenchDatabase,
    Server,
    bench_data_dir,
    django_setup,
    drop_database,
    emit,
    machine_info,
    note,
    prepare_database,
    seed_random,
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None, help="default: SQLite in the data dir; or postgres://.../NEW")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--seed", type=int, default=11)
    return parser.parse_args(argv)


def seed(n: int, rng: Any) -> None:
    from complaintdesk.core import clock
    from complaintdesk.customers.actions import do_create_customer, do_create_product, do_create_product_line
    from complaintdesk.tickets.choices import Channel
    from complaintdesk.tickets.models import Category, Ticket

    lines: dict[str, Any] = {}
    products = []
    for sku, name, line in PRODUCTS:
        if line not in lines:
            lines[line] = do_create_product_line(name=line, actor=None)
        products.append(do_create_product(sku=sku, name=name, line=lines[line], actor=None))
    customers = [do_create_customer(name=f"客户{i}", phone=f"1390000{i:04d}", region=REGIONS[i % len(REGIONS)],
                                    actor=None) for i in range(240)]
    categories = list(Category.objects.filter(children__isnull=True))
    channels = [Channel.PHONE, Channel.WECHAT, Channel.EMAIL, Channel.WEB_FORM, Channel.API]
    now = clock.now()
    batch: list[Ticket] = []
    for i in range(n):
        # Later days are busier, and one product has a recent surge: alerts have something to find.
        age = timedelta(minutes=int(rng.triangular(0, 180 * 24 * 60, 0)))
        product = products[0] if age < timedelta(days=10) and rng.random() < 0.2 else rng.choice(products)
        at = now - age
        batch.append(Ticket(
            number=f"BA{i:08d}", channel=rng.choice(channels), subject="屏幕闪烁", product=product,
            category=rng.choice(categories), customer=rng.choice(customers), created_at=at, updated_at=at,
        ))
        if len(batch) == 5000:
            Ticket.objects.bulk_create(batch)
            batch = []
    Ticket.objects.bulk_create(batch)


def timed(fn: Any, rounds: int) -> dict[str, float]:
    seconds = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - started)
    return {"median_ms": round(statistics.median(seconds) * 1000, 1), "best_ms": round(min(seconds) * 1000, 1)}


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    rng = seed_random(args.seed)
    with bench_data_dir(args.data_dir, prefix="cd-bench-alerts-", keep=args.keep) as data_dir:
        db: BenchDatabase = prepare_database(args.database_url, data_dir)
        try:
            server = Server(data_dir=data_dir, database_url=db.url)
            note("migrating")
            server.migrate()
            django_setup(data_dir, db.url)
            from django.db import connection

            from complaintdesk.core import clock
            from complaintdesk.insights.actions import do_create_alert_rule, do_evaluate_alert_rule
            from complaintdesk.insights.measure import RuleSpec, preview_rule

            note(f"seeding {args.tickets} tickets")
            seed(args.tickets, rng)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            rules = {
                "count_by_product": do_create_alert_rule(
                    actor=None, name="count by product", grouping="product", threshold_blue=60,
                    threshold_yellow=90, threshold_red=120),
                "growth_by_category": do_create_alert_rule(
                    actor=None, name="growth by category", grouping="category", metric="growth",
                    baseline_windows=4, min_count=10, threshold_blue=10, threshold_yellow=30, threshold_red=60),
                "count_by_region_scoped": do_create_alert_rule(
                    actor=None, name="phone+wechat by region", grouping="region",
                    scope={"field": "channel", "op": "in", "value": ["phone", "wechat"]},
                    threshold_blue=50, threshold_yellow=80, threshold_red=120),
            }
            results: dict[str, Any] = {}
            for name, rule in rules.items():
                note(f"rule {name}")
                first = do_evaluate_alert_rule(rule)
                spec = RuleSpec.of(rule)
                results[name] = {
                    "groups": first.groups, "alerts_opened": len(first.opened),
                    "evaluate": timed(lambda rule=rule: do_evaluate_alert_rule(rule), args.rounds),
                    "preview_90_days": timed(lambda spec=spec: preview_rule(spec, now=clock.now(), days=90, top=10),
                                             args.rounds),
                }
            emit({"benchmark": "alerts", "database": db.vendor, "tickets": args.tickets, "rounds": args.rounds,
                  "machine": machine_info(), "rules": results})
        finally:
            drop_database(db)


if __name__ == "__main__":
    main()
