"""The schema of a form version: parsing, publish-time validation and the compiled model.

A schema is ``{"fields": [...], "layout": [...], "settings": {...}}`` (docs/forms.md). ``validate_schema``
answers every problem at once as ``{"path", "code", "message"}``; ``compile_schema`` returns the
``FormSchema`` the engine runs (cached by content) or raises ``InvalidSchema``.

Evaluation order: every field is a node of one dependency graph whose edges come from formulas,
default formulas and visibility conditions (a field's own ``visible_when`` and those of the layout
sections and tabs around it). A sub-table ``t`` has two nodes: ``t`` (its visibility and rows) before
its columns, and ``t.*`` (complete) after them; ``{t.c}`` depends on column ``c``, ``{t}`` on ``t.*``.
A cycle in that graph is a publish error naming the fields in it.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import heapq
import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from complaintdesk.core import clock
from complaintdesk.core.errors import InvalidInput
from complaintdesk.expressions.fields import FieldCatalog
from complaintdesk.expressions.formula import FormulaSyntaxError, compile_formula
from complaintdesk.forms import expr
from complaintdesk.forms.fieldtypes import FIELD_TYPES, UNSET, ChoiceOption, FieldDef, FieldValueError, ValueContext
from complaintdesk.forms.fieldtypes.base import COMMON_PROPERTIES, localized

KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
MAX_SCHEMA_BYTES = 1024 * 1024
MAX_FIELDS = 500
MAX_FORMULA_LENGTH = 4000
MAX_LAYOUT_DEPTH = 8
MAX_OPTION_VALUE = 100
# Far deeper than any real schema (conditions nest 24 levels, options 8); bounds the recursion of
# everything that walks a schema (JSON encoding, copying) so junk cannot exhaust the stack.
MAX_JSON_DEPTH = 100
TOP_KEYS = frozenset({"fields", "layout", "settings"})
SETTINGS_KEYS = frozenset({"title", "description", "submit_label", "success_message", "label_width", "label_position"})
LAYOUT_NODE_KEYS = {
    "field": frozenset({"type", "key", "span"}),
    "section": frozenset({"type", "title", "description", "collapsible", "collapsed", "visible_when", "children"}),
    "tabs": frozenset({"type", "tabs"}),
    "tab": frozenset({"title", "visible_when", "children"}),
    "columns": frozenset({"type", "columns"}),
    "column": frozenset({"span", "children"}),
}


@dataclass(frozen=True)
class Problem:
    """One problem of a schema: where (``fields[3].formula``), what (``formula_syntax``), and why."""

    path: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "code": self.code, "message": self.message}


class InvalidSchema(InvalidInput):
    """A schema that cannot be published or evaluated; ``details`` lists every problem."""

    code = "invalid_schema"

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = problems[0].message if problems else ""
        super().__init__(f"表单定义有 {len(problems)} 处问题 / The form schema has {len(problems)} problem(s): {first}",
                         details=[p.as_dict() for p in problems])


@dataclass
class FormSchema:
    """A checked, compiled schema: what the engine needs, built once per schema content."""

    fields: list[FieldDef]
    by_key: dict[str, FieldDef]
    layout: list[Any]
    settings: dict[str, Any]
    # Paths of the layout conditions around each top-level field (sections, tabs), outermost first;
    # compiled in ``conditions[(path, "layout")]``.
    container_conditions: dict[str, list[str]]
    order: list[str]
    formulas: dict[str, Any] = field(default_factory=dict)
    default_formulas: dict[str, Any] = field(default_factory=dict)
    conditions: dict[tuple[str, str], Any] = field(default_factory=dict)
    catalogs: dict[str | None, Any] = field(default_factory=dict)
    digest: str = ""

    def value_fields(self) -> list[FieldDef]:
        return [f for f in self.fields if f.field_type.has_value]


# --- parsing -------------------------------------------------------------------------------------


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: str, code: str, message: str) -> None:
        self.problems.append(Problem(path, code, message))

    def sink(self, base: str) -> Any:
        def add(suffix: str, code: str, message: str) -> None:
            self.add(f"{base}.{suffix}" if suffix else base, code, message)

        return add


def _parse_options(raw: Any, path: str, out: _Collector, depth: int = 1) -> list[ChoiceOption] | None:
    if raw is None:
        return None
    if not isinstance(raw, list):
        out.add(path, "invalid_options", "options 须为列表 / options must be a list")
        return []
    options: list[ChoiceOption] = []
    for i, item in enumerate(raw):
        here = f"{path}[{i}]"
        if not isinstance(item, dict) or not set(item) <= {"value", "label", "children"}:
            out.add(here, "invalid_options", "选项须为 {value, label, children} / "
                                             "an option is {value, label, children}")
            continue
        value = item.get("value")
        if not isinstance(value, str) or not value.strip() or len(value) > MAX_OPTION_VALUE:
            out.add(f"{here}.value", "invalid_options",
                    f"选项值须为 1–{MAX_OPTION_VALUE} 个字符的文本 / "
                    f"an option value is text of 1..{MAX_OPTION_VALUE} characters")
            continue
        try:
            label = localized(item.get("label", value)) or {"zh-CN": value}
        except ValueError:
            out.add(f"{here}.label", "invalid_options", "选项标签须为文本或 {zh-CN, en} / "
                                                        "label must be text or {zh-CN, en}")
            label = {"zh-CN": value}
        children: list[ChoiceOption] = []
        if item.get("children") is not None:
            if depth >= 8:
                out.add(f"{here}.children", "invalid_options", "选项层级过深 / options nested too deep")
            else:
                children = _parse_options(item["children"], f"{here}.children", out, depth + 1) or []
        options.append(ChoiceOption(value=value.strip(), label=label, children=children))
    return options


def _parse_field(raw: Any, path: str, out: _Collector, parent: str | None) -> FieldDef | None:
    if not isinstance(raw, dict):
        out.add(path, "invalid_field", "字段定义须为对象 / a field definition must be an object")
        return None
    for name in raw:
        if name not in COMMON_PROPERTIES:
            out.add(f"{path}.{name}", "unknown_property", f"未知属性 {name} / unknown property {name!r}")
    key = raw.get("key")
    if not isinstance(key, str) or not KEY_RE.match(key):
        out.add(f"{path}.key", "invalid_key",
                "字段标识须以小写字母开头，只含小写字母、数字和下划线（最长63） / "
                "a key starts with a-z and has only a-z, 0-9 and _ (63 at most)")
        key = None
    type_name = raw.get("type")
    if not isinstance(type_name, str) or type_name not in FIELD_TYPES:
        out.add(f"{path}.type", "unknown_type", f"未知字段类型 {type_name!r} / unknown field type {type_name!r}")
        return None
    field_type = FIELD_TYPES[type_name]
    f = FieldDef(key=key or f"__invalid_{path}", type=type_name, path=path, parent=parent, raw=raw)
    for name in raw:
        if name in COMMON_PROPERTIES and name not in field_type.allowed_properties():
            out.add(f"{path}.{name}", "unsupported_property",
                    f"类型 {type_name} 不支持属性 {name} / type {type_name} does not take {name!r}")
    for name in ("label", "help", "placeholder"):
        try:
            setattr(f, name, localized(raw.get(name)) or ({} if name == "label" else None))
        except ValueError:
            out.add(f"{path}.{name}", "invalid_property", f"{name} 须为文本或 {{zh-CN, en}} / "
                                                          f"{name} must be text or {{zh-CN, en}}")
    if field_type.has_value and not f.label.get("zh-CN"):
        out.add(f"{path}.label", "missing_label", "字段需要中文名称 / a field needs a zh-CN label")
    for name in ("required", "read_only", "unique"):
        value = raw.get(name, False)
        if not isinstance(value, bool):
            out.add(f"{path}.{name}", "invalid_property", f"{name} 须为布尔值 / {name} must be true or false")
            value = False
        setattr(f, name, value)
    for name in ("min", "max", "min_length", "max_length", "regex"):
        setattr(f, name, raw.get(name))
    for name in ("formula", "default_formula"):
        text = raw.get(name)
        if text is not None and (not isinstance(text, str) or not text.strip() or len(text) > MAX_FORMULA_LENGTH):
            out.add(f"{path}.{name}", "invalid_property",
                    f"公式须为 1–{MAX_FORMULA_LENGTH} 个字符的文本 / "
                    f"a formula is text of 1..{MAX_FORMULA_LENGTH} characters")
            text = None
        setattr(f, name, text)
    if "default" in raw:
        f.default = raw["default"]
        if f.default_formula is not None:
            out.add(f"{path}.default", "conflicting_default",
                    "default 与 default_formula 只能选一个 / use default or default_formula, not both")
    f.options = _parse_options(raw.get("options"), f"{path}.options", out)
    f.visible_when = raw.get("visible_when")
    f.required_when = raw.get("required_when")
    config = raw.get("config", {})
    if not isinstance(config, dict):
        out.add(f"{path}.config", "invalid_config", "config 须为对象 / config must be an object")
        config = {}
    f.config = {k: v for k, v in config.items() if not (type_name == "sub_table" and k == "columns")}
    if type_name == "sub_table":
        columns = config.get("columns", [])
        if not isinstance(columns, list):
            out.add(f"{path}.config.columns", "invalid_config", "columns 须为列表 / columns must be a list")
            columns = []
        for j, column in enumerate(columns):
            parsed = _parse_field(column, f"{path}.config.columns[{j}]", out, parent=key)
            if parsed is not None:
                f.columns.append(parsed)
    return f


# --- conditions and formulas --------------------------------------------------------------------


def condition_references(condition: Any) -> set[str]:
    """The field names a condition reads (leaf fields and formula references); tolerant of junk."""
    refs: set[str] = set()
    stack = [condition]
    seen = 0
    while stack and seen < 5000:
        node = stack.pop()
        seen += 1
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            if isinstance(node.get("field"), str):
                refs.add(node["field"])
            if isinstance(node.get("formula"), str):
                with contextlib.suppress(FormulaSyntaxError):
                    refs |= set(compile_formula(node["formula"]).references)
            for key in ("all", "any", "not"):
                if key in node:
                    stack.append(node[key])
    return refs


class _Graph:
    def __init__(self) -> None:
        self.nodes: list[str] = []
        self.deps: dict[str, set[str]] = {}

    def add(self, node: str) -> None:
        if node not in self.deps:
            self.nodes.append(node)
            self.deps[node] = set()

    def edge(self, node: str, depends_on: str) -> None:
        self.deps[node].add(depends_on)

    def cycles(self) -> list[list[str]]:
        """Strongly connected components with a cycle (Tarjan), each as a closed path."""
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        on_stack: set[str] = set()
        stack: list[str] = []
        found: list[list[str]] = []
        counter = 0
        for root in self.nodes:
            if root in index:
                continue
            work: list[tuple[str, list[str]]] = [(root, sorted(self.deps[root]))]
            index[root] = low[root] = counter
            counter += 1
            stack.append(root)
            on_stack.add(root)
            while work:
                node, pending = work[-1]
                if pending:
                    nxt = pending.pop(0)
                    if nxt not in index:
                        index[nxt] = low[nxt] = counter
                        counter += 1
                        stack.append(nxt)
                        on_stack.add(nxt)
                        work.append((nxt, sorted(self.deps[nxt])))
                    elif nxt in on_stack:
                        low[node] = min(low[node], index[nxt])
                    continue
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component: list[str] = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in self.deps[node]:
                        found.append(self._path(set(component)))
        return found

    def _path(self, component: set[str]) -> list[str]:
        start = min(component, key=self.nodes.index)
        path = [start]
        node = start
        while True:
            nxt = min((d for d in self.deps[node] if d in component), key=self.nodes.index)
            if nxt == start or nxt in path:
                path.append(nxt)
                return path
            path.append(nxt)
            node = nxt

    def order(self) -> list[str]:
        """Dependencies first, otherwise in schema order (Kahn's algorithm with a stable pick)."""
        remaining = {n: set(d) for n, d in self.deps.items()}
        position = {n: i for i, n in enumerate(self.nodes)}
        ready = sorted((n for n, d in remaining.items() if not d), key=position.__getitem__)
        dependents: dict[str, list[str]] = {n: [] for n in self.nodes}
        for node, deps in self.deps.items():
            for dep in deps:
                dependents[dep].append(node)
        out: list[str] = []
        heap = [(position[n], n) for n in ready]
        heapq.heapify(heap)
        while heap:
            _, node = heapq.heappop(heap)
            out.append(node)
            for dependent in dependents[node]:
                remaining[dependent].discard(node)
                if not remaining[dependent]:
                    heapq.heappush(heap, (position[dependent], dependent))
        return out


# --- layout ------------------------------------------------------------------------------------


class _LayoutWalker:
    def __init__(self, out: _Collector, fields: dict[str, FieldDef], columns: dict[str, FieldDef]) -> None:
        self.out = out
        self.fields = fields
        self.columns = columns
        self.placed: dict[str, str] = {}
        self.conditions: dict[str, list[str]] = {}
        self.container_conditions: dict[str, Any] = {}

    def check_title(self, node: dict[str, Any], path: str) -> None:
        if "title" in node:
            try:
                localized(node["title"])
            except ValueError:
                self.out.add(f"{path}.title", "invalid_layout", "标题须为文本或 {zh-CN, en} / "
                                                                "title must be text or {zh-CN, en}")

    def check_span(self, node: dict[str, Any], path: str) -> None:
        span = node.get("span")
        if span is not None and (not isinstance(span, int) or isinstance(span, bool) or not 1 <= span <= 24):
            self.out.add(f"{path}.span", "invalid_layout", "span 须为 1–24 / span must be 1..24")

    def children(self, nodes: Any, path: str, depth: int, conditions: list[Any]) -> None:
        if not isinstance(nodes, list):
            self.out.add(path, "invalid_layout", "children 须为列表 / children must be a list")
            return
        for i, node in enumerate(nodes):
            self.node(node, f"{path}[{i}]", depth, conditions)

    def node(self, node: Any, path: str, depth: int, conditions: list[Any]) -> None:
        if depth > MAX_LAYOUT_DEPTH:
            self.out.add(path, "invalid_layout", f"布局嵌套最多 {MAX_LAYOUT_DEPTH} 层 / layout nested too deep")
            return
        if isinstance(node, str):
            self.place(node, path, conditions)
            return
        if not isinstance(node, dict) or node.get("type") not in ("field", "section", "tabs", "columns"):
            self.out.add(path, "invalid_layout",
                         "布局节点须为字段标识或 {type: field/section/tabs/columns} / a layout node is a key or "
                         "{type: field|section|tabs|columns}")
            return
        kind = node["type"]
        self.unknown_keys(node, LAYOUT_NODE_KEYS[kind], path)
        if kind == "field":
            self.check_span(node, path)
            key = node.get("key")
            if not isinstance(key, str):
                self.out.add(f"{path}.key", "invalid_layout", "缺少字段标识 / key is missing")
            else:
                self.place(key, f"{path}.key", conditions)
        elif kind == "section":
            self.check_title(node, path)
            for flag in ("collapsible", "collapsed"):
                if flag in node and not isinstance(node[flag], bool):
                    self.out.add(f"{path}.{flag}", "invalid_layout", f"{flag} 须为布尔值 / {flag} must be a boolean")
            inner = self.with_condition(node, path, conditions)
            self.children(node.get("children", []), f"{path}.children", depth + 1, inner)
        elif kind == "tabs":
            tabs = node.get("tabs")
            if not isinstance(tabs, list) or not tabs:
                self.out.add(f"{path}.tabs", "invalid_layout", "tabs 须为非空列表 / tabs must be a non-empty list")
                return
            for j, tab in enumerate(tabs):
                here = f"{path}.tabs[{j}]"
                if not isinstance(tab, dict):
                    self.out.add(here, "invalid_layout", "标签页须为对象 / a tab must be an object")
                    continue
                self.unknown_keys(tab, LAYOUT_NODE_KEYS["tab"], here)
                self.check_title(tab, here)
                inner = self.with_condition(tab, here, conditions)
                self.children(tab.get("children", []), f"{here}.children", depth + 1, inner)
        else:
            columns = node.get("columns")
            if not isinstance(columns, list) or not columns:
                self.out.add(f"{path}.columns", "invalid_layout", "columns 须为非空列表 / "
                                                                  "columns must be a non-empty list")
                return
            for j, column in enumerate(columns):
                here = f"{path}.columns[{j}]"
                if not isinstance(column, dict):
                    self.out.add(here, "invalid_layout", "列须为对象 / a column must be an object")
                    continue
                self.unknown_keys(column, LAYOUT_NODE_KEYS["column"], here)
                self.check_span(column, here)
                self.children(column.get("children", []), f"{here}.children", depth + 1, conditions)

    def unknown_keys(self, node: dict[str, Any], allowed: frozenset[str], path: str) -> None:
        for name in node:
            if name not in allowed:
                self.out.add(f"{path}.{name}", "invalid_layout", f"未知布局属性 {name} / "
                                                                 f"unknown layout property {name!r}")

    def with_condition(self, node: dict[str, Any], path: str, conditions: list[str]) -> list[str]:
        if node.get("visible_when") is None:
            return conditions
        self.container_conditions[f"{path}.visible_when"] = node["visible_when"]
        return [*conditions, f"{path}.visible_when"]

    def place(self, key: str, path: str, conditions: list[str]) -> None:
        if key in self.columns:
            self.out.add(path, "layout_column_field",
                         f"{key} 是子表单的列，不能单独放入布局 / "
                         f"{key!r} is a sub-table column and is placed with its table")
        elif key not in self.fields:
            self.out.add(path, "layout_unknown_field", f"布局引用了不存在的字段 {key} / "
                                                       f"the layout names an unknown field {key!r}")
        elif key in self.placed:
            self.out.add(path, "layout_duplicate_field", f"字段 {key} 在布局中出现多次 / field {key!r} is placed twice")
        else:
            self.placed[key] = path
            self.conditions[key] = conditions


# --- the whole schema ------------------------------------------------------------------------------


def json_depth_exceeds(data: Any, limit: int) -> bool:
    """Whether ``data`` nests deeper than ``limit`` (checked without recursion)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)
    return False


def _load(data: Any, out: _Collector) -> tuple[list[Any], list[Any], dict[str, Any]]:
    if json_depth_exceeds(data, MAX_JSON_DEPTH):
        out.add("", "schema_too_large", f"表单定义嵌套过深（最多 {MAX_JSON_DEPTH} 层） / the schema nests too deep "
                f"({MAX_JSON_DEPTH} levels at most)")
        return [], [], {}
    if not isinstance(data, dict):
        out.add("", "invalid_schema", "表单定义须为对象 / a schema must be an object")
        return [], [], {}
    for name in data:
        if name not in TOP_KEYS:
            out.add(name, "unknown_property", f"未知属性 {name} / unknown property {name!r}")
    try:
        size = len(json.dumps(data, ensure_ascii=False, default=str).encode())
    except (TypeError, ValueError):
        size = MAX_SCHEMA_BYTES + 1
    if size > MAX_SCHEMA_BYTES:
        out.add("", "schema_too_large", f"表单定义不能超过 {MAX_SCHEMA_BYTES // 1024} KB / the schema exceeds 1 MB")
        return [], [], {}
    fields = data.get("fields", [])
    layout = data.get("layout", [])
    settings = data.get("settings", {})
    if not isinstance(fields, list):
        out.add("fields", "invalid_schema", "fields 须为列表 / fields must be a list")
        fields = []
    if not isinstance(layout, list):
        out.add("layout", "invalid_schema", "layout 须为列表 / layout must be a list")
        layout = []
    if not isinstance(settings, dict):
        out.add("settings", "invalid_schema", "settings 须为对象 / settings must be an object")
        settings = {}
    for name in settings:
        if name not in SETTINGS_KEYS:
            out.add(f"settings.{name}", "unknown_property", f"未知设置 {name} / unknown setting {name!r}")
    return fields, layout, settings


def _build(data: Any) -> tuple[FormSchema | None, list[Problem]]:
    out = _Collector()
    raw_fields, layout, settings = _load(data, out)
    fields: list[FieldDef] = []
    for i, raw in enumerate(raw_fields):
        parsed = _parse_field(raw, f"fields[{i}]", out, parent=None)
        if parsed is not None:
            fields.append(parsed)
    every = [f for top in fields for f in (top, *top.columns)]
    if len(every) > MAX_FIELDS:
        out.add("fields", "too_many_fields", f"字段不能超过 {MAX_FIELDS} 个 / at most {MAX_FIELDS} fields")
    by_key: dict[str, FieldDef] = {}
    for f in every:
        if f.key.startswith("__invalid_"):
            continue
        if f.key in by_key:
            out.add(f"{f.path}.key", "duplicate_key",
                    f"字段标识 {f.key} 重复（首次出现于 {by_key[f.key].path}） / duplicate key {f.key!r} "
                    f"(first at {by_key[f.key].path})")
            continue
        by_key[f.key] = f
    now = clock.now()
    for f in every:
        f.field_type.check_config(f, out.sink(f.path))
        if f.default is not UNSET:
            try:
                f.field_type.normalize(copy.deepcopy(f.default), f, ValueContext(now=now, verify_orders=False))
            except FieldValueError as exc:
                why = exc.as_dict()
                out.add(f"{f.path}.default", "invalid_default",
                        f"默认值无效：{why['zh-CN']} / invalid default: {why['en']}")
            except Exception as exc:  # a broken config already reported; never crash on a default
                out.add(f"{f.path}.default", "invalid_default", f"默认值无效 / invalid default: {type(exc).__name__}")

    top_keys = {f.key: f for f in fields if f.key in by_key and by_key[f.key] is f}
    column_keys = {c.key: c for f in fields for c in f.columns if c.key in by_key and by_key[c.key] is c}
    walker = _LayoutWalker(out, top_keys, column_keys)
    walker.children(layout, "layout", 1, [])
    if layout:
        for f in top_keys.values():
            if f.key not in walker.placed and f.type != "hidden":
                out.add(f.path, "field_not_in_layout",
                        f"字段 {f.key} 未放入布局 / field {f.key!r} is not placed in the layout")
    container_conditions = {k: walker.conditions.get(k, []) for k in top_keys}

    catalogs: dict[str | None, FieldCatalog] = {None: expr.record_catalog_for(list(top_keys.values()))}
    for f in fields:
        if f.type == "sub_table":
            catalogs[f.key] = expr.record_catalog_for([*top_keys.values(), *f.columns])

    graph = _Graph()
    schema = FormSchema(fields=fields, by_key=by_key, layout=layout, settings=settings,
                        container_conditions=container_conditions, order=[], catalogs=catalogs)

    def node_for(ref: str, f: FieldDef, code_path: str, *, report: bool = True) -> str | None:
        """The graph node a reference from ``f`` reads, or None (after reporting a bad reference:
        conditions report their own, through the condition checker)."""
        add = out.add if report else (lambda *args: None)
        if "." in ref:
            table, _, column = ref.partition(".")
            target = top_keys.get(table)
            if target is None or target.type != "sub_table" or column not in {c.key for c in target.columns}:
                add(code_path, "unknown_reference", f"引用了不存在的字段 {ref} / unknown field {ref!r}")
                return None
            return column
        target = by_key.get(ref)
        if target is None:
            add(code_path, "unknown_reference", f"引用了不存在的字段 {ref} / unknown field {ref!r}")
            return None
        if not target.field_type.has_value:
            add(code_path, "unknown_reference", f"{ref} 是布局元素，没有值 / {ref!r} is layout only and has no value")
            return None
        if target.parent is not None and target.parent != f.parent:
            add(code_path, "unknown_reference",
                    f"{ref} 是子表单 {target.parent} 的列，请写 {{{target.parent}.{ref}}} / {ref!r} is a column of "
                    f"{target.parent!r}: write {{{target.parent}.{ref}}}")
            return None
        return f"{ref}.*" if target.type == "sub_table" else ref

    for f in fields:
        graph.add(f.key)
        if f.type == "sub_table":
            for column in f.columns:
                graph.add(column.key)
                graph.edge(column.key, f.key)
            graph.add(f"{f.key}.*")
            graph.edge(f"{f.key}.*", f.key)
            for column in f.columns:
                graph.edge(f"{f.key}.*", column.key)

    for f in every:
        if f.key not in by_key or by_key[f.key] is not f:
            continue
        for prop in ("formula", "default_formula"):
            text = getattr(f, prop)
            if text is None:
                continue
            try:
                compiled = compile_formula(text, strict=True)
            except FormulaSyntaxError as exc:
                out.add(f"{f.path}.{prop}", "formula_syntax" if exc.code == "syntax" else f"formula_{exc.code}",
                        f"{exc.message_zh}（第 {exc.position + 1} 个字符） / {exc.message_en} (at character "
                        f"{exc.position + 1})")
                continue
            (schema.formulas if prop == "formula" else schema.default_formulas)[f.key] = compiled
            for ref in sorted(compiled.references):
                node = node_for(ref, f, f"{f.path}.{prop}")
                if node is not None:
                    graph.edge(f.key, node)
        for prop in ("visible_when", "required_when"):
            condition = getattr(f, prop)
            if condition is None:
                continue
            catalog = catalogs.get(f.parent)
            problems = expr.check_condition_problems(condition, catalog)
            for pointer, code, message in problems:
                out.add(f"{f.path}.{prop}{_pointer_to_path(pointer)}", _condition_code(code), message)
            refs = condition_references(condition)
            if not problems and catalog is not None:
                schema.conditions[(f.key, prop)] = expr.compile_form_condition(condition, catalog)
            if prop == "visible_when":
                for ref in sorted(refs):
                    node = node_for(ref, f, f"{f.path}.{prop}", report=False)
                    if node is not None:
                        graph.edge(f.key, node)
    for path, condition in walker.container_conditions.items():
        problems = expr.check_condition_problems(condition, catalogs[None])
        for pointer, code, message in problems:
            out.add(f"{path}{_pointer_to_path(pointer)}", _condition_code(code), message)
        if not problems:
            schema.conditions[(path, "layout")] = expr.compile_form_condition(condition, catalogs[None])
    for key, paths in container_conditions.items():
        for path in paths:
            for ref in sorted(condition_references(walker.container_conditions[path])):
                target = by_key.get(ref)
                if target is not None and target.parent is None and target.field_type.has_value:
                    graph.edge(key, f"{ref}.*" if target.type == "sub_table" else ref)
    # Cycles are looked for even when other problems exist: the designer fixes everything at once.
    for cycle in graph.cycles():
        names = list(dict.fromkeys(n.removesuffix(".*") for n in cycle))
        first = by_key.get(names[0])
        arrow = " → ".join([*names, names[0]]) if len(names) > 1 else f"{names[0]} → {names[0]}"
        out.add(first.path if first else "fields", "cycle",
                f"循环依赖：{arrow} / circular dependency: {arrow}")
    if out.problems:
        return None, out.problems
    schema.order = graph.order()
    return schema, []


_POINTER_PART = re.compile(r"^\d+$")


def _pointer_to_path(pointer: str) -> str:
    """``/all/0/value`` → ``.all[0].value`` (our paths use dots and brackets)."""
    if not pointer:
        return ""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.lstrip("/").split("/")]
    return "".join(f"[{p}]" if _POINTER_PART.match(p) else f".{p}" for p in parts)


def _condition_code(code: str) -> str:
    """The shared checker's codes, prefixed so that they read as condition problems."""
    return code if code.startswith("condition") else f"condition_{code}"


def structural_problems(data: Any) -> list[Problem]:
    """The problems that stop even a draft from being saved: not an object, wrong top-level shape,
    too large. Everything else is reported (not refused) until publish."""
    out = _Collector()
    _load(data, out)
    return [p for p in out.problems if p.code in ("invalid_schema", "schema_too_large")]


def canonical_schema(data: dict[str, Any]) -> dict[str, Any]:
    """The schema as stored: description blocks' HTML sanitised (the designer sends HTML)."""
    from complaintdesk.forms.fieldtypes.text import sanitize_html

    result = copy.deepcopy(data)
    for raw in result.get("fields", []):
        if isinstance(raw, dict) and raw.get("type") == "description" and isinstance(raw.get("config"), dict):
            content = raw["config"].get("content")
            if isinstance(content, str):
                raw["config"]["content"] = sanitize_html(content)
            elif isinstance(content, dict):
                raw["config"]["content"] = {k: sanitize_html(v) if isinstance(v, str) else v
                                            for k, v in content.items()}
    return result


def validate_schema(data: Any) -> list[Problem]:
    """Every problem of ``data`` at once (empty when it can be published)."""
    return _compiled(data)[1]


def compile_schema(data: Any) -> FormSchema:
    """The compiled schema of ``data``, cached by content; ``InvalidSchema`` lists its problems."""
    schema, problems = _compiled(data)
    if schema is None:
        raise InvalidSchema(problems)
    return schema


_CACHE: OrderedDict[str, tuple[FormSchema | None, list[Problem]]] = OrderedDict()
_CACHE_SIZE = 256
_CACHE_LOCK = threading.Lock()


def schema_digest(data: Any) -> str:
    try:
        text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):
        text = repr(data)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _compiled(data: Any) -> tuple[FormSchema | None, list[Problem]]:
    from complaintdesk.forms.lookups import order_lookup_names

    if json_depth_exceeds(data, MAX_JSON_DEPTH):
        out = _Collector()
        _load(data, out)
        return None, out.problems
    digest = schema_digest(data)
    # Whether an order field's lookup exists depends on what connectors registered.
    cache_key = f"{digest}|{','.join(order_lookup_names())}"
    with _CACHE_LOCK:
        hit = _CACHE.get(cache_key)
        if hit is not None:
            _CACHE.move_to_end(cache_key)
            return hit
    result = _build(copy.deepcopy(data))
    if result[0] is not None:
        result[0].digest = digest
    with _CACHE_LOCK:
        _CACHE[cache_key] = result
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return result


def clear_schema_cache() -> None:
    with _CACHE_LOCK:
        _CACHE.clear()
