"""Django serves the web app: index.html for app paths, never for the API, admin, static or file names."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from complaintdesk.web import views


@pytest.fixture
def built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in build (the real one may be absent on a Python-only checkout)."""
    index = tmp_path / "index.html"
    index.write_text('<!doctype html><div id="app"></div><script src="/static/app/assets/index-abc.js"></script>')
    monkeypatch.setattr(views, "INDEX", index)
    return index


@pytest.mark.parametrize("path", ["/", "/tickets", "/tickets/42", "/inbox", "/f/complaint-form", "/t/abc123"])
def test_app_paths_get_the_index(db: Any, built: Path, path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert b'<div id="app">' in response.content
    assert "no-cache" in response["Cache-Control"] and "csrftoken" in response.cookies


@pytest.mark.parametrize("path", ["/favicon.ico", "/robots.txt", "/tickets/app.js.map"])
def test_file_names_are_not_pages(db: Any, built: Path, path: str) -> None:
    assert Client().get(path).status_code == 404


def test_api_admin_and_static_are_untouched(db: Any, built: Path) -> None:
    client = Client()
    api = client.get("/api/v1/no-such-endpoint")
    assert api.status_code == 404 and api.json()["code"] == "not_found"
    assert client.get("/api/v1/me").status_code == 401
    admin = client.get("/admin/")
    assert admin.status_code == 302 and "/admin/login/" in admin["Location"]
    assert b'id="app"' not in client.get("/static/app/assets/missing.js").content
    assert client.get("/apiary").status_code == 200  # only the api/ prefix itself is reserved


def test_a_new_build_is_served_without_restart(db: Any, built: Path) -> None:
    client = Client()
    assert b"index-abc.js" in client.get("/").content
    built.write_text('<!doctype html><div id="app"></div><script src="/static/app/assets/index-def.js"></script>')
    stat = built.stat()
    os.utime(built, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert b"index-def.js" in client.get("/").content


def test_without_a_build_the_page_says_how_to_build(db: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "INDEX", tmp_path / "missing" / "index.html")
    response = Client().get("/tickets")
    assert response.status_code == 503
    text = response.content.decode()
    assert "网页前端尚未构建" in text and "make run" in text and "/api/v1/docs" in text
