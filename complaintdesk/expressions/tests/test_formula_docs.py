"""docs/formulas.md lists every registered function (its table is generated from the registry)."""

from __future__ import annotations

from complaintdesk.expressions.formula import FUNCTIONS
from complaintdesk.expressions.formula.doc_table import DOC_PATH, render


def test_function_table_in_the_documentation_is_up_to_date() -> None:
    document = DOC_PATH.read_text(encoding="utf-8")
    assert render(document) == document, "run: python -m complaintdesk.expressions.formula.doc_table"


def test_documentation_names_every_function() -> None:
    document = DOC_PATH.read_text(encoding="utf-8")
    missing = [name for name in FUNCTIONS if f"| `{name}` |" not in document]
    assert missing == []


def test_at_least_sixty_functions_including_every_one_the_issue_lists() -> None:
    required = str.split(
        "IF IFS AND OR NOT XOR SWITCH IFERROR IFNA ISBLANK ISNUMBER ISTEXT ISERROR SUM SUMIF AVERAGE "
        "AVERAGEIF MIN MAX COUNT COUNTA COUNTIF COUNTBLANK PRODUCT ROUND ROUNDUP ROUNDDOWN INT MOD ABS "
        "POWER SQRT CEILING FLOOR MEDIAN LARGE SMALL CONCAT CONCATENATE TEXTJOIN LEFT RIGHT MID LEN FIND "
        "SEARCH SUBSTITUTE REPLACE UPPER LOWER PROPER TRIM TEXT VALUE REPT EXACT TODAY NOW DATE TIME "
        "YEAR MONTH DAY HOUR MINUTE WEEKDAY WEEKNUM EDATE EOMONTH DATEDIF DAYS NETWORKDAYS WORKDAY CHOOSE "
        "INDEX MATCH"
    )
    assert set(required) <= set(FUNCTIONS)
    assert len(FUNCTIONS) >= 60
    for spec in FUNCTIONS.values():
        assert spec.description_zh and spec.description_en and spec.example
        assert 0 <= spec.min_args <= spec.max_args <= 255
