"""Helpers for the form engine tests: evaluate one field, build forms through the actions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from complaintdesk.forms.actions import do_create_form, do_publish_draft, do_save_draft
from complaintdesk.forms.engine import EvaluationContext, EvaluationResult, evaluate_form
from complaintdesk.forms.models import Form

# 2026-03-10 10:00 in Shanghai, as the frozen_clock fixture.
NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


def one_field(type_: str, **props: Any) -> dict[str, Any]:
    return {"fields": [{"key": "f", "type": type_, "label": {"zh-CN": "字段", "en": "Field"}, **props}]}


def evaluate_one(type_: str, value: Any, *, viewer: Any = None, **props: Any) -> tuple[Any, list[str]]:
    """The stored value and the error codes of a one-field form given ``value``."""
    result = evaluate_form(one_field(type_, **props), {"f": value}, context=EvaluationContext(now=NOW, viewer=viewer))
    return result.values.get("f"), [e["code"] for e in result.errors.get("f", [])]


def evaluate(schema: dict[str, Any], values: dict[str, Any], **context: Any) -> EvaluationResult:
    context.setdefault("now", NOW)
    return evaluate_form(schema, values, context=EvaluationContext(**context))


def codes(result: EvaluationResult, key: str) -> list[str]:
    return [e["code"] for e in result.errors.get(key, [])]


def problem_codes(problems: list[Any]) -> set[tuple[str, str]]:
    return {(p.path if hasattr(p, "path") else p["path"], p.code if hasattr(p, "code") else p["code"])
            for p in problems}


COMPLAINT_SCHEMA: dict[str, Any] = {
    "fields": [
        {"key": "kind", "type": "radio", "label": {"zh-CN": "诉求", "en": "Request"},
         "options": [{"value": "refund", "label": {"zh-CN": "退款", "en": "Refund"}},
                     {"value": "repair", "label": {"zh-CN": "维修", "en": "Repair"}}], "required": True},
        {"key": "amount", "type": "money", "label": {"zh-CN": "金额", "en": "Amount"}, "min": 0,
         "required_when": {"field": "kind", "op": "eq", "value": "refund"}},
        {"key": "qty", "type": "integer", "label": "数量", "default": 1, "min": 1},
        {"key": "total", "type": "formula", "label": "合计", "formula": "{amount}*{qty}",
         "config": {"result_type": "money"}},
        {"key": "reason", "type": "textarea", "label": "原因", "required": True,
         "visible_when": {"field": "kind", "op": "eq", "value": "refund"}},
        {"key": "phone", "type": "phone", "label": "联系电话"},
    ],
    "layout": [
        {"type": "section", "title": "基本信息", "children": ["kind", {"type": "columns", "columns": [
            {"span": 12, "children": ["amount", "qty"]}, {"span": 12, "children": ["total"]}]}]},
        {"type": "section", "title": "补充", "children": ["reason", "phone"]},
    ],
}


@pytest.fixture
def make_form(org: Any) -> Callable[..., Form]:
    """``make_form(schema, key=..., publish=True)``: a form created by the admin through the actions."""
    counter = iter(range(1, 10_000))

    def make(schema: dict[str, Any] | None = None, *, key: str | None = None, publish: bool = True,
             **fields: Any) -> Form:
        form = do_create_form(key=key or f"form-{next(counter)}", name="测试表单", actor=org.admin, **fields)
        if schema is not None:
            do_save_draft(form, schema=schema, actor=org.admin)
            if publish:
                do_publish_draft(form, actor=org.admin)
        return form

    return make
