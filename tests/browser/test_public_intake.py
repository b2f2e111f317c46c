"""Public intake and phone intake in a real browser.

A customer on a phone (390×844, touch) files a complaint through the shipped public form 通用投诉
with a photo and their location, gets the complaint number, opens the tracking page; an agent then
finds it in the list. An agent taking a call registers a complaint for a known customer and sees
their previous complaints beside the form. Screenshots go to the screenshots directory.
"""

from __future__ import annotations

import io
import re
import time
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.core.cache import cache
from django.test import override_settings
from PIL import Image
from playwright.sync_api import expect

from complaintdesk.forms import crypto
from complaintdesk.forms.actions import do_create_form, do_publish_draft, do_save_draft
from complaintdesk.tickets.actions import do_add_comment, do_create_ticket
from complaintdesk.tickets.models import Attachment, Ticket
from tests.browser.conftest import new_page
from tests.browser.test_workspace import _after_login, _login

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _shipped_forms(_seeded: None) -> None:
    # The live-server tests empty every table between tests; the shipped forms come back here.
    from importlib import import_module

    import_module("complaintdesk.forms.migrations.0002_shipped_forms").publish_shipped_forms(django_apps, None)
    cache.clear()  # the public endpoints' rate-limit counters


def _png() -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", (640, 480), (200, 60, 40))
    for x in range(0, 640, 40):
        for y in range(0, 480, 40):
            if (x + y) // 40 % 2:
                image.paste((250, 220, 90), (x, y, x + 40, y + 40))
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _settle(page: Any) -> None:
    page.wait_for_function("![...document.querySelectorAll('.el-loading-mask')].some(m => m.offsetParent !== null)")
    page.wait_for_function("""document.getAnimations().every(a => a.playState !== 'running'
        || a.effect?.getTiming().iterations === Infinity)""")


def _shot(page: Any, screenshots: Path, name: str) -> None:
    _settle(page)
    page.screenshot(path=str(screenshots / f"{name}.png"), full_page=True)


def _phone_page(browser: Any, live_server: Any, *, geolocation: bool = True) -> Any:
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN",
        base_url=live_server.url, timezone_id="Asia/Shanghai",
        geolocation={"latitude": 22.5431, "longitude": 113.9508, "accuracy": 20} if geolocation else None,
        permissions=["geolocation"] if geolocation else [])
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.console_errors = []  # type: ignore[attr-defined]
    page.on("console", lambda msg: msg.type == "error" and not msg.text.startswith("Failed to load resource")
            and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    return page


def _no_sideways_scroll(page: Any) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]")
    assert max(widths[0], widths[1]) <= widths[2], widths


def _field(page: Any, key: str) -> Any:
    return page.locator(f".cd-form-item[data-field={key}]")


def _choose(page: Any, key: str, label: str) -> None:
    _field(page, key).locator(".el-select").click()
    page.locator(".el-select-dropdown__item:visible", has_text=label).first.click()


def test_customer_files_a_complaint_on_a_phone_and_an_agent_sees_it(org: Any, live_server: Any, browser: Any,
                                                                      screenshots: Path, tmp_path: Path) -> None:
    page = _phone_page(browser, live_server)
    evaluations: list[str] = []
    page.on("request", lambda r: r.url.endswith("/evaluate") and evaluations.append(r.url))
    started = time.perf_counter()
    page.goto("/f/general?utm_source=wechat")
    page.get_by_test_id("public-form").wait_for()
    loaded_ms = (time.perf_counter() - started) * 1000
    # A second visit (server warm, assets cached as a returning visitor has them): the figure reported.
    started = time.perf_counter()
    page.reload()
    page.get_by_test_id("public-form").wait_for()
    reload_ms = (time.perf_counter() - started) * 1000
    scripts = page.evaluate("""performance.getEntriesByType('resource').filter(e => e.name.endsWith('.js'))
        .map(e => [e.name.split('/').pop(), Math.round(e.encodedBodySize / 1024), Math.round(e.duration)])""")
    assert page.locator("h1").inner_text() == "在线投诉"
    _no_sideways_scroll(page)
    # A conditional field waits for the server: "refund amount" shows only after choosing a refund.
    assert _field(page, "refund_amount").count() == 0
    _shot(page, screenshots, "intake-01-public-form-empty")

    # Submitting the empty form shows the server's own messages beside the fields.
    page.get_by_test_id("public-submit").click()
    page.get_by_test_id("submit-error").wait_for()
    assert "请先修改标红的内容" in page.get_by_test_id("submit-error").inner_text()
    expect(_field(page, "contact_name").locator(".el-form-item__error")).to_have_text("此项为必填项")
    assert Ticket.objects.count() == 0
    _shot(page, screenshots, "intake-02-public-form-errors")

    _field(page, "contact_name").locator("input").fill("赵六")
    _field(page, "contact_phone").locator("input").fill("12345")
    _field(page, "contact_phone").locator("input").blur()
    # The server's message for a bad number, as soon as it has answered (debounced evaluation).
    expect(_field(page, "contact_phone").locator(".el-form-item__error")).to_contain_text("请输入有效的手机号或座机号")
    _field(page, "contact_phone").locator("input").fill("+86 139-0013-9111")
    _choose(page, "complaint_type", "产品质量")
    _field(page, "amount_involved").wait_for()  # shown for product complaints
    _field(page, "subject").locator("input").fill("收到的电水壶漏水")
    _field(page, "description").locator("textarea").fill("昨天收到的电水壶底部漏水，无法使用，请尽快处理。")
    _field(page, "expectation").get_by_text("退款", exact=True).click()
    _field(page, "refund_amount").wait_for()
    _field(page, "refund_amount").locator("input").fill("199")
    _field(page, "occurred_on").locator("input").fill("2026-11-20")
    page.wait_for_function("document.querySelector('[data-computed=days_since]')?.textContent.trim() !== '0'")

    # A photo: uploaded at once, with a thumbnail and a remove button.
    photo = tmp_path / "kettle.png"
    photo.write_bytes(_png())
    page.get_by_test_id("file-input-photos").set_input_files(str(photo))
    page.get_by_test_id("upload-done").wait_for()
    assert page.locator("[data-upload=photos] img.cd-upload-thumb").count() == 1
    assert page.locator("[data-upload=photos] button.cd-upload-remove").count() == 1

    _field(page, "agree").locator(".el-switch").click()
    _no_sideways_scroll(page)
    _shot(page, screenshots, "intake-03-public-form-filled")
    page.get_by_test_id("public-submit").click()
    page.get_by_test_id("submission-done").wait_for()
    number = page.get_by_test_id("ticket-number").inner_text().strip()
    _no_sideways_scroll(page)
    _shot(page, screenshots, "intake-04-public-confirmation")

    ticket = Ticket.objects.get(number=number)
    assert ticket.channel == "web_form"
    assert ticket.subject == "收到的电水壶漏水"
    assert ticket.customer is not None and ticket.customer.phone == "13900139111"
    assert ticket.data["refund_amount"] == "199.00"
    assert ticket.data["utm_source"] == "wechat"
    assert ticket.data["days_since"] >= 0
    assert Attachment.objects.filter(ticket=ticket).count() == 1
    assert ticket.data["photos"][0]["attachment_id"]
    link = page.get_by_test_id("tracking-link").inner_text()
    assert link.endswith(f"/t/{ticket.tracking_token}")

    # The tracking page: status and the public reply, never the internal note.
    do_add_comment(ticket, actor=org.agent_a, body="内部：联系仓库", is_public=False)
    do_add_comment(ticket, actor=org.agent_a, body="您好，退款已安排，三个工作日内到账。", is_public=True)
    page.get_by_role("link", name="查看处理进度").click()
    page.get_by_test_id("tracking").wait_for()
    assert page.get_by_test_id("tracking-number").inner_text() == number
    assert page.get_by_test_id("tracking-status").inner_text() == "新建"
    timeline = page.get_by_test_id("tracking-timeline").inner_text()
    assert "退款已安排" in timeline and "内部" not in timeline
    _no_sideways_scroll(page)
    _shot(page, screenshots, "intake-05-tracking")
    # In English: the status label from the server, the page's own words from the English strings.
    page.get_by_test_id("language-switch").click()
    page.get_by_test_id("lang-en").click()
    expect(page.get_by_test_id("tracking-status")).to_have_text("New")
    assert "Reply from our service team" in page.get_by_test_id("tracking-timeline").inner_text()
    _shot(page, screenshots, "intake-05b-tracking-en")
    assert page.console_errors == []  # type: ignore[attr-defined]

    # An agent at a desk sees the new complaint at the top of the list.
    desk = new_page(browser, live_server, width=1366, height=768)
    _login(desk, "supervisor")
    _after_login(desk)
    first = desk.locator("[data-testid=ticket-table] .el-table__body-wrapper tbody tr.el-table__row").first
    first.wait_for()
    assert number in first.inner_text() and "网页表单" in first.inner_text()
    _shot(desk, screenshots, "intake-06-agent-list")
    assert desk.console_errors == []  # type: ignore[attr-defined]
    print(f"\npublic form: form shown after {loaded_ms:.0f} ms (cold server), {reload_ms:.0f} ms on reload; "
          f"{len(scripts)} scripts ({sum(s[1] for s in scripts)} KiB as sent); "
          f"{len(evaluations)} evaluate calls while filling the form")
    print("scripts:", sorted(s[0].split("-")[0] for s in scripts))


@override_settings(PUBLIC_SUBMISSIONS_PER_MINUTE=1)
def test_location_refused_falls_back_to_a_written_address(org: Any, live_server: Any, browser: Any,
                                                           screenshots: Path) -> None:
    form = do_create_form(key="onsite", name="现场问题反馈", actor=org.admin, is_public=True, public_slug="onsite")
    do_save_draft(form, schema={"fields": [
        {"key": "contact_name", "type": "text", "label": {"zh-CN": "姓名", "en": "Name"}, "required": True},
        {"key": "spot", "type": "location", "label": {"zh-CN": "位置", "en": "Where"}, "required": True},
    ], "layout": []}, actor=org.admin)
    do_publish_draft(form, actor=org.admin)
    page = _phone_page(browser, live_server, geolocation=False)
    page.goto("/f/onsite")
    page.get_by_test_id("public-form").wait_for()
    _field(page, "contact_name").locator("input").fill("钱七")
    page.get_by_test_id("locate").click()
    problem = page.get_by_test_id("location-problem")
    problem.wait_for()
    assert "您未允许获取位置信息" in problem.inner_text() and "手动填写地址" in problem.inner_text()
    page.get_by_test_id("location-address").fill("深圳市南山区科技园南区门口")
    _no_sideways_scroll(page)
    _shot(page, screenshots, "intake-07-location-denied")
    page.get_by_test_id("public-submit").click()
    page.get_by_test_id("submission-done").wait_for()
    ticket = Ticket.objects.get(number=page.get_by_test_id("ticket-number").inner_text().strip())
    assert ticket.data["spot"] == {"lat": None, "lng": None, "address": "深圳市南山区科技园南区门口", "accuracy": None}

    # A second complaint in the same minute is over this site's limit: the server's sentence, in words.
    page.get_by_role("button", name="再提交一条").click()
    _field(page, "contact_name").locator("input").fill("钱七")
    page.get_by_test_id("location-address").fill("同一地点")
    page.get_by_test_id("public-submit").click()
    expect(page.get_by_test_id("submit-error")).to_have_text("请求过于频繁，请稍后再试")
    _shot(page, screenshots, "intake-07b-rate-limited")
    assert Ticket.objects.count() == 1


def test_location_is_captured_in_the_forms_coordinate_system(org: Any, live_server: Any, browser: Any) -> None:
    form = do_create_form(key="gps", name="定位", actor=org.admin, is_public=True, public_slug="gps")
    do_save_draft(form, schema={"fields": [
        {"key": "spot", "type": "location", "label": {"zh-CN": "位置", "en": "Where"}, "required": True},
    ], "layout": []}, actor=org.admin)
    do_publish_draft(form, actor=org.admin)
    page = _phone_page(browser, live_server)
    page.goto("/f/gps")
    page.get_by_test_id("locate").click()
    page.get_by_test_id("location-point").wait_for()
    page.get_by_test_id("public-submit").click()
    page.get_by_test_id("submission-done").wait_for()
    spot = Ticket.objects.get(number=page.get_by_test_id("ticket-number").inner_text().strip()).data["spot"]
    # GCJ-02 (the default) is a few hundred metres off the WGS-84 position the browser reported
    # (in Shenzhen about 330 m south and 500 m east).
    assert -0.005 < spot["lat"] - 22.5431 < -0.002 and 0.003 < spot["lng"] - 113.9508 < 0.007, spot
    assert spot["accuracy"] == 20


def test_agent_registers_a_phone_complaint_for_a_known_customer(org: Any, live_server: Any, browser: Any,
                                                                 screenshots: Path) -> None:
    earlier, _ = do_create_ticket(actor=org.agent_a, subject="上次的物流延误投诉", customer=org.vip, channel="phone")
    page = new_page(browser, live_server, width=1366, height=768)
    _login(page, "agent_a")
    _after_login(page)
    page.get_by_test_id("new-ticket-button").click()
    page.wait_for_url("**/tickets/new")
    page.get_by_test_id("new-ticket-form-body").wait_for()
    assert page.get_by_test_id("page-title").inner_text() == "登记投诉"

    # Typing the caller's number finds them and lists their earlier complaints.
    _field(page, "contact_phone").locator("input").fill("139 0013 9000")
    page.get_by_test_id("customer-match").first.wait_for()
    history = page.get_by_test_id("customer-history")
    history.locator("li").first.wait_for()
    assert earlier.number in history.inner_text() and "新建" in history.inner_text()
    assert "李四" in page.get_by_test_id("customer-panel").inner_text()
    assert _field(page, "contact_name").locator("input").input_value() == "李四"  # filled from the customer
    _choose(page, "complaint_type", "物流配送")
    _field(page, "subject").locator("input").fill("再次投诉：快递未送达")
    _field(page, "description").locator("textarea").fill("客户来电称快递一周未送达，要求尽快处理。")
    _field(page, "expectation").get_by_text("道歉/说明", exact=True).click()
    _field(page, "agree").locator(".el-switch").click()
    _shot(page, screenshots, "intake-08-new-phone-complaint")
    page.get_by_test_id("new-ticket-submit").click()
    page.wait_for_url(re.compile(r"/tickets/\d+$"))
    ticket = Ticket.objects.exclude(pk=earlier.pk).get()
    assert page.url.endswith(f"/tickets/{ticket.pk}")
    assert (ticket.channel, ticket.customer_id, ticket.subject) == ("phone", org.vip.pk, "再次投诉：快递未送达")
    assert ticket.form_version is not None and ticket.form_version.form.key == "general"
    assert ticket.created_by_id == org.agent_a.pk
    _shot(page, screenshots, "intake-09-new-ticket-detail")
    assert page.console_errors == []  # type: ignore[attr-defined]

    # On a phone the page stacks (panel, form) without sideways scrolling.
    phone = new_page(browser, live_server, **PHONE)
    _login(phone, "agent_a")
    _after_login(phone)
    phone.goto("/tickets/new")
    phone.get_by_test_id("new-ticket-form-body").wait_for()
    _no_sideways_scroll(phone)
    _shot(phone, screenshots, "intake-10-new-ticket-phone")


def _label(zh: str, en: str) -> dict[str, str]:
    return {"zh-CN": zh, "en": en}


OPTIONS = [{"value": "a", "label": _label("甲", "A")}, {"value": "b", "label": _label("乙", "B")}]
EVERY_TYPE: dict[str, Any] = {
    "fields": [
        {"key": "t_text", "type": "text", "label": _label("单行文本", "Text")},
        {"key": "t_textarea", "type": "textarea", "label": _label("多行文本", "Textarea")},
        {"key": "t_rich_text", "type": "rich_text", "label": _label("富文本", "Rich text")},
        {"key": "t_email", "type": "email", "label": _label("邮箱", "Email")},
        {"key": "t_url", "type": "url", "label": _label("网址", "URL")},
        {"key": "t_hidden", "type": "hidden", "label": _label("隐藏", "Hidden")},
        {"key": "t_integer", "type": "integer", "label": _label("整数", "Integer")},
        {"key": "t_number", "type": "number", "label": _label("数字", "Number"), "config": {"unit": "kg"}},
        {"key": "t_money", "type": "money", "label": _label("金额", "Money")},
        {"key": "t_percent", "type": "percent", "label": _label("百分比", "Percent")},
        {"key": "t_rating", "type": "rating", "label": _label("评分", "Rating")},
        {"key": "t_nps", "type": "nps", "label": _label("净推荐值", "NPS")},
        {"key": "t_slider", "type": "slider", "label": _label("滑块", "Slider"), "min": 0, "max": 10},
        {"key": "t_switch", "type": "switch", "label": _label("开关", "Switch")},
        {"key": "t_date", "type": "date", "label": _label("日期", "Date")},
        {"key": "t_datetime", "type": "datetime", "label": _label("日期时间", "Date and time")},
        {"key": "t_time", "type": "time", "label": _label("时间", "Time")},
        {"key": "t_date_range", "type": "date_range", "label": _label("日期范围", "Date range")},
        {"key": "t_dropdown", "type": "dropdown", "label": _label("下拉", "Dropdown"), "options": OPTIONS},
        {"key": "t_radio", "type": "radio", "label": _label("单选", "Radio"), "options": OPTIONS},
        {"key": "t_multi_select", "type": "multi_select", "label": _label("下拉多选", "Multi"), "options": OPTIONS},
        {"key": "t_checkboxes", "type": "checkboxes", "label": _label("多选框", "Checkboxes"), "options": OPTIONS},
        {"key": "t_cascade", "type": "cascade", "label": _label("级联", "Cascade"), "options": [
            {"value": "phone", "label": _label("手机", "Phone"), "children": [
                {"value": "screen", "label": _label("屏幕", "Screen")},
                {"value": "battery", "label": _label("电池", "Battery")}]}]},
        {"key": "t_tags", "type": "tags", "label": _label("标签", "Tags")},
        {"key": "t_china_region", "type": "china_region", "label": _label("省市区", "Region")},
        {"key": "t_address", "type": "address", "label": _label("地址", "Address"), "config": {"level": "city"}},
        {"key": "t_phone", "type": "phone", "label": _label("电话", "Phone")},
        {"key": "t_id_card", "type": "id_card", "label": _label("身份证", "ID card")},
        {"key": "t_uscc", "type": "uscc", "label": _label("信用代码", "USCC")},
        {"key": "t_user", "type": "user", "label": _label("成员", "User")},
        {"key": "t_multi_user", "type": "multi_user", "label": _label("成员多选", "Users")},
        {"key": "t_department", "type": "department", "label": _label("部门", "Department")},
        {"key": "t_customer", "type": "customer", "label": _label("客户", "Customer")},
        {"key": "t_product", "type": "product", "label": _label("产品", "Product")},
        {"key": "t_related_ticket", "type": "related_ticket", "label": _label("关联工单", "Related ticket")},
        {"key": "t_order_number", "type": "order_number", "label": _label("订单号", "Order number")},
        {"key": "t_attachments", "type": "attachments", "label": _label("附件", "Attachments")},
        {"key": "t_images", "type": "images", "label": _label("图片", "Images")},
        {"key": "t_signature", "type": "signature", "label": _label("签名", "Signature")},
        {"key": "t_location", "type": "location", "label": _label("定位", "Location"),
         "config": {"coordinate_system": "wgs84"}},
        {"key": "t_serial_number", "type": "serial_number", "label": _label("流水号", "Serial"),
         "config": {"pattern": "FS-{yyyyMMdd}-{seq:3}"}},
        {"key": "t_formula", "type": "formula", "label": _label("公式", "Formula"), "formula": "{t_integer} * 2",
         "config": {"result_type": "integer"}},
        {"key": "t_sub_table", "type": "sub_table", "label": _label("子表单", "Sub-table"), "config": {
            "columns": [{"key": "qty", "type": "integer", "label": _label("数量", "Qty")},
                        {"key": "price", "type": "money", "label": _label("单价", "Price")},
                        {"key": "amount", "type": "formula", "label": _label("小计", "Amount"),
                         "formula": "{qty} * {price}", "config": {"result_type": "money"}}],
            "totals": {"amount": "sum"}}},
        {"key": "t_divider", "type": "divider", "label": _label("分割线", "Divider"),
         "config": {"title": "以下为附加信息"}},
        {"key": "t_description", "type": "description", "label": _label("说明", "Description"),
         "config": {"content": "<p>请如实填写<strong>全部</strong>信息。</p>"}},
        {"key": "subject", "type": "text", "label": _label("标题", "Subject"), "required": True},
    ],
    "layout": [],
}


def _pick(page: Any, key: str, *labels: str) -> None:
    field = _field(page, key)
    field.locator(".el-select, .el-cascader").first.click()
    for label in labels:
        page.locator(".el-select-dropdown__item:visible, .el-cascader-node:visible", has_text=label).first.click()
    _close_dropdowns(page)


def _close_dropdowns(page: Any) -> None:
    page.keyboard.press("Escape")
    page.mouse.click(5, 5)  # a multiple select keeps its list open on Escape; a click outside closes it
    page.wait_for_function("""![...document.querySelectorAll('.el-popper')]
        .some(p => p.offsetParent !== null && getComputedStyle(p).display !== 'none')""")


def test_every_field_type_renders_and_submits_in_the_servers_format(org: Any, live_server: Any, browser: Any,
                                                                     screenshots: Path, tmp_path: Path) -> None:
    form = do_create_form(key="every", name="全部字段", actor=org.admin, channels=["phone"])
    do_save_draft(form, schema=EVERY_TYPE, actor=org.admin)
    do_publish_draft(form, actor=org.admin)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN", base_url=live_server.url,
                                  timezone_id="Asia/Shanghai", geolocation={"latitude": 31.2304, "longitude": 121.4737,
                                                                            "accuracy": 8}, permissions=["geolocation"])
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _login(page, "supervisor")
    _after_login(page)
    page.goto("/tickets/new?form=every")
    page.get_by_test_id("new-ticket-form-body").wait_for()
    # Every field with a value shows a control (the hidden field does not); layout-only types show as such.
    for f in EVERY_TYPE["fields"]:
        expected = 0 if f["type"] in ("hidden", "divider", "description") else 1
        assert _field(page, f["key"]).count() == expected, f["key"]
    assert "以下为附加信息" in page.locator(".el-divider").inner_text()
    assert page.locator(".cd-form-description strong").inner_text() == "全部"
    assert "提交后自动生成" in page.locator("[data-computed=t_serial_number]").inner_text()

    def fill(key: str, text: str, selector: str = "input") -> None:
        _field(page, key).locator(selector).first.fill(text)

    fill("subject", "全部字段类型")
    fill("t_text", "一行字")
    fill("t_textarea", "第一行\n第二行", "textarea")
    fill("t_rich_text", "<p>加粗</p>", "textarea")
    fill("t_email", "User@Example.COM")
    fill("t_url", "https://example.com/x")
    fill("t_integer", "5")
    fill("t_number", "3.5")
    fill("t_money", "12.5")
    fill("t_percent", "12.5")
    _field(page, "t_rating").locator(".el-rate__item").nth(3).click()
    _field(page, "t_nps").get_by_role("button", name="9", exact=True).click()
    fill("t_slider", "7")
    _field(page, "t_slider").locator("input").first.press("Enter")
    _field(page, "t_switch").locator(".el-switch").click()
    fill("t_date", "2026-11-01")
    fill("t_datetime", "2026-11-01T10:30")
    fill("t_time", "09:15")
    _field(page, "t_date_range").locator("input").nth(0).fill("2026-11-01")
    _field(page, "t_date_range").locator("input").nth(1).fill("2026-11-03")
    _pick(page, "t_dropdown", "甲")
    _field(page, "t_radio").get_by_text("乙", exact=True).click()
    _pick(page, "t_multi_select", "甲", "乙")
    _field(page, "t_checkboxes").get_by_text("甲", exact=True).click()
    _pick(page, "t_cascade", "手机", "屏幕")
    _field(page, "t_tags").locator(".el-select").click()
    page.keyboard.type("加急")
    page.keyboard.press("Enter")
    _close_dropdowns(page)
    _pick(page, "t_china_region", "广东省", "深圳市", "南山区")
    _pick(page, "t_address", "广东省", "深圳市")
    _field(page, "t_address").locator("input").last.fill("科技园 1 号")
    fill("t_phone", "010-12345678")
    fill("t_id_card", "11010519491231002x")
    fill("t_uscc", "9144030071526726XG")
    for key, query, label in (("t_user", "Agent B", "Agent B"), ("t_multi_user", "Agent", "Agent A"),
                              ("t_department", "", "售后部"), ("t_customer", "李四", "李四"),
                              ("t_product", "PH", "PH-001")):
        _field(page, key).locator(".el-select").click()
        if query:
            page.keyboard.type(query)
        page.locator(".el-select-dropdown__item:visible", has_text=label).first.click()
        _close_dropdowns(page)
    fill("t_order_number", "SO-20261101")
    document = tmp_path / "发票.pdf"
    document.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.get_by_test_id("file-input-t_attachments").set_input_files(str(document))
    photo = tmp_path / "photo.png"
    photo.write_bytes(_png())
    page.get_by_test_id("file-input-t_images").set_input_files(str(photo))
    pad = _field(page, "t_signature").locator("canvas")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 40)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 25, box["y"] + 40 + (step % 3) * 20)
    page.mouse.up()
    _field(page, "t_signature").get_by_role("button", name="确认签名").click()
    _field(page, "t_signature").get_by_text("签名已保存").wait_for()
    _field(page, "t_location").get_by_test_id("locate").click()
    _field(page, "t_location").get_by_test_id("location-point").wait_for()
    sub = _field(page, "t_sub_table")
    sub.get_by_role("button", name="添加一行").click()
    sub.locator(".cd-subtable-cell").nth(0).locator("input").fill("2")
    sub.locator(".cd-subtable-cell").nth(1).locator("input").fill("3")
    expect(page.locator("[data-computed=t_formula]")).to_have_text("10")
    expect(sub.locator(".cd-subtable-totals")).to_contain_text("6.00")
    expect(page.locator("[data-upload=t_attachments] [data-testid=upload-done]")).to_have_count(1)
    expect(page.locator("[data-upload=t_images] [data-testid=upload-done]")).to_have_count(1)
    _shot(page, screenshots, "intake-11-every-field-type")
    page.get_by_test_id("new-ticket-submit").click()
    page.wait_for_url(re.compile(r"/tickets/\d+$"))
    data = Ticket.objects.get(subject="全部字段类型").data
    assert errors == []
    expected = {
        "t_text": "一行字", "t_textarea": "第一行\n第二行", "t_rich_text": "<p>加粗</p>", "t_email": "User@example.com",
        "t_url": "https://example.com/x", "t_integer": 5, "t_number": 3.5, "t_money": "12.50", "t_percent": 12.5,
        "t_rating": 4, "t_nps": 9, "t_slider": 7, "t_switch": True, "t_date": "2026-11-01",
        "t_datetime": "2026-11-01T02:30:00Z", "t_time": "09:15",
        "t_date_range": {"start": "2026-11-01", "end": "2026-11-03"},
        "t_dropdown": "a", "t_radio": "b", "t_multi_select": ["a", "b"], "t_checkboxes": ["a"],
        "t_cascade": ["phone", "screen"], "t_tags": ["加急"], "t_phone": "010-12345678",
        "t_uscc": "9144030071526726XG", "t_user": org.agent_b.pk, "t_multi_user": [org.agent_a.pk],
        "t_department": org.after_sales.pk, "t_customer": org.vip.pk, "t_product": org.product.pk,
        "t_order_number": "SO-20261101", "t_formula": 10, "subject": "全部字段类型",
        "t_sub_table": [{"qty": 2, "price": "3.00", "amount": "6.00"}],
    }
    for key, value in expected.items():
        assert data.get(key) == value, (key, data.get(key))
    assert crypto.unseal("t_id_card", data["t_id_card"]) == "11010519491231002X"  # sealed at rest
    assert data["t_china_region"]["names"] == ["广东省", "深圳市", "南山区"]
    assert data["t_address"]["city"] == "440300" and data["t_address"]["detail"] == "科技园 1 号"
    assert data["t_location"]["lat"] == 31.2304 and data["t_location"]["accuracy"] == 8
    assert data["t_serial_number"].startswith("FS-")
    assert [len(data[k]) for k in ("t_attachments", "t_images")] == [1, 1]
    assert all(ref["attachment_id"] for ref in (*data["t_attachments"], *data["t_images"]))
    assert data["t_signature"]["attachment_id"]
