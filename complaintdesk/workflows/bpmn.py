"""Reading a BPMN document: the nodes, flows and our ``cd:*`` extension properties.

The engine (SpiffWorkflow) runs the process; this module reads what the engine ignores — the
assignee rule, multi-signing mode, field rights, deadline, ticket status and outcomes of each
user task — and describes the diagram for the API (node list, flows). The XML is parsed with
``lxml`` with entity resolution and network access off.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CD_NS = "https://complaintdesk.dev/bpmn"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "cd": CD_NS}

MAX_XML_BYTES = 1024 * 1024

# cd:* properties whose text is JSON (the others are plain strings).
JSON_PROPERTIES = ("assignee", "multi", "fieldRights", "deadline", "outcomes", "essential", "cc")
TEXT_PROPERTIES = ("ticketStatus",)

USER_TASK_TAGS = ("userTask", "manualTask")
FLOW_NODE_TAGS = (
    "startEvent", "endEvent", "userTask", "manualTask", "task", "scriptTask", "serviceTask", "sendTask",
    "receiveTask", "businessRuleTask", "callActivity", "subProcess", "exclusiveGateway", "parallelGateway",
    "inclusiveGateway", "eventBasedGateway", "complexGateway", "intermediateCatchEvent",
    "intermediateThrowEvent", "boundaryEvent",
)

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True, huge_tree=False)


class BpmnSyntaxError(ValueError):
    """The text is not a well-formed BPMN document."""


@dataclass
class Node:
    """One flow node of the process, with its ``cd:*`` properties (raw JSON values) and any
    problems met reading them."""

    id: str
    type: str
    name: str = ""
    incoming: list[str] = field(default_factory=list)
    outgoing: list[str] = field(default_factory=list)
    props: dict[str, Any] = field(default_factory=dict)
    prop_errors: dict[str, str] = field(default_factory=dict)
    default_flow: str | None = None
    attached_to: str | None = None
    timer: str | None = None  # the timeDuration / timeDate / timeCycle text, "kind:value"
    has_spiff_scripts: bool = False
    loop: str | None = None  # multiInstanceLoopCharacteristics / standardLoopCharacteristics (refused)

    @property
    def is_user_task(self) -> bool:
        return self.type in USER_TASK_TAGS

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id, "type": self.type, "name": self.name, "incoming": self.incoming,
            "outgoing": self.outgoing, "properties": self.props, "default_flow": self.default_flow,
            "attached_to": self.attached_to, "timer": self.timer,
        }


@dataclass
class Flow:
    id: str
    source: str
    target: str
    name: str = ""
    condition: str | None = None

    def describe(self) -> dict[str, Any]:
        return {"id": self.id, "source": self.source, "target": self.target, "name": self.name,
                "condition": self.condition}


@dataclass
class Document:
    """A parsed BPMN document: the executable process's nodes and flows."""

    process_id: str
    process_ids: list[str]
    nodes: dict[str, Node]
    flows: dict[str, Flow]
    checksum: str

    def user_tasks(self) -> list[Node]:
        return [n for n in self.nodes.values() if n.is_user_task]

    def describe(self) -> list[dict[str, Any]]:
        return [n.describe() for n in self.nodes.values()]


def checksum(xml: str) -> str:
    return hashlib.sha256(xml.encode()).hexdigest()


def parse_xml(xml: str) -> Any:
    """The lxml root of ``xml``; raises ``BpmnSyntaxError``."""
    data = xml.encode() if isinstance(xml, str) else xml
    if len(data) > MAX_XML_BYTES:
        raise BpmnSyntaxError(f"BPMN 文件过大 / BPMN document larger than {MAX_XML_BYTES} bytes")
    try:
        root = etree.fromstring(data, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise BpmnSyntaxError(f"XML 格式错误 / Malformed XML: {exc}") from exc
    if root.tag != f"{{{BPMN_NS}}}definitions":
        raise BpmnSyntaxError("根元素必须是 bpmn:definitions / The root element must be bpmn:definitions")
    return root


def _local(tag: Any) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _props(element: Any) -> tuple[dict[str, Any], dict[str, str], bool]:
    props: dict[str, Any] = {}
    errors: dict[str, str] = {}
    spiff_scripts = False
    for ext in element.findall("bpmn:extensionElements", NS):
        for child in ext:
            qname = etree.QName(child.tag) if isinstance(child.tag, str) else None
            if qname is None:
                continue
            if qname.namespace == SPIFF_NS and qname.localname in ("preScript", "postScript"):
                spiff_scripts = spiff_scripts or bool((child.text or "").strip())
                continue
            if qname.namespace != CD_NS:
                continue
            text = (child.text or "").strip()
            name = qname.localname
            if name in TEXT_PROPERTIES:
                props[name] = text
            elif name in JSON_PROPERTIES:
                try:
                    props[name] = json.loads(text)
                except ValueError:
                    errors[name] = f"cd:{name} 不是有效的 JSON / cd:{name} is not valid JSON"
            else:
                errors[name] = f"未知的扩展属性 cd:{name} / Unknown extension property cd:{name}"
    return props, errors, spiff_scripts


def _timer(element: Any) -> str | None:
    definition = element.find("bpmn:timerEventDefinition", NS)
    if definition is None:
        return None
    for kind in ("timeDuration", "timeDate", "timeCycle"):
        child = definition.find(f"bpmn:{kind}", NS)
        if child is not None:
            return f"{kind}:{(child.text or '').strip()}"
    return "missing:"


def read_document(xml: str) -> Document:
    """Nodes and flows of the (first executable) process in ``xml``; raises ``BpmnSyntaxError``."""
    root = parse_xml(xml)
    processes = root.findall("bpmn:process", NS)
    if not processes:
        raise BpmnSyntaxError("没有 bpmn:process / The document has no bpmn:process")
    executable = [p for p in processes if p.get("isExecutable", "true").lower() == "true"] or processes
    process = executable[0]
    nodes: dict[str, Node] = {}
    flows: dict[str, Flow] = {}
    for element in process.iter():
        tag = _local(element.tag)
        if tag in FLOW_NODE_TAGS and element.get("id"):
            props, errors, scripts = _props(element)
            node = Node(
                id=element.get("id"), type=tag, name=element.get("name", "") or "",
                props=props, prop_errors=errors, default_flow=element.get("default"),
                attached_to=element.get("attachedToRef"), has_spiff_scripts=scripts,
            )
            if tag in ("boundaryEvent", "intermediateCatchEvent", "startEvent"):
                node.timer = _timer(element)
            for loop in ("multiInstanceLoopCharacteristics", "standardLoopCharacteristics"):
                if element.find(f"bpmn:{loop}", NS) is not None:
                    node.loop = loop
            nodes[node.id] = node
        elif tag == "sequenceFlow" and element.get("id"):
            cond = element.find("bpmn:conditionExpression", NS)
            flows[element.get("id")] = Flow(
                id=element.get("id"), source=element.get("sourceRef", ""), target=element.get("targetRef", ""),
                name=element.get("name", "") or "",
                condition=(cond.text or "").strip() if cond is not None else None,
            )
    for flow in flows.values():
        if flow.source in nodes:
            nodes[flow.source].outgoing.append(flow.id)
        if flow.target in nodes:
            nodes[flow.target].incoming.append(flow.id)
    return Document(
        process_id=process.get("id", ""), process_ids=[p.get("id", "") for p in processes],
        nodes=nodes, flows=flows, checksum=checksum(xml),
    )


_cache: dict[str, Document] = {}
_cache_lock = threading.Lock()


def document_for(xml: str) -> Document:
    """``read_document`` cached by checksum (published versions never change)."""
    key = checksum(xml)
    found = _cache.get(key)
    if found is not None:
        return found
    doc = read_document(xml)
    with _cache_lock:
        if len(_cache) > 128:
            _cache.clear()
        _cache[key] = doc
    return doc
