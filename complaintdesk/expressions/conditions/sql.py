"""The SQL interpreter: a checked condition compiled to a Django ``Q``.

Every leaf compiles to its *positive* predicate (eq, in, contains, is_empty ...) written so that
it is never NULL: TRUE exactly where the Python interpreter says True, FALSE everywhere else
(a NULL column or join makes it FALSE through an ``IS NOT NULL`` guard, relations are ``IN``
subqueries). Negations (ne, not_in, not_contains, is_not_empty, ``not``) are then plain ``NOT``
and match NULLs exactly as Python's ``not`` does — no three-valued logic leaks through.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import reduce
from operator import and_, or_
from typing import Any

from django.apps import apps
from django.db import NotSupportedError
from django.db.models import BooleanField, DateField, DateTimeField, F, FloatField, Model, Q, TextField, Value
from django.db.models import Field as ModelField
from django.db.models.expressions import Expression
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    In,
    IsNull,
    LessThan,
    LessThanOrEqual,
)

from complaintdesk.expressions.conditions.model import (
    All,
    AnyOf,
    ConditionNotQueryable,
    FormulaNode,
    Leaf,
    Node,
    Not,
)
from complaintdesk.expressions.conditions.parse import NEGATED
from complaintdesk.expressions.conditions.values import DATETIME_YEARS, MAX_OFFSET_HOURS, bounds_for
from complaintdesk.expressions.fields import Field, FieldType

FALSE = Q(pk__in=[])
TRUE = ~Q(pk__in=[])
Pred = Q | bool  # a predicate, or a constant folded away before it reaches SQL


# --- vendor SQL snippets --------------------------------------------------------------------

_TOKEN = re.compile(r"\$(\d)|%s|%%")


class Snippet(Expression):
    """SQL written per database vendor. In a template ``$0``, ``$1`` … stand for the compiled
    source expressions (repeated as often as they appear), each ``%s`` takes the next of
    ``params`` and ``%%`` is a literal percent sign."""

    def __init__(self, templates: dict[str, str], *sources: Any, params: Sequence[Any] = (),
                 output_field: ModelField[Any, Any]) -> None:
        super().__init__(output_field=output_field)
        self.templates = templates
        self.sources = [F(s) if isinstance(s, str) else s for s in sources]
        self.params = list(params)

    def get_source_expressions(self) -> list[Any]:
        return self.sources

    def params_for(self, vendor: str) -> list[Any]:
        return self.params

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        self.sources = list(exprs)

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        template = self.templates.get(connection.vendor)
        if template is None:
            raise NotSupportedError(f"conditions support SQLite and PostgreSQL, not {connection.vendor}")
        compiled = [compiler.compile(source) for source in self.sources]
        sql: list[str] = []
        params: list[Any] = []
        own = iter(self.params_for(connection.vendor))
        pos = 0
        for match in _TOKEN.finditer(template):
            sql.append(template[pos:match.start()])
            if match.group(1) is not None:
                part_sql, part_params = compiled[int(match.group(1))]
                sql.append(part_sql)
                params.extend(part_params)
            elif match.group(0) == "%s":
                sql.append("%s")
                params.append(next(own))
            else:
                sql.append("%%")
            pos = match.end()
        sql.append(template[pos:])
        return "".join(sql), params


_UPPER, _LOWER = string.ascii_uppercase, string.ascii_lowercase


def ascii_lower(expr: Any) -> Snippet:
    # SQLite's built-in lower() folds ASCII only (Python's sqlite3 is built without ICU);
    # PostgreSQL's lower() folds every script, so it gets the same ASCII-only mapping by hand.
    return Snippet({"sqlite": "LOWER($0)", "postgresql": f"TRANSLATE($0, '{_UPPER}', '{_LOWER}')"}, expr,
                   output_field=TextField())


def text_contains(expr: Any, needle: str) -> Snippet:
    # INSTR/STRPOS compare exactly, with no LIKE wildcards to escape and no LIKE case rules.
    return Snippet({"sqlite": "(INSTR($0, %s) > 0)", "postgresql": "(STRPOS($0, %s) > 0)"}, expr,
                   params=[needle], output_field=BooleanField())


def text_starts_with(expr: Any, prefix: str) -> Snippet:
    template = "(SUBSTR($0, 1, %s) = %s)"
    return Snippet({"sqlite": template, "postgresql": template}, expr, params=[len(prefix), prefix],
                   output_field=BooleanField())


def _json_path(key: str | None) -> str:
    return "$" if key is None else f'$."{key}"'


def json_scalar(column: str, key: str | None, kind: str) -> Snippet:
    """``column -> key`` when its JSON type is ``kind`` (text, number, bool), else NULL."""
    path = _json_path(key)
    if key is None:
        pg_val, pg_text, pg_params = "$0", "($0 #>> '{}')", []
    else:
        pg_val, pg_text, pg_params = "($0 -> %s)", "($0 ->> %s)", [key]
    sqlite = {
        "text": "CASE WHEN json_type($0, %s) = 'text' THEN json_extract($0, %s) END",
        "number": "CASE WHEN json_type($0, %s) IN ('integer', 'real') THEN json_extract($0, %s) END",
        "bool": "CASE json_type($0, %s) WHEN 'true' THEN 1 WHEN 'false' THEN 0 END",
    }[kind]
    pg_type, pg_cast = {"text": ("string", ""), "number": ("number", "::numeric"),
                        "bool": ("boolean", "::boolean")}[kind]
    postgresql = f"CASE WHEN jsonb_typeof({pg_val}) = '{pg_type}' THEN {pg_text}{pg_cast} END"
    sqlite_params = [path] if kind == "bool" else [path, path]
    output: ModelField[Any, Any] = {"text": TextField(), "number": FloatField(), "bool": BooleanField()}[kind]
    return _VendorParams({"sqlite": sqlite, "postgresql": postgresql}, column,
                         params_by_vendor={"sqlite": sqlite_params, "postgresql": pg_params * 2},
                         output_field=output)


class _VendorParams(Snippet):
    """A snippet whose parameters differ per vendor."""

    def __init__(self, templates: dict[str, str], *sources: Any, params_by_vendor: dict[str, list[Any]],
                 output_field: ModelField[Any, Any]) -> None:
        super().__init__(templates, *sources, output_field=output_field)
        self.params_by_vendor = params_by_vendor

    def params_for(self, vendor: str) -> list[Any]:
        return self.params_by_vendor.get(vendor, [])


def _ymd_valid(x: str, *, min_year: int, max_year: int) -> str:
    """SQL: the text ``x`` (already shaped YYYY-MM-DD...) names a real calendar day. Plain
    arithmetic, so it cannot fail on either database."""
    y, m, d = (f"CAST(SUBSTR({x}, {start}, {n}) AS INTEGER)" for start, n in ((1, 4), (6, 2), (9, 2)))
    leap = f"(({y} %% 4 = 0 AND {y} %% 100 <> 0) OR {y} %% 400 = 0)"
    last_day = f"(CASE WHEN {m} IN (4, 6, 9, 11) THEN 30 WHEN {m} = 2 THEN (CASE WHEN {leap} THEN 29 ELSE 28 END) " \
               "ELSE 31 END)"
    return f"({y} BETWEEN {min_year} AND {max_year} AND {m} BETWEEN 1 AND 12 AND {d} BETWEEN 1 AND {last_day})"


_D = "[0-9]"
_DATE_GLOB = f"{_D * 4}-{_D * 2}-{_D * 2}"
_DATE_REGEX = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_DATETIME_GLOBS = [
    f"{_DATE_GLOB}T{_D * 2}:{_D * 2}{seconds}{zone}"
    for seconds in ("", f":{_D * 2}", f":{_D * 2}.{_D}", f":{_D * 2}.{_D * 2}", f":{_D * 2}.{_D * 3}")
    for zone in ("Z", f"+{_D * 2}:{_D * 2}", f"-{_D * 2}:{_D * 2}")
]
_DATETIME_REGEX = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,3})?)?(Z|[+-][0-9]{2}:[0-9]{2})$"


def json_date(column: str, key: str | None) -> Snippet:
    """A stored "YYYY-MM-DD" that is a real day, as a date (SQLite: the same text), else NULL."""
    text = json_scalar(column, key, "text")
    valid = _ymd_valid("$0", min_year=1, max_year=9999)
    sqlite = f"CASE WHEN $0 GLOB %s THEN CASE WHEN {valid} THEN $0 END END"
    postgresql = f"CASE WHEN $0 ~ %s THEN CASE WHEN {valid} THEN ($0)::date END END"
    return _VendorParams({"sqlite": sqlite, "postgresql": postgresql}, text,
                         params_by_vendor={"sqlite": [_DATE_GLOB], "postgresql": [_DATE_REGEX]},
                         output_field=DateField())


def json_datetime(column: str, key: str | None) -> Snippet:
    """A stored ISO 8601 datetime with an offset, as a timestamp, else NULL. On SQLite the
    result is UTC text in the very format Django writes datetimes in, so that text comparison
    with Django's parameters is time order."""
    text = json_scalar(column, key, "text")
    hour, minute = "CAST(SUBSTR($0, 12, 2) AS INTEGER)", "CAST(SUBSTR($0, 15, 2) AS INTEGER)"
    second = "(CASE WHEN SUBSTR($0, 17, 1) = ':' THEN CAST(SUBSTR($0, 18, 2) AS INTEGER) ELSE 0 END)"
    # CASE, not OR: PostgreSQL may evaluate OR operands in any order, and "0Z" is no integer.
    zone_ok = (f"(CASE WHEN SUBSTR($0, LENGTH($0), 1) = 'Z' THEN 1 = 1 ELSE (CAST(SUBSTR($0, LENGTH($0) - 4, 2) "
               f"AS INTEGER) <= {MAX_OFFSET_HOURS} AND CAST(SUBSTR($0, LENGTH($0) - 1, 2) AS INTEGER) <= 59) END)")
    valid = (f"{_ymd_valid('$0', min_year=DATETIME_YEARS[0], max_year=DATETIME_YEARS[1])} AND {hour} <= 23 "
             f"AND {minute} <= 59 AND {second} <= 59 AND {zone_ok}")
    globs = " OR ".join(["$0 GLOB %s"] * len(_DATETIME_GLOBS))
    sqlite_value = ("CASE WHEN SUBSTR(STRFTIME('%%f', $0), 4) = '000' THEN STRFTIME('%%Y-%%m-%%d %%H:%%M:%%S', $0) "
                    "ELSE STRFTIME('%%Y-%%m-%%d %%H:%%M:%%f', $0) || '000' END")
    sqlite = f"CASE WHEN {globs} THEN CASE WHEN {valid} THEN {sqlite_value} END END"
    postgresql = f"CASE WHEN $0 ~ %s THEN CASE WHEN {valid} THEN ($0)::timestamptz END END"
    return _VendorParams({"sqlite": sqlite, "postgresql": postgresql}, text,
                         params_by_vendor={"sqlite": list(_DATETIME_GLOBS), "postgresql": [_DATETIME_REGEX]},
                         output_field=DateTimeField())


def json_array_has(column: str, key: str | None, folded: Sequence[str] | None) -> Snippet:
    """EXISTS a string element of the JSON array ``column -> key`` (ascii-folded) in ``folded``;
    any string element when ``folded`` is None. Never NULL."""
    path = _json_path(key)
    marks = ", ".join(["%s"] * len(folded or ()))
    sqlite_match = f" AND LOWER(je.value) IN ({marks})" if folded is not None else ""
    pg_match = f" AND TRANSLATE(je.v #>> '{{}}', '{_UPPER}', '{_LOWER}') IN ({marks})" if folded is not None else ""
    sqlite = ("EXISTS (SELECT 1 FROM json_each(CASE WHEN json_type($0, %s) = 'array' THEN json_extract($0, %s) "
              f"ELSE '[]' END) AS je WHERE je.type = 'text'{sqlite_match})")
    if key is None:
        pg_array, pg_params = "$0", []
    else:
        pg_array, pg_params = "($0 -> %s)", [key]
    postgresql = (f"EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof({pg_array}) = 'array' "
                  f"THEN {pg_array} ELSE '[]'::jsonb END) AS je(v) WHERE jsonb_typeof(je.v) = 'string'{pg_match})")
    values = list(folded or ())
    return _VendorParams({"sqlite": sqlite, "postgresql": postgresql}, column,
                         params_by_vendor={"sqlite": [path, path, *values],
                                           "postgresql": [*pg_params, *pg_params, *values]},
                         output_field=BooleanField())


def json_is_blank(column: str, key: str | None) -> Snippet:
    """Missing, JSON null, "" or [] (an undeclared data field under is_empty)."""
    path = _json_path(key)
    sqlite = ("(json_type($0, %s) IS NULL OR json_type($0, %s) = 'null' "
              "OR (json_type($0, %s) = 'text' AND json_extract($0, %s) = '') "
              "OR (json_type($0, %s) = 'array' AND json_array_length($0, %s) = 0))")
    pg_val, pg_params = ("$0", []) if key is None else ("($0 -> %s)", [key])
    postgresql = (f"({pg_val} IS NULL OR {pg_val} = 'null'::jsonb OR {pg_val} = '\"\"'::jsonb "
                  f"OR {pg_val} = '[]'::jsonb)")
    return _VendorParams({"sqlite": sqlite, "postgresql": postgresql}, column,
                         params_by_vendor={"sqlite": [path] * 6, "postgresql": pg_params * 4},
                         output_field=BooleanField())


# --- compiling ------------------------------------------------------------------------------


def compile_node(node: Node, *, model: type[Model], now: datetime) -> Pred:
    if isinstance(node, Leaf):
        return _leaf(node, model, now)
    if isinstance(node, All):
        parts = [compile_node(child, model=model, now=now) for child in node.children]
        if any(p is False for p in parts):
            return False
        qs = [p for p in parts if not isinstance(p, bool)]
        return reduce(and_, qs) if qs else True
    if isinstance(node, AnyOf):
        parts = [compile_node(child, model=model, now=now) for child in node.children]
        if any(p is True for p in parts):
            return True
        qs = [p for p in parts if not isinstance(p, bool)]
        return reduce(or_, qs) if qs else False
    if isinstance(node, Not):
        inner = compile_node(node.child, model=model, now=now)
        return (not inner) if isinstance(inner, bool) else ~inner
    if isinstance(node, FormulaNode):
        raise ConditionNotQueryable(
            "公式条件不能转换为数据库查询 / A formula condition cannot be compiled to a database query",
            details={"path": node.path},
        )
    raise AssertionError(node)


def to_q(pred: Pred) -> Q:
    if pred is True:
        return TRUE
    if pred is False:
        return FALSE
    return pred


def _leaf(leaf: Leaf, model: type[Model], now: datetime) -> Pred:
    fld = leaf.field
    if fld.orm_path is None:
        raise ConditionNotQueryable(
            f"字段“{fld.name}”不能用于数据库查询 / Field {fld.name!r} cannot be used in a database query",
            details={"path": leaf.path, "field": fld.name},
        )
    op = leaf.op
    negate = op in NEGATED
    positive_op = NEGATED.get(op, op)
    if fld.type == FieldType.MULTI and positive_op == "is_empty":
        # "no element" is the negation of "some element", taken at the record's level.
        positive_op, negate = "has_any", not negate
    pred = _on_path(model, fld.orm_path, lambda m, col: _local(m, col, fld, positive_op, leaf.operand, now),
                    missing_matches=positive_op == "is_empty")
    if negate:
        return (not pred) if isinstance(pred, bool) else ~pred
    return pred


def _on_path(model: type[Model], path: str, build: Callable[[type[Model], str], Pred], *,
             missing_matches: bool) -> Pred:
    """Follow relations as ``IN`` subqueries (never joins), so a to-many relation cannot
    multiply rows. A NULL foreign key is not IN; it matches only when ``missing_matches`` (the
    predicate holds for a missing value, as is_empty does: no customer means no customer tier)."""
    head, sep, rest = path.partition("__")
    if not sep:
        return build(model, path)
    rel = model._meta.get_field(head)
    related = rel.related_model
    if not rel.is_relation or related is None or isinstance(related, str):
        return build(model, path)
    inner = _on_path(related, rest, build, missing_matches=missing_matches)
    to_one = rel.many_to_one or rel.one_to_one
    if isinstance(inner, bool):
        if inner is False:
            return Q(**{f"{head}__isnull": True}) if missing_matches and to_one else False
        inner = TRUE
    matching = related._base_manager.filter(inner).values("pk")
    if to_one:
        if missing_matches:
            return Q(**{f"{head}__isnull": True}) | Q(**{f"{head}__in": matching})
        return Q(**{f"{head}__isnull": False}) & Q(**{f"{head}__in": matching})
    return Q(pk__in=model._base_manager.filter(**{f"{head}__in": matching}).values("pk"))


def _value_expr(fld: Field, col: str) -> Any:
    """The field's value as SQL: the column, or the JSON value read as the field's type."""
    if not fld.json:
        return F(col)
    kind = fld.type
    if kind in (FieldType.TEXT, FieldType.CHOICE, FieldType.TREE):
        return json_scalar(col, fld.json_key, "text")
    if kind in (FieldType.NUMBER, FieldType.ID):
        return json_scalar(col, fld.json_key, "number")
    if kind == FieldType.BOOL:
        return json_scalar(col, fld.json_key, "bool")
    if kind == FieldType.DATE:
        return json_date(col, fld.json_key)
    if kind == FieldType.DATETIME:
        return json_datetime(col, fld.json_key)
    raise AssertionError(kind)


def _guarded(value: Any, *conditions: Any) -> Q:
    """``conditions`` AND value IS NOT NULL: FALSE, not NULL, where the value is missing."""
    return reduce(and_, [Q(c) for c in conditions]) & Q(IsNull(value, False))


def _number(value: int | float) -> Value:
    return Value(value, output_field=FloatField()) if isinstance(value, float) else Value(value)


def _local(model: type[Model], col: str, fld: Field, op: str, operand: Any, now: datetime) -> Pred:
    kind = fld.type
    if kind == FieldType.MULTI:
        return _multi(model, col, fld, op, operand)
    if kind == FieldType.TREE:
        return _tree(col, fld, op, operand)
    if kind == FieldType.ANY:
        assert op == "is_empty" and fld.json
        return Q(json_is_blank(col, fld.json_key))
    value = _value_expr(fld, col)
    if op == "is_empty":
        if kind in (FieldType.TEXT, FieldType.CHOICE):
            return Q(IsNull(value, True)) | Q(Exact(value, ""))
        return Q(IsNull(value, True))
    if kind == FieldType.TEXT:
        folded = ascii_lower(value)
        if op == "eq":
            return _guarded(value, Exact(folded, operand))
        if op == "in":
            return _guarded(value, In(folded, list(operand))) if operand else False
        if op == "contains":
            return _guarded(value, text_contains(folded, operand))
        if op == "starts_with":
            return _guarded(value, text_starts_with(folded, operand))
        if op == "any_keyword":
            return _guarded(value, reduce(or_, [Q(text_contains(folded, word)) for word in operand]))
    if kind == FieldType.CHOICE:
        if op == "eq":
            return _guarded(value, Exact(value, operand))
        if op == "in":
            return _guarded(value, In(value, list(operand))) if operand else False
    if kind in (FieldType.NUMBER, FieldType.ID):
        if op == "eq":
            return _guarded(value, Exact(value, _number(operand)))
        if op == "in":
            if not operand:
                return False
            return _guarded(value, reduce(or_, [Q(Exact(value, _number(v))) for v in operand]))
        if op == "between":
            return _guarded(value, GreaterThanOrEqual(value, _number(operand[0])),
                            LessThanOrEqual(value, _number(operand[1])))
        lookup = {"gt": GreaterThan, "gte": GreaterThanOrEqual, "lt": LessThan, "lte": LessThanOrEqual}[op]
        return _guarded(value, lookup(value, _number(operand)))
    if kind == FieldType.BOOL:
        return _guarded(value, Exact(value, operand))
    if kind in (FieldType.DATETIME, FieldType.DATE):
        low, low_incl, high, high_incl = bounds_for(kind, op, operand, now)
        parts: list[Any] = []
        if low is not None:
            parts.append((GreaterThanOrEqual if low_incl else GreaterThan)(value, low))
        if high is not None:
            parts.append((LessThanOrEqual if high_incl else LessThan)(value, high))
        return _guarded(value, *parts)
    raise AssertionError((kind, op))


def _multi(model: type[Model], col: str, fld: Field, op: str, operand: Any) -> Pred:
    wanted: list[str] | None = None if op == "has_any" else ([operand] if op == "contains" else list(operand))
    if wanted is not None and not wanted:
        return False
    if fld.json:
        return Q(json_array_has(col, fld.json_key, wanted))
    # One related row's column (tags__name → Tag.name): the relation walk made it "some row".
    value = F(col)
    return Q(IsNull(value, False)) if wanted is None else _guarded(value, In(ascii_lower(value), wanted))


def _tree(col: str, fld: Field, op: str, operand: Any) -> Pred:
    assert fld.tree is not None
    if op == "is_empty":
        return Q(**{f"{col}__isnull": True})
    keys = list(operand) if isinstance(operand, tuple) else [operand]
    tree_model = apps.get_model(fld.tree.model)
    roots = list(tree_model._base_manager.filter(**{f"{fld.tree.key_field}__in": keys})
                 .values_list(fld.tree.path_field, flat=True))
    if not roots:
        return False
    subtree = reduce(or_, [Q(**{f"{fld.tree.path_field}__startswith": root}) for root in roots])
    return Q(**{f"{col}__isnull": False}) & Q(**{f"{col}__in": tree_model._base_manager.filter(subtree).values("pk")})
