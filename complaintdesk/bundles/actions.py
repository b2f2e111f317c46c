"""Export the configuration as a bundle, and import one: validate everything, plan, apply.

Import = read (limits, paths) → parse every file → check shapes, the owning apps' validators
(forms, BPMN, conditions) and every reference → plan (added / changed / unchanged / removed per
kind, by comparing documents) → apply the plan through the owning apps' actions inside one
transaction, each object in its own savepoint so that every problem is reported at once. A dry run,
or any problem, rolls the whole transaction back: nothing is written.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction

from complaintdesk import __version__
from complaintdesk.accounts import permissions as P
from complaintdesk.accounts.access import check_perm
from complaintdesk.bundles.format import (
    FORMAT_VERSION,
    MANIFEST,
    Bundle,
    BundleError,
    Problem,
    check_path,
    checksum,
    dump_yaml,
    load_yaml,
    read_directory,
    safe_name,
)
from complaintdesk.bundles.kinds import KIND_BY_NAME, KINDS, ImportContext, Kind, Processes
from complaintdesk.bundles.refs import REF_KIND_SOURCE, Resolver, collect_refs
from complaintdesk.core import clock
from complaintdesk.core.audit import record_audit
from complaintdesk.core.errors import DomainError, InvalidInput, NotFound

if TYPE_CHECKING:
    from complaintdesk.accounts.models import User

logger = logging.getLogger(__name__)
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
ALL_KIND_NAMES = tuple(k.name for k in KINDS)


def check_manage_config(actor: User) -> None:
    check_perm(actor, P.CONFIG_MANAGE)


# --- export ----------------------------------------------------------------------------------------


def _kinds(names: Iterable[str] | None) -> list[Kind]:
    if not names:
        return list(KINDS)
    wanted = list(dict.fromkeys(names))
    unknown = [n for n in wanted if n not in KIND_BY_NAME]
    if unknown:
        raise InvalidInput(f"未知的配置类型 / unknown kinds {unknown} (known: {list(ALL_KIND_NAMES)})",
                           details={"kinds": unknown})
    return [k for k in KINDS if k.name in wanted]


def export_documents(kinds: list[Kind]) -> dict[str, dict[str, Any]]:
    resolver = Resolver()
    return {kind.name: kind.export(resolver) for kind in kinds}


def documents_to_files(docs: dict[str, dict[str, Any]]) -> dict[str, bytes]:
    """The files of the documents (no manifest): sorted keys, one file per object or per taxonomy."""
    files: dict[str, bytes] = {}
    for name, objects in docs.items():
        kind = KIND_BY_NAME[name]
        if kind.list_file:
            files[kind.list_file] = dump_yaml({"items": [objects[k] for k in sorted(objects)]})
            continue
        used: set[str] = set()
        for key in sorted(objects):
            doc = dict(objects[key])
            stem = safe_name(key)
            n = 2
            while stem.lower() in used:  # two keys that look alike as file names
                stem = f"{safe_name(key)}~{n}"
                n += 1
            used.add(stem.lower())
            if isinstance(kind, Processes):
                files[f"{kind.directory}/{stem}.bpmn"] = doc.pop("bpmn").encode("utf-8")
            files[f"{kind.directory}/{stem}.yaml"] = dump_yaml(doc)
    return files


def manifest_for(files: dict[str, bytes], kinds: list[str], *, extra: dict[str, Any] | None = None,
                 created: str | None = None) -> bytes:
    manifest = {
        "format_version": FORMAT_VERSION, "app_version": __version__,
        "created": created or clock.now().isoformat(timespec="seconds"), "kinds": kinds,
        "checksums": {path: checksum(content) for path, content in sorted(files.items())},
        **(extra or {}),
    }
    return dump_yaml(manifest)


def do_export_bundle(*, actor: User | None, kinds: Iterable[str] | None = None) -> Bundle:
    """The configuration (or the listed kinds) as a bundle; audited, writes nothing else."""
    chosen = _kinds(kinds)
    files = documents_to_files(export_documents(chosen))
    files[MANIFEST] = manifest_for(files, [k.name for k in chosen])
    record_audit(actor=actor, action="config.exported", obj=None, object_type="config",
                 data={"kinds": [k.name for k in chosen], "files": len(files)})
    return Bundle(files=files)


# --- reading a bundle --------------------------------------------------------------------------------


@dataclass
class ParsedBundle:
    manifest: dict[str, Any]
    kinds: list[str]
    docs: dict[str, dict[str, dict[str, Any]]]  # kind -> key -> normalised document
    files: dict[str, dict[str, str]]  # kind -> key -> file it came from
    problems: list[Problem] = field(default_factory=list)


def _problem(problems: list[Problem], file: str, path: str, message: str) -> None:
    problems.append(Problem(file=file, path=path, message=message))


def parse_bundle(bundle: Bundle) -> ParsedBundle:
    problems: list[Problem] = []
    for name in bundle.files:
        why = check_path(name)
        if why:
            _problem(problems, name, "", why)
    manifest: dict[str, Any] = {}
    if MANIFEST not in bundle.files:
        _problem(problems, MANIFEST, "", "缺少 manifest.yaml / manifest.yaml is missing")
    else:
        try:
            loaded = load_yaml(bundle.files[MANIFEST])
            manifest = loaded if isinstance(loaded, dict) else {}
            if not isinstance(loaded, dict):
                _problem(problems, MANIFEST, "", "应为对象 / must be a mapping")
        except Exception as exc:
            _problem(problems, MANIFEST, "", f"YAML 无法解析 / invalid YAML: {exc}")
    version = manifest.get("format_version")
    if manifest and (not isinstance(version, int) or version > FORMAT_VERSION or version < 1):
        _problem(problems, MANIFEST, "/format_version",
                 f"不支持的格式版本 {version!r} / unsupported format version (this instance reads 1..{FORMAT_VERSION})")
    listed = manifest.get("kinds")
    kinds: list[Any] = listed if isinstance(listed, list) else []
    if manifest and not kinds:
        _problem(problems, MANIFEST, "/kinds", "kinds 必填 / kinds is required")
    unknown_kinds = [k for k in kinds if k not in KIND_BY_NAME]
    for k in unknown_kinds:
        _problem(problems, MANIFEST, "/kinds", f"未知的配置类型 / unknown kind {k!r}")
    kinds = [k.name for k in KINDS if k.name in kinds]
    found_sums = manifest.get("checksums")
    sums: dict[Any, Any] = found_sums if isinstance(found_sums, dict) else {}
    for path, content in sorted(bundle.files.items()):
        if path != MANIFEST and path in sums and sums[path] != checksum(content):
            _problem(problems, path, "", "校验和不符（文件被修改或损坏）/ checksum mismatch (file changed or damaged)")
    for path in sorted(set(sums) - set(bundle.files)):
        _problem(problems, str(path), "", "清单中列出的文件缺失 / a file listed in the manifest is missing")

    docs: dict[str, dict[str, dict[str, Any]]] = {}
    origins: dict[str, dict[str, str]] = {}
    claimed = {MANIFEST}
    for name in kinds:
        kind = KIND_BY_NAME[name]
        docs[name], origins[name] = {}, {}
        raw: list[tuple[str, str, Any]] = []  # (file, pointer, document)
        if kind.list_file:
            claimed.add(kind.list_file)
            if kind.list_file in bundle.files:
                data = _load(bundle, kind.list_file, problems)
                items = data.get("items") if isinstance(data, dict) else None
                if data is not None and not isinstance(items, list):
                    _problem(problems, kind.list_file, "/items", "应为列表 / items must be a list")
                for i, item in enumerate(items or []):
                    raw.append((kind.list_file, f"/items/{i}", item))
        else:
            prefix = f"{kind.directory}/"
            for path in sorted(p for p in bundle.files if p.startswith(prefix) and "/" not in p[len(prefix):]):
                if isinstance(kind, Processes) and path.endswith(".bpmn"):
                    claimed.add(path)
                    continue
                if not path.endswith(".yaml"):
                    continue
                claimed.add(path)
                data = _load(bundle, path, problems)
                if data is None:
                    continue
                if isinstance(kind, Processes) and isinstance(data, dict):
                    bpmn_path = path[:-5] + ".bpmn"
                    if bpmn_path not in bundle.files:
                        _problem(problems, path, "", f"缺少 {bpmn_path} / {bpmn_path} is missing")
                        continue
                    try:
                        data = {**data, "bpmn": bundle.files[bpmn_path].decode("utf-8")}
                    except UnicodeDecodeError:
                        _problem(problems, bpmn_path, "", "不是 UTF-8 文本 / not UTF-8 text")
                        continue
                raw.append((path, "", data))
        for file, pointer, doc in raw:
            shape = kind.shape_problems(doc)
            for where, message in shape:
                _problem(problems, file, pointer + where, message)
            if shape:
                continue
            key = doc["key"]
            if key in docs[name]:
                _problem(problems, file, f"{pointer}/key", f"key 重复 / duplicate key {key!r} "
                                                           f"(also in {origins[name][key]})")
                continue
            normalised = kind.normalise(doc)
            for where, message in kind.extra_problems(normalised):
                _problem(problems, file, pointer + where, message)
            docs[name][key] = normalised
            origins[name][key] = file + pointer
    for path in sorted(set(bundle.files) - claimed):
        _problem(problems, path, "", "未知文件（不属于 manifest 列出的类型）/ unknown file (not of a kind the "
                                     "manifest lists)")
    parsed = ParsedBundle(manifest=manifest, kinds=kinds, docs=docs, files=origins, problems=problems)
    _check_references(parsed)
    return parsed


def _load(bundle: Bundle, path: str, problems: list[Problem]) -> Any:
    try:
        return load_yaml(bundle.files[path])
    except Exception as exc:
        _problem(problems, path, "", f"YAML 无法解析 / invalid YAML: {str(exc)[:300]}")
        return None


def _check_references(parsed: ParsedBundle) -> None:
    """Every reference names an object of the bundle or of this instance (users: of this instance)."""
    resolver = Resolver()
    for name, objects in parsed.docs.items():
        kind = KIND_BY_NAME[name]
        for key, doc in objects.items():
            refs = kind.plain_refs(doc) + collect_refs(doc)
            for ref_kind, ref_key, where in refs:
                if not _reference_exists(parsed, ref_kind, ref_key, resolver):
                    where_file = parsed.files[name][key]
                    file, _, pointer = where_file.partition("/items/") if "/items/" in where_file else (
                        where_file, "", "")
                    prefix = f"/items/{pointer}" if pointer else ""
                    _problem(parsed.problems, file, prefix + where,
                             f"引用的{ref_kind}不存在：{ref_key!r} / unknown {ref_kind} {ref_key!r} "
                             "(neither in the bundle nor in this instance)")


def _reference_exists(parsed: ParsedBundle, ref_kind: str, key: str, resolver: Resolver) -> bool:
    if ref_kind not in REF_KIND_SOURCE:
        return False
    source = REF_KIND_SOURCE[ref_kind]
    if source in parsed.docs:
        objects = parsed.docs[source]
        if ref_kind == "template_key":
            if any(d["template_key"] == key for d in objects.values()):
                return True
        elif key in objects or (ref_kind == "department" and any(d["name"] == key for d in objects.values())):
            return True
    if ref_kind == "template_key":
        from complaintdesk.notifications.models import NotificationTemplate

        return NotificationTemplate.objects.filter(key=key).exists()
    if ref_kind == "process":
        from complaintdesk.workflows.models import ProcessDefinition

        return ProcessDefinition.objects.filter(key=key).exists()
    if ref_kind == "form":
        from complaintdesk.forms.models import Form

        return Form.objects.filter(key=key).exists()
    if ref_kind == "role":
        from complaintdesk.accounts.models import Role

        return Role.objects.filter(key=key).exists()
    if ref_kind == "department":
        from complaintdesk.accounts.models import Department

        if Department.objects.filter(name=key).exists():
            return True
    return resolver.pk_of(ref_kind, key) is not None


# --- plan and apply ----------------------------------------------------------------------------------


def _short(value: Any) -> Any:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return value if len(text) <= 200 else f"{text[:120]}… ({len(text)} chars)"


def field_diff(kind: Kind, old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """What changed, field by field: old and new for short values, a summary for long ones."""
    out: dict[str, Any] = {}
    for name in sorted(set(old) | set(new)):
        if old.get(name) == new.get(name):
            continue
        if name == "schema":
            from complaintdesk.forms.diff import diff_schemas

            d = diff_schemas(old.get(name), new.get(name))
            out[name] = {"fields_added": [f["key"] for f in d["added"]],
                         "fields_removed": [f["key"] for f in d["removed"]],
                         "fields_changed": [f["key"] for f in d["changed"]],
                         "layout_changed": d["layout_changed"], "settings_changed": d["settings_changed"]}
        elif name == "bpmn":
            out[name] = {"changed": True, "old_chars": len(old.get(name) or ""), "new_chars": len(new.get(name) or "")}
        elif name == "days":
            before = {d["date"]: d for d in old.get(name) or []}
            after = {d["date"]: d for d in new.get(name) or []}
            out[name] = {"added": len(set(after) - set(before)), "removed": len(set(before) - set(after)),
                         "changed": sum(1 for k in set(after) & set(before) if after[k] != before[k])}
        elif isinstance(old.get(name), dict) and isinstance(new.get(name), dict):
            out[name] = {"changes": _nested_diff(old[name], new[name])}
        else:
            out[name] = {"old": _short(old.get(name)), "new": _short(new.get(name))}
    return out


def _nested_diff(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"P1.resolution_minutes": {"old": 120, "new": 90}}``: the changed leaves of two mappings."""
    out: dict[str, Any] = {}
    for key in sorted(set(old) | set(new), key=str):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        path = f"{prefix}{key}"
        if isinstance(a, dict) and isinstance(b, dict):
            out.update(_nested_diff(a, b, f"{path}."))
        else:
            out[path] = {"old": _short(a), "new": _short(b)}
    return out


@dataclass
class KindPlan:
    kind: str
    label: str
    added: list[str] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    prunable: bool = False
    prune_note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "label": self.label, "added": self.added, "changed": self.changed,
                "unchanged": self.unchanged, "removed": self.removed, "prunable": self.prunable,
                "prune_note": self.prune_note}


@dataclass
class ImportResult:
    dry_run: bool
    prune: bool
    applied: bool
    kinds: list[KindPlan]
    problems: list[Problem]
    template: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def counts(self) -> dict[str, int]:
        return {n: sum(len(getattr(k, n)) for k in self.kinds) for n in ("added", "changed", "unchanged", "removed")}

    def as_dict(self) -> dict[str, Any]:
        return {"dry_run": self.dry_run, "prune": self.prune, "applied": self.applied, "ok": self.ok,
                "template": self.template, "counts": self.counts(), "kinds": [k.as_dict() for k in self.kinds],
                "problems": [p.as_dict() for p in self.problems]}


def plan_import(parsed: ParsedBundle) -> list[KindPlan]:
    current = export_documents([KIND_BY_NAME[n] for n in parsed.kinds])
    plans = []
    for name in parsed.kinds:
        kind = KIND_BY_NAME[name]
        have = {k: kind.normalise(d) for k, d in current[name].items()}
        want = parsed.docs[name]
        plan = KindPlan(kind=name, label=kind.label, prunable=kind.prunable, prune_note=kind.prune_note)
        for key in sorted(want):
            if key not in have:
                plan.added.append(key)
            elif have[key] != want[key]:
                plan.changed.append({"key": key, "fields": field_diff(kind, have[key], want[key])})
            else:
                plan.unchanged.append(key)
        plan.removed = sorted(set(have) - set(want))
        plans.append(plan)
    return plans


class _Rollback(Exception):
    pass


def do_import_bundle(bundle: Bundle, *, actor: User | None, dry_run: bool = False, prune: bool = False,
                     template: str | None = None) -> ImportResult:
    """Import ``bundle``; with ``dry_run`` (or any problem) nothing is kept. ``prune`` disables the
    objects of the bundle's kinds that the bundle does not contain (where the kind can be disabled)."""
    parsed = parse_bundle(bundle)
    if parsed.problems:
        return ImportResult(dry_run=dry_run, prune=prune, applied=False, kinds=[], problems=parsed.problems,
                            template=template)
    plans = plan_import(parsed)
    problems: list[Problem] = []
    applied = False
    try:
        with transaction.atomic():
            current = export_documents([KIND_BY_NAME[n] for n in parsed.kinds])
            ctx = ImportContext(actor)
            for plan in plans:
                kind = KIND_BY_NAME[plan.kind]
                have = {k: kind.normalise(d) for k, d in current[plan.kind].items()}
                want = parsed.docs[plan.kind]
                added = {k: want[k] for k in plan.added}
                for key in kind.order_for_create(added):
                    _guarded(problems, parsed.files[plan.kind][key], kind.create, want[key], ctx)
                for key in kind.order_for_update([c["key"] for c in plan.changed], want):
                    _guarded(problems, parsed.files[plan.kind][key], kind.update, want[key], have[key], ctx)
                if prune and kind.prunable:
                    for key in plan.removed:
                        if _is_disabled(have[key]):
                            continue
                        _guarded(problems, f"({plan.kind}: {key})", kind.prune, have[key], ctx)
            if problems or dry_run:
                raise _Rollback
            record_audit(actor=actor, action="config.imported", obj=None, object_type="config", data={
                "template": template, "prune": prune,
                "counts": {p.kind: {"added": len(p.added), "changed": len(p.changed), "removed": len(p.removed)}
                           for p in plans}})
            applied = True
    except _Rollback:
        pass
    return ImportResult(dry_run=dry_run, prune=prune, applied=applied, kinds=plans, problems=problems,
                        template=template)


def _is_disabled(doc: dict[str, Any]) -> bool:
    return doc.get("is_active") is False or doc.get("enabled") is False


def _guarded(problems: list[Problem], file: str, fn: Any, *args: Any) -> None:
    """Run one object's writes in a savepoint; a refusal becomes a problem of that file."""
    try:
        with transaction.atomic():
            fn(*args)
    except DomainError as exc:
        problems.extend(_domain_problems(file, exc))
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        # A value of a shape the owning app's validation did not expect: this object's problem, not a 500.
        logger.warning("config import: %s refused with %r", file, exc, exc_info=True)
        path = ""
        if "/items/" in file:
            file, _, index = file.partition("/items/")
            path = f"/items/{index}"
        problems.append(Problem(file, path, f"无法导入：值的格式不对 / cannot be imported: a value has the wrong "
                                            f"shape ({type(exc).__name__}: {str(exc)[:200]})"))


def _domain_problems(file: str, exc: DomainError) -> list[Problem]:
    path = ""
    if "/items/" in file:
        file, _, index = file.partition("/items/")
        path = f"/items/{index}"
    details = exc.details
    found = details.get("problems") if isinstance(details, dict) else None
    if isinstance(found, list) and found:
        out = []
        for p in found:
            if isinstance(p, dict):
                out.append(Problem(file, path + str(p.get("path", "")), str(p.get("message", p))))
            else:
                out.append(Problem(file, path, str(getattr(p, "message", p))))
        return out
    message = exc.message
    if isinstance(details, dict) and details:
        message = f"{message} ({json.dumps(details, ensure_ascii=False, default=str)[:300]})"
    return [Problem(file, path, message)]


# --- templates ---------------------------------------------------------------------------------------


@dataclass
class TemplateInfo:
    name: str
    title: str
    title_en: str
    description: str
    description_en: str
    kinds: list[str]


def list_templates() -> list[TemplateInfo]:
    out = []
    for path in sorted(TEMPLATES_DIR.iterdir()) if TEMPLATES_DIR.is_dir() else []:
        manifest_path = path / MANIFEST
        if not manifest_path.is_file():
            continue
        m = load_yaml(manifest_path.read_bytes()) or {}
        info = m.get("template") or {}
        out.append(TemplateInfo(name=path.name, title=str(info.get("title", path.name)),
                                title_en=str(info.get("title_en", path.name)),
                                description=str(info.get("description", "")),
                                description_en=str(info.get("description_en", "")), kinds=list(m.get("kinds") or [])))
    return out


def template_bundle(name: str) -> Bundle:
    if name not in {t.name for t in list_templates()}:
        raise NotFound(f"行业模板不存在 / no such template {name!r}", details={"template": name})
    return read_directory(TEMPLATES_DIR / name)


def do_import_template(name: str, *, actor: User | None, dry_run: bool = False, prune: bool = False) -> ImportResult:
    return do_import_bundle(template_bundle(name), actor=actor, dry_run=dry_run, prune=prune, template=name)


__all__ = ["Bundle", "BundleError", "ImportResult", "do_export_bundle", "do_import_bundle", "do_import_template",
           "list_templates", "parse_bundle", "plan_import"]
