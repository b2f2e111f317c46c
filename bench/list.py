"""List, search and detail latency over a large ticket table, through the HTTP API of a real
``complaintdesk serve``; prints one JSON object.

    python bench/list.py                                       # 100 000 tickets, SQLite
    python bench/list.py --tickets 1000000 --database-url postgres://postgres@127.0.0.1:5432/bench_list

Set-up: the organisation (departments, teams, agents, handlers, products) is built through the
actions; customers, tickets, their timeline events, repeat links and tags are bulk-loaded (COPY
on PostgreSQL, executemany on SQLite) because one million tickets through the API would take
hours. The rows look like real ones: 12 months of history, numbers from the default pattern with
per-day counters (the counters are stored too), statuses that follow the lifecycle by age,
priorities from urgency × impact, search_text built by ``tickets.actions.build_search_text``,
and assignee/team/department consistent with routing. Secondary indexes are dropped during the
load and re-created from their own definitions afterwards (faster; the schema ends identical),
then the tables are analysed as autovacuum would.

Each scenario sends ``--requests`` sequential GETs (after a short warm-up) as an administrator,
an agent (team scope) and a handler (department subtree scope).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (
    PRODUCTS,
    REGIONS,
    SEARCH_PHRASES,
    BenchDatabase,
    Server,
    bench_data_dir,
    chinese_name,
    complaint_text,
    django_setup,
    drop_database,
    emit,
    latency_summary,
    machine_info,
    mobile_phone,
    note,
    prepare_database,
    seed_random,
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None,
                        help="default: a new SQLite file in the data dir; or postgres://.../NEW_DB_NAME")
    parser.add_argument("--tickets", type=int, default=100_000, help="tickets to seed (default 100000)")
    parser.add_argument("--requests", type=int, default=50, help="requests per scenario (default 50)")
    parser.add_argument("--workers", type=int, default=None, help="serve --workers (default: serve's default)")
    parser.add_argument("--threads", type=int, default=None, help="serve --threads (default: serve's default)")
    parser.add_argument("--data-dir", default=None, help="CD_DATA_DIR (default: a new temp dir, removed after)")
    parser.add_argument("--keep", action="store_true", help="keep the data dir and database afterwards")
    parser.add_argument("--reuse", action="store_true",
                        help="use an already seeded database (with --data-dir and/or --database-url) and skip seeding")
    parser.add_argument("--only", default="", help="comma-separated scenario names to run (default: all)")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args(argv)


# --- the organisation (through actions) ---------------------------------------------------

DEPARTMENTS: list[tuple[str, str | None, str]] = [
    # code, parent code, name
    ("HQ", None, "总部"),
    ("CS", "HQ", "客户服务中心"),
    ("AS", "HQ", "售后服务部"),
    ("AS-E", "AS", "华东服务站"),
    ("AS-S", "AS", "华南服务站"),
    ("AS-N", "AS", "华北服务站"),
    ("AS-W", "AS", "西南服务站"),
    ("QA", "HQ", "质量管理部"),
    ("QA-PH", "QA", "手机质量科"),
    ("QA-HA", "QA", "家电质量科"),
    ("LG", "HQ", "物流部"),
    ("MK", "HQ", "市场部"),
]
TEAMS: list[tuple[str, str, str, int]] = [
    # name, department code, role of members, members
    ("热线一组", "CS", "agent", 8),
    ("热线二组", "CS", "agent", 8),
    ("在线客服组", "CS", "agent", 6),
    ("社媒舆情组", "MK", "agent", 3),
    ("售后华东组", "AS-E", "handler", 5),
    ("售后华南组", "AS-S", "handler", 5),
    ("售后华北组", "AS-N", "handler", 4),
    ("售后西南组", "AS-W", "handler", 3),
    ("手机质量组", "QA-PH", "handler", 3),
    ("家电质量组", "QA-HA", "handler", 3),
    ("物流协调组", "LG", "handler", 3),
]
# Which teams get which kind of complaint (by top-level category key).
ROUTING: dict[str, list[str]] = {
    "product_quality": ["手机质量组", "家电质量组", "售后华东组", "售后华南组"],
    "logistics": ["物流协调组", "在线客服组"],
    "service_attitude": ["热线一组", "热线二组", "在线客服组"],
    "after_sales": ["售后华东组", "售后华南组", "售后华北组", "售后西南组"],
    "pricing": ["热线一组", "热线二组"],
    "false_advertising": ["社媒舆情组", "热线一组"],
    "safety": ["手机质量组", "家电质量组"],
    "other": ["热线一组", "热线二组", "在线客服组"],
}
TAGS = ["媒体关注", "批量问题", "VIP客户", "12315转办", "升级投诉"]


@dataclass
class Org:
    admin_id: int
    department_ids: dict[str, int]
    department_paths: dict[str, str]
    team_ids: dict[str, int]
    team_members: dict[str, list[tuple[int, int | None]]]  # team -> [(user id, department id)]
    agent: tuple[int, str] = (0, "")  # (user id, token) of a team-scoped agent
    handler: tuple[int, str] = (0, "")  # (user id, token) of a department-scoped handler
    products: list[tuple[int, str]] = field(default_factory=list)  # (id, name)
    categories: dict[str, tuple[int, str]] = field(default_factory=dict)  # leaf key -> (id, top key)
    top_categories: dict[str, int] = field(default_factory=dict)


def build_org(rng: Any) -> Org:
    from complaintdesk.accounts.actions import do_create_api_token, do_create_department, do_create_team, do_create_user
    from complaintdesk.accounts.models import Department, Role, Team, User
    from complaintdesk.customers.actions import do_create_product, do_create_product_line
    from complaintdesk.customers.models import Product

    admin = User.objects.get(username="bench")
    if not Department.objects.filter(code="HQ").exists():
        depts: dict[str, Any] = {}
        for code, parent, name in DEPARTMENTS:
            depts[code] = do_create_department(name=name, code=code, parent=depts.get(parent or ""), actor=admin)
        roles = {r.key: r for r in Role.objects.all()}
        serial = 0
        for team_name, dept_code, role, members in TEAMS:
            people = []
            for _ in range(members):
                serial += 1
                people.append(do_create_user(
                    username=f"{role}{serial:03d}", password=None, display_name=chinese_name(rng),
                    department=depts[dept_code], roles=[roles[role]], actor=admin,
                ))
            do_create_team(name=team_name, department=depts[dept_code], lead=people[0], members=people, actor=admin)
        lines: dict[str, Any] = {}
        for sku, name, line in PRODUCTS:
            if line not in lines:
                lines[line] = do_create_product_line(name=line, actor=admin)
            do_create_product(sku=sku, name=name, line=lines[line], actor=admin)
    org = Org(
        admin_id=admin.pk,
        department_ids={d.code or "": d.pk for d in Department.objects.all()},
        department_paths={d.code or "": d.path for d in Department.objects.all()},
        team_ids={t.name: t.pk for t in Team.objects.all()},
        team_members={t.name: [(u.pk, u.department_id) for u in t.members.order_by("id")]
                      for t in Team.objects.prefetch_related("members")},
        products=[(p.pk, p.name) for p in Product.objects.order_by("id")],
    )
    from complaintdesk.tickets.models import Category

    tops = {c.pk: c.key for c in Category.objects.filter(parent__isnull=True)}
    org.top_categories = {key: pk for pk, key in tops.items()}
    for c in Category.objects.all():
        top_key = tops.get(c.parent_id or c.pk, c.key)
        if c.parent_id is not None or not Category.objects.filter(parent=c).exists():
            org.categories[c.key] = (c.pk, top_key)
    agent = User.objects.get(username="agent001")
    handler = User.objects.filter(username__startswith="handler", department__code="AS-E").order_by("id").first()
    assert handler is not None
    org.agent = (agent.pk, do_create_api_token(user=agent, name="bench", actor=admin)[1])
    org.handler = (handler.pk, do_create_api_token(user=handler, name="bench", actor=admin)[1])
    return org


# --- bulk loading -------------------------------------------------------------------------


class BulkLoader:
    """Insert plain rows (dicts keyed by column attname) into a model's table as fast as the
    database allows: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self) -> None:
        from django.db import connection

        self.connection = connection
        self.postgres = connection.vendor == "postgresql"
        self.deferred: list[tuple[str, str]] = []  # (table, CREATE INDEX statement)

    def columns(self, model: Any) -> tuple[list[str], dict[str, Any]]:
        cols, defaults = [], {}
        for f in model._meta.concrete_fields:
            cols.append(f.attname)
            if f.has_default() and not callable(f.default):
                defaults[f.attname] = f.default
            elif f.null:
                defaults[f.attname] = None
        return cols, defaults

    def insert(self, model: Any, rows: Iterable[dict[str, Any]]) -> int:
        cols, defaults = self.columns(model)
        fields = {f.attname: f for f in model._meta.concrete_fields}
        json_cols = {c for c in cols if fields[c].get_internal_type() == "JSONField"}
        dt_cols = {c for c in cols if fields[c].get_internal_type() == "DateTimeField"}
        table = model._meta.db_table
        qn = self.connection.ops.quote_name
        count = 0
        if self.postgres:
            with self.connection.cursor() as cursor:
                raw = cursor.cursor
                sql = f"COPY {qn(table)} ({', '.join(qn(fields[c].column) for c in cols)}) FROM STDIN"
                with raw.copy(sql) as copy:
                    for row in rows:
                        values = []
                        for c in cols:
                            v = row[c] if c in row else defaults.get(c)
                            if c in json_cols and v is not None:
                                v = json.dumps(v, ensure_ascii=False)
                            values.append(v)
                        copy.write_row(values)
                        count += 1
            return count
        adapt = self.connection.ops.adapt_datetimefield_value
        placeholders = ", ".join(["%s"] * len(cols))
        sql = f"INSERT INTO {qn(table)} ({', '.join(qn(fields[c].column) for c in cols)}) VALUES ({placeholders})"
        batch: list[list[Any]] = []
        with self.connection.cursor() as cursor:
            for row in rows:
                values = []
                for c in cols:
                    v = row[c] if c in row else defaults.get(c)
                    if v is not None:
                        if c in json_cols:
                            v = json.dumps(v, ensure_ascii=False)
                        elif c in dt_cols:
                            v = adapt(v)
                    values.append(v)
                batch.append(values)
                if len(batch) >= 5000:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
        return count

    def defer_indexes(self, model: Any) -> None:
        """Drop the secondary indexes of ``model``'s table (remembering their definitions)."""
        table = model._meta.db_table
        with self.connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(
                    "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND NOT EXISTS "
                    "(SELECT 1 FROM pg_constraint c WHERE c.conindid = (quote_ident(i.indexname))::regclass)",
                    [table],
                )
            else:
                cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                               "AND sql IS NOT NULL", [table])
            found = cursor.fetchall()
            for name, definition in found:
                cursor.execute(f"DROP INDEX {self.connection.ops.quote_name(name)}")
                self.deferred.append((table, definition))

    def restore_indexes(self) -> None:
        with self.connection.cursor() as cursor:
            if self.postgres:
                cursor.execute("SET maintenance_work_mem = '512MB'")
                cursor.execute("SET max_parallel_maintenance_workers = 2")
            for _, definition in self.deferred:
                cursor.execute(definition)
        self.deferred = []


# --- realistic tickets --------------------------------------------------------------------

CHANNEL_WEIGHTS = {"wechat": 25, "phone": 20, "web_form": 15, "mini_program": 10, "email": 8, "api": 7,
                   "wecom": 5, "dingtalk": 3, "store": 4, "social": 3}
MESSAGE_CHANNELS = {"wechat", "mini_program", "email", "api", "wecom", "dingtalk", "social"}
LEVELS = ["high", "medium", "low"]
FIRST_RESPONSE_HOURS = {"P1": 1, "P2": 4, "P3": 8, "P4": 24}
RESOLUTION_HOURS = {"P1": 24, "P2": 48, "P3": 72, "P4": 120}
PATH = ["new", "accepted", "in_progress", "resolved", "closed"]


def _status_for_age(rng: Any, age: timedelta) -> str:
    r = rng.random()
    if age < timedelta(days=1):
        table = [("new", .35), ("accepted", .25), ("in_progress", .30), ("pending_customer", .10)]
    elif age < timedelta(days=7):
        table = [("new", .05), ("accepted", .10), ("in_progress", .35), ("pending_customer", .15),
                 ("resolved", .25), ("closed", .08), ("cancelled", .02)]
    elif age < timedelta(days=30):
        table = [("in_progress", .10), ("pending_customer", .05), ("resolved", .20), ("closed", .60),
                 ("reopened", .02), ("cancelled", .03)]
    else:
        table = [("closed", .92), ("resolved", .02), ("cancelled", .04), ("in_progress", .01), ("reopened", .01)]
    acc = 0.0
    for status, p in table:
        acc += p
        if r < acc:
            return status
    return table[-1][0]


def _status_path(status: str) -> list[str]:
    """The lifecycle steps a ticket took to reach ``status`` (for its timeline)."""
    if status in PATH:
        return PATH[: PATH.index(status) + 1]
    if status == "pending_customer":
        return ["new", "accepted", "in_progress", "pending_customer"]
    if status == "reopened":
        return [*PATH, "reopened"]
    return ["new", "accepted", "cancelled"]  # cancelled


class TicketFactory:
    def __init__(self, rng: Any, org: Org, *, tickets: int, customers: list[tuple[int, str, str]], now: datetime,
                 first_id: int, first_event_id: int) -> None:
        from complaintdesk.tickets.actions import build_search_text
        from complaintdesk.tickets.choices import PRIORITY_MATRIX

        self.rng, self.org, self.n, self.customers, self.now = rng, org, tickets, customers, now
        self.build_search_text = build_search_text
        self.priority = {(str(u), str(i)): str(p) for (u, i), p in PRIORITY_MATRIX.items()}
        self.next_id, self.next_event_id, self.next_link_id = first_id, first_event_id, 1
        self.tz = ZoneInfo("Asia/Shanghai")
        self.channels = list(CHANNEL_WEIGHTS)
        self.channel_weights = list(CHANNEL_WEIGHTS.values())
        self.leaves = list(org.categories.items())
        self.leaf_weights = [8 if top in ("product_quality", "after_sales", "logistics") else 3
                             for _, (_, top) in self.leaves]
        self.agents = [m for t in ("热线一组", "热线二组", "在线客服组") for m in org.team_members[t]]
        self.last_complaint: dict[tuple[int, int], tuple[datetime, int]] = {}
        self.sequences: dict[str, int] = {}
        self.events: list[dict[str, Any]] = []
        self.links: list[dict[str, Any]] = []
        self.tag_rows: list[tuple[int, int]] = []

    def days(self) -> list[tuple[datetime, int]]:
        """(local midnight, tickets that day) over a year, growing over time, fewer at weekends."""
        start = (self.now.astimezone(self.tz) - timedelta(days=365)).replace(hour=0, minute=0, second=0,
                                                                            microsecond=0)
        days = [start + timedelta(days=d) for d in range(366)]
        weights = [(0.7 + 0.6 * d / 365) * (0.75 if day.weekday() >= 5 else 1.0) for d, day in enumerate(days)]
        total = sum(weights)
        exact = [self.n * w / total for w in weights]
        counts = [int(x) for x in exact]
        # Largest remainders get the rounding leftovers, so the counts add up to exactly n.
        for d in sorted(range(len(days)), key=lambda d: exact[d] - counts[d], reverse=True)[: self.n - sum(counts)]:
            counts[d] += 1
        return list(zip(days, counts, strict=True))

    def rows(self) -> Iterator[dict[str, Any]]:
        rng = self.rng
        for midnight, count in self.days():
            day_key = f"ticket:TS{midnight:%Y%m%d}{{seq}}"
            seconds = sorted(self._time_of_day() for _ in range(count))
            seq = 0
            for sec in seconds:
                created_local = midnight + timedelta(seconds=sec)
                created = created_local.astimezone(UTC)
                if created >= self.now:
                    created = self.now - timedelta(seconds=rng.randint(60, 3600))
                seq += 1
                yield self._ticket(created, f"TS{midnight:%Y%m%d}{seq:04d}")
            if seq:
                self.sequences[day_key] = seq

    def _time_of_day(self) -> float:
        rng = self.rng
        # Most complaints arrive 8:00-22:00 local time, with a lunch-time and an evening peak.
        hour = rng.choice([8, 9, 9, 10, 10, 10, 11, 11, 12, 13, 14, 14, 15, 15, 16, 16, 17, 19, 20, 20, 21, 22, 23,
                           rng.randrange(24)])
        return hour * 3600 + rng.random() * 3600

    def _ticket(self, created: datetime, number: str) -> dict[str, Any]:
        rng, org = self.rng, self.org
        tid = self.next_id
        self.next_id += 1
        channel = rng.choices(self.channels, self.channel_weights)[0]
        leaf_key, (category_id, top_key) = rng.choices(self.leaves, self.leaf_weights)[0]
        if rng.random() < 0.05:
            category_id = org.top_categories.get(top_key, category_id)
        if rng.random() < 0.3:
            customer_id, cname, cphone = self.customers[rng.randrange(max(1, len(self.customers) // 20))]
        else:
            customer_id, cname, cphone = self.customers[rng.randrange(len(self.customers))]
        product_id, product_name = rng.choice(org.products) if rng.random() < 0.85 else (None, "产品")
        order_number = f"SO{rng.randrange(10**11):011d}" if rng.random() < 0.7 else ""
        subject, description = complaint_text(rng, leaf_key, product_name, order_number or "无")
        urgency = rng.choices(LEVELS, [15, 55, 30])[0]
        impact = rng.choices(LEVELS, [10, 50, 40])[0]
        priority = self.priority[(urgency, impact)]
        age = self.now - created
        status = _status_for_age(rng, age)
        # Routing: unassigned only while new; a team by kind of complaint, a member of it, their department.
        assignee_id = team_id = department_id = None
        if status != "new" or rng.random() < 0.5:
            team = rng.choice(ROUTING.get(top_key, ROUTING["other"]))
            team_id = org.team_ids[team]
            assignee_id, department_id = rng.choice(org.team_members[team])
        created_by = rng.choice(self.agents)[0] if channel in ("phone", "store") else None
        accepted_at = created + timedelta(minutes=rng.randint(3, 240)) if status != "new" else None
        first_response_at = accepted_at + timedelta(minutes=rng.randint(1, 120)) if accepted_at else None
        resolved_at = closed_at = None
        if status in ("resolved", "closed"):
            resolved_at = created + timedelta(hours=RESOLUTION_HOURS[priority] * rng.uniform(0.1, 1.6))
            if status == "closed":
                closed_at = resolved_at + timedelta(hours=rng.uniform(1, 96))
        elif status == "cancelled":
            closed_at = None
        updated_at = max(t for t in (created, accepted_at, first_response_at, resolved_at, closed_at) if t)
        if updated_at > self.now:
            updated_at = self.now
            resolved_at = min(resolved_at, self.now) if resolved_at else None
            closed_at = min(closed_at, self.now) if closed_at else None
        is_repeat, repeat_of = False, None
        key = (customer_id, category_id)
        previous = self.last_complaint.get(key)
        if previous is not None and created - previous[0] <= timedelta(days=30):
            is_repeat, repeat_of = True, previous[1]
        self.last_complaint[key] = (created, tid)
        data: dict[str, Any] = {}
        if rng.random() < 0.4:
            data = {"purchase_channel": rng.choice(["京东", "天猫", "官方商城", "线下门店", "拼多多"]),
                    "amount": rng.choice([199, 299, 1299, 1999, 3999, 5999])}
        external_id = f"{channel}-msg-{tid}" if channel in MESSAGE_CHANNELS else None
        text = self.build_search_text(SimpleNamespace(  # type: ignore[arg-type]
            number=number, subject=subject, description=description, order_number=order_number,
            customer=SimpleNamespace(name=cname, phone=cphone)))
        row = {
            "id": tid, "number": number, "channel": channel, "external_id": external_id,
            "tracking_token": f"{rng.getrandbits(128):032x}"[:24], "customer_id": customer_id,
            "subject": subject, "description": description, "category_id": category_id, "product_id": product_id,
            "order_number": order_number, "urgency": urgency, "impact": impact, "priority": priority,
            "status": status, "assignee_id": assignee_id, "team_id": team_id, "department_id": department_id,
            "created_by_id": created_by, "data": data, "is_repeat": is_repeat, "repeat_of_id": repeat_of,
            "merged_into_id": None, "reopen_count": 1 if status == "reopened" else 0, "search_text": text,
            "created_at": created, "updated_at": updated_at, "accepted_at": accepted_at,
            "first_response_at": first_response_at, "resolved_at": resolved_at, "closed_at": closed_at,
            "first_response_due_at": created + timedelta(hours=FIRST_RESPONSE_HOURS[priority]),
            "resolution_due_at": created + timedelta(hours=RESOLUTION_HOURS[priority]),
        }
        self._timeline(row, created_by, external_id)
        if is_repeat:
            self.links.append({"id": self.next_link_id, "source_id": tid, "target_id": repeat_of,
                               "kind": "repeat_of", "created_by_id": None, "created_at": created})
            self.next_link_id += 1
        if rng.random() < 0.03:
            for tag in rng.sample(range(len(TAGS)), rng.randint(1, 2)):
                self.tag_rows.append((tid, tag))
        return row

    def _event(self, ticket_id: int, type_: str, actor: int | None, channel: str, at: datetime,
               data: dict[str, Any]) -> None:
        self.events.append({"id": self.next_event_id, "ticket_id": ticket_id, "type": type_, "actor_id": actor,
                            "channel": channel, "created_at": at, "data": data})
        self.next_event_id += 1

    def _timeline(self, t: dict[str, Any], created_by: int | None, external_id: str | None) -> None:
        """The events the actions would have written: created, repeat, assigned, each status change."""
        tid, created = t["id"], t["created_at"]
        self._event(tid, "created", created_by, "api" if created_by is None else "web", created, {
            "number": t["number"], "channel": t["channel"], "status": "new", "priority": t["priority"],
            "external_id": external_id})
        if t["is_repeat"]:
            self._event(tid, "repeat_detected", None, "api", created,
                        {"previous_id": t["repeat_of_id"], "previous_number": "", "window_days": 30})
        step_at = t["accepted_at"] or created + timedelta(minutes=5)
        if t["assignee_id"] is not None:
            self._event(tid, "assigned", self.org.admin_id, "web", step_at, {"changes": {
                "assignee": {"old": None, "new": t["assignee_id"]}, "team": {"old": None, "new": t["team_id"]},
                "department": {"old": None, "new": t["department_id"]}}})
        path = _status_path(t["status"])
        ends = [t["accepted_at"], t["first_response_at"], t["resolved_at"], t["closed_at"], t["updated_at"]]
        for old, new in itertools.pairwise(path):
            at = next((e for e in ends if e is not None and e >= step_at), step_at)
            step_at = at
            self._event(tid, "status_changed", t["assignee_id"] or self.org.admin_id, "web", at,
                        {"old": old, "new": new, "reason": ""})


def seed(args: argparse.Namespace, org: Org, rng: Any) -> dict[str, Any]:
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from complaintdesk.core.models import Sequence
    from complaintdesk.customers.models import Customer
    from complaintdesk.tickets.models import Tag, Ticket, TicketEvent, TicketLink

    started = time.monotonic()
    loader = BulkLoader()
    now = datetime.now(UTC)
    n_customers = max(500, args.tickets // 4)
    first_customer = (Customer.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    customers: list[tuple[int, str, str]] = []

    def customer_rows() -> Iterator[dict[str, Any]]:
        tiers = ["normal"] * 16 + ["vip"] * 3 + ["svip"]
        for i in range(n_customers):
            name, phone = chinese_name(rng), mobile_phone(rng)
            cid = first_customer + i
            customers.append((cid, name, phone))
            at = now - timedelta(days=rng.uniform(0, 900))
            yield {"id": cid, "name": name, "phone": phone, "email": f"c{cid}@example.com" if rng.random() < .3
                   else "", "tier": rng.choice(tiers), "region": rng.choice(REGIONS), "tags": [],
                   "created_at": at, "updated_at": at}

    with transaction.atomic():
        if loader.postgres:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
                cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                if cursor.fetchone()[0]:
                    # The rows are consistent by construction; checking 8 foreign keys per row one
                    # by one would triple the load time. (Needs a superuser; skipped otherwise.)
                    cursor.execute("SET LOCAL session_replication_role = replica")
        tag_ids = [Tag.objects.get_or_create(name=name)[0].pk for name in TAGS]
        for model in (Ticket, TicketEvent):
            loader.defer_indexes(model)
        loader.insert(Customer, customer_rows())
        note(f"{n_customers} customers loaded ({time.monotonic() - started:.0f} s)")
        first_id = (Ticket.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        first_event = (TicketEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        factory = TicketFactory(rng, org, tickets=args.tickets, customers=customers, now=now, first_id=first_id,
                                first_event_id=first_event)
        batch: list[dict[str, Any]] = []
        loaded = 0

        def flush() -> None:
            nonlocal loaded, batch
            loaded += loader.insert(Ticket, batch)
            loader.insert(TicketEvent, factory.events)
            batch, factory.events = [], []

        for row in factory.rows():
            batch.append(row)
            if len(batch) >= 20000:
                flush()
                if loaded % 100000 == 0:
                    note(f"{loaded} tickets loaded ({time.monotonic() - started:.0f} s)")
        flush()
        loader.insert(TicketLink, factory.links)
        through = Ticket.tags.through
        loader.insert(through, ({"id": i + 1, "ticket_id": t, "tag_id": tag_ids[tag]}
                                for i, (t, tag) in enumerate(factory.tag_rows)))
        for key, value in factory.sequences.items():
            Sequence.objects.update_or_create(key=key, defaults={"value": value})
        note(f"rows loaded ({time.monotonic() - started:.0f} s); re-creating indexes")
        loader.restore_indexes()
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Customer, Ticket, TicketEvent, TicketLink,
                                                                      through]):
                cursor.execute(sql)
    note(f"indexes re-created ({time.monotonic() - started:.0f} s); analysing")
    with connection.cursor() as cursor:
        if loader.postgres:
            for table in ("customers_customer", "tickets_ticket", "tickets_ticketevent", "tickets_ticketlink",
                          "tickets_ticket_tags"):
                cursor.execute(f"VACUUM ANALYZE {table}")
        else:
            cursor.execute("ANALYZE")
    return {
        "seconds": round(time.monotonic() - started, 1),
        "customers": n_customers,
        "tickets": loaded,
        "events": factory.next_event_id - first_event,
        "repeat_links": len(factory.links),
    }


# --- scenarios ----------------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    path: Callable[[int], str]  # request index -> path (with query string)
    who: str = "admin"


def scenarios(org: Org, facts: dict[str, Any]) -> list[Scenario]:
    statuses = ["new", "in_progress", "pending_customer", "resolved", "closed"]
    teams = list(org.team_ids.values())
    numbers, ids, customers = facts["numbers"], facts["ticket_ids"], facts["customers"]
    agent_id, handler_id = org.agent[0], org.handler[0]
    busy_users = facts["busy_users"]
    months = facts["months"]

    def pick(seq: list[Any]) -> Callable[[int], Any]:
        return lambda i: seq[i % len(seq)]

    return [
        Scenario("list_default", lambda i: "/api/v1/tickets"),
        Scenario("filter_status", lambda i: f"/api/v1/tickets?status={statuses[i % len(statuses)]}"),
        Scenario("filter_status_priority",
                 lambda i: f"/api/v1/tickets?status=in_progress&status=pending_customer&priority=P{1 + i % 2}"),
        Scenario("filter_assignee", lambda i: f"/api/v1/tickets?assignee_id={pick(busy_users)(i)}"),
        Scenario("filter_assignee_open", lambda i: f"/api/v1/tickets?assignee_id={pick(busy_users)(i)}&open_only=true"),
        Scenario("filter_team", lambda i: f"/api/v1/tickets?team_id={pick(teams)(i)}"),
        Scenario("filter_department_subtree", lambda i: f"/api/v1/tickets?department_id="
                                                        f"{org.department_ids[['AS', 'QA', 'CS'][i % 3]]}"),
        Scenario("filter_category_subtree",
                 lambda i: f"/api/v1/tickets?category_id={pick(list(org.top_categories.values()))(i)}"),
        Scenario("filter_created_range",
                 lambda i: f"/api/v1/tickets?created_from={pick(months)(i)[0]}&created_to={pick(months)(i)[1]}"),
        Scenario("filter_overdue", lambda i: "/api/v1/tickets?overdue=true"),
        Scenario("filter_customer", lambda i: f"/api/v1/tickets?customer_id={pick(customers)(i)}"),
        Scenario("search_phrase", lambda i: f"/api/v1/tickets?q={pick(SEARCH_PHRASES)(i)}"),
        Scenario("search_number", lambda i: f"/api/v1/tickets?q={pick(numbers)(i)}"),
        Scenario("sort_priority", lambda i: "/api/v1/tickets?sort=priority"),
        # SLA remaining: running clocks first, least time left first (a sort on an expression).
        Scenario("sort_sla_remaining", lambda i: "/api/v1/tickets?sort=sla_remaining"),
        Scenario("sort_sla_remaining_open", lambda i: "/api/v1/tickets?sort=sla_remaining&open_only=true"),
        # The condition format compiled to SQL (what a saved view runs): VIP/gold customers' P1/P2
        # tickets not tagged as verified, and a tag condition alone.
        Scenario("condition_vip_urgent", lambda i: "/api/v1/tickets?condition=" + quote(json.dumps(
            {"all": [{"field": "customer.tier", "op": "in", "value": ["vip", "gold"]},
                     {"field": "priority", "op": "in", "value": ["P1", "P2"]},
                     {"not": {"field": "tags", "op": "contains", "value": "已核实"}}]}))),
        Scenario("agent_condition_open_urgent", lambda i: "/api/v1/tickets?sort=sla_remaining&condition=" + quote(
            json.dumps(
            {"all": [{"field": "status", "op": "in", "value": ["new", "accepted", "in_progress"]},
                     {"field": "priority", "op": "eq", "value": "P1"}]})), "agent"),
        Scenario("deep_page_50", lambda i: "/api/v1/tickets?page=50"),
        Scenario("detail", lambda i: f"/api/v1/tickets/{pick(ids)(i)}"),
        Scenario("events", lambda i: f"/api/v1/tickets/{pick(ids)(i)}/events"),
        # An agent sees own tickets and those of their teams; a handler their department subtree.
        Scenario("agent_list_default", lambda i: "/api/v1/tickets", "agent"),
        Scenario("agent_my_tickets", lambda i: f"/api/v1/tickets?assignee_id={agent_id}", "agent"),
        Scenario("agent_filter_status", lambda i: f"/api/v1/tickets?status={statuses[i % len(statuses)]}", "agent"),
        Scenario("agent_search_phrase", lambda i: f"/api/v1/tickets?q={pick(SEARCH_PHRASES)(i)}", "agent"),
        Scenario("agent_detail", lambda i: f"/api/v1/tickets/{pick(facts['agent_ids'])(i)}", "agent"),
        Scenario("handler_list_default", lambda i: "/api/v1/tickets", "handler"),
        Scenario("handler_my_tickets", lambda i: f"/api/v1/tickets?assignee_id={handler_id}", "handler"),
        Scenario("handler_filter_status",
                 lambda i: f"/api/v1/tickets?status={statuses[i % len(statuses)]}", "handler"),
        Scenario("handler_search_phrase", lambda i: f"/api/v1/tickets?q={pick(SEARCH_PHRASES)(i)}", "handler"),
        Scenario("handler_detail", lambda i: f"/api/v1/tickets/{pick(facts['handler_ids'])(i)}", "handler"),
        # The dashboard's figures (reports.queries.dashboard_overview) over the same tickets and scopes.
        Scenario("dashboard_30d", lambda i: "/api/v1/dashboard/overview"),
        Scenario("dashboard_90d", lambda i: "/api/v1/dashboard/overview?days=90"),
        Scenario("dashboard_365d", lambda i: "/api/v1/dashboard/overview?days=365"),
        Scenario("dashboard_department", lambda i: f"/api/v1/dashboard/overview?department_id="
                                                   f"{org.department_ids[['AS', 'QA', 'CS'][i % 3]]}"),
        Scenario("agent_dashboard_30d", lambda i: "/api/v1/dashboard/overview", "agent"),
        Scenario("handler_dashboard_30d", lambda i: "/api/v1/dashboard/overview", "handler"),
    ]


def sample_facts(org: Org, rng: Any) -> dict[str, Any]:
    """Real values to query with: ids, numbers, busy assignees and customers, month windows."""
    from django.db.models import Max, Min

    from complaintdesk.accounts.models import Department
    from complaintdesk.tickets.models import Ticket

    bounds = Ticket.objects.aggregate(lo=Min("id"), hi=Max("id"), first=Min("created_at"), last=Max("created_at"))
    ids: list[int] = []
    while len(ids) < 200:
        found = Ticket.objects.filter(pk__gte=rng.randint(bounds["lo"], bounds["hi"])).order_by("pk").values_list(
            "pk", "number").first()
        if found:
            ids.append(found[0])
    numbers = list(Ticket.objects.filter(pk__in=ids[:60]).values_list("number", flat=True))
    agent_team = [t for t, members in org.team_members.items() if any(m[0] == org.agent[0] for m in members)]
    agent_ids = list(Ticket.objects.filter(team_id__in=[org.team_ids[t] for t in agent_team])
                     .filter(pk__in=[rng.randint(bounds["lo"], bounds["hi"]) for _ in range(3000)])
                     .values_list("pk", flat=True)[:100])
    subtree = Department.objects.filter(path__startswith=org.department_paths["AS-E"]).values("id")
    handler_ids = list(Ticket.objects.filter(department_id__in=subtree)
                       .filter(pk__in=[rng.randint(bounds["lo"], bounds["hi"]) for _ in range(3000)])
                       .values_list("pk", flat=True)[:100])
    busy_users = [m[0] for members in org.team_members.values() for m in members][::3]
    customers = list(Ticket.objects.filter(pk__in=ids[:100]).values_list("customer_id", flat=True))
    months = []
    last = bounds["last"]
    for k in range(1, 12):
        start = (last - timedelta(days=30 * k)).replace(microsecond=0)
        months.append((start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                       (start + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")))
    return {"ticket_ids": ids, "numbers": numbers, "agent_ids": agent_ids or ids[:1],
            "handler_ids": handler_ids or ids[:1], "busy_users": busy_users, "customers": customers,
            "months": months}


def measure(base_url: str, tokens: dict[str, str], items: list[Scenario], requests: int) -> dict[str, Any]:
    import httpx

    results: dict[str, Any] = {}
    clients = {who: httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {tok}"}, timeout=120)
               for who, tok in tokens.items()}
    try:
        for sc in items:
            client = clients[sc.who]
            latencies: list[float] = []
            errors: dict[str, int] = {}
            counts: list[int] = []
            for i in range(-3, requests):  # three warm-up requests, not counted
                path = sc.path(abs(i))
                t0 = time.perf_counter()
                response = client.get(path)
                elapsed = time.perf_counter() - t0
                if i < 0:
                    continue
                if response.status_code != 200:
                    errors[str(response.status_code)] = errors.get(str(response.status_code), 0) + 1
                    continue
                latencies.append(elapsed)
                body = response.json()
                if isinstance(body, dict) and "count" in body:
                    counts.append(int(body["count"]))
                elif isinstance(body, list):
                    counts.append(len(body))
            entry: dict[str, Any] = {**latency_summary(latencies), "as": sc.who}
            if counts:
                entry["rows_median"] = sorted(counts)[len(counts) // 2]
            if errors:
                entry["errors"] = errors
            results[sc.name] = entry
            note(f"{sc.name:28s} p50 {entry.get('p50_ms')} ms  p95 {entry.get('p95_ms')} ms")
    finally:
        for client in clients.values():
            client.close()
    return results


def run(args: argparse.Namespace) -> dict[str, Any]:
    machine = machine_info()
    rng = seed_random(args.seed)
    with bench_data_dir(args.data_dir, prefix="cd-bench-list-", keep=args.keep or args.reuse) as data_dir:
        db: BenchDatabase = prepare_database(args.database_url, data_dir, reuse=args.reuse)
        try:
            server = Server(data_dir=data_dir, database_url=db.url, workers=args.workers, threads=args.threads)
            note(f"migrating {db.vendor} database {db.name}")
            server.migrate()
            token = server.admin_token()
            django_setup(data_dir, db.url)
            from django.db import connection

            from complaintdesk.tickets.models import Ticket

            org = build_org(rng)
            existing = Ticket.objects.count()
            seeding: dict[str, Any] = {"reused": True, "tickets": existing}
            if existing < args.tickets:
                note(f"seeding {args.tickets - existing} tickets")
                args.tickets -= existing
                seeding = seed(args, org, rng)
                args.tickets += existing
            facts = sample_facts(org, rng)
            total = Ticket.objects.count()
            connection.close()
            items = scenarios(org, facts)
            if args.only:
                wanted = set(args.only.split(","))
                items = [s for s in items if s.name in wanted]
            with server:
                server.start()
                note(f"server on {server.base_url}; {len(items)} scenarios x {args.requests} requests")
                results = measure(server.base_url, {"admin": token, "agent": org.agent[1],
                                                    "handler": org.handler[1]}, items, args.requests)
            log = server.log_text()
        finally:
            if not (args.keep or args.reuse):
                drop_database(db)
    return {
        "benchmark": "list",
        "database": db.vendor,
        "tickets": total,
        "seeding": seeding,
        "requests_per_scenario": args.requests,
        "server": {"workers": args.workers or "default", "threads": args.threads or "default"},
        "results": results,
        "server_errors_in_log": log.count("Traceback"),
        "machine": machine,
    }


def main(argv: list[str] | None = None) -> None:
    emit(run(parse_args(argv)))


if __name__ == "__main__":
    main()
