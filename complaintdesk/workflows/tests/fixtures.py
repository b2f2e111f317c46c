"""Small BPMN documents for the tests, written as text so each test shows the process it runs."""

from __future__ import annotations

import itertools
import json
from typing import Any

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:cd="https://complaintdesk.dev/bpmn" id="defs" targetNamespace="https://complaintdesk.dev/test">\n'
        '<bpmn:process id="{pid}" isExecutable="true">\n')
TAIL = "</bpmn:process>\n</bpmn:definitions>\n"


def process(body: str, pid: str = "test_process") -> str:
    return HEAD.format(pid=pid) + body + TAIL


def user_task(node_id: str, name: str, *, assignee: dict[str, Any] | None = None, **props: Any) -> str:
    ext = []
    if assignee is not None:
        ext.append(f"<cd:assignee>{json.dumps(assignee, ensure_ascii=False)}</cd:assignee>")
    for key, value in props.items():
        text = value if key == "ticketStatus" else json.dumps(value, ensure_ascii=False)
        ext.append(f"<cd:{key}>{text}</cd:{key}>")
    inner = f"<bpmn:extensionElements>{''.join(ext)}</bpmn:extensionElements>" if ext else ""
    return f'<bpmn:userTask id="{node_id}" name="{name}">{inner}</bpmn:userTask>\n'


def flow(flow_id: str, source: str, target: str, condition: str | None = None) -> str:
    if condition is None:
        return f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}"/>\n'
    cond = condition.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return (f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">'
            f"<bpmn:conditionExpression>{cond}</bpmn:conditionExpression></bpmn:sequenceFlow>\n")


def start(node_id: str = "start") -> str:
    return f'<bpmn:startEvent id="{node_id}"/>\n'


def end(node_id: str = "end") -> str:
    return f'<bpmn:endEvent id="{node_id}"/>\n'


def gateway(node_id: str, default: str | None = None) -> str:
    d = f' default="{default}"' if default else ""
    return f'<bpmn:exclusiveGateway id="{node_id}"{d}/>\n'


def timer(node_id: str, attached_to: str, duration: str, *, interrupting: bool = True) -> str:
    return (f'<bpmn:boundaryEvent id="{node_id}" attachedToRef="{attached_to}" '
            f'cancelActivity="{"true" if interrupting else "false"}">'
            f"<bpmn:timerEventDefinition><bpmn:timeDuration>{duration}</bpmn:timeDuration>"
            "</bpmn:timerEventDefinition></bpmn:boundaryEvent>\n")


def chain(*nodes: str, prefix: str = "f") -> str:
    """Flows linking ``nodes`` one after the other."""
    return "".join(flow(f"{prefix}{i}", a, b) for i, (a, b) in enumerate(itertools.pairwise(nodes)))


def linear(*tasks: tuple[str, str, dict[str, Any]], pid: str = "linear") -> str:
    """start → each (id, name, props) user task → end."""
    body = start() + end()
    for node_id, name, props in tasks:
        body += user_task(node_id, name, **props)
    body += chain("start", *[t[0] for t in tasks], "end")
    return process(body, pid)


# 处理 → 审核 (reject → 处理), P1 skips 审核 (fast track)
REVIEW_LOOP = process(
    start() + end()
    + user_task("handle", "处理", assignee={"type": "users", "users": ["handler"]}, ticketStatus="in_progress",
                fieldRights={"resolution": "required", "root_cause": "editable", "secret_note": "hidden"},
                deadline={"hours": 8, "onTimeout": "remind"})
    + user_task("review", "审核", assignee={"type": "users", "users": ["supervisor"]}, essential=False)
    + gateway("fast", default="to_review") + gateway("gw", default="done")
    + flow("f1", "start", "handle") + flow("f2", "handle", "fast")
    + flow("skip", "fast", "end2", '{"field": "priority", "op": "eq", "value": "P1"}')
    + flow("to_review", "fast", "review") + flow("f3", "review", "gw")
    + flow("back", "gw", "handle", '{"field": "outcome", "op": "eq", "value": "reject"}')
    + flow("done", "gw", "end") + end("end2"),
    pid="review_loop",
)
