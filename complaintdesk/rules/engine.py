"""The rules engine: for a domain event on a ticket, evaluate the enabled rules that listen to it,
in order, and run the actions of those that match.

- Conditions are compiled once per rule version; the compiled rule set is cached per process and
  rebuilt when the rules' generation (changed in every rule change's transaction) moves. A process
  reads the generation at most once per ``GENERATION_TTL`` (1 s): a rule change takes effect at
  once in the process that made it and within a second in the others.
- Each matched rule runs its actions in one transaction; each action in a savepoint, so a failing
  action is rolled back and recorded as an error in the run while the others (and later rules) run.
- Loop protection: the chain of rule-made changes is carried in a context variable through
  ``events.publish`` → subscriber (subscribers run in the publisher's context). A change made by
  a person has depth 0; a change made by a rule's action publishes its events at depth + 1.
  Events deeper than ``MAX_DEPTH`` are not evaluated, and a rule never runs again in a chain it
  already ran in (it cannot re-trigger itself).
- Every evaluation is recorded as a ``RuleRun`` (matched or not); a matched run also appears on the
  ticket's timeline (``rule_run``).
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from django.conf import settings
from django.db import transaction

from complaintdesk.core import clock
from complaintdesk.core import events as ev
from complaintdesk.core.context import via
from complaintdesk.core.errors import DomainError
from complaintdesk.expressions.conditions import CompiledCondition, InvalidCondition, compile_condition
from complaintdesk.expressions.conditions.evaluate import Evaluation, evaluate_node
from complaintdesk.expressions.conditions.evaluate import _leaf as _leaf  # the leaf interpreter itself (hot path)
from complaintdesk.expressions.conditions.model import All, AnyOf, FormulaNode, Leaf, Node, Not
from complaintdesk.expressions.fields import TICKET_FIELDS
from complaintdesk.rules.registry import ActionContext, get_action_type

if TYPE_CHECKING:
    from complaintdesk.rules.models import Rule, RuleRun
    from complaintdesk.tickets.models import Ticket

logger = logging.getLogger(__name__)

MAX_DEPTH = 3
GENERATION_KEY = "rules.generation"
# How long a process trusts its compiled rule set before reading the generation again: a rule saved
# in another process takes effect there within this time (at once in the saving process). Zero in
# tests, where rolled-back transactions undo rule changes behind the cache's back.
GENERATION_TTL = 0.0 if settings.TESTING else 1.0
# Event name prefixes rules may listen to (events that concern one ticket, or a list of tickets).
TRIGGER_PREFIXES = ("ticket.", "task.", "sla.", "alert.", "csat.", "process.")
RUN_CHANNEL = "rule"


def trigger_events() -> list[str]:
    """The registered events a rule may name as a trigger."""
    return sorted(name for name in ev.REGISTRY if name.startswith(TRIGGER_PREFIXES))


# --- the chain (loop protection) ----------------------------------------------------------


@dataclass(frozen=True)
class Chain:
    depth: int = 0
    rule_ids: frozenset[int] = frozenset()


_NO_CHAIN = Chain()
_chain: ContextVar[Chain] = ContextVar("cd_rule_chain", default=_NO_CHAIN)  # frozen: safe to share


def current_chain() -> Chain:
    return _chain.get()


@contextmanager
def _in_rule(chain: Chain, rule_id: int) -> Iterator[None]:
    token = _chain.set(Chain(chain.depth + 1, chain.rule_ids | {rule_id}))
    try:
        yield
    finally:
        _chain.reset(token)


# --- compiled rules -----------------------------------------------------------------------


@dataclass(frozen=True)
class CompiledRule:
    id: int
    version: int
    name: str
    events: frozenset[str]
    condition: CompiledCondition | None  # None: the stored condition is invalid (``error`` says why)
    actions: tuple[dict[str, Any], ...]
    stop_after: bool
    order: int
    error: str = ""
    program: Any = None  # the condition with equal sub-conditions numbered alike (see ``_program``)


@dataclass
class RuleSet:
    generation: tuple[int, ...]
    rules: tuple[CompiledRule, ...]
    by_event: dict[str, tuple[CompiledRule, ...]] = field(default_factory=dict)
    # Category keys → ids, shared by the evaluations of this rule set: category keys are never
    # changed, and every rule change (which is what can name a new key) builds a new rule set.
    tree_ids: dict[Any, frozenset[int]] = field(default_factory=dict)
    checked_at: float = 0.0  # time.monotonic() of the last generation check
    plans: dict[str, LoadPlan] = field(default_factory=dict)

    def for_event(self, name: str) -> tuple[CompiledRule, ...]:
        found = self.by_event.get(name)
        if found is None:
            found = tuple(r for r in self.rules if name in r.events)
            self.by_event[name] = found
        return found

    def load_plan(self, name: str) -> LoadPlan:
        """What to load with the ticket for the rules of event ``name``."""
        found = self.plans.get(name)
        if found is None:
            found = self.plans[name] = load_plan(self.for_event(name))
        return found


@dataclass(frozen=True)
class LoadPlan:
    select_related: tuple[str, ...]
    prefetch_tags: bool


FULL_PLAN = LoadPlan(TICKET_FIELDS.select_related, True)


def load_plan(rules: Iterable[CompiledRule]) -> LoadPlan:
    """Only the relations the conditions read (loading the ticket costs more than evaluating 200
    conditions); a formula may read anything, so a rule with one loads everything."""
    related: set[str] = set()
    tags = False
    for rule in rules:
        if rule.condition is None:
            continue
        if _has_formula(rule.condition.node):
            return FULL_PLAN
        for name in rule.condition.fields:
            head = name.split(".", 1)[0]
            if name == "tags":
                tags = True
            elif name.startswith("product.line") and name != "product.line_id":
                related |= {"product", "product__line"}
            elif head in ("category", "product", "customer", "team", "department", "assignee", "created_by") \
                    and not name.endswith("_id"):
                related.add(head)
    return LoadPlan(tuple(sorted(related)), tags)


def _has_formula(node: Node) -> bool:
    stack: list[Node] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, FormulaNode):
            return True
        if isinstance(current, All | AnyOf):
            stack.extend(current.children)
        elif isinstance(current, Not):
            stack.append(current.child)
    return False


_lock = threading.Lock()
_compiled: dict[tuple[int, int, str], CompiledRule] = {}
_ruleset: RuleSet | None = None


def compile_rule(rule: Rule) -> CompiledRule:
    """The rule ready to evaluate; cached by (id, version), so compiled once per version."""
    # The definition's text is part of the key: after a rolled-back transaction SQLite can hand the
    # same id (and version 1) to a different rule.
    key = (rule.pk, rule.version, json.dumps(rule.snapshot(), sort_keys=True, ensure_ascii=False, default=str))
    found = _compiled.get(key)
    if found is not None:
        return found
    condition: CompiledCondition | None = None
    error = ""
    try:
        condition = compile_condition(rule.condition, catalog=TICKET_FIELDS)
    except InvalidCondition as exc:
        error = "条件无效 / Invalid condition: " + "; ".join(p.message for p in exc.problems)
    compiled = CompiledRule(
        id=rule.pk, version=rule.version, name=rule.name, events=frozenset(rule.events or []),
        condition=condition, actions=tuple(a for a in (rule.actions or []) if isinstance(a, dict)),
        stop_after=rule.stop_after, order=rule.order, error=error,
        program=_program(condition.node) if condition is not None else None,
    )
    _compiled[key] = compiled
    return compiled


_generation_sql: str | None = None


def current_generation() -> tuple[int, ...]:
    """What the compiled rule set was built from: the rules' generation value (changed by every rule
    action) plus the number, highest id and summed versions of the rules — so rules removed or changed
    behind the actions' back (a database flush, a data migration) are noticed too. One query, in
    plain SQL (the ORM would spend more time compiling it than the database spends answering)."""
    global _generation_sql
    from django.db import connection

    from complaintdesk.core.models import Sequence
    from complaintdesk.rules.models import Rule

    if _generation_sql is None:
        sequences = connection.ops.quote_name(Sequence._meta.db_table)
        rules = connection.ops.quote_name(Rule._meta.db_table)
        _generation_sql = (
            f"SELECT (SELECT value FROM {sequences} WHERE key = %s), COUNT(*), COALESCE(MAX(id), 0), "
            f"COALESCE(SUM(version), 0) FROM {rules}"
        )
    with connection.cursor() as cursor:
        cursor.execute(_generation_sql, [GENERATION_KEY])
        row = cursor.fetchone()
    return tuple(int(v or 0) for v in row) if row else (0,)


def bump_generation() -> None:
    """Call inside every transaction that changes rules: other processes rebuild their rule set.

    The generation is a random number rather than a counter, so a value seen inside a transaction
    that was later rolled back is never reused for different rules."""
    from complaintdesk.core.models import Sequence

    Sequence.objects.update_or_create(key=GENERATION_KEY, defaults={"value": secrets.randbits(62) + 1})
    # This process sees its own change at once (and again after commit, in case another thread
    # rebuilt the rule set from the old rows in between).
    _drop_ruleset()
    transaction.on_commit(_drop_ruleset)


def _drop_ruleset() -> None:
    global _ruleset
    _ruleset = None


def active_ruleset() -> RuleSet:
    """The enabled rules, compiled and ordered; rebuilt when the generation moved."""
    global _ruleset
    from complaintdesk.rules.models import Rule

    cached = _ruleset
    checked = time.monotonic()
    if cached is not None and checked - cached.checked_at < GENERATION_TTL:
        return cached
    generation = current_generation()
    if cached is not None and cached.generation == generation:
        cached.checked_at = checked
        return cached
    with _lock:
        rows = list(Rule.objects.filter(enabled=True).order_by("order", "id"))
        rules = tuple(compile_rule(r) for r in rows)
        live = {(r.id, r.version) for r in rules}
        for key in [k for k in _compiled if (k[0], k[1]) not in live]:
            del _compiled[key]
        _ruleset = RuleSet(generation=generation, rules=rules, checked_at=checked)
        return _ruleset


def forget_cache() -> None:
    global _ruleset
    with _lock:
        _ruleset = None
        _compiled.clear()


# --- programs: conditions with shared leaves ----------------------------------------------
#
# Many rules test the same things (the same keywords, "not routed yet", the customer's tier). A
# program is the condition tree with each distinct leaf replaced by a number, so that one event
# evaluates each distinct leaf once, whatever number of rules use it. The leaf itself is evaluated
# by the shared condition interpreter, so the semantics are exactly those of the condition format.

_LEAF, _ALL, _ANY, _NOT, _OTHER = range(5)
_node_ids: dict[Any, int] = {}


def _intern(node: Node) -> int:
    """The same number for equal (sub)conditions, in any rule."""
    try:
        found = _node_ids.get(node)
    except TypeError:  # an unhashable operand: never shared
        return -id(node)
    if found is None:
        if len(_node_ids) > 100_000:
            _node_ids.clear()
        found = _node_ids[node] = len(_node_ids) + 1
    return found


def _program(node: Node) -> tuple[Any, ...]:
    if isinstance(node, Leaf):
        return (_LEAF, _intern(node), node)
    if isinstance(node, All):
        return (_ALL, _intern(node), tuple(_program(child) for child in node.children))
    if isinstance(node, AnyOf):
        return (_ANY, _intern(node), tuple(_program(child) for child in node.children))
    if isinstance(node, Not):
        return (_NOT, _intern(node), _program(node.child))
    return (_OTHER, 0, node)  # formulas: evaluated each time


def _run_program(program: tuple[Any, ...], record: Any, evaluation: Evaluation, memo: dict[int, bool]) -> bool:
    kind, key, body = program
    found = memo.get(key)
    if found is not None:
        return found
    if kind == _LEAF:
        found = _leaf(body, record, evaluation)
    elif kind in (_ALL, _ANY):
        # all: stop at the first false child; any: at the first true one. Leaves inline (hot path).
        stop = kind == _ANY
        found = not stop
        for child in body:
            if child[0] == _LEAF:
                value = memo.get(child[1])
                if value is None:
                    value = memo[child[1]] = _leaf(child[2], record, evaluation)
            else:
                value = _run_program(child, record, evaluation, memo)
            if value is stop:
                found = stop
                break
    elif kind == _NOT:
        found = not _run_program(body, record, evaluation, memo)
    else:
        return evaluate_node(body, record, evaluation)
    memo[key] = found
    return found


class RuleEvaluation(Evaluation):
    """One ticket state: a fixed "now", leaf results memoised, category ids shared by the rule set."""

    def __init__(self, *, now: datetime, tree_ids: dict[Any, frozenset[int]] | None = None) -> None:
        super().__init__(catalog=TICKET_FIELDS, now=now)
        if tree_ids is not None:
            self._tree_ids = tree_ids
        self.memo: dict[int, bool] = {}


# --- decisions ----------------------------------------------------------------------------


class Decision(NamedTuple):
    rule: CompiledRule
    matched: bool
    error: str = ""
    duration_us: int = 0


def evaluate_rule(rule: CompiledRule, ticket: Ticket, evaluation: RuleEvaluation) -> Decision:
    if rule.program is None:
        return Decision(rule, False, rule.error, 0)
    started = time.perf_counter_ns()
    try:
        matched = _run_program(rule.program, ticket, evaluation, evaluation.memo)
    except DomainError as exc:
        return Decision(rule, False, exc.message, (time.perf_counter_ns() - started) // 1000)
    return Decision(rule, matched, "", (time.perf_counter_ns() - started) // 1000)


def decide(rules: Iterable[CompiledRule], ticket: Ticket, *, chain: Chain | None = None,
           tree_ids: dict[Any, frozenset[int]] | None = None) -> list[Decision]:
    """Which of ``rules`` match ``ticket`` as it is now, honouring the chain and "stop after" —
    without running anything (the benchmark uses it). The time of each rule is measured from the end
    of the previous one (one clock read per rule)."""
    excluded = (chain or _NO_CHAIN).rule_ids
    evaluation = RuleEvaluation(now=clock.now(), tree_ids=tree_ids)
    memo = evaluation.memo
    out: list[Decision] = []
    last = time.perf_counter_ns()
    for rule in rules:
        if rule.id in excluded:
            continue
        program = rule.program
        if program is None:
            out.append(Decision(rule, False, rule.error, 0))
            continue
        error = ""
        try:
            matched = memo.get(program[1])
            if matched is None:
                matched = _run_program(program, ticket, evaluation, memo)
        except DomainError as exc:
            matched, error = False, exc.message
        now = time.perf_counter_ns()
        out.append(Decision(rule, matched, error, (now - last) // 1000))
        last = now
        if matched and rule.stop_after:
            break
    return out


# --- running ------------------------------------------------------------------------------


def _ticket_ids(payload: dict[str, Any]) -> list[int]:
    ids: list[int] = []
    one = payload.get("ticket_id")
    if isinstance(one, int) and not isinstance(one, bool):
        ids.append(one)
    many = payload.get("ticket_ids")
    if isinstance(many, list):
        ids.extend(i for i in many if isinstance(i, int) and not isinstance(i, bool) and i not in ids)
    return ids


def _load_ticket(ticket_id: int, plan: LoadPlan = FULL_PLAN) -> Ticket | None:
    from complaintdesk.tickets.models import Ticket

    qs = Ticket.objects.filter(pk=ticket_id)
    if plan.select_related:
        qs = qs.select_related(*plan.select_related)
    if plan.prefetch_tags:
        qs = qs.prefetch_related("tags")
    return qs.first()


def on_event(event: ev.DomainEvent) -> None:
    """The subscriber: evaluate the rules listening to ``event`` for its ticket(s)."""
    ticket_ids = _ticket_ids(event.payload)
    if not ticket_ids:
        return
    chain = _chain.get()
    if chain.depth > MAX_DEPTH:
        logger.info("rules: %s at depth %s not evaluated (loop protection)", event.name, chain.depth)
        return
    ruleset = active_ruleset()
    rules = ruleset.for_event(event.name)
    if not rules:
        return
    for ticket_id in ticket_ids:
        try:
            run_rules(event, ticket_id, rules, chain=chain, tree_ids=ruleset.tree_ids,
                      plan=ruleset.load_plan(event.name))
        except Exception:  # one ticket's failure must not keep the rules from the others
            logger.exception("rules: evaluating %s for ticket %s failed", event.name, ticket_id)
            _drop_ruleset()  # e.g. a rule deleted in another process a moment ago: reload next time


def run_rules(event: ev.DomainEvent, ticket_id: int, rules: Iterable[CompiledRule], *, chain: Chain,
              tree_ids: dict[Any, frozenset[int]] | None = None, plan: LoadPlan = FULL_PLAN) -> list[RuleRun]:
    """Evaluate ``rules`` in order for one ticket and run the matched ones; returns the runs."""
    from complaintdesk.rules.models import RuleRun

    ticket = _load_ticket(ticket_id, plan)
    if ticket is None:
        return []
    runs: list[RuleRun] = []
    pending: list[RuleRun] = []
    evaluation = RuleEvaluation(now=clock.now(), tree_ids=tree_ids)
    with via(RUN_CHANNEL):
        for rule in rules:
            if rule.id in chain.rule_ids:
                continue
            decision = evaluate_rule(rule, ticket, evaluation)
            if not decision.matched:
                pending.append(RuleRun(
                    rule_id=rule.id, rule_name=rule.name[:200], rule_version=rule.version, ticket_id=ticket.pk,
                    event=event.name, matched=False, errors=[decision.error] if decision.error else [],
                    depth=chain.depth, duration_us=decision.duration_us, created_at=evaluation.now,
                ))
                continue
            if pending:
                runs += RuleRun.objects.bulk_create(pending)
                pending = []
            runs.append(_execute(rule, ticket, event, chain, decision))
            fresh = _load_ticket(ticket.pk, plan)
            if fresh is None:
                break
            ticket = fresh
            evaluation = RuleEvaluation(now=clock.now(), tree_ids=tree_ids)
            if rule.stop_after:
                break
        if pending:
            runs += RuleRun.objects.bulk_create(pending)
    return runs


def _execute(rule: CompiledRule, ticket: Ticket, event: ev.DomainEvent, chain: Chain, decision: Decision) -> RuleRun:
    from complaintdesk.rules.events import rule_run_event
    from complaintdesk.rules.models import RuleRun

    started = time.perf_counter_ns()
    done: list[dict[str, Any]] = []
    errors: list[str] = []
    ctx = ActionContext(ticket=ticket, event=event, rule_id=rule.id, rule_version=rule.version, depth=chain.depth)
    try:
        with _in_rule(chain, rule.id), transaction.atomic():
            for index, action in enumerate(rule.actions):
                done.append(_run_action(index, action, ctx, errors))
            run = RuleRun.objects.create(
                rule_id=rule.id, rule_name=rule.name[:200], rule_version=rule.version, ticket_id=ticket.pk,
                event=event.name, matched=True, actions=done, errors=errors, depth=chain.depth,
                duration_us=min(decision.duration_us + (time.perf_counter_ns() - started) // 1000, 2**31 - 1),
                created_at=clock.now(),
            )
            rule_run_event(ticket=ticket, run=run)
    except Exception as exc:  # the run's own bookkeeping failed: record that much, outside the rolled-back work
        logger.exception("rules: rule %s on ticket %s failed", rule.id, ticket.pk)
        run = RuleRun.objects.create(
            rule_id=rule.id, rule_name=rule.name[:200], rule_version=rule.version, ticket_id=ticket.pk,
            event=event.name, matched=True, actions=[{**d, "rolled_back": True} for d in done],
            errors=[*errors, f"规则执行失败，已回滚 / Rule run failed and was rolled back: {exc}"],
            depth=chain.depth, duration_us=min((time.perf_counter_ns() - started) // 1000, 2**31 - 1),
            created_at=clock.now(),
        )
    return run


def _run_action(index: int, action: dict[str, Any], ctx: ActionContext, errors: list[str]) -> dict[str, Any]:
    type_ = str(action.get("type", ""))
    params = action.get("params") or {}
    action_type = get_action_type(type_)
    if action_type is None:
        message = f"未知的动作类型 / Unknown action type {type_!r}"
        errors.append(f"#{index + 1} {message}")
        return {"type": type_, "ok": False, "error": message}
    description = ""
    try:
        with transaction.atomic():
            description = action_type.describe(ctx.ticket, params)
            result = action_type.run(ctx, params)
    except DomainError as exc:
        errors.append(f"#{index + 1} {type_}: {exc.message}")
        return {"type": type_, "ok": False, "description": description, "error": exc.message}
    except Exception as exc:
        logger.exception("rules: action %s of rule %s failed", type_, ctx.rule_id)
        message = f"动作执行出错 / Action failed: {type(exc).__name__}: {exc}"
        errors.append(f"#{index + 1} {type_}: {message}")
        return {"type": type_, "ok": False, "description": description, "error": message}
    return {"type": type_, "ok": True, "description": description, "result": result}


def subscribe_all() -> None:
    """Subscribe the engine to every trigger event (called once from ``RulesConfig.ready``)."""
    for name in trigger_events():
        ev.unsubscribe(name, on_event)
        ev.subscribe(name)(on_event)
