"""The 配置中心 pages for notifications and configuration bundles in a real browser, against real receivers on this
machine: an SMTP server (aiosmtpd) and an HTTP server that checks DingTalk, WeCom and webhook signatures the way
those services do (the fixtures of the notifications app's own tests).

1. An administrator configures an email channel pointing at the local SMTP server and sends a test (the message
   arrives), a DingTalk robot and a webhook whose tests reach the HTTP receiver signed, a WeCom robot whose test
   fails with the receiver's words; a webhook delivery that failed is found in the delivery log and retried;
   templates are edited with a variable inserted at the caret, refused in place, and previewed by the server.
2. The issue's "done when": export the configuration through the page, empty the instance of configuration,
   import the downloaded bundle through the page (the dry run lists everything that is not a migration seed as
   added), apply, export again — the two bundles are identical but for the manifest's time.

"Empty": a second database is not available to one live-server test, so the instance is emptied the way a new
installation starts — Django's ``flush`` (every table), then every data migration of ComplaintDesk run again
(roles, categories, shipped forms, processes, rules, SLA calendars and policy, alert rule, notification templates),
then the people the configuration names (users are not configuration; a bundle refers to them by username).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations.special import RunPython

from complaintdesk.accounts.actions import do_create_user
from complaintdesk.notifications.models import NotificationChannel, NotificationDelivery, NotificationTemplate
from complaintdesk.notifications.tests.conftest import (  # noqa: F401 (fixtures)
    DINGTALK_SECRET,
    DINGTALK_TOKEN,
    WEBHOOK_SECRET,
    Mailbox,
    Receiver,
    receiver,
    smtp_server,
)
from complaintdesk.tickets.actions import do_create_ticket
from complaintdesk.tickets.choices import Channel
from conftest import PASSWORD
from tests.browser.conftest import _OPEN_PAGES, new_page
from tests.browser.conftest import choose as _choose
from tests.browser.test_workspace import _after_login, _login
from tests.browser.test_workspace import _shot as shot
from tests.bundles.conftest import build_configuration

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
NO_PAGE_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"
LOG_ROWS = "document.querySelectorAll('[data-testid=deliveries-table] tbody tr.el-table__row').length"


def _shot(page: Any, screenshots: Path, name: str) -> None:
    shot(page, screenshots, f"nc-{name}")


def run_data_migrations() -> None:
    """Run every data migration (RunPython) of ComplaintDesk, in migration order, on an emptied database: what a
    freshly migrated database contains (not every seed may run twice: call it after a flush)."""
    loader = MigrationLoader(connection)
    seen: set[tuple[str, str]] = set()
    plan: list[tuple[str, str]] = []
    for leaf in loader.graph.leaf_nodes():
        for node in loader.graph.forwards_plan(leaf):
            if node not in seen:
                seen.add(node)
                plan.append(node)
    with connection.schema_editor() as editor:
        for node in plan:
            migration = loader.graph.nodes[node]
            if not type(migration).__module__.startswith("complaintdesk."):
                continue
            for operation in migration.operations:
                if isinstance(operation, RunPython):
                    operation.code(django_apps, editor)


def flush_to_new_installation() -> None:
    """Every table emptied, then what the migrations put into a new installation."""
    call_command("flush", interactive=False, verbosity=0)
    run_data_migrations()


@pytest.fixture
def migrated(transactional_db: None) -> None:
    """A database as migrations leave it (a previous live-server test flushed the seeds this test needs). Ask for it
    before ``org``."""
    flush_to_new_installation()


def _open_config_page(page: Any, item: str) -> None:
    """Through the sidebar, as a user would: 配置中心 → item."""
    if not page.get_by_test_id(f"nav-{item}").is_visible():
        page.get_by_test_id("nav-config").locator(".el-sub-menu__title").click()
    page.get_by_test_id(f"nav-{item}").click()


def _type_tag(page: Any, select: Any, value: str) -> None:
    """Add a value to a multiple select that allows new entries (recipients, event patterns)."""
    select.click()
    page.keyboard.type(value)
    page.keyboard.press("Enter")


def _tab(page: Any, name: str) -> None:
    page.get_by_test_id(f"tab-{name}").click()
    page.wait_for_url(f"**tab={name}**")


def _create_channel(page: Any, *, name: str, kind_label: str | None, settings: dict[str, str],
                    secrets: dict[str, str], tags: dict[str, str] | None = None) -> None:
    page.get_by_test_id("channel-create").click()
    dialog = page.get_by_test_id("channel-dialog")
    dialog.get_by_test_id("channel-name").fill(name)
    if kind_label:
        _choose(page, dialog.get_by_test_id("channel-kind"), kind_label)
    for key, value in (tags or {}).items():
        _type_tag(page, dialog.get_by_test_id(f"channel-setting-{key}"), value)
    for key, value in settings.items():
        field = dialog.get_by_test_id(f"channel-setting-{key}")
        (field.locator("input") if key == "port" else field).fill(value)
    for key, value in secrets.items():
        dialog.get_by_test_id(f"channel-secret-{key}").fill(value)
    dialog.get_by_test_id("channel-save").click()
    dialog.wait_for(state="hidden")
    page.get_by_test_id("channels-table").locator("tr", has_text=name).wait_for()


def _test_result(page: Any, channel: str) -> Any:
    page.get_by_test_id(f"channel-test-{channel}").click()
    result = page.get_by_test_id("channel-test-result")
    result.filter(has_text=channel).wait_for()
    return result


def test_channels_templates_log_and_webhooks_against_real_receivers(
        migrated: None, org: Any, live_server: Any, browser: Any, screenshots: Path,
        smtp_server: Mailbox, receiver: Receiver) -> None:  # noqa: F811
    page = new_page(browser, live_server, width=1366, height=768)
    _login(page, "admin")
    _after_login(page)
    _open_config_page(page, "admin-notifications")
    page.wait_for_url("**/settings/notifications")
    assert page.get_by_test_id("page-title").inner_text() == "通知设置"
    page.get_by_test_id("channels-tab").wait_for()
    smtp_port = smtp_server_port(smtp_server)

    # --- email through the local SMTP server ------------------------------------------------------------
    _create_channel(page, name="质量部邮件组", kind_label=None, tags={"to": "qa@example.com"},
                    settings={"host": "127.0.0.1", "port": str(smtp_port), "from_email": "cd@example.com"},
                    secrets={"password": "smtp-pass-never-shown"})
    row = page.get_by_test_id("channels-table").locator("tr", has_text="质量部邮件组")
    assert "已设置" in row.inner_text() and f"127.0.0.1:{smtp_port}" in row.inner_text()
    result = _test_result(page, "质量部邮件组")
    assert "测试消息已送达" in result.inner_text()
    [(sender, rcpts, message)] = smtp_server.messages
    assert sender == "cd@example.com" and rcpts == ["qa@example.com"]
    assert "测试消息" in str(message["Subject"]) and "质量部邮件组" in smtp_server.bodies()[0]
    # The secret never comes back: not in the list, not in the edit form.
    page.get_by_test_id("channel-edit-质量部邮件组").click()
    dialog = page.get_by_test_id("channel-dialog")
    assert dialog.get_by_test_id("channel-secret-password").input_value() == ""
    assert "已设置" in dialog.get_by_test_id("channel-secret-state-password").inner_text()
    dialog.get_by_test_id("channel-setting-from_email").fill("not-an-address")
    dialog.get_by_test_id("channel-save").click()
    dialog.locator(".el-form-item__error", has_text="邮箱地址").wait_for()  # the server's refusal, in place
    dialog.get_by_test_id("channel-setting-from_email").fill("cd@example.com")
    dialog.get_by_test_id("channel-save").click()
    dialog.wait_for(state="hidden")
    assert "smtp-pass-never-shown" not in page.content()

    # --- a DingTalk robot (signed) and a WeCom robot that refuses ---------------------------------------
    _create_channel(page, name="售后钉钉群", kind_label="钉钉群机器人",
                    settings={"base_url": f"{receiver.url}/robot/send"},
                    secrets={"access_token": DINGTALK_TOKEN, "secret": DINGTALK_SECRET})
    assert "测试消息已送达" in _test_result(page, "售后钉钉群").inner_text()
    assert receiver.requests[-1].path == "/robot/send" and receiver.requests[-1].verified
    _create_channel(page, name="企业微信群", kind_label="企业微信群机器人",
                    settings={"base_url": f"{receiver.url}/cgi-bin/webhook/send"}, secrets={"key": "a-wrong-key"})
    failed = _test_result(page, "企业微信群")
    assert "发送失败" in failed.inner_text() and "invalid webhook key" in failed.inner_text()
    _shot(page, screenshots, "01-channels")
    page.get_by_test_id("channel-edit-售后钉钉群").click()
    _shot(page, screenshots, "02-channel-dialog")
    page.get_by_test_id("channel-dialog").locator(".el-dialog__headerbtn").click()

    # --- a row's switch and delete: the WeCom channel switched off, then deleted after a confirmation that is
    # first declined (nothing happens) and then accepted.
    page.get_by_test_id("channel-active-企业微信群").click()
    page.locator(".el-message--success").filter(has_text="已停用").wait_for()
    assert NotificationChannel.objects.get(name="企业微信群").is_active is False
    page.get_by_test_id("channel-delete-企业微信群").click()
    page.locator(".el-message-box").get_by_role("button", name="取消").click()
    assert NotificationChannel.objects.filter(name="企业微信群").exists()
    page.get_by_test_id("channel-delete-企业微信群").click()
    page.locator(".el-message-box").get_by_role("button", name="删除").click()
    page.get_by_test_id("channels-table").locator("tr", has_text="企业微信群").wait_for(state="detached")
    assert not NotificationChannel.objects.filter(name="企业微信群").exists()

    # --- webhooks: a signed test reaches the receiver ---------------------------------------------------
    _tab(page, "webhooks")
    page.get_by_test_id("webhook-create").click()
    dialog = page.get_by_test_id("webhook-dialog")
    dialog.get_by_test_id("webhook-name").fill("ERP 对接")
    dialog.get_by_test_id("webhook-url").fill(f"{receiver.url}/erp")
    _type_tag(page, dialog.get_by_test_id("webhook-events"), "ticket.created")
    dialog.get_by_test_id("webhook-secret").fill(WEBHOOK_SECRET)
    dialog.get_by_test_id("webhook-save").click()
    dialog.wait_for(state="hidden")
    page.get_by_test_id("webhook-test-ERP 对接").click()
    page.get_by_test_id("webhook-test-result").filter(has_text="已送达").wait_for()
    assert receiver.requests[-1].path == "/erp" and receiver.requests[-1].verified
    assert receiver.requests[-1].json()["event"] == "notification.test"
    _shot(page, screenshots, "03-webhooks")

    # --- a real delivery fails (the receiver answers 500), shows in the log, and is retried -------------
    receiver.script = [500, 200]
    ticket, _ = do_create_ticket(actor=org.agent_a, subject="冰箱不制冷", channel=Channel.PHONE, customer=org.customer)
    failed_delivery = NotificationDelivery.objects.get(webhook__name="ERP 对接", event="ticket.created")
    assert failed_delivery.status == "failed" and failed_delivery.last_error.startswith("HTTP 500")
    page.get_by_test_id("webhook-deliveries-ERP 对接").click()
    page.wait_for_url("**tab=log**")
    page.get_by_test_id("log-webhook-filter").wait_for()
    table = page.get_by_test_id("deliveries-table")
    table.locator("tr", has_text="ticket.created").wait_for()
    _choose(page, page.get_by_test_id("log-status"), "失败待重试")
    page.wait_for_function(f"{LOG_ROWS} === 1")
    assert ticket.number in table.inner_text() and "HTTP 500" in table.inner_text()
    table.locator("tr.el-table__row").first.click()
    drawer = page.get_by_test_id("delivery-drawer")
    assert "HTTP 500" in drawer.get_by_test_id("detail-error").inner_text()
    assert drawer.get_by_test_id("detail-code").inner_text() == "500"
    assert ticket.number in drawer.inner_text()  # the event data that was sent
    _shot(page, screenshots, "04-delivery-detail")
    drawer.get_by_test_id("detail-retry").click()
    drawer.get_by_test_id("detail-status").filter(has_text="已送达").wait_for()
    failed_delivery.refresh_from_db()
    assert failed_delivery.status == "sent" and failed_delivery.response_code == 200
    assert receiver.requests[-1].json()["data"]["number"] == ticket.number and receiver.requests[-1].verified
    drawer.locator(".el-drawer__close-btn").click()
    # The failed test send is in the log too (tests are not retried: no button).
    page.get_by_test_id("log-webhook-filter").locator(".el-tag__close").click()
    page.get_by_test_id("log-status").locator(".el-select__wrapper").hover()
    page.get_by_test_id("log-status").locator(".el-select__clear").click()
    _choose(page, page.get_by_test_id("log-kind"), "企业微信群机器人")
    wecom = table.locator("tr.el-table__row", has_text="invalid webhook key")
    wecom.first.wait_for()
    assert wecom.locator("[data-testid^=log-retry-]").count() == 0
    page.get_by_test_id("log-kind").locator(".el-select__wrapper").hover()
    page.get_by_test_id("log-kind").locator(".el-select__clear").click()
    page.wait_for_function(f"{LOG_ROWS} >= 5")
    _shot(page, screenshots, "05-log")

    # --- templates: insert a variable at the caret, a refusal in place, the server's preview ------------
    _tab(page, "templates")
    page.get_by_test_id("template-search").fill("sla_breached")
    page.get_by_test_id("template-edit-sla_breached.any").click()
    dialog = page.get_by_test_id("template-dialog")
    body = dialog.get_by_test_id("template-body-zh-CN")
    original = body.input_value()
    body.click()
    body.press("Control+Home")
    dialog.get_by_test_id("var-event.target").click()
    assert body.input_value() == "{{ event.target }}" + original
    body.press("Control+End")
    page.keyboard.type("\n{% load evil %}")
    dialog.get_by_test_id("template-save").click()
    dialog.locator(".el-form-item__error", has_text="load").wait_for()
    assert NotificationTemplate.objects.get(key="sla_breached", channel_kind="any", locale="zh-CN").body == original
    body.fill("{{ event.target }} " + original)
    dialog.get_by_test_id("template-preview-run").click()
    output = dialog.get_by_test_id("preview-output")
    output.wait_for()
    assert "\nresolution 工单" in output.inner_text()  # the sample event data, rendered by the server
    assert NotificationTemplate.objects.get(key="sla_breached", channel_kind="any", locale="zh-CN").body.startswith(
        "{{ event.target }}")
    dialog.get_by_test_id("preview-mode-ticket").click()
    _choose(page, dialog.get_by_test_id("preview-ticket"), ticket.number)
    dialog.get_by_test_id("template-preview-run").click()
    dialog.get_by_test_id("preview-output").filter(has_text=ticket.number).wait_for()
    _shot(page, screenshots, "06-template-editor")
    dialog.locator(".el-dialog__headerbtn").click()
    _shot(page, screenshots, "07-templates")

    # --- subscriptions ---------------------------------------------------------------------------------
    _tab(page, "rules")
    page.get_by_test_id("rule-create").click()
    dialog = page.get_by_test_id("rule-dialog")
    dialog.get_by_test_id("rule-name").fill("超时通报售后群")
    _choose(page, dialog.get_by_test_id("rule-event"), "sla.breached")
    _choose(page, dialog.get_by_test_id("rule-channel"), "售后钉钉群")
    _choose(page, dialog.get_by_test_id("rule-template"), "sla_breached")
    dialog.get_by_test_id("rule-save").click()
    dialog.wait_for(state="hidden")
    page.get_by_test_id("rules-table").locator("tr", has_text="超时通报售后群").wait_for()
    _shot(page, screenshots, "08-rules")

    # --- in English: the template editor with its variables ----------------------------------------------
    page.evaluate("localStorage.setItem('cd.locale', 'en')")
    page.goto("/settings/notifications?tab=templates")
    page.get_by_test_id("template-edit-customer_ack.any").click()
    dialog = page.get_by_test_id("template-dialog")
    dialog.get_by_test_id("template-locale-en").click()
    assert "Ticket number" in dialog.get_by_test_id("template-variables").inner_text()
    dialog.get_by_test_id("template-preview-run").click()
    dialog.get_by_test_id("preview-output").wait_for()
    _shot(page, screenshots, "09-en-template-editor")
    assert page.console_errors == []

    # --- a phone: every tab fits the width ---------------------------------------------------------------
    phone = new_page(browser, live_server, **PHONE)
    _login(phone, "admin")
    _after_login(phone, "/settings/notifications")
    for n, tab in enumerate(["channels", "templates", "rules", "log", "webhooks"], start=1):
        phone.goto(f"/settings/notifications?tab={tab}")
        phone.get_by_test_id(f"{'deliveries' if tab == 'log' else tab}-tab").wait_for()
        phone.locator(".el-table__row").first.wait_for()
        _shot(phone, screenshots, f"1{n}-phone-{tab}")
        assert phone.evaluate(NO_PAGE_SCROLL), tab
    phone.goto("/settings/notifications?tab=templates")
    phone.get_by_test_id("template-edit-sla_breached.any").click()
    phone.get_by_test_id("template-body-zh-CN").wait_for()
    _shot(phone, screenshots, "16-phone-template-editor")
    assert phone.console_errors == []

    # --- without notification.admin: the menu has no entry and the API refuses (the page says so) -----------
    agent = new_page(browser, live_server, width=1366, height=768)
    _login(agent, "agent_a")
    _after_login(agent)
    assert agent.get_by_test_id("nav-admin-notifications").count() == 0
    agent.goto("/settings/notifications")
    assert "权限" in agent.get_by_test_id("error-state").inner_text()


def smtp_server_port(mailbox: Mailbox) -> int:
    """The port of the local SMTP server (the fixture points Django's settings at it)."""
    from django.conf import settings

    return int(settings.EMAIL_PORT)


# --- configuration bundles ----------------------------------------------------------------------------------


def _bundle_files(data: bytes) -> dict[str, Any]:
    """The files of a bundle; the manifest parsed and without its ``created`` time (the only part that may differ)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files: dict[str, Any] = {name: archive.read(name) for name in archive.namelist()}
    manifest = yaml.safe_load(files["manifest.yaml"])
    manifest.pop("created", None)
    files["manifest.yaml"] = manifest
    return files


def _export(page: Any, path: Path) -> bytes:
    with page.expect_download() as info:
        page.get_by_test_id("config-export").click()
    info.value.save_as(path)
    page.get_by_test_id("export-done").wait_for()
    return path.read_bytes()


def _empty_the_instance() -> None:
    """Every table emptied, then what migrations and the operators put in a new installation."""
    flush_to_new_installation()
    do_create_user(username="admin", password=PASSWORD, display_name="Admin", is_superuser=True, actor=None)
    for username in ("supervisor", "quality"):  # named by the configuration (escalation, alert owners)
        do_create_user(username=username, password=PASSWORD, display_name=username.title(), actor=None)


def test_export_empty_import_apply_export_gives_the_same_bundle(
        migrated: None, org: Any, live_server: Any, browser: Any, screenshots: Path, tmp_path: Path) -> None:
    seeded_keys = _all_keys()  # what a new installation has (plus org's taxonomy, which the bundle carries too)
    build_configuration(org)
    page = new_page(browser, live_server, width=1366, height=768)
    _login(page, "admin")
    _after_login(page)
    _open_config_page(page, "admin-config")
    page.wait_for_url("**/settings/config")
    page.get_by_test_id("config-templates").locator("tr.el-table__row").nth(4).wait_for()
    assert {"电商", "制造业", "建筑工程", "汽车4S", "医疗器械"} <= set(
        page.get_by_test_id("config-templates").locator(".cd-strong").all_inner_texts())
    _shot(page, screenshots, "20-config")
    first = _export(page, tmp_path / "first.zip")
    bundle_keys = _keys_of(first)
    assert "测试规则" in bundle_keys["rules"] and "bt-form" in bundle_keys["forms"]

    # --- empty the instance (the page is closed first: no request may hold a transaction during the flush) --
    for open_page in list(_OPEN_PAGES):
        open_page.wait_for_load_state("networkidle")
        open_page.context.close()
        _OPEN_PAGES.remove(open_page)
    _empty_the_instance()
    after_flush = _all_keys()
    assert "测试规则" not in after_flush["rules"] and "bt-form" not in after_flush["forms"]
    expected_added = sum(len(set(keys) - set(after_flush.get(kind, []))) for kind, keys in bundle_keys.items())
    expected_unchanged = sum(len(set(keys) & set(after_flush.get(kind, []))) for kind, keys in bundle_keys.items())
    assert expected_added > 20 and set(seeded_keys["forms"]) <= set(after_flush["forms"])

    # --- import the downloaded bundle through the page: the dry run, then apply --------------------------------
    page = new_page(browser, live_server, width=1366, height=768)
    _login(page, "admin")
    _after_login(page, "/settings/config")
    page.get_by_test_id("config-upload").locator("input[type=file]").set_input_files(str(tmp_path / "first.zip"))
    assert page.get_by_test_id("config-file").inner_text() == "first.zip"
    page.get_by_test_id("config-dry-run").click()
    page.get_by_test_id("plan").wait_for()
    assert page.get_by_test_id("plan-total-added").inner_text() == f"新增 {expected_added}"
    assert page.get_by_test_id("plan-total-changed").inner_text() == "修改 0"
    assert page.get_by_test_id("plan-total-removed").inner_text() == "移除 0"
    assert page.get_by_test_id("plan-total-unchanged").inner_text() == f"不变 {expected_unchanged}"
    rules = page.get_by_test_id("plan-kind-rules")
    assert "测试规则" in rules.inner_text()
    shown_added = set(page.get_by_test_id("plan-added-key").all_inner_texts())
    assert {"测试规则", "bt-form", "bt-process", "测试策略", "测试邮件组", "测试回调", "bt_note.any.zh-CN"
            } <= shown_added
    assert "测试规则" not in _all_keys()["rules"]  # a dry run changes nothing
    _shot(page, screenshots, "21-import-plan")
    page.get_by_test_id("config-apply").click()
    page.locator(".el-message-box").get_by_role("button", name="应用").click()
    page.get_by_test_id("plan-applied").wait_for()
    assert "测试规则" in _all_keys()["rules"]
    _shot(page, screenshots, "22-import-applied")

    # --- export again: the same files ----------------------------------------------------------------------
    second = _export(page, tmp_path / "second.zip")
    assert _bundle_files(second) == _bundle_files(first)

    # --- importing it again changes nothing; a broken bundle is refused with its problems, on a phone ------------
    page.get_by_test_id("config-upload").locator("input[type=file]").set_input_files(str(tmp_path / "second.zip"))
    page.get_by_test_id("config-dry-run").click()
    everything = expected_added + expected_unchanged
    page.get_by_test_id("plan-total-unchanged").filter(has_text=f"不变 {everything}").wait_for()
    assert page.get_by_test_id("plan-total-added").inner_text() == "新增 0"
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(io.BytesIO(first)) as source, zipfile.ZipFile(broken, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "rules/测试规则.yaml":
                data = data.replace(b"events:", b"surprise: 1\nevents:")
            target.writestr(name, data)
    phone = new_page(browser, live_server, **PHONE)
    _login(phone, "admin")
    _after_login(phone, "/settings/config")
    phone.get_by_test_id("config-templates").locator("tr.el-table__row").first.wait_for()
    _shot(phone, screenshots, "23-phone-config")
    assert phone.evaluate(NO_PAGE_SCROLL)
    phone.get_by_test_id("config-upload").locator("input[type=file]").set_input_files(str(broken))
    phone.get_by_test_id("config-dry-run").click()
    phone.get_by_test_id("plan-refused").wait_for()
    problems = phone.get_by_test_id("plan-problem-file")
    assert "rules/测试规则.yaml" in problems.first.inner_text()
    _shot(phone, screenshots, "24-phone-refused")
    # An industry template's dry run on the phone: the plan, every object added.
    phone.get_by_test_id("template-dry-run-medical_devices").click()
    phone.get_by_test_id("plan-totals").wait_for()
    assert phone.get_by_test_id("plan-total-changed").inner_text() == "修改 0"
    assert phone.get_by_test_id("plan-added-key").filter(has_text="md-").count() > 5
    _shot(phone, screenshots, "25-phone-template-plan")
    assert phone.evaluate(NO_PAGE_SCROLL)
    # In English: a template's plan on the desktop.
    page.evaluate("localStorage.setItem('cd.locale', 'en')")
    page.reload()
    page.get_by_test_id("template-dry-run-ecommerce").click()
    page.get_by_test_id("plan-total-added").filter(has_text="Added").wait_for()
    assert "Industry template: E-commerce" in page.get_by_test_id("plan-card").inner_text()
    _shot(page, screenshots, "26-en-template-plan")
    assert page.console_errors == [] and phone.console_errors == []


def _keys_of(data: bytes) -> dict[str, list[str]]:
    """The natural keys per kind of a bundle, as the importer reads it."""
    from complaintdesk.bundles.actions import parse_bundle
    from complaintdesk.bundles.format import read_zip

    parsed = parse_bundle(read_zip(data))
    assert not parsed.problems, parsed.problems
    return {kind: sorted(docs) for kind, docs in parsed.docs.items()}


def _all_keys() -> dict[str, list[str]]:
    """The natural keys per kind of the configuration in this instance now."""
    from complaintdesk.bundles.actions import export_documents
    from complaintdesk.bundles.kinds import KINDS

    return {name: sorted(docs) for name, docs in export_documents(list(KINDS)).items()}
