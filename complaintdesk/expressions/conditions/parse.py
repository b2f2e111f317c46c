"""Checking a condition: every problem at once, and the node tree both interpreters walk."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps

from complaintdesk.expressions.conditions.model import (
    All,
    AnyOf,
    ConditionProblem,
    FormulaNode,
    Leaf,
    Moment,
    Node,
    Not,
    Relative,
)
from complaintdesk.expressions.conditions.values import day_start, fold, parse_duration, parse_moment_value
from complaintdesk.expressions.fields import ALL_OPERATORS, DATA_KEY_RE, Field, FieldCatalog, FieldType

MAX_DEPTH = 24
MAX_NODES = 1000
MAX_LIST = 1000
MAX_TEXT = 1000

NODE_KEYS = ("all", "any", "not", "field", "formula")
LEAF_KEYS = {"field", "op", "value"}
NEGATED = {"ne": "eq", "not_in": "in", "not_contains": "contains", "is_not_empty": "is_empty"}
LIST_OPS = {"in", "not_in"}
MOMENT_OPS = {"eq", "ne", "gt", "gte", "lt", "lte", "before", "after"}
KEYWORD_SPLIT = re.compile(r"[\s,，、;；]+")


@dataclass
class _Checker:
    catalog: FieldCatalog
    verify_references: bool
    problems: list[ConditionProblem] = field(default_factory=list)
    nodes: int = 0
    tree_keys: list[tuple[str, Field, tuple[str, ...]]] = field(default_factory=list)

    def problem(self, path: str, code: str, zh: str, en: str) -> None:
        self.problems.append(ConditionProblem(path=path, code=code, message_zh=zh, message_en=en))

    # --- structure --------------------------------------------------------------------------

    def node(self, raw: Any, path: str, depth: int) -> Node | None:
        self.nodes += 1
        if self.nodes == MAX_NODES + 1:
            self.problem(path, "too_large", f"条件过大（最多 {MAX_NODES} 个节点）",
                         f"Condition too large (at most {MAX_NODES} nodes)")
        if self.nodes > MAX_NODES:
            return None
        if depth > MAX_DEPTH:
            self.problem(path, "too_deep", f"条件嵌套过深（最多 {MAX_DEPTH} 层）",
                         f"Condition nested too deeply (at most {MAX_DEPTH} levels)")
            return None
        if not isinstance(raw, dict):
            self.problem(path, "not_object", "条件必须是对象", "A condition must be an object")
            return None
        present = [k for k in NODE_KEYS if k in raw]
        if len(present) != 1:
            self.problem(path, "bad_node", "条件须且只能含 all、any、not、field、formula 之一",
                         "A condition needs exactly one of all, any, not, field, formula")
            return None
        kind = present[0]
        allowed = LEAF_KEYS if kind == "field" else {kind}
        for key in raw:
            if key not in allowed:
                self.problem(f"{path}/{key}", "unknown_key", f"未知的键“{key}”", f"Unknown key {key!r}")
        if kind in ("all", "any"):
            items = raw[kind]
            if not isinstance(items, list):
                self.problem(f"{path}/{kind}", "not_list", f"{kind} 必须是列表", f"{kind} must be a list")
                return None
            children = [self.node(item, f"{path}/{kind}/{i}", depth + 1) for i, item in enumerate(items)]
            if any(c is None for c in children):
                return None
            kids = tuple(c for c in children if c is not None)
            return All(kids) if kind == "all" else AnyOf(kids)
        if kind == "not":
            child = self.node(raw["not"], f"{path}/not", depth + 1)
            return Not(child) if child is not None else None
        if kind == "formula":
            return self.formula(raw["formula"], f"{path}/formula")
        return self.leaf(raw, path)

    def formula(self, text: Any, path: str) -> Node | None:
        if not isinstance(text, str) or not text.strip():
            self.problem(path, "bad_formula", "公式必须是非空文本", "A formula must be non-empty text")
            return None
        from complaintdesk.expressions.formula import FormulaSyntaxError, compile_formula

        try:
            compiled = compile_formula(text)
        except FormulaSyntaxError as exc:
            self.problem(path, "formula_syntax", f"{exc.message_zh}（第 {exc.position + 1} 个字符）",
                         f"{exc.message_en} (at character {exc.position + 1})")
            return None
        ok = True
        for ref in sorted(compiled.references):
            if formula_field(self.catalog, ref) is None:
                ok = False
                self.problem(path, "unknown_field", f"公式引用了未知字段“{ref}”",
                             f"The formula refers to an unknown field {ref!r}")
        return FormulaNode(text=text, compiled=compiled, path=path) if ok else None

    # --- leaves -----------------------------------------------------------------------------

    def leaf(self, raw: dict[str, Any], path: str) -> Node | None:
        name, op = raw.get("field"), raw.get("op")
        ok = True
        if not isinstance(name, str) or not name:
            self.problem(f"{path}/field", "missing_field", "缺少字段名", "The field name is missing")
            ok = False
        if not isinstance(op, str) or not op:
            self.problem(f"{path}/op", "missing_operator", "缺少运算符", "The operator is missing")
            return None
        if op not in ALL_OPERATORS:
            self.problem(f"{path}/op", "unknown_operator", f"未知运算符“{op}”", f"Unknown operator {op!r}")
            return None
        if not ok:
            return None
        assert isinstance(name, str)
        has_value = "value" in raw
        value = raw.get("value")
        fld = self.resolve_field(name, op, value, path)
        if fld is None:
            return None
        if op not in fld.operators:
            self.problem(f"{path}/op", "operator_not_allowed",
                         f"字段“{name}”（{fld.type}）不支持运算符“{op}”",
                         f"Operator {op!r} does not apply to field {name!r} ({fld.type})")
            return None
        if op in ("is_empty", "is_not_empty"):
            return Leaf(field=fld, op=op, operand=None, path=path)
        if not has_value or value is None:
            self.problem(f"{path}/value", "missing_value", f"运算符“{op}”需要值", f"Operator {op!r} needs a value")
            return None
        before = len(self.problems)
        operand = self.operand(fld, op, value, f"{path}/value")
        if len(self.problems) > before:
            return None
        if fld.type == FieldType.TREE and self.verify_references:
            keys = operand if isinstance(operand, tuple) else (operand,)
            self.tree_keys.append((f"{path}/value", fld, keys))
        return Leaf(field=fld, op=op, operand=operand, path=path)

    def resolve_field(self, name: str, op: str, value: Any, path: str) -> Field | None:
        found = self.catalog.get(name)
        if found is not None:
            return found
        if self.catalog.allows_dynamic(name):
            key = name.removeprefix("data.")
            if not DATA_KEY_RE.fullmatch(key):
                self.problem(f"{path}/field", "bad_field", f"字段名“{name}”无效", f"Invalid field name {name!r}")
                return None
            inferred = infer_type(op, value)
            if inferred is None:
                self.problem(f"{path}/field", "type_needed",
                             f"字段“{name}”未在表单中声明，无法用于运算符“{op}”，请在表单中声明其类型",
                             f"Field {name!r} is not declared by a form; declare its type to use {op!r}")
                return None
            return self.catalog.dynamic_field(name, inferred)
        self.problem(f"{path}/field", "unknown_field", f"未知字段“{name}”", f"Unknown field {name!r}")
        return None

    def operand(self, fld: Field, op: str, value: Any, path: str) -> Any:
        kind = fld.type
        if kind == FieldType.TEXT:
            if op == "any_keyword":
                return self.keywords(value, path)
            return self.each(op, value, path, self.text)
        if kind in (FieldType.CHOICE, FieldType.TREE):
            return self.each(op, value, path, lambda v, p: self.choice(fld, v, p))
        if kind == FieldType.MULTI:
            return self.each(op, value, path, self.text)
        if kind == FieldType.ID:
            return self.each(op, value, path, self.ident)
        if kind == FieldType.NUMBER:
            if op == "between":
                return self.pair(value, path, self.number, lambda a, b: a <= b)
            return self.each(op, value, path, self.number)
        if kind == FieldType.BOOL:
            if not isinstance(value, bool):
                self.problem(path, "bad_value", "值必须是 true 或 false", "The value must be true or false")
            return value
        if kind in (FieldType.DATETIME, FieldType.DATE):
            return self.moment_operand(fld, op, value, path)
        raise AssertionError(kind)

    def each(self, op: str, value: Any, path: str, one: Callable[[Any, str], Any]) -> Any:
        if op in LIST_OPS:
            if not isinstance(value, list):
                self.problem(path, "not_list", f"运算符“{op}”需要一个列表", f"Operator {op!r} needs a list")
                return ()
            if len(value) > MAX_LIST:
                self.problem(path, "too_large", f"列表过长（最多 {MAX_LIST} 项）",
                             f"List too long (at most {MAX_LIST} items)")
                return ()
            return tuple(one(v, f"{path}/{i}") for i, v in enumerate(value))
        if isinstance(value, list):
            self.problem(path, "bad_value", f"运算符“{op}”需要单个值", f"Operator {op!r} needs a single value")
            return None
        return one(value, path)

    def text(self, value: Any, path: str) -> str:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.problem(path, "bad_value", "值必须是文本", "The value must be text")
            return ""
        if len(value) > MAX_TEXT or "\x00" in value:
            self.problem(path, "bad_value", f"文本过长或含非法字符（最多 {MAX_TEXT} 字）",
                         f"Text too long or with a NUL character (at most {MAX_TEXT})")
            return ""
        return fold(value)

    def keywords(self, value: Any, path: str) -> tuple[str, ...]:
        words: list[str] = []
        if isinstance(value, str):
            words = [w for w in KEYWORD_SPLIT.split(value) if w]
        elif isinstance(value, list) and all(isinstance(w, str) for w in value):
            words = [w.strip() for w in value if w.strip()]
        else:
            self.problem(path, "bad_value", "关键词必须是文本或文本列表", "Keywords must be text or a list of text")
            return ()
        if not words:
            self.problem(path, "bad_value", "至少需要一个关键词", "At least one keyword is needed")
            return ()
        if len(words) > MAX_LIST:
            self.problem(path, "too_large", "关键词过多", "Too many keywords")
            return ()
        return tuple(self.text(w, path) for w in words)

    def choice(self, fld: Field, value: Any, path: str) -> str:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or len(value) > MAX_TEXT or "\x00" in value:
            self.problem(path, "bad_value", "值必须是文本", "The value must be text")
            return ""
        if fld.choices and value not in fld.choices:
            self.problem(path, "unknown_value", f"“{value}”不是字段“{fld.name}”的可选值",
                         f"{value!r} is not a value of {fld.name!r} (one of {', '.join(fld.choices)})")
        return value

    def ident(self, value: Any, path: str) -> int:
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or not (0 <= value < 2**63):
            self.problem(path, "bad_value", "值必须是ID（整数）", "The value must be an id (an integer)")
            return 0
        return value

    def number(self, value: Any, path: str) -> int | float:
        if isinstance(value, str):
            try:
                parsed = Decimal(value.strip())
            except InvalidOperation:
                parsed = None
            if parsed is not None and parsed.is_finite():
                value = int(parsed) if parsed == parsed.to_integral_value() and "." not in value else float(parsed)
        if isinstance(value, Decimal) and value.is_finite():
            value = float(value)
        if isinstance(value, bool) or not isinstance(value, int | float) or (
                isinstance(value, float) and not math.isfinite(value)) or (
                isinstance(value, int) and abs(value) >= 2**63):
            self.problem(path, "bad_value", "值必须是数字", "The value must be a number")
            return 0
        return value

    def pair(self, value: Any, path: str, one: Callable[[Any, str], Any], ordered: Callable[[Any, Any], bool]
             ) -> tuple[Any, Any]:
        if not isinstance(value, list) or len(value) != 2:
            self.problem(path, "bad_value", "between 需要 [下限, 上限]", "between needs [low, high]")
            return (None, None)
        before = len(self.problems)
        lo, hi = one(value[0], f"{path}/0"), one(value[1], f"{path}/1")
        if len(self.problems) == before and not ordered(lo, hi):
            self.problem(path, "bad_value", "下限大于上限", "The low end is above the high end")
        return (lo, hi)

    def moment_operand(self, fld: Field, op: str, value: Any, path: str) -> Any:
        if op in ("within_last", "within_next"):
            duration = parse_duration(value)
            if duration is None:
                self.problem(path, "bad_value", "时长格式应为数字加单位，如 30m、24h、7d、2w",
                             "A duration is a number and a unit: 30m, 24h, 7d, 2w")
                return None
            return Relative(duration=duration, future=op == "within_next")
        if op == "between":
            return self.pair(value, path, lambda v, p: self.moment(fld, v, p), _moments_ordered)
        return self.moment(fld, value, path)

    def moment(self, fld: Field, value: Any, path: str) -> Moment | None:
        parsed = parse_moment_value(value)
        if parsed is None:
            self.problem(path, "bad_value", "值必须是日期（2026-03-10）或日期时间（2026-03-10T08:00:00+08:00）",
                         "The value must be a date (2026-03-10) or a datetime (2026-03-10T08:00:00+08:00)")
            return None
        if fld.type == FieldType.DATE:
            if isinstance(parsed, datetime):
                self.problem(path, "bad_value", "日期字段的值必须是日期（2026-03-10）",
                             "A date field takes a date (2026-03-10)")
                return None
            return Moment(parsed, True, parsed, True)
        if isinstance(parsed, datetime):
            return Moment(parsed, True, parsed, True)
        return Moment(day_start(parsed), True, day_start(parsed + timedelta(days=1)), False)

    # --- references that need the database --------------------------------------------------

    def verify_tree_keys(self) -> None:
        for path, fld, keys in self.tree_keys:
            assert fld.tree is not None
            model = apps.get_model(fld.tree.model)
            found = set(model._base_manager.filter(**{f"{fld.tree.key_field}__in": keys})
                        .values_list(fld.tree.key_field, flat=True))
            for key in keys:
                if key not in found:
                    self.problem(path, "unknown_value", f"不存在编码为“{key}”的{fld.label or fld.name}",
                                 f"No {fld.label_en or fld.name} with key {key!r}")


def _moments_ordered(a: Moment | None, b: Moment | None) -> bool:
    if a is None or b is None:
        return True
    return bool(a.lo <= b.hi)


def infer_type(op: str, value: Any) -> FieldType | None:
    """The type of an undeclared ``data.<key>`` field, from the operator and the value."""
    if op in ("is_empty", "is_not_empty"):
        return FieldType.ANY
    if op in ("before", "after", "within_last", "within_next"):
        return None
    if isinstance(value, list) and not value:
        return FieldType.TEXT  # in [] / not_in []: no value, so any type reads the same
    sample = value[0] if isinstance(value, list) else value
    if isinstance(sample, bool):
        return FieldType.BOOL
    if isinstance(sample, int | float | Decimal):
        return FieldType.NUMBER
    if isinstance(sample, str) and op not in ("gt", "gte", "lt", "lte", "between"):
        return FieldType.TEXT
    return None


def formula_field(catalog: FieldCatalog, ref: str) -> Field | None:
    """The field a formula reference ``{key}`` reads: the catalog's own name first, then the
    custom field ``data.<key>`` (declared, else read as it is stored). A sub-table column
    ``{items.qty}`` reads the field ``items`` (its rows)."""
    found = catalog.get(ref) or catalog.get(f"data.{ref}")
    if found is not None:
        return found
    if "." in ref and not ref.startswith("data."):
        ref = ref.split(".", 1)[0]
        found = catalog.get(ref) or catalog.get(f"data.{ref}")
    if found is not None:
        return found
    if catalog.allows_dynamic(f"data.{ref}") and DATA_KEY_RE.fullmatch(ref):
        return catalog.dynamic_field(f"data.{ref}", FieldType.ANY)
    return None


def parse(condition: Any, catalog: FieldCatalog, *, verify_references: bool = False
          ) -> tuple[Node | None, list[ConditionProblem]]:
    checker = _Checker(catalog=catalog, verify_references=verify_references)
    node = checker.node(condition, "", 1)
    if verify_references and not checker.problems:
        checker.verify_tree_keys()
    return (node if not checker.problems else None), checker.problems


__all__ = ["NEGATED", "formula_field", "infer_type", "parse"]
