"""One condition format, two interpreters (ARCHITECTURE.md invariant 5).

A condition is a JSON tree::

    {"all": [...]}  {"any": [...]}  {"not": {...}}
    {"field": "category", "op": "in", "value": ["product_quality"]}
    {"formula": "AND({amount} > 1000, {vip})"}

``evaluate_condition`` runs it against one record in Python; ``condition_to_q`` compiles it to a
Django ``Q`` for querysets. Both agree on every record (a property test on SQLite and PostgreSQL
proves it); the semantics are written down in docs/conditions.md. ``check_condition`` lists every
problem at once, for publish-time validation. The fields a condition may name come from a
``FieldCatalog`` (``complaintdesk.expressions.fields``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.apps import apps
from django.db.models import Q

from complaintdesk.core import clock
from complaintdesk.expressions.conditions.evaluate import Evaluation, evaluate_node, formula_truth
from complaintdesk.expressions.conditions.model import (
    All,
    AnyOf,
    ConditionNotQueryable,
    ConditionProblem,
    FormulaNode,
    InvalidCondition,
    Leaf,
    Node,
    Not,
)
from complaintdesk.expressions.conditions.parse import parse
from complaintdesk.expressions.conditions.sql import compile_node, to_q
from complaintdesk.expressions.fields import FieldCatalog

__all__ = [
    "CompiledCondition",
    "ConditionNotQueryable",
    "ConditionProblem",
    "InvalidCondition",
    "check_condition",
    "compile_condition",
    "condition_to_q",
    "evaluate_condition",
    "formula_truth",
]

_CACHE_LIMIT = 512


class CompiledCondition:
    """A checked condition, ready to run many times (against records or as a ``Q``).

    "now" (``within_last``) and category keys are resolved on each run, never at compile time,
    so a cached compiled condition does not go stale."""

    __slots__ = ("catalog", "condition", "node")

    def __init__(self, condition: Any, node: Node, catalog: FieldCatalog) -> None:
        self.condition = condition
        self.node = node
        self.catalog = catalog

    @property
    def fields(self) -> frozenset[str]:
        """The names of the fields the condition reads (formula references not included)."""
        names: set[str] = set()
        stack: list[Node] = [self.node]
        while stack:
            node = stack.pop()
            if isinstance(node, Leaf):
                names.add(node.field.name)
            elif isinstance(node, All | AnyOf):
                stack.extend(node.children)
            elif isinstance(node, Not):
                stack.append(node.child)
        return frozenset(names)

    @property
    def queryable(self) -> bool:
        """Whether ``to_q`` can compile it (no formula, every field has an ORM path)."""
        stack: list[Node] = [self.node]
        while stack:
            node = stack.pop()
            if isinstance(node, FormulaNode):
                return False
            if isinstance(node, Leaf) and node.field.orm_path is None:
                return False
            if isinstance(node, All | AnyOf):
                stack.extend(node.children)
            elif isinstance(node, Not):
                stack.append(node.child)
        return self.catalog.model is not None

    def evaluate(self, record: Any, *, now: datetime | None = None, formula_context: Any = None) -> bool:
        ev = Evaluation(catalog=self.catalog, now=now or clock.now(), formula_context=formula_context)
        return evaluate_node(self.node, record, ev)

    def matching(self, records: Iterable[Any], *, now: datetime | None = None, formula_context: Any = None
                 ) -> list[Any]:
        """The records that match, evaluated with one "now" and one lookup of category keys."""
        ev = Evaluation(catalog=self.catalog, now=now or clock.now(), formula_context=formula_context)
        return [record for record in records if evaluate_node(self.node, record, ev)]

    def to_q(self, *, now: datetime | None = None) -> Q:
        if self.catalog.model is None:
            raise ConditionNotQueryable(
                f"“{self.catalog.name}”记录不在数据库中 / {self.catalog.name!r} records are not in the database"
            )
        model = apps.get_model(self.catalog.model)
        return to_q(compile_node(self.node, model=model, now=now or clock.now()))


def check_condition(condition: Any, *, catalog: FieldCatalog) -> list[ConditionProblem]:
    """Every problem of ``condition`` at once (empty when it is valid), including category keys
    that do not exist."""
    _, problems = parse(condition, catalog, verify_references=True)
    return problems


def compile_condition(condition: Any, *, catalog: FieldCatalog) -> CompiledCondition:
    """Check ``condition`` and return it ready to run; raises ``InvalidCondition``."""
    try:
        cache_key: str | None = json.dumps(condition, sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError):
        cache_key = None
    cache = catalog.compiled_cache
    if cache_key is not None:
        found: CompiledCondition | None = cache.get(cache_key)
        if found is not None:
            return found
    node, problems = parse(condition, catalog)
    if problems or node is None:
        raise InvalidCondition(problems)
    compiled = CompiledCondition(condition, node, catalog)
    if cache_key is not None:
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[cache_key] = compiled
    return compiled


def evaluate_condition(condition: Any, record: Any, *, catalog: FieldCatalog, now: datetime | None = None,
                       formula_context: Any = None) -> bool:
    """Whether ``record`` (a model instance or a dict, as ``catalog`` reads it) matches."""
    return compile_condition(condition, catalog=catalog).evaluate(record, now=now, formula_context=formula_context)


def condition_to_q(condition: Any, *, catalog: FieldCatalog, now: datetime | None = None) -> Q:
    """A ``Q`` selecting exactly the rows ``evaluate_condition`` accepts. Raises
    ``ConditionNotQueryable`` for formula nodes and fields without an ORM path."""
    return compile_condition(condition, catalog=catalog).to_q(now=now)
