"""The Python interpreter: a checked condition against one record."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.apps import apps

from complaintdesk.expressions.conditions.model import All, AnyOf, FormulaNode, Leaf, Node, Not
from complaintdesk.expressions.conditions.parse import NEGATED, formula_field
from complaintdesk.expressions.conditions.values import bounds_for, fold, in_bounds, is_empty, read_value
from complaintdesk.expressions.fields import Field, FieldCatalog, FieldType


class Evaluation:
    """One evaluation run: a fixed "now" and the tree keys already looked up."""

    def __init__(self, *, catalog: FieldCatalog, now: datetime, formula_context: Any = None) -> None:
        self.catalog = catalog
        self.now = now
        self.formula_context = formula_context
        self._tree_ids: dict[tuple[str, tuple[str, ...]], frozenset[int]] = {}

    def tree_ids(self, fld: Field, keys: tuple[str, ...]) -> frozenset[int]:
        assert fld.tree is not None
        cache_key = (fld.tree.model, keys)
        found = self._tree_ids.get(cache_key)
        if found is None:
            model = apps.get_model(fld.tree.model)
            found = frozenset(model._base_manager.filter(**{f"{fld.tree.key_field}__in": keys})
                              .values_list("pk", flat=True))
            self._tree_ids[cache_key] = found
        return found


def evaluate_node(node: Node, record: Any, ev: Evaluation) -> bool:
    if isinstance(node, Leaf):
        return _leaf(node, record, ev)
    if isinstance(node, All):
        return all(evaluate_node(child, record, ev) for child in node.children)
    if isinstance(node, AnyOf):
        return any(evaluate_node(child, record, ev) for child in node.children)
    if isinstance(node, Not):
        return not evaluate_node(node.child, record, ev)
    if isinstance(node, FormulaNode):
        return _formula(node, record, ev)
    raise AssertionError(node)


def _leaf(leaf: Leaf, record: Any, ev: Evaluation) -> bool:
    fld = leaf.field
    value = read_value(fld, fld.getter(record))
    op = leaf.op
    if op in NEGATED:
        return not _positive(fld, NEGATED[op], leaf.operand, value, ev)
    return _positive(fld, op, leaf.operand, value, ev)


def _positive(fld: Field, op: str, operand: Any, value: Any, ev: Evaluation) -> bool:
    if op == "is_empty":
        return is_empty(fld, value)
    kind = fld.type
    if kind == FieldType.MULTI:
        elements = {fold(e) for e in value}
        if op == "contains":
            return operand in elements
        return not elements.isdisjoint(operand)  # in: has any of them
    if value is None:
        return False
    if kind == FieldType.TEXT:
        text = fold(value)
        if op == "eq":
            return text == operand
        if op == "in":
            return text in operand
        if op == "contains":
            return operand in text
        if op == "starts_with":
            return text.startswith(operand)
        if op == "any_keyword":
            return any(word in text for word in operand)
    elif kind == FieldType.TREE:
        keys = operand if isinstance(operand, tuple) else (operand,)
        wanted = ev.tree_ids(fld, keys)
        return any(int(part) in wanted for part in value.split("/") if part.isdigit())
    elif kind in (FieldType.CHOICE, FieldType.ID, FieldType.BOOL, FieldType.NUMBER):
        if op == "eq":
            return bool(value == operand)
        if op == "in":
            return any(value == item for item in operand)
        if op == "between":
            return bool(operand[0] <= value <= operand[1])
        if op == "gt":
            return bool(value > operand)
        if op == "gte":
            return bool(value >= operand)
        if op == "lt":
            return bool(value < operand)
        if op == "lte":
            return bool(value <= operand)
    elif kind in (FieldType.DATETIME, FieldType.DATE):
        return in_bounds(value, bounds_for(kind, op, operand, ev.now))
    raise AssertionError((kind, op))


# --- formulas -------------------------------------------------------------------------------


def _formula_value(fld: Field, record: Any) -> Any:
    if fld.formula_getter is not None:
        return fld.formula_getter(record)
    value = read_value(fld, fld.getter(record))
    if isinstance(value, Mapping):
        return None  # the formula language has no objects
    return value


def _formula(node: FormulaNode, record: Any, ev: Evaluation) -> bool:
    values: dict[str, Any] = {}
    for ref in node.compiled.references:
        fld = formula_field(ev.catalog, ref)
        if fld is None:
            values[ref] = None
        elif "." not in ref or fld.name == f"data.{ref}":
            values[ref] = _formula_value(fld, record)
        elif fld.name == ref:
            # {customer.tier} is sub-table syntax to the formula language: give it one row, so it
            # reads as a one-element array whether or not there is a customer.
            table, column = ref.split(".", 1)
            rows = values.setdefault(table, [{}])
            rows[0][column] = _formula_value(fld, record)
        else:  # {items.qty}: the formula reads the column from the rows under "items"
            values[ref.split(".", 1)[0]] = _formula_value(fld, record)
    if ev.formula_context is None:
        from complaintdesk.expressions.formula import FormulaContext

        ev.formula_context = FormulaContext(now=lambda: ev.now)
    return formula_truth(node.compiled.evaluate(values, ev.formula_context))


def formula_truth(result: Any) -> bool:
    """TRUE in Excel's logical sense: TRUE, a non-zero number or date, the text "TRUE".
    Errors, blanks, other text and arrays are not TRUE."""
    if isinstance(result, bool):
        return result
    if isinstance(result, int | float):
        return result != 0
    if isinstance(result, str):
        return result.strip().upper() == "TRUE"
    if isinstance(result, list | tuple):
        # {customer.tier} reads as a one-element array (the sub-table syntax), and so does
        # anything computed from it: one element counts as that element.
        return len(result) == 1 and formula_truth(result[0])
    return isinstance(result, date | datetime)
