"""The contract of a field type, the parsed field definition, and the bilingual messages.

A field type is a class with four duties:

* ``check_config``: at publish time, report every problem of a field's definition;
* ``normalize``: turn a submitted (JSON) or computed (Python) value into the stored form, or
  raise ``FieldValueError`` with a message code;
* ``json_schema``: the JSON Schema (draft 2020-12) fragment of the stored form, for integrators;
* ``to_formula``: the value a formula sees (``Decimal`` for money, ``date`` for dates ...).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, ClassVar

LANGS = ("zh-CN", "en")
Localized = dict[str, str]

# --- messages ---------------------------------------------------------------------------------

MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("此项为必填项", "This field is required"),
    "must_be_checked": ("请勾选此项", "This must be switched on"),
    "unknown_field": ("表单中没有此字段", "This form has no such field"),
    "invalid_type": ("格式不正确，应为{expected_zh}", "Expected {expected}"),
    "too_short": ("至少需要 {min} 个字符", "At least {min} characters"),
    "too_long": ("最多 {max} 个字符", "At most {max} characters"),
    "pattern_mismatch": ("格式不符合要求", "Does not match the required format"),
    "invalid_characters": ("包含不允许的控制字符", "Contains control characters"),
    "not_integer": ("请输入整数", "Must be a whole number"),
    "not_number": ("请输入数字", "Must be a number"),
    "too_small": ("不能小于 {min}", "Must be at least {min}"),
    "too_large": ("不能大于 {max}", "Must be at most {max}"),
    "too_many_decimals": ("最多 {scale} 位小数", "At most {scale} decimal places"),
    "step_mismatch": ("必须是 {min} 加 {step} 的整数倍", "Must be {min} plus a multiple of {step}"),
    "invalid_date": ("日期格式应为 YYYY-MM-DD", "A date must look like YYYY-MM-DD"),
    "invalid_datetime": ("日期时间格式不正确（ISO 8601）", "A date and time must be ISO 8601"),
    "invalid_time": ("时间格式应为 HH:MM", "A time must look like HH:MM"),
    "too_early": ("不能早于 {min}", "Must not be before {min}"),
    "too_late": ("不能晚于 {max}", "Must not be after {max}"),
    "range_reversed": ("开始日期不能晚于结束日期", "The start must not be after the end"),
    "range_too_long": ("跨度不能超过 {max} 天", "The range must not exceed {max} days"),
    "invalid_choice": ("不是有效的选项：{value}", "Not one of the options: {value}"),
    "duplicate_item": ("不能重复选择：{value}", "Chosen twice: {value}"),
    "too_few_items": ("至少需要 {min} 项", "At least {min} items"),
    "too_many_items": ("最多 {max} 项", "At most {max} items"),
    "invalid_path": ("不是有效的级联选项", "Not a path in the option tree"),
    "path_not_leaf": ("请选择到最后一级", "Choose down to the last level"),
    "invalid_region": ("行政区划代码无效：{value}", "Unknown administrative division code: {value}"),
    "region_mismatch": ("省市区不匹配", "Province, city and district do not belong together"),
    "region_incomplete": ("请选择到{level_zh}", "Choose down to the {level}"),
    "invalid_phone": ("请输入有效的手机号或座机号（如 13800138000、010-12345678）",
                      "Not a valid mobile or landline number (e.g. 13800138000, 010-12345678)"),
    "mobile_only": ("请输入手机号码", "A mobile number is required"),
    "landline_only": ("请输入座机号码（带区号）", "A landline number with area code is required"),
    "invalid_email": ("邮箱格式不正确", "Not a valid email address"),
    "invalid_id_card": ("身份证号码应为18位", "An ID card number has 18 characters"),
    "id_card_region": ("身份证号码的地区码无效", "The region code of the ID card number is invalid"),
    "id_card_birth_date": ("身份证号码中的出生日期无效", "The birth date in the ID card number is invalid"),
    "id_card_checksum": ("身份证号码校验位错误", "The check digit of the ID card number is wrong"),
    "invalid_uscc": ("统一社会信用代码应为18位数字或大写字母",
                     "A unified social credit code has 18 digits or capitals"),
    "uscc_checksum": ("统一社会信用代码校验位错误", "The check character of the unified social credit code is wrong"),
    "invalid_url": ("网址格式不正确（需以 http:// 或 https:// 开头）", "Not a valid http(s) URL"),
    "unknown_user": ("用户不存在或已停用：{value}", "Unknown or deactivated user: {value}"),
    "unknown_department": ("部门不存在或已停用：{value}", "Unknown or inactive department: {value}"),
    "unknown_customer": ("客户不存在：{value}", "Unknown customer: {value}"),
    "unknown_product": ("产品不存在或已停售：{value}", "Unknown or inactive product: {value}"),
    "unknown_ticket": ("工单不存在：{value}", "Unknown ticket: {value}"),
    "order_not_found": ("订单号不存在：{value}", "Order number not found: {value}"),
    "order_lookup_failed": ("暂时无法核验订单号", "The order number could not be verified right now"),
    "invalid_attachment": ("附件引用无效", "Not a valid attachment reference"),
    "file_too_large": ("文件不能超过 {max} MB", "A file must not exceed {max} MB"),
    "file_type_not_allowed": ("不支持的文件类型：{value}", "File type not allowed: {value}"),
    "upload_not_found": ("上传的文件不存在或已过期，请重新上传", "The upload is unknown or has expired; upload again"),
    "upload_consumed": ("该上传文件已被使用", "This upload has already been used"),
    "invalid_location": ("位置信息无效", "Not a valid location"),
    "duplicate_value": ("与第 {row} 行重复", "Same value as row {row}"),
    "not_unique": ("该值已被其他工单使用", "This value is already used by another ticket"),
    "read_only": ("此字段为只读，不能修改", "This field is read-only"),
    "invalid_row": ("每行必须是对象", "Each row must be an object"),
    "invalid_tag": ("标签必须是 1–{max} 个字符", "A tag must have 1 to {max} characters"),
}

TYPE_NAMES_ZH = {
    "text": "文本", "number": "数字", "integer": "整数", "boolean": "是/否", "list": "列表", "object": "对象",
    "date": "日期", "string": "字符串", "reference": "编号",
}


class FieldValueError(Exception):
    """A submitted value that the field type refuses; ``code`` names a message in ``MESSAGES``."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def as_dict(self) -> dict[str, str]:
        return error_dict(self.code, **self.params)


def error_dict(code: str, **params: Any) -> dict[str, str]:
    """``{"code", "zh-CN", "en"}`` for a message code, with its parameters filled in."""
    zh, en = MESSAGES.get(code, (code, code))
    if "expected" in params and "expected_zh" not in params:
        params["expected_zh"] = TYPE_NAMES_ZH.get(str(params["expected"]), str(params["expected"]))
    try:
        return {"code": code, "zh-CN": zh.format(**params), "en": en.format(**params)}
    except (KeyError, IndexError, ValueError):
        return {"code": code, "zh-CN": zh, "en": en}


# --- the parsed definition of a field -----------------------------------------------------------


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Any = _Unset()


@dataclass
class ChoiceOption:
    value: str
    label: Localized
    children: list[ChoiceOption] = field(default_factory=list)


@dataclass
class FieldDef:
    """One field of a schema, parsed. ``path`` locates it in the schema JSON for problems."""

    key: str
    type: str
    path: str
    label: Localized = field(default_factory=dict)
    help: Localized | None = None
    placeholder: Localized | None = None
    required: bool = False
    default: Any = UNSET
    default_formula: str | None = None
    read_only: bool = False
    unique: bool = False
    min: Any = None
    max: Any = None
    min_length: int | None = None
    max_length: int | None = None
    regex: str | None = None
    options: list[ChoiceOption] | None = None
    visible_when: Any = None
    required_when: Any = None
    formula: str | None = None
    config: dict[str, Any] = field(default_factory=dict)
    columns: list[FieldDef] = field(default_factory=list)
    parent: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    # Filled while checking: compiled regex, option lookup tables ... (never serialised).
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def field_type(self) -> FieldType:
        found: FieldType | None = self.cache.get("field_type")
        if found is None:
            from complaintdesk.forms.fieldtypes.registry import get_field_type

            found = self.cache["field_type"] = get_field_type(self.type)
        return found

    def option_values(self) -> list[str]:
        cached = self.cache.get("option_values")
        if cached is None:
            cached = [o.value for o in self.options or []]
            self.cache["option_values"] = cached
        return list(cached)


# --- what a type may see while normalising ----------------------------------------------------


@dataclass
class ValueContext:
    """What normalisation may depend on besides the value: the time, who is asking (related
    tickets are looked up in the viewer's data scope) and whether to call order lookups."""

    now: datetime
    viewer: Any = None
    verify_orders: bool = True
    # An anonymous public submission: references that would reveal whether a record exists
    # (related tickets) are refused whatever their value, so they cannot be used as an oracle.
    public: bool = False


Verified = tuple[Any, "FieldValueError | None"]

ProblemSink = Callable[[str, str, str], None]
"""``add(path_suffix, code, message)``: report one problem of a field definition."""


@dataclass(frozen=True)
class ConfigOption:
    """One type-specific setting, as the designer's palette shows it."""

    name: str
    kind: str  # integer | number | string | boolean | enum | list | object | localized | formula | pattern | decimal
    label: Localized
    default: Any = None
    choices: tuple[str, ...] = ()
    required: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "label": self.label, "default": self.default,
                "choices": list(self.choices), "required": self.required}


COMMON_PROPERTIES = ("key", "type", "label", "help", "placeholder", "required", "default", "default_formula",
                     "read_only", "unique", "min", "max", "min_length", "max_length", "regex", "options",
                     "visible_when", "required_when", "formula", "config")
# Every type accepts these; the rest only where ``FieldType.properties`` lists them.
BASE_PROPERTIES = frozenset({"key", "type", "label", "help", "placeholder", "visible_when", "config"})
VALUE_PROPERTIES = frozenset({"required", "required_when", "default", "default_formula", "read_only"})


class FieldType:
    """Base class of every field type; subclasses override what differs."""

    name: ClassVar[str] = ""
    family: ClassVar[str] = ""
    label: ClassVar[Localized] = {}
    has_value: ClassVar[bool] = True
    computed: ClassVar[bool] = False
    # Common properties beyond BASE_PROPERTIES (and VALUE_PROPERTIES when has_value) this type accepts.
    properties: ClassVar[frozenset[str]] = frozenset()
    config_options: ClassVar[tuple[ConfigOption, ...]] = ()
    # Checked in the database after normalisation, in one query per model (users, products ...).
    needs_lookup: ClassVar[bool] = False
    sensitive: ClassVar[bool] = False

    # -- publish time ----------------------------------------------------------------------

    def allowed_properties(self) -> frozenset[str]:
        allowed = BASE_PROPERTIES | self.properties
        if self.has_value and not self.computed:
            allowed |= VALUE_PROPERTIES
        if self.sensitive:
            allowed |= {"unique"}
        return allowed

    def check_config(self, f: FieldDef, add: ProblemSink) -> None:
        """Report problems of the type-specific parts of ``f`` (the common ones are checked by schema.py)."""
        known = {o.name for o in self.config_options}
        for name in f.config:
            if name not in known:
                add(f"config.{name}", "unknown_config",
                    f"类型 {self.name} 没有配置项 {name} / type {self.name} has no setting {name!r}")

    # -- values ----------------------------------------------------------------------------

    def normalize(self, value: Any, f: FieldDef, ctx: ValueContext) -> Any:
        return value

    def verify(self, entries: list[tuple[str, FieldDef, Any]], ctx: ValueContext) -> dict[str, Verified]:
        """Check normalised values against the database in one go (``needs_lookup`` types).

        ``entries`` are ``(path, field, value)``; the answer maps a path to the value to store
        (possibly enriched) or the error. Paths not in the answer keep their value.
        """
        return {}

    def from_formula(self, result: Any, f: FieldDef, ctx: ValueContext) -> Any:
        """Store a formula's result (a computed value or a default formula) in this type's form."""
        return self.normalize(result, f, ctx)

    def is_empty(self, value: Any) -> bool:
        return value is None or value == "" or value == [] or value == {}

    def to_formula(self, value: Any, f: FieldDef) -> Any:
        """The value a formula sees for this field (blank is ``None``)."""
        return value

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {}

    def config_value(self, f: FieldDef, name: str) -> Any:
        if name in f.config:
            return f.config[name]
        for option in self.config_options:
            if option.name == name:
                return option.default
        return None

    def palette_entry(self) -> dict[str, Any]:
        return {
            "type": self.name, "family": self.family, "label": self.label, "has_value": self.has_value,
            "computed": self.computed, "sensitive": self.sensitive,
            "properties": sorted(self.allowed_properties()),
            "config": [o.as_dict() for o in self.config_options],
        }


# --- small shared helpers --------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f]")


def check_text(value: Any, *, multiline: bool) -> str:
    if not isinstance(value, str):
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            raise FieldValueError("invalid_type", expected="text")
        value = str(value)
    pattern = _CONTROL if multiline else _CONTROL_SINGLE_LINE
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    if pattern.search(value):
        raise FieldValueError("invalid_characters")
    return value.strip()


def to_decimal(value: Any) -> Decimal:
    """A finite Decimal from a JSON number or a numeric string (``1,234.5`` and ``¥12`` allowed)."""
    if isinstance(value, bool):
        raise FieldValueError("not_number")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise FieldValueError("not_number")
        result = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip().replace(",", "").replace("，", "").lstrip("¥￥")
        if not text or len(text) > 40:
            raise FieldValueError("not_number")
        try:
            result = Decimal(text)
        except InvalidOperation as exc:
            raise FieldValueError("not_number") from exc
    else:
        raise FieldValueError("not_number")
    if not result.is_finite():
        raise FieldValueError("not_number")
    # JavaScript clients lose precision past 2**53; nothing a complaint form holds is larger.
    if abs(result) > Decimal(9_007_199_254_740_991):
        raise FieldValueError("too_large", max=9_007_199_254_740_991)
    return result


def decimal_places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def plain_number(value: Decimal) -> int | float:
    """A Decimal as the JSON number stored (an int when it is whole)."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def localized(value: Any) -> Localized | None:
    """A label, help or placeholder: a plain string (taken as zh-CN) or ``{"zh-CN", "en"}``."""
    if value is None:
        return None
    if isinstance(value, str):
        return {"zh-CN": value}
    if isinstance(value, dict) and value and all(k in LANGS and isinstance(v, str) for k, v in value.items()):
        return dict(value)
    raise ValueError("expected a string or {\"zh-CN\": ..., \"en\": ...}")


def is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def round_to(value: Decimal, scale: int) -> Decimal:
    """Round half-up (as Excel's ROUND and accountants do) to ``scale`` decimal places."""
    return value.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)
