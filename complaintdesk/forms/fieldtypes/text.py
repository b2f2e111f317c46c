"""Text types: single-line, multi-line, rich text (sanitised with nh3), email, URL, hidden."""

from __future__ import annotations

import re
from typing import Any, ClassVar

import nh3
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator, validate_email

from complaintdesk.forms.fieldtypes.base import (
    ConfigOption,
    FieldDef,
    FieldType,
    FieldValueError,
    ProblemSink,
    ValueContext,
    check_text,
)

MAX_REGEX_LENGTH = 500


def check_length_bounds(t: FieldType, f: FieldDef, add: ProblemSink, *, default_max: int, hard_max: int) -> None:
    for name in ("min_length", "max_length"):
        value = getattr(f, name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or not
                                  0 <= value <= hard_max):
            add(name, "invalid_property", f"{name} 须为 0–{hard_max} 的整数 / {name} must be an integer 0..{hard_max}")
    lo, hi = f.min_length, f.max_length
    if isinstance(lo, int) and isinstance(hi, int) and lo > hi:
        add("min_length", "invalid_property", "min_length 大于 max_length / min_length exceeds max_length")


def check_regex(f: FieldDef, add: ProblemSink) -> None:
    if f.regex is None:
        return
    if not isinstance(f.regex, str) or not f.regex or len(f.regex) > MAX_REGEX_LENGTH:
        add("regex", "invalid_property", f"正则表达式须为 1–{MAX_REGEX_LENGTH} 个字符 / "
                                         "regex must have 1..500 characters")
        return
    try:
        f.cache["regex"] = re.compile(f.regex)
    except re.error as exc:
        add("regex", "invalid_regex", f"正则表达式无效 / invalid regular expression: {exc}")


def apply_text_rules(text: str, f: FieldDef, *, default_max: int) -> str:
    max_length = f.max_length if isinstance(f.max_length, int) else default_max
    if f.min_length and len(text) < f.min_length and text:
        raise FieldValueError("too_short", min=f.min_length)
    if len(text) > max_length:
        raise FieldValueError("too_long", max=max_length)
    if f.regex and text:
        compiled = f.cache.get("regex") or re.compile(f.regex)
        f.cache["regex"] = compiled
        if compiled.fullmatch(text) is None:
            raise FieldValueError("pattern_mismatch")
    return text


class TextType(FieldType):
    name = "text"
    family = "text"
    label = {"zh-CN": "单行文本", "en": "Single-line text"}
    properties = frozenset({"min_length", "max_length", "regex", "unique"})
    multiline: ClassVar[bool] = False
    default_max: ClassVar[int] = 200
    hard_max: ClassVar[int] = 2000

    def check_config(self, f: FieldDef, add: ProblemSink) -> None:
        super().check_config(f, add)
        check_length_bounds(self, f, add, default_max=self.default_max, hard_max=self.hard_max)
        check_regex(f, add)

    def normalize(self, value: Any, f: FieldDef, ctx: ValueContext) -> Any:
        text = check_text(value, multiline=self.multiline)
        return apply_text_rules(text, f, default_max=self.default_max) if text else None

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string", "maxLength": f.max_length or self.default_max}
        if f.min_length:
            schema["minLength"] = f.min_length
        if f.regex:
            schema["pattern"] = f.regex
        return schema


class TextareaType(TextType):
    name = "textarea"
    label = {"zh-CN": "多行文本", "en": "Multi-line text"}
    properties = frozenset({"min_length", "max_length", "regex"})
    multiline = True
    default_max = 5000
    hard_max = 20000
    config_options = (
        ConfigOption("rows", "integer", {"zh-CN": "显示行数", "en": "Visible rows"}, 4),
    )

    def check_config(self, f: FieldDef, add: ProblemSink) -> None:
        super().check_config(f, add)
        rows = f.config.get("rows")
        if rows is not None and (not isinstance(rows, int) or isinstance(rows, bool) or not 1 <= rows <= 50):
            add("config.rows", "invalid_config", "rows 须为 1–50 / rows must be 1..50")


RICH_TEXT_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "ul", "ol", "li", "blockquote", "code", "pre", "h1", "h2", "h3",
    "h4", "a", "span", "table", "thead", "tbody", "tr", "th", "td", "hr", "sub", "sup",
}
RICH_TEXT_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
_TAG = re.compile(r"<[^>]*>")


def sanitize_html(html: str) -> str:
    """Keep formatting, drop scripts, styles, event handlers and foreign URL schemes (Ammonia rules)."""
    return nh3.clean(html, tags=RICH_TEXT_TAGS, attributes=RICH_TEXT_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto", "tel"}, link_rel="noopener noreferrer nofollow").strip()


class RichTextType(FieldType):
    name = "rich_text"
    family = "text"
    label = {"zh-CN": "富文本", "en": "Rich text"}
    properties = frozenset({"max_length"})
    default_max = 50000
    hard_max = 200000

    def check_config(self, f: FieldDef, add: ProblemSink) -> None:
        super().check_config(f, add)
        check_length_bounds(self, f, add, default_max=self.default_max, hard_max=self.hard_max)

    def normalize(self, value: Any, f: FieldDef, ctx: ValueContext) -> Any:
        if not isinstance(value, str):
            raise FieldValueError("invalid_type", expected="text")
        max_length = f.max_length if isinstance(f.max_length, int) else self.default_max
        if len(value) > max_length * 2:  # refuse before sanitising a huge payload
            raise FieldValueError("too_long", max=max_length)
        clean = sanitize_html(value)
        if not _TAG.sub("", clean).strip():
            return None
        if len(clean) > max_length:
            raise FieldValueError("too_long", max=max_length)
        return clean

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "string", "contentMediaType": "text/html", "maxLength": f.max_length or self.default_max}


class EmailType(FieldType):
    name = "email"
    family = "contact"
    label = {"zh-CN": "邮箱", "en": "Email"}
    properties = frozenset({"unique"})

    def normalize(self, value: Any, f: FieldDef, ctx: ValueContext) -> Any:
        text = check_text(value, multiline=False)
        if not text:
            return None
        if len(text) > 254:
            raise FieldValueError("invalid_email")
        try:
            validate_email(text)
        except DjangoValidationError as exc:
            raise FieldValueError("invalid_email") from exc
        local, _, domain = text.rpartition("@")
        return f"{local}@{domain.lower()}"

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "string", "format": "email", "maxLength": 254}


_URL_VALIDATOR = URLValidator(schemes=["http", "https"])


class UrlType(FieldType):
    name = "url"
    family = "contact"
    label = {"zh-CN": "网址", "en": "URL"}
    properties = frozenset({"unique"})

    def normalize(self, value: Any, f: FieldDef, ctx: ValueContext) -> Any:
        text = check_text(value, multiline=False)
        if not text:
            return None
        if len(text) > 2000:
            raise FieldValueError("invalid_url")
        try:
            _URL_VALIDATOR(text)
        except DjangoValidationError as exc:
            raise FieldValueError("invalid_url") from exc
        return text

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "string", "format": "uri", "maxLength": 2000, "pattern": "^https?://"}


_PARAM = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")


class HiddenType(FieldType):
    """Not shown; filled from a URL parameter of a public form (utm_source ...) or by the API."""

    name = "hidden"
    family = "advanced"
    label = {"zh-CN": "隐藏字段", "en": "Hidden field"}
    properties = frozenset({"max_length", "regex"})
    config_options = (
        ConfigOption("source", "enum", {"zh-CN": "取值来源", "en": "Filled from"}, "url", ("url", "api")),
        ConfigOption("param", "string",
                     {"zh-CN": "URL 参数名（默认为字段标识）", "en": "URL parameter (default: the key)"}),
    )

    def check_config(self, f: FieldDef, add: ProblemSink) -> None:
        super().check_config(f, add)
        check_length_bounds(self, f, add, default_max=500, hard_max=2000)
        check_regex(f, add)
        if f.config.get("source", "url") not in ("url", "api"):
            add("config.source", "invalid_config", "source 须为 url 或 api / source must be url or api")
        param = f.config.get("param")
        if param is not None and (not isinstance(param, str) or not _PARAM.match(param)):
            add("config.param", "invalid_config", "URL 参数名无效 / invalid URL parameter name")

    def normalize(self, value: Any, f: FieldDef, ctx: ValueContext) -> Any:
        text = check_text(value, multiline=False)
        return apply_text_rules(text, f, default_max=500) if text else None

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string", "maxLength": f.max_length or 500}
        if f.regex:
            schema["pattern"] = f.regex
        return schema


TYPES: tuple[type[FieldType], ...] = (TextType, TextareaType, RichTextType, EmailType, UrlType, HiddenType)
