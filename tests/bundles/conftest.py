"""Helpers for the configuration bundle tests: a configuration built through actions, and
"an empty instance" = the database as migrations left it, reached by rolling back a savepoint."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from django.db import transaction

from complaintdesk.bundles.actions import do_export_bundle
from complaintdesk.bundles.format import MANIFEST, Bundle, load_yaml
from complaintdesk.core.errors import DomainError

SCRIPT_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="evil" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:scriptTask id="script" name="脚本"><bpmn:script>import os</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="script" />
    <bpmn:sequenceFlow id="f2" sourceRef="script" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


@contextmanager
def empty_instance_after() -> Iterator[None]:
    """Everything done inside is undone on exit (the instance is as migrations left it again)."""
    sid = transaction.savepoint()
    try:
        yield
    finally:
        transaction.savepoint_rollback(sid)
        from complaintdesk.accounts.models import User

        for user in User.objects.all():  # cached permission sets of users that were changed inside
            from complaintdesk.accounts.access import forget_access

            forget_access(user)


def files_without_time(bundle: Bundle) -> dict[str, bytes]:
    """The files with the manifest's ``created`` (the only part that differs between exports) removed."""
    out = dict(bundle.files)
    manifest = load_yaml(out[MANIFEST])
    manifest.pop("created", None)
    out[MANIFEST] = repr(manifest).encode()
    return out


def build_configuration(org: Any) -> None:
    """A configuration that touches every kind and every kind of reference (ids inside JSON too)."""
    from complaintdesk.accounts.actions import do_create_department, do_create_role, do_create_team
    from complaintdesk.customers.actions import do_create_product, do_create_product_line
    from complaintdesk.forms.actions import do_create_form, do_publish_draft
    from complaintdesk.insights.actions import do_create_alert_rule
    from complaintdesk.notifications.actions import do_create_channel, do_create_rule, do_create_template
    from complaintdesk.rules.actions import do_create_rule as do_create_business_rule
    from complaintdesk.sla.actions import do_create_calendar, do_create_policy, do_set_calendar_day
    from complaintdesk.tickets.actions import do_create_category
    from complaintdesk.workflows.actions import do_import_process

    admin = org.admin
    hq = do_create_department(name="华东大区", code="east", actor=admin)
    nameless = do_create_department(name="上海门店", parent=hq, actor=admin)  # no code: keyed by its name path
    team = do_create_team(name="华东一组", department=nameless, actor=admin)
    parent = do_create_category(key="bt-parent", name="测试大类", name_en="Test group", actor=admin)
    child = do_create_category(key="bt-child", name="测试子类", parent=parent, sort_order=5, actor=admin)
    line = do_create_product_line(name="测试产品线", code="TPL", actor=admin)
    do_create_product(sku="BT-001", name="测试产品", line=line, actor=admin)
    do_create_role(key="bt-viewer", name="只读", name_en="Viewer", permissions=["ticket.view"], data_scope="all",
                   actor=admin)
    calendar = do_create_calendar(actor=admin, key="bt-cal", name="测试日历", seed_statutory=False,
                                  working_hours={"0": [["08:00", "17:00"]], "1": [["08:00", "17:00"]]})
    do_set_calendar_day(calendar, actor=admin, day=date(2027, 10, 1), kind="holiday", name="国庆节")
    do_set_calendar_day(calendar, actor=admin, day=date(2027, 9, 26), kind="workday", name="调休")
    policy = do_create_policy(
        actor=admin, name="测试策略", calendar=calendar, order=5,
        condition={"all": [{"field": "department_id", "op": "in", "value": [hq.pk, nameless.pk]},
                           {"field": "category", "op": "eq", "value": "bt-parent"}]},
        escalation=[{"level": 1, "after_minutes": 0, "to": "user", "user_id": org.supervisor.pk}])
    form = do_create_form(key="bt-form", name="测试表单", actor=admin, category=child, channels=["api"], schema={
        "fields": [{"key": "vin", "type": "text", "label": {"zh-CN": "车架号", "en": "VIN"}, "required": True}],
        "layout": []})
    do_publish_draft(form, actor=admin)
    from complaintdesk.workflows.models import ProcessDefinition

    bpmn = ProcessDefinition.objects.get(key="standard_complaint").versions.order_by("-version")[0].bpmn_xml
    # Ids inside the BPMN too: a gateway condition on a category id, a team and a calendar by id.
    bpmn = bpmn.replace('id="standard_complaint"', 'id="bt_process"', 1).replace(
        '{"field": "priority", "op": "eq", "value": "P1"}',
        f'{{"any": [{{"field": "priority", "op": "eq", "value": "P1"}}, '
        f'{{"field": "category_id", "op": "in", "value": [{child.pk}]}}]}}', 1).replace(
        '{"type": "role", "role": "agent", "within": "all"}', f'{{"type": "team", "team": {team.pk}}}', 1).replace(
        '{"hours": 2, "business": true, "onTimeout": "remind"}',
        f'{{"hours": 2, "business": true, "onTimeout": "remind", "calendar": {calendar.pk}}}', 1)
    assert str(child.pk) in bpmn and f'"team": {team.pk}' in bpmn
    do_import_process(key="bt-process", name="测试流程", bpmn_xml=bpmn, actor=admin)
    do_create_template(actor=admin, key="bt_note", body="工单 {{ ticket.number }}", subject="提醒",
                       event="ticket.created")
    channel = do_create_channel(actor=admin, name="测试邮件组", kind="email", config={"to": ["qa@example.com"]},
                                secrets={"password": "s3cret-never-exported"})
    do_create_rule(actor=admin, name="新工单邮件", event_pattern="ticket.created", channel_id=channel.pk,
                   template_key="bt_note")
    from complaintdesk.notifications.actions import do_create_webhook

    hook = do_create_webhook(actor=admin, name="测试回调", url="https://hooks.example.com/cd",
                             event_patterns=["ticket.*"], secret="whsec-never-exported")
    do_create_business_rule(actor=admin, body={
        "name": "测试规则", "events": ["ticket.created"], "order": 7,
        "condition": {"any": [{"field": "team_id", "op": "eq", "value": team.pk},
                              {"field": "category", "op": "in", "value": ["bt-child"]}]},
        "actions": [{"type": "assign", "params": {"to": "department", "department": hq.pk}},
                    {"type": "apply_sla", "params": {"policy": policy.pk}},
                    {"type": "notify", "params": {"user_ids": [org.supervisor.pk], "template_key": "bt_note",
                                                  "channel_id": channel.pk}},
                    {"type": "call_webhook", "params": {"webhook_id": hook.pk}}]})
    do_create_alert_rule(actor=admin, name="测试预警", grouping="category", threshold_blue=2, threshold_red=5,
                         owners=[org.quality], auto_improvement=True, improvement_department=hq,
                         scope={"field": "category_id", "op": "eq", "value": child.pk})


@pytest.fixture
def configured(org: Any) -> Callable[[], Bundle]:
    """Build the configuration, export it, and leave the instance empty again: returns the bundle."""
    def make() -> Bundle:
        with empty_instance_after():
            build_configuration(org)
            return do_export_bundle(actor=org.admin)
    return make


def raises_domain(fn: Callable[[], Any]) -> DomainError:
    try:
        fn()
    except DomainError as exc:
        return exc
    raise AssertionError("no DomainError")
