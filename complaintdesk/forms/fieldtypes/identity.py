"""Chinese identifiers: phone numbers, resident ID card numbers (GB 11643) and unified social
credit codes (GB 32100-2015), each with its checksum."""

from __future__ import annotations

import re
from datetime import date
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

# --- phone -------------------------------------------------------------------------------------

MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Area codes: 010 and 02X have three digits, every other one four (03XX..09XX).
_LANDLINE = re.compile(
    r"^(?P<area>010|02\d|0[3-9]\d{2})(?P<local>[1-9]\d{6,7})(?:(?:ext\.?|x|转|分机|#)(?P<ext>\d{1,6}))?$"
)
_LANDLINE_SEPARATED = re.compile(
    r"^\(?(?P<area>010|02\d|0[3-9]\d{2})\)?-?(?P<local>[1-9]\d{6,7})(?:(?:-|ext\.?|x|转|分机|#)(?P<ext>\d{1,6}))?$"
)
_SPACES = re.compile(r"[\s\u3000]+")


def normalize_phone(raw: str) -> tuple[str, str] | None:
    """``("mobile", "13800138000")`` or ``("landline", "010-12345678[-123]")``; None if neither."""
    text = _SPACES.sub("", raw).replace("（", "(").replace("）", ")").replace("－", "-").replace("—", "-")
    for prefix in ("+86", "0086", "86-", "+86-"):
        if text.startswith(prefix) and len(text) - len(prefix) >= 10:
            text = text[len(prefix):].lstrip("-")
            break
    compact = text.replace("-", "")
    if MOBILE.match(compact) and (text == compact or re.fullmatch(r"1\d{2}-?\d{4}-?\d{4}", text)):
        return "mobile", compact
    match = _LANDLINE_SEPARATED.match(text.lower()) or _LANDLINE.match(text.lower())
    if match:
        number = f"{match.group('area')}-{match.group('local')}"
        if match.group("ext"):
            number += f"-{match.group('ext')}"
        return "landline", number
    return None


class PhoneType(FieldType):
    name = "phone"
    family = "contact"
    label = {"zh-CN": "电话", "en": "Phone"}
    properties = frozenset({"unique"})
    sensitive = True
    config_options = (
        ConfigOption("accept", "enum", {"zh-CN": "允许的号码", "en": "Accepted numbers"}, "any",
                     ("any", "mobile", "landline")),
        ConfigOption("encrypted", "boolean", {"zh-CN": "加密存储并脱敏显示", "en": "Encrypt at rest, show masked"},
                     False),
    )

    def check_config(self, f: FieldDef, add: ProblemSink) -> None:
        super().check_config(f, add)
        if self.config_value(f, "accept") not in ("any", "mobile", "landline"):
            add("config.accept", "invalid_config", "accept 须为 any/mobile/landline / "
                                                   "accept must be any, mobile or landline")
        if not isinstance(self.config_value(f, "encrypted"), bool):
            add("config.encrypted", "invalid_config", "encrypted 须为布尔值 / encrypted must be a boolean")

    def normalize(self, value: Any, f: FieldDef, ctx: ValueContext) -> Any:
        text = check_text(value, multiline=False)
        if not text:
            return None
        found = normalize_phone(text) if len(text) <= 40 else None
        if found is None:
            raise FieldValueError("invalid_phone")
        kind, number = found
        accept = self.config_value(f, "accept")
        if accept == "mobile" and kind != "mobile":
            raise FieldValueError("mobile_only")
        if accept == "landline" and kind != "landline":
            raise FieldValueError("landline_only")
        return number

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        mobile = r"1[3-9]\d{9}"
        landline = r"0\d{2,3}-[1-9]\d{6,7}(-\d{1,6})?"
        accept = self.config_value(f, "accept")
        pattern = {"mobile": mobile, "landline": landline}.get(accept, f"{mobile}|{landline}")
        return {"type": "string", "pattern": f"^({pattern})$"}


# --- resident ID card (GB 11643-1999) --------------------------------------------------------------

ID_CARD_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CARD_CHECK = "10X98765432"
# First two digits: provinces (GB/T 2260) plus 81/82/83 for Hong Kong, Macao and Taiwan residence permits.
ID_CARD_PROVINCES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43",
    "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82", "83",
})
_ID_CARD = re.compile(r"^\d{17}[\dX]$")


def id_card_check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, ID_CARD_WEIGHTS, strict=True))
    return ID_CARD_CHECK[total % 11]


def validate_id_card(raw: str, *, today: date) -> str:
    number = raw.strip().upper()
    if not _ID_CARD.match(number):
        raise FieldValueError("invalid_id_card")
    if number[:2] not in ID_CARD_PROVINCES:
        raise FieldValueError("id_card_region")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise FieldValueError("id_card_birth_date") from exc
    if born.year < 1900 or born > today:
        raise FieldValueError("id_card_birth_date")
    if id_card_check_char(number[:17]) != number[17]:
        raise FieldValueError("id_card_checksum")
    return number


class IdCardType(FieldType):
    name = "id_card"
    family = "contact"
    label = {"zh-CN": "身份证号", "en": "ID card number"}
    properties = frozenset({"unique"})
    sensitive = True
    config_options = (
        ConfigOption("encrypted", "boolean", {"zh-CN": "加密存储并脱敏显示", "en": "Encrypt at rest, show masked"},
                     True),
    )

    def check_config(self, f: FieldDef, add: ProblemSink) -> None:
        super().check_config(f, add)
        if not isinstance(self.config_value(f, "encrypted"), bool):
            add("config.encrypted", "invalid_config", "encrypted 须为布尔值 / encrypted must be a boolean")

    def normalize(self, value: Any, f: FieldDef, ctx: ValueContext) -> Any:
        text = check_text(value, multiline=False)
        if not text:
            return None
        return validate_id_card(text, today=ctx.now.date())

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "string", "pattern": r"^\d{17}[\dX]$", "description": "GB 11643 citizen ID number"}


# --- unified social credit code (GB 32100-2015) -----------------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(raw: str) -> str:
    code = raw.strip().upper()
    if not _USCC.match(code):
        raise FieldValueError("invalid_uscc")
    if uscc_check_char(code[:17]) != code[17]:
        raise FieldValueError("uscc_checksum")
    return code


class UsccType(FieldType):
    name = "uscc"
    family = "contact"
    label = {"zh-CN": "统一社会信用代码", "en": "Unified social credit code"}
    properties = frozenset({"unique"})

    def normalize(self, value: Any, f: FieldDef, ctx: ValueContext) -> Any:
        text = check_text(value, multiline=False)
        return validate_uscc(text) if text else None

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "string", "pattern": "^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"}


TYPES: tuple[type[FieldType], ...] = (PhoneType, IdCardType, UsccType)
