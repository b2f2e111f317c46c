"""The syntax tree of a formula. Built by the parser, checked, then compiled; nothing else runs it.

Runs of operators of one precedence level (``a+b-c+d``) are one :class:`Chain` and runs of unary
minus one :class:`Negate`, so a long sum is wide rather than deep and ``depth`` measures real nesting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .values import ExcelError


@dataclass(slots=True, eq=False)
class Node:
    pos: int
    depth: int = field(default=1, kw_only=True)
    grouped: bool = field(default=False, kw_only=True)  # written in parentheses


@dataclass(slots=True, eq=False)
class Number(Node):
    value: float


@dataclass(slots=True, eq=False)
class Text(Node):
    value: str


@dataclass(slots=True, eq=False)
class Boolean(Node):
    value: bool


@dataclass(slots=True, eq=False)
class ErrorLiteral(Node):
    value: ExcelError


@dataclass(slots=True, eq=False)
class Missing(Node):
    """An omitted argument, as in ``IF(A,,1)``; evaluates to blank."""


@dataclass(slots=True, eq=False)
class Field(Node):
    """``{key}`` or ``{table.column}`` (a sub-table column, evaluated as an array)."""

    key: str
    column: str | None = None

    @property
    def reference(self) -> str:
        return self.key if self.column is None else f"{self.key}.{self.column}"


@dataclass(slots=True, eq=False)
class ArrayLiteral(Node):
    """``{1,2,3}``: constants only, as in Excel."""

    items: list[Any]


@dataclass(slots=True, eq=False)
class Call(Node):
    name: str  # upper case
    args: list[Node]


@dataclass(slots=True, eq=False)
class Negate(Node):
    count: int
    operand: Node


@dataclass(slots=True, eq=False)
class Percent(Node):
    count: int
    operand: Node


@dataclass(slots=True, eq=False)
class Chain(Node):
    """``first op1 operand1 op2 operand2 ...`` evaluated left to right (Excel is left-associative)."""

    level: str  # "compare" | "concat" | "add" | "mul" | "power"
    first: Node
    rest: list[tuple[str, Node]]


LITERALS = (Number, Text, Boolean, ErrorLiteral, Missing)
