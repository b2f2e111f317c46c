"""Handling a complaint on the ticket detail page, in a real browser, through the shipped
``standard_complaint`` process: 受理 → 分派 → 处理 (转交 to a colleague) → 审核 (退回 to 处理) → 处理 →
审核 → 答复客户 → 回访 → 关闭. Every step is a click in the UI by the person the process asks for
(each in a browser context of their own); the database only confirms what the page said.
"""

from __future__ import annotations

import base64
import importlib
import time
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps

from complaintdesk.accounts.actions import do_create_user, do_update_department
from complaintdesk.accounts.models import Role
from complaintdesk.tickets.actions import do_create_ticket
from complaintdesk.tickets.models import Attachment, Ticket, TicketEvent
from complaintdesk.workflows.models import WorkItem
from conftest import PASSWORD
from tests.browser.conftest import new_page
from tests.browser.test_workspace import _login, _shot

pytestmark = pytest.mark.django_db(transaction=True)

# A 1×1 PNG, uploaded as a photo of the damage.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGA"
                       "hKmMIQAAAABJRU5ErkJggg==")


@pytest.fixture
def shipped() -> None:
    """A transactional test empties the tables after itself: publish the shipped processes again."""
    module = importlib.import_module("complaintdesk.workflows.migrations.0002_shipped_processes")
    module.publish_shipped_processes(django_apps, None)


@pytest.fixture
def people(org: Any) -> dict[str, Any]:
    """The after-sales department's head (审核) and a second handler to transfer to."""
    role = Role.objects.get(key="handler")
    head = do_create_user(username="as_head", password=PASSWORD, display_name="售后经理", department=org.after_sales,
                          roles=[role], actor=None)
    colleague = do_create_user(username="handler_b", password=PASSWORD, display_name="王工",
                               department=org.after_sales, roles=[role], actor=None)
    do_update_department(org.after_sales, actor=None, manager=head)
    return {"head": head, "colleague": colleague}


class Person:
    """One user's browser context, signed in, on the ticket's page."""

    def __init__(self, browser: Any, live_server: Any, username: str, ticket: Ticket, *, width: int = 1366,
                 height: int = 768) -> None:
        self.page = new_page(browser, live_server, width=width, height=height)
        self.ticket = ticket
        _login(self.page, username)
        # Not "**/tickets": the sign-in page's own address (/login?next=/tickets) matches that too.
        self.page.wait_for_url(lambda url: "/login" not in url)
        self.open()

    def open(self) -> None:
        self.page.goto(f"/tickets/{self.ticket.pk}")
        self.page.get_by_test_id("ticket-number").wait_for()
        self.page.get_by_test_id("process-panel").wait_for()

    def action(self, node: str) -> Any:
        item = self.page.locator(f"[data-testid=action-item][data-node={node}]")
        item.wait_for()
        return item

    def submit_dialog(self, comment: str | None = None) -> None:
        dialog = self.page.get_by_test_id("action-dialog")
        dialog.wait_for()
        if comment is not None:
            dialog.get_by_test_id("action-comment").fill(comment)
        dialog.get_by_test_id("action-submit").click()
        dialog.wait_for(state="hidden")

    def complete(self, node: str, outcome: str, comment: str) -> None:
        self.action(node).get_by_test_id(f"outcome-{outcome}").click()
        self.submit_dialog(comment)
        self.action_gone(node)

    def action_gone(self, node: str) -> None:
        self.page.locator(f"[data-testid=action-item][data-node={node}]").wait_for(state="detached")

    def marker(self, node: str, state: str) -> None:
        """The diagram shows ``node`` in ``state`` (bpmn-js shape carrying our marker class)."""
        self.page.locator(f".djs-element.cd-node-{state}[data-element-id={node}]").wait_for()

    def timeline_has(self, event_type: str) -> Any:
        item = self.page.locator(f"[data-testid=timeline-items] [data-type={event_type}]").first
        item.wait_for()
        return item

    def close(self) -> None:
        assert self.page.console_errors == [], self.page.console_errors
        self.page.context.close()


def _open_item(ticket: Ticket, node: str) -> WorkItem:
    return WorkItem.objects.get(ticket=ticket, node_id=node, kind="task", state__in=["ready", "claimed"])


def test_agent_handles_a_complaint_through_the_standard_process(org: Any, people: dict[str, Any], shipped: None,
                                                                 live_server: Any, browser: Any,
                                                                 screenshots: Path) -> None:
    do_create_ticket(actor=org.agent_a, subject="上月投诉：快递延误", customer=org.customer, channel="phone")
    ticket, _ = do_create_ticket(actor=org.agent_a, subject="X1 手机开机后屏幕闪烁，要求换货", customer=org.customer,
                                 description="买了一周就出现问题。", channel="phone", priority="P3",
                                 department=org.after_sales, category=org.categories.get("product_quality"))
    shot = 0

    def snap(page: Any, name: str) -> None:
        nonlocal shot
        shot += 1
        _shot(page, screenshots, f"handling-{shot:02d}-{name}")
        # The page scrolls inside the layout, so the process panel and the timeline get pictures of their own.
        for part in ("process-panel", "timeline"):
            section = page.get_by_test_id(part)
            if section.is_visible():
                section.screenshot(path=str(screenshots / f"handling-{shot:02d}-{name}-{part}.png"))

    # --- the agent finds the ticket by number and starts the process ----------------------------------
    agent = Person(browser, live_server, "agent_a", ticket)
    page = agent.page
    js_on_list: list[str] = []
    page.on("request", lambda r: r.url.endswith(".js") and js_on_list.append(r.url))
    page.goto("/inbox")
    page.get_by_test_id("page-title").wait_for()
    page.goto("/tickets")
    page.get_by_test_id("ticket-search").fill(ticket.number)
    page.get_by_test_id("ticket-search-button").click()
    page.wait_for_function("document.querySelectorAll('[data-testid=ticket-table] tbody tr.el-table__row')"
                           ".length === 1")
    # bpmn-js is not in the inbox's or the list's code (a full load of each page above).
    assert js_on_list and not [u for u in js_on_list if "NavigatedViewer" in u or "ProcessDiagram" in u], js_on_list
    page.locator("[data-testid=ticket-table] tbody tr.el-table__row").first.click()
    page.wait_for_url(f"**/tickets/{ticket.pk}")
    page.get_by_test_id("process-none").wait_for()
    header = page.get_by_test_id("ticket-header")
    assert ticket.number in header.inner_text()
    assert page.get_by_test_id("customer-history").inner_text() == "历史投诉 2 件"
    assert page.get_by_test_id("ticket-status").inner_text() == "新建"

    # A photo of the fault, uploaded from the attachments panel, previews in place and on the timeline.
    png = screenshots / "fault.png"
    png.write_bytes(PNG)
    page.get_by_test_id("attach-input").set_input_files(str(png))
    page.get_by_test_id("attachment-image").wait_for()
    agent.timeline_has("attachment_added").locator("img").wait_for()
    assert Attachment.objects.filter(ticket=ticket, name="fault.png").count() == 1

    page.get_by_test_id("process-start").click()
    page.get_by_test_id("process-pick").wait_for()
    assert "标准投诉处理" in page.get_by_test_id("process-pick").inner_text()
    page.get_by_test_id("process-start-submit").click()
    agent.marker("accept", "active")
    assert page.get_by_test_id("current-nodes").inner_text().split() == ["当前节点", "受理"]
    agent.timeline_has("process_started")
    snap(page, "process-started")

    # 受理: the agent accepts (the pool item is completed directly).
    agent.complete("accept", "approve", "已核实客户信息，受理。")
    agent.marker("accept", "done")
    agent.marker("dispatch", "active")
    page.get_by_test_id("ticket-status").filter(has_text="已受理").wait_for()
    snap(page, "accepted")
    # A figure, not a check: a full reload of the page until the diagram shows the active node.
    started = time.perf_counter()
    page.reload()
    agent.marker("dispatch", "active")
    print(f"\nticket detail reload to coloured diagram: {(time.perf_counter() - started) * 1000:.0f} ms")

    # --- 分派: the supervisor (the ticket already names 售后部) ------------------------------------------
    supervisor = Person(browser, live_server, "supervisor", ticket)
    supervisor.complete("dispatch", "approve", "派往售后部处理。")
    supervisor.marker("handle", "active")
    supervisor.page.get_by_test_id("ticket-status").filter(has_text="处理中").wait_for()
    supervisor.close()

    # --- 处理: the handler claims it, then transfers it (转交) to a colleague --------------------------------
    handler = Person(browser, live_server, "handler", ticket)
    hp = handler.page
    handler.action("handle").get_by_test_id("op-claim").click()
    handler.action("handle").locator("text=已签收").wait_for()
    handler.action("handle").get_by_test_id("op-transfer").click()
    dialog = hp.get_by_test_id("action-dialog")
    dialog.wait_for()
    dialog.get_by_test_id("action-submit").click()  # nobody chosen yet: refused on the page
    dialog.locator(".el-form-item__error", has_text="请选择人员").wait_for()
    dialog.get_by_test_id("user-picker").click()
    hp.keyboard.type("handler_b")
    hp.locator(".el-select-dropdown__item:visible", has_text="王工").click()
    snap(hp, "transfer-dialog")
    handler.submit_dialog("我在外勤，转王工处理。")
    handler.timeline_has("task_transferred")
    assert "王工" in handler.timeline_has("task_transferred").inner_text()
    snap(hp, "transferred")
    handler.close()
    assert _open_item(ticket, "handle").assignee == people["colleague"]

    colleague = Person(browser, live_server, "handler_b", ticket)
    colleague.complete("handle", "approve", "已更换新机，客户确认问题解决。")
    colleague.marker("review", "active")

    # --- 审核: the department head returns it (退回) to 处理 with a reason --------------------------------
    head = Person(browser, live_server, "as_head", ticket)
    hd = head.page
    head.action("review").get_by_test_id("op-return").click()
    dialog = hd.get_by_test_id("action-dialog")
    dialog.wait_for()
    dialog.get_by_test_id("action-submit").click()  # the reason is required
    dialog.locator(".el-form-item__error", has_text="请填写原因").wait_for()
    dialog.get_by_test_id("return-target").locator("label", has_text="处理").click()
    snap(hd, "return-dialog")
    head.submit_dialog("请补充换机单号和检测报告。")
    head.marker("handle", "active")
    returned = head.timeline_has("task_returned")
    assert "请补充换机单号和检测报告。" in returned.inner_text() and "处理" in returned.inner_text()
    snap(hd, "returned")

    colleague.open()
    colleague.marker("handle", "active")
    colleague.complete("handle", "approve", "换机单号 HX-20261123，检测报告已上传。")
    colleague.close()

    head.open()
    head.complete("review", "approve", "同意。")
    head.close()

    # --- 答复客户 and 回访: back to the agent who accepted it ----------------------------------------------
    agent.open()
    agent.complete("reply", "approve", "已电话告知客户处理结果。")
    agent.page.get_by_test_id("ticket-status").filter(has_text="已解决").wait_for()
    # 回访 offers the node's own outcomes; "unsatisfied" would need a comment.
    follow = agent.action("follow_up")
    follow.get_by_test_id("outcome-unsatisfied").wait_for()
    assert follow.get_by_test_id("outcome-approve").count() == 0
    agent.complete("follow_up", "satisfied", "客户表示满意。")
    agent.page.get_by_test_id("ticket-status").filter(has_text="已关闭").wait_for()
    assert page.get_by_test_id("process-status").get_attribute("data-status") == "completed"
    for node in ("accept", "dispatch", "handle", "review", "reply", "follow_up"):
        agent.marker(node, "done")
    assert page.get_by_test_id("node-actions").count() == 0
    assert page.get_by_test_id("current-nodes").count() == 0
    snap(page, "closed")

    # The node's history in the drawer: the transfer, the two rounds of 处理 and who did them.
    page.locator(".djs-element[data-element-id=handle]").click()
    drawer = page.get_by_test_id("node-drawer")
    drawer.wait_for()
    entries = drawer.get_by_test_id("node-entry")
    assert entries.count() == 3
    text = drawer.inner_text()
    assert "已转交" in text and "王工" in text and "换机单号 HX-20261123" in text
    snap(page, "node-history")
    page.keyboard.press("Escape")
    drawer.wait_for(state="hidden")

    timeline = page.get_by_test_id("timeline-items").inner_text()
    for words in ("流程启动", "转交", "退回", "办理", "流程结束", "客户表示满意。"):
        assert words in timeline, words
    agent.close()

    ticket.refresh_from_db()
    assert ticket.status == "closed"
    types = list(TicketEvent.objects.filter(ticket=ticket).values_list("type", flat=True))
    assert types.count("task_transferred") == 1 and types.count("task_returned") == 1
    assert "process_completed" in types

    # --- on a phone: the history table instead of the diagram, no sideways scrolling --------------------
    phone = Person(browser, live_server, "agent_a", ticket, width=390, height=844)
    pp = phone.page
    history = pp.get_by_test_id("process-history")
    history.wait_for()
    assert "王工" in history.inner_text() and "已退回" in history.inner_text()  # who handled each node, and the return
    assert pp.locator(".cd-diagram").count() == 0  # the diagram chunk is not even loaded on a phone
    assert pp.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    snap(pp, "phone")
    phone.close()


def test_linking_and_merging_tickets(org: Any, live_server: Any, browser: Any, screenshots: Path) -> None:
    master, _ = do_create_ticket(actor=org.agent_a, subject="屏幕闪烁（首次来电）", customer=org.customer,
                                 channel="phone")
    other, _ = do_create_ticket(actor=org.agent_a, subject="同批次手机发热", customer=org.vip, channel="web_form")
    duplicate, _ = do_create_ticket(actor=org.agent_a, subject="屏幕闪烁（再次来电）", customer=org.customer,
                                    channel="phone")
    person = Person(browser, live_server, "agent_a", duplicate)
    page = person.page
    links = page.get_by_test_id("links")
    links.get_by_text("暂无关联工单").wait_for()
    page.get_by_test_id("process-none").wait_for()

    # Link to an unknown number: said in words; then to the other ticket as related.
    links.get_by_test_id("link-add").click()
    page.get_by_test_id("link-number").fill("TS000000000")
    page.get_by_test_id("link-submit").click()
    page.get_by_test_id("link-error").filter(has_text="找不到工单 TS000000000").wait_for()
    page.get_by_test_id("link-number").fill(other.number)
    page.get_by_test_id("link-submit").click()
    links.get_by_test_id("link-row").filter(has_text=other.number).wait_for()
    person.timeline_has("linked")
    _shot(page, screenshots, "links-01-linked")

    # Unlink (confirmed).
    links.get_by_test_id("link-row").get_by_text("取消关联").click()
    page.locator(".el-message-box").get_by_role("button", name="确定").click()
    links.get_by_text("暂无关联工单").wait_for()

    # Merge into the master (confirmed): the page moves to the master; the duplicate says where it went.
    links.get_by_test_id("link-merge").click()
    page.get_by_test_id("link-number").fill(master.number)
    page.get_by_test_id("link-submit").click()
    box = page.locator(".el-message-box")
    assert master.number in box.inner_text() and duplicate.number in box.inner_text()
    box.get_by_role("button", name="确定").click()
    page.wait_for_url(f"**/tickets/{master.pk}")
    page.get_by_test_id("ticket-number").filter(has_text=master.number).wait_for()
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == master.pk
    page.goto(f"/tickets/{duplicate.pk}")
    page.get_by_test_id("merged-into").filter(has_text=master.number).wait_for()
    assert page.get_by_test_id("process-start").count() == 0  # a merged (closed) ticket gets no process
    assert page.get_by_test_id("link-merge").count() == 0
    _shot(page, screenshots, "links-02-merged")

    # The same page in English.
    page.evaluate("window.localStorage.setItem('cd.locale', 'en')")
    page.reload()
    page.get_by_test_id("merged-banner").filter(has_text="This ticket was merged into").wait_for()
    assert page.get_by_test_id("process-none").inner_text() == "No process has been started on this ticket"
    assert "Linked tickets" in links.inner_text()
    assert page.get_by_test_id("customer-history").inner_text() == "2 complaints"
    _shot(page, screenshots, "links-03-english")
    person.close()


def test_withdraw_add_signer_cc_urge_and_terminate(org: Any, shipped: None, live_server: Any, browser: Any,
                                                   screenshots: Path) -> None:
    ticket, _ = do_create_ticket(actor=org.agent_a, subject="退款迟迟未到账", customer=org.vip, channel="wechat",
                                 department=org.after_sales)
    agent = Person(browser, live_server, "agent_a", ticket)
    page = agent.page

    # Started and withdrawn (撤回) by the initiator before anyone handled it; then started again.
    page.get_by_test_id("process-start").click()
    page.get_by_test_id("process-start-submit").click()
    agent.marker("accept", "active")
    page.get_by_test_id("op-withdraw").click()
    agent.submit_dialog("登记错了流程，撤回重走。")
    page.get_by_test_id("process-status").filter(has_text="已撤回").wait_for()
    agent.marker("accept", "cancelled")
    agent.timeline_has("process_withdrawn")
    page.get_by_test_id("process-start").click()
    page.get_by_test_id("process-start-submit").click()
    page.get_by_test_id("process-status").filter(has_text="进行中").wait_for()
    agent.marker("accept", "active")

    # Claim, then add a signer (加签) after me: agent_b signs once I approve.
    agent.action("accept").get_by_test_id("op-claim").click()
    agent.action("accept").get_by_test_id("op-add_signer").click()
    dialog = page.get_by_test_id("action-dialog")
    dialog.wait_for()
    dialog.get_by_test_id("user-picker").click()
    page.keyboard.type("agent_b")
    page.locator(".el-select-dropdown__item:visible", has_text="Agent B").click()
    agent.submit_dialog("请二组同事复核退款金额。")
    agent.timeline_has("task_signer_added")
    signer = WorkItem.objects.get(ticket=ticket, node_id="accept", assignee=org.agent_b)
    assert signer.state == "waiting" and signer.origin

    # Copy (抄送) the supervisor and the quality engineer.
    page.get_by_test_id("op-cc").click()
    dialog.wait_for()
    dialog.get_by_test_id("action-submit").click()
    dialog.locator(".el-form-item__error", has_text="请至少选择一人").wait_for()
    picker = dialog.get_by_test_id("user-picker")
    for name in ("supervisor", "quality"):
        picker.locator("input").fill(name)  # searched on the server as typed
        page.locator(".el-select-dropdown__item:visible", has_text=name.title()).click()
        picker.locator(".el-tag", has_text=name.title()).wait_for()
    agent.submit_dialog("请知悉。")
    agent.timeline_has("task_cc")
    assert set(WorkItem.objects.filter(ticket=ticket, kind="cc").values_list("assignee__username", flat=True)) == {
        "supervisor", "quality"}
    _shot(page, screenshots, "ops-01-signer-and-cc")
    agent.close()

    # The supervisor urges (催办) the agent — on a phone.
    supervisor = Person(browser, live_server, "supervisor", ticket, width=390, height=844)
    sp = supervisor.page
    supervisor.action("accept").get_by_test_id("op-urge").click()
    sp.get_by_test_id("action-dialog").wait_for()
    _shot(sp, screenshots, "ops-02-phone-urge")
    supervisor.submit_dialog("客户是 VIP，请尽快受理。")
    supervisor.timeline_has("task_urged")
    assert sp.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    _shot(sp, screenshots, "ops-03-phone-urged")
    supervisor.close()

    # A process admin terminates it (reason required, confirmed); what was active shows as cancelled.
    admin = Person(browser, live_server, "admin", ticket)
    ap = admin.page
    ap.get_by_test_id("op-terminate").click()
    dialog = ap.get_by_test_id("action-dialog")
    dialog.wait_for()
    dialog.get_by_test_id("action-submit").click()
    dialog.locator(".el-form-item__error", has_text="请填写原因").wait_for()
    dialog.get_by_test_id("action-comment").fill("客户已撤诉。")
    dialog.get_by_test_id("action-submit").click()
    ap.locator(".el-message-box").get_by_role("button", name="确定").click()
    dialog.wait_for(state="hidden")
    ap.get_by_test_id("process-status").filter(has_text="已终止").wait_for()
    admin.marker("accept", "cancelled")
    assert "客户已撤诉。" in admin.timeline_has("process_terminated").inner_text()
    assert ap.get_by_test_id("node-actions").count() == 0
    _shot(ap, screenshots, "ops-04-terminated")
    admin.close()
