"""Intake throughput: C concurrent clients register complaints through POST /api/v1/tickets for T
seconds against a real ``complaintdesk serve`` on a fresh database; prints one JSON object.

    python bench/intake.py                                   # SQLite file in a temp data dir
    python bench/intake.py --database-url postgres://postgres@127.0.0.1:5432/bench_intake

The PostgreSQL database named in the URL is created for the run and dropped afterwards (it
must not exist). Every request has its own channel + external_id, a Chinese subject and an
inline customer (a pool of phone numbers, so that some customers complain again).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (
    PROBLEMS,
    PRODUCTS,
    REGIONS,
    BenchDatabase,
    Server,
    bench_data_dir,
    chinese_name,
    complaint_text,
    cpu_seconds,
    drop_database,
    emit,
    latency_summary,
    machine_info,
    mobile_phone,
    note,
    postgres_backend_pids,
    prepare_database,
    seed_random,
)

CHANNELS = ["wechat", "web_form", "email", "api", "phone", "wecom", "dingtalk", "mini_program"]
LOCKED = "database is locked"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None,
                        help="default: a new SQLite file in the data dir; or postgres://.../NEW_DB_NAME")
    parser.add_argument("--clients", type=int, default=32, help="concurrent HTTP clients (default 32)")
    parser.add_argument("--seconds", type=float, default=20.0, help="how long to send (default 20)")
    parser.add_argument("--max-requests", type=int, default=200_000, help="stop after this many requests")
    parser.add_argument("--workers", type=int, default=None, help="serve --workers (default: serve's default)")
    parser.add_argument("--threads", type=int, default=None, help="serve --threads (default: serve's default)")
    parser.add_argument("--returning", type=float, default=0.2,
                        help="share of complaints from returning customers (default 0.2); the rest are new")
    parser.add_argument("--data-dir", default=None, help="CD_DATA_DIR (default: a new temp dir, removed after)")
    parser.add_argument("--keep", action="store_true", help="keep the data dir and database afterwards")
    parser.add_argument("--client", choices=["raw", "httpx"], default="raw",
                        help="raw: a minimal keep-alive HTTP/1.1 client on asyncio streams (little CPU, so the "
                             "server gets the cores); httpx: httpx.AsyncClient")
    parser.add_argument("--seed", type=int, default=42)
    return parser.parse_args(argv)


class Payloads:
    """Distinct, realistic complaints; external ids are unique per run."""

    def __init__(self, seed: int, returning: float) -> None:
        self.rng = seed_random(seed)
        self.run_id = uuid.uuid4().hex[:8]
        self.returning = returning
        # Returning customers complain again, often about the same kind of problem (repeat complaints).
        self.regulars = [(chinese_name(self.rng), mobile_phone(self.rng), self.rng.choice(REGIONS),
                          self.rng.choice(list(PROBLEMS))) for _ in range(500)]
        self.categories = list(PROBLEMS)
        self.counter = 0

    def next(self) -> dict[str, Any]:
        self.counter += 1
        rng = self.rng
        if rng.random() < self.returning:
            name, phone, region, category = rng.choice(self.regulars)
            if rng.random() < 0.5:
                category = rng.choice(self.categories)
        else:
            name, phone, region = chinese_name(rng), mobile_phone(rng), rng.choice(REGIONS)
            category = rng.choice(self.categories)
        _, product_name, _ = rng.choice(PRODUCTS)
        order_number = f"SO{rng.randrange(10**11):011d}"
        subject, description = complaint_text(rng, category, product_name, order_number)
        return {
            "subject": subject,
            "description": description,
            "channel": rng.choice(CHANNELS),
            "external_id": f"bench-{self.run_id}-{self.counter}",
            "customer": {"name": name, "phone": phone, "region": region},
            "category_key": category,
            "order_number": order_number,
            "urgency": rng.choice(["high", "medium", "medium", "low"]),
            "impact": rng.choice(["high", "medium", "low", "low"]),
        }


class RawConnection:
    """One keep-alive HTTP/1.1 connection. The benchmark client shares two cores with the server,
    so it must spend as little CPU per request as possible; httpx costs several times more."""

    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.host, self.port = host, port
        self.head = "".join(f"{k}: {v}\r\n" for k, v in {"Host": f"{host}:{port}", **headers}.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = f"{method} {path} HTTP/1.1\r\n{self.head}"
        if body:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self.writer.write(head.encode() + b"\r\n" + body)
        try:
            status_line = await self.reader.readline()
            if not status_line:
                raise ConnectionResetError("server closed the connection")
            status = int(status_line.split(b" ", 2)[1])
            length, chunked, close = -1, False, False
            while True:
                line = await self.reader.readline()
                if line in (b"\r\n", b"\n", b""):
                    break
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"transfer-encoding" and b"chunked" in value.lower():
                    chunked = True
                elif name == b"connection" and b"close" in value.lower():
                    close = True
            if chunked:
                data = b""
                while True:
                    size = int((await self.reader.readline()).split(b";")[0], 16)
                    data += await self.reader.readexactly(size + 2)
                    if size == 0:
                        break
            elif length >= 0:
                data = await self.reader.readexactly(length)
            else:
                data, close = await self.reader.read(), True
        except BaseException:
            self.close()
            raise
        if close:
            self.close()
        return status, data

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def _send(base_url: str, token: str, args: argparse.Namespace, payloads: Payloads) -> dict[str, Any]:
    import json
    from urllib.parse import urlsplit

    import httpx

    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    locked_responses = 0
    sent = 0
    headers = {"Authorization": f"Bearer {token}"}
    url = urlsplit(base_url)
    raw = [RawConnection(url.hostname or "127.0.0.1", url.port or 80, headers) for _ in range(args.clients)]
    limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
    async with httpx.AsyncClient(base_url=base_url, headers=headers, limits=limits, timeout=60) as client:

        async def post(index: int, body: dict[str, Any]) -> tuple[int, bytes]:
            if args.client == "raw":
                data = json.dumps(body, ensure_ascii=False).encode()
                return await asyncio.wait_for(raw[index].request("POST", "/api/v1/tickets", data), 60)
            response = await client.post("/api/v1/tickets", json=body)
            return response.status_code, response.content

        async def warm(index: int) -> None:
            if args.client == "raw":
                await raw[index].request("GET", "/api/v1/tickets?page_size=1")
            else:
                await client.get("/api/v1/tickets", params={"page_size": 1})

        # Warm every connection and worker (imports, DB connections) with reads that create nothing.
        for _ in range(2):
            await asyncio.gather(*(warm(i) for i in range(args.clients)))
        started = time.monotonic()
        deadline = started + args.seconds

        async def one_client(index: int) -> None:
            nonlocal sent, locked_responses
            while time.monotonic() < deadline and sent < args.max_requests:
                sent += 1
                body = payloads.next()
                t0 = time.perf_counter()
                try:
                    status, content = await post(index, body)
                except Exception as exc:  # counted, not fatal: the benchmark reports it
                    errors[f"exception:{type(exc).__name__}"] += 1
                    continue
                latencies.append(time.perf_counter() - t0)
                statuses[str(status)] += 1
                if not 200 <= status < 300:
                    errors[str(status)] += 1
                    if LOCKED.encode() in content:
                        locked_responses += 1

        await asyncio.gather(*(one_client(i) for i in range(args.clients)))
        elapsed = time.monotonic() - started
    for connection in raw:
        connection.close()
    return {"latencies": latencies, "statuses": statuses, "errors": errors, "sent": sent,
            "elapsed": elapsed, "locked_responses": locked_responses}


def run(args: argparse.Namespace) -> dict[str, Any]:
    machine = machine_info()
    with bench_data_dir(args.data_dir, prefix="cd-bench-intake-", keep=args.keep) as data_dir:
        db: BenchDatabase = prepare_database(args.database_url, data_dir)
        try:
            server = Server(data_dir=data_dir, database_url=db.url, workers=args.workers, threads=args.threads)
            note(f"migrating {db.vendor} database {db.name}")
            server.migrate()
            token = server.admin_token()
            with server:
                server.start()
                note(f"server on {server.base_url} (pids {server.pids()}); {args.clients} clients for "
                     f"{args.seconds:.0f} s")
                payloads = Payloads(args.seed, args.returning)
                server_pids = server.pids()
                cpu_before = {pid: cpu_seconds(pid) for pid in server_pids}
                client_cpu_before = time.process_time()
                pg_before = {pid: cpu_seconds(pid) for pid in postgres_backend_pids(db.name)} if db.is_postgres \
                    else {}
                outcome = asyncio.run(_send(server.base_url, token, args, payloads))
                client_cpu = time.process_time() - client_cpu_before
                server_cpu = sum(cpu_seconds(pid) - cpu_before.get(pid, 0.0) for pid in server.pids())
                pg_cpu = sum(cpu_seconds(pid) - pg_before.get(pid, 0.0)
                             for pid in postgres_backend_pids(db.name)) if db.is_postgres else None
                processes_seen = len(server.pids())
            log = server.log_text()
            run_tickets = db.scalar("SELECT COUNT(*) FROM tickets_ticket WHERE external_id LIKE %s",
                                    [f"bench-{payloads.run_id}-%"])
            total_tickets = db.scalar("SELECT COUNT(*) FROM tickets_ticket")
        finally:
            if not args.keep:
                drop_database(db)
    statuses: Counter[str] = outcome["statuses"]
    ok = sum(n for code, n in statuses.items() if code.startswith("2"))
    elapsed = outcome["elapsed"]
    return {
        "benchmark": "intake",
        "database": db.vendor,
        "clients": args.clients,
        "seconds": round(elapsed, 2),
        "server": {"workers": args.workers or "default", "threads": args.threads or "default",
                   "processes_seen": processes_seen},
        "requests": outcome["sent"],
        "ok": ok,
        "created_201": statuses.get("201", 0),
        "errors": dict(outcome["errors"]),
        "throughput_per_s": round(ok / elapsed, 1) if elapsed else 0,
        "latency": latency_summary(outcome["latencies"]),
        "tickets_in_db": run_tickets,
        "tickets_in_db_total": total_tickets,
        "lost": ok - (run_tickets or 0),
        "database_locked_errors": outcome["locked_responses"] + log.count(LOCKED),
        "server_errors_in_log": log.count("Traceback"),
        "client": args.client,
        "cpu_seconds": {"client": round(client_cpu, 1), "server": round(server_cpu, 1),
                        "postgres_backends": None if pg_cpu is None else round(pg_cpu, 1),
                        "available": round(elapsed * (machine["cpus"] or 1), 1)},
        "cpu_ms_per_ok_request": {
            "client": round(1000 * client_cpu / ok, 2) if ok else None,
            "server": round(1000 * server_cpu / ok, 2) if ok else None,
            "postgres_backends": round(1000 * pg_cpu / ok, 2) if ok and pg_cpu is not None else None,
        },
        "machine": machine,
    }


def main(argv: list[str] | None = None) -> None:
    emit(run(parse_args(argv)))


if __name__ == "__main__":
    main()
