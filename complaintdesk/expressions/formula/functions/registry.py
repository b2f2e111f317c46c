"""The function registry: one :class:`FunctionSpec` per supported function, keyed by upper-case name."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from ..context import FormulaContext
    from ..nodes import Call, Node

__all__ = ["CATEGORIES", "FUNCTIONS", "CallSite", "Evaluator", "FunctionSpec", "register", "register_special"]

Evaluator = Callable[[Mapping[str, Any], "FormulaContext"], Any]

# Category key -> (中文, English), in the order the documentation lists them.
CATEGORIES: Final = {
    "logical": ("逻辑", "Logical"),
    "math": ("数学与统计", "Math and statistics"),
    "text": ("文本", "Text"),
    "date": ("日期与时间", "Date and time"),
    "lookup": ("查找", "Lookup"),
}


@dataclass(frozen=True, slots=True)
class CallSite:
    """What a special compiler gets: the call node, its compiled arguments and their constant values."""

    node: Call
    args: list[Evaluator]
    arg_nodes: list[Node]
    constants: list[tuple[bool, Any]]  # (is_constant, value) per argument
    fail: Callable[[Node, str, str], Exception]  # builds a compile error at a node: fail(node, zh, en)


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    """A supported function. ``impl`` takes evaluated arguments; ``compiler`` builds a custom
    evaluator instead (lazy functions such as IF evaluate only the branch they choose)."""

    name: str
    min_args: int
    max_args: int
    category: str
    description_zh: str
    description_en: str
    example: str
    impl: Callable[..., Any] | None = field(default=None, repr=False, compare=False)
    compiler: Callable[[CallSite], Evaluator] | None = field(default=None, repr=False, compare=False)
    ref_as_range: bool = False  # a bare {field} argument is a one-cell range (text/logicals ignored)
    array_args: frozenset[int] = frozenset()  # positions that take arrays (no element-wise lifting)
    array_args_from: int | None = None  # ... and every position from this one on
    needs_context: bool = False  # impl(context, *args)
    volatile: bool = False  # depends on the clock (TODAY, NOW)

    def accepts_array(self, index: int) -> bool:
        return index in self.array_args or (self.array_args_from is not None and index >= self.array_args_from)


_registry: dict[str, FunctionSpec] = {}
FUNCTIONS: Final[Mapping[str, FunctionSpec]] = MappingProxyType(_registry)


def _add(spec: FunctionSpec) -> None:
    if spec.name in _registry:
        raise RuntimeError(f"formula function {spec.name} registered twice")
    if spec.category not in CATEGORIES:
        raise RuntimeError(f"unknown category {spec.category!r} for {spec.name}")
    _registry[spec.name] = spec


def register(
    name: str,
    min_args: int,
    max_args: int,
    category: str,
    zh: str,
    en: str,
    example: str,
    **options: Any,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register an eager function implemented by the decorated callable."""

    def decorate(impl: Callable[..., Any]) -> Callable[..., Any]:
        _add(FunctionSpec(name, min_args, max_args, category, zh, en, example, impl=impl, **options))
        return impl

    return decorate


def register_special(
    name: str,
    min_args: int,
    max_args: int,
    category: str,
    zh: str,
    en: str,
    example: str,
    **options: Any,
) -> Callable[[Callable[[CallSite], Evaluator]], Callable[[CallSite], Evaluator]]:
    """Register a function whose call sites are compiled by the decorated callable."""

    def decorate(compiler: Callable[[CallSite], Evaluator]) -> Callable[[CallSite], Evaluator]:
        _add(FunctionSpec(name, min_args, max_args, category, zh, en, example, compiler=compiler, **options))
        return compiler

    return decorate
