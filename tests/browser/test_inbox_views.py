"""The workspace in a real browser: tabs, the condition builder, saved views, bulk assignment and the
Excel export (docs/ui.md, "Inbox and views"). Screenshots of every step go to the screenshot folder."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from complaintdesk.savedviews.models import SavedView
from complaintdesk.tickets.actions import do_create_ticket
from complaintdesk.tickets.models import Ticket
from tests.browser.conftest import choose as _choose
from tests.browser.conftest import new_page
from tests.browser.test_workspace import ROWS, _after_login, _login, _shot, _wait_rows

pytestmark = pytest.mark.django_db(transaction=True)


def _query(page: Any) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def test_tabs_builder_view_bulk_and_export(org: Any, live_server: Any, browser: Any, screenshots: Path) -> None:
    from complaintdesk.workflows.actions import do_import_process, do_start_process
    from complaintdesk.workflows.tests import fixtures as F

    urgent = [do_create_ticket(actor=org.supervisor, subject=f"紧急投诉 {i}：电池鼓包", customer=org.vip, priority="P1",
                               channel="phone")[0] for i in range(3)]
    for i in range(4):
        do_create_ticket(actor=org.supervisor, subject=f"普通投诉 {i}：物流延误", customer=org.customer, priority="P3",
                         channel="web_form")
    xml = F.linear(("handle", "主管审核", {"assignee": {"type": "users", "users": ["supervisor"]}}), pid="review_flow")
    definition = do_import_process(key="review_flow", name="投诉审核流程", bpmn_xml=xml).definition
    do_start_process(urgent[0], definition=definition, actor=org.supervisor)

    page = new_page(browser, live_server, width=1366, height=768)
    _login(page, "supervisor")
    _after_login(page)
    _wait_rows(page, 7)

    # Tabs: my tasks shows the process by name and the step; back to all tickets.
    tabs = page.get_by_test_id("workspace-tabs")
    tabs.get_by_role("tab", name="我的待办").click()
    page.wait_for_url("**/inbox")
    process_cell = page.get_by_test_id("inbox-process").first
    process_cell.wait_for()
    assert process_cell.inner_text() == "投诉审核流程"
    assert "主管审核" in page.locator("[data-testid=inbox-table] tbody tr").first.inner_text()
    _shot(page, screenshots, "inbox-views-01-my-tasks")
    tabs.get_by_role("tab", name="团队待办").click()
    page.wait_for_url("**/inbox?box=team")
    page.get_by_test_id("workspace-tabs").get_by_role("tab", name="全部工单").click()
    page.wait_for_url("**/tickets")
    _wait_rows(page, 7)

    # The condition builder: priority is P1.
    page.get_by_test_id("advanced-filter").click()
    dialog = page.get_by_test_id("advanced-dialog")
    dialog.get_by_test_id("cond-add-rule").click()
    rule = dialog.get_by_test_id("cond-rule").first
    _choose(page, rule.get_by_test_id("cond-field"), "优先级")
    assert "等于" in rule.get_by_test_id("cond-op").inner_text()
    _choose(page, rule.get_by_test_id("cond-value"), "P1 紧急")
    _shot(page, screenshots, "inbox-views-02-builder")
    dialog.get_by_test_id("advanced-apply").click()
    page.wait_for_url("**/tickets?*cond=*")
    _wait_rows(page, 3)
    assert json.loads(_query(page)["cond"][0]) == {"all": [{"field": "priority", "op": "eq", "value": "P1"}]}

    # Save it as a view; the URL then names the view instead of the condition.
    page.get_by_test_id("view-save-as").click()
    editor = page.get_by_test_id("view-editor")
    editor.get_by_test_id("view-name").fill("VIP 紧急工单")
    assert editor.get_by_test_id("cond-rule").count() == 1  # the condition came along
    _shot(page, screenshots, "inbox-views-03-save-view")
    editor.get_by_test_id("view-save").click()
    page.wait_for_url("**/tickets?*view=*")
    view = SavedView.objects.get(name="VIP 紧急工单")
    assert view.owner_id == org.supervisor.pk
    assert view.condition == {"all": [{"field": "priority", "op": "eq", "value": "P1"}]}
    assert _query(page)["view"] == [str(view.pk)] and "cond" not in _query(page)
    _wait_rows(page, 3)

    # Reload: the view is still chosen and applied.
    page.reload()
    _wait_rows(page, 3)
    picker = page.get_by_test_id("view-picker")
    page.wait_for_function("document.querySelector('[data-testid=view-picker]').innerText.includes('VIP 紧急工单')")
    assert "VIP 紧急工单" in picker.inner_text()
    assert all("紧急投诉" in page.locator(ROWS).nth(i).inner_text() for i in range(3))
    _shot(page, screenshots, "inbox-views-04-view-after-reload")

    # Bulk: assign two of them to agent_a; the summary says 2 succeeded.
    page.locator(f"{ROWS} .el-table-column--selection .el-checkbox").nth(0).click()
    page.locator(f"{ROWS} .el-table-column--selection .el-checkbox").nth(1).click()
    bar = page.get_by_test_id("bulk-bar")
    assert "已选 2 张" in bar.inner_text()
    page.get_by_test_id("bulk-assign").click()
    bulk = page.get_by_test_id("bulk-dialog")
    _choose(page, bulk.get_by_test_id("bulk-assignee"), "Agent A")
    _shot(page, screenshots, "inbox-views-05-bulk-assign")
    bulk.get_by_test_id("bulk-run").click()
    summary = page.get_by_test_id("bulk-summary")
    summary.wait_for()
    assert "成功 2" in summary.inner_text() and "失败 0" in summary.inner_text()
    _shot(page, screenshots, "inbox-views-06-bulk-result")
    assert Ticket.objects.filter(pk__in=[t.pk for t in urgent], assignee=org.agent_a).count() == 2
    page.keyboard.press("Escape")
    page.get_by_test_id("bulk-result").wait_for(state="hidden")

    # Export the view to Excel and get the file.
    started = time.perf_counter()
    with page.expect_download() as info:
        page.get_by_test_id("export-button").click()
    download = info.value
    content = Path(download.path()).read_bytes()
    elapsed = time.perf_counter() - started
    assert download.suggested_filename.endswith(".xlsx") and content[:2] == b"PK"
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    numbers = {str(row[0]) for row in rows[1:] if row and row[0]}
    assert numbers == {t.number for t in urgent}  # the view's tickets, not the whole list
    page.get_by_test_id("export-done").wait_for()
    _shot(page, screenshots, "inbox-views-07-exported")
    print(json.dumps({"export_3_rows_seconds": round(elapsed, 2)}))
    assert page.console_errors == []


def test_phone_width_workspace(org: Any, live_server: Any, browser: Any, screenshots: Path) -> None:
    for i in range(3):
        do_create_ticket(actor=org.supervisor, subject=f"手机端投诉 {i}", customer=org.vip, priority="P2",
                         channel="wechat")
    page = new_page(browser, live_server, width=390, height=844)
    _login(page, "supervisor")
    _after_login(page)
    page.locator("[data-testid=ticket-cards] li.cd-ticket-row").nth(2).wait_for()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    _shot(page, screenshots, "inbox-views-08-phone")
    page.get_by_test_id("view-save-as").click()
    editor = page.get_by_test_id("view-editor")
    editor.wait_for()
    # The server's per-field message appears under the field (no name given).
    editor.get_by_test_id("view-save").click()
    editor.locator(".el-form-item__error", has_text="名称不能为空").wait_for()
    _shot(page, screenshots, "inbox-views-09-phone-editor")
    assert page.console_errors == []


RICH_CONDITION = {"all": [
    {"field": "status", "op": "in", "value": ["new", "accepted"]},
    {"any": [{"field": "customer.tier", "op": "eq", "value": "vip"},
             {"field": "assignee_id", "op": "in", "value": []},
             {"field": "category", "op": "in", "value": ["product_quality"]}]},
    {"not": {"field": "tags", "op": "contains", "value": "已核实"}},
    {"field": "created_at", "op": "within_last", "value": "30d"},
    {"field": "reopen_count", "op": "between", "value": [0, 3]},
    {"field": "created_at", "op": "after", "value": "2020-01-01"},
    {"field": "subject", "op": "any_keyword", "value": ["电池", "屏幕"]},
    {"field": "is_repeat", "op": "eq", "value": False},
]}


def test_builder_shows_every_kind_of_value_and_round_trips(org: Any, live_server: Any, browser: Any,
                                                           screenshots: Path) -> None:
    assignee_id = org.agent_a.pk
    condition = json.loads(json.dumps(RICH_CONDITION))
    condition["all"][1]["any"][1]["value"] = [assignee_id]
    do_create_ticket(actor=org.supervisor, subject="电池发热", customer=org.vip, priority="P1", channel="phone",
                     category=org.categories["product_quality"])
    page = new_page(browser, live_server, width=1366, height=768)
    _login(page, "supervisor")
    _after_login(page)
    page.get_by_test_id("advanced-filter").click()
    dialog = page.get_by_test_id("advanced-dialog")
    dialog.get_by_test_id("cond-raw-mode").click()
    dialog.get_by_test_id("cond-raw").fill(json.dumps(condition, ensure_ascii=False))
    dialog.get_by_text("可视化").click()
    assert dialog.get_by_test_id("cond-rule").count() == 10
    for shown in ("Agent A", "产品质量"):  # pickers show names, not ids or keys
        page.wait_for_function(f"document.querySelector('[data-testid=advanced-dialog]').innerText.includes('{shown}')")
    _shot(page, screenshots, "inbox-views-10-rich-condition")
    dialog.get_by_test_id("advanced-apply").click()
    page.wait_for_url("**/tickets?*cond=*")
    assert json.loads(_query(page)["cond"][0]) == condition  # what was typed is what the list sends
    _wait_rows(page, 1)
    assert page.console_errors == []
