"""Workflow engine latency through the HTTP API of a real ``complaintdesk serve``; prints one JSON object.

    python bench/workflow.py                                  # SQLite file in a temp data dir
    python bench/workflow.py --database-url postgres://postgres@127.0.0.1:5432/bench_workflow

Two figures (targets of the workflow issue):

(a) **complete**: ``POST /api/v1/work-items/{id}/complete`` — load and lock the instance, run the
    engine step (gateway conditions included), persist the serialized state, cancel/create work
    items, move the ticket's status and write the timeline — sequentially, ``--completions``
    tickets through the shipped ``standard_complaint`` process: 受理 (agent, from the pool),
    分派 (supervisor), 处理 (handler, from the department pool), 审核 (department head).
    Target: median < 25 ms on SQLite.
(b) **inbox**: ``GET /api/v1/work-items?box=mine|team|overdue`` over ``--instances`` active
    instances (default 10,000), as an agent (pool + team), a handler and a supervisor.
    Target: median < 50 ms.

Set-up: the organisation and the measured tickets are built through the actions (tickets
created, processes started by the engine). The other active instances are bulk-loaded copies of
real ones — the ticket row, the instance with its engine state taken at the same node, and its
open work item — spread over the nodes of the process with realistic assignees, pools and due
times (about 15 % overdue), because starting 10,000 processes one by one would only measure
the start.
"""

from __future__ import annotations

import argparse
import random
import secrets
import sys
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (
    BenchDatabase,
    Server,
    bench_data_dir,
    chinese_name,
    cpu_seconds,
    django_setup,
    drop_database,
    emit,
    latency_summary,
    machine_info,
    note,
    percentile,
    prepare_database,
    seed_random,
)

PROCESS = "standard_complaint"
STEPS = (("accept", "agent"), ("dispatch", "supervisor"), ("handle", "handler"), ("review", "head"))
# Where the background instances stand: (node, share).
STAGES = (("accept", 0.18), ("dispatch", 0.1), ("handle", 0.42), ("review", 0.12), ("reply", 0.1),
          ("follow_up", 0.08))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None,
                        help="default: a new SQLite file in the data dir; or postgres://.../NEW_DB_NAME")
    parser.add_argument("--instances", type=int, default=10_000, help="active process instances (default 10000)")
    parser.add_argument("--completions", type=int, default=100,
                        help="tickets completed through 4 nodes each (default 100: 400 completions)")
    parser.add_argument("--requests", type=int, default=50, help="GETs per inbox scenario (default 50)")
    parser.add_argument("--agents", type=int, default=12)
    parser.add_argument("--handlers", type=int, default=20)
    parser.add_argument("--workers", type=int, default=None, help="serve --workers (default: serve's default)")
    parser.add_argument("--threads", type=int, default=None, help="serve --threads (default: serve's default)")
    parser.add_argument("--data-dir", default=None, help="CD_DATA_DIR (default: a new temp dir, removed after)")
    parser.add_argument("--keep", action="store_true", help="keep the data dir and database afterwards")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args(argv)


@dataclass
class Seeded:
    tokens: dict[str, str] = field(default_factory=dict)  # role -> API token secret
    measured_tickets: list[int] = field(default_factory=list)
    counts: dict[str, Any] = field(default_factory=dict)


def seed(args: argparse.Namespace, rng: random.Random) -> Seeded:
    """Organisation and tickets through the actions; background instances bulk-copied from real ones."""
    from django.db import transaction

    from complaintdesk.accounts.actions import (
        do_create_api_token,
        do_create_department,
        do_create_team,
        do_create_user,
        do_update_department,
    )
    from complaintdesk.accounts.models import Role, User
    from complaintdesk.core import clock
    from complaintdesk.tickets.actions import do_create_ticket
    from complaintdesk.tickets.models import Ticket
    from complaintdesk.workflows.actions import do_complete_work_item, do_start_process
    from complaintdesk.workflows.choices import OPEN_STATES, WorkItemKind
    from complaintdesk.workflows.models import ProcessDefinition, ProcessInstance, WorkItem, candidate_key

    out = Seeded()
    admin = User.objects.get(username="bench")
    roles = {r.key: r for r in Role.objects.all()}
    service = do_create_department(name="客服部", code="service", actor=admin)
    after_sales = do_create_department(name="售后部", code="after_sales", actor=admin)

    def person(username: str, role: str, dept: Any) -> Any:
        return do_create_user(username=username, password=None, display_name=chinese_name(rng), department=dept,
                              roles=[roles[role]], actor=admin)

    agents = [person(f"agent{i:02d}", "agent", service) for i in range(args.agents)]
    half = len(agents) // 2
    do_create_team(name="客服一组", department=service, lead=agents[0], members=agents[:half], actor=admin)
    do_create_team(name="客服二组", department=service, lead=agents[half], members=agents[half:], actor=admin)
    supervisor = person("supervisor", "supervisor", service)
    handlers = [person(f"handler{i:02d}", "handler", after_sales) for i in range(args.handlers)]
    do_update_department(service, actor=admin, manager=supervisor)
    do_update_department(after_sales, actor=admin, manager=handlers[0])
    people = {"agent": agents[0], "supervisor": supervisor, "handler": handlers[1], "head": handlers[0]}
    for key, user in people.items():
        out.tokens[key] = do_create_api_token(user=user, name="bench", actor=None)[1]
    definition = ProcessDefinition.objects.get(key=PROCESS)

    def new_ticket(n: int) -> Any:
        ticket, _ = do_create_ticket(actor=agents[n % len(agents)], subject=f"产品故障投诉 {n}",
                                     description="开机后屏幕闪烁，要求维修。", channel="phone", department=after_sales)
        return ticket

    started = time.monotonic()
    with transaction.atomic():
        for n in range(args.completions):
            ticket = new_ticket(n)
            do_start_process(ticket, definition=definition, actor=agents[0])
            out.measured_tickets.append(ticket.pk)
    out.counts["measured_start_ms_mean"] = round(1000 * (time.monotonic() - started) / max(1, args.completions), 2)

    # One real instance standing at each stage: the templates of the bulk copies.
    templates: dict[str, tuple[Any, Any, Any]] = {}
    actors = {"accept": agents[0], "dispatch": supervisor, "handle": handlers[1], "review": handlers[0],
              "reply": agents[0]}
    with transaction.atomic():
        for stage, _ in STAGES:
            ticket = new_ticket(10_000 + len(templates))
            instance = do_start_process(ticket, definition=definition, actor=agents[0])
            for _ in STAGES:
                item = WorkItem.objects.get(instance=instance, kind=WorkItemKind.TASK, state__in=OPEN_STATES)
                if item.node_id == stage:
                    break
                do_complete_work_item(item, actor=actors[item.node_id],
                                      outcome="satisfied" if item.node_id == "follow_up" else "approve")
            instance.refresh_from_db()
            ticket.refresh_from_db()
            templates[stage] = (ticket, instance, WorkItem.objects.get(instance=instance, state__in=OPEN_STATES))

    background = max(0, args.instances - args.completions - len(templates))
    note(f"bulk-loading {background} background instances")
    now = clock.now()
    ticket_fields = [f for f in Ticket._meta.concrete_fields if not f.primary_key]
    stages = [s for s, _ in STAGES]
    weights = [w for _, w in STAGES]
    agent_ids = [a.pk for a in agents]
    handler_ids = [h.pk for h in handlers]
    batch = 1000
    made = 0
    while made < background:
        size = min(batch, background - made)
        chosen = rng.choices(stages, weights=weights, k=size)
        with transaction.atomic():
            tickets = []
            for i, stage in enumerate(chosen):
                template = templates[stage][0]
                values = {f.attname: getattr(template, f.attname) for f in ticket_fields}
                values.update(number=f"BW{made + i:08d}", tracking_token=secrets.token_urlsafe(18),
                              external_id=None, created_at=now - timedelta(hours=rng.uniform(1, 240)))
                tickets.append(Ticket(**values))
            Ticket.objects.bulk_create(tickets)
            if tickets[0].pk is None:  # backends without RETURNING ids (none we support, but be safe)
                numbers = [t.number for t in tickets]
                ids = dict(Ticket.objects.filter(number__in=numbers).values_list("number", "id"))
                for t in tickets:
                    t.pk = t.id = ids[t.number]
            instances = []
            for ticket, stage in zip(tickets, chosen, strict=True):
                template_instance = templates[stage][1]
                instances.append(ProcessInstance(
                    ticket_id=ticket.pk, version_id=template_instance.version_id, status="running",
                    state=template_instance.state, started_by_id=template_instance.started_by_id,
                    started_at=ticket.created_at))
            ProcessInstance.objects.bulk_create(instances)
            items = []
            for ticket, instance, stage in zip(tickets, instances, chosen, strict=True):
                template_item = templates[stage][2]
                created = ticket.created_at + timedelta(hours=rng.uniform(0.1, 20))
                created = min(created, now - timedelta(minutes=5))
                due = now + timedelta(hours=rng.uniform(-0.18, 1.0) * 48)
                assignee_id: int | None = template_item.assignee_id
                candidates: list[int] = []
                if stage == "accept":
                    assignee_id, candidates = None, agent_ids
                elif stage == "handle":
                    if rng.random() < 0.3:
                        assignee_id, candidates = None, handler_ids
                    else:
                        assignee_id, candidates = rng.choice(handler_ids), handler_ids
                elif stage in ("reply", "follow_up"):
                    assignee_id = rng.choice(agent_ids)
                items.append(WorkItem(
                    instance_id=instance.pk, ticket_id=ticket.pk, node_id=template_item.node_id,
                    node_name=template_item.node_name, spiff_task_id=template_item.spiff_task_id, kind="task",
                    state="claimed" if assignee_id else "ready", assignee_id=assignee_id,
                    candidate_users=candidates, candidate_key=candidate_key(candidates),
                    department_id=template_item.department_id, created_at=created,
                    claimed_at=created if assignee_id else None, due_at=due, round=1))
            WorkItem.objects.bulk_create(items)
        made += size
    out.counts.update(
        active_instances=ProcessInstance.objects.filter(status="running").count(),
        open_work_items=WorkItem.objects.filter(state__in=OPEN_STATES).count(),
        overdue_work_items=WorkItem.objects.filter(state__in=OPEN_STATES, due_at__lt=clock.now()).count(),
    )
    return out


class Client:
    """Sequential keep-alive HTTP client per user."""

    def __init__(self, base_url: str, token: str) -> None:
        import httpx

        self.http = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=60)

    def timed(self, method: str, path: str, **kwargs: Any) -> tuple[float, Any]:
        t0 = time.perf_counter()
        response = self.http.request(method, path, **kwargs)
        return time.perf_counter() - t0, response

    def close(self) -> None:
        self.http.close()


def _open_item(ticket_id: int) -> dict[str, Any] | None:
    """The ticket's open work item, read from the database (the benchmark process shares it)."""
    from complaintdesk.workflows.choices import OPEN_STATES
    from complaintdesk.workflows.models import WorkItem

    row = (WorkItem.objects.filter(ticket_id=ticket_id, kind="task", state__in=OPEN_STATES)
           .order_by("id").values("id", "node_id").first())
    return None if row is None else {"work_item_id": row["id"], "node_id": row["node_id"]}


def measure_completions(clients: dict[str, Client], tickets: list[int]) -> dict[str, Any]:
    """Each measured ticket through 受理 → 分派 → 处理 → 审核, one complete per node, node by node."""
    per_node: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    posted = 0
    for node, who in STEPS:
        client = clients[who]
        for index, ticket_id in enumerate(tickets):
            item = _open_item(ticket_id)
            if item is None or item["node_id"] != node:
                errors[f"{node}:not_at_node"] = errors.get(f"{node}:not_at_node", 0) + 1
                continue
            body = {"outcome": "approve", "comment": "已处理，结果已核实。"}
            elapsed, response = client.timed("POST", f"/api/v1/work-items/{item['work_item_id']}/complete",
                                             json=body)
            posted += 1
            if response.status_code != 200:
                errors[str(response.status_code)] = errors.get(str(response.status_code), 0) + 1
                continue
            if index >= 3:  # the first few warm the worker (imports, caches)
                per_node.setdefault(node, []).append(elapsed)
    every = sorted(s for values in per_node.values() for s in values)
    result: dict[str, Any] = {**latency_summary(every), "p90_ms": round(1000 * percentile(every, 90), 2)}
    result["per_node"] = {node: {"p50_ms": round(1000 * percentile(sorted(v), 50), 2),
                                 "p90_ms": round(1000 * percentile(sorted(v), 90), 2), "n": len(v)}
                          for node, v in per_node.items()}
    result["posted"] = posted
    if errors:
        result["errors"] = errors
    return result


@dataclass
class Scenario:
    name: str
    who: str
    path: str


def measure_inbox(clients: dict[str, Client], requests: int) -> dict[str, Any]:
    scenarios = [
        Scenario("mine_agent_pool", "agent", "/api/v1/work-items?box=mine"),
        Scenario("team_agent", "agent", "/api/v1/work-items?box=team"),
        Scenario("mine_handler", "handler", "/api/v1/work-items?box=mine"),
        Scenario("overdue_supervisor", "supervisor", "/api/v1/work-items?box=overdue"),
        Scenario("overdue_handler", "handler", "/api/v1/work-items?box=overdue"),
    ]
    results: dict[str, Any] = {}
    for sc in scenarios:
        client = clients[sc.who]
        latencies: list[float] = []
        counts: list[int] = []
        errors = 0
        for n in range(requests + 3):
            elapsed, response = client.timed("GET", sc.path)
            if response.status_code != 200:
                errors += 1
                continue
            if n < 3:
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
        note(f"{sc.name:22s} p50 {entry.get('p50_ms')} ms  rows {entry.get('rows_median')}")
    return results


def _server_cpu(server: Server) -> float:
    """CPU seconds used so far by the server's processes: unlike wall times, not inflated by a busy machine."""
    return sum(cpu_seconds(pid) for pid in server.pids())


def run(args: argparse.Namespace) -> dict[str, Any]:
    machine = machine_info()
    rng = seed_random(args.seed)
    with bench_data_dir(args.data_dir, prefix="cd-bench-workflow-", keep=args.keep) as data_dir:
        db: BenchDatabase = prepare_database(args.database_url, data_dir)
        try:
            server = Server(data_dir=data_dir, database_url=db.url, workers=args.workers, threads=args.threads)
            note(f"migrating {db.vendor} database {db.name}")
            server.migrate()
            server.admin_token()
            django_setup(data_dir, db.url)
            from django.db import connection

            t0 = time.monotonic()
            seeded = seed(args, rng)
            seed_seconds = time.monotonic() - t0
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # as autovacuum (PostgreSQL) / an operator (SQLite) would
            connection.close()  # reopened (autocommit) to look up the items the server creates
            note(f"seeded in {seed_seconds:.0f} s: {seeded.counts}")
            with server:
                server.start()
                clients = {who: Client(server.base_url, token) for who, token in seeded.tokens.items()}
                try:
                    note(f"completing {len(seeded.measured_tickets)} tickets x {len(STEPS)} nodes")
                    cpu = _server_cpu(server)
                    complete = measure_completions(clients, seeded.measured_tickets)
                    complete["server_cpu_ms_per_request"] = round(
                        1000 * (_server_cpu(server) - cpu) / max(1, complete["posted"]), 2)
                    note(f"complete p50 {complete.get('p50_ms')} ms p90 {complete.get('p90_ms')} ms")
                    cpu = _server_cpu(server)
                    inbox = measure_inbox(clients, args.requests)
                    inbox_cpu_ms = round(1000 * (_server_cpu(server) - cpu) / max(1, 5 * (args.requests + 3)), 2)
                finally:
                    for client in clients.values():
                        client.close()
            log = server.log_text()
        finally:
            if not args.keep:
                drop_database(db)
    inbox_medians = [v["p50_ms"] for v in inbox.values() if "p50_ms" in v]
    return {
        "benchmark": "workflow",
        "database": db.vendor,
        "server": {"workers": args.workers or "default", "threads": args.threads or "default"},
        "seeding": {"seconds": round(seed_seconds, 1), **seeded.counts},
        "complete_work_item": complete,
        "complete_target_median_ms": 25,
        "inbox": inbox,
        "inbox_worst_median_ms": max(inbox_medians) if inbox_medians else None,
        "inbox_server_cpu_ms_per_request": inbox_cpu_ms,
        "inbox_target_median_ms": 50,
        "server_errors_in_log": log.count("Traceback"),
        "machine": machine,
    }


def main(argv: list[str] | None = None) -> None:
    emit(run(parse_args(argv)))


if __name__ == "__main__":
    main()
