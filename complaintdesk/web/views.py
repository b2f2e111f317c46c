"""The single-page app's entry: every UI path answers with the built ``index.html``.

The build (``make frontend`` / ``npm run build`` in ``frontend/``) writes ``complaintdesk/static/app/``;
hashed assets are served as static files under ``/static/app/``, and the browser router takes over
from ``index.html``. ``/api/``, ``/admin/`` and ``/static/`` never reach this view (see ``urls.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie

from complaintdesk import __version__

BUILD_DIR = Path(settings.BASE_DIR) / "static" / "app"
INDEX = BUILD_DIR / "index.html"


@dataclass
class _Cached:
    mtime_ns: int = -1
    html: bytes = b""


_cache = _Cached()


def read_index() -> bytes | None:
    """The built index.html, re-read when a new build replaces it (no restart needed after `npm run build`)."""
    try:
        mtime_ns = INDEX.stat().st_mtime_ns
    except FileNotFoundError:
        return None
    if mtime_ns != _cache.mtime_ns:
        _cache.html = INDEX.read_bytes()
        _cache.mtime_ns = mtime_ns
    return _cache.html


@never_cache
@ensure_csrf_cookie
def spa(request: HttpRequest, path: str = "") -> HttpResponse:
    # A file name (favicon.ico, robots.txt, a stale asset) is not a page: a real 404, not the app.
    if "." in path.rsplit("/", 1)[-1]:
        raise Http404(path)
    html = read_index()
    if html is None:
        # Python-only install (no Node.js): say how to build instead of a blank page.
        return render(request, "web/frontend_missing.html", {"version": __version__}, status=503)
    return HttpResponse(html, content_type="text/html; charset=utf-8")
