"""The agent workspace in a real browser: sign in, the ticket list, a ticket, language, notes.

State is built through actions (as every other test); the browser only does what a user does.
Each visited page leaves a screenshot in the screenshots directory (see conftest.py).
"""

from __future__ import annotations

import gzip
import time
from pathlib import Path
from typing import Any

import pytest

from complaintdesk.forms.actions import do_create_form, do_publish_draft, do_save_draft
from complaintdesk.tickets.actions import do_create_ticket
from complaintdesk.tickets.models import Comment, Ticket
from conftest import PASSWORD
from tests.browser.conftest import new_page

pytestmark = pytest.mark.django_db(transaction=True)

FORM_SCHEMA: dict[str, Any] = {
    "fields": [
        {"key": "kind", "type": "radio", "label": {"zh-CN": "诉求类型", "en": "Request type"},
         "options": [{"value": "refund", "label": {"zh-CN": "退款", "en": "Refund"}},
                     {"value": "repair", "label": {"zh-CN": "维修", "en": "Repair"}}]},
        {"key": "amount", "type": "money", "label": {"zh-CN": "涉及金额", "en": "Amount"}},
    ],
}


def _form_ticket(org: Any) -> Ticket:
    form = do_create_form(key="complaint", name="投诉登记", actor=org.admin)
    do_save_draft(form, schema=FORM_SCHEMA, actor=org.admin)
    version = do_publish_draft(form, actor=org.admin)
    ticket, _ = do_create_ticket(actor=org.agent_a, subject="手机屏幕碎裂要求退款", customer=org.vip,
                                 category=org.categories.get("product_quality"), priority="P1", channel="phone",
                                 assignee=org.agent_a, form_version=version,
                                 values={"kind": "refund", "amount": "2999.00"})
    return ticket


def _tickets(org: Any, count: int) -> list[Ticket]:
    priorities = ["P2", "P3", "P4", "P3"]
    return [do_create_ticket(actor=org.agent_a, subject=f"第 {i} 号投诉：物流延误", customer=org.customer,
                             priority=priorities[i % 4], channel="web_form", assignee=org.agent_a)[0]
            for i in range(count)]


def _login(page: Any, username: str, password: str = PASSWORD) -> None:
    page.goto("/")
    page.wait_for_url("**/login**")
    page.get_by_placeholder("用户名").fill(username)
    page.get_by_placeholder("密码").fill(password)
    page.get_by_test_id("login-submit").click()


def _after_login(page: Any, path: str = "/tickets") -> None:
    """Wait until signed in, then open ``path``: the home page depends on the role (report viewers land
    on the dashboard, agents on the ticket list)."""
    page.wait_for_url(lambda url: "/login" not in url)
    if not page.url.split("?")[0].endswith(path):
        page.goto(path)
    page.wait_for_url(f"**{path}")


ROWS = "[data-testid=ticket-table] .el-table__body-wrapper tbody tr.el-table__row"


def _rows(page: Any) -> Any:
    return page.locator(ROWS)


def _wait_rows(page: Any, count: int) -> None:
    page.wait_for_function(f"document.querySelectorAll('{ROWS}').length === {count}")


def _cards(page: Any) -> Any:
    return page.locator("[data-testid=ticket-cards] li.cd-ticket-row")


def _shot(page: Any, screenshots: Path, name: str) -> None:
    # After the loading masks have faded, so the picture shows what the user ends up seeing.
    page.wait_for_function("![...document.querySelectorAll('.el-loading-mask')].some(m => m.offsetParent !== null)")
    page.wait_for_function("""document.getAnimations().every(a => a.playState !== 'running'
        || a.effect?.getTiming().iterations === Infinity)""")  # drawers and fades; spinners loop forever
    page.screenshot(path=str(screenshots / f"{name}.png"), full_page=True)


def test_agent_signs_in_finds_a_ticket_and_adds_a_note(org: Any, live_server: Any, browser: Any,
                                                        screenshots: Path) -> None:
    _tickets(org, 24)
    ticket = _form_ticket(org)
    page = new_page(browser, live_server, width=1366, height=768)
    list_requests: list[str] = []
    page.on("request", lambda r: "/api/v1/tickets?" in r.url and list_requests.append(r.url))

    # A wrong password is refused with the server's message, in Chinese.
    _login(page, "agent_a", "wrong-password")
    error = page.get_by_test_id("login-error")
    error.wait_for()
    assert "用户名或密码错误" in error.inner_text() and "Wrong" not in error.inner_text()
    _shot(page, screenshots, "01-login-error")

    page.get_by_placeholder("密码").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url("**/tickets")
    _rows(page).first.wait_for()
    assert _rows(page).count() == 20  # the default page size; 25 tickets in all
    assert len(list_requests) == 1, list_requests
    assert page.get_by_test_id("ticket-total").inner_text() == "共 25 条"
    assert page.get_by_test_id("page-title").inner_text() == "工单列表"
    first = _rows(page).first
    assert ticket.number in first.inner_text()  # newest first
    assert first.locator("[data-priority=P1]").inner_text() == "P1 紧急"
    assert first.locator("[data-status=new]").inner_text() == "新建"
    _shot(page, screenshots, "02-ticket-list")

    # Server-side paging: page 2 holds the remaining five, and the URL keeps the page.
    page.locator(".el-pagination .el-pager li", has_text="2").click()
    page.wait_for_url("**/tickets?page=2")
    _wait_rows(page, 5)

    # Search by number finds exactly that ticket.
    page.get_by_test_id("ticket-search").fill(ticket.number)
    page.get_by_test_id("ticket-search-button").click()
    _wait_rows(page, 1)
    assert ticket.number in _rows(page).first.inner_text()

    # A search that matches nothing shows the empty state.
    page.get_by_test_id("ticket-search").fill("不存在的投诉XYZ")
    page.get_by_test_id("ticket-search-button").click()
    page.get_by_test_id("empty-state").wait_for()
    _shot(page, screenshots, "03-ticket-list-empty")

    # Open the ticket: header, form data labelled from its pinned form version, timeline.
    page.goto(f"/tickets/{ticket.pk}")
    page.get_by_test_id("ticket-number").wait_for()
    assert page.get_by_test_id("ticket-number").inner_text() == ticket.number
    header = page.get_by_test_id("ticket-header").inner_text()
    assert "手机屏幕碎裂要求退款" in header and "李四" in header and "VIP" in header
    page.get_by_test_id("timeline-items").wait_for()  # the timeline and form labels have arrived
    form_data = page.get_by_test_id("ticket-form-data")
    assert "诉求类型" in form_data.inner_text() and "退款" in form_data.inner_text()
    assert form_data.locator("[data-field=amount]").inner_text() == "¥2999.00"
    assert "创建工单" in page.get_by_test_id("timeline").inner_text()
    _shot(page, screenshots, "04-ticket-detail")

    # An internal note: posted, shown in the timeline as internal, stored as not public.
    page.get_by_test_id("reply-body").fill("已联系仓库核实库存，明天回电客户。")
    page.get_by_test_id("reply-send").click()
    comment = page.get_by_test_id("timeline-comment").first
    comment.wait_for()
    assert comment.inner_text() == "已联系仓库核实库存，明天回电客户。"
    assert "内部备注" in page.get_by_test_id("timeline").inner_text()
    stored = Comment.objects.get(ticket=ticket)
    assert stored.body == "已联系仓库核实库存，明天回电客户。" and stored.is_public is False
    assert stored.author_id == org.agent_a.pk
    _shot(page, screenshots, "05-ticket-internal-note")

    # An empty reply is not sent.
    page.get_by_test_id("reply-send").click()
    page.locator(".el-message--warning").wait_for()
    assert Comment.objects.filter(ticket=ticket).count() == 1

    # Switch to English: labels, form labels and enum names follow; the choice survives a reload.
    page.get_by_test_id("language-switch").click()
    page.get_by_test_id("lang-en").click()
    page.get_by_text("Request type").wait_for()
    assert "Refund" in page.get_by_test_id("ticket-form-data").inner_text()
    assert page.get_by_test_id("reply-box").get_by_text("Internal note").first.is_visible()
    assert page.locator("[data-status=new]").first.inner_text() == "New"
    page.reload()
    page.get_by_text("Request type").wait_for()
    assert page.evaluate("document.documentElement.lang") == "en"
    _shot(page, screenshots, "06-ticket-detail-en")

    # Sign out through the user menu; the app is closed again.
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()
    page.wait_for_url("**/login?bye=1")
    page.goto("/tickets")
    page.wait_for_url("**/login?next=/tickets")
    assert page.console_errors == []


def test_phone_viewport(org: Any, live_server: Any, browser: Any, screenshots: Path) -> None:
    _tickets(org, 3)
    ticket = _form_ticket(org)
    page = new_page(browser, live_server, width=390, height=844)
    _login(page, "agent_a")
    page.wait_for_url("**/tickets")
    _cards(page).first.wait_for()  # a card list instead of the wide table
    assert _cards(page).count() == 4
    assert ticket.number in _cards(page).first.inner_text()
    no_page_scroll = "document.documentElement.scrollWidth <= window.innerWidth"
    assert page.evaluate(no_page_scroll), "the list page scrolls sideways on a phone"
    _shot(page, screenshots, "07-phone-ticket-list")

    page.get_by_test_id("menu-toggle").click()  # the menu is a drawer on a phone
    page.locator(".cd-drawer").get_by_text("工单列表").wait_for()
    _shot(page, screenshots, "07b-phone-menu")
    page.keyboard.press("Escape")
    _cards(page).first.locator("a").click()
    page.wait_for_url(f"**/tickets/{ticket.pk}")
    page.get_by_test_id("ticket-number").wait_for()
    assert page.evaluate(no_page_scroll), "the ticket page scrolls sideways on a phone"
    page.get_by_test_id("reply-public").click()
    page.get_by_test_id("reply-body").fill("您好，退款已提交，预计 3 个工作日到账。")
    page.get_by_test_id("reply-send").click()
    page.get_by_test_id("timeline-comment").first.wait_for()
    assert Comment.objects.get(ticket=ticket).is_public is True
    assert "答复客户" in page.get_by_test_id("timeline").inner_text()
    _shot(page, screenshots, "08-phone-ticket-detail")
    assert page.console_errors == []


def test_list_of_fifty_rows_renders_quickly_and_errors_are_shown(org: Any, live_server: Any, browser: Any,
                                                                 screenshots: Path, capsys: Any) -> None:
    _tickets(org, 50)
    page = new_page(browser, live_server, width=1366, height=768)
    _login(page, "agent_a")
    page.wait_for_url("**/tickets")
    _rows(page).first.wait_for()

    # Measured from the route change to 50 rows in the DOM (API round trip included); reported,
    # not asserted (no timed assertions in this suite).
    page.evaluate("""() => { window.__t0 = performance.now(); history.pushState({}, '', '/tickets?size=50');
                             dispatchEvent(new PopStateEvent('popstate')) }""")
    _wait_rows(page, 50)
    elapsed_ms = page.evaluate("performance.now() - window.__t0")
    api_ms = page.evaluate("""performance.getEntriesByType('resource')
        .filter(e => e.name.includes('/api/v1/tickets?') && e.name.includes('page_size=50')).pop().duration""")
    started = time.monotonic()
    page.reload()
    _wait_rows(page, 50)
    reload_ms = (time.monotonic() - started) * 1000
    # Page weight: the JavaScript the list page loaded, gzip-compressed as a server would send it.
    scripts = page.evaluate("""performance.getEntriesByType('resource').map(e => new URL(e.name).pathname)
        .filter(p => p.startsWith('/static/app/') && p.endsWith('.js'))""")
    build = Path(__file__).resolve().parents[2] / "complaintdesk" / "static"
    js_gzip = sum(len(gzip.compress((build / p.removeprefix("/static/")).read_bytes())) for p in set(scripts))
    assert js_gzip < 1_000_000  # the budget for the initial load (a size, not a time)
    with capsys.disabled():
        print(f"\n[browser] ticket list loads {len(set(scripts))} JS files, {js_gzip / 1024:.0f} KiB gzipped")
        print(f"[browser] 50-row ticket list: {elapsed_ms:.0f} ms after navigation (API {api_ms:.0f} ms), "
              f"{reload_ms:.0f} ms full reload")
    _shot(page, screenshots, "09-ticket-list-50")

    # A ticket outside the viewer's reach: the page says so instead of showing a blank.
    page.goto("/tickets/999999")
    page.get_by_test_id("ticket-not-found").wait_for()
    _shot(page, screenshots, "10-ticket-not-found")

    # The session ends (signed out elsewhere): the next API call of the running app leads to the
    # login page, which says why and returns to where the user was.
    page.context.clear_cookies()
    page.get_by_test_id("nav-tickets").click()
    page.wait_for_url("**/login?next=/tickets&expired=1")
    page.get_by_text("登录已过期，请重新登录").wait_for()
    page.get_by_placeholder("用户名").fill("agent_a")
    page.get_by_placeholder("密码").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url("**/tickets")
    _rows(page).first.wait_for()
    # SPA paths get the app; file names and API paths do not.
    assert page.request.get(f"{live_server.url}/tickets/123/anything").headers["content-type"].startswith("text/html")
    assert page.request.get(f"{live_server.url}/favicon.ico").status == 404
    assert page.request.get(f"{live_server.url}/api/v1/nope").status == 404


def test_inbox_lists_my_work_items(org: Any, live_server: Any, browser: Any, screenshots: Path) -> None:
    from complaintdesk.workflows.actions import do_import_process, do_start_process
    from complaintdesk.workflows.tests import fixtures as F

    xml = F.linear(("handle", "处理投诉", {"assignee": {"type": "users", "users": ["agent_a"]}}), pid="inbox")
    definition = do_import_process(key="inbox", name="投诉处理流程", bpmn_xml=xml).definition
    ticket = _form_ticket(org)
    do_start_process(ticket, definition=definition, actor=org.agent_a)

    page = new_page(browser, live_server, width=1366, height=768)
    _login(page, "agent_a")
    page.wait_for_url("**/tickets")
    page.get_by_text("我的待办").first.click()
    page.wait_for_url("**/inbox")
    row = page.locator("[data-testid=inbox-table] tbody tr.el-table__row").first
    row.wait_for()
    text = row.inner_text()
    assert ticket.number in text and "处理投诉" in text and "已签收" in text
    _shot(page, screenshots, "11-inbox")

    page.get_by_role("tab", name="已办").click()
    page.wait_for_url("**/inbox?box=done")
    page.get_by_test_id("empty-state").wait_for()

    page.get_by_role("tab", name="我的待办").click()
    page.wait_for_url("**/inbox")
    row.click()
    page.wait_for_url(f"**/tickets/{ticket.pk}")
    page.get_by_test_id("ticket-number").wait_for()
    assert page.console_errors == []
