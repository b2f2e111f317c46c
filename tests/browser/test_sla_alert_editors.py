"""The SLA, business calendar and alert-rule editors (配置中心) in a real browser.

* SLA policies: an administrator creates a policy for P1 tickets (scope built in the condition builder, P1 targets
  in hours/minutes, 24×7 time), moves it to the top of the matching order, sees a server error under the name
  field, edits it (a second version) — and a new P1 ticket's clock runs on it with the targets typed in.
* Calendars: in the year view a holiday and a make-up workday are set by clicking days (stored as CalendarDay
  rows), and the due-time preview moves accordingly; next year's schedule is previewed (dry run) and imported.
* Alert rules: with complaints spread over the last 90 days, a new rule's preview chart shows the thresholds
  and fired markers; the data the page received equals the API's answer for the same body, the markers match
  it, and the chart is drawn on a canvas. Saved, evaluated, its recent alert is listed.

Screenshots (prefix ``sa-``) of each page and editor at 1366×768 and 390×844.
"""

from __future__ import annotations

import importlib
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from complaintdesk.insights.models import AlertRule
from complaintdesk.sla import calendar as sla_calendar
from complaintdesk.sla.clocks import clock_state
from complaintdesk.sla.models import BusinessCalendar, CalendarDay, SlaPolicy
from complaintdesk.tickets.actions import do_create_ticket
from complaintdesk.tickets.models import Ticket
from tests.browser.conftest import choose as _choose
from tests.browser.conftest import new_page
from tests.browser.test_workspace import _after_login, _login
from tests.browser.test_workspace import _shot as shot

pytestmark = pytest.mark.django_db(transaction=True)

NO_PAGE_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"
LEVEL_RANK = {None: 0, "blue": 1, "yellow": 2, "red": 3}


def _shot(page: Any, screenshots: Path, name: str) -> None:
    shot(page, screenshots, f"sa-{name}")


def _seed_sla() -> None:
    """The shipped calendars and default policy (a live-server test starts from empty tables)."""
    sla_calendar._cache.clear()
    if not BusinessCalendar.objects.exists():
        importlib.import_module("complaintdesk.sla.migrations.0002_seed").seed(django_apps, None)


def _open_config(page: Any, item: str) -> None:
    """Through the sidebar, as a user would: 配置中心 → item."""
    if not page.get_by_test_id(f"nav-{item}").is_visible():
        page.get_by_test_id("nav-config").locator(".el-sub-menu__title").click()
    page.get_by_test_id(f"nav-{item}").click()


def _input(locator: Any) -> Any:
    """The <input> of an Element Plus field: the test id sits on the input itself or on its wrapper."""
    locator.first.wait_for()
    is_input = locator.evaluate("e => e.tagName === 'INPUT' || e.tagName === 'TEXTAREA'")
    return locator if is_input else locator.locator("input")


def _number(locator: Any, value: int | str) -> None:
    box = _input(locator)
    box.fill(str(value))
    box.blur()


def _no_errors(page: Any) -> None:
    assert page.console_errors == [], page.console_errors


# --- SLA policies ------------------------------------------------------------------------------


def test_sla_policy_created_in_the_editor_runs_a_new_tickets_clock(org: Any, live_server: Any, browser: Any,
                                                                     screenshots: Path) -> None:
    _seed_sla()
    default = SlaPolicy.objects.get()
    page = new_page(browser, live_server, width=1366, height=768)
    _login(page, "admin")
    _after_login(page)
    _open_config(page, "config-sla")
    page.wait_for_url("**/settings/sla")
    page.get_by_test_id(f"policy-row-{default.pk}").wait_for()
    assert page.get_by_test_id("page-title").inner_text() == "SLA 策略"
    _shot(page, screenshots, "01-sla-list")

    page.get_by_test_id("policy-create").click()
    editor = page.get_by_test_id("policy-editor")
    _input(editor.get_by_test_id("policy-name")).fill("P1 加急")
    # Scope: priority is P1, built in the condition builder.
    editor.get_by_test_id("cond-add-rule").click()
    rule = editor.get_by_test_id("cond-rule").first
    _choose(page, rule.get_by_test_id("cond-field"), "优先级")
    _choose(page, rule.get_by_test_id("cond-value"), "P1 紧急")
    # P1: first response 10 minutes, resolution 1 hour; counted around the clock (24×7).
    _number(editor.get_by_test_id("target-P1-first_response_minutes-h"), 0)
    _number(editor.get_by_test_id("target-P1-first_response_minutes-m"), 10)
    _number(editor.get_by_test_id("target-P1-resolution_minutes-h"), 1)
    _number(editor.get_by_test_id("target-P1-resolution_minutes-m"), 0)
    editor.get_by_test_id("policy-timing").get_by_text("自然时间").click()
    editor.get_by_test_id("step-add").click()
    _shot(page, screenshots, "02-sla-editor")
    editor.get_by_test_id("policy-save").click()
    editor.wait_for(state="hidden")

    policy = SlaPolicy.objects.get(name="P1 加急")
    assert policy.condition == {"all": [{"field": "priority", "op": "eq", "value": "P1"}]}
    assert policy.targets["P1"] == {"first_response_minutes": 10, "resolution_minutes": 60}
    assert policy.calendar == BusinessCalendar.objects.get(key="24x7")
    assert policy.escalation == [{"level": 1, "after_minutes": 0, "to": "supervisor"}]
    assert policy.order > default.order  # a new policy comes last

    # Move it above the catch-all default: the matching order is stored.
    row = page.get_by_test_id(f"policy-row-{policy.pk}")
    row.wait_for()
    with page.expect_response(lambda r: r.url.endswith("/api/v1/sla-policies/reorder")) as reordered:
        page.get_by_test_id(f"policy-up-{policy.pk}").click()
    assert reordered.value.status == 200
    page.wait_for_function(f"document.querySelector('.cd-sp-row').dataset.testid === 'policy-row-{policy.pk}'")
    policy.refresh_from_db()
    default.refresh_from_db()
    assert policy.order < default.order
    # Dragging works too: the default dropped on the first row goes first, and back with the arrow.
    with page.expect_response(lambda r: r.url.endswith("/api/v1/sla-policies/reorder")):
        page.get_by_test_id(f"policy-row-{default.pk}").drag_to(page.get_by_test_id(f"policy-row-{policy.pk}"))
    assert list(SlaPolicy.objects.order_by("order").values_list("pk", flat=True)) == [default.pk, policy.pk]
    with page.expect_response(lambda r: r.url.endswith("/api/v1/sla-policies/reorder")):
        page.get_by_test_id(f"policy-down-{default.pk}").click()
    assert list(SlaPolicy.objects.order_by("order").values_list("pk", flat=True)) == [policy.pk, default.pk]
    policy.refresh_from_db()
    before = policy.version  # the new order is a version of its own

    # A server error is shown under its field: the name is required.
    page.get_by_test_id(f"policy-edit-{policy.pk}").click()
    editor = page.get_by_test_id("policy-editor")
    _input(editor.get_by_test_id("policy-name")).fill("  ")
    editor.get_by_test_id("policy-save").click()
    problem = editor.locator(".el-form-item__error").first
    problem.wait_for()
    assert "required" in problem.inner_text() or "必填" in problem.inner_text()
    # Edit: the resolution target becomes 1 h 30 min → a new version.
    _input(editor.get_by_test_id("policy-name")).fill("P1 加急")
    _number(editor.get_by_test_id("target-P1-resolution_minutes-m"), 30)
    # … and the review node of the process gets a 4-hour deadline.
    editor.get_by_test_id("node-add").click()
    node = editor.get_by_test_id("node-0").locator("input")
    node.nth(0).fill("Task_review")
    node.nth(1).fill("4")
    node.nth(1).blur()
    editor.get_by_test_id("policy-save").click()
    editor.wait_for(state="hidden")
    policy.refresh_from_db()
    assert policy.version == before + 1 and policy.targets["P1"]["resolution_minutes"] == 90
    assert policy.node_targets == {"Task_review": 4}
    page.get_by_test_id(f"policy-edit-{policy.pk}").click()
    editor = page.get_by_test_id("policy-editor")
    editor.get_by_role("tab", name="版本历史").click()
    versions = editor.get_by_test_id("policy-versions")
    versions.get_by_text(f"版本 {policy.version}").wait_for()
    assert versions.get_by_text("版本 1").count() == 1
    _shot(page, screenshots, "03-sla-versions")

    # A new P1 ticket runs on it: due 10 min / 90 min after creation (24×7); a P2 ticket on the default.
    ticket, _ = do_create_ticket(actor=org.agent_a, subject="屏幕碎裂", customer=org.vip, priority="P1",
                                 channel="phone")
    other, _ = do_create_ticket(actor=org.agent_a, subject="物流慢", customer=org.customer, priority="P2",
                                channel="phone")
    state = clock_state(Ticket.objects.get(pk=ticket.pk))
    assert state["policy"]["id"] == policy.pk and state["policy_version"] == policy.version
    due = {t["target"]: t["due_at"] for t in state["targets"]}
    assert due["first_response"] == ticket.created_at + timedelta(minutes=10)
    assert due["resolution"] == ticket.created_at + timedelta(minutes=90)
    assert clock_state(Ticket.objects.get(pk=other.pk))["policy"]["id"] == default.pk
    _no_errors(page)

    phone = new_page(browser, live_server, width=390, height=844)
    _login(phone, "admin")
    _after_login(phone, "/settings/sla")
    phone.get_by_test_id(f"policy-row-{policy.pk}").wait_for()
    assert phone.evaluate(NO_PAGE_SCROLL)
    _shot(phone, screenshots, "04-sla-list-phone")
    phone.get_by_test_id(f"policy-edit-{policy.pk}").click()
    phone.get_by_test_id("policy-editor").get_by_test_id("policy-targets").wait_for()
    _shot(phone, screenshots, "05-sla-editor-phone")
    _no_errors(phone)


# --- calendars ---------------------------------------------------------------------------------


def _to_year(page: Any, year: int) -> None:
    """Show ``year`` in the year view and wait for its days (the grid paints plain weeks until they arrive)."""
    for _ in range(5):
        shown = int(page.get_by_test_id("year-title").inner_text().split()[0].rstrip("年"))
        if shown == year:
            page.locator(f"[data-days-for$=':{year}'] [data-testid=year-view]").wait_for()
            return
        page.get_by_test_id("year-prev" if shown > year else "year-next").click()
        page.wait_for_function(f"!document.querySelector('[data-testid=year-title]').innerText.startsWith('{shown}')")
    raise AssertionError(f"could not reach {year}")


def _preview_due(page: Any) -> str:
    return str(page.get_by_test_id("preview-result").get_attribute("data-due"))


def test_calendar_year_view_days_preview_and_import(org: Any, live_server: Any, browser: Any,
                                                     screenshots: Path) -> None:
    _seed_sla()
    cal = BusinessCalendar.objects.get(key="cn-default")
    page = new_page(browser, live_server, width=1366, height=768)
    _login(page, "admin")
    _after_login(page)
    _open_config(page, "config-calendars")
    page.wait_for_url("**/settings/calendars")
    page.get_by_test_id("year-view").wait_for()
    _to_year(page, 2026)
    national = page.locator("[data-date='2026-10-01']")
    assert national.get_attribute("data-kind") == "holiday"  # seeded from chinese_calendar
    assert page.locator("[data-date='2026-10-10']").get_attribute("data-kind") == "makeup"
    assert page.locator("[data-date='2026-11-24']").get_attribute("data-kind") == "workday"
    assert page.locator("[data-date='2026-11-28']").get_attribute("data-kind") == "weekend"
    _shot(page, screenshots, "06-calendar-year")

    # The preview: 40 business hours from Mon 2026-11-23 09:00 (Mon–Fri 7.5 h a day) end Mon 11-30 11:30.
    page.get_by_role("tab", name="时效预览").click()
    start = _input(page.get_by_test_id("preview-start"))
    start.fill("2026-11-23 09:00")
    start.press("Enter")
    _number(page.get_by_test_id("preview-hours"), 40)
    page.get_by_test_id("preview-compute").click()
    page.wait_for_function("document.querySelector('[data-testid=preview-result]')?.dataset.due?.startsWith('2026-11-30T11:30')")
    _shot(page, screenshots, "07-calendar-preview")

    # Tue 11-24 becomes a holiday (公司年会), Sat 11-28 a make-up workday — by clicking the year view.
    page.get_by_role("tab", name="年历").click()
    page.locator("[data-date='2026-11-24']").click()
    dialog = page.get_by_test_id("day-dialog")
    _input(dialog.get_by_test_id("day-name")).fill("公司年会")
    _shot(page, screenshots, "08-calendar-day")
    dialog.get_by_test_id("day-holiday").click()
    page.wait_for_function("document.querySelector(\"[data-date='2026-11-24']\").dataset.kind === 'holiday'")
    day = CalendarDay.objects.get(calendar=cal, date=date(2026, 11, 24))
    assert (day.kind, day.name) == ("holiday", "公司年会")
    assert page.locator("[data-date='2026-11-24']").get_attribute("title") == "2026-11-24 法定节假日：公司年会"
    page.wait_for_function("document.querySelector('[data-testid=preview-result]')?.dataset.due?.startsWith('2026-12-01T11:30')")

    page.locator("[data-date='2026-11-28']").click()
    dialog = page.get_by_test_id("day-dialog")
    _input(dialog.get_by_test_id("day-name")).fill("年会调休")
    dialog.get_by_test_id("day-makeup").click()
    page.wait_for_function("document.querySelector(\"[data-date='2026-11-28']\").dataset.kind === 'makeup'")
    day = CalendarDay.objects.get(calendar=cal, date=date(2026, 11, 28))
    assert (day.kind, day.name) == ("workday", "年会调休")
    # The make-up Saturday works Monday's hours: back to Mon 11-30 11:30.
    page.wait_for_function("document.querySelector('[data-testid=preview-result]')?.dataset.due?.startsWith('2026-11-30T11:30')")
    page.get_by_role("tab", name="时效预览").click()
    assert "2026-11-30 11:30" in page.get_by_test_id("preview-result").inner_text()
    page.get_by_role("tab", name="年历").click()
    _shot(page, screenshots, "09-calendar-marked")

    # Restoring a day deletes its row.
    page.locator("[data-date='2026-11-28']").click()
    page.get_by_test_id("day-dialog").get_by_test_id("day-restore").click()
    page.wait_for_function("document.querySelector(\"[data-date='2026-11-28']\").dataset.kind === 'weekend'")
    assert not CalendarDay.objects.filter(calendar=cal, date=date(2026, 11, 28)).exists()

    # Next year's schedule: typed rows (the usual fixed-date holidays) previewed as a dry run …
    next_year = timezone.localdate().year + 1
    page.get_by_role("tab", name="导入节假日安排").click()
    assert _input(page.get_by_test_id("import-year")).input_value() == str(next_year)
    page.get_by_test_id("import-template").click()
    page.get_by_test_id("import-preview").click()
    diff = page.get_by_test_id("import-diff")
    diff.wait_for()
    assert "新增 13" in diff.inner_text()  # 元旦 1 + 劳动节 5 + 国庆节 7
    assert not CalendarDay.objects.filter(calendar=cal, date__year=next_year).exists()  # a dry run writes nothing
    _shot(page, screenshots, "10-calendar-import-preview")
    # … then the published notice as a CSV file: previewed, imported.
    csv = (f"name,start,end,workdays\n元旦,{next_year}-01-01,{next_year}-01-01,\n"
           f"春节,{next_year}-02-06,{next_year}-02-13,{next_year}-02-14;{next_year}-02-20\n"
           f"国庆节,{next_year}-10-01,{next_year}-10-07,{next_year}-09-26\n")
    page.get_by_test_id("import-file").set_input_files(
        files=[{"name": "schedule.csv", "mimeType": "text/csv", "buffer": csv.encode()}])
    page.get_by_test_id("import-preview").click()
    page.wait_for_function("document.querySelector('[data-testid=import-diff]')?.innerText.includes('新增 19')")
    page.get_by_test_id("import-apply").click()
    page.wait_for_function(f"document.querySelector('[data-testid=year-title]')?.innerText.startsWith('{next_year}')")
    stored = {(d.date.isoformat(), d.kind) for d in CalendarDay.objects.filter(calendar=cal, date__year=next_year)}
    assert len(stored) == 19  # 1 + 8 + 2 + 7 + 1
    assert (f"{next_year}-02-06", "holiday") in stored and (f"{next_year}-09-26", "workday") in stored
    page.get_by_role("tab", name="年历").click()
    page.wait_for_function(f"document.querySelector(\"[data-date='{next_year}-02-06']\")?.dataset.kind === 'holiday'")
    assert page.locator(f"[data-date='{next_year}-09-26']").get_attribute("data-kind") == "makeup"
    assert page.get_by_test_id("year-no-data").count() == 0
    _shot(page, screenshots, "11-calendar-next-year")

    # Working hours: two periods on Monday are shown, an overlapping period is refused before saving.
    page.get_by_role("tab", name="工作时间").click()
    monday = page.get_by_test_id("hours-0")
    assert _input(monday.get_by_test_id("hours-0-1-start")).input_value() == "13:30"
    _input(monday.get_by_test_id("hours-0-1-start")).fill("11:00")
    monday.get_by_text("时段重叠").wait_for()
    assert page.get_by_test_id("hours-save").is_disabled()
    _input(monday.get_by_test_id("hours-0-1-start")).fill("14:00")
    page.get_by_test_id("hours-save").click()
    page.wait_for_function("!document.querySelector('[data-testid=hours-save]').classList.contains('is-loading')")
    cal.refresh_from_db()
    assert cal.working_hours["0"] == [["09:00", "12:00"], ["14:00", "18:00"]]
    _shot(page, screenshots, "12-calendar-hours")
    _no_errors(page)

    phone = new_page(browser, live_server, width=390, height=844)
    _login(phone, "admin")
    _after_login(phone, "/settings/calendars")
    phone.get_by_test_id("year-view").wait_for()
    assert phone.evaluate(NO_PAGE_SCROLL)
    _shot(phone, screenshots, "13-calendar-phone")
    phone.get_by_role("tab", name="工作时间").click()
    assert phone.evaluate(NO_PAGE_SCROLL)
    _shot(phone, screenshots, "14-calendar-hours-phone")
    _no_errors(phone)


# --- alert rules -------------------------------------------------------------------------------


def _spread_complaints(org: Any) -> None:
    """Complaints about the phone over the last 90 days: a burst 40–35 days ago, a few scattered, four this week."""
    from complaintdesk.customers.actions import do_create_product

    earphone = do_create_product(sku="EP-002", name="星辰耳机", line=org.product.line, actor=None)
    now = timezone.now()
    ages = [40, 40, 39, 39, 38, 38, 37, 37, 36, 36, 35, 35, 70, 60, 20, 12, 5, 3, 2, 1]
    for i, age in enumerate(ages):
        ticket, _ = do_create_ticket(actor=org.agent_a, subject=f"手机问题 {i}", customer=org.customer,
                                     product=org.product, priority="P3", channel="phone")
        Ticket.objects.filter(pk=ticket.pk).update(created_at=now - timedelta(days=age, hours=1))
    for age in (50, 30, 10):
        ticket, _ = do_create_ticket(actor=org.agent_a, subject="耳机杂音", customer=org.customer, product=earphone,
                                     priority="P3", channel="phone")
        Ticket.objects.filter(pk=ticket.pk).update(created_at=now - timedelta(days=age, hours=1))


def _markers(preview: dict[str, Any]) -> dict[str, int]:
    counts = {"blue": 0, "yellow": 0, "red": 0}
    for group in preview["groups"]:
        previous = 0
        for level in group["levels"]:
            if LEVEL_RANK[level] > previous:
                counts[level] += 1
            previous = LEVEL_RANK[level]
    return counts


def test_alert_rule_preview_chart_matches_the_api_and_the_rule_fires(org: Any, live_server: Any, browser: Any,
                                                                        screenshots: Path) -> None:
    _seed_sla()  # the English look at the calendars at the end
    _spread_complaints(org)
    page = new_page(browser, live_server, width=1366, height=768)
    _login(page, "admin")
    _after_login(page)
    _open_config(page, "config-alert-rules")
    page.wait_for_url("**/settings/alert-rules")
    page.get_by_test_id("rules-table").wait_for()
    assert page.get_by_test_id("page-title").inner_text() == "预警规则"

    page.get_by_test_id("rule-create").click()
    editor = page.get_by_test_id("rule-editor")
    _input(editor.get_by_test_id("rule-name")).fill("产品7天投诉量")
    _choose(page, editor.get_by_test_id("rule-grouping"), "按产品")
    _number(editor.get_by_test_id("threshold-blue"), 3)
    _number(editor.get_by_test_id("threshold-yellow"), 6)
    with page.expect_response(lambda r: r.url.endswith("/api/v1/alert-rules/preview") and r.request.method == "POST"
                              and (r.request.post_data_json or {}).get("thresholds", {}).get("red") == 10) as answer:
        _number(editor.get_by_test_id("threshold-red"), 10)
    received = answer.value.json()
    sent = answer.value.request.post_data_json
    assert sent["grouping"] == "product" and sent["thresholds"] == {"blue": 3, "yellow": 6, "red": 10}
    expected = org.client(org.admin).post("alert-rules/preview", sent).json()
    assert received["days"] == expected["days"] and len(received["days"]) == 90
    assert [(g["group_label"], g["counts"], g["values"], g["levels"]) for g in received["groups"]] == \
        [(g["group_label"], g["counts"], g["values"], g["levels"]) for g in expected["groups"]]
    phone_group = next(g for g in received["groups"] if g["group_label"] == "星辰 X1 手机 (PH-001)")
    assert phone_group["max_level"] == "red" and max(phone_group["values"]) == 12

    fired = editor.get_by_test_id("preview-fired")
    counts = _markers(received)
    page.wait_for_function(f"document.querySelector('[data-testid=preview-fired]')?.dataset.red === '{counts['red']}'")
    assert {lv: int(fired.get_attribute(f"data-{lv}")) for lv in ("blue", "yellow", "red")} == counts
    assert counts["red"] >= 1 and counts["blue"] >= 2
    chart = editor.get_by_test_id("preview-chart")
    chart.locator("canvas").first.wait_for()
    box = chart.locator("canvas").first.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 200
    editor.get_by_test_id("rule-preview").scroll_into_view_if_needed()
    _shot(page, screenshots, "15-alert-editor")

    _choose(page, editor.get_by_test_id("rule-owners"), "Supervisor")
    editor.get_by_test_id("rule-name").click()  # closes the dropdown
    editor.get_by_test_id("rule-save").click()
    editor.wait_for(state="hidden")
    rule = AlertRule.objects.get(name="产品7天投诉量")
    assert (rule.grouping, rule.threshold_blue, rule.threshold_yellow, rule.threshold_red) == ("product", 3, 6, 10)
    assert list(rule.owners.values_list("username", flat=True)) == ["supervisor"]

    # Evaluated now: the phone's last 7 days hold 4 complaints → a blue alert, listed with the rule.
    result = org.client(org.admin).post(f"alert-rules/{rule.pk}/evaluate").json()
    assert len(result["opened"]) == 1
    page.reload()
    page.get_by_test_id(f"rule-last-fired-{rule.pk}").wait_for()
    assert page.get_by_test_id(f"rule-last-fired-{rule.pk}").inner_text() != "从未"
    _shot(page, screenshots, "16-alert-list")
    page.get_by_test_id(f"rule-edit-{rule.pk}").click()
    editor = page.get_by_test_id("rule-editor")
    # The saved rule previews the same as before.
    editor.get_by_test_id("preview-chart").locator("canvas").first.wait_for()
    editor.get_by_role("tab", name="近期预警").click()
    alerts = editor.get_by_test_id("rule-alerts")
    alerts.get_by_text("星辰 X1 手机").wait_for()
    assert "蓝色" in alerts.inner_text()
    _shot(page, screenshots, "17-alert-recent")
    _no_errors(page)

    # In English: the pages speak it (the i18n parity test checks the keys; this checks they are used).
    page.evaluate("localStorage.setItem('cd.locale', 'en')")
    page.goto("/settings/alert-rules")
    page.get_by_test_id(f"rule-edit-{rule.pk}").click()
    page.get_by_test_id("rule-editor").get_by_text("Last 90 days").wait_for()
    page.get_by_test_id("rule-editor").get_by_test_id("preview-chart").locator("canvas").first.wait_for()
    _shot(page, screenshots, "20-alert-editor-en")
    page.goto("/settings/calendars")
    page.get_by_test_id("year-view").wait_for()
    page.get_by_text("Make-up workday").first.wait_for()
    _shot(page, screenshots, "21-calendar-en")
    _no_errors(page)

    phone = new_page(browser, live_server, width=390, height=844)
    _login(phone, "admin")
    _after_login(phone, "/settings/alert-rules")
    phone.get_by_test_id(f"rule-edit-{rule.pk}").wait_for()
    assert phone.evaluate(NO_PAGE_SCROLL)
    _shot(phone, screenshots, "18-alert-list-phone")
    phone.get_by_test_id(f"rule-edit-{rule.pk}").click()
    phone.get_by_test_id("rule-editor").get_by_test_id("preview-chart").locator("canvas").first.wait_for()
    _shot(phone, screenshots, "19-alert-editor-phone")
    _no_errors(phone)


def test_editors_need_rule_admin(org: Any, live_server: Any, browser: Any) -> None:
    """An agent sees no 配置中心 entries for them, and the API refuses the pages' data by address."""
    page = new_page(browser, live_server, width=1366, height=768)
    _login(page, "agent_a")
    _after_login(page)
    assert page.get_by_test_id("nav-config-sla").count() == 0
    page.goto("/settings/alert-rules")
    problem = page.get_by_test_id("error-state")
    problem.wait_for()
    assert "权限" in problem.inner_text()
    assert page.get_by_test_id("rule-create").count() == 0 or page.get_by_test_id("rules-table").count() == 0
    agent = org.client(org.agent_a)
    assert agent.post("alert-rules/preview", {"thresholds": {"blue": 1}}).status_code == 403
    assert agent.post("sla-policies", {"name": "x"}).status_code == 403
    assert agent.put("calendars/1/days/2026-11-24", {"kind": "holiday"}).status_code in (403, 404)
