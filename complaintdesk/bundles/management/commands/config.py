"""``complaintdesk config export|import|templates``: configuration bundles from the command line
(the same export, validation, plan and import as the API; docs/config-bundles.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from complaintdesk.accounts.models import User
from complaintdesk.bundles import actions as A
from complaintdesk.bundles.format import BundleError, read_directory, read_zip, write_directory, write_zip
from complaintdesk.core.context import via
from complaintdesk.core.errors import DomainError


class Command(BaseCommand):
    help = "Export or import the configuration as a bundle (zip of YAML + BPMN); see docs/config-bundles.md."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="write the configuration to a zip (or a directory)")
        export.add_argument("-o", "--output", default="complaintdesk-config.zip",
                            help="the .zip to write; a path ending in / writes a directory")
        export.add_argument("--kinds", nargs="+", choices=A.ALL_KIND_NAMES, help="only these kinds")
        export.add_argument("--user", help="the administrator it runs as (default: the first superuser)")
        imp = sub.add_parser("import", help="import a bundle (a .zip or a directory) or a shipped template")
        imp.add_argument("file", nargs="?", help="the bundle: a .zip or a directory")
        imp.add_argument("--template", help="a shipped industry template instead of a file (see `config templates`)")
        imp.add_argument("--dry-run", action="store_true", help="validate and print the plan; change nothing")
        imp.add_argument("--prune", action="store_true",
                         help="disable objects of the bundle's kinds that the bundle does not contain")
        imp.add_argument("--json", action="store_true", help="print the result as JSON")
        imp.add_argument("--user", help="the administrator it runs as (default: the first superuser)")
        templates = sub.add_parser("templates", help="list the shipped industry templates")
        templates.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "templates":
            items = A.list_templates()
            if options.get("json"):
                self.stdout.write(json.dumps([t.__dict__ for t in items], ensure_ascii=False, indent=2))
            else:
                for t in items:
                    self.stdout.write(f"{t.name:<14} {t.title} / {t.title_en}\n    {t.description}")
            return
        user = user_or_error(options.get("user"))
        try:
            with via("cli"):
                A.check_manage_config(user)
                if action == "export":
                    self._export(user, options)
                else:
                    self._import(user, options)
        except BundleError as exc:
            for p in exc.problems:
                self.stderr.write(f"{p.file or '(bundle)'}: {p.message}")
            raise CommandError("配置包无法读取 / the bundle cannot be read") from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def _export(self, user: User, options: dict[str, Any]) -> None:
        bundle = A.do_export_bundle(actor=user, kinds=options.get("kinds"))
        out = str(options["output"])
        if out.endswith("/"):
            write_directory(bundle, Path(out))
        elif out == "-":
            sys.stdout.buffer.write(write_zip(bundle))
            return
        else:
            Path(out).write_bytes(write_zip(bundle))
        self.stdout.write(f"已导出 {len(bundle.files)} 个文件 / exported {len(bundle.files)} files → {out}")

    def _import(self, user: User, options: dict[str, Any]) -> None:
        if bool(options.get("file")) == bool(options.get("template")):
            raise CommandError("需要 FILE 或 --template NAME（二选一）/ give FILE or --template NAME (one of them)")
        if options.get("template"):
            result = A.do_import_template(options["template"], actor=user, dry_run=options["dry_run"],
                                          prune=options["prune"])
        else:
            path = Path(options["file"])
            if not path.exists():
                raise CommandError(f"文件不存在 / no such file: {path}")
            bundle = read_directory(path) if path.is_dir() else read_zip(path.read_bytes())
            result = A.do_import_bundle(bundle, actor=user, dry_run=options["dry_run"], prune=options["prune"])
        if options.get("json"):
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(format_result(result))
        if not result.ok:
            raise CommandError(f"配置包有 {len(result.problems)} 个问题，未导入 / the bundle has "
                               f"{len(result.problems)} problem(s); nothing was imported")


def format_result(result: A.ImportResult) -> str:
    lines: list[str] = []
    for plan in result.kinds:
        if not (plan.added or plan.changed or plan.removed):
            lines.append(f"= {plan.label}: {len(plan.unchanged)} 未变 / unchanged")
            continue
        lines.append(f"* {plan.label}: +{len(plan.added)} ~{len(plan.changed)} ={len(plan.unchanged)} "
                     f"-{len(plan.removed)}")
        lines.extend(f"    + {key}" for key in plan.added)
        for change in plan.changed:
            lines.append(f"    ~ {change['key']}: {', '.join(change['fields'])}")
        note = plan.prune_note if (result.prune and plan.prunable) else "仅列出 / listed only (use --prune)" \
            if plan.prunable else plan.prune_note
        lines.extend(f"    - {key}  [{note}]" for key in plan.removed)
    for p in result.problems:
        lines.append(f"! {p.file}{' ' + p.path if p.path else ''}: {p.message}")
    counts = result.counts()
    state = ("已导入 / imported" if result.applied else
             "试运行，未改动 / dry run, nothing changed" if result.dry_run and result.ok else "未导入 / not imported")
    lines.append(f"{state}: +{counts['added']} ~{counts['changed']} ={counts['unchanged']} -{counts['removed']}")
    return "\n".join(lines)


def user_or_error(username: str | None) -> User:
    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"用户不存在 / no such active user: {username}")
        return user
    user = User.objects.filter(is_superuser=True, is_active=True).order_by("id").first()
    if user is None:
        raise CommandError("没有管理员，请先运行 createadmin / no administrator: run `complaintdesk createadmin` "
                           "first, or pass --user")
    return user

