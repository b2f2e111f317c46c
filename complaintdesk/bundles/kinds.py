"""The kinds of configuration a bundle carries: how each is exported as documents keyed by a
natural key, checked, and applied through the owning app's actions.

A document is a plain JSON-able dict with a ``key``; two documents of the same key are compared
after ``normalise`` (defaults filled in, the owning app's canonical form), so re-importing what was
exported finds nothing to change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from complaintdesk.bundles.refs import (
    Resolver,
    bpmn_refs,
    duplicate_safe_keys,
    is_ref,
    make_ref,
    map_actions,
    map_bpmn,
    map_condition,
    map_escalation,
)
from complaintdesk.core.errors import InvalidInput

if TYPE_CHECKING:
    from complaintdesk.accounts.models import User

JSON = Any
_STR = (str,)
_OPT_STR = (str, type(None))
_INT = (int,)
_BOOL = (bool,)
_LIST = (list,)
_DICT = (dict,)
_NUM_OPT = (int, float, type(None))
_ANY = (object,)


class ImportContext:
    """What applying a bundle needs: the actor, and id lookups that see objects created so far."""

    def __init__(self, actor: User | None) -> None:
        self.actor = actor
        self.resolver = Resolver()

    def pk(self, kind: str, key: Any, *, where: str) -> int | None:
        if key is None:
            return None
        pk = self.resolver.pk_of(kind, key)
        if pk is None:
            raise InvalidInput(f"引用的对象不存在 / unknown reference: {kind} {key!r}", details={where: key})
        return pk

    def require_pk(self, kind: str, key: Any, *, where: str) -> int:
        pk = self.pk(kind, key, where=where)
        if pk is None:
            raise InvalidInput(f"引用不能为空 / a reference is required: {kind}", details={where: None})
        return pk

    def resolve_json(self, value: Any) -> Any:
        """``value`` with every ``$ref`` replaced by the id it names."""
        def walk(v: Any, path: str) -> Any:
            if is_ref(v):
                return self.pk(str(v["$ref"]), v.get("key"), where=path or "/")
            if isinstance(v, dict):
                return {k: walk(x, f"{path}/{k}") for k, x in v.items()}
            if isinstance(v, list):
                return [walk(x, f"{path}/{i}") for i, x in enumerate(v)]
            return v
        return walk(value, "")


class Kind:
    """One kind of configuration object."""

    name: str = ""
    label: str = ""  # "中文 / English"
    list_file: str | None = None  # all objects in one file (taxonomies) ...
    directory: str | None = None  # ... or one file per object under this folder
    fields: dict[str, tuple[tuple[type, ...], Any]] = {}  # name -> (types, default); no default: required
    prunable: bool = False  # "removed" objects can be disabled with --prune
    prune_note: str = ""

    # --- export
    def export(self, resolver: Resolver) -> dict[str, JSON]:
        raise NotImplementedError

    # --- checks
    def normalise(self, doc: dict[str, Any]) -> dict[str, Any]:
        out = {name: default for name, (_, default) in self.fields.items() if default is not _REQUIRED}
        out.update(doc)
        return out

    def shape_problems(self, doc: Any) -> list[tuple[str, str]]:
        if not isinstance(doc, dict):
            return [("", "应为对象 / must be a mapping")]
        problems: list[tuple[str, str]] = []
        for name in sorted(set(doc) - set(self.fields) - {"key"}):
            problems.append((f"/{name}", f"未知字段 / unknown field {name!r}"))
        if not isinstance(doc.get("key"), str) or not doc["key"].strip():
            problems.append(("/key", "key 必填 / key is required"))
        for name, (types, default) in self.fields.items():
            if name not in doc:
                if default is _REQUIRED:
                    problems.append((f"/{name}", f"必填 / {name} is required"))
                continue
            value = doc[name]
            if object in types:
                continue
            if (isinstance(value, bool) and bool not in types) or not isinstance(value, types):
                problems.append((f"/{name}", f"类型错误 / {name} has the wrong type"))
        return problems

    def extra_problems(self, doc: dict[str, Any]) -> list[tuple[str, str]]:
        """Checks of the owning app that need no database (BPMN, form schema, conditions)."""
        return []

    def plain_refs(self, doc: dict[str, Any]) -> list[tuple[str, str, str]]:
        """References held as plain strings: (ref kind, key, JSON Pointer)."""
        return []

    # --- writes
    def create(self, doc: dict[str, Any], ctx: ImportContext) -> None:
        raise NotImplementedError

    def update(self, doc: dict[str, Any], old: dict[str, Any], ctx: ImportContext) -> None:
        raise NotImplementedError

    def prune(self, old: dict[str, Any], ctx: ImportContext) -> None:
        raise NotImplementedError

    def order_for_create(self, docs: dict[str, dict[str, Any]]) -> list[str]:
        return sorted(docs)

    def order_for_update(self, keys: list[str], docs: dict[str, dict[str, Any]]) -> list[str]:
        """The order to apply the changes to ``keys`` in, given all of the bundle's ``docs`` of this kind."""
        return keys


_REQUIRED = object()


def _changed(doc: dict[str, Any], old: dict[str, Any], names: list[str] | tuple[str, ...]) -> list[str]:
    return [n for n in names if doc.get(n) != old.get(n)]


def _name_key_problems(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """Objects keyed by name: the key is the name (or "name #2" for a second object of that name)."""
    key, name = doc["key"], doc["name"]
    if key != name and not (key.startswith(f"{name} #") and key[len(name) + 2:].isdigit()):
        return [("/key", f"key 应等于名称 {name!r} / the key must be the name")]
    return []


def _moves_order(keys: list[str], docs: dict[str, dict[str, Any]]) -> list[str]:
    """Changes to a tree in the order of the bundle's tree, parents first: when a node moves under its new
    parent, every ancestor of that parent already has its final place, so no move can meet a cycle that
    the bundle's tree does not have (two nodes swapping places, say)."""
    wanted = set(keys)
    return [k for k in _tree_order(docs) if k in wanted]


def _tree_order(docs: dict[str, dict[str, Any]]) -> list[str]:
    """Parents before children (a parent outside ``docs`` counts as present)."""
    def depth(key: str, seen: frozenset[str] = frozenset()) -> int:
        parent = docs[key].get("parent")
        if parent in docs and parent not in seen:
            return 1 + depth(parent, seen | {key})
        return 0
    return sorted(docs, key=lambda k: (depth(k), k))


# --- taxonomies --------------------------------------------------------------------------------


class Categories(Kind):
    name = "categories"
    label = "投诉分类 / Categories"
    list_file = "taxonomy/categories.yaml"
    fields = {"name": (_STR, _REQUIRED), "name_en": (_STR, ""), "parent": (_OPT_STR, None),
              "sort_order": (_INT, 0), "is_active": (_BOOL, True)}
    prunable = True
    prune_note = "停用 / deactivated"

    def export(self, resolver: Resolver) -> dict[str, JSON]:
        from complaintdesk.tickets.models import Category

        rows = list(Category.objects.select_related("parent"))
        return {c.key: {"key": c.key, "name": c.name, "name_en": c.name_en,
                        "parent": c.parent.key if c.parent else None, "sort_order": c.sort_order,
                        "is_active": c.is_active} for c in rows}

    def plain_refs(self, doc: dict[str, Any]) -> list[tuple[str, str, str]]:
        return [("category", doc["parent"], "/parent")] if doc.get("parent") else []

    def order_for_create(self, docs: dict[str, dict[str, Any]]) -> list[str]:
        return _tree_order(docs)

    def order_for_update(self, keys: list[str], docs: dict[str, dict[str, Any]]) -> list[str]:
        return _moves_order(keys, docs)

    def create(self, doc: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.tickets.actions import do_create_category, do_update_category
        from complaintdesk.tickets.models import Category

        parent_pk = ctx.pk("category", doc["parent"], where="/parent")
        parent = Category.objects.get(pk=parent_pk) if parent_pk else None
        category = do_create_category(key=doc["key"], name=doc["name"], name_en=doc["name_en"], parent=parent,
                                      sort_order=doc["sort_order"], actor=ctx.actor)
        if not doc["is_active"]:
            do_update_category(category, actor=ctx.actor, is_active=False)

    def update(self, doc: dict[str, Any], old: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.tickets.actions import do_update_category
        from complaintdesk.tickets.models import Category

        fields: dict[str, Any] = {n: doc[n] for n in _changed(doc, old, ("name", "name_en", "sort_order", "is_active"))}
        if doc["parent"] != old["parent"]:  # a move, with its subtree
            parent_pk = ctx.pk("category", doc["parent"], where="/parent")
            fields["parent"] = Category.objects.get(pk=parent_pk) if parent_pk else None
        do_update_category(Category.objects.get(key=doc["key"]), actor=ctx.actor, **fields)

    def prune(self, old: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.tickets.actions import do_update_category
        from complaintdesk.tickets.models import Category

        do_update_category(Category.objects.get(key=old["key"]), actor=ctx.actor, is_active=False)


class Departments(Kind):
    name = "departments"
    label = "部门 / Departments"
    list_file = "taxonomy/departments.yaml"
    fields = {"name": (_STR, _REQUIRED), "code": (_OPT_STR, None), "parent": (_OPT_STR, None),
              "sort_order": (_INT, 0), "is_active": (_BOOL, True)}
    prunable = True
    prune_note = "停用 / deactivated"

    def export(self, resolver: Resolver) -> dict[str, JSON]:
        from complaintdesk.accounts.models import Department

        keys = {pk: resolver.key_of("department", pk) for pk in Department.objects.values_list("pk", flat=True)}
        out = {}
        for d in Department.objects.all():
            key = str(keys[d.pk])
            out[key] = {"key": key, "name": d.name, "code": d.code or None,
                        "parent": keys.get(d.parent_id) if d.parent_id else None,
                        "sort_order": d.sort_order, "is_active": d.is_active}
        return out

    def plain_refs(self, doc: dict[str, Any]) -> list[tuple[str, str, str]]:
        return [("department", doc["parent"], "/parent")] if doc.get("parent") else []

    def extra_problems(self, doc: dict[str, Any]) -> list[tuple[str, str]]:
        if doc["code"] and doc["key"] != doc["code"]:
            return [("/key", f"有编码的部门 key 应等于编码 {doc['code']!r} / a department with a code is keyed by it")]
        return []

    def order_for_create(self, docs: dict[str, dict[str, Any]]) -> list[str]:
        return _tree_order(docs)

    def order_for_update(self, keys: list[str], docs: dict[str, dict[str, Any]]) -> list[str]:
        return _moves_order(keys, docs)

    def create(self, doc: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.accounts.actions import do_create_department, do_update_department
        from complaintdesk.accounts.models import Department

        parent_pk = ctx.pk("department", doc["parent"], where="/parent")
        parent = Department.objects.get(pk=parent_pk) if parent_pk else None
        dept = do_create_department(name=doc["name"], parent=parent, code=doc["code"], actor=ctx.actor)
        extra = {n: doc[n] for n in ("sort_order", "is_active") if doc[n] != self.fields[n][1]}
        if extra:
            do_update_department(dept, actor=ctx.actor, **extra)

    def update(self, doc: dict[str, Any], old: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.accounts.actions import do_update_department
        from complaintdesk.accounts.models import Department

        fields: dict[str, Any] = {n: doc[n] for n in _changed(doc, old, ("name", "code", "sort_order", "is_active"))}
        if doc["parent"] != old["parent"]:
            parent_pk = ctx.pk("department", doc["parent"], where="/parent")
            fields["parent"] = Department.objects.get(pk=parent_pk) if parent_pk else None
        pk = ctx.require_pk("department", old["key"], where="/key")
        do_update_department(Department.objects.get(pk=pk), actor=ctx.actor, **fields)

    def prune(self, old: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.accounts.actions import do_update_department
        from complaintdesk.accounts.models import Department

        pk = ctx.require_pk("department", old["key"], where="/key")
        do_update_department(Department.objects.get(pk=pk), actor=ctx.actor, is_active=False)


class Teams(Kind):
    name = "teams"
    label = "团队 / Teams"
    list_file = "taxonomy/teams.yaml"
    fields = {"department": (_OPT_STR, None), "is_active": (_BOOL, True)}
    prunable = True
    prune_note = "停用 / deactivated"

    def export(self, resolver: Resolver) -> dict[str, JSON]:
        from complaintdesk.accounts.models import Team

        return {t.name: {"key": t.name, "department": resolver.key_of("department", t.department_id),
                         "is_active": t.is_active} for t in Team.objects.all()}

    def plain_refs(self, doc: dict[str, Any]) -> list[tuple[str, str, str]]:
        return [("department", doc["department"], "/department")] if doc.get("department") else []

    def _department(self, doc: dict[str, Any], ctx: ImportContext) -> Any:
        from complaintdesk.accounts.models import Department

        pk = ctx.pk("department", doc["department"], where="/department")
        return Department.objects.get(pk=pk) if pk else None

    def create(self, doc: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.accounts.actions import do_create_team, do_update_team

        team = do_create_team(name=doc["key"], department=self._department(doc, ctx), actor=ctx.actor)
        if not doc["is_active"]:
            do_update_team(team, actor=ctx.actor, is_active=False)

    def update(self, doc: dict[str, Any], old: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.accounts.actions import do_update_team
        from complaintdesk.accounts.models import Team

        fields: dict[str, Any] = {}
        if doc["department"] != old["department"]:
            fields["department"] = self._department(doc, ctx)
        if doc["is_active"] != old["is_active"]:
            fields["is_active"] = doc["is_active"]
        do_update_team(Team.objects.get(name=doc["key"]), actor=ctx.actor, **fields)

    def prune(self, old: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.accounts.actions import do_update_team
        from complaintdesk.accounts.models import Team

        do_update_team(Team.objects.get(name=old["key"]), actor=ctx.actor, is_active=False)


class ProductLines(Kind):
    name = "product_lines"
    label = "产品线 / Product lines"
    list_file = "taxonomy/product_lines.yaml"
    fields = {"code": (_STR, "")}

    def export(self, resolver: Resolver) -> dict[str, JSON]:
        from complaintdesk.customers.models import ProductLine

        return {p.name: {"key": p.name, "code": p.code} for p in ProductLine.objects.all()}

    def create(self, doc: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.customers.actions import do_create_product_line

        do_create_product_line(name=doc["key"], code=doc["code"], actor=ctx.actor)

    def update(self, doc: dict[str, Any], old: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.customers.actions import do_update_product_line
        from complaintdesk.customers.models import ProductLine

        do_update_product_line(ProductLine.objects.get(name=doc["key"]), actor=ctx.actor, code=doc["code"])


class Products(Kind):
    name = "products"
    label = "产品 / Products"
    list_file = "taxonomy/products.yaml"
    fields = {"name": (_STR, _REQUIRED), "line": (_OPT_STR, None), "is_active": (_BOOL, True)}
    prunable = True
    prune_note = "停用 / deactivated"

    def export(self, resolver: Resolver) -> dict[str, JSON]:
        from complaintdesk.customers.models import Product

        return {p.sku: {"key": p.sku, "name": p.name, "line": p.line.name if p.line else None,
                        "is_active": p.is_active} for p in Product.objects.select_related("line")}

    def plain_refs(self, doc: dict[str, Any]) -> list[tuple[str, str, str]]:
        return [("product_line", doc["line"], "/line")] if doc.get("line") else []

    def _line(self, doc: dict[str, Any], ctx: ImportContext) -> Any:
        from complaintdesk.customers.models import ProductLine

        pk = ctx.pk("product_line", doc["line"], where="/line")
        return ProductLine.objects.get(pk=pk) if pk else None

    def create(self, doc: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.customers.actions import do_create_product, do_update_product

        product = do_create_product(sku=doc["key"], name=doc["name"], line=self._line(doc, ctx), actor=ctx.actor)
        if not doc["is_active"]:
            do_update_product(product, actor=ctx.actor, is_active=False)

    def update(self, doc: dict[str, Any], old: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.customers.actions import do_update_product
        from complaintdesk.customers.models import Product

        fields: dict[str, Any] = {n: doc[n] for n in _changed(doc, old, ("name", "is_active"))}
        if doc["line"] != old["line"]:
            fields["line"] = self._line(doc, ctx)
        do_update_product(Product.objects.get(sku=doc["key"]), actor=ctx.actor, **fields)

    def prune(self, old: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.customers.actions import do_update_product
        from complaintdesk.customers.models import Product

        do_update_product(Product.objects.get(sku=old["key"]), actor=ctx.actor, is_active=False)


# --- roles ---------------------------------------------------------------------------------------


class Roles(Kind):
    name = "roles"
    label = "角色 / Roles"
    directory = "roles"
    fields = {"name": (_STR, _REQUIRED), "name_en": (_STR, ""), "permissions": (_LIST, []),
              "data_scope": (_STR, "own")}
    prune_note = "角色不会被停用 / roles are never disabled"

    def export(self, resolver: Resolver) -> dict[str, JSON]:
        from complaintdesk.accounts.models import Role

        return {r.key: {"key": r.key, "name": r.name, "name_en": r.name_en, "permissions": sorted(r.permissions),
                        "data_scope": r.data_scope} for r in Role.objects.all()}

    def normalise(self, doc: dict[str, Any]) -> dict[str, Any]:
        out = super().normalise(doc)
        if isinstance(out["permissions"], list):
            out["permissions"] = sorted({str(p) for p in out["permissions"]})
        return out

    def extra_problems(self, doc: dict[str, Any]) -> list[tuple[str, str]]:
        from complaintdesk.accounts.permissions import ALL_PERMISSIONS

        unknown = sorted(set(doc["permissions"]) - set(ALL_PERMISSIONS))
        return [("/permissions", f"未知权限 / unknown permissions {unknown}")] if unknown else []

    def create(self, doc: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.accounts.actions import do_create_role

        do_create_role(key=doc["key"], name=doc["name"], name_en=doc["name_en"], permissions=doc["permissions"],
                       data_scope=doc["data_scope"], actor=ctx.actor)

    def update(self, doc: dict[str, Any], old: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.accounts.actions import do_update_role
        from complaintdesk.accounts.models import Role

        fields = {n: doc[n] for n in _changed(doc, old, ("name", "name_en", "permissions", "data_scope"))}
        do_update_role(Role.objects.get(key=doc["key"]), actor=ctx.actor, **fields)


# --- SLA ----------------------------------------------------------------------------------------


class Calendars(Kind):
    name = "calendars"
    label = "工作日历 / Business calendars"
    directory = "sla/calendars"
    fields = {"name": (_STR, _REQUIRED), "time_zone": (_STR, "Asia/Shanghai"), "working_hours": (_DICT, None),
              "workday_hours": (_LIST, []), "is_24x7": (_BOOL, False), "is_default": (_BOOL, False),
              "uses_statutory_holidays": (_BOOL, True), "holiday_years": (_LIST, []), "days": (_LIST, [])}
    prune_note = "日历可能被 SLA 策略使用，不会停用 / calendars may be used by SLA policies: kept"

    def export(self, resolver: Resolver) -> dict[str, JSON]:
        from complaintdesk.sla.models import BusinessCalendar

        out = {}
        for c in BusinessCalendar.objects.prefetch_related("days", "years"):
            out[c.key] = {
                "key": c.key, "name": c.name, "time_zone": c.time_zone, "working_hours": c.working_hours,
                "workday_hours": c.workday_hours, "is_24x7": c.is_24x7, "is_default": c.is_default,
                "uses_statutory_holidays": c.uses_statutory_holidays,
                "holiday_years": sorted(y.year for y in c.years.all()),
                "days": [{"date": d.date.isoformat(), "kind": d.kind, "name": d.name}
                         for d in sorted(c.days.all(), key=lambda d: d.date)],
            }
        return out

    def normalise(self, doc: dict[str, Any]) -> dict[str, Any]:
        out = super().normalise(doc)
        if out["working_hours"] is None:
            from complaintdesk.sla.models import default_working_hours

            out["working_hours"] = default_working_hours()
        if isinstance(out["days"], list):
            out["days"] = sorted((d for d in out["days"] if isinstance(d, dict)), key=lambda d: str(d.get("date")))
        if isinstance(out["holiday_years"], list):
            out["holiday_years"] = sorted(out["holiday_years"], key=str)
        return out

    def extra_problems(self, doc: dict[str, Any]) -> list[tuple[str, str]]:
        from datetime import date

        problems = []
        for i, d in enumerate(doc["days"]):
            try:
                date.fromisoformat(str(d["date"]))
                if d["kind"] not in ("holiday", "workday"):
                    raise ValueError(d["kind"])
            except (KeyError, TypeError, ValueError):
                problems.append((f"/days/{i}", "应为 {date: YYYY-MM-DD, kind: holiday|workday, name} / must be "
                                               "{date: YYYY-MM-DD, kind: holiday|workday, name}"))
        if not all(isinstance(y, int) and 1900 <= y <= 2200 for y in doc["holiday_years"]):
            problems.append(("/holiday_years", "年份列表 / a list of years"))
        return problems

    def _schedules(self, doc: dict[str, Any], old: dict[str, Any] | None, calendar: Any, ctx: ImportContext) -> None:
        from datetime import date

        from complaintdesk.sla.actions import do_import_schedule
        from complaintdesk.sla.holidays import ScheduleDay

        def by_year(d: dict[str, Any] | None) -> dict[int, list[dict[str, Any]]]:
            out: dict[int, list[dict[str, Any]]] = {y: [] for y in (d or {}).get("holiday_years", [])}
            for day in (d or {}).get("days", []):
                out.setdefault(int(str(day["date"])[:4]), []).append(day)
            return out

        from complaintdesk.sla.actions import do_delete_calendar_day, do_set_calendar_day

        new, before = by_year(doc), by_year(old)
        known_before = set((old or {}).get("holiday_years", []))
        for year in sorted(set(new) | set(before)):
            wanted, had = new.get(year, []), before.get(year, [])
            if year in doc["holiday_years"]:
                # A year whose whole schedule is known: replaced at once (the year is recorded as known).
                if wanted == had and year in known_before:
                    continue
                days = [ScheduleDay(date=date.fromisoformat(str(d["date"])), kind=d["kind"],
                                    name=d.get("name") or "") for d in wanted]
                do_import_schedule(calendar, actor=ctx.actor, year=year, days=days, dry_run=False)
                continue
            # Single days of a year whose schedule is not known: set and removed one by one.
            wanted_by_date = {str(d["date"]): d for d in wanted}
            for d in had:
                if str(d["date"]) not in wanted_by_date:
                    do_delete_calendar_day(calendar, actor=ctx.actor, day=date.fromisoformat(str(d["date"])))
            had_by_date = {str(d["date"]): d for d in had}
            for key, d in sorted(wanted_by_date.items()):
                if had_by_date.get(key) != d:
                    do_set_calendar_day(calendar, actor=ctx.actor, day=date.fromisoformat(key), kind=d["kind"],
                                        name=d.get("name") or "")

    def create(self, doc: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.sla.actions import do_create_calendar

        calendar = do_create_calendar(
            actor=ctx.actor, key=doc["key"], name=doc["name"], time_zone=doc["time_zone"],
            working_hours=doc["working_hours"], workday_hours=doc["workday_hours"], is_24x7=doc["is_24x7"],
            is_default=doc["is_default"], uses_statutory_holidays=doc["uses_statutory_holidays"],
            seed_statutory=False)
        self._schedules(doc, None, calendar, ctx)

    def update(self, doc: dict[str, Any], old: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.sla.actions import do_update_calendar
        from complaintdesk.sla.models import BusinessCalendar

        calendar = BusinessCalendar.objects.get(key=doc["key"])
        names = ("name", "time_zone", "working_hours", "workday_hours", "is_24x7", "is_default",
                 "uses_statutory_holidays")
        fields = {n: doc[n] for n in _changed(doc, old, names)}
        if fields:
            calendar = do_update_calendar(calendar, actor=ctx.actor, **fields)
        self._schedules(doc, old, calendar, ctx)


class SlaPolicies(Kind):
    name = "sla_policies"
    label = "SLA 策略 / SLA policies"
    directory = "sla/policies"
    fields = {"description": (_STR, ""), "condition": ((dict, type(None)), None), "order": (_INT, 100),
              "is_active": (_BOOL, True), "calendar": (_OPT_STR, None), "targets": (_DICT, _REQUIRED),
              "warning_fractions": (_LIST, []), "escalation": (_LIST, []), "node_targets": (_DICT, {})}
    prunable = True
    prune_note = "停用 / deactivated"

    def export(self, resolver: Resolver) -> dict[str, JSON]:
        from complaintdesk.sla.models import SlaPolicy

        def ref(kind: str, value: Any) -> Any:
            return resolver.ref_of(kind, value)

        return {p.name: {
            "key": p.name, "description": p.description, "condition": map_condition(p.condition, ref),
            "order": p.order, "is_active": p.is_active, "calendar": p.calendar.key if p.calendar else None,
            "targets": p.targets, "warning_fractions": p.warning_fractions,
            "escalation": map_escalation(p.escalation, ref), "node_targets": p.node_targets,
        } for p in SlaPolicy.objects.select_related("calendar")}

    def plain_refs(self, doc: dict[str, Any]) -> list[tuple[str, str, str]]:
        refs = [("calendar", doc["calendar"], "/calendar")] if doc.get("calendar") else []
        return refs + condition_category_refs(doc.get("condition"), "/condition")

    def extra_problems(self, doc: dict[str, Any]) -> list[tuple[str, str]]:
        return _condition_problems(doc.get("condition"), "/condition")

    def _fields(self, doc: dict[str, Any], names: list[str], ctx: ImportContext) -> dict[str, Any]:
        from complaintdesk.sla.models import BusinessCalendar

        out: dict[str, Any] = {}
        for n in names:
            if n == "calendar":
                pk = ctx.pk("calendar", doc["calendar"], where="/calendar")
                out[n] = BusinessCalendar.objects.get(pk=pk) if pk else None
            elif n in ("condition", "escalation"):
                out[n] = ctx.resolve_json(doc[n])
            else:
                out[n] = doc[n]
        return out

    def create(self, doc: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.sla.actions import do_create_policy

        names = [n for n in self.fields]
        do_create_policy(actor=ctx.actor, name=doc["key"], **self._fields(doc, names, ctx))

    def update(self, doc: dict[str, Any], old: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.sla.actions import do_update_policy
        from complaintdesk.sla.models import SlaPolicy

        fields = self._fields(doc, _changed(doc, old, list(self.fields)), ctx)
        do_update_policy(SlaPolicy.objects.get(name=doc["key"]), actor=ctx.actor, **fields)

    def prune(self, old: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.sla.actions import do_update_policy
        from complaintdesk.sla.models import SlaPolicy

        do_update_policy(SlaPolicy.objects.get(name=old["key"]), actor=ctx.actor, is_active=False)


def _placeholder_ids(value: Any) -> Any:
    """A definition with every ``$ref`` replaced by a valid-looking id, for checks without the database."""
    if is_ref(value):
        return 1
    if isinstance(value, dict):
        return {k: _placeholder_ids(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_placeholder_ids(v) for v in value]
    return value


def _condition_problems(condition: Any, where: str) -> list[tuple[str, str]]:
    if condition is None:
        return []
    from complaintdesk.expressions.conditions import parse
    from complaintdesk.expressions.fields import TICKET_FIELDS

    # Category keys are checked as references (they may come with the bundle), not here.
    _, problems = parse(_placeholder_ids(condition), TICKET_FIELDS, verify_references=False)
    return [(f"{where}{p.path}", p.message) for p in problems]


def condition_category_refs(condition: Any, where: str) -> list[tuple[str, str, str]]:
    """The category keys a condition names (``category`` / ``category.key``), as references."""
    found: list[tuple[str, str, str]] = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, list):
            for i, n in enumerate(node):
                walk(n, f"{path}/{i}")
        elif isinstance(node, dict):
            for k in ("all", "any", "not"):
                if k in node:
                    walk(node[k], f"{path}/{k}")
            if node.get("field") in ("category", "category.key") and "value" in node:
                values = node["value"] if isinstance(node["value"], list) else [node["value"]]
                found.extend(("category", v, f"{path}/value") for v in values if isinstance(v, str))

    walk(condition, where)
    return found


# --- forms and processes ------------------------------------------------------------------------


class Forms(Kind):
    name = "forms"
    label = "表单 / Forms"
    directory = "forms"
    fields = {"name": (_STR, _REQUIRED), "name_en": (_STR, ""), "description": (_STR, ""),
              "category": (_OPT_STR, None), "channels": (_LIST, []), "is_public": (_BOOL, False),
              "public_slug": (_OPT_STR, None), "schema": (_DICT, _REQUIRED), "field_permissions": (_LIST, [])}
    prune_note = "表单被工单引用，不会停用 / forms are pinned by tickets: kept"

    def export(self, resolver: Resolver) -> dict[str, JSON]:
        from complaintdesk.forms.choices import VersionStatus
        from complaintdesk.forms.models import Form

        out = {}
        for f in Form.objects.select_related("category").prefetch_related("versions", "field_permissions__role"):
            published = next((v for v in f.versions.all() if v.status == VersionStatus.PUBLISHED), None)
            if published is None:
                continue  # never published: nothing a ticket could use yet
            out[f.key] = {
                "key": f.key, "name": f.name, "name_en": f.name_en, "description": f.description,
                "category": f.category.key if f.category else None, "channels": list(f.channels),
                "is_public": f.is_public, "public_slug": f.public_slug, "schema": published.schema,
                "field_permissions": sorted(
                    ({"field": p.field_key, "role": p.role.key, "access": p.access}
                     for p in f.field_permissions.all()), key=lambda r: (r["field"], r["role"])),
            }
        return out

    def normalise(self, doc: dict[str, Any]) -> dict[str, Any]:
        from complaintdesk.forms.schema import canonical_schema, structural_problems

        out = super().normalise(doc)
        if isinstance(out.get("schema"), dict) and not structural_problems(out["schema"]):
            out["schema"] = canonical_schema(out["schema"])
        if isinstance(out["field_permissions"], list) and all(isinstance(r, dict) for r in out["field_permissions"]):
            out["field_permissions"] = sorted(out["field_permissions"],
                                              key=lambda r: (str(r.get("field")), str(r.get("role"))))
        return out

    def extra_problems(self, doc: dict[str, Any]) -> list[tuple[str, str]]:
        from complaintdesk.forms.schema import validate_schema

        problems = [(f"/schema/{p.path}".rstrip("/"), p.message) for p in validate_schema(doc["schema"])]
        for i, rule in enumerate(doc["field_permissions"]):
            if not isinstance(rule, dict) or set(rule) != {"field", "role", "access"}:
                problems.append((f"/field_permissions/{i}", "应为 {field, role, access} / must be "
                                                            "{field, role, access}"))
        return problems

    def plain_refs(self, doc: dict[str, Any]) -> list[tuple[str, str, str]]:
        refs = [("category", doc["category"], "/category")] if doc.get("category") else []
        for i, rule in enumerate(doc.get("field_permissions") or []):
            if isinstance(rule, dict) and rule.get("role"):
                refs.append(("role", str(rule["role"]), f"/field_permissions/{i}/role"))
        return refs

    def _meta(self, doc: dict[str, Any], names: list[str], ctx: ImportContext) -> dict[str, Any]:
        from complaintdesk.tickets.models import Category

        out: dict[str, Any] = {}
        for n in names:
            if n == "category":
                pk = ctx.pk("category", doc["category"], where="/category")
                out[n] = Category.objects.get(pk=pk) if pk else None
            else:
                out[n] = doc[n]
        return out

    def _permissions(self, form: Any, doc: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.accounts.models import Role
        from complaintdesk.forms.actions import do_set_field_permissions

        rules = []
        for i, r in enumerate(doc["field_permissions"]):
            role = Role.objects.filter(key=r["role"]).first()
            if role is None:
                raise InvalidInput(f"角色不存在 / unknown role {r['role']!r}", details={f"/field_permissions/{i}": r})
            rules.append((r["field"], role, r["access"]))
        do_set_field_permissions(form, rules=rules, actor=ctx.actor)

    def create(self, doc: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.forms.actions import do_create_form, do_publish_draft

        meta = self._meta(doc, ["name_en", "description", "category", "channels", "is_public", "public_slug"], ctx)
        form = do_create_form(key=doc["key"], name=doc["name"], actor=ctx.actor, schema=doc["schema"], **meta)
        do_publish_draft(form, actor=ctx.actor)
        if doc["field_permissions"]:
            self._permissions(form, doc, ctx)

    def update(self, doc: dict[str, Any], old: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.forms.actions import do_publish_draft, do_save_draft, do_update_form
        from complaintdesk.forms.models import Form

        form = Form.objects.get(key=doc["key"])
        names = _changed(doc, old, ("name", "name_en", "description", "category", "channels", "is_public",
                                    "public_slug"))
        if names:
            form = do_update_form(form, actor=ctx.actor, **self._meta(doc, names, ctx))
        if doc["schema"] != old["schema"]:
            do_save_draft(form, schema=doc["schema"], actor=ctx.actor)
            do_publish_draft(form, actor=ctx.actor)
        if doc["field_permissions"] != old["field_permissions"]:
            self._permissions(form, doc, ctx)


class Processes(Kind):
    name = "processes"
    label = "流程 / Processes"
    directory = "processes"
    fields = {"name": (_STR, _REQUIRED), "name_en": (_STR, ""), "description": (_STR, ""),
              "is_active": (_BOOL, True), "bpmn": (_STR, _REQUIRED)}
    prunable = True
    prune_note = "停用（运行中的实例不受影响）/ deactivated (running instances go on)"

    def export(self, resolver: Resolver) -> dict[str, JSON]:
        from complaintdesk.sla.models import BusinessCalendar
        from complaintdesk.workflows.choices import VersionStatus
        from complaintdesk.workflows.models import ProcessDefinition

        calendars = dict(BusinessCalendar.objects.values_list("pk", "name"))

        def names(kind: str, pk: Any) -> Any:
            """Ids in assignee rules and deadlines become the names the engine also accepts."""
            found = calendars.get(pk) if kind == "calendar" else resolver.key_of(kind, pk)
            return found if found is not None else pk

        out = {}
        for d in ProcessDefinition.objects.prefetch_related("versions"):
            published = sorted((v for v in d.versions.all() if v.status == VersionStatus.PUBLISHED),
                               key=lambda v: v.version)
            if not published:
                continue
            out[d.key] = {"key": d.key, "name": d.name, "name_en": d.name_en, "description": d.description,
                          "is_active": d.is_active, "bpmn": map_bpmn(published[-1].bpmn_xml,
                                                                     lambda c: map_condition(c, resolver.ref_of),
                                                                     names)}
        return out

    def plain_refs(self, doc: dict[str, Any]) -> list[tuple[str, str, str]]:
        return bpmn_refs(doc["bpmn"]) if isinstance(doc.get("bpmn"), str) else []

    @staticmethod
    def _with_ids(doc: dict[str, Any], ctx: ImportContext) -> str:
        """The bundle's BPMN with the ``$ref``s of its gateway conditions resolved to this instance's ids."""
        return map_bpmn(doc["bpmn"], ctx.resolve_json, lambda kind, value: value)

    def extra_problems(self, doc: dict[str, Any]) -> list[tuple[str, str]]:
        from complaintdesk.workflows.validation import validate_process_xml

        try:  # the gateway conditions' $refs are checked as references, not here
            found = validate_process_xml(map_bpmn(doc["bpmn"], _placeholder_ids, lambda kind, value: value))
        except Exception as exc:  # a parser's surprise must read as a problem, not a 500
            return [("/bpmn", f"BPMN 无法解析 / the BPMN cannot be parsed: {exc}")]
        return [(f"/bpmn/{p.get('node', '')}", str(p.get("message", p))) for p in found]

    def create(self, doc: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.workflows.actions import do_import_process, do_update_process

        version = do_import_process(key=doc["key"], name=doc["name"], bpmn_xml=self._with_ids(doc, ctx),
                                    name_en=doc["name_en"], description=doc["description"], actor=ctx.actor)
        if not doc["is_active"]:
            do_update_process(version.definition, actor=ctx.actor, is_active=False)

    def update(self, doc: dict[str, Any], old: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.workflows.actions import do_import_process, do_update_process
        from complaintdesk.workflows.models import ProcessDefinition

        definition = ProcessDefinition.objects.get(key=doc["key"])
        fields = {n: doc[n] for n in _changed(doc, old, ("name", "name_en", "description", "is_active"))}
        if fields:
            do_update_process(definition, actor=ctx.actor, **fields)
        if doc["bpmn"] != old["bpmn"]:
            do_import_process(key=doc["key"], name=doc["name"], bpmn_xml=self._with_ids(doc, ctx), actor=ctx.actor)

    def prune(self, old: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.workflows.actions import do_update_process
        from complaintdesk.workflows.models import ProcessDefinition

        do_update_process(ProcessDefinition.objects.get(key=old["key"]), actor=ctx.actor, is_active=False)


# --- rules and alerts ---------------------------------------------------------------------------


class Rules(Kind):
    name = "rules"
    label = "业务规则 / Rules"
    directory = "rules"
    fields = {"name": (_STR, _REQUIRED), "name_en": (_STR, ""), "description": (_STR, ""),
              "events": (_LIST, _REQUIRED), "condition": (_DICT, {"all": []}), "actions": (_LIST, []),
              "order": (_INT, 0), "stop_after": (_BOOL, False), "enabled": (_BOOL, True)}
    prunable = True
    prune_note = "停用 / disabled"

    def export(self, resolver: Resolver) -> dict[str, JSON]:
        from complaintdesk.rules.models import Rule

        rules = list(Rule.objects.all())
        keys = duplicate_safe_keys([(r.pk, r.name) for r in rules])

        def ref(kind: str, value: Any) -> Any:
            return resolver.ref_of(kind, value)

        return {keys[r.pk]: {
            "key": keys[r.pk], "name": r.name, "name_en": r.name_en, "description": r.description,
            "events": list(r.events),
            "condition": map_condition(r.condition, ref), "actions": map_actions(r.actions, ref), "order": r.order,
            "stop_after": r.stop_after, "enabled": r.enabled,
        } for r in rules}

    def normalise(self, doc: dict[str, Any]) -> dict[str, Any]:
        out = super().normalise(doc)
        if isinstance(out["actions"], list):
            out["actions"] = [{"type": a.get("type"), "params": a.get("params") or {}} if isinstance(a, dict) else a
                              for a in out["actions"]]
        return out

    def extra_problems(self, doc: dict[str, Any]) -> list[tuple[str, str]]:
        problems = _name_key_problems(doc) + _condition_problems(doc.get("condition"), "/condition")
        if not all(isinstance(e, str) for e in doc["events"]):
            problems.append(("/events", "事件名应为文本 / event names must be text"))
        return problems

    def plain_refs(self, doc: dict[str, Any]) -> list[tuple[str, str, str]]:
        refs = condition_category_refs(doc.get("condition"), "/condition")
        for i, action in enumerate(doc.get("actions") or []):
            params = action.get("params") if isinstance(action, dict) else None
            if not isinstance(params, dict):
                continue
            where = f"/actions/{i}/params"
            if action.get("type") == "set_category" and isinstance(params.get("category"), str):
                refs.append(("category", params["category"], f"{where}/category"))
            if action.get("type") == "start_process" and isinstance(params.get("process"), str):
                refs.append(("process", params["process"], f"{where}/process"))
            if action.get("type") == "apply_sla" and isinstance(params.get("policy"), str):
                refs.append(("sla_policy", params["policy"], f"{where}/policy"))
            if action.get("type") in ("notify", "reply_customer") and isinstance(params.get("template_key"), str):
                refs.append(("template_key", params["template_key"], f"{where}/template_key"))
            # assign's team / department / user names are looked up when the rule runs (the shipped
            # template rules name departments an organisation creates later): not references here.
        return refs

    def _find(self, key: str) -> Any:
        from complaintdesk.rules.models import Rule

        keys = duplicate_safe_keys(list(Rule.objects.values_list("pk", "name")))
        pk = next(pk for pk, k in keys.items() if k == key)
        return Rule.objects.get(pk=pk)

    def _body(self, doc: dict[str, Any], names: list[str], ctx: ImportContext) -> dict[str, Any]:
        return {n: ctx.resolve_json(doc[n]) if n in ("condition", "actions") else doc[n] for n in names}

    def create(self, doc: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.rules.actions import do_create_rule

        do_create_rule(actor=ctx.actor, body=self._body(doc, list(self.fields), ctx))

    def update(self, doc: dict[str, Any], old: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.rules.actions import do_update_rule

        do_update_rule(self._find(doc["key"]), actor=ctx.actor,
                       **self._body(doc, _changed(doc, old, list(self.fields)), ctx))

    def prune(self, old: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.rules.actions import do_update_rule

        do_update_rule(self._find(old["key"]), actor=ctx.actor, enabled=False)


class AlertRules(Kind):
    name = "alert_rules"
    label = "预警规则 / Alert rules"
    directory = "alerts"
    fields = {"name": (_STR, _REQUIRED), "description": (_STR, ""), "enabled": (_BOOL, True),
              "scope": ((dict, type(None)), None), "grouping": (_STR, "category"), "window_days": (_INT, 7),
              "metric": (_STR, "count"), "baseline_windows": (_INT, 4), "min_count": (_INT, 0),
              "threshold_blue": (_NUM_OPT, None), "threshold_yellow": (_NUM_OPT, None),
              "threshold_red": (_NUM_OPT, None), "owners": (_LIST, []), "auto_improvement": (_BOOL, False),
              "improvement_min_level": (_STR, "red"), "improvement_department": (_OPT_STR, None),
              "improvement_owner": (_OPT_STR, None), "improvement_due_days": (_INT, 14)}
    prunable = True
    prune_note = "停用 / disabled"

    def export(self, resolver: Resolver) -> dict[str, JSON]:
        from complaintdesk.insights.models import AlertRule

        rules = list(AlertRule.objects.prefetch_related("owners"))
        keys = duplicate_safe_keys([(r.pk, r.name) for r in rules])

        def ref(kind: str, value: Any) -> Any:
            return resolver.ref_of(kind, value)

        out = {}
        for r in rules:
            out[keys[r.pk]] = {
                "key": keys[r.pk], "name": r.name, "description": r.description, "enabled": r.enabled,
                "scope": map_condition(r.scope, ref), "grouping": r.grouping, "window_days": r.window_days,
                "metric": r.metric, "baseline_windows": r.baseline_windows, "min_count": r.min_count,
                "threshold_blue": r.threshold_blue, "threshold_yellow": r.threshold_yellow,
                "threshold_red": r.threshold_red, "owners": sorted(u.username for u in r.owners.all()),
                "auto_improvement": r.auto_improvement, "improvement_min_level": r.improvement_min_level,
                "improvement_department": resolver.key_of("department", r.improvement_department_id),
                "improvement_owner": resolver.key_of("user", r.improvement_owner_id),
                "improvement_due_days": r.improvement_due_days,
            }
        return out

    def normalise(self, doc: dict[str, Any]) -> dict[str, Any]:
        out = super().normalise(doc)
        for n in ("threshold_blue", "threshold_yellow", "threshold_red"):
            if isinstance(out[n], int) and not isinstance(out[n], bool):
                out[n] = float(out[n])
        if isinstance(out["owners"], list):
            out["owners"] = sorted(str(o) for o in out["owners"])
        return out

    def extra_problems(self, doc: dict[str, Any]) -> list[tuple[str, str]]:
        return _name_key_problems(doc) + _condition_problems(doc.get("scope"), "/scope")

    def plain_refs(self, doc: dict[str, Any]) -> list[tuple[str, str, str]]:
        refs = [("user", str(u), f"/owners/{i}") for i, u in enumerate(doc.get("owners") or [])]
        refs += condition_category_refs(doc.get("scope"), "/scope")
        if doc.get("improvement_department"):
            refs.append(("department", doc["improvement_department"], "/improvement_department"))
        if doc.get("improvement_owner"):
            refs.append(("user", doc["improvement_owner"], "/improvement_owner"))
        return refs

    def _fields(self, doc: dict[str, Any], names: list[str], ctx: ImportContext) -> dict[str, Any]:
        from complaintdesk.accounts.models import Department, User

        out: dict[str, Any] = {}
        for n in names:
            if n == "owners":
                out[n] = [User.objects.get(pk=ctx.require_pk("user", u, where="/owners")) for u in doc["owners"]]
            elif n == "improvement_department":
                pk = ctx.pk("department", doc[n], where=f"/{n}")
                out[n] = Department.objects.get(pk=pk) if pk else None
            elif n == "improvement_owner":
                pk = ctx.pk("user", doc[n], where=f"/{n}")
                out[n] = User.objects.get(pk=pk) if pk else None
            elif n == "scope":
                out[n] = ctx.resolve_json(doc[n])
            else:
                out[n] = doc[n]
        return out

    def _find(self, key: str) -> Any:
        from complaintdesk.insights.models import AlertRule

        keys = duplicate_safe_keys(list(AlertRule.objects.values_list("pk", "name")))
        return AlertRule.objects.get(pk=next(pk for pk, k in keys.items() if k == key))

    def create(self, doc: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.insights.actions import do_create_alert_rule

        fields = self._fields(doc, [n for n in self.fields if n != "name"], ctx)
        do_create_alert_rule(actor=ctx.actor, name=doc["name"], **fields)

    def update(self, doc: dict[str, Any], old: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.insights.actions import do_update_alert_rule

        do_update_alert_rule(self._find(doc["key"]), actor=ctx.actor,
                             **self._fields(doc, _changed(doc, old, list(self.fields)), ctx))

    def prune(self, old: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.insights.actions import do_update_alert_rule

        do_update_alert_rule(self._find(old["key"]), actor=ctx.actor, enabled=False)


# --- notifications ------------------------------------------------------------------------------


class NotificationTemplates(Kind):
    name = "notification_templates"
    label = "通知模板 / Notification templates"
    directory = "notifications/templates"
    fields = {"template_key": (_STR, _REQUIRED), "event": (_STR, ""), "channel_kind": (_STR, "any"),
              "locale": (_STR, "zh-CN"), "subject": (_STR, ""), "body": (_STR, _REQUIRED)}
    prune_note = "模板不会被删除 / templates are never deleted"

    @staticmethod
    def key_for(template_key: str, channel_kind: str, locale: str) -> str:
        return f"{template_key}.{channel_kind}.{locale}"

    def export(self, resolver: Resolver) -> dict[str, JSON]:
        from complaintdesk.notifications.models import NotificationTemplate

        out = {}
        for t in NotificationTemplate.objects.all():
            key = self.key_for(t.key, t.channel_kind, t.locale)
            out[key] = {"key": key, "template_key": t.key, "event": t.event, "channel_kind": t.channel_kind,
                        "locale": t.locale, "subject": t.subject, "body": t.body}
        return out

    def extra_problems(self, doc: dict[str, Any]) -> list[tuple[str, str]]:
        expected = self.key_for(doc["template_key"], doc["channel_kind"], doc["locale"])
        if doc["key"] != expected:
            return [("/key", f"key 应为 {expected!r}（模板键.渠道.语言）/ key must be {expected!r} "
                             "(template_key.channel_kind.locale)")]
        return []

    def create(self, doc: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.notifications.actions import do_create_template

        do_create_template(actor=ctx.actor, key=doc["template_key"], body=doc["body"], subject=doc["subject"],
                           event=doc["event"], channel_kind=doc["channel_kind"], locale=doc["locale"])

    def update(self, doc: dict[str, Any], old: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.notifications.actions import do_update_template
        from complaintdesk.notifications.models import NotificationTemplate

        template = NotificationTemplate.objects.get(key=doc["template_key"], channel_kind=doc["channel_kind"],
                                                    locale=doc["locale"])
        do_update_template(template, actor=ctx.actor,
                           **{n: doc[n] for n in _changed(doc, old, ("event", "subject", "body"))})


# Never exported: NotificationChannel.secrets (robot access tokens / keys, signing secrets, SMTP password).
class NotificationChannels(Kind):
    name = "notification_channels"
    label = "通知渠道（不含密钥）/ Notification channels (without secrets)"
    directory = "notifications/channels"
    fields = {"kind": (_STR, _REQUIRED), "config": (_DICT, {}), "is_active": (_BOOL, True)}
    prunable = True
    prune_note = "停用 / deactivated"

    def export(self, resolver: Resolver) -> dict[str, JSON]:
        from complaintdesk.notifications.models import NotificationChannel

        return {c.name: {"key": c.name, "kind": c.kind, "config": c.config, "is_active": c.is_active}
                for c in NotificationChannel.objects.all()}

    def create(self, doc: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.notifications.actions import do_create_channel

        try:
            do_create_channel(actor=ctx.actor, name=doc["key"], kind=doc["kind"], config=doc["config"], secrets={},
                              is_active=doc["is_active"])
        except InvalidInput as exc:
            if any(str(k).startswith("secrets.") for k in (exc.details or {})):
                raise InvalidInput(
                    "渠道需要密钥，配置包不含密钥：请先在本实例创建该渠道并填写密钥，再导入 / "
                    "the channel needs secrets, which bundles never carry: create it with its secrets here first, "
                    "then import",
                    details=exc.details) from exc
            raise

    def update(self, doc: dict[str, Any], old: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.notifications.actions import do_update_channel
        from complaintdesk.notifications.models import NotificationChannel

        if doc["kind"] != old["kind"]:
            raise InvalidInput("渠道类型不能修改 / a channel's kind cannot change", details={"/kind": doc["kind"]})
        channel = NotificationChannel.objects.get(name=doc["key"])
        do_update_channel(channel, actor=ctx.actor, config=doc["config"] if doc["config"] != old["config"] else None,
                          is_active=doc["is_active"] if doc["is_active"] != old["is_active"] else None)

    def prune(self, old: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.notifications.actions import do_update_channel
        from complaintdesk.notifications.models import NotificationChannel

        do_update_channel(NotificationChannel.objects.get(name=old["key"]), actor=ctx.actor, is_active=False)


class NotificationRules(Kind):
    name = "notification_rules"
    label = "通知订阅 / Notification subscriptions"
    directory = "notifications/rules"
    fields = {"name": (_STR, _REQUIRED), "event_pattern": (_STR, _REQUIRED), "channel": (_STR, _REQUIRED),
              "template_key": (_STR, _REQUIRED), "locale": (_STR, "zh-CN"), "is_active": (_BOOL, True)}
    prunable = True
    prune_note = "停用 / deactivated"

    def export(self, resolver: Resolver) -> dict[str, JSON]:
        from complaintdesk.notifications.models import NotificationRule

        rules = list(NotificationRule.objects.select_related("channel"))
        keys = duplicate_safe_keys([(r.pk, r.name) for r in rules])
        return {keys[r.pk]: {"key": keys[r.pk], "name": r.name, "event_pattern": r.event_pattern,
                             "channel": r.channel.name, "template_key": r.template_key, "locale": r.locale,
                             "is_active": r.is_active} for r in rules}

    def extra_problems(self, doc: dict[str, Any]) -> list[tuple[str, str]]:
        return _name_key_problems(doc)

    def plain_refs(self, doc: dict[str, Any]) -> list[tuple[str, str, str]]:
        return [("notification_channel", doc["channel"], "/channel"), ("template_key", doc["template_key"],
                                                                        "/template_key")]

    def _find(self, key: str) -> Any:
        from complaintdesk.notifications.models import NotificationRule

        keys = duplicate_safe_keys(list(NotificationRule.objects.values_list("pk", "name")))
        return NotificationRule.objects.get(pk=next(pk for pk, k in keys.items() if k == key))

    def create(self, doc: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.notifications.actions import do_create_rule

        channel_id = ctx.pk("notification_channel", doc["channel"], where="/channel")
        do_create_rule(actor=ctx.actor, name=doc["name"], event_pattern=doc["event_pattern"],
                       channel_id=int(channel_id or 0), template_key=doc["template_key"], locale=doc["locale"],
                       is_active=doc["is_active"])

    def update(self, doc: dict[str, Any], old: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.notifications.actions import do_update_rule

        fields: dict[str, Any] = {n: doc[n] for n in _changed(doc, old, ("name", "event_pattern", "template_key",
                                                                          "locale", "is_active"))}
        if doc["channel"] != old["channel"]:
            fields["channel_id"] = ctx.pk("notification_channel", doc["channel"], where="/channel")
        do_update_rule(self._find(doc["key"]), actor=ctx.actor, **fields)

    def prune(self, old: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.notifications.actions import do_update_rule

        do_update_rule(self._find(old["key"]), actor=ctx.actor, is_active=False)


# Never exported: WebhookSubscription.secret (the HMAC signing secret).
class Webhooks(Kind):
    name = "webhooks"
    label = "Webhook 订阅（不含签名密钥）/ Webhooks (without signing secrets)"
    directory = "notifications/webhooks"
    fields = {"name": (_STR, _REQUIRED), "url": (_STR, _REQUIRED), "event_patterns": (_LIST, _REQUIRED),
              "enabled": (_BOOL, True)}
    prunable = True
    prune_note = "停用 / disabled"

    def export(self, resolver: Resolver) -> dict[str, JSON]:
        from complaintdesk.notifications.models import WebhookSubscription

        hooks = list(WebhookSubscription.objects.all())
        keys = duplicate_safe_keys([(w.pk, w.name) for w in hooks])
        return {keys[w.pk]: {"key": keys[w.pk], "name": w.name, "url": w.url,
                             "event_patterns": list(w.event_patterns), "enabled": w.enabled} for w in hooks}

    def extra_problems(self, doc: dict[str, Any]) -> list[tuple[str, str]]:
        return _name_key_problems(doc)

    def _find(self, key: str) -> Any:
        from complaintdesk.notifications.models import WebhookSubscription

        keys = duplicate_safe_keys(list(WebhookSubscription.objects.values_list("pk", "name")))
        return WebhookSubscription.objects.get(pk=next(pk for pk, k in keys.items() if k == key))

    def create(self, doc: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.notifications.actions import do_create_webhook

        do_create_webhook(actor=ctx.actor, name=doc["name"], url=doc["url"], event_patterns=doc["event_patterns"],
                          enabled=doc["enabled"])

    def update(self, doc: dict[str, Any], old: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.notifications.actions import do_update_webhook

        changed = _changed(doc, old, ("name", "url", "event_patterns", "enabled"))
        do_update_webhook(self._find(doc["key"]), actor=ctx.actor, **{n: doc[n] for n in changed})

    def prune(self, old: dict[str, Any], ctx: ImportContext) -> None:
        from complaintdesk.notifications.actions import do_update_webhook

        do_update_webhook(self._find(old["key"]), actor=ctx.actor, enabled=False)


# In the order they are applied: what is referred to comes before what refers to it.
KINDS: tuple[Kind, ...] = (
    Roles(), Departments(), Teams(), Categories(), ProductLines(), Products(), Calendars(),
    NotificationTemplates(), NotificationChannels(), NotificationRules(), Webhooks(), Processes(), SlaPolicies(),
    Forms(),
    Rules(), AlertRules(),
)
KIND_BY_NAME: dict[str, Kind] = {k.name: k for k in KINDS}

# Export-only helper for a ``$ref`` written by hand in templates.
ref = make_ref
Resolve = Callable[[str, Any], Any]
