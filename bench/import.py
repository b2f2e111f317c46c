"""Import throughput: a generated 100 000-row complaint ledger (xlsx and CSV, written with our own
code) imported through the transfer app's import job on a fresh database; prints one JSON object.

    python bench/import.py --database-url postgres://postgres@127.0.0.1:5432/bench_import
    python bench/import.py --rows 20000                     # SQLite file in a temp data dir

The PostgreSQL database named in the URL is created for the run and dropped afterwards (it must
not exist). The ledger looks like an old system's export: an original id, customer name / phone
(a pool, so that customers repeat), subject, description, old status names (mapped by a value
map), category names, product codes written two ways (PH-X10 / phx10), mixed date formats.

Each file is imported by ``transfer.actions.run_import`` in this process (what the job consumer
runs), after a dry run; the second file re-imports the same records (idempotent: all updates or
unchanged). Memory is this process's peak RSS (``ru_maxrss``), which includes Django and the
migrations; generation runs in a child process so that it does not count. CPU seconds of this
process and of the PostgreSQL backends are reported beside wall time: on a shared machine the
wall time also measures the wait for a free core (see ``loadavg_after``).
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (
    PROBLEMS,
    PRODUCTS,
    REGIONS,
    bench_data_dir,
    chinese_name,
    complaint_text,
    cpu_seconds,
    django_setup,
    drop_database,
    emit,
    machine_info,
    mobile_phone,
    note,
    postgres_backend_pids,
    prepare_database,
    seed_random,
)

HEADERS = ["原工单号", "客户姓名", "联系电话", "地区", "投诉标题", "问题描述", "状态", "投诉类别", "产品型号", "订单号",
           "紧急程度", "投诉日期", "结案时间"]
OLD_STATUSES = ["待处理", "处理中", "已完结", "已关闭", "已解决", "挂起"]
CATEGORY_NAMES = {"malfunction": "功能故障", "appearance_defect": "外观瑕疵", "performance": "性能不达标",
                  "delivery_delay": "配送延迟", "damaged_package": "包装破损", "agent_attitude": "客服态度差",
                  "repair_quality": "维修质量", "invoice": "发票问题", "other": "其他"}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None,
                        help="default: a new SQLite file in the data dir; or postgres://.../NEW_DB_NAME")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.add_argument("--data-dir", default=None, help="CD_DATA_DIR (default: a new temp dir, removed after)")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--skip-export", action="store_true", help="do not time the export of the imported tickets")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--generate", nargs=2, metavar=("XLSX", "CSV"), help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def ledger_rows(count: int, seed: int) -> Any:
    rng = seed_random(seed)
    customers = [(chinese_name(rng), mobile_phone(rng), rng.choice(REGIONS)) for _ in range(max(count // 4, 1))]
    start = datetime(2021, 1, 1, 8, 0)
    categories = list(CATEGORY_NAMES)
    for i in range(count):
        name, phone, region = customers[rng.randrange(len(customers))]
        category = rng.choice(categories)
        sku, product_name, _ = rng.choice(PRODUCTS)
        code = sku if rng.random() < 0.5 else sku.replace("-", "").lower()
        order = f"SO{rng.randrange(10**11):011d}"
        subject, description = complaint_text(rng, category if category in PROBLEMS else "other", product_name, order)
        created = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 365 * 3))
        status = rng.choice(OLD_STATUSES)
        closed = created + timedelta(hours=rng.randrange(2, 400)) if status in ("已完结", "已关闭") else None
        style = i % 3
        created_cell: Any = created if style == 0 else (
            f"{created.year}/{created.month}/{created.day} {created:%H:%M}" if style == 1
            else f"{created.year}年{created.month}月{created.day}日")
        yield [f"OLD-{i + 1:07d}", name, phone, region, subject, description, status, CATEGORY_NAMES[category], code,
               order, rng.choice(["高", "中", "低"]), created_cell, closed]


def generate(xlsx_path: str, csv_path: str, rows: int, seed: int) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(xlsx_path, {"constant_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("投诉台账")
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for c, name in enumerate(HEADERS):
        sheet.write_string(0, c, name)
    with open(csv_path, "w", encoding="gb18030", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for r, values in enumerate(ledger_rows(rows, seed), start=1):
            for c, value in enumerate(values):
                if value is None:
                    continue
                if isinstance(value, datetime):
                    sheet.write_datetime(r, c, value, date_fmt)
                else:
                    sheet.write_string(r, c, value)
            writer.writerow(["" if v is None else (v.strftime("%Y-%m-%d %H:%M") if isinstance(v, datetime) else v)
                             for v in values])
    book.close()


MAPPING = {
    "columns": {"原工单号": "external_id", "客户姓名": "customer.name", "联系电话": "customer.phone",
                "地区": "customer.region", "投诉标题": "subject", "问题描述": "description", "状态": "status",
                "投诉类别": "category", "产品型号": "product", "订单号": "order_number", "紧急程度": "urgency",
                "投诉日期": "created_at", "结案时间": "closed_at"},
    "value_maps": {"status": {"已完结": "closed", "挂起": "pending_customer"}},
    "product_code": {"remove": "- _/.", "upper": True},
    "create_customers": True,
}


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run(args: argparse.Namespace) -> dict[str, Any]:
    machine = machine_info()
    with bench_data_dir(args.data_dir, prefix="cd-bench-import-", keep=args.keep) as data_dir:
        xlsx_path, csv_path = str(data_dir / "ledger.xlsx"), str(data_dir / "ledger.csv")
        t0 = time.monotonic()
        subprocess.run([sys.executable, __file__, "--rows", str(args.rows), "--seed", str(args.seed),
                        "--generate", xlsx_path, csv_path], check=True)
        generated = time.monotonic() - t0
        note(f"generated {args.rows} rows in {generated:.1f} s: xlsx {os.path.getsize(xlsx_path) >> 10} KiB, "
             f"csv {os.path.getsize(csv_path) >> 10} KiB")
        db = prepare_database(args.database_url, data_dir)
        try:
            django_setup(data_dir, db.url)
            from django.core.management import call_command

            note(f"migrating {db.vendor} database {db.name}")
            call_command("migrate", verbosity=0)
            results = _import_both(args, xlsx_path, csv_path, db.name if db.is_postgres else None)
        finally:
            if not args.keep:
                from django.db import connections

                connections.close_all()
                drop_database(db)
    return {"benchmark": "import", "database": db.vendor, "rows": args.rows, "batch_size": args.batch_size,
            "generate_seconds": round(generated, 1), **results, "peak_rss_mb": peak_rss_mb(), "machine": machine}


def _import_both(args: argparse.Namespace, xlsx_path: str, csv_path: str, pg_name: str | None) -> dict[str, Any]:
    from complaintdesk.accounts.actions import do_create_user
    from complaintdesk.customers.actions import do_create_product, do_create_product_line
    from complaintdesk.tickets.models import Ticket, TicketEvent
    from complaintdesk.transfer import actions as A

    admin = do_create_user(username="bench-admin", password="Bench-passw0rd!", display_name="Bench",
                           is_superuser=True, actor=None)
    lines: dict[str, Any] = {}
    for sku, name, line in PRODUCTS:
        if line not in lines:
            lines[line] = do_create_product_line(name=line, actor=None)
        do_create_product(sku=sku.replace("-", ""), name=name, line=lines[line], actor=None)
    out: dict[str, Any] = {}
    for label, path in (("xlsx", xlsx_path), ("csv_gbk_reimport", csv_path)):
        with open(path, "rb") as handle:
            content = handle.read()
        t0 = time.monotonic()
        job = A.do_create_import_job(actor=admin, name=os.path.basename(path), content=content)
        mapping = {**MAPPING, "batch_size": args.batch_size}
        job = A.do_set_mapping(job, actor=admin, mapping=mapping)
        uploaded = time.monotonic() - t0
        t1 = time.monotonic()
        job = A.do_dry_run(job, actor=admin)
        dry = time.monotonic() - t1
        job.status = "queued"
        job.save(update_fields=["status"])
        note(f"{label}: dry run {dry:.1f} s ({job.report['rows_ok']} ok, {job.report['rows_with_errors']} errors); "
             f"importing")
        pg_before = {pid: cpu_seconds(pid) for pid in postgres_backend_pids(pg_name)} if pg_name else {}
        cpu_before = time.process_time()
        t2 = time.monotonic()
        done = A.run_import(job.pk)
        seconds = time.monotonic() - t2
        python_cpu = time.process_time() - cpu_before
        pg_cpu = sum(cpu_seconds(pid) - pg_before.get(pid, 0.0) for pid in postgres_backend_pids(pg_name)) \
            if pg_name else None
        assert done is not None
        note(f"{label}: imported in {seconds:.1f} s: {done.created_count} created, {done.updated_count} updated")
        out[label] = {
            "rows": done.rows_total, "seconds": round(seconds, 2),
            "rows_per_s": round(done.rows_total / seconds, 1) if seconds else None,
            "created": done.created_count, "updated": done.updated_count, "failed": done.rows_failed,
            "upload_and_detect_seconds": round(uploaded, 2), "dry_run_seconds": round(dry, 2),
            # CPU actually used: on a shared, busy machine wall time mostly measures waiting for a core.
            "cpu_seconds": {"python": round(python_cpu, 1),
                            "postgres_backends": None if pg_cpu is None else round(pg_cpu, 1)},
            "write_seconds": done.report.get("write_seconds"),
            "loadavg_after": [round(x, 2) for x in os.getloadavg()],
            "peak_rss_mb_so_far": peak_rss_mb(),
        }
    if not args.skip_export:
        out["export"] = _export_all(admin)
    out["tickets_in_db"] = Ticket.objects.count()
    out["timeline_events_in_db"] = TicketEvent.objects.count()
    first = out["xlsx"]
    out["seconds"], out["rows_per_s"] = first["seconds"], first["rows_per_s"]
    return out


def _export_all(admin: Any) -> dict[str, Any]:
    """Every imported ticket exported to xlsx and csv (streamed) by the export job."""
    from complaintdesk.transfer import actions as A

    out: dict[str, Any] = {}
    for fmt in ("xlsx", "csv"):
        job = A.do_create_export_job(actor=admin, options={"format": fmt, "filters": {}, "sort": "-created_at",
                                                           "columns": None, "form_key": None}, background=False)
        cpu_before = time.process_time()
        t0 = time.monotonic()
        done = A.run_export(job.pk)
        seconds = time.monotonic() - t0
        assert done is not None
        note(f"export {fmt}: {done.rows_total} rows in {seconds:.1f} s")
        out[fmt] = {"rows": done.rows_total, "seconds": round(seconds, 2),
                    "rows_per_s": round(done.rows_total / seconds, 1) if seconds else None,
                    "cpu_seconds": round(time.process_time() - cpu_before, 1),
                    "file_kib": done.result.size >> 10, "peak_rss_mb_so_far": peak_rss_mb()}
    return out


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.generate:
        generate(args.generate[0], args.generate[1], args.rows, args.seed)
        return
    emit(run(args))


if __name__ == "__main__":
    main()
