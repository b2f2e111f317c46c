"""``complaintdesk import FILE --mapping MAPPING.yaml [--dry-run]``: migrate an old system's
spreadsheet from the command line (the same job, mapping, dry run and import as the API)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from complaintdesk.accounts.models import User
from complaintdesk.core.context import via
from complaintdesk.core.errors import DomainError
from complaintdesk.transfer import actions as A
from complaintdesk.transfer.choices import JobStatus
from complaintdesk.transfer.mapping import load_mapping_file
from complaintdesk.transfer.models import TransferJob


class Command(BaseCommand):
    help = ("Import complaints from an xlsx/xls/csv file with a mapping (YAML or JSON; see docs/migration.md). "
            "Without --mapping the suggested mapping is printed.")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file")
        parser.add_argument("--mapping", help="the mapping file (.yaml or .json)")
        parser.add_argument("--dry-run", action="store_true", help="validate only; print the report")
        parser.add_argument("--report", help="with --dry-run: write the rows with errors to this .xlsx")
        parser.add_argument("--user", help="the administrator the import runs as (default: the first superuser)")
        parser.add_argument("--resume", type=int, help="resume the failed import job with this id")

    def handle(self, *args: Any, **options: Any) -> None:
        user = self._user(options.get("user"))
        try:
            with via("cli"):
                A.check_import(user)
                if options.get("resume"):
                    job = TransferJob.objects.filter(pk=options["resume"], owner=user).first()
                    if job is None:
                        raise CommandError(f"no import job {options['resume']} of {user.username}")
                    self._run(A.do_queue_import_now(job, actor=user))
                    return
                path = Path(options["file"])
                if not path.is_file():
                    raise CommandError(f"no such file: {path}")
                job = A.do_create_import_job(actor=user, name=path.name, content=path.read_bytes())
                if not options.get("mapping"):
                    self.stdout.write(json.dumps(job.mapping, ensure_ascii=False, indent=2))
                    self.stderr.write("suggested mapping printed; save it, edit it and pass it with --mapping")
                    return
                mapping_path = Path(options["mapping"])
                raw = load_mapping_file(mapping_path.read_text(encoding="utf-8"), mapping_path.name)
                if isinstance(raw, dict) and "columns" not in raw:
                    raw = {**job.mapping, **raw}
                job = A.do_set_mapping(job, actor=user, mapping=raw)
                job = A.do_dry_run(job, actor=user)
                self._print_report(job)
                if options["dry_run"]:
                    if options.get("report") and job.result:
                        Path(options["report"]).write_bytes(job.result.open("rb").read())
                        self.stderr.write(f"rows with errors written to {options['report']}")
                    return
                self._run(A.do_queue_import_now(job, actor=user))
        except DomainError as exc:
            raise CommandError(f"{exc.message} {json.dumps(exc.details, ensure_ascii=False)[:2000]}") from exc

    def _user(self, username: str | None) -> User:
        qs = User.objects.filter(is_active=True)
        user = qs.filter(username=username).first() if username else qs.filter(is_superuser=True).order_by("id").first()
        if user is None:
            raise CommandError(f"no active user {username!r}" if username else "no superuser: pass --user")
        return user

    def _print_report(self, job: TransferJob) -> None:
        r = job.report
        self.stdout.write(f"dry run: {r['rows_total']} rows, {r['rows_ok']} ok, {r['rows_with_errors']} with errors; "
                          f"would create {r['would_create']}, update {r['would_update']}; "
                          f"new customers {r['new_customers']}; duplicates {r['duplicate_count']}")
        for e in r["errors"][:50]:
            self.stdout.write(f"  row {e['row']} [{e['column']}] {e['value']!r}: {e['message']}")
        for miss in r["value_map_misses"][:50]:
            self.stdout.write(f"  value map miss: {miss['field']} {miss['value']!r} ({miss['rows']} rows)")
        if r["new_categories"]:
            self.stdout.write(f"  new categories: {', '.join(r['new_categories'])}")

    def _run(self, job: TransferJob) -> None:
        def progress(current: TransferJob) -> None:
            self.stderr.write(f"  {current.rows_done}/{current.rows_total} rows")

        try:
            done = A.run_import(job.pk, on_batch=progress)
        except Exception as exc:
            raise CommandError(f"import job {job.pk} failed: {exc}; resume with --resume {job.pk}") from exc
        if done is None or done.status != JobStatus.COMPLETED:
            raise CommandError(f"import job {job.pk} did not complete")
        self.stdout.write(f"import job {done.pk}: {done.created_count} created, {done.updated_count} updated, "
                          f"{done.rows_failed} rows with errors skipped")
