"""Idle memory of a server started the way ``make run`` starts it: ``complaintdesk migrate``, the
demo data (``complaintdesk demo --if-empty``), then ``complaintdesk serve`` with its default web
workers and the job consumer beside them. Prints one JSON object.

    python bench/idle_memory.py                      # SQLite in a temp data dir
    python bench/idle_memory.py --demo-tickets 0     # skip the demo data

Memory is read from /proc/<pid>/status (VmRSS) for the master, each web worker and the job
consumer, twice: once the processes are idle after start, and again idle after a short warm-up
of typical API calls (workers import and cache more on their first requests). RSS counts pages
shared between the forked workers and the master once per process, so the proportional set size
(Pss, from /proc/<pid>/smaps_rollup) is reported beside it: its sum is what the server really
occupies.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (
    Server,
    bench_data_dir,
    cmdline,
    cpu_seconds,
    drop_database,
    emit,
    machine_info,
    note,
    prepare_database,
    process_tree,
    rss_kb,
)

TARGET_MB = 250


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None,
                        help="default: a new SQLite file in the data dir; or postgres://.../NEW_DB_NAME")
    parser.add_argument("--demo-tickets", type=int, default=500,
                        help="demo tickets to seed first (`make run` seeds 5000, which takes minutes and does "
                             "not change idle memory; default 500; 0 = none)")
    parser.add_argument("--warmup-requests", type=int, default=60, help="API calls between the two readings")
    parser.add_argument("--workers", type=int, default=None, help="serve --workers (default: serve's default)")
    parser.add_argument("--threads", type=int, default=None, help="serve --threads (default: serve's default)")
    parser.add_argument("--data-dir", default=None, help="CD_DATA_DIR (default: a new temp dir, removed after)")
    parser.add_argument("--keep", action="store_true", help="keep the data dir and database afterwards")
    return parser.parse_args(argv)


def pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def wait_idle(pids_of: Any, *, quiet_seconds: float = 3.0, timeout: float = 60.0) -> float:
    """Wait until the processes use (almost) no CPU for ``quiet_seconds``; returns the wait."""
    started = time.monotonic()
    last = sum(cpu_seconds(p) for p in pids_of())
    quiet_since = time.monotonic()
    while time.monotonic() - started < timeout:
        time.sleep(0.5)
        now = sum(cpu_seconds(p) for p in pids_of())
        if now - last > 0.02:
            quiet_since = time.monotonic()
        last = now
        if time.monotonic() - quiet_since >= quiet_seconds:
            break
    return round(time.monotonic() - started, 1)


def reading(master: int) -> dict[str, Any]:
    """RSS and PSS per role: master, web workers, job consumer."""
    processes: list[dict[str, Any]] = []
    for pid in process_tree(master):
        text = cmdline(pid)
        if pid == master:
            role = "master"
        elif " worker" in f" {text} " and "complaintdesk.cli" in text:
            role = "job_consumer"
        else:
            role = "web_worker"
        processes.append({"pid": pid, "role": role, "rss_mb": round(rss_kb(pid) / 1024, 1),
                          "pss_mb": round(pss_kb(pid) / 1024, 1)})
    rss_total = round(sum(p["rss_mb"] for p in processes), 1)
    return {
        "processes": processes,
        "web_workers": sum(1 for p in processes if p["role"] == "web_worker"),
        "rss_total_mb": rss_total,
        "pss_total_mb": round(sum(p["pss_mb"] for p in processes), 1),
        "under_target_rss": rss_total < TARGET_MB,
    }


def warm_up(server: Server, token: str, requests: int) -> None:
    import httpx

    paths = ["/api/v1/health", "/api/v1/me", "/api/v1/tickets", "/api/v1/tickets?status=new",
             "/api/v1/tickets?q=%E5%B1%8F%E5%B9%95", "/api/v1/categories", "/api/v1/tickets/meta",
             "/api/v1/customers", "/api/v1/users", "/api/v1/openapi.json", "/"]
    with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
        for i in range(requests):
            client.get(paths[i % len(paths)])


def run(args: argparse.Namespace) -> dict[str, Any]:
    machine = machine_info()
    with bench_data_dir(args.data_dir, prefix="cd-bench-memory-", keep=args.keep) as data_dir:
        db = prepare_database(args.database_url, data_dir)
        try:
            server = Server(data_dir=data_dir, database_url=db.url, job_worker=True, workers=args.workers,
                            threads=args.threads)
            note(f"migrating {db.vendor} database {db.name}")
            server.migrate()
            if args.demo_tickets:
                note(f"demo data: {args.demo_tickets} tickets")
                server.cli("demo", "--if-empty", "--tickets", str(args.demo_tickets))
            token = server.admin_token()
            with server:
                server.start()
                assert server.process is not None
                master = server.process.pid
                note(f"server on {server.base_url}; waiting until idle")
                waited = wait_idle(lambda: process_tree(master))
                cold = reading(master)
                note(f"idle after start: RSS {cold['rss_total_mb']} MB; warming up")
                warm_up(server, token, args.warmup_requests)
                waited_warm = wait_idle(lambda: process_tree(master))
                warm = reading(master)
                note(f"idle after warm-up: RSS {warm['rss_total_mb']} MB")
        finally:
            if not args.keep:
                drop_database(db)
    return {
        "benchmark": "idle_memory",
        "database": db.vendor,
        "demo_tickets": args.demo_tickets,
        "server": {"workers": args.workers or "default", "threads": args.threads or "default"},
        "target_mb": TARGET_MB,
        "idle_after_start": {**cold, "waited_s": waited},
        "idle_after_warmup": {**warm, "waited_s": waited_warm, "warmup_requests": args.warmup_requests},
        "machine": machine,
    }


def main(argv: list[str] | None = None) -> None:
    emit(run(parse_args(argv)))


if __name__ == "__main__":
    main()
