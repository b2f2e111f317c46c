"""Computed and structural types: formula, serial number, sub-table, divider, description."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, ClassVar

from complaintdesk.forms.fieldtypes.base import (
    ConfigOption,
    FieldDef,
    FieldType,
    FieldValueError,
    ProblemSink,
    ValueContext,
    localized,
)
from complaintdesk.forms.fieldtypes.choice import check_count_bounds

RESULT_TYPES = ("number", "integer", "money", "percent", "text", "date", "datetime", "time", "boolean")


class FormulaType(FieldType):
    """A value computed from other fields by an Excel-style formula; never typed in."""

    name = "formula"
    family = "advanced"
    label = {"zh-CN": "公式", "en": "Formula"}
    computed = True
    properties = frozenset({"formula"})
    config_options = (
        ConfigOption("result_type", "enum", {"zh-CN": "结果类型", "en": "Result type"}, "number", RESULT_TYPES),
        ConfigOption("scale", "integer", {"zh-CN": "小数位数", "en": "Decimal places"}),
        ConfigOption("currency", "string", {"zh-CN": "币种", "en": "Currency"}, "CNY"),
    )

    def result_type(self, f: FieldDef) -> str:
        value = self.config_value(f, "result_type")
        return value if value in RESULT_TYPES else "number"

    def check_config(self, f: FieldDef, add: ProblemSink) -> None:
        super().check_config(f, add)
        if self.config_value(f, "result_type") not in RESULT_TYPES:
            add("config.result_type", "invalid_config",
                f"结果类型须为 {'/'.join(RESULT_TYPES)} / result_type must be one of {', '.join(RESULT_TYPES)}")
        scale = f.config.get("scale")
        if scale is not None and (not isinstance(scale, int) or isinstance(scale, bool) or not 0 <= scale <= 10):
            add("config.scale", "invalid_config", "scale 须为 0–10 / scale must be 0..10")
        if not isinstance(f.formula, str) or not f.formula.strip():
            add("formula", "missing_formula", "公式字段需要公式 / a formula field needs a formula")

    def delegate(self, f: FieldDef) -> FieldType:
        from complaintdesk.forms.fieldtypes.registry import get_field_type

        kind = self.result_type(f)
        return get_field_type({"text": "textarea", "boolean": "switch"}.get(kind, kind))

    def normalize(self, value: Any, f: FieldDef, ctx: ValueContext) -> Any:
        return self.from_formula(value, f, ctx)

    def from_formula(self, result: Any, f: FieldDef, ctx: ValueContext) -> Any:
        if result is None:
            return None
        kind = self.result_type(f)
        if kind == "text":
            if isinstance(result, bool):
                return "TRUE" if result else "FALSE"
            if isinstance(result, Decimal | float | int):
                return format_number(result)
            if isinstance(result, datetime | date | time):
                return result.isoformat()
            return str(result)[:5000]
        if kind == "boolean" and isinstance(result, int | float | Decimal) and not isinstance(result, bool):
            return bool(result)
        return self.delegate(f).from_formula(result, f, ctx)

    def to_formula(self, value: Any, f: FieldDef) -> Any:
        return self.delegate(f).to_formula(value, f)

    def is_empty(self, value: Any) -> bool:
        return value is None or value == ""

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {**self.delegate(f).json_schema(FieldDef(key=f.key, type=self.result_type(f), path=f.path,
                                                                config=f.config)), "readOnly": True}


def format_number(value: Decimal | float | int) -> str:
    number = value if isinstance(value, Decimal) else Decimal(repr(value))
    text = format(number.normalize(), "f")
    return text


_SERIAL_TOKEN = re.compile(r"\{([A-Za-z]+)(?::(\d+))?\}")
SERIAL_DATE_TOKENS = {
    "yyyy": "%Y", "yy": "%y", "MM": "%m", "dd": "%d", "yyyyMMdd": "%Y%m%d", "yyMMdd": "%y%m%d", "yyyyMM": "%Y%m",
}
_SERIAL_LITERAL = re.compile(r"^[A-Za-z0-9_\-]*$")


def serial_pattern_problems(pattern: Any) -> list[str]:
    """What is wrong with a serial pattern such as ``QC-{yyyyMMdd}-{seq:4}`` (tickets/numbering.py tokens)."""
    if not isinstance(pattern, str) or not pattern:
        return ["a pattern such as QC-{yyyyMMdd}-{seq:4} is required"]
    problems: list[str] = []
    seqs = 0
    for match in _SERIAL_TOKEN.finditer(pattern):
        name, width = match.group(1), match.group(2)
        if name == "seq":
            seqs += 1
            if width is None or not 1 <= int(width) <= 12:
                problems.append("{seq:N} needs a width N between 1 and 12")
        elif name not in SERIAL_DATE_TOKENS:
            problems.append(f"unknown token {{{name}}}")
    if seqs != 1:
        problems.append("the pattern needs exactly one {seq:N}")
    if not _SERIAL_LITERAL.match(_SERIAL_TOKEN.sub("", pattern)):
        problems.append("only letters, digits, '-' and '_' may appear outside tokens")
    if len(pattern) > 40:
        problems.append("pattern too long (40 characters at most)")
    return problems


def render_serial(pattern: str, at_local: datetime, seq: int | None) -> str:
    def token(match: re.Match[str]) -> str:
        name, width = match.group(1), match.group(2)
        if name == "seq":
            return "{seq}" if seq is None else str(seq).zfill(int(width or 1))
        return at_local.strftime(SERIAL_DATE_TOKENS[name])

    return _SERIAL_TOKEN.sub(token, pattern)


class SerialNumberType(FieldType):
    """A number generated when the form is submitted, e.g. ``QC-20260310-0001``: gap-free per
    form, field and period (the counter restarts whenever the text before ``{seq}`` changes)."""

    name = "serial_number"
    family = "advanced"
    label = {"zh-CN": "流水号", "en": "Serial number"}
    computed = True
    config_options = (
        ConfigOption("pattern", "pattern", {"zh-CN": "编号规则", "en": "Pattern"}, "{yyyyMMdd}{seq:4}", required=True),
    )

    def check_config(self, f: FieldDef, add: ProblemSink) -> None:
        super().check_config(f, add)
        for problem in serial_pattern_problems(self.config_value(f, "pattern")):
            add("config.pattern", "invalid_config", f"编号规则无效 / invalid pattern: {problem}")

    def normalize(self, value: Any, f: FieldDef, ctx: ValueContext) -> Any:
        if value is None or value == "":
            return None
        if not isinstance(value, str) or len(value) > 60:
            raise FieldValueError("invalid_type", expected="text")
        return value

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        pattern = self.config_value(f, "pattern")
        return {"type": "string", "readOnly": True, "description": f"Generated on submit: {pattern}"}


AGGREGATES = ("sum", "avg", "min", "max", "count")
NUMERIC_TYPES = frozenset({"integer", "number", "money", "percent", "rating", "nps", "slider"})
# What a sub-table column may not be: nested tables, layout-only and per-form generated values.
NOT_IN_SUB_TABLE = frozenset({"sub_table", "divider", "description", "serial_number"})


def is_numeric(f: FieldDef) -> bool:
    if f.type == "formula":
        return f.config.get("result_type", "number") in ("number", "integer", "money", "percent")
    return f.type in NUMERIC_TYPES


class SubTableType(FieldType):
    """Repeating rows with their own column fields (退货明细: SKU, 数量, 金额) and column totals.

    Rows are validated one by one (errors at ``items[2].qty``); formulas elsewhere see a column as
    an array (``SUM({items.amount})``) and a column formula sees its own row.
    """

    name = "sub_table"
    family = "advanced"
    label = {"zh-CN": "子表单", "en": "Sub-table"}
    properties = frozenset({"min_length", "max_length"})
    config_options = (
        ConfigOption("columns", "list", {"zh-CN": "列（字段定义）", "en": "Columns (field definitions)"}, [],
                     required=True),
        ConfigOption("totals", "object", {"zh-CN": "合计（列标识 → sum/avg/min/max/count）",
                                          "en": "Totals (column key → sum/avg/min/max/count)"}, {}),
    )
    default_max: ClassVar[int] = 200
    hard_max: ClassVar[int] = 1000

    def allowed_properties(self) -> frozenset[str]:
        # Rows come from the submitter; defaults and formulas belong to the columns.
        return super().allowed_properties() - {"default", "default_formula", "read_only"}

    def check_config(self, f: FieldDef, add: ProblemSink) -> None:
        super().check_config(f, add)
        check_count_bounds(f, add, hard_max=self.hard_max)
        if not f.columns:
            add("config.columns", "invalid_config", "子表单至少需要一列 / a sub-table needs at least one column")
        for i, column in enumerate(f.columns):
            if column.type in NOT_IN_SUB_TABLE:
                add(f"config.columns[{i}].type", "invalid_config",
                    f"子表单的列不能是 {column.type} / a sub-table column cannot be a {column.type}")
        totals = f.config.get("totals", {})
        if not isinstance(totals, dict):
            add("config.totals", "invalid_config", "totals 须为对象 / totals must be an object")
            return
        columns = {c.key: c for c in f.columns}
        for key, aggregate in totals.items():
            if key not in columns:
                add(f"config.totals.{key}", "unknown_reference", f"没有列 {key} / no column {key!r}")
            elif aggregate not in AGGREGATES:
                add(f"config.totals.{key}", "invalid_config",
                    f"合计方式须为 {'/'.join(AGGREGATES)} / aggregate must be one of {', '.join(AGGREGATES)}")
            elif aggregate != "count" and not is_numeric(columns[key]):
                add(f"config.totals.{key}", "invalid_config", f"列 {key} 不是数字 / column {key!r} is not numeric")

    def max_rows(self, f: FieldDef) -> int:
        return f.max_length if isinstance(f.max_length, int) else self.default_max

    def normalize(self, value: Any, f: FieldDef, ctx: ValueContext) -> Any:
        """The shape only: a list of objects; the engine normalises each row's columns."""
        if value is None or value == []:
            return None
        if not isinstance(value, list):
            raise FieldValueError("invalid_type", expected="list")
        if len(value) > self.max_rows(f):
            raise FieldValueError("too_many_items", max=self.max_rows(f))
        if any(not isinstance(row, dict) for row in value):
            raise FieldValueError("invalid_row")
        return value

    def to_formula(self, value: Any, f: FieldDef) -> Any:
        return None if value is None else len(value)

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        from complaintdesk.forms.export import field_json_schema

        properties = {c.key: field_json_schema(c) for c in f.columns if c.field_type.has_value}
        required = [c.key for c in f.columns if c.required and not c.required_when and not c.visible_when]
        schema: dict[str, Any] = {
            "type": "array", "maxItems": self.max_rows(f),
            "items": {"type": "object", "properties": properties, "additionalProperties": False,
                      **({"required": required} if required else {})},
        }
        if f.min_length:
            schema["minItems"] = f.min_length
        return schema


class DividerType(FieldType):
    name = "divider"
    family = "layout"
    label = {"zh-CN": "分割线", "en": "Divider"}
    has_value = False
    config_options = (
        ConfigOption("title", "localized", {"zh-CN": "标题", "en": "Title"}),
    )

    def check_config(self, f: FieldDef, add: ProblemSink) -> None:
        super().check_config(f, add)
        if "title" in f.config:
            try:
                localized(f.config["title"])
            except ValueError:
                add("config.title", "invalid_config", "标题须为文本或 {zh-CN, en} / title must be text or {zh-CN, en}")


class DescriptionType(DividerType):
    """A block of explanatory text (sanitised HTML), e.g. 投诉须知."""

    name = "description"
    label = {"zh-CN": "说明文字", "en": "Description"}
    config_options = (
        ConfigOption("content", "localized", {"zh-CN": "内容（HTML）", "en": "Content (HTML)"}, required=True),
    )

    def check_config(self, f: FieldDef, add: ProblemSink) -> None:
        FieldType.check_config(self, f, add)
        try:
            content = localized(f.config.get("content"))
        except ValueError:
            content = None
        if not content:
            add("config.content", "invalid_config", "说明文字需要内容 / a description needs content")


TYPES: tuple[type[FieldType], ...] = (FormulaType, SerialNumberType, SubTableType, DividerType, DescriptionType)
