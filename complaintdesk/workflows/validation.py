"""Publish-time validation of a BPMN process: every problem at once, as ``[{node, message}]``.

A process may contain only what ComplaintDesk runs safely: start/end events, user (and manual)
tasks, exclusive/parallel/inclusive gateways and timer events with ISO-8601 literals. Script,
service, business-rule and call-activity nodes, Spiff pre/post scripts and any condition that is
not our JSON condition or ``=formula`` are refused, so Python never reaches the engine.
"""

from __future__ import annotations

from typing import Any

from complaintdesk.tickets.choices import TicketStatus
from complaintdesk.workflows import engine
from complaintdesk.workflows.assignees import check_assignee_rule
from complaintdesk.workflows.bpmn import BpmnSyntaxError, Document, Node, read_document
from complaintdesk.workflows.choices import DEFAULT_OUTCOMES, MultiMode, TimeoutAction

SUPPORTED_TYPES = {
    "startEvent", "endEvent", "userTask", "manualTask", "exclusiveGateway", "parallelGateway", "inclusiveGateway",
    "boundaryEvent", "intermediateCatchEvent",
}
FIELD_ACCESS = ("hidden", "visible", "readonly", "editable", "required")


def _problem(node: str, message: str) -> dict[str, str]:
    return {"node": node, "message": message}


def validate_process_xml(bpmn_xml: str) -> list[dict[str, str]]:
    """Every problem of ``bpmn_xml`` (empty: publishable)."""
    try:
        doc = read_document(bpmn_xml)
    except BpmnSyntaxError as exc:
        return [_problem("", str(exc))]
    problems: list[dict[str, str]] = []
    if not doc.process_id:
        problems.append(_problem("", "bpmn:process 缺少 id / The process has no id"))
    if not any(n.type == "startEvent" for n in doc.nodes.values()):
        problems.append(_problem("", "流程没有开始事件 / The process has no start event"))
    if not any(n.type == "endEvent" for n in doc.nodes.values()):
        problems.append(_problem("", "流程没有结束事件 / The process has no end event"))
    for node in doc.nodes.values():
        problems += _check_node(doc, node)
    for flow in doc.flows.values():
        if flow.source not in doc.nodes or flow.target not in doc.nodes:
            problems.append(_problem(flow.id, "连线的起点或终点不存在 / The flow's source or target does not exist"))
        if flow.condition is not None:
            for message in engine.check_condition_text(flow.condition):
                problems.append(_problem(flow.id, f"条件无效 / Invalid condition: {message}"))
    if not problems:
        problems += _check_engine_parse(doc, bpmn_xml)
    return problems


def _check_node(doc: Document, node: Node) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    where = node.id
    if node.type not in SUPPORTED_TYPES:
        kind = "脚本任务" if node.type == "scriptTask" else "节点类型"
        out.append(_problem(where, f"不支持的{kind} {node.type} / Node type {node.type} is not allowed "
                                   "(only user tasks, gateways, timer events)"))
    if node.loop is not None:
        out.append(_problem(where, f"不支持 {node.loop}，请用 cd:multi 表示会签 / {node.loop} is not supported; "
                                   "use cd:multi for countersigning"))
    if node.has_spiff_scripts:
        out.append(_problem(where, "不允许前置/后置脚本 / Pre- and post-scripts are not allowed"))
    out += [_problem(where, message) for message in node.prop_errors.values()]
    if node.type in ("boundaryEvent", "intermediateCatchEvent", "startEvent") and node.timer is None \
            and node.type != "startEvent":
        out.append(_problem(where, "只支持定时事件 / Only timer events are supported here"))
    if node.timer is not None:
        kind, _, text = node.timer.partition(":")
        if kind != "timeDuration" or engine.duration_literal(text) is None:
            out.append(_problem(where, "定时器必须是 ISO-8601 时长（如 PT8H） / A timer must be an ISO-8601 "
                                       f"duration literal such as PT8H, not {text[:40]!r}"))
    if node.type in ("userTask", "manualTask"):
        out += _check_user_task(node)
    elif any(k in node.props for k in ("assignee", "multi", "deadline", "fieldRights", "cc", "outcomes")):
        out.append(_problem(where, "cd:assignee 等属性只能用于用户任务 / cd:* task properties belong on user tasks"))
    if node.type == "endEvent" and "ticketStatus" in node.props:
        out += _check_status(node)
    elif node.type not in ("userTask", "manualTask") and "ticketStatus" in node.props:
        out.append(_problem(where, "cd:ticketStatus 只能用于用户任务和结束事件 / cd:ticketStatus belongs on user "
                                   "tasks and end events"))
    if node.type == "exclusiveGateway" or node.type == "inclusiveGateway":
        out += _check_gateway(doc, node)
    if node.type not in ("endEvent", "boundaryEvent") and not node.outgoing and node.type in SUPPORTED_TYPES:
        out.append(_problem(where, "节点没有出口连线 / The node has no outgoing flow"))
    if node.type == "boundaryEvent" and not node.outgoing:
        out.append(_problem(where, "边界事件没有出口连线 / The boundary event has no outgoing flow"))
    return out


def _check_user_task(node: Node) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    where = node.id
    props = node.props
    if "assignee" not in props and "assignee" not in node.prop_errors:
        out.append(_problem(where, "用户任务缺少 cd:assignee / The user task has no cd:assignee rule"))
    elif "assignee" in props:
        out += [_problem(where, m) for m in check_assignee_rule(props["assignee"])]
    multi = props.get("multi")
    if multi is not None:
        if not isinstance(multi, dict) or multi.get("mode") not in (MultiMode.ALL, MultiMode.ANY, MultiMode.QUORUM):
            out.append(_problem(where, "cd:multi.mode 必须是 all/any/quorum / cd:multi mode must be all, any, quorum"))
        elif multi.get("mode") == MultiMode.QUORUM and not (
                isinstance(multi.get("quorum"), int) and not isinstance(multi.get("quorum"), bool)
                and multi["quorum"] >= 1):
            out.append(_problem(where, "quorum 需要正整数 / quorum needs a positive integer \"quorum\""))
    rights = props.get("fieldRights")
    if rights is not None and (not isinstance(rights, dict) or not all(
            isinstance(k, str) and v in FIELD_ACCESS for k, v in rights.items())):
        out.append(_problem(where, "cd:fieldRights 取值必须是 " + "/".join(FIELD_ACCESS)
                            + f" / cd:fieldRights values must be one of {list(FIELD_ACCESS)}"))
    deadline = props.get("deadline")
    if deadline is not None:
        out += [_problem(where, m) for m in check_deadline(deadline)]
    out += _check_status(node)
    if "cc" in props:
        out += [_problem(where, f"cd:cc: {m}") for m in check_assignee_rule(props["cc"])]
    outcomes = props.get("outcomes")
    if outcomes is not None and not (
            isinstance(outcomes, list) and outcomes and all(isinstance(o, str) and 0 < len(o) <= 50 for o in outcomes)):
        out.append(_problem(where, "cd:outcomes 必须是非空字符串列表 / cd:outcomes must be a non-empty list of names"))
    essential = props.get("essential")
    if essential is not None and not isinstance(essential, bool):
        out.append(_problem(where, "cd:essential 必须是 true/false / cd:essential must be a boolean"))
    return out


def _check_status(node: Node) -> list[dict[str, str]]:
    status = node.props.get("ticketStatus")
    if status is not None and status not in TicketStatus.values:
        return [_problem(node.id, f"未知的工单状态 {status!r} / Unknown ticket status (one of {TicketStatus.values})")]
    return []


def check_deadline(deadline: Any) -> list[str]:
    if not isinstance(deadline, dict):
        return ["cd:deadline 必须是对象 / cd:deadline must be an object"]
    out = []
    hours = deadline.get("hours")
    if isinstance(hours, bool) or not isinstance(hours, int | float) or not 0 < hours <= 24 * 365:
        out.append("cd:deadline.hours 必须是正数 / cd:deadline hours must be a positive number")
    if "business" in deadline and not isinstance(deadline["business"], bool):
        out.append("cd:deadline.business 必须是 true/false / business must be a boolean")
    action = deadline.get("onTimeout", TimeoutAction.REMIND)
    if action not in TimeoutAction.values:
        out.append(f"未知的超时动作 {action!r} / onTimeout must be one of {TimeoutAction.values}")
    if action == TimeoutAction.TRANSFER and "transferTo" in deadline:
        out += check_assignee_rule(deadline["transferTo"])
    return out


def _check_gateway(doc: Document, node: Node) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    if len(node.outgoing) <= 1:
        return out
    if node.default_flow is not None:
        if node.default_flow not in node.outgoing:
            out.append(_problem(node.id, "默认连线不是该网关的出口 / The default flow is not an outgoing flow"))
        return out
    conditions = [doc.flows[f].condition for f in node.outgoing if f in doc.flows]
    missing = [f for f in node.outgoing if f in doc.flows and doc.flows[f].condition is None]
    if missing:
        out.append(_problem(node.id, f"网关的连线 {missing} 没有条件且没有默认连线 / Flows {missing} have no "
                                     "condition and the gateway has no default flow"))
    elif not _covers_all(conditions):
        out.append(_problem(node.id, "网关没有默认连线，条件也未覆盖所有情况 / The gateway has no default flow "
                                     "and its conditions do not cover every case"))
    return out


def _covers_all(conditions: list[str | None]) -> bool:
    """Whether the conditions provably cover every case: one condition's negation is another, or
    they test ``outcome``/one choice field against values that together cover all its choices."""
    parsed: list[Any] = []
    for text in conditions:
        try:
            parsed.append(engine.condition_from_text(text or ""))
        except engine.UnsafeExpression:
            return False
    for a in parsed:
        if {"not": a} in parsed:
            return True
    by_field: dict[str, set[str]] = {}
    for cond in parsed:
        if not isinstance(cond, dict) or "field" not in cond:
            continue
        op, value = cond.get("op"), cond.get("value")
        values = [value] if op == "eq" else value if op == "in" and isinstance(value, list) else []
        by_field.setdefault(str(cond["field"]), set()).update(str(v) for v in values)
    for name, seen in by_field.items():
        fld = engine.GATEWAY_FIELDS.get(name)
        if fld is not None and fld.choices and set(fld.choices) <= seen:
            return True
    return False


def _check_engine_parse(doc: Document, bpmn_xml: str) -> list[dict[str, str]]:
    """Let SpiffWorkflow parse it too (catches structure our reader does not check)."""
    try:
        engine.parse_spec(bpmn_xml, doc.process_id)
    except Exception as exc:  # Spiff raises many types; each is a problem of the definition
        node = str(getattr(exc, "id", "") or "")
        return [_problem(node, f"流程引擎无法解析 / The engine cannot parse the process: {exc}")]
    return []


def node_outcomes(node: Node) -> list[str]:
    outcomes = node.props.get("outcomes")
    return list(outcomes) if isinstance(outcomes, list) and outcomes else list(DEFAULT_OUTCOMES)
