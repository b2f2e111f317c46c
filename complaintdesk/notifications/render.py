"""Sandboxed rendering of notification templates.

Templates use Django's template syntax (``{{ ticket.number }}``, ``{% if %}``, filters) over plain
values only: the context is built from dicts, lists, strings and numbers (``context.py``), wrapped
so that a lookup can only reach keys of those dicts — never attributes or methods of model objects.
Tags that reach outside the template (``load``, ``include``, ``extends``, ``debug`` ...) are refused
when a template is saved and again when it is rendered.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from django.template import Context, Engine, Template, TemplateSyntaxError

MAX_OUTPUT = 20000

_ENGINE = Engine(loaders=[], libraries={}, autoescape=False, debug=False, string_if_invalid="")
_FORBIDDEN_TAGS = re.compile(
    r"{%-?\s*(load|include|extends|block|debug|ssi|csrf_token|url|templatetag|lorem|widthratio|cycle|resetcycle)\b"
)


class TemplateError(Exception):
    """A template that cannot be compiled or rendered; the message is bilingual."""


class _Values:
    """Read-only view of a dict for templates: ``[key]`` lookups only, no attributes, no methods."""

    __slots__ = ("_data",)

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def __getitem__(self, key: str) -> Any:
        return _wrap(self._data[key])

    def __iter__(self) -> Any:
        return iter(self._data)

    def __bool__(self) -> bool:
        return bool(self._data)

    def __str__(self) -> str:
        return ""


def _wrap(value: Any) -> Any:
    if isinstance(value, dict):
        return _Values(value)
    if isinstance(value, list | tuple):
        return [_wrap(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def check_template(source: str) -> None:
    """Raise ``TemplateError`` when ``source`` does not compile or uses a refused tag."""
    match = _FORBIDDEN_TAGS.search(source)
    if match:
        raise TemplateError(f"模板不允许使用 {match.group(1)} 标签 / The tag {match.group(1)!r} is not allowed")
    _compiled(source)


@lru_cache(maxsize=512)
def _compiled(source: str) -> Template:
    """Compiled once per text: templates are few and rendered for every message."""
    try:
        return _ENGINE.from_string(source)
    except (TemplateSyntaxError, ValueError, OverflowError, TypeError) as exc:
        raise TemplateError(f"模板语法错误 / Template syntax error: {exc}") from exc


def render(source: str, context: dict[str, Any]) -> str:
    """Render ``source`` with the plain ``context``; the result is cut at ``MAX_OUTPUT`` characters."""
    check_template(source)
    try:
        text = _compiled(source).render(Context({k: _wrap(v) for k, v in context.items()}, autoescape=False))
    except Exception as exc:  # a template is data: any failure is the template's, reported as such
        raise TemplateError(f"模板渲染失败 / Template rendering failed: {exc}") from exc
    return text.strip()[:MAX_OUTPUT]
