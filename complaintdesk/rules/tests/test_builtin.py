"""The built-in action types and the shipped default rules."""

from __future__ import annotations

import pytest

from complaintdesk.accounts.actions import do_create_department, do_create_team, do_create_user, do_update_user
from complaintdesk.customers.actions import do_create_customer
from complaintdesk.rules.models import Rule, RuleRun
from complaintdesk.rules.registry import ACTION_TYPES
from complaintdesk.tickets.actions import do_update_ticket
from complaintdesk.tickets.models import Comment


def test_builtin_types_are_registered_with_labels():
    for name in ("set_fields", "set_category", "set_priority", "add_tags", "remove_tags", "assign",
                 "add_internal_note"):
        t = ACTION_TYPES[name]
        assert t.label and t.label_en and t.validate and t.describe and t.run


@pytest.mark.parametrize(("type_", "params", "problems"), [
    ("set_fields", {"fields": {"subject": "", "status": "closed", "data.bad key": 1, "urgency": "x"}}, 4),
    ("set_fields", {}, 1),
    ("set_category", {"category": ""}, 1),
    ("set_priority", {"priority": "P1", "raise": 1}, 1),
    ("set_priority", {"raise": 5}, 1),
    ("add_tags", {"tags": []}, 1),
    ("assign", {"to": "team"}, 1),
    ("assign", {"to": "user", "user": "a", "strategy": "round_robin"}, 1),
    ("assign", {"to": "team", "team": "x", "strategy": "nope", "fallback": "nope2"}, 2),
    ("assign", {"to": "mars"}, 1),
    ("add_internal_note", {"body": " "}, 1),
])
def test_validation_reports_problems(type_, params, problems):
    assert len(ACTION_TYPES[type_].validate(params)) == problems


@pytest.mark.usefixtures("no_shipped_rules")
def test_set_fields_sets_core_and_custom_fields(org, make_rule, make_ticket):
    make_rule(actions=[{"type": "set_fields", "params": {"fields": {"urgency": "high", "data.source": "rule"}}}])
    ticket = make_ticket(data={"keep": 1})
    assert ticket.urgency == "high" and ticket.data == {"keep": 1, "source": "rule"}


@pytest.mark.usefixtures("no_shipped_rules")
def test_remove_tags_and_internal_note(org, make_rule, make_ticket):
    make_rule(actions=[{"type": "remove_tags", "params": {"tags": ["待删"]}},
                       {"type": "add_internal_note", "params": {"body": "规则备注 {number}"}}])
    ticket = make_ticket(tags=["待删", "保留"])
    assert list(ticket.tags.values_list("name", flat=True)) == ["保留"]
    note = Comment.objects.get(ticket=ticket)
    assert not note.is_public and note.body == f"规则备注 {ticket.number}" and note.author is None


@pytest.mark.usefixtures("no_shipped_rules")
def test_assign_to_a_team_with_round_robin(org, make_rule, make_ticket):
    team = do_create_team(name="售后一组", actor=None)
    members = [do_create_user(username=f"m{i}", password="Test-passw0rd!", teams=[team], department=org.after_sales,
                              actor=None) for i in range(2)]
    make_rule(actions=[{"type": "assign", "params": {"to": "team", "team": "售后一组", "strategy": "round_robin"}}])
    tickets = [make_ticket() for _ in range(4)]
    assert [t.assignee for t in tickets] == [members[0], members[1], members[0], members[1]]
    assert all(t.team == team and t.department == org.after_sales for t in tickets)


@pytest.mark.usefixtures("no_shipped_rules")
def test_assign_with_fallback_and_nobody_available(org, make_rule, make_ticket):
    team = do_create_team(name="技能组", actor=None)
    member = do_create_user(username="s1", password="Test-passw0rd!", teams=[team], actor=None)
    make_rule(actions=[{"type": "assign", "params": {"to": "team", "team": team.pk, "strategy": "skill",
                                                     "fallback": "least_loaded"}}])
    assert make_ticket().assignee == member  # nobody skilled → least loaded
    do_update_user(member, actor=None, availability="away")
    ticket = make_ticket()
    assert ticket.assignee is None and ticket.team == team  # queued on the team
    run = RuleRun.objects.filter(ticket=ticket, matched=True).get()
    assert run.errors == [] and run.actions[0]["result"]["assignee_id"] is None


@pytest.mark.usefixtures("no_shipped_rules")
def test_assign_to_user_department_and_account_owner(org, make_rule, make_ticket):
    owner = do_create_user(username="owner", password="Test-passw0rd!", department=org.quality_dept, actor=None)
    customer = do_create_customer(name="赵六", phone="13600000000", actor=None)
    customer.account_owner = owner
    customer.save(update_fields=["account_owner"])
    make_rule(name="owner", order=1, condition={"field": "customer_id", "op": "is_not_empty"},
              stop_after=True, actions=[{"type": "assign", "params": {"to": "account_owner"}}])
    make_rule(name="dept", order=2, actions=[{"type": "assign", "params": {"to": "department",
                                                                           "department": "repair"}}])
    assert make_ticket(customer=customer).assignee == owner
    plain = make_ticket()
    assert plain.department == org.repair and plain.assignee is None
    make_rule(name="user", order=0, stop_after=True, condition={"field": "subject", "op": "contains", "value": "指定"},
              actions=[{"type": "assign", "params": {"to": "user", "user": "handler"}}])
    assert make_ticket(subject="指定处理人").assignee == org.handler


@pytest.mark.usefixtures("no_shipped_rules")
def test_assign_to_a_deactivated_user_is_a_run_error(org, make_rule, make_ticket):
    do_update_user(org.handler, actor=None, is_active=False)
    make_rule(actions=[{"type": "assign", "params": {"to": "user", "user": org.handler.pk}}])
    ticket = make_ticket()
    assert ticket.assignee is None
    assert "停用" in RuleRun.objects.get(ticket=ticket, matched=True).errors[0]


def test_shipped_rules_exist_and_are_editable_data(db):
    shipped = Rule.objects.filter(is_shipped=True).order_by("order")
    # 7 routing rules (rules 0002) + 3 process-start rules (rules 0003, disabled until enabled)
    assert shipped.count() == 10
    assert [r.enabled for r in shipped] == [True, True, True, True, True, False, False, False, False, False]
    assert [r.actions[0]["type"] for r in shipped][-3:] == ["start_process"] * 3
    assert all(r.versions.count() == 1 for r in shipped)


def test_shipped_keyword_routing(org, make_ticket):
    finance = do_create_department(name="财务部", actor=None)
    logistics = do_create_department(name="物流部", actor=None)
    assert make_ticket(subject="发票一直未开具").department == finance
    assert make_ticket(subject="物流信息一周未更新").department == logistics
    assert make_ticket(subject="快递显示签收但未收到").department == logistics
    # 售后维修 does not exist here: the run records the error, the ticket is still created.
    broken = make_ticket(subject="手机坏了")
    assert broken.department is None
    run = RuleRun.objects.get(ticket=broken, matched=True)
    assert "售后维修" in run.errors[0]
    # A ticket already routed at intake is left alone.
    assert make_ticket(subject="发票问题", department=org.quality_dept).department == org.quality_dept


def test_shipped_vip_and_social_rules(org, make_ticket):
    vip = make_ticket(customer=org.vip)
    assert vip.priority == "P2" and "VIP" in vip.tags.values_list("name", flat=True)
    both = make_ticket(customer=org.vip, channel="social", priority="P2")
    assert both.priority == "P1" and {"VIP", "舆情风险"} <= set(both.tags.values_list("name", flat=True))
    assert make_ticket(customer=org.customer).priority == "P3"


@pytest.mark.usefixtures("no_shipped_rules")
def test_set_category_with_an_unknown_key_is_a_run_error(org, make_rule, make_ticket, commits):
    rule = make_rule(events=["ticket.updated"], actions=[{"type": "set_category", "params": {"category": "nope"}}])
    ticket = make_ticket()
    with commits():
        do_update_ticket(ticket, actor=org.supervisor, subject="新主题")
    run = RuleRun.objects.get(rule=rule)
    assert run.matched and "nope" in run.errors[0]
