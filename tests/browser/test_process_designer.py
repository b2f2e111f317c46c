"""The process designer (/settings/processes), in a real browser.

An administrator opens the shipped ``standard_complaint`` process — the one new complaints start through the
shipped rule "其余投诉走标准流程" — inserts a countersign node after 受理 from the context pad, tries to publish
it without an assignee (the server's error is shown on that node), sets the assignee (two departments' heads),
会签 all, a deadline and field rights in our properties panel, and publishes. A NEW ticket then runs the new
version: the countersign node gives one work item per department head, and the process moves on to 分派 only
after both approved. The version diff and an old version opened read-only are checked too.
"""

from __future__ import annotations

import importlib
import time
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps

from complaintdesk.accounts.actions import do_update_department
from complaintdesk.forms.actions import do_create_form, do_publish_draft, do_save_draft
from complaintdesk.rules.actions import do_set_rule_enabled
from complaintdesk.rules.models import Rule
from complaintdesk.tickets.actions import do_create_ticket
from complaintdesk.workflows.actions import do_complete_work_item
from complaintdesk.workflows.bpmn import read_document
from complaintdesk.workflows.choices import OPEN_STATES, VersionStatus, WorkItemState
from complaintdesk.workflows.models import ProcessDefinition, ProcessInstance, WorkItem
from tests.browser.conftest import choose, new_page
from tests.browser.test_workspace import FORM_SCHEMA, _after_login, _login, _shot

pytestmark = pytest.mark.django_db(transaction=True)

STANDARD_RULE = "其余投诉走标准流程 / All other complaints take the standard process"


@pytest.fixture
def bound(org: Any) -> Any:
    """The shipped processes and process rules (a transactional test empties the tables after itself), with the
    standard rule enabled as an organisation does once it has its roles; department heads for the countersign;
    a published form whose fields the field-rights grid lists."""
    importlib.import_module("complaintdesk.workflows.migrations.0002_shipped_processes") \
        .publish_shipped_processes(django_apps, None)
    importlib.import_module("complaintdesk.rules.migrations.0003_process_rules").create(django_apps, None)
    do_set_rule_enabled(Rule.objects.get(name=STANDARD_RULE), actor=org.admin, enabled=True)
    do_update_department(org.after_sales, actor=None, manager=org.handler)
    do_update_department(org.quality_dept, actor=None, manager=org.quality)
    form = do_create_form(key="complaint", name="投诉登记", actor=org.admin)
    do_save_draft(form, schema=FORM_SCHEMA, actor=org.admin)
    return do_publish_draft(form, actor=org.admin)


def _pick(page: Any, select: Any, *options: str) -> None:
    """Open an Element Plus select (``select`` is the select itself) and click options by their text."""
    choose(page, select, *options)
    # Closed (faded out) before the next select opens.
    page.wait_for_function("![...document.querySelectorAll('.el-select-dropdown')].some(e => e.offsetParent !== null)")


def _shape(page: Any, element_id: str) -> Any:
    return page.locator(f"[data-testid=pd-canvas] .djs-element[data-element-id='{element_id}']")


def _input(locator: Any) -> Any:
    """The <input> of an Element Plus input: ElInput passes the test id to the input itself, others to a wrapper."""
    return locator if locator.evaluate("e => e.tagName") == "INPUT" else locator.locator("input").first


def _confirm(page: Any) -> None:
    page.locator(".el-message-box__btns .el-button--primary").click()


def test_countersign_node_designed_published_and_followed_by_new_tickets(
        org: Any, bound: Any, live_server: Any, browser: Any, screenshots: Path) -> None:
    page = new_page(browser, live_server, width=1366, height=768)
    _login(page, "admin")
    _after_login(page, "/settings/processes")
    page.get_by_test_id("pd-published-standard_complaint").wait_for()
    assert page.get_by_test_id("pd-published-standard_complaint").inner_text() == "v1"
    _shot(page, screenshots, "pd-01-list")

    # --- open the standard process; insert a user task after 受理 from the context pad ----------------
    page.get_by_test_id("pd-open-standard_complaint").click()
    _shape(page, "accept").wait_for()
    _shape(page, "accept").click()
    page.locator(".djs-context-pad .entry[data-action='cd-insert-task']").click()
    props = page.get_by_test_id("pd-properties")
    props.get_by_test_id("pd-prop-name").wait_for()
    assert props.get_by_test_id("pd-props-type").inner_text() == "用户任务"
    new_id = props.locator(".cd-pp-id").inner_text()
    assert new_id not in {"accept", "dispatch"}
    # The insertion is one undo step: undo removes the task and gives 受理 its flow to 分派 back; redo restores it.
    page.get_by_test_id("pd-undo").click()
    _shape(page, new_id).wait_for(state="detached")
    page.get_by_test_id("pd-redo").click()
    _shape(page, new_id).wait_for()
    assert page.get_by_test_id("pd-undo").is_enabled()
    _shape(page, new_id).click()
    props.get_by_test_id("pd-prop-name").wait_for()
    name = _input(props.get_by_test_id("pd-prop-name"))
    name.fill("质量会签")
    name.press("Tab")
    page.get_by_test_id("pd-dirty").wait_for()

    # --- publishing it without an assignee: the server's error, on that node ---------------------------------
    page.get_by_test_id("pd-publish").click()
    _confirm(page)
    page.get_by_test_id(f"pd-problem-{new_id}").wait_for()
    assert "cd:assignee" in page.get_by_test_id("pd-problems").inner_text()
    props.get_by_test_id("pd-props-problem").first.wait_for()
    assert "cd:assignee" in props.get_by_test_id("pd-props-problem").first.inner_text()
    assert "cd-problem" in (_shape(page, new_id).get_attribute("class") or "")
    definition = ProcessDefinition.objects.get(key="standard_complaint")
    assert definition.versions.get(version=2).status == VersionStatus.DRAFT  # saved, refused, v1 still published
    _shot(page, screenshots, "pd-02-validation-error")
    # The problem list selects its node: select another one, then come back through the list.
    _shape(page, "dispatch").click(position={"x": 90, "y": 70})  # its right edge: the context pad covers the left
    _input(props.get_by_test_id("pd-prop-name")).wait_for()
    assert props.locator(".cd-pp-id").inner_text() == "dispatch"
    page.get_by_test_id(f"pd-problem-{new_id}").click()
    page.wait_for_function(f"document.querySelector('.cd-pp-id')?.textContent === '{new_id}'")

    # --- the countersign in the properties panel, by keyboard-reachable controls --------------------------------
    assignee = props.get_by_test_id("pd-prop-assignee")
    _pick(page, assignee.get_by_test_id("rule-type"), "多个部门")
    _pick(page, assignee.get_by_test_id("rule-departments"), "售后部", "质量部")
    props.get_by_test_id("pd-prop-multi").get_by_text("会签（全部同意）").click()
    props.get_by_test_id("pd-deadline-on").click()
    hours = _input(props.get_by_test_id("pd-deadline-hours"))
    hours.fill("8")
    hours.press("Tab")
    _pick(page, props.get_by_test_id("pd-deadline-timeout"), "升级（抄送上级）")
    _pick(page, props.get_by_test_id("pd-prop-status"), "处理中")
    page.get_by_test_id("pd-prop-assignee").scroll_into_view_if_needed()
    _shot(page, screenshots, "pd-03-user-task")
    grid = props.get_by_test_id("pd-field-rights")
    grid.get_by_test_id("pd-right-amount").locator("[data-access=readonly]").click()
    grid.get_by_test_id("pd-right-kind").locator("[data-access=required]").click()
    grid.scroll_into_view_if_needed()
    _shot(page, screenshots, "pd-04-field-rights")

    # --- a gateway's outgoing flow: its condition in the condition builder ------------------------------------------
    # Found by name in the toolbar's element picker (no mouse on the canvas needed): it is selected and scrolled to.
    _pick(page, page.get_by_test_id("pd-find"), "P1 快速通道")
    props.get_by_test_id("pd-prop-condition").wait_for()
    assert props.get_by_test_id("pd-props-type").inner_text() == "连线"
    props.get_by_test_id("condition-builder").wait_for()  # the builder is a lazy chunk
    _shot(page, screenshots, "pd-05-gateway-condition")

    # --- publish: saved as v3 and published ------------------------------------------------------------------------
    page.get_by_test_id("pd-validate").click()
    page.get_by_test_id("pd-valid").wait_for()
    page.get_by_test_id("pd-publish").click()
    _confirm(page)
    page.get_by_test_id("pd-version").filter(has_text="v3 · 已发布").wait_for()
    assert page.get_by_test_id("pd-problems").count() == 0
    published = definition.versions.get(status=VersionStatus.PUBLISHED)
    assert published.version == 3
    node = read_document(published.bpmn_xml).nodes[new_id]
    assert node.name == "质量会签"
    assert node.props == {
        "assignee": {"type": "departments", "departments": ["售后部", "质量部"]}, "multi": {"mode": "all"},
        "fieldRights": {"amount": "readonly", "kind": "required"},
        "deadline": {"hours": 8, "business": True, "onTimeout": "escalate"}, "ticketStatus": "in_progress",
    }
    doc = read_document(published.bpmn_xml)
    assert doc.flows[doc.nodes["accept"].outgoing[0]].target == new_id
    assert [doc.flows[f].target for f in node.outgoing] == ["dispatch"]
    # Everything else round-tripped: the other nodes' properties and the gateway conditions are unchanged.
    before = read_document(definition.versions.get(version=1).bpmn_xml)
    for other in before.nodes.values():
        assert doc.nodes[other.id].props == other.props, other.id
    assert doc.flows["Flow_fast"].condition == before.flows["Flow_fast"].condition

    # --- the version diff, and v1 read-only -------------------------------------------------------------------------
    page.get_by_test_id("pd-versions").click()
    drawer = page.get_by_test_id("pd-versions-drawer")
    drawer.get_by_test_id("pd-version-table").wait_for()
    _pick(page, drawer.get_by_test_id("pd-diff-from"), "v1")
    _pick(page, drawer.get_by_test_id("pd-diff-to"), "v3")
    drawer.get_by_test_id("pd-diff").click()
    table = page.get_by_test_id("pd-diff-table")
    table.wait_for()
    text = table.inner_text()
    assert new_id in text and "质量会签" in text and "cd:multi" in text
    assert table.locator("[data-change=added]").count() >= 2  # the node and its new flow
    assert table.locator("[data-change=changed]").count() >= 1  # Flow_accept now starts at the new node
    _shot(page, screenshots, "pd-06-version-diff")
    page.keyboard.press("Escape")
    drawer.get_by_test_id("pd-open-v1").click()
    page.get_by_test_id("pd-readonly").wait_for()
    page.locator("[data-testid=process-diagram] .djs-element[data-element-id='review']").click()
    props.get_by_test_id("pd-prop-assignee").wait_for()
    assert _input(props.get_by_test_id("pd-prop-name")).is_disabled()
    _shot(page, screenshots, "pd-07-read-only")
    # Flows too, through the element picker: the gateway condition, disabled.
    _pick(page, page.get_by_test_id("pd-find"), "P1 快速通道")
    props.get_by_test_id("condition-builder").wait_for()
    assert props.get_by_test_id("pd-prop-condition").locator("input").first.is_disabled()  # in a disabled fieldset
    page.get_by_test_id("pd-edit-latest").click()
    _shape(page, new_id).wait_for()
    page.get_by_test_id("pd-version").filter(has_text="v3 · 已发布").wait_for()
    assert page.console_errors == []

    # --- a NEW ticket runs v3: one work item per department head, moving on only after both approved ----------------
    ticket, _ = do_create_ticket(actor=org.agent_a, subject="电池鼓包需要质量与售后会签", customer=org.customer,
                                 priority="P2", channel="phone", department=org.after_sales, form_version=bound,
                                 values={"kind": "refund", "amount": "199.00"})
    deadline = time.monotonic() + 10
    while not ProcessInstance.objects.filter(ticket=ticket).exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    instance = ProcessInstance.objects.get(ticket=ticket)
    assert instance.version.version == 3
    accept = WorkItem.objects.get(instance=instance, node_id="accept")
    do_complete_work_item(accept, actor=org.agent_a, outcome="approve")
    signs = list(WorkItem.objects.filter(instance=instance, node_id=new_id).order_by("id"))
    assert {(i.assignee, i.department) for i in signs} == {(org.handler, org.after_sales),
                                                           (org.quality, org.quality_dept)}
    assert all(i.due_at is not None and i.state in (WorkItemState.READY, WorkItemState.CLAIMED) for i in signs)
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"
    first, second = signs
    do_complete_work_item(first, actor=first.assignee, outcome="approve")
    assert not WorkItem.objects.filter(instance=instance, node_id="dispatch").exists()
    second.refresh_from_db()
    assert second.state in (WorkItemState.READY, WorkItemState.CLAIMED)
    do_complete_work_item(second, actor=second.assignee, outcome="approve")
    assert WorkItem.objects.filter(instance=instance, node_id="dispatch", state__in=OPEN_STATES).count() == 1
    history = list(WorkItem.objects.filter(instance=instance).order_by("id").values_list("node_id", "state", "outcome"))
    assert history[:3] == [("accept", "completed", "approve"), (new_id, "completed", "approve"),
                           (new_id, "completed", "approve")]
    assert history[3][0] == "dispatch"

    # The list counts the running ticket on v3.
    page.goto("/settings/processes")
    page.get_by_test_id("pd-running-standard_complaint-v3").wait_for()
    assert "1" in page.get_by_test_id("pd-running-standard_complaint-v3").inner_text()
    _shot(page, screenshots, "pd-10-list-running")


def test_copy_a_process_and_the_phone_layout(org: Any, bound: Any, live_server: Any, browser: Any,
                                             screenshots: Path) -> None:
    page = new_page(browser, live_server, width=390, height=844)
    _login(page, "admin")
    _after_login(page, "/settings/processes")
    page.get_by_test_id("pd-copy-quality_countersign").click()
    dialog = page.get_by_test_id("pd-create-dialog")
    _input(dialog.get_by_test_id("pd-create-key")).fill("my_countersign")
    _input(dialog.get_by_test_id("pd-create-name")).fill("我们的会签")
    dialog.get_by_test_id("pd-create-submit").click()
    page.wait_for_url("**/settings/processes?key=my_countersign")
    _shape(page, "countersign").wait_for()
    _shot(page, screenshots, "pd-08-phone-canvas")
    _shape(page, "countersign").click()
    props = page.get_by_test_id("pd-properties")
    props.get_by_test_id("pd-prop-assignee").wait_for()
    assert props.get_by_test_id("pd-prop-multi").locator("label.is-checked").inner_text() == "会签（全部同意）"
    props.scroll_into_view_if_needed()
    _shot(page, screenshots, "pd-09-phone-properties")
    version = ProcessDefinition.objects.get(key="my_countersign").versions.get()
    assert version.status == VersionStatus.DRAFT
    doc = read_document(version.bpmn_xml)
    original = read_document(ProcessDefinition.objects.get(key="quality_countersign").versions.get().bpmn_xml)
    assert doc.process_id == "my_countersign"
    assert {n.id: n.props for n in doc.nodes.values()} == {n.id: n.props for n in original.nodes.values()}
    # The copy publishes as it is.
    page.get_by_test_id("pd-publish").click()
    _confirm(page)
    page.get_by_test_id("pd-version").filter(has_text="v1 · 已发布").wait_for()
    assert page.console_errors == []
