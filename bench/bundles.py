"""Configuration bundles: how long importing the five industry templates, exporting the whole
configuration, a dry run and a re-import (no-op) take on a fresh database; prints one JSON object.

    python bench/bundles.py                                             # SQLite file in a temp data dir
    python bench/bundles.py --database-url postgres://postgres@127.0.0.1:5432/bench_bundles

The PostgreSQL database named in the URL is created for the run and dropped afterwards. Times are
wall seconds and CPU seconds of this process (on a shared machine wall time also measures the wait
for a core). Nothing is asserted: these are figures.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import bench_data_dir, django_setup, drop_database, emit, machine_info, prepare_database


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="PostgreSQL database to create (default: SQLite in the data dir)")
    parser.add_argument("--data-dir", help="data dir (default: a new temporary one, removed afterwards)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir / database")
    return parser.parse_args(argv)


def timed(fn: Callable[[], Any]) -> tuple[Any, dict[str, float]]:
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return value, {"wall_s": round(time.perf_counter() - wall, 3), "cpu_s": round(time.process_time() - cpu, 3)}


def measure(vendor: str) -> dict[str, Any]:
    from django.core.management import call_command

    from complaintdesk.accounts.actions import do_create_user
    from complaintdesk.bundles.actions import do_export_bundle, do_import_bundle, do_import_template, list_templates
    from complaintdesk.bundles.format import write_zip

    call_command("migrate", verbosity=0)
    admin = do_create_user(username="bench-admin", password="Bench-passw0rd!", display_name="bench",
                           roles=[], is_superuser=True, actor=None)
    templates: dict[str, Any] = {}
    for t in list_templates():
        dry, dry_time = timed(lambda name=t.name: do_import_template(name, actor=admin, dry_run=True))
        result, apply_time = timed(lambda name=t.name: do_import_template(name, actor=admin))
        assert result.ok, result.problems
        templates[t.name] = {"objects_added": result.counts()["added"], "dry_run": dry_time, "import": apply_time}
    bundle, export_time = timed(lambda: do_export_bundle(actor=admin))
    content = write_zip(bundle)
    dry, dry_time = timed(lambda: do_import_bundle(bundle, actor=admin, dry_run=True))
    again, again_time = timed(lambda: do_import_bundle(bundle, actor=admin))
    return {
        "benchmark": "bundles", "database": vendor, "machine": machine_info(),
        "templates": templates,
        "full_configuration": {
            "files": len(bundle.files), "zip_bytes": len(content),
            "objects": sum(dry.counts().values()),
            "export": export_time, "dry_run": dry_time, "reimport_noop": again_time,
            "reimport_changed": again.counts()["changed"] + again.counts()["added"],
        },
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    with bench_data_dir(args.data_dir, prefix="cd-bench-bundles-", keep=args.keep) as data_dir:
        db = prepare_database(args.database_url, data_dir)
        try:
            django_setup(data_dir, db.url)
            return measure(db.vendor)
        finally:
            from django.db import connections

            connections.close_all()
            if not args.keep:
                drop_database(db)


def main(argv: list[str] | None = None) -> None:
    emit(run(parse_args(argv)))


if __name__ == "__main__":
    main()
