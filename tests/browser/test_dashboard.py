"""The live dashboard in a real browser: the cards show what the API answers for seeded data,
the charts draw on a canvas, the page refreshes itself (and not from a hidden tab), and it reads
well at 1366×768 and on a 390×844 phone. Errors are said in words.

The browser's clock is Playwright's (``page.clock``), so "30 seconds later" takes no time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from complaintdesk.tickets.actions import do_add_comment, do_create_ticket, do_transition_ticket
from complaintdesk.tickets.choices import TicketStatus
from tests.browser.conftest import new_page
from tests.browser.test_workspace import _login, _shot

pytestmark = pytest.mark.django_db(transaction=True)

OVERVIEW = "/api/v1/dashboard/overview"


def _seed(org: Any) -> None:
    """Twelve complaints over three channels and three categories; some answered, resolved, closed."""
    cats = [org.categories["product_quality"], org.categories["logistics"], None]
    channels = ["phone", "web_form", "phone", "wechat"]
    for i in range(12):
        ticket, _ = do_create_ticket(actor=org.agent_a, subject=f"第 {i} 号投诉", customer=org.customer,
                                     channel=channels[i % 4], category=cats[i % 3], assignee=org.agent_a,
                                     team=org.team_a)
        if i % 2 == 0:
            do_add_comment(ticket, actor=org.agent_a, body="您好，已收到，正在处理。", is_public=True)
        if i % 3 == 0:
            do_transition_ticket(ticket, actor=org.agent_a, to_status=TicketStatus.RESOLVED)
        if i % 6 == 0:
            do_transition_ticket(ticket, actor=org.agent_a, to_status=TicketStatus.CLOSED)


def _card(page: Any, key: str) -> str:
    return str(page.get_by_test_id(f"kpi-{key}").get_by_test_id("kpi-value").inner_text())


def _api(page: Any, live_server: Any, **params: Any) -> dict[str, Any]:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    response = page.request.get(f"{live_server.url}{OVERVIEW}?{query}")  # the page's own session
    assert response.ok, response.text()
    return dict(response.json())


def _whole(page: Any, screenshots: Path, name: str) -> None:
    """The page scrolls inside the layout's main area: grow the window to the dashboard's height
    for one picture of all of it, then put it back."""
    size = page.viewport_size
    height = page.evaluate("document.querySelector('[data-testid=dashboard]').scrollHeight") + 80
    page.set_viewport_size({"width": size["width"], "height": max(height, size["height"])})
    page.wait_for_timeout(300)  # the charts follow the resize (throttled)
    page.screenshot(path=str(screenshots / f"{name}.png"))
    page.set_viewport_size(size)


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.1f}%"


def test_dashboard_shows_the_apis_figures_and_refreshes(org: Any, live_server: Any, browser: Any,
                                                        screenshots: Path) -> None:
    _seed(org)
    page = new_page(browser, live_server, width=1366, height=768)
    page.clock.install()
    overview_calls: list[str] = []
    page.on("request", lambda r: OVERVIEW in r.url and overview_calls.append(r.url))
    scripts: list[str] = []
    page.on("request", lambda r: r.resource_type == "script" and scripts.append(r.url))

    # The supervisor watches the numbers: "/" is the dashboard for them.
    _login(page, "supervisor")
    page.wait_for_url("**/dashboard")
    page.get_by_test_id("kpis").wait_for()
    assert page.get_by_test_id("page-title").inner_text() == "运营看板"
    body = _api(page, live_server, days=30)
    assert body["open"] == 8 and body["new_today"] == 12 and body["created_in_window"] == 12
    assert _card(page, "open") == str(body["open"])
    assert _card(page, "new-today") == str(body["new_today"])
    assert _card(page, "overdue") == str(body["overdue"])
    assert _card(page, "sla") == _percent(body["resolution_sla"]["rate"])
    assert _card(page, "csat") == "—" and body["csat"] is None  # no follow-up call answered yet
    assert "暂无回访" in page.get_by_test_id("kpi-csat").inner_text()
    assert body["first_response"]["count"] == 6
    assert _card(page, "first-response") not in ("", "—")
    # Every chart draws on a canvas (ECharts' canvas renderer), none is empty.
    for chart in ("trend", "channel", "category"):
        canvas = page.get_by_test_id(f"chart-{chart}").locator("canvas")
        canvas.first.wait_for()
        box = canvas.first.bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 150, (chart, box)
    assert page.get_by_test_id("chart-trend").get_by_text("合计 12").is_visible()
    updated = page.get_by_test_id("dashboard-updated")
    assert "更新于" in updated.inner_text() and "每 30 秒自动刷新" in updated.inner_text()
    assert any("DashboardPage" in s for s in scripts)  # the charts came with the dashboard's own chunk
    _shot(page, screenshots, "dashboard-01-desktop")
    _whole(page, screenshots, "dashboard-01b-desktop-whole")

    # Live: a new complaint arrives; 30 s later the page asks again and the cards move.
    calls = len(overview_calls)
    do_create_ticket(actor=org.agent_a, subject="新来的投诉", customer=org.customer, channel="email",
                     assignee=org.agent_a, team=org.team_a)
    with page.expect_response(lambda r: OVERVIEW in r.url):
        page.clock.fast_forward(31_000)
    page.wait_for_function("n => document.querySelector('[data-testid=kpi-new-today] [data-testid=kpi-value]')"
                           ".textContent.trim() === String(n)", arg=13)
    assert len(overview_calls) == calls + 1
    assert _card(page, "open") == "9"

    # A hidden tab asks nothing; shown again, it catches up at once.
    page.evaluate("""() => { Object.defineProperty(document, 'hidden', { value: true, configurable: true });
                             document.dispatchEvent(new Event('visibilitychange')) }""")
    page.get_by_text("页面在后台，自动刷新已暂停").wait_for()
    calls = len(overview_calls)
    page.clock.fast_forward(120_000)
    page.wait_for_timeout(300)
    assert len(overview_calls) == calls, "a hidden tab kept polling"
    with page.expect_response(lambda r: OVERVIEW in r.url):
        page.evaluate("""() => { Object.defineProperty(document, 'hidden', { value: false, configurable: true });
                                 document.dispatchEvent(new Event('visibilitychange')) }""")
    page.get_by_text("每 30 秒自动刷新").wait_for()

    # Filters live in the URL: team B has nothing → empty states, not blank charts.
    page.goto(f"/dashboard?days=7&team={org.team_b.pk}")
    page.get_by_test_id("kpis").wait_for()
    assert _card(page, "open") == "0"
    assert page.get_by_test_id("chart-trend").get_by_text("所选周期内没有工单").is_visible()
    assert page.get_by_test_id("chart-trend").locator("canvas").count() == 0
    _shot(page, screenshots, "dashboard-02-empty-team")

    # A failing refresh keeps the figures and says what went wrong; a failing first load shows the error.
    page.goto("/dashboard")
    page.get_by_test_id("kpis").wait_for()
    page.route(f"**{OVERVIEW}*", lambda route: route.fulfill(
        status=500, content_type="application/json",
        body='{"code": "internal_error", "message": "服务器内部错误 / Internal server error", "details": {}}'))
    page.get_by_test_id("dashboard-refresh").click()
    alert = page.get_by_test_id("dashboard-refresh-error")
    alert.wait_for()
    assert "刷新失败" in alert.inner_text() and "服务器内部错误" in alert.inner_text()
    assert _card(page, "open") == "9"
    page.reload()
    page.get_by_test_id("error-state").wait_for()
    assert "服务器内部错误" in page.get_by_test_id("error-state").inner_text()
    _shot(page, screenshots, "dashboard-03-error")
    page.unroute(f"**{OVERVIEW}*")
    page.get_by_role("button", name="重试").click()
    page.get_by_test_id("kpis").wait_for()
    assert page.console_errors == []


def test_dashboard_on_a_phone_and_for_an_agent(org: Any, live_server: Any, browser: Any, screenshots: Path) -> None:
    _seed(org)
    do_create_ticket(actor=org.agent_b, subject="二组的投诉", customer=org.customer, channel="phone",
                     assignee=org.agent_b, team=org.team_b)
    page = new_page(browser, live_server, width=390, height=844)
    # Agents work from their ticket list: "/" stays the list for them; the dashboard is one tap away.
    _login(page, "agent_a")
    page.wait_for_url("**/tickets")
    page.get_by_test_id("menu-toggle").click()
    page.get_by_test_id("nav-dashboard").last.click()
    page.wait_for_url("**/dashboard")
    page.get_by_test_id("kpis").wait_for()
    body = _api(page, live_server, days=30)
    assert body["open"] == 8  # team A's only (agent B's ticket is outside agent A's scope)
    assert _card(page, "open") == "8"
    page.get_by_test_id("chart-category").locator("canvas").first.wait_for()
    no_sideways = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert no_sideways, "the dashboard scrolls sideways on a phone"
    # Two cards a row on a phone.
    boxes = [page.get_by_test_id(f"kpi-{k}").bounding_box() for k in ("open", "new-today", "overdue")]
    assert boxes[0]["y"] == boxes[1]["y"] and boxes[2]["y"] > boxes[0]["y"]  # type: ignore[index]
    _shot(page, screenshots, "dashboard-04-phone")
    _whole(page, screenshots, "dashboard-04b-phone-whole")

    # English: the same figures, labels translated.
    page.evaluate("localStorage.setItem('cd.locale', 'en')")
    page.reload()
    page.get_by_test_id("kpis").wait_for()
    assert "Open tickets" in page.get_by_test_id("kpi-open").inner_text()
    assert page.get_by_test_id("page-title").inner_text() == "Dashboard"
    _shot(page, screenshots, "dashboard-05-phone-en")
    assert page.console_errors == []


def test_the_ticket_lists_first_load_carries_no_charts_or_diagrams(org: Any, live_server: Any, browser: Any,
                                                                   capsys: Any) -> None:
    """The issue's budget for the agents' list: under 1 MB of gzipped JavaScript on a cold load,
    with ECharts (dashboard) and bpmn-js (process designer) left in their own lazy chunks."""
    import gzip

    do_create_ticket(actor=org.agent_a, subject="物流延误", customer=org.customer, channel="phone",
                     assignee=org.agent_a, team=org.team_a)
    page = new_page(browser, live_server, width=1366, height=768)
    _login(page, "agent_a")
    page.wait_for_url("**/tickets")
    # A cold load of the list itself (fresh context, empty cache), as after a bookmark.
    context = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=live_server.url,
                                  storage_state=page.context.storage_state())
    cold = context.new_page()
    scripts: list[Any] = []
    cold.on("response", lambda r: r.request.resource_type == "script" and scripts.append(r))
    cold.goto("/tickets")
    cold.locator("[data-testid=ticket-table] tbody tr.el-table__row").first.wait_for()
    cold.wait_for_load_state("networkidle")
    bodies = {r.url.removeprefix(live_server.url): r.body() for r in scripts}
    assert bodies and all(p.startswith("/static/app/assets/") for p in bodies), list(bodies)
    for path, body in bodies.items():
        text = body.decode("utf-8", errors="replace")
        assert "zrender" not in text and "echarts" not in text, f"ECharts in the list's first load: {path}"
        assert "bpmn-js" not in text and "djs-container" not in text, f"bpmn-js in the list's first load: {path}"
    assert not any("DashboardPage" in p for p in bodies)
    gzipped = sum(len(gzip.compress(body, compresslevel=6)) for body in bodies.values())
    assert gzipped < 1_000_000
    with capsys.disabled():
        print(f"\n[browser] ticket list cold load: {len(bodies)} scripts, "
              f"{sum(map(len, bodies.values())) / 1024:.0f} KiB raw, {gzipped / 1024:.0f} KiB gzipped")
    context.close()
