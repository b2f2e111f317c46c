"""Web UI weight and speed: what a browser downloads on a page's first load, and how long the
ticket list takes to show 50 rows; prints one JSON object.

    python bench/ui.py                     # SQLite in a temp data dir, 60 tickets, 5 runs
    python bench/ui.py --runs 9 --tickets 200

A real ``complaintdesk serve`` (gunicorn + WhiteNoise after ``collectstatic``, so the assets are
served pre-compressed, Brotli or gzip as the browser asks) on a fresh database; tickets are
registered through the API. Debian's Chromium (Playwright, headless) opens each page in a fresh
browser context, i.e. with an empty cache, signed in through ``POST /api/v1/auth/login``.

Per page: the JavaScript and CSS files loaded, their bytes as sent (``Content-Encoding`` as the
server chose it, from the browser's own byte counts), decoded, and gzip-compressed here (level 6,
what a plain gzip server would send). Whether any script of the page carries ECharts or bpmn-js
(they must stay in the dashboard's and process designer's lazy chunks, not in the ticket list's
initial load). For the ticket list: the time from navigation start until the 50th row is in the
DOM (a MutationObserver set before any page script runs), over ``--runs`` cold loads and as many
warm ones (cached assets, the usual case), median and spread. Needs the front-end build (``make
frontend``).
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import (
    Server,
    bench_data_dir,
    drop_database,
    emit,
    machine_info,
    note,
    prepare_database,
)

ROOT = Path(__file__).resolve().parent.parent
BUILD_INDEX = ROOT / "complaintdesk" / "static" / "app" / "index.html"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-dev-shm-usage"]
PASSWORD = "Bench-passw0rd!"
ROWS = "[data-testid=ticket-table] .el-table__body-wrapper tbody tr.el-table__row"
# Strings only these libraries' code contains (checked in the decoded scripts).
MARKERS = {"echarts": ("zrender", "echarts"), "bpmn_js": ("bpmn-js", "diagram-js", "djs-container")}
BUDGET_GZIP_BYTES = 1_000_000

# Records when the 50th row first exists, relative to navigation start (performance.now()).
WATCH_ROWS = """
(() => {
  const selector = SELECTOR;
  const seen = () => {
    if (window.__rows50 === undefined && document.querySelectorAll(selector).length >= 50) {
      window.__rows50 = performance.now();
    }
  };
  new MutationObserver(seen).observe(document, { childList: true, subtree: true });
})();
""".replace("SELECTOR", repr(ROWS))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None,
                        help="default: a new SQLite file in the data dir; or postgres://.../NEW_DB_NAME")
    parser.add_argument("--tickets", type=int, default=60, help="tickets to register (default 60; at least 50)")
    parser.add_argument("--runs", type=int, default=5, help="cold and warm loads of the 50-row list (default 5)")
    parser.add_argument("--data-dir", default=None, help="CD_DATA_DIR (default: a new temp dir, removed after)")
    parser.add_argument("--keep", action="store_true", help="keep the data dir and database afterwards")
    parser.add_argument("--chromium", default=CHROMIUM)
    return parser.parse_args(argv)


def seed(base_url: str, token: str, count: int) -> None:
    import httpx

    channels = ["phone", "web_form", "wechat", "email"]
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
        for i in range(count):
            body = {"subject": f"第 {i + 1} 号投诉：快递三天未送达，客服电话打不通", "channel": channels[i % 4],
                    "description": "订单显示已发货，物流信息三天没有更新。",
                    "urgency": ["high", "medium", "low"][i % 3],
                    "customer": {"name": f"客户{i:03d}", "phone": f"139{i:08d}"}}
            response = client.post("/api/v1/tickets", json=body)
            if response.status_code != 201:
                raise RuntimeError(f"seeding failed: {response.status_code} {response.text[:500]}")


def signed_in_context(browser: Any, base_url: str) -> Any:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN", base_url=base_url,
                                  timezone_id="Asia/Shanghai")
    context.set_default_timeout(30_000)
    response = context.request.post("/api/v1/auth/login", data={"username": "bench", "password": PASSWORD})
    if not response.ok:
        raise RuntimeError(f"login failed: {response.status} {response.text()[:300]}")
    return context


def load_page(browser: Any, base_url: str, path: str, ready: str, *, signed_in: bool = True) -> dict[str, Any]:
    """One cold load of ``path`` (fresh context): every script and stylesheet, sizes and markers."""
    context = (signed_in_context(browser, base_url) if signed_in else
               browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN", base_url=base_url))
    page = context.new_page()
    responses: list[Any] = []
    page.on("response", lambda r: r.request.resource_type in ("script", "stylesheet") and responses.append(r))
    page.goto(path)
    page.wait_for_selector(ready)
    page.wait_for_load_state("networkidle")
    files = []
    for response in responses:
        body = response.body()
        sizes = response.request.sizes()
        encoding = response.headers.get("content-encoding", "identity")
        text = body.decode("utf-8", errors="replace") if response.request.resource_type == "script" else ""
        files.append({
            "path": response.url.removeprefix(base_url),
            "kind": "js" if response.request.resource_type == "script" else "css",
            "encoding": encoding,
            "raw_bytes": len(body),
            "sent_bytes": sizes["responseBodySize"],
            "gzip_bytes": len(gzip.compress(body, compresslevel=6)),
            "libraries": [name for name, marks in MARKERS.items() if any(m in text for m in marks)],
        })
    context.close()
    js = [f for f in files if f["kind"] == "js"]
    css = [f for f in files if f["kind"] == "css"]

    def total(items: list[dict[str, Any]], key: str) -> int:
        return sum(int(f[key]) for f in items)

    return {
        "path": path,
        "js_files": len(js),
        "js_raw_bytes": total(js, "raw_bytes"),
        "js_sent_bytes": total(js, "sent_bytes"),
        "js_gzip_bytes": total(js, "gzip_bytes"),
        "js_encodings": sorted({f["encoding"] for f in js}),
        "css_raw_bytes": total(css, "raw_bytes"),
        "css_sent_bytes": total(css, "sent_bytes"),
        "libraries_in_initial_load": sorted({lib for f in js for lib in f["libraries"]}),
        "largest_js": sorted(({"path": f["path"], "raw_bytes": f["raw_bytes"], "sent_bytes": f["sent_bytes"]}
                              for f in js), key=lambda f: -f["raw_bytes"])[:5],
    }


def rows_timing(browser: Any, base_url: str, runs: int) -> dict[str, Any]:
    """Navigation start → 50th row in the DOM, cold (fresh context) and warm (reload, cached assets)."""
    cold: list[float] = []
    warm: list[float] = []
    api: list[float] = []
    for _ in range(runs):
        context = signed_in_context(browser, base_url)
        context.add_init_script(WATCH_ROWS)
        page = context.new_page()
        for bucket in (cold, warm):
            if bucket is cold:
                page.goto("/tickets?size=50")
            else:
                page.reload()
            page.wait_for_function("window.__rows50 !== undefined")
            bucket.append(float(page.evaluate("window.__rows50")))
        api.append(float(page.evaluate("""performance.getEntriesByType('resource')
            .filter(e => e.name.includes('/api/v1/tickets?')).pop().duration""")))
        context.close()

    def summary(values: list[float]) -> dict[str, Any]:
        return {"median_ms": round(statistics.median(values)), "min_ms": round(min(values)),
                "max_ms": round(max(values)), "runs_ms": [round(v) for v in values]}

    return {"cold": summary(cold), "warm": summary(warm), "list_api_warm": summary(api)}


def run(args: argparse.Namespace) -> dict[str, Any]:
    if not BUILD_INDEX.is_file():
        raise SystemExit(f"the web app is not built ({BUILD_INDEX} missing): run `make frontend`")
    if args.tickets < 50:
        raise SystemExit("--tickets must be at least 50")
    from playwright.sync_api import sync_playwright

    machine = machine_info()
    with bench_data_dir(args.data_dir, prefix="cd-bench-ui-", keep=args.keep) as data_dir:
        db = prepare_database(args.database_url, data_dir)
        try:
            server = Server(data_dir=data_dir, database_url=db.url, workers=1, threads=4)
            note(f"migrating {db.vendor} database {db.name}")
            server.migrate()
            server.cli("createadmin", "--username", "bench", "--password", PASSWORD)
            token = server.cli("token", "bench", "--name", "bench").strip().splitlines()[-1].strip()
            with server:
                server.start()
                note(f"server on {server.base_url}; registering {args.tickets} tickets")
                seed(server.base_url, token, args.tickets)
                with sync_playwright() as pw:
                    browser = pw.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS, headless=True)
                    try:
                        pages = {
                            "tickets_50": load_page(browser, server.base_url, "/tickets?size=50", ROWS),
                            "inbox": load_page(browser, server.base_url, "/inbox", "[data-testid=page-title]"),
                            "dashboard": load_page(browser, server.base_url, "/dashboard",
                                                   "[data-testid=chart-trend] canvas"),
                            "login": load_page(browser, server.base_url, "/login", "[data-testid=login-submit]",
                                               signed_in=False),
                        }
                        note("timing the 50-row list")
                        timing = rows_timing(browser, server.base_url, args.runs)
                        version = browser.version
                    finally:
                        browser.close()
            log = server.log_text()
        finally:
            if not args.keep:
                drop_database(db)
    initial = pages["tickets_50"]
    return {
        "benchmark": "ui",
        "database": db.vendor,
        "tickets": args.tickets,
        "chromium": version,
        "pages": pages,
        "ticket_list_budget": {
            "budget_gzip_bytes": BUDGET_GZIP_BYTES,
            "js_gzip_bytes": initial["js_gzip_bytes"],
            "js_sent_bytes": initial["js_sent_bytes"],
            "within_budget": max(initial["js_gzip_bytes"], initial["js_sent_bytes"]) < BUDGET_GZIP_BYTES,
            "no_echarts_or_bpmn_js": not initial["libraries_in_initial_load"],
        },
        "ticket_list_50_rows": timing,
        "server_errors_in_log": log.count("Traceback"),
        "machine": machine,
    }


def main(argv: list[str] | None = None) -> None:
    emit(run(parse_args(argv)))


if __name__ == "__main__":
    main()
