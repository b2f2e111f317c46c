"""The wrapper around SpiffWorkflow 3: parsing, a safe script engine, our clock, (de)serialisation.

Nothing in a process definition is ever run as Python:

* ``SafeScriptEngine`` replaces Spiff's ``PythonScriptEngine``. Sequence-flow conditions are our
  JSON condition format or an ``=formula`` (``complaintdesk.expressions``), evaluated against the
  ticket plus ``outcome`` (the last user task's outcome); timer texts must be ISO-8601 literals;
  scripts (script tasks, pre/post scripts, service calls) raise. The serializer does not keep the
  script engine, so ``load_workflow`` sets it again on every load.
* Timers read ``complaintdesk.core.clock`` (the timer module's ``datetime`` is swapped for one whose
  ``now()`` is our clock) and are fired by the ``workflows.fire_timers`` job, never by a thread.
* Returning to an earlier node while a boundary timer waits leaves the timer in Spiff's event
  manager after its task left the tree (the next step then crashes); ``reset_to_task`` purges such
  stale entries and the caller serialises right after.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any

import SpiffWorkflow.bpmn.specs.event_definitions.timer as spiff_timer
from lxml import etree
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from complaintdesk.core import clock
from complaintdesk.core.errors import InvalidInput
from complaintdesk.expressions.conditions import InvalidCondition, check_condition, compile_condition
from complaintdesk.expressions.fields import TICKET_FIELDS, Field, FieldType, follow

if TYPE_CHECKING:
    from complaintdesk.tickets.models import Ticket


# --- our clock inside Spiff's timers ---------------------------------------------------------


class _ClockDatetime(datetime):
    """``datetime`` whose ``now()`` is the domain clock (Spiff's timer module calls
    ``datetime.now(timezone.utc)``)."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        current = clock.now()
        return current.astimezone(tz) if tz is not None else current


spiff_timer.datetime = _ClockDatetime


# --- expressions ------------------------------------------------------------------------------

DURATION_RE = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")

OUTCOME_FIELD = Field(name="outcome", type=FieldType.CHOICE, getter=follow("outcome"), label="上一节点结果",
                      label_en="Outcome of the last task")
GATEWAY_FIELDS = TICKET_FIELDS.extended([OUTCOME_FIELD], name="process")


class UnsafeExpression(ValueError):
    """An expression that is not our condition or formula language."""


def duration_literal(text: str) -> str | None:
    """The ISO-8601 duration in ``text`` (``PT8H`` or ``"PT8H"``), or ``None``."""
    value = (text or "").strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1].strip()
    value = value.upper()
    return value if DURATION_RE.match(value) else None


def condition_from_text(text: str) -> Any:
    """The condition a sequence flow's text holds: JSON (our format) or ``=formula``.

    Raises ``UnsafeExpression`` for anything else (Python such as ``__import__('os')``)."""
    value = (text or "").strip()
    if value.startswith("="):
        return {"formula": value[1:]}
    try:
        parsed = json.loads(value)
    except ValueError as exc:
        raise UnsafeExpression(
            "条件必须是 JSON 条件或以 = 开头的公式 / A condition must be a JSON condition or a formula starting "
            f"with '=', not {value[:60]!r}"
        ) from exc
    if not isinstance(parsed, dict):
        raise UnsafeExpression("条件必须是 JSON 对象 / A JSON condition must be an object")
    return parsed


def check_condition_text(text: str) -> list[str]:
    """Every problem of a sequence-flow condition text (empty: valid)."""
    try:
        condition = condition_from_text(text)
    except UnsafeExpression as exc:
        return [str(exc)]
    return [f"{p.message} ({p.path or '/'})" for p in check_condition(condition, catalog=GATEWAY_FIELDS)]


class GatewayRecord:
    """The record a gateway condition sees: the ticket's fields plus ``outcome``."""

    def __init__(self, ticket: Ticket | None, outcome: Any) -> None:
        self._ticket = ticket
        self.outcome = outcome

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or self._ticket is None:
            raise AttributeError(name)
        return getattr(self._ticket, name)


class RefusingEnvironment:
    """Stands in for Spiff's Python environment: a few Spiff paths (ad-hoc subprocess completion
    conditions, message correlation) call it directly, bypassing the script engine — refuse them."""

    def evaluate(self, expression: str, context: Any, external_context: Any = None) -> Any:
        raise UnsafeExpression(f"Python 表达式已禁用 / Python expressions are disabled: {expression[:60]!r}")

    def execute(self, script: str, context: Any, external_context: Any = None) -> Any:
        raise UnsafeExpression("脚本已禁用 / Scripts are disabled")

    def call_service(self, context: Any, **kwargs: Any) -> Any:
        raise UnsafeExpression("服务调用已禁用 / Service calls are disabled")


class SafeScriptEngine(PythonScriptEngine):
    """A script engine that evaluates only our conditions and ISO-8601 timer literals."""

    def __init__(self, ticket_provider: Callable[[], Ticket | None] | None = None) -> None:
        super().__init__(environment=RefusingEnvironment())
        self.ticket_provider = ticket_provider or (lambda: None)

    def validate(self, expression: str) -> None:
        if duration_literal(expression) is None:
            problems = check_condition_text(expression)
            if problems:
                raise UnsafeExpression("; ".join(problems))

    def evaluate(self, task: Task, expression: str, external_context: Any = None) -> Any:
        literal = duration_literal(expression)
        if literal is not None:
            return literal
        try:
            condition = condition_from_text(expression)
            compiled = compile_condition(condition, catalog=GATEWAY_FIELDS)
        except (UnsafeExpression, InvalidCondition) as exc:
            raise WorkflowTaskException(f"不安全或无效的表达式 / Rejected expression: {exc}", task=task) from exc
        record = GatewayRecord(self.ticket_provider(), (task.data or {}).get("outcome"))
        return compiled.evaluate(record)

    def execute(self, task: Task, script: str, external_context: Any = None) -> Any:
        raise WorkflowTaskException("脚本已禁用 / Scripts are disabled in ComplaintDesk processes", task=task)

    def call_service(self, task: Task, **kwargs: Any) -> Any:
        raise WorkflowTaskException("服务任务已禁用 / Service tasks are disabled", task=task)


# --- parsing and serialisation ----------------------------------------------------------------

_serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
_spec_cache: dict[tuple[str, str], Any] = {}
_spec_lock = threading.Lock()
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)


def parse_spec(xml: str, process_id: str, *, cache_key: str | None = None) -> Any:
    """The Spiff process spec of ``process_id`` in ``xml`` (``SpiffBpmnParser``; cached by key)."""
    key = (cache_key or "", process_id)
    if cache_key is not None and key in _spec_cache:
        return _spec_cache[key]
    parser = SpiffBpmnParser()
    parser.add_bpmn_xml(etree.fromstring(xml.encode(), parser=_XML_PARSER), filename=f"{process_id}.bpmn")
    spec = parser.get_spec(process_id)
    if cache_key is not None:
        with _spec_lock:
            if len(_spec_cache) > 64:
                _spec_cache.clear()
            _spec_cache[key] = spec
    return spec


def new_workflow(spec: Any, ticket_provider: Callable[[], Ticket | None]) -> BpmnWorkflow:
    return BpmnWorkflow(spec, script_engine=SafeScriptEngine(ticket_provider))


def dump_workflow(workflow: BpmnWorkflow) -> dict[str, Any]:
    data: dict[str, Any] = _serializer.to_dict(workflow)
    # Round-trip through JSON text: task data may hold datetimes and the column is JSON.
    return dict(json.loads(json.dumps(data, default=str)))


def load_workflow(state: dict[str, Any], ticket_provider: Callable[[], Ticket | None]) -> BpmnWorkflow:
    workflow: BpmnWorkflow = _serializer.from_dict(state)
    # The serializer keeps Spiff's default Python engine: replace it on every load.
    workflow.script_engine = SafeScriptEngine(ticket_provider)
    return workflow


# --- stepping ----------------------------------------------------------------------------------


def ready_user_tasks(workflow: BpmnWorkflow) -> list[Task]:
    return [t for t in workflow.get_tasks(state=TaskState.READY) if getattr(t.task_spec, "manual", False)]


def node_id(task: Task) -> str:
    return str(getattr(task.task_spec, "bpmn_id", None) or task.task_spec.name)


class EngineError(InvalidInput):
    """The engine could not step the process (a rejected expression, no gateway path ...)."""

    code = "process_error"


def run_engine(workflow: BpmnWorkflow) -> None:
    """Run gateways/events until only user tasks and waiting timers remain."""
    try:
        workflow.refresh_timers()
        workflow.do_engine_steps()
    except SpiffWorkflowException as exc:
        raise EngineError(f"流程无法继续 / The process cannot continue: {exc}",
                          details={"engine": str(exc)[:500]}) from exc


def purge_stale_events(workflow: BpmnWorkflow) -> int:
    """Drop event-manager entries whose task left the tree or stopped waiting (a reset leaves them)."""
    live = {t.id for t in workflow.get_tasks()}
    for sub in workflow.subprocesses.values():
        live |= {t.id for t in sub.get_tasks()}
    stale = [task_id for task_id, task in workflow.event_manager.tasks.items()
             if task_id not in live or task.state != TaskState.WAITING]
    for task_id in stale:
        workflow.event_manager.tasks.pop(task_id, None)
    return len(stale)


def completed_tasks_of(workflow: BpmnWorkflow, node: str) -> list[Task]:
    return [t for t in workflow.get_tasks(state=TaskState.COMPLETED) if node_id(t) == node]


def reset_to_task(workflow: BpmnWorkflow, task: Task) -> None:
    """Make ``task`` (a completed user task) ready again, dropping what followed it."""
    workflow.reset_from_task_id(task.id)
    purge_stale_events(workflow)
    run_engine(workflow)
    purge_stale_events(workflow)


def next_timer_at(workflow: BpmnWorkflow) -> datetime | None:
    """The earliest pending timer of the workflow (None: no timer waits)."""
    earliest: datetime | None = None
    for pending in workflow.waiting_events():
        if "Timer" not in str(pending.event_type) or not isinstance(pending.value, str):
            continue
        try:
            at = datetime.fromisoformat(pending.value)
        except ValueError:
            continue
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        if earliest is None or at < earliest:
            earliest = at
    return earliest


def task_history(workflow: BpmnWorkflow) -> list[Task]:
    return [t for t in workflow.get_tasks(state=TaskState.COMPLETED) if getattr(t.task_spec, "manual", False)]
