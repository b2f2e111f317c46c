"""Field permissions (字段级权限) in the browser: a form field hidden from a role is absent from that
role's ticket page and present for another role; a read-only field is shown locked.

The rules are set the way an administrator sets them, through ``PUT /forms/{id}/field-permissions``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from complaintdesk.accounts.models import Role
from complaintdesk.forms.actions import do_create_form, do_publish_draft, do_save_draft
from complaintdesk.tickets.actions import do_create_ticket
from tests.browser.conftest import new_page
from tests.browser.test_workspace import _login, _shot

pytestmark = pytest.mark.django_db(transaction=True)

SCHEMA: dict[str, Any] = {
    "fields": [
        {"key": "kind", "type": "radio", "label": {"zh-CN": "诉求类型", "en": "Request type"},
         "options": [{"value": "refund", "label": {"zh-CN": "退款", "en": "Refund"}},
                     {"value": "repair", "label": {"zh-CN": "维修", "en": "Repair"}}]},
        {"key": "compensation", "type": "money", "label": {"zh-CN": "补偿金额", "en": "Compensation"}},
        {"key": "supplier_cost", "type": "money", "label": {"zh-CN": "供应商索赔成本", "en": "Supplier claim cost"}},
    ],
}


def _open_ticket(browser: Any, live_server: Any, username: str, ticket_id: int, *, width: int = 1366,
                 height: int = 768) -> Any:
    page = new_page(browser, live_server, width=width, height=height)
    _login(page, username)
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(f"/tickets/{ticket_id}")
    page.locator("[data-testid=ticket-form-data] [data-field=kind]").wait_for()
    return page


def test_hidden_field_is_absent_for_the_role_and_read_only_is_locked(org: Any, live_server: Any, browser: Any,
                                                                       screenshots: Path) -> None:
    form = do_create_form(key="claim", name="索赔登记", actor=org.admin)
    do_save_draft(form, schema=SCHEMA, actor=org.admin)
    version = do_publish_draft(form, actor=org.admin)
    agent_role = Role.objects.get(key="agent")
    admin = org.client(org.admin)
    response = admin.put(f"forms/{form.pk}/field-permissions", {"rules": [
        {"field_key": "supplier_cost", "role_id": agent_role.pk, "access": "hidden"},
        {"field_key": "compensation", "role_id": agent_role.pk, "access": "read_only"},
    ]})
    assert response.status_code == 200, response.json()
    # Registered by the supervisor (the agent may not fill either field), handled by agent A.
    ticket, _ = do_create_ticket(actor=org.supervisor, subject="洗衣机漏水要求索赔", customer=org.customer,
                                 channel="phone", assignee=org.agent_a, team=org.team_a, form_version=version,
                                 values={"kind": "refund", "compensation": "300.00", "supplier_cost": "1875.50"})

    # The agent: no trace of the hidden field (label or value); the read-only one carries a lock.
    page = _open_ticket(browser, live_server, "agent_a", ticket.pk)
    form_data = page.get_by_test_id("ticket-form-data")
    assert form_data.locator("[data-field=supplier_cost]").count() == 0
    text = form_data.inner_text()
    assert "供应商索赔成本" not in text and "1875" not in text
    assert "1875" not in page.content()  # not hidden by CSS: never sent to this browser
    assert "300" in form_data.locator("[data-field=compensation]").inner_text()
    locks = form_data.get_by_test_id("field-locked")
    assert locks.count() == 1 and locks.first.get_attribute("data-locked-field") == "compensation"
    locks.first.hover()
    page.get_by_role("tooltip").filter(has_text="只读").wait_for()
    _shot(page, screenshots, "field-rights-01-agent")
    assert page.console_errors == []

    # Editing: the same rights in the form (hidden absent, read-only locked); only what changed is saved.
    page.get_by_test_id("ticket-form-edit").click()
    editor = page.get_by_test_id("ticket-form-editor")
    editor.locator("[data-field=kind]").wait_for()
    assert editor.locator("[data-field=supplier_cost]").count() == 0
    assert editor.locator("[data-field=compensation] input").is_disabled()
    editor.locator("[data-field=kind]").get_by_text("维修").click()
    page.get_by_text("已修改 1 处").wait_for()
    _shot(page, screenshots, "field-rights-01b-agent-editing")
    page.get_by_test_id("ticket-form-save").click()
    page.get_by_test_id("ticket-form-editor").wait_for(state="detached")
    form_data.locator("[data-field=kind]").filter(has_text="维修").wait_for()
    ticket.refresh_from_db()
    assert ticket.data["kind"] == "repair"
    assert (ticket.data["compensation"], ticket.data["supplier_cost"]) == ("300.00", "1875.50")
    assert page.console_errors == []

    # The supervisor (no rule for their role): both fields, nothing locked.
    page = _open_ticket(browser, live_server, "supervisor", ticket.pk)
    form_data = page.get_by_test_id("ticket-form-data")
    assert form_data.locator("[data-field=supplier_cost]").inner_text() == "¥1875.50"
    assert "供应商索赔成本" in form_data.inner_text()
    assert form_data.get_by_test_id("field-locked").count() == 0
    _shot(page, screenshots, "field-rights-02-supervisor")

    # The agent on a phone: still hidden, still locked.
    page = _open_ticket(browser, live_server, "agent_a", ticket.pk, width=390, height=844)
    form_data = page.get_by_test_id("ticket-form-data")
    assert form_data.locator("[data-field=supplier_cost]").count() == 0
    assert form_data.get_by_test_id("field-locked").count() == 1
    _shot(page, screenshots, "field-rights-03-agent-phone")
    assert page.console_errors == []
