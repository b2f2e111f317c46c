"""Numbers: integer, number, money (Decimal as string), percent, rating, NPS, slider, switch."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, ClassVar

from complaintdesk.forms.fieldtypes.base import (
    ConfigOption,
    FieldDef,
    FieldType,
    FieldValueError,
    ProblemSink,
    ValueContext,
    decimal_places,
    is_number,
    plain_number,
    round_to,
    to_decimal,
)


def _bound(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return to_decimal(value)
    except FieldValueError:
        return None


def check_bounds(f: FieldDef, add: ProblemSink, *, integer: bool = False) -> None:
    for name in ("min", "max"):
        value = getattr(f, name)
        if value is None:
            continue
        if not is_number(value) or _bound(value) is None:
            add(name, "invalid_property", f"{name} 须为数字 / {name} must be a number")
        elif integer and _bound(value) != _bound(value).to_integral_value():  # type: ignore[union-attr]
            add(name, "invalid_property", f"{name} 须为整数 / {name} must be a whole number")
    lo, hi = _bound(f.min), _bound(f.max)
    if lo is not None and hi is not None and lo > hi:
        add("min", "invalid_property", "min 大于 max / min exceeds max")


def check_scale(f: FieldDef, add: ProblemSink, name: str, *, low: int, high: int) -> None:
    scale = f.config.get(name)
    if scale is not None and (not isinstance(scale, int) or isinstance(scale, bool) or not low <= scale <= high):
        add(f"config.{name}", "invalid_config", f"{name} 须为 {low}–{high} 的整数 / "
                                                f"{name} must be an integer {low}..{high}")


def in_bounds(value: Decimal, lo: Decimal | None, hi: Decimal | None) -> None:
    if lo is not None and value < lo:
        raise FieldValueError("too_small", min=plain_number(lo))
    if hi is not None and value > hi:
        raise FieldValueError("too_large", max=plain_number(hi))


def number_schema(f: FieldDef, base: dict[str, Any]) -> dict[str, Any]:
    schema = dict(base)
    if _bound(f.min) is not None:
        schema["minimum"] = plain_number(_bound(f.min))  # type: ignore[arg-type]
    if _bound(f.max) is not None:
        schema["maximum"] = plain_number(_bound(f.max))  # type: ignore[arg-type]
    return schema


class IntegerType(FieldType):
    name = "integer"
    family = "number"
    label = {"zh-CN": "整数", "en": "Integer"}
    properties = frozenset({"min", "max", "unique"})

    def check_config(self, f: FieldDef, add: ProblemSink) -> None:
        super().check_config(f, add)
        check_bounds(f, add, integer=True)

    def normalize(self, value: Any, f: FieldDef, ctx: ValueContext) -> Any:
        if value is None or value == "":
            return None
        try:
            number = to_decimal(value)
        except FieldValueError as exc:
            raise FieldValueError("not_integer") from exc
        if number != number.to_integral_value():
            raise FieldValueError("not_integer")
        in_bounds(number, _bound(f.min), _bound(f.max))
        return int(number)

    def from_formula(self, result: Any, f: FieldDef, ctx: ValueContext) -> Any:
        if result is None or result == "":
            return None
        return self.normalize(round_to(to_decimal(result), 0), f, ctx)

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return number_schema(f, {"type": "integer"})


class NumberType(FieldType):
    name = "number"
    family = "number"
    label = {"zh-CN": "数字", "en": "Number"}
    properties = frozenset({"min", "max", "unique"})
    config_options: ClassVar[tuple[ConfigOption, ...]] = (
        ConfigOption("scale", "integer", {"zh-CN": "小数位数（不填则不限）", "en": "Decimal places (blank: any)"}),
        ConfigOption("unit", "string", {"zh-CN": "单位", "en": "Unit"}, ""),
    )
    max_scale: ClassVar[int] = 10

    def check_config(self, f: FieldDef, add: ProblemSink) -> None:
        super().check_config(f, add)
        check_bounds(f, add)
        check_scale(f, add, "scale", low=0, high=self.max_scale)
        unit = f.config.get("unit")
        if unit is not None and (not isinstance(unit, str) or len(unit) > 20):
            add("config.unit", "invalid_config", "unit 最多 20 个字符 / unit has at most 20 characters")

    def scale(self, f: FieldDef) -> int | None:
        scale = self.config_value(f, "scale")
        if isinstance(scale, int) and not isinstance(scale, bool) and 0 <= scale <= self.max_scale:
            return scale
        return None

    def to_decimal(self, value: Any, f: FieldDef) -> Decimal | None:
        if value is None or value == "":
            return None
        number = to_decimal(value)
        scale = self.scale(f)
        if scale is not None and decimal_places(number) > scale:
            raise FieldValueError("too_many_decimals", scale=scale)
        in_bounds(number, _bound(f.min), _bound(f.max))
        return number

    def normalize(self, value: Any, f: FieldDef, ctx: ValueContext) -> Any:
        number = self.to_decimal(value, f)
        return None if number is None else plain_number(number)

    def from_formula(self, result: Any, f: FieldDef, ctx: ValueContext) -> Any:
        if result is None or result == "":
            return None
        number = to_decimal(result)
        scale = self.scale(f)
        return self.normalize(number if scale is None else round_to(number, scale), f, ctx)

    def to_formula(self, value: Any, f: FieldDef) -> Any:
        return None if value is None else to_decimal(value)

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return number_schema(f, {"type": "number"})


_CURRENCY = re.compile(r"^[A-Z]{3}$")


class MoneyType(NumberType):
    """An amount stored as a decimal string with a fixed scale ("1234.50"): no binary rounding.
    Typed input with more decimals is refused; a formula's amount is rounded half-up."""

    name = "money"
    label = {"zh-CN": "金额", "en": "Money"}
    config_options = (
        ConfigOption("currency", "string", {"zh-CN": "币种（ISO 4217）", "en": "Currency (ISO 4217)"}, "CNY"),
        ConfigOption("scale", "integer", {"zh-CN": "小数位数", "en": "Decimal places"}, 2),
    )
    max_scale = 4

    def check_config(self, f: FieldDef, add: ProblemSink) -> None:
        FieldType.check_config(self, f, add)
        check_bounds(f, add)
        check_scale(f, add, "scale", low=0, high=self.max_scale)
        currency = f.config.get("currency", "CNY")
        if not isinstance(currency, str) or not _CURRENCY.match(currency):
            add("config.currency", "invalid_config", "币种须为 3 位大写字母 / currency must be 3 capital letters")

    def scale(self, f: FieldDef) -> int:
        scale = super().scale(f)
        return 2 if scale is None else scale

    def normalize(self, value: Any, f: FieldDef, ctx: ValueContext) -> Any:
        number = self.to_decimal(value, f)
        return None if number is None else str(number.quantize(Decimal(1).scaleb(-self.scale(f))))

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        scale = self.scale(f)
        fraction = rf"\.\d{{{scale}}}" if scale else ""
        return {"type": "string", "pattern": rf"^-?\d+{fraction}$",
                "description": f"Decimal amount in {f.config.get('currency', 'CNY')}, {scale} decimal places"}


class PercentType(NumberType):
    """Stored in percent units (12.5 means 12.5 %); formulas see the fraction 0.125, as in Excel."""

    name = "percent"
    label = {"zh-CN": "百分比", "en": "Percent"}
    config_options = (
        ConfigOption("scale", "integer", {"zh-CN": "小数位数", "en": "Decimal places"}, 2),
    )

    def to_decimal(self, value: Any, f: FieldDef) -> Decimal | None:
        if isinstance(value, str) and value.strip().endswith(("%", "％")):
            value = value.strip()[:-1]
        return super().to_decimal(value, f)

    def from_formula(self, result: Any, f: FieldDef, ctx: ValueContext) -> Any:
        if result is None or result == "":
            return None
        return super().from_formula(to_decimal(result) * 100, f, ctx)

    def to_formula(self, value: Any, f: FieldDef) -> Any:
        return None if value is None else to_decimal(value) / 100


class RatingType(FieldType):
    name = "rating"
    family = "number"
    label = {"zh-CN": "评分", "en": "Rating"}
    config_options = (
        ConfigOption("max", "integer", {"zh-CN": "星级数", "en": "Number of stars"}, 5),
        ConfigOption("allow_half", "boolean", {"zh-CN": "允许半星", "en": "Half stars"}, False),
    )

    def check_config(self, f: FieldDef, add: ProblemSink) -> None:
        super().check_config(f, add)
        top = self.config_value(f, "max")
        if not isinstance(top, int) or isinstance(top, bool) or not 3 <= top <= 10:
            add("config.max", "invalid_config", "星级数须为 3–10 / max must be 3..10")
        if not isinstance(self.config_value(f, "allow_half"), bool):
            add("config.allow_half", "invalid_config", "allow_half 须为布尔值 / allow_half must be a boolean")

    def normalize(self, value: Any, f: FieldDef, ctx: ValueContext) -> Any:
        if value is None or value == "":
            return None
        number = to_decimal(value)
        top = self.config_value(f, "max")
        step = Decimal("0.5") if self.config_value(f, "allow_half") is True else Decimal(1)
        if number % step:
            raise FieldValueError("step_mismatch", min=0, step=plain_number(step))
        in_bounds(number, Decimal(step), Decimal(top if isinstance(top, int) else 5))
        return plain_number(number)

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        half = self.config_value(f, "allow_half") is True
        return {"type": "number" if half else "integer", "minimum": 0.5 if half else 1,
                "maximum": self.config_value(f, "max"), "multipleOf": 0.5 if half else 1}


class NpsType(FieldType):
    """Net Promoter Score: how likely to recommend us, 0 to 10."""

    name = "nps"
    family = "number"
    label = {"zh-CN": "净推荐值 NPS", "en": "Net Promoter Score"}

    def normalize(self, value: Any, f: FieldDef, ctx: ValueContext) -> Any:
        if value is None or value == "":
            return None
        number = to_decimal(value)
        if number != number.to_integral_value():
            raise FieldValueError("not_integer")
        in_bounds(number, Decimal(0), Decimal(10))
        return int(number)

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "integer", "minimum": 0, "maximum": 10}


class SliderType(FieldType):
    name = "slider"
    family = "number"
    label = {"zh-CN": "滑块", "en": "Slider"}
    properties = frozenset({"min", "max"})
    config_options = (
        ConfigOption("step", "number", {"zh-CN": "步长", "en": "Step"}, 1),
    )

    def limits(self, f: FieldDef) -> tuple[Decimal, Decimal, Decimal]:
        lo = _bound(f.min) if f.min is not None else Decimal(0)
        hi = _bound(f.max) if f.max is not None else Decimal(100)
        step = _bound(self.config_value(f, "step"))
        return lo or Decimal(0), hi if hi is not None else Decimal(100), step or Decimal(1)

    def check_config(self, f: FieldDef, add: ProblemSink) -> None:
        super().check_config(f, add)
        check_bounds(f, add)
        step = self.config_value(f, "step")
        if not is_number(step) or _bound(step) is None or _bound(step) <= 0:  # type: ignore[operator]
            add("config.step", "invalid_config", "步长须为正数 / step must be a positive number")

    def normalize(self, value: Any, f: FieldDef, ctx: ValueContext) -> Any:
        if value is None or value == "":
            return None
        number = to_decimal(value)
        lo, hi, step = self.limits(f)
        in_bounds(number, lo, hi)
        if (number - lo) % step:
            raise FieldValueError("step_mismatch", min=plain_number(lo), step=plain_number(step))
        return plain_number(number)

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        lo, hi, _step = self.limits(f)
        return {"type": "number", "minimum": plain_number(lo), "maximum": plain_number(hi)}


_TRUE = {"true", "1", "yes", "on", "是"}
_FALSE = {"false", "0", "no", "off", "否"}


class SwitchType(FieldType):
    """Yes/no. Required means it must be switched on (“我已阅读并同意”)."""

    name = "switch"
    family = "choice"
    label = {"zh-CN": "开关", "en": "Switch"}
    config_options = (
        ConfigOption("on_label", "localized", {"zh-CN": "开启时文字", "en": "Label when on"}),
        ConfigOption("off_label", "localized", {"zh-CN": "关闭时文字", "en": "Label when off"}),
    )

    def normalize(self, value: Any, f: FieldDef, ctx: ValueContext) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str):
            text = value.strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
        raise FieldValueError("invalid_type", expected="boolean")

    def is_empty(self, value: Any) -> bool:
        return value is None

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "boolean"}


TYPES: tuple[type[FieldType], ...] = (IntegerType, NumberType, MoneyType, PercentType, RatingType, NpsType,
                                      SliderType, SwitchType)
