"""The checked form of a condition: problems, errors and the node tree both interpreters walk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from complaintdesk.core.errors import InvalidInput
from complaintdesk.expressions.fields import Field


@dataclass(frozen=True)
class ConditionProblem:
    """One thing wrong with a condition. ``path`` is a JSON Pointer into the condition
    (``"/all/0/value"``; ``""`` is the root)."""

    path: str
    code: str
    message_zh: str
    message_en: str

    @property
    def message(self) -> str:
        return f"{self.message_zh} / {self.message_en}"

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "code": self.code, "message": self.message,
                "message_zh": self.message_zh, "message_en": self.message_en}


class InvalidCondition(InvalidInput):
    """A condition that does not check; ``problems`` lists every problem at once."""

    code = "invalid_condition"

    def __init__(self, problems: list[ConditionProblem]) -> None:
        self.problems = problems
        first = problems[0].message if problems else "invalid condition"
        more = f" (+{len(problems) - 1})" if len(problems) > 1 else ""
        super().__init__(f"条件无效 / Invalid condition: {first}{more}",
                         details={"problems": [p.as_dict() for p in problems]})


class ConditionNotQueryable(InvalidInput):
    """The condition cannot become SQL: it has a formula node or a field without an ORM path."""

    code = "condition_not_queryable"


# --- nodes ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class All:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class FormulaNode:
    text: str
    compiled: Any
    path: str


@dataclass(frozen=True)
class Moment:
    """A point or a local day used as a bound: ``lo``..``hi`` with inclusiveness. A datetime
    value is ``[t, t]``; a date on a datetime field is ``[00:00, next 00:00)`` local time; on a
    date field both ends are the date itself."""

    lo: datetime | date
    lo_incl: bool
    hi: datetime | date
    hi_incl: bool


@dataclass(frozen=True)
class Relative:
    """``within_last`` / ``within_next``: a duration before or after now, resolved when the
    condition is evaluated or compiled to SQL."""

    duration: timedelta
    future: bool


@dataclass(frozen=True)
class Leaf:
    """``field op operand``, with the operand already converted for the field's type:

    text: ascii-folded ``str`` or ``tuple[str, ...]``; choice/tree: ``str`` or tuple; id/number:
    ``int``/``float`` or tuple; bool: ``bool``; datetime/date: ``Moment``, ``(Moment, Moment)``
    for between, ``Relative``; multi: folded ``str`` or tuple; is_empty/is_not_empty: ``None``.
    """

    field: Field
    op: str
    operand: Any
    path: str


Node = All | AnyOf | Not | FormulaNode | Leaf
