"""The administration pages (系统管理) in a real browser: an administrator creates a user, changes a role's
permissions in the matrix (and the user's menu follows), extends the category taxonomy, finds all of it in
the audit log filtered by actor, resets a password and deactivates the account. Every admin page leaves a
screenshot at 1366×768, and the read-mostly pages one at 390×844.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from complaintdesk.accounts.models import ApiToken, Role, User
from complaintdesk.forms.actions import do_create_form, do_publish_draft, do_save_draft
from complaintdesk.forms.models import FieldPermission
from complaintdesk.tickets.models import Category
from conftest import PASSWORD
from tests.browser.conftest import choose as _choose
from tests.browser.conftest import new_page
from tests.browser.conftest import pick as _pick
from tests.browser.test_workspace import _after_login, _login
from tests.browser.test_workspace import _shot as shot

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "Lily-2026-secure!"
NO_PAGE_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def _shot(page: Any, screenshots: Path, name: str) -> None:
    shot(page, screenshots, f"admin-{name}")


def _open_admin(page: Any, item: str) -> None:
    """Through the sidebar, as a user would: 系统管理 → item."""
    submenu = page.get_by_test_id("nav-admin")
    if not page.get_by_test_id(f"nav-{item}").is_visible():
        submenu.locator(".el-sub-menu__title").click()
    page.get_by_test_id(f"nav-{item}").click()


def _form_with_fields(org: Any) -> None:
    form = do_create_form(key="after_sales", name="售后登记表", actor=org.admin)
    do_save_draft(form, schema={"fields": [
        {"key": "phone_no", "type": "text", "label": {"zh-CN": "联系电话", "en": "Phone"}},
        {"key": "amount", "type": "money", "label": {"zh-CN": "涉及金额", "en": "Amount"}},
    ]}, actor=org.admin)
    do_publish_draft(form, actor=org.admin)


def test_admin_manages_users_roles_categories_and_reads_the_audit(org: Any, live_server: Any, browser: Any,
                                                                    screenshots: Path) -> None:
    _form_with_fields(org)
    admin = new_page(browser, live_server, width=1366, height=768)
    _login(admin, "admin")
    _after_login(admin)

    # --- users: create one with a role and a department; the password policy speaks first --------------
    _open_admin(admin, "admin-users")
    admin.wait_for_url("**/settings/users")
    admin.get_by_test_id("users-table").locator("tbody tr").first.wait_for()
    assert admin.get_by_test_id("page-title").inner_text() == "用户管理"
    _shot(admin, screenshots, "01-users")
    admin.get_by_test_id("user-create").click()
    dialog = admin.get_by_test_id("user-dialog")
    dialog.get_by_test_id("user-username").fill("lily")
    dialog.get_by_test_id("user-display-name").fill("李莉")
    dialog.get_by_test_id("user-password").fill("12345678")
    _choose(admin, dialog.get_by_test_id("user-department"), "售后部")
    _choose(admin, dialog.get_by_test_id("user-roles"), "处理人")
    dialog.locator(".el-dialog__title").click()  # closes the dropdown, not the dialog
    dialog.get_by_test_id("user-save").click()
    problem = dialog.locator(".el-form-item__error")
    problem.wait_for()
    assert "密码" in problem.inner_text() or "password" in problem.inner_text().lower(), problem.inner_text()
    assert not User.objects.filter(username="lily").exists()
    _shot(admin, screenshots, "02-user-password-policy")
    dialog.get_by_test_id("user-password").fill(PASSWORD)
    dialog.get_by_test_id("user-save").click()
    dialog.wait_for(state="hidden")
    admin.get_by_test_id("user-edit-lily").wait_for()
    lily = User.objects.get(username="lily")
    assert lily.display_name == "李莉" and lily.department == org.after_sales
    assert list(lily.roles.values_list("key", flat=True)) == ["handler"]

    # The new user signs in: a handler has no administration menu.
    user = new_page(browser, live_server, width=1366, height=768)
    _login(user, "lily")
    _after_login(user)
    user.get_by_test_id("nav-tickets").wait_for()
    assert user.get_by_test_id("nav-admin").count() == 0

    # --- roles: grant category management to handlers in the matrix; the user's menu follows -----------
    _open_admin(admin, "admin-roles")
    matrix = admin.get_by_test_id("permission-matrix")
    matrix.wait_for()
    cell = admin.get_by_test_id("perm-handler-category.manage")
    assert "is-checked" not in (cell.get_attribute("class") or "")
    cell.click()
    assert admin.get_by_test_id("matrix-dirty").inner_text() == "1 个角色有未保存的修改"
    _shot(admin, screenshots, "03-roles-matrix")
    admin.get_by_test_id("matrix-save").click()
    admin.get_by_test_id("matrix-dirty").wait_for(state="detached")
    assert "category.manage" in Role.objects.get(key="handler").permissions

    user.reload()
    _open_admin(user, "admin-categories")
    user.wait_for_url("**/settings/categories")
    user.get_by_test_id("category-tree").wait_for()
    assert user.get_by_test_id("nav-admin-users").count() == 0  # only what the role allows

    # --- categories: the administrator adds a child under 产品质量 -------------------------------------
    parent = Category.objects.filter(parent__isnull=True, is_active=True).order_by("sort_order", "id").first()
    assert parent is not None
    _open_admin(admin, "admin-categories")
    admin.get_by_test_id(f"category-add-{parent.key}").click()
    cat_dialog = admin.get_by_test_id("category-dialog")
    cat_dialog.get_by_test_id("category-key").fill("screen_flicker")
    cat_dialog.get_by_test_id("category-name").fill("屏幕闪烁")
    cat_dialog.get_by_test_id("category-name-en").fill("Screen flicker")
    cat_dialog.get_by_test_id("category-save").click()
    admin.get_by_test_id("category-screen_flicker").wait_for()
    child = Category.objects.get(key="screen_flicker")
    assert child.parent_id == parent.pk and child.path == f"{parent.path}{child.pk}/"
    assert child.name_en == "Screen flicker"
    _shot(admin, screenshots, "04-categories")

    # --- roles again: taking the permission away removes the menu, and the page refuses ---------------
    _open_admin(admin, "admin-roles")
    admin.get_by_test_id("perm-handler-category.manage").click()
    admin.get_by_test_id("matrix-save").click()
    admin.get_by_test_id("matrix-dirty").wait_for(state="detached")
    assert "category.manage" not in Role.objects.get(key="handler").permissions
    user.reload()
    user.get_by_test_id("error-state").wait_for()  # the API now answers 403 on this page
    assert "权限" in user.get_by_test_id("error-state").inner_text()
    assert user.get_by_test_id("nav-admin").count() == 0
    assert user.console_errors == []

    # --- the audit log, filtered by actor -----------------------------------------------------------------
    _open_admin(admin, "admin-audit")
    admin.get_by_test_id("audit-table").wait_for()
    admin.get_by_test_id("audit-actor").click()
    admin.keyboard.type("admin")
    _pick(admin, "(admin)")
    admin.get_by_test_id("audit-apply").click()
    admin.wait_for_url(f"**/settings/audit?actor={org.admin.pk}")
    admin.wait_for_function("""!document.querySelector('[data-testid=audit-table] .el-loading-mask')""")
    rows = admin.get_by_test_id("audit-table").locator("tbody tr.el-table__row")
    rows.first.wait_for()
    texts = rows.all_inner_texts()
    assert any("创建用户" in t and "#" + str(lily.pk) in t for t in texts), texts
    assert sum("修改角色" in t for t in texts) == 2, texts
    assert any("创建分类" in t for t in texts), texts
    assert all("系统" not in t.split("\t")[1:3] for t in texts)
    # The latest role change, expanded: before and after of its permissions.
    role_row = rows.filter(has_text="修改角色").first
    role_row.locator(".el-table__expand-icon").click()
    diff = admin.locator(".cd-diff").first
    diff.wait_for()
    assert "permissions" in diff.inner_text() and "category.manage" in diff.inner_text()
    _shot(admin, screenshots, "05-audit")
    # Another actor's filter shows none of these.
    admin.goto(f"/settings/audit?actor={org.supervisor.pk}")
    admin.get_by_test_id("audit-table").locator(".el-empty").wait_for()

    # --- the remaining pages: organisation, field rights, tokens, products ---------------------------------
    _open_admin(admin, "admin-org")
    admin.get_by_test_id("departments").get_by_text("维修组").wait_for()
    _shot(admin, screenshots, "06-org")

    _open_admin(admin, "admin-field-rights")
    _choose(admin, admin.get_by_test_id("form-pick"), "售后登记表")
    grid = admin.get_by_test_id("field-rights-grid")
    grid.wait_for()
    admin.get_by_test_id("cell-phone_no-agent").click()
    _pick(admin, "隐藏")
    admin.get_by_test_id("field-rights-save").click()
    # Saved and reloaded: nothing left to save, and the button no longer spinning.
    admin.wait_for_function("""(() => { const b = document.querySelector('[data-testid=field-rights-save]');
        return b.disabled && !b.classList.contains('is-loading') })()""")
    rule = FieldPermission.objects.get()
    assert (rule.field_key, rule.role.key, rule.access) == ("phone_no", "agent", "hidden")
    _shot(admin, screenshots, "07-field-rights")

    _open_admin(admin, "admin-tokens")
    admin.get_by_test_id("token-create").click()
    admin.get_by_test_id("token-name").fill("ERP 同步")
    admin.get_by_test_id("token-submit").click()
    secret = admin.get_by_test_id("token-secret").input_value()
    assert secret.startswith("cd_")
    token = ApiToken.objects.get(name="ERP 同步")
    assert token.user == org.admin and secret[3:11] == token.prefix
    _shot(admin, screenshots, "08-token-created")
    admin.keyboard.press("Escape")
    admin.get_by_test_id("token-revoke-ERP 同步").click()
    admin.locator(".el-message-box .el-button--primary").click()
    admin.get_by_test_id("token-revoke-ERP 同步").wait_for(state="detached")
    token.refresh_from_db()
    assert token.revoked_at is not None
    _shot(admin, screenshots, "09-tokens")

    _open_admin(admin, "admin-products")
    admin.get_by_test_id("products-table").get_by_text("PH-001").wait_for()
    line = org.product.line
    admin.get_by_test_id(f"line-edit-{line.pk}").click()
    admin.get_by_test_id("line-name").fill("手机")
    admin.get_by_test_id("line-save").click()
    admin.get_by_test_id("products-table").get_by_text("手机", exact=True).wait_for()
    line.refresh_from_db()
    assert line.name == "手机"
    _shot(admin, screenshots, "10-products")
    assert admin.console_errors == []


def test_admin_resets_a_password_and_deactivates_the_account(org: Any, live_server: Any, browser: Any,
                                                              screenshots: Path) -> None:
    admin = new_page(browser, live_server, width=1366, height=768)
    _login(admin, "admin")
    _after_login(admin)
    admin.goto("/settings/users")

    # A generated one-time password, shown once, works for the user.
    admin.get_by_test_id("user-reset-handler").click()
    reset = admin.get_by_test_id("reset-dialog")
    reset.get_by_test_id("reset-submit").click()
    generated = reset.get_by_test_id("reset-result").input_value()
    assert len(generated) == 14
    _shot(admin, screenshots, "11-password-reset")
    reset.get_by_role("button", name="关闭", exact=True).click()
    user = new_page(browser, live_server, width=1366, height=768)
    _login(user, "handler", generated)
    _after_login(user)
    user.context.close()

    # Deactivated: the account can no longer sign in.
    admin.get_by_test_id("user-deactivate-handler").click()
    admin.locator(".el-message-box .el-button--primary").click()
    admin.get_by_test_id("user-deactivate-handler").wait_for(state="detached")  # the default filter: active users
    assert not User.objects.get(username="handler").is_active
    user = new_page(browser, live_server, width=1366, height=768)
    _login(user, "handler", generated)
    user.get_by_test_id("login-error").wait_for()

    # Reactivated from the "deactivated" filter.
    _choose(admin, admin.get_by_test_id("user-active-filter"), "已停用")
    admin.get_by_test_id("user-reactivate-handler").click()
    admin.get_by_test_id("user-reactivate-handler").wait_for(state="detached")
    assert User.objects.get(username="handler").is_active

    # Skills and working hours for assignment: away, weekdays 09:00-18:00, skilled at 功能故障.
    _choose(admin, admin.get_by_test_id("user-active-filter"), "在职")
    admin.get_by_test_id("user-profile-handler").click()
    drawer = admin.get_by_test_id("profile-drawer")
    drawer.get_by_text("离开", exact=True).click()
    drawer.get_by_test_id("profile-restricted").click()
    drawer.get_by_test_id("profile-add-skill").click()
    _choose(admin, drawer.get_by_test_id("skill-value-0"), "功能故障")
    _shot(admin, screenshots, "12-skills-hours")
    drawer.get_by_test_id("profile-save").click()
    drawer.wait_for(state="hidden")
    handler = User.objects.get(username="handler")
    assert handler.availability == "away"
    assert handler.working_hours == {d: [["09:00", "18:00"]] for d in ("1", "2", "3", "4", "5")}
    assert [(s.category.key if s.category else None, s.level) for s in handler.skills.all()] == [("malfunction", 3)]
    assert admin.console_errors == []


def test_admin_pages_are_readable_on_a_phone(org: Any, live_server: Any, browser: Any, screenshots: Path) -> None:
    page = new_page(browser, live_server, width=390, height=844)
    _login(page, "admin")
    _after_login(page)
    for name, path, ready in (
        ("users", "/settings/users", "[data-testid=users-table] tbody tr"),
        ("org", "/settings/org", "[data-testid=departments] .el-tree-node"),
        ("roles", "/settings/roles", "[data-testid=permission-matrix]"),
        ("categories", "/settings/categories", "[data-testid=category-tree] .el-tree-node"),
        ("audit", "/settings/audit", "[data-testid=audit-table] tbody tr"),
    ):
        page.goto(path)
        page.locator(ready).first.wait_for()
        assert page.evaluate(NO_PAGE_SCROLL), f"{path} scrolls sideways"
        _shot(page, screenshots, f"phone-{name}")
    # The drawer menu holds the administration entries too.
    page.get_by_test_id("menu-toggle").click()
    page.locator(".cd-drawer").get_by_test_id("nav-admin").locator(".el-sub-menu__title").click()
    page.locator(".cd-drawer").get_by_test_id("nav-admin-audit").click()
    page.wait_for_url("**/settings/audit")
    assert page.console_errors == []


def test_admin_pages_in_english(org: Any, live_server: Any, browser: Any, screenshots: Path) -> None:
    page = new_page(browser, live_server, width=1366, height=768, locale="en")
    _login(page, "admin")
    _after_login(page)
    page.evaluate("localStorage.setItem('cd.locale', 'en')")
    page.goto("/settings/roles")
    page.get_by_test_id("permission-matrix").wait_for()
    assert page.get_by_test_id("page-title").inner_text() == "Roles & permissions"
    assert page.get_by_test_id("role-col-admin").inner_text().startswith("Administrator")
    assert "View tickets" in page.get_by_test_id("permission-matrix").inner_text()
    _shot(page, screenshots, "en-roles")
    page.goto("/settings/users")
    page.get_by_test_id("user-edit-agent_a").wait_for()
    assert "Service agent" in page.get_by_test_id("users-table").inner_text()
    _shot(page, screenshots, "en-users")
    assert page.console_errors == []
