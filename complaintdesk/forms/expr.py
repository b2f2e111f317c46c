"""The form engine's bridge to the shared condition format (complaintdesk.expressions).

Conditions over a form's own fields (``visible_when``, ``required_when``, layout sections) are
checked against a record catalog of the form's fields and evaluated against a *condition record*:
the stored values in the shape the condition format reads (money as a number, a region as the list
of its codes ...). See ``condition_type`` for the mapping.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from complaintdesk.expressions.conditions import CompiledCondition, check_condition, compile_condition
from complaintdesk.expressions.fields import DeclaredField, Field, FieldCatalog, record_catalog
from complaintdesk.expressions.fields import FieldType as CondType
from complaintdesk.forms.fieldtypes import FieldDef

_TEXT = {"text", "textarea", "rich_text", "email", "url", "hidden", "phone", "id_card", "uscc", "order_number",
         "serial_number", "related_ticket", "time"}
_NUMBER = {"integer", "number", "money", "percent", "rating", "nps", "slider"}
_CHOICE = {"dropdown", "radio"}
_MULTI = {"multi_select", "checkboxes", "tags", "cascade", "china_region", "address", "multi_user"}
_ID = {"user", "department", "customer", "product"}
_FORMULA_RESULT = {"number": CondType.NUMBER, "integer": CondType.NUMBER, "money": CondType.NUMBER,
                   "percent": CondType.NUMBER, "text": CondType.TEXT, "date": CondType.DATE,
                   "datetime": CondType.DATETIME, "time": CondType.TEXT, "boolean": CondType.BOOL}


def condition_type(f: FieldDef) -> CondType:
    """How the condition format sees a field of this type."""
    if f.type in _TEXT:
        return CondType.TEXT
    if f.type in _NUMBER:
        return CondType.NUMBER
    if f.type in _CHOICE:
        return CondType.CHOICE
    if f.type in _MULTI:
        return CondType.MULTI
    if f.type in _ID:
        return CondType.ID
    if f.type == "switch":
        return CondType.BOOL
    if f.type == "date":
        return CondType.DATE
    if f.type == "datetime":
        return CondType.DATETIME
    if f.type == "formula":
        return _FORMULA_RESULT.get(str(f.config.get("result_type", "number")), CondType.NUMBER)
    return CondType.ANY


def condition_value(f: FieldDef, value: Any) -> Any:
    """A stored value as the condition format reads it for ``condition_type(f)``."""
    if value is None:
        return None
    kind = f.type
    if kind == "formula":
        kind = {"number": "number", "integer": "number", "money": "money", "percent": "number"}.get(
            str(f.config.get("result_type", "number")), "")
    if kind == "money":
        return Decimal(value)
    if kind in ("china_region", "address"):
        return [value[k] for k in ("province", "city", "district") if value.get(k)]
    if kind == "multi_user":
        return [str(v) for v in value]
    if kind == "related_ticket":
        return value.get("number")
    return value


# Custom fields the ticket catalog reads without a declaration (``data.<key>`` typed from the condition's
# value, docs/conditions.md *Undeclared data fields*): these types work with their own operators there;
# the others (dates, lists, sub-tables) only with is_empty / is_not_empty (and in formulas).
_UNDECLARED_OK = {CondType.TEXT, CondType.NUMBER, CondType.BOOL, CondType.CHOICE, CondType.ID}
_EMPTY_OPS = ["is_empty", "is_not_empty"]


def ticket_data_fields(fields: list[FieldDef]) -> list[dict[str, Any]]:
    """A form's fields as ``data.<key>`` entries of ``GET /conditions/fields`` (the condition builder's
    field list), restricted to the operators the ticket catalog — which rules, saved views and the ticket
    list use, and which does not know the form — can check and evaluate in Python and SQL alike."""
    from complaintdesk.expressions.fields import OPERATORS

    out: list[dict[str, Any]] = []
    for f in fields:
        if not f.field_type.has_value or f.type == "sub_table":
            continue
        kind = condition_type(f)
        ops = list(OPERATORS[kind]) if kind in _UNDECLARED_OK else _EMPTY_OPS
        label = f.label.get("zh-CN") or f.key
        out.append({
            "name": f"data.{f.key}", "type": str(kind), "label": label, "label_en": f.label.get("en") or label,
            "operators": ops, "choices": list(f.option_values()) if f.type in _CHOICE else [], "queryable": True,
        })
    return out


def record_catalog_for(fields: list[FieldDef]) -> FieldCatalog:
    """The catalog of a record of these fields. Sub-table columns are there for formulas such as
    ``SUM({items.qty}) > 3``: named ``data.items.qty``, which the condition format's formula
    nodes find for ``{items.qty}`` and hand over as one flat array."""
    declared = [
        DeclaredField(key=f.key, type=condition_type(f), label=f.label.get("zh-CN", f.key),
                      label_en=f.label.get("en", ""), choices=tuple(f.option_values()) if f.type in _CHOICE else ())
        for f in fields if f.field_type.has_value
    ]
    catalog = record_catalog(declared, name="form")
    columns: list[Field] = []
    for f in fields:
        for column in f.columns:
            columns.append(Field(name=f"data.{f.key}.{column.key}", type=CondType.ANY,
                                 getter=_column_getter(f.key, column.key), json=True,
                                 label=column.label.get("zh-CN", column.key)))
    return catalog.extended(columns) if columns else catalog


def _column_getter(table: str, column: str) -> Any:
    def get(record: Any) -> Any:
        rows = record.get(table) if isinstance(record, Mapping) else None
        if not isinstance(rows, list):
            return None
        return [row.get(column) if isinstance(row, Mapping) else None for row in rows]

    return get


def check_condition_problems(condition: Any, catalog: FieldCatalog | None) -> list[tuple[str, str, str]]:
    """``(json pointer, code, message)`` for every problem of ``condition`` over ``catalog``."""
    if catalog is None:
        return [("", "invalid", "条件所在的作用域无效 / the condition has no valid scope")]
    return [(p.path, p.code, p.message) for p in check_condition(condition, catalog=catalog)]


def compile_form_condition(condition: Any, catalog: FieldCatalog) -> CompiledCondition:
    """The checked condition, ready to run (compiled once per schema)."""
    return compile_condition(condition, catalog=catalog)


def evaluate_compiled(compiled: CompiledCondition, record: Mapping[str, Any], *, now: datetime,
                      formula_context: Any) -> bool:
    return compiled.evaluate(record, now=now, formula_context=formula_context)
