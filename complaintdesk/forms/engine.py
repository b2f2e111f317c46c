"""Evaluating a form: submitted values in, stored values, visibility, required-ness and errors out.

The designer's preview, the ticket intake and the public form all call ``evaluate_form``, so they
can never disagree. One run:

1. normalise every submitted value with its field type (errors kept aside) and check references
   (users, products, tickets, order numbers) in one query per kind;
2. walk the fields in dependency order (``FormSchema.order``): decide visibility from the values
   already final, then take the value — a formula's result, the submitted value, or the default
   (literal or formula); a hidden field has no value and counts as blank for everything after it;
3. decide required-ness (``required`` or ``required_when``) of the visible fields and report
   missing ones; report the normalisation errors of visible fields only;
4. on submit, and only when nothing is wrong, take serial numbers.
"""

from __future__ import annotations

import logging
from collections import ChainMap
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from complaintdesk.core import clock
from complaintdesk.core.sequences import next_value
from complaintdesk.expressions.formula import ExcelError, FormulaContext
from complaintdesk.forms import expr
from complaintdesk.forms.fieldtypes import UNSET, FieldDef, FieldValueError, ValueContext, error_dict
from complaintdesk.forms.fieldtypes.base import plain_number, to_decimal
from complaintdesk.forms.fieldtypes.structure import render_serial
from complaintdesk.forms.schema import FormSchema, compile_schema

logger = logging.getLogger(__name__)

MAX_UNKNOWN_KEY_ERRORS = 50
_MISSING = object()


@dataclass
class EvaluationContext:
    """Who evaluates, when, and how much to trust the input.

    ``trusted`` callers (integrations acting as the system) may set read-only fields; ``public``
    marks an anonymous submission (related tickets are refused: no probing of numbers); ``submit``
    takes serial numbers (inside the caller's transaction); ``url_params`` fill hidden fields whose
    source is the URL; ``serial_scope`` (the form key) namespaces serial counters.
    """

    now: datetime | None = None
    viewer: Any = None
    trusted: bool = False
    submit: bool = False
    serial_scope: str = "form"
    verify_orders: bool = True
    url_params: Mapping[str, str] | None = None
    formula_context: FormulaContext | None = None
    public: bool = False


@dataclass
class EvaluationResult:
    values: dict[str, Any] = field(default_factory=dict)
    visibility: dict[str, bool] = field(default_factory=dict)
    required: dict[str, bool] = field(default_factory=dict)
    errors: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    formula_errors: dict[str, dict[str, str]] = field(default_factory=dict)
    totals: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.errors

    def add_error(self, path: str, error: dict[str, str]) -> None:
        self.errors.setdefault(path, []).append(error)

    def as_dict(self) -> dict[str, Any]:
        return {"valid": self.valid, "values": self.values, "visibility": self.visibility, "required": self.required,
                "errors": self.errors, "formula_errors": self.formula_errors, "totals": self.totals}


def evaluate_form(schema: FormSchema | Mapping[str, Any], values: Mapping[str, Any] | None, *,
                  context: EvaluationContext | None = None) -> EvaluationResult:
    """Evaluate ``values`` against ``schema`` (a compiled schema or its JSON; an invalid schema
    raises ``InvalidSchema``)."""
    compiled = schema if isinstance(schema, FormSchema) else compile_schema(schema)
    return _Run(compiled, context or EvaluationContext()).run(values if values is not None else {})


def _excel_error(error: ExcelError) -> dict[str, str]:
    return {"code": error.code, "zh-CN": error.description_zh, "en": error.description_en}


class _Run:
    def __init__(self, schema: FormSchema, ctx: EvaluationContext) -> None:
        self.schema = schema
        self.ctx = ctx
        self.now = ctx.now or clock.now()
        self.value_ctx = ValueContext(now=self.now, viewer=ctx.viewer, verify_orders=ctx.verify_orders,
                                      public=ctx.public)
        now = self.now
        self.formula_ctx = ctx.formula_context or FormulaContext(now=lambda: now)
        self.result = EvaluationResult()
        # Normalised input: key (or "table[i].column") -> value, and the errors met on the way.
        self.inputs: dict[str, Any] = {}
        self.input_errors: dict[str, FieldValueError] = {}
        self.row_count: dict[str, int] = {}
        # Final values so far, in three views: stored, as conditions read them, as formulas read them.
        self.stored: dict[str, Any] = {}
        self.cond: dict[str, Any] = {}
        self.formula: dict[str, Any] = {}
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.row_cond: dict[str, list[dict[str, Any]]] = {}
        self.row_formula: dict[str, list[dict[str, Any]]] = {}
        # Formula results that were Excel errors: blank when stored, but the error itself for the
        # formulas that read them, so IFERROR({ratio}, 0) works as in a spreadsheet.
        self.excel_errors: dict[str, ExcelError] = {}

    # --- 1. input ------------------------------------------------------------------------------

    def accepts_input(self, f: FieldDef) -> bool:
        return f.field_type.has_value and not f.field_type.computed and (not f.read_only or self.ctx.trusted)

    def normalize(self, f: FieldDef, raw: Any, path: str) -> None:
        if raw is None:  # null is blank for every type
            self.inputs[path] = None
            return
        try:
            self.inputs[path] = f.field_type.normalize(raw, f, self.value_ctx)
        except FieldValueError as exc:
            self.input_errors[path] = exc
            self.inputs[path] = None
        except (ValueError, TypeError, ArithmeticError, KeyError, AttributeError, RecursionError):
            logger.warning("field %s (%s) could not normalise a value", f.key, f.type, exc_info=True)
            self.input_errors[path] = FieldValueError("invalid_type", expected=f.type)
            self.inputs[path] = None

    def read_input(self, values: Mapping[str, Any]) -> None:
        if not isinstance(values, Mapping):
            self.result.add_error("", error_dict("invalid_type", expected="object"))
            return
        known = self.schema.by_key
        unknown = [k for k in values if k not in known or known[k].parent is not None or
                   not known[k].field_type.has_value]
        for key in unknown[:MAX_UNKNOWN_KEY_ERRORS]:
            self.result.add_error(str(key)[:100], error_dict("unknown_field"))
        params = self.ctx.url_params or {}
        for f in self.schema.fields:
            if not self.accepts_input(f):
                continue
            raw = values.get(f.key, _MISSING)
            if raw is _MISSING and f.type == "hidden" and f.config.get("source", "url") == "url":
                raw = params.get(f.config.get("param") or f.key, _MISSING)
            if raw is _MISSING:
                continue
            self.normalize(f, raw, f.key)
            if f.type == "sub_table" and f.key not in self.input_errors and self.inputs[f.key]:
                self.read_rows(f, self.inputs[f.key])

    def read_rows(self, table: FieldDef, rows: list[dict[str, Any]]) -> None:
        self.row_count[table.key] = len(rows)
        columns = {c.key: c for c in table.columns}
        for i, row in enumerate(rows):
            for key in [k for k in row if k not in columns][:MAX_UNKNOWN_KEY_ERRORS]:
                self.result.add_error(f"{table.key}[{i}].{str(key)[:100]}", error_dict("unknown_field"))
            for column in table.columns:
                if self.accepts_input(column) and column.key in row:
                    self.normalize(column, row[column.key], f"{table.key}[{i}].{column.key}")

    def verify_references(self) -> None:
        groups: dict[str, list[tuple[str, FieldDef, Any]]] = {}
        for path, value in self.inputs.items():
            if value is None:
                continue
            f = self.field_at(path)
            if f.field_type.needs_lookup:
                groups.setdefault(f.type, []).append((path, f, value))
        for entries in groups.values():
            answer = entries[0][1].field_type.verify(entries, self.value_ctx)
            for path, (value, error) in answer.items():
                self.inputs[path] = value
                if error is not None:
                    self.input_errors[path] = error

    def field_at(self, path: str) -> FieldDef:
        return self.schema.by_key[path.rsplit(".", 1)[-1] if "[" in path else path]

    # --- 2. the ordered walk -------------------------------------------------------------------

    def condition_holds(self, compiled: Any, record: Mapping[str, Any]) -> bool:
        try:
            return expr.evaluate_compiled(compiled, record, now=self.now, formula_context=self.formula_ctx)
        except Exception:  # a bug in a condition must not turn a submission into a 500
            logger.exception("condition evaluation failed")
            return False

    def visible(self, f: FieldDef, record: Mapping[str, Any]) -> bool:
        for path in self.schema.container_conditions.get(f.key, []) if f.parent is None else []:
            if not self.condition_holds(self.schema.conditions[(path, "layout")], record):
                return False
        compiled = self.schema.conditions.get((f.key, "visible_when"))
        return compiled is None or self.condition_holds(compiled, record)

    def compute(self, compiled: Any, f: FieldDef, scope: Mapping[str, Any], path: str) -> Any:
        try:
            result = compiled.evaluate(scope, self.formula_ctx)
        except Exception:  # the language promises never to raise; a bug must still not be a 500
            logger.exception("formula %r raised", compiled.text)
            result = ExcelError("#VALUE!")
        if isinstance(result, list):
            result = ExcelError("#VALUE!")
        if not isinstance(result, ExcelError):
            try:
                return f.field_type.from_formula(result, f, self.value_ctx)
            except (FieldValueError, ValueError, TypeError, ArithmeticError):
                result = ExcelError("#VALUE!")
        self.result.formula_errors[path] = _excel_error(result)
        self.excel_errors[path] = result
        return None

    def value_of(self, f: FieldDef, path: str, scope: Mapping[str, Any]) -> Any:
        if f.type == "formula":
            return self.compute(self.schema.formulas[f.key], f, scope, path)
        if f.type == "serial_number":
            return None
        if path in self.inputs:
            error = self.input_errors.get(path)
            if error is not None:
                self.result.add_error(path, error.as_dict())
                return None
            return self.inputs[path]
        if f.key in self.schema.default_formulas:
            return self.compute(self.schema.default_formulas[f.key], f, scope, path)
        if f.default is not UNSET:
            try:
                return f.field_type.normalize(f.default, f, self.value_ctx)
            except FieldValueError as exc:
                self.result.add_error(path, exc.as_dict())
        return None

    def settle(self, f: FieldDef, value: Any, stored: dict[str, Any], cond: dict[str, Any],
               formula: dict[str, Any], path: str) -> None:
        empty = value is None or f.field_type.is_empty(value)
        stored[f.key] = None if empty else value
        cond[f.key] = None if empty else expr.condition_value(f, value)
        formula[f.key] = self.excel_errors.get(path) if empty else f.field_type.to_formula(value, f)

    def top_field(self, f: FieldDef) -> None:
        shown = self.visible(f, self.cond)
        self.result.visibility[f.key] = shown
        if not f.field_type.has_value:
            return
        if not shown:
            self.settle(f, None, self.stored, self.cond, self.formula, f.key)
            return
        if f.type == "sub_table":
            self.start_table(f)
            return
        self.settle(f, self.value_of(f, f.key, self.formula), self.stored, self.cond, self.formula, f.key)

    def start_table(self, table: FieldDef) -> None:
        error = self.input_errors.get(table.key)
        if error is not None:
            self.result.add_error(table.key, error.as_dict())
        count = self.row_count.get(table.key, 0)
        self.rows[table.key] = [{} for _ in range(count)]
        self.row_cond[table.key] = [{} for _ in range(count)]
        self.row_formula[table.key] = [{} for _ in range(count)]
        # Formulas read {table.column} from these rows while the columns fill them in.
        self.formula[table.key] = self.row_formula[table.key]
        self.cond[table.key] = self.row_cond[table.key]

    def column(self, column: FieldDef) -> None:
        table = column.parent
        assert table is not None
        if table not in self.rows:
            return
        for i in range(len(self.rows[table])):
            path = f"{table}[{i}].{column.key}"
            shown = self.visible(column, ChainMap(self.row_cond[table][i], self.cond))
            self.result.visibility[path] = shown
            value = self.value_of(column, path, ChainMap(self.row_formula[table][i], self.formula)) if shown else None
            self.settle(column, value, self.rows[table][i], self.row_cond[table][i], self.row_formula[table][i],
                        path)

    def finish_table(self, table: FieldDef) -> None:
        rows = self.rows.get(table.key)
        if rows is None:
            return
        stored_rows = [{k: v for k, v in row.items() if v is not None} for row in rows]
        self.stored[table.key] = stored_rows or None
        self.cond[table.key] = self.row_cond[table.key] or None
        self.formula[table.key] = self.row_formula[table.key] or None
        for column in table.columns:
            if column.unique:
                seen: dict[str, int] = {}
                for i, row in enumerate(rows):
                    value = row.get(column.key)
                    if value is None:
                        continue
                    marker = repr(value)
                    if marker in seen:
                        self.result.add_error(f"{table.key}[{i}].{column.key}",
                                              error_dict("duplicate_value", row=seen[marker] + 1))
                    else:
                        seen[marker] = i
        totals = table.config.get("totals")
        if isinstance(totals, dict) and totals:
            columns = {c.key: c for c in table.columns}
            self.result.totals[table.key] = {
                key: _aggregate(columns[key], aggregate, [row.get(key) for row in rows]) for key, aggregate in
                totals.items()}

    # --- 3. required-ness ----------------------------------------------------------------------

    def is_required(self, f: FieldDef, record: Mapping[str, Any]) -> bool:
        if f.field_type.computed or not f.field_type.has_value:
            return False
        if f.required:
            return True
        compiled = self.schema.conditions.get((f.key, "required_when"))
        return compiled is not None and self.condition_holds(compiled, record)

    def missing(self, f: FieldDef, value: Any) -> bool:
        if f.type == "switch":
            return value is not True
        return value is None or f.field_type.is_empty(value)

    def check_required(self) -> None:
        for f in self.schema.fields:
            if not f.field_type.has_value:
                continue
            shown = self.result.visibility.get(f.key, False)
            required = shown and self.is_required(f, self.cond)
            self.result.required[f.key] = required
            if required and self.missing(f, self.stored.get(f.key)) and f.key not in self.result.errors:
                code = "must_be_checked" if f.type == "switch" and self.stored.get(f.key) is False else "required"
                self.result.add_error(f.key, error_dict(code))
            if f.type == "sub_table" and shown:
                self.check_rows(f)

    def check_rows(self, table: FieldDef) -> None:
        rows = self.rows.get(table.key, [])
        if rows and isinstance(table.min_length, int) and len(rows) < table.min_length:
            self.result.add_error(table.key, error_dict("too_few_items", min=table.min_length))
        for i, row in enumerate(rows):
            record = ChainMap(self.row_cond[table.key][i], self.cond)
            for column in table.columns:
                path = f"{table.key}[{i}].{column.key}"
                shown = self.result.visibility.get(path, False)
                required = shown and self.is_required(column, record)
                self.result.required[path] = required
                if required and self.missing(column, row.get(column.key)) and path not in self.result.errors:
                    self.result.add_error(path, error_dict("required"))

    # --- 4. serial numbers ---------------------------------------------------------------------

    def take_serials(self) -> None:
        local = timezone.localtime(self.now)
        for f in self.schema.fields:
            if f.type != "serial_number" or not self.result.visibility.get(f.key):
                continue
            pattern = f.field_type.config_value(f, "pattern")
            prefix = render_serial(pattern, local, None)
            seq = next_value(f"form:{self.ctx.serial_scope}:{f.key}:{prefix}")
            self.stored[f.key] = render_serial(pattern, local, seq)

    # --- the run -------------------------------------------------------------------------------

    def run(self, values: Mapping[str, Any]) -> EvaluationResult:
        self.read_input(values)
        self.verify_references()
        for node in self.schema.order:
            if node.endswith(".*"):
                self.finish_table(self.schema.by_key[node[:-2]])
                continue
            f = self.schema.by_key[node]
            if f.parent is None:
                self.top_field(f)
            else:
                self.column(f)
        self.check_required()
        if self.ctx.submit and self.result.valid:
            self.take_serials()
        self.result.values = {f.key: self.stored[f.key] for f in self.schema.fields
                              if self.stored.get(f.key) is not None}
        return self.result


def _aggregate(column: FieldDef, aggregate: str, values: list[Any]) -> Any:
    present = [v for v in values if v is not None]
    if aggregate == "count":
        return len(present)
    numbers: list[Decimal] = []
    for value in present:
        try:
            numbers.append(to_decimal(value))
        except FieldValueError:
            continue
    if not numbers:
        return 0 if aggregate == "sum" else None
    if aggregate == "sum":
        total = sum(numbers, Decimal(0))
    elif aggregate == "avg":
        total = sum(numbers, Decimal(0)) / len(numbers)
    elif aggregate == "min":
        total = min(numbers)
    else:
        total = max(numbers)
    is_money = column.type == "money" or (column.type == "formula" and column.config.get("result_type") == "money")
    if is_money:
        scale = column.config.get("scale", 2)
        return str(total.quantize(Decimal(1).scaleb(-(scale if isinstance(scale, int) else 2))))
    return plain_number(total.quantize(Decimal("1.0000000000")).normalize()) if aggregate == "avg" \
        else plain_number(total)
