"""The no-code form designer in a real browser (docs/form-designer.md).

An administrator creates a form, drags fields in (单价, 数量, a formula 总价 = 单价*数量, a choice 是否需要退款 and a
section 退款信息 shown only when it is 是, with a field inside), sees the formula computed in the live preview, saves
the draft, reads the diff, tries to publish with a formula naming an unknown key and sees the problem beside the
field, fixes it, publishes and makes the form public. An anonymous visitor on a phone then fills /f/<slug>: the
section appears only after choosing 是, the total is computed, and the ticket's stored values are checked in the
database. Screenshots (prefix ``fd-``) at 1366×768 and at phone width.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from complaintdesk.forms.models import Form, FormVersion
from complaintdesk.tickets.models import Ticket
from tests.browser.conftest import choose, new_page
from tests.browser.test_workspace import _after_login, _login, _shot

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def _drag(page: Any, source: str, target: str) -> None:
    """HTML5 drag and drop from a palette item (or node) to a drop zone, released near its bottom edge (append)."""
    zone = page.get_by_test_id(target)
    box = zone.bounding_box()
    page.get_by_test_id(source).drag_to(zone, target_position={"x": min(40, box["width"] / 2), "y": box["height"] - 3})


def _name_field(page: Any, label: str, key: str) -> None:
    panel = page.get_by_test_id("fd-field-panel")
    panel.get_by_test_id("fd-prop-label").fill(label)
    panel.get_by_test_id("fd-prop-key").fill(key)
    panel.get_by_test_id("fd-prop-key").press("Enter")
    expect(page.get_by_test_id(f"fd-canvas-field-{key}")).to_be_visible()


def _choose(page: Any, select: Any, option: str) -> None:
    choose(page, select, re.compile(f"^{re.escape(option)}$"))
    page.wait_for_function("![...document.querySelectorAll('.el-select-dropdown')].some(d => d.offsetParent !== null)")


def _order(page: Any) -> list[str]:
    return page.eval_on_selector_all("[data-testid^=fd-canvas-field-]",
                                     "els => els.map(e => e.dataset.testid.replace('fd-canvas-field-', ''))")


def _field(page: Any, key: str) -> Any:
    return page.locator(f".cd-form-item[data-field={key}]")


def test_admin_designs_publishes_and_a_visitor_fills_the_form(org: Any, live_server: Any, browser: Any,
                                                               screenshots: Path) -> None:
    cache.clear()
    page = new_page(browser, live_server, **DESKTOP)
    _login(page, "admin")
    _after_login(page, "/settings/forms")
    page.get_by_test_id("fd-forms").wait_for()
    expect(page.get_by_test_id("nav-admin-forms")).to_be_attached()

    # --- create the form ------------------------------------------------------------------------
    page.get_by_test_id("fd-create").click()
    dialog = page.get_by_test_id("fd-settings-dialog")
    dialog.get_by_test_id("fd-settings-name").fill("退款申请")
    dialog.get_by_test_id("fd-settings-name-en").fill("Refund request")
    expect(dialog.get_by_test_id("fd-settings-key")).to_have_value("refund_request")
    dialog.get_by_test_id("fd-settings-save").click()
    page.wait_for_url("**/settings/forms/*")
    page.get_by_test_id("fd-palette-formula").wait_for()
    form = Form.objects.get(key="refund_request")
    assert form.name == "退款申请" and form.versions.get().status == "draft"
    # Every field type of the server is in the palette, grouped.
    assert page.locator("[data-testid=fd-palette] .fd-palette-item").count() == 45 + 3
    page.get_by_test_id("fd-palette-search").fill("公式")
    assert page.locator("[data-testid=fd-palette] .fd-palette-item").count() == 1
    page.get_by_test_id("fd-palette-search").fill("")

    # --- fields by drag and drop and by click ---------------------------------------------------------
    _drag(page, "fd-palette-number", "fd-drop-root")
    _name_field(page, "单价", "unit_price")
    _drag(page, "fd-palette-number", "fd-drop-root")
    _name_field(page, "数量", "quantity")
    _drag(page, "fd-palette-formula", "fd-drop-root")
    _name_field(page, "总价", "total")
    # The formula, typed with completion of field keys.
    formula = page.get_by_test_id("fd-formula-input")
    formula.click()
    formula.press_sequentially("{unit")
    expect(page.get_by_test_id("fd-formula-suggestions")).to_contain_text("unit_price")
    formula.press("Enter")
    formula.press_sequentially("*{qua")
    expect(page.get_by_test_id("fd-formula-suggestions")).to_contain_text("quantity")
    formula.press("Tab")
    expect(formula).to_have_value("{unit_price}*{quantity}")
    formula.press_sequentially(" + ROU")
    expect(page.get_by_test_id("fd-formula-suggestions")).to_contain_text("ROUND")
    formula.press("Escape")
    formula.fill("{unit_price}*{quantity}")
    assert page.get_by_test_id("fd-function-list").locator(".fd-fn").count() >= 60

    page.get_by_test_id("fd-palette-radio").click()  # click-to-add goes after the selected field
    _name_field(page, "是否需要退款", "need_refund")
    options = page.get_by_test_id("fd-options")
    options.get_by_test_id("fd-option-label-0").fill("是")
    options.get_by_test_id("fd-option-label-1").fill("否")
    options.get_by_test_id("fd-option-2").locator("button.danger").click()
    expect(options.get_by_test_id("fd-option-value-0")).to_have_value("是")  # the value follows

    # Keyboard-friendly moves: 数量 up above 单价 and back down.
    page.get_by_test_id("fd-node-quantity").click()
    page.get_by_test_id("fd-node-quantity").get_by_test_id("fd-move-up").click()
    assert _order(page) == ["quantity", "unit_price", "total", "need_refund"]
    page.get_by_test_id("fd-node-quantity").get_by_test_id("fd-move-down").click()
    assert _order(page) == ["unit_price", "quantity", "total", "need_refund"]

    # The section, visible only when 是否需要退款 = 是, with a field dragged into it.
    _drag(page, "fd-palette-section", "fd-drop-root")
    section_zone = page.locator("[data-testid=fd-node-section]").last
    section_zone.locator("header").click()
    page.get_by_test_id("fd-section-title").fill("退款信息")
    page.get_by_test_id("fd-section-add-visible-when").click()
    builder = page.get_by_test_id("fd-section-visible-when")
    builder.get_by_test_id("cond-add-rule").click()
    rule = builder.get_by_test_id("cond-rule").first
    _choose(page, rule.get_by_test_id("cond-field"), "是否需要退款")
    _choose(page, rule.get_by_test_id("cond-value"), "是")
    _drag(page, "fd-palette-money", "fd-drop-4")
    _name_field(page, "退款金额", "refund_amount")
    page.get_by_test_id("fd-prop-required").click()
    assert _order(page) == ["unit_price", "quantity", "total", "need_refund", "refund_amount"]
    expect(page.get_by_test_id("fd-save-state")).to_have_text("有未保存的修改")
    page.get_by_test_id("fd-node-total").click()
    _shot(page, screenshots, "fd-01-designer-formula")

    # --- live preview: the real renderer against the draft evaluate endpoint ----------------------------
    assert page.console_errors == []
    page.get_by_test_id("fd-preview").click()
    drawer = page.get_by_test_id("fd-preview-frame")
    _field(drawer, "unit_price").locator("input").fill("12.5")
    _field(drawer, "quantity").locator("input").fill("4")
    expect(_field(drawer, "total")).to_contain_text("50")
    assert _field(drawer, "refund_amount").count() == 0
    _field(drawer, "need_refund").get_by_text("是", exact=True).click()
    expect(_field(drawer, "refund_amount")).to_be_visible()
    _shot(page, screenshots, "fd-02-preview-desktop")
    page.get_by_test_id("fd-preview-phone").click()
    _shot(page, screenshots, "fd-03-preview-phone")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("fd-preview-drawer")).to_be_hidden()

    assert page.console_errors == []
    # --- save the draft, read the diff ---------------------------------------------------------
    page.get_by_test_id("fd-save").click()
    expect(page.get_by_test_id("fd-save-state")).to_contain_text("已保存")
    draft = FormVersion.objects.get(form=form, status="draft")
    keys = [f["key"] for f in draft.schema["fields"]]
    assert keys == ["unit_price", "quantity", "total", "need_refund", "refund_amount"]
    section = draft.schema["layout"][4]
    assert section["type"] == "section" and section["title"]["zh-CN"] == "退款信息"
    assert section["visible_when"] == {"all": [{"field": "need_refund", "op": "eq", "value": "是"}]}
    assert section["children"] == [{"type": "field", "key": "refund_amount"}]
    page.get_by_test_id("fd-diff").click()
    diff = page.get_by_test_id("fd-diff-dialog")
    expect(diff.get_by_test_id("fd-diff-added")).to_contain_text("总价")
    _shot(page, screenshots, "fd-04-diff-unpublished")
    page.keyboard.press("Escape")

    # --- publish with an error: the unknown key is shown beside the field -----------------------------
    page.get_by_test_id("fd-node-total").click()
    page.get_by_test_id("fd-formula-input").fill("{unit_price}*{qty}")
    # The server's check runs while typing (draft evaluate with the unsaved schema): the error shows before publishing.
    expect(page.get_by_test_id("fd-formula-error").first).to_contain_text("qty")
    expect(page.get_by_test_id("fd-canvas-field-total").get_by_test_id("fd-field-problems")).to_contain_text("qty")
    page.get_by_test_id("fd-publish").click()
    page.locator(".el-message-box__btns .el-button--primary").click()
    expect(page.get_by_test_id("fd-problem-list")).to_contain_text("总价")
    expect(page.get_by_test_id("fd-canvas-field-total").get_by_test_id("fd-field-problems")).to_contain_text("qty")
    expect(page.get_by_test_id("fd-formula-error").first).to_contain_text("qty")
    assert not FormVersion.objects.filter(form=form, status="published").exists()
    page.get_by_test_id("fd-formula").scroll_into_view_if_needed()
    _shot(page, screenshots, "fd-05-publish-error")

    # --- fix it and publish ----------------------------------------------------------------------
    page.get_by_test_id("fd-formula-input").fill("{unit_price}*{quantity}")
    expect(page.get_by_test_id("fd-canvas-field-total").get_by_test_id("fd-field-problems")).to_have_count(0)
    page.get_by_test_id("fd-publish").click()
    page.locator(".el-message-box__btns .el-button--primary").click()
    expect(page.locator(".el-message--success")).to_contain_text("已发布 v1")
    published = FormVersion.objects.get(form=form, status="published")
    assert published.schema["fields"][2]["formula"] == "{unit_price}*{quantity}"

    # --- a change after publishing shows up in the diff, property by property ------------------------
    page.get_by_test_id("fd-node-quantity").click()
    page.get_by_test_id("fd-prop-help").fill("整数件数")
    page.get_by_test_id("fd-diff").click()
    changed = page.get_by_test_id("fd-diff-dialog").get_by_test_id("fd-diff-changed")
    expect(changed).to_contain_text("quantity")
    expect(changed).to_contain_text("整数件数")
    _shot(page, screenshots, "fd-06-diff")
    page.keyboard.press("Escape")
    page.get_by_test_id("fd-discard").click()
    page.locator(".el-message-box__btns .el-button--primary").click()
    expect(page.locator(".el-message--success").last).to_contain_text("已放弃草稿")
    assert not FormVersion.objects.filter(form=form, status="draft").exists()

    # --- make it public --------------------------------------------------------------------------
    page.get_by_test_id("fd-open-settings").click()
    settings = page.get_by_test_id("fd-settings-dialog")
    settings.get_by_test_id("fd-settings-public").click()
    settings.get_by_test_id("fd-settings-slug").fill("refund-618")
    settings.get_by_test_id("fd-settings-save").click()
    expect(page.get_by_test_id("fd-public-link")).to_have_text("/f/refund-618")
    form.refresh_from_db()
    assert form.is_public and form.public_slug == "refund-618"
    assert page.console_errors == []
    page.get_by_test_id("fd-back").click()
    page.get_by_test_id("fd-forms").wait_for()
    expect(page.get_by_test_id("fd-forms")).to_contain_text("已发布 v1")
    _shot(page, screenshots, "fd-07-forms-list")
    assert page.console_errors == []

    # --- an anonymous visitor on a phone -----------------------------------------------------------
    phone = new_page(browser, live_server, **PHONE)
    phone.goto("/f/refund-618")
    phone.get_by_test_id("public-form").wait_for()
    assert _field(phone, "refund_amount").count() == 0
    _field(phone, "unit_price").locator("input").fill("12.5")
    _field(phone, "quantity").locator("input").fill("4")
    expect(_field(phone, "total")).to_contain_text("50")
    _field(phone, "need_refund").get_by_text("是", exact=True).click()
    expect(_field(phone, "refund_amount")).to_be_visible()
    _field(phone, "refund_amount").locator("input").fill("30")
    _shot(phone, screenshots, "fd-08-public-phone")
    phone.get_by_test_id("public-submit").click()
    phone.get_by_test_id("submission-done").wait_for()
    number = phone.get_by_test_id("ticket-number").inner_text().strip()
    ticket = Ticket.objects.get(number=number)
    assert ticket.form_version_id == published.pk
    data = ticket.data
    assert data["need_refund"] == "是" and data["refund_amount"] == "30.00"
    assert float(data["unit_price"]) == 12.5 and float(data["quantity"]) == 4 and float(data["total"]) == 50
    assert set(data) == {"unit_price", "quantity", "total", "need_refund", "refund_amount"}
    assert phone.console_errors == []


def test_layout_containers_cascade_sub_table_keyboard_and_unsaved_guard(org: Any, live_server: Any, browser: Any,
                                                                       screenshots: Path) -> None:
    from complaintdesk.forms.actions import do_create_form

    form = do_create_form(key="layout_demo", name="布局示例", actor=org.admin)
    page = new_page(browser, live_server, **DESKTOP)
    _login(page, "admin")
    _after_login(page, f"/settings/forms/{form.pk}")
    page.get_by_test_id("fd-palette-formula").wait_for()

    # Columns, then a click-added field goes into the selected container's first column; a drag into the second.
    page.get_by_test_id("fd-palette-columns").click()
    page.get_by_test_id("fd-palette-text").click()
    _name_field(page, "姓名", "name")
    _drag(page, "fd-palette-date", "fd-drop-0.1")
    _name_field(page, "日期", "visit_date")
    # Tabs at the end (nothing selected), and the text field dragged from its column into the first tab.
    page.get_by_test_id("fd-canvas").click(position={"x": 8, "y": 8})
    page.get_by_test_id("fd-palette-tabs").click()
    _drag(page, "fd-node-name", "fd-drop-1.0")

    # A cascade with a child option, a sub-table with a number column.
    page.get_by_test_id("fd-canvas").click(position={"x": 8, "y": 8})
    page.get_by_test_id("fd-palette-cascade").click()
    _name_field(page, "产品型号", "model")
    options = page.get_by_test_id("fd-options")
    options.get_by_test_id("fd-option-label-0").fill("手机")
    options.get_by_test_id("fd-option-0").get_by_role("button", name="添加下级").click()
    options.locator(".fd-opt-children input").first.fill("X1")
    _shot(page, screenshots, "fd-09-cascade-options")
    page.get_by_test_id("fd-palette-sub_table").click()
    _name_field(page, "配件", "parts")
    _choose(page, page.get_by_test_id("fd-add-column"), "数字")
    expect(page.get_by_test_id("fd-back-to-table")).to_be_visible()  # the new column is selected
    _name_field_column = page.get_by_test_id("fd-field-panel")
    _name_field_column.get_by_test_id("fd-prop-key").fill("qty")
    _name_field_column.get_by_test_id("fd-prop-key").press("Enter")
    expect(page.get_by_test_id("fd-canvas-column-qty")).to_be_visible()

    # A key in use is refused with a message; the field keeps its key.
    page.get_by_test_id("fd-node-model").click()
    page.get_by_test_id("fd-prop-key").fill("qty")
    page.get_by_test_id("fd-prop-key").press("Enter")
    expect(page.get_by_test_id("fd-field-panel")).to_contain_text("该标识已被其他字段使用")
    expect(page.get_by_test_id("fd-canvas-field-model")).to_be_visible()

    # Keyboard only: focus the sub-table, Enter selects it, Alt+↑ moves it above the cascade.
    page.get_by_test_id("fd-node-parts").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Alt+ArrowUp")
    assert _order(page) == ["visit_date", "name", "parts", "model"]
    _shot(page, screenshots, "fd-10-layout")

    # Leaving with unsaved changes asks first; staying keeps them.
    page.get_by_test_id("fd-back").click()
    page.locator(".el-message-box").wait_for()
    page.locator(".el-message-box__btns .el-button:not(.el-button--primary)").click()
    assert "/settings/forms/" in page.url
    page.keyboard.press("Control+s")
    expect(page.get_by_test_id("fd-save-state")).to_contain_text("已保存")

    schema = FormVersion.objects.get(form=form, status="draft").schema
    columns, tabs = schema["layout"][0], schema["layout"][1]
    assert columns["type"] == "columns" and columns["columns"][0]["children"] == []
    assert columns["columns"][1]["children"] == [{"type": "field", "key": "visit_date"}]
    assert tabs["type"] == "tabs" and tabs["tabs"][0]["children"] == [{"type": "field", "key": "name"}]
    by_key = {f["key"]: f for f in schema["fields"]}
    assert by_key["model"]["options"][0]["value"] == "手机"
    assert by_key["model"]["options"][0]["children"][0]["value"] == "X1"
    assert [c["key"] for c in by_key["parts"]["config"]["columns"]] == ["item", "qty"]
    # The engine accepts the whole design.
    page.get_by_test_id("fd-publish").click()
    page.locator(".el-message-box__btns .el-button--primary").click()
    expect(page.locator(".el-message--success").last).to_contain_text("已发布 v1")
    assert FormVersion.objects.get(form=form, status="published").schema["layout"] == schema["layout"]

    # The designer in English.
    page.get_by_test_id("language-switch").click()
    page.get_by_test_id("lang-en").click()
    expect(page.get_by_test_id("fd-palette-text")).to_have_text("AaSingle-line text")
    page.get_by_test_id("fd-node-model").click()
    expect(page.get_by_test_id("fd-panel")).to_contain_text("Label (English)")
    expect(page.get_by_test_id("fd-publish")).to_have_text("Publish")
    _shot(page, screenshots, "fd-11-english")
    assert page.console_errors == []
