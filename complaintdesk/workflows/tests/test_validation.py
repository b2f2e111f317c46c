"""Publish-time validation and the safe script engine: no Python ever runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from complaintdesk.core.errors import InvalidInput
from complaintdesk.workflows import actions as A
from complaintdesk.workflows import engine
from complaintdesk.workflows.models import ProcessVersion
from complaintdesk.workflows.tests import fixtures as F
from complaintdesk.workflows.validation import validate_process_xml

pytestmark = pytest.mark.django_db

EVIL = "__import__('os').system('touch {path}')"

BROKEN = F.process(
    F.start() + F.end()
    + '<bpmn:scriptTask id="script" name="脚本"><bpmn:script>import os</bpmn:script></bpmn:scriptTask>\n'
    + F.user_task("no_rule", "无处理人")
    + F.user_task("bad_rule", "坏规则", assignee={"type": "astrologer"}, multi={"mode": "most"},
                  deadline={"hours": -1, "onTimeout": "explode"}, ticketStatus="limbo")
    + F.gateway("gw")
    + F.timer("tm", "bad_rule", "'PT1H' + __import__('os').getcwd()")
    + F.flow("f1", "start", "script") + F.flow("f2", "script", "no_rule") + F.flow("f3", "no_rule", "bad_rule")
    + F.flow("f4", "bad_rule", "gw")
    + F.flow("py", "gw", "end", "__import__('os')")
    + F.flow("attr", "gw", "end", "={priority}.__class__")
    + F.flow("nocond", "gw", "end") + F.flow("ft", "tm", "end"),
    pid="broken",
)


def test_every_problem_at_once() -> None:
    problems = validate_process_xml(BROKEN)
    by_node: dict[str, list[str]] = {}
    for p in problems:
        by_node.setdefault(p["node"], []).append(p["message"])
    assert "scriptTask" in " ".join(by_node["script"])
    assert "cd:assignee" in " ".join(by_node["no_rule"])
    bad = " ".join(by_node["bad_rule"])
    for expected in ("astrologer", "cd:multi", "hours", "explode", "limbo"):
        assert expected in bad
    assert "ISO-8601" in " ".join(by_node["tm"])
    assert "JSON" in " ".join(by_node["py"])
    assert "unexpected character" in " ".join(by_node["attr"])
    assert "default flow" in " ".join(by_node["gw"])
    assert all(" / " in p["message"] for p in problems)  # bilingual


def test_publish_answers_422_with_problems(org: Any) -> None:
    definition = A.do_create_process(key="broken", name="坏流程", actor=org.admin)
    version = A.do_create_version(definition, bpmn_xml=BROKEN, actor=org.admin)
    with pytest.raises(InvalidInput) as err:
        A.do_publish_version(version, actor=org.admin)
    assert err.value.code == "invalid_process" and err.value.status_code == 422
    assert len(err.value.details["problems"]) >= 8
    version.refresh_from_db()
    assert version.status == "draft"


@pytest.mark.parametrize("xml, fragment", [
    ("not xml", "Malformed XML"),
    ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', ""),
    (F.process(F.start() + F.end() + '<bpmn:serviceTask id="svc"/>' + F.chain("start", "svc", "end")), "svc"),
    (F.process(F.start() + F.end() + '<bpmn:userTask id="loop"><bpmn:extensionElements><cd:assignee>'
               '{"type": "initiator"}</cd:assignee></bpmn:extensionElements><bpmn:standardLoopCharacteristics>'
               "<bpmn:loopCondition>__import__('os')</bpmn:loopCondition></bpmn:standardLoopCharacteristics>"
               "</bpmn:userTask>" + F.chain("start", "loop", "end")), "standardLoopCharacteristics"),
    (F.process(F.start() + F.end() + F.user_task("t", "x", assignee={"type": "initiator"},
                                                   fieldRights={"a": "sometimes"})
               + F.chain("start", "t", "end")), "fieldRights"),
])
def test_more_refusals(xml: str, fragment: str) -> None:
    problems = validate_process_xml(xml)
    assert problems
    assert fragment in " ".join(p["message"] + p["node"] for p in problems)


def test_complete_coverage_without_default_is_accepted() -> None:
    xml = F.process(
        F.start() + F.end() + F.end("e2") + F.gateway("gw")
        + F.user_task("t", "审核", assignee={"type": "initiator"})
        + F.chain("start", "t", "gw")
        + F.flow("a", "gw", "end", '{"field": "outcome", "op": "eq", "value": "approve"}')
        + F.flow("b", "gw", "e2", '{"not": {"field": "outcome", "op": "eq", "value": "approve"}}'))
    assert validate_process_xml(xml) == []
    xml_partial = xml.replace('{"not": {"field": "outcome", "op": "eq", "value": "approve"}}',
                              '{"field": "outcome", "op": "eq", "value": "reject"}')
    assert "cover" in " ".join(p["message"] for p in validate_process_xml(xml_partial))


def test_formula_and_json_conditions_route(org: Any, make_ticket: Any, publish: Any) -> None:
    xml = F.process(
        F.start() + F.end() + F.gateway("gw", default="other")
        + F.user_task("vip", "VIP", assignee={"type": "users", "users": ["supervisor"]})
        + F.user_task("normal", "普通", assignee={"type": "users", "users": ["handler"]})
        + F.flow("f0", "start", "gw")
        + F.flow("to_vip", "gw", "vip", '=OR({customer.tier}="vip", {amount} > 1000)')
        + F.flow("other", "gw", "normal") + F.flow("f1", "vip", "end") + F.flow("f2", "normal", "end"),
        pid="route")
    definition = publish(xml, key="route")
    route = {}
    for name, kwargs in {"vip": {"customer": org.vip}, "big": {"data": {"amount": 5000}}, "plain": {}}.items():
        instance = A.do_start_process(make_ticket(**kwargs), definition=definition, actor=org.agent_a)
        route[name] = instance.work_items.get().node_id
    assert route == {"vip": "vip", "big": "vip", "plain": "normal"}


def test_smuggled_python_cannot_run(org: Any, make_ticket: Any, publish: Any, tmp_path: Path) -> None:
    """A definition edited in the database past validation still never evaluates Python."""
    marker = tmp_path / "pwned"
    xml = F.process(
        F.start() + F.end() + F.end("e2") + F.gateway("gw", default="b")
        + F.flow("f0", "start", "gw") + F.flow("a", "gw", "end", '{"field": "priority", "op": "eq", "value": "P1"}')
        + F.flow("b", "gw", "e2"), pid="smuggle")
    definition = publish(xml, key="smuggle")
    version = ProcessVersion.objects.get(definition=definition)
    evil = xml.replace('{"field": "priority", "op": "eq", "value": "P1"}', EVIL.format(path=marker))
    ProcessVersion.objects.filter(pk=version.pk).update(bpmn_xml=evil, checksum="tampered")
    with pytest.raises(InvalidInput) as err:
        A.do_start_process(make_ticket(), definition=definition, actor=org.agent_a)
    assert err.value.code == "process_error"
    assert not marker.exists()
    # A smuggled script task is refused the same way.
    script = F.process(F.start() + F.end() + f'<bpmn:scriptTask id="s"><bpmn:script>{EVIL.format(path=marker)}'
                       "</bpmn:script></bpmn:scriptTask>" + F.chain("start", "s", "end"), pid="smuggle")
    ProcessVersion.objects.filter(pk=version.pk).update(bpmn_xml=script, checksum="tampered2")
    with pytest.raises(InvalidInput):
        A.do_start_process(make_ticket(), definition=definition, actor=org.agent_a)
    assert not marker.exists()


def test_safe_engine_directly(tmp_path: Path) -> None:
    marker = tmp_path / "x"
    eng = engine.SafeScriptEngine()

    class FakeTask:
        data: dict[str, Any] = {"outcome": "approve"}
        task_spec = None
        workflow = None
        id = "t"

    with pytest.raises(Exception):  # noqa: B017  (whatever Spiff wraps it in, it must raise)
        eng.evaluate(FakeTask(), EVIL.format(path=marker))
    with pytest.raises(engine.UnsafeExpression):
        engine.condition_from_text(EVIL.format(path=marker))
    with pytest.raises(Exception):  # noqa: B017
        eng.execute(FakeTask(), f"open('{marker}', 'w')")
    assert not marker.exists()
    with pytest.raises(engine.UnsafeExpression):  # Spiff paths that call the environment directly
        eng.environment.evaluate(EVIL.format(path=marker), {})
    assert not marker.exists()
    assert eng.evaluate(FakeTask(), '"PT8H"') == "PT8H"
    assert eng.evaluate(FakeTask(), '{"field": "outcome", "op": "eq", "value": "approve"}') is True
