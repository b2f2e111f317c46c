"""The web app's copies of server lists stay in step: the view columns, the list's sorts and the
condition operators per field type (the front end cannot import Python, so a test compares)."""

from __future__ import annotations

import re
from pathlib import Path

from complaintdesk.expressions.fields import OPERATORS
from complaintdesk.savedviews.choices import COLUMNS, DEFAULT_COLUMNS
from complaintdesk.tickets.queries import SORTS

SRC = Path(__file__).resolve().parents[3] / "frontend" / "src"


def _list(text: str, name: str) -> list[str]:
    found = re.search(rf"{name}[^=]*=\s*\[(.*?)\]", text, re.S)
    assert found, name
    return re.findall(r"'([^']+)'", found.group(1))


def test_columns_and_sorts_match_the_web_app() -> None:
    columns_ts = (SRC / "views" / "columns.ts").read_text(encoding="utf-8")
    assert _list(columns_ts, "COLUMN_KEYS") == list(COLUMNS)
    assert _list(columns_ts, "DEFAULT_COLUMNS") == list(DEFAULT_COLUMNS)
    list_query = (SRC / "tickets" / "listQuery.ts").read_text(encoding="utf-8")
    assert set(_list(list_query, "SORTS")) == set(SORTS)


def test_condition_operators_match_the_builder() -> None:
    model = (SRC / "conditions" / "model.ts").read_text(encoding="utf-8")
    block = model[model.index("export const OPERATORS"):model.index("export const FIELD_TYPES")]
    for type_, ops in OPERATORS.items():
        line = re.search(rf"^\s*{type_.value}: \[(.*?)\],$", block, re.M)
        assert line, type_
        assert re.findall(r"'([^']+)'", line.group(1)) == list(ops), type_
