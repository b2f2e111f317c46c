"""Browser tests: Debian's Chromium driven by Playwright against a live server of the built web app.

They need ``/usr/bin/chromium`` (CI installs it, see ``.ci/run``) and the front-end build
(``make frontend``; ``make test`` builds it first). Without Chromium they are skipped with that
reason; a missing build is a failure, because it would hide a broken UI.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.conf import settings

# Playwright's sync API runs an event loop in this thread; Django would then refuse the ORM calls
# the tests make between page steps (set-up through actions). They are plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CD_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-dev-shm-usage"]
BUILD_INDEX = Path(settings.BASE_DIR) / "static" / "app" / "index.html"

# Data migrations seed roles and categories; a transactional (live server) test empties the
# tables afterwards, so each test seeds them again (as tests/test_concurrency.py does).
SEEDS = (("complaintdesk.accounts.migrations.0002_default_roles", "seed_roles"),
         ("complaintdesk.tickets.migrations.0002_seed_and_search", "seed_categories"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    skip = None
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        skip = pytest.mark.skip(reason=f"Chromium not installed ({CHROMIUM}); `apt-get install chromium` (CI does)")
    else:
        try:
            import playwright  # noqa: F401
        except ImportError:
            skip = pytest.mark.skip(reason="playwright not installed: pip install -e '.[dev]'")
    if skip is None:
        return
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _seeded(transactional_db: None) -> None:
    for module, name in SEEDS:
        getattr(importlib.import_module(module), name)(django_apps, None)


# Pages opened by new_page in the running test; closed before its database is flushed (see below).
_OPEN_PAGES: list[Any] = []


@pytest.fixture(autouse=True)
def _close_pages(_seeded: None) -> Iterator[None]:
    """Let each page's requests finish, then close its context, before the test's database is emptied.

    A page still loading when the test ends keeps live-server threads inside transactions; PostgreSQL's
    TRUNCATE at teardown then deadlocks with them (seen once in CI). Torn down before ``_seeded`` and the
    flush, because it depends on them.
    """
    yield
    while _OPEN_PAGES:
        page = _OPEN_PAGES.pop()
        # A page already closed by the test, or one that never goes idle: closing the context ends it either way.
        with contextlib.suppress(Exception):
            page.wait_for_load_state("networkidle", timeout=5_000)
        with contextlib.suppress(Exception):
            page.context.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not BUILD_INDEX.is_file():
        pytest.fail(f"the web app is not built ({BUILD_INDEX} missing): run `make frontend`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where the tests leave a screenshot of every page they visit (CD_SCREENSHOT_DIR, else under CD_DATA_DIR)."""
    path = Path(os.environ.get("CD_SCREENSHOT_DIR") or settings.DATA_DIR / "screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def new_page(browser: Any, live_server: Any, *, width: int, height: int, locale: str = "zh-CN") -> Any:
    """A fresh browser context (own cookies and storage) and its page, with console errors collected."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale=locale,
                                  base_url=live_server.url, timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.console_errors = []  # type: ignore[attr-defined]
    # Script errors only: "Failed to load resource" is the browser noting an HTTP error status,
    # which the tests check through what the page shows (a 401 from /me before signing in is normal).
    page.on("console", lambda msg: msg.type == "error" and not msg.text.startswith("Failed to load resource")
            and page.console_errors.append(msg.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    _OPEN_PAGES.append(page)
    return page


# The open Element Plus dropdown only: one still fading out after an earlier choice is aria-hidden, and a click
# resolved into it waits for an element that never becomes visible again.
OPEN_DROPDOWN = ".el-popper[aria-hidden=false] .el-select-dropdown"


def pick(page: Any, *options: str | re.Pattern[str]) -> None:
    """Click options (text contained, or a pattern) of the open select dropdown; several for a multiple select,
    which is then closed. For a select the test can point at, ``choose`` is the sturdier one."""
    dropdown = page.locator(OPEN_DROPDOWN)
    for option in options:
        dropdown.locator(".el-select-dropdown__item", has_text=option).first.click()
    if len(options) > 1:
        page.keyboard.press("Escape")


def choose(page: Any, select: Any, *options: str | re.Pattern[str]) -> None:
    """Open the Element Plus select ``select`` and click options by their text (contained, or a pattern); several
    for a multiple select, which is then closed.

    Options are looked up in this select's own list (the listbox its combobox names in ``aria-controls``), never
    in another dropdown still on screen. A list that closed again before its option was clicked (seen once in
    CI under load: opened, then hidden while the page re-rendered) is opened again, up to three times.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    combobox = select.locator("[role=combobox]").first
    listbox = page.locator(f"[id='{combobox.get_attribute('aria-controls')}']")
    for option in options:
        item = listbox.locator(".el-select-dropdown__item", has_text=option).first
        for attempt in range(3):
            if combobox.get_attribute("aria-expanded") != "true":
                select.locator(".el-select__wrapper").first.click()
            try:
                item.click(timeout=5_000)
                break
            except PlaywrightTimeout:
                if attempt == 2:
                    raise
    if len(options) > 1:
        page.keyboard.press("Escape")
