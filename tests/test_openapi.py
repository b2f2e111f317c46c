"""The OpenAPI document is a contract: committed in docs/openapi.json, kept equal to the live schema,
and complete enough for generated clients and fuzzers (every operation summarised, every error typed)."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest
from django.test import Client

from complaintdesk.core.management.commands.export_openapi import render_openapi

COMMITTED = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}
ERROR_STATUSES = ("400", "401", "403", "404", "409", "422")
# Operations that cannot answer 4xx: no authentication, no input.
NO_ERROR_OPERATIONS = {("get", "/api/v1/health")}


def _live_schema() -> dict:
    # Through JSON, as clients see it (the generator keys responses by int status codes).
    return json.loads(render_openapi())


def _operations(schema: dict) -> list[tuple[str, str, dict]]:
    return [(method, path, op) for path, item in schema["paths"].items() for method, op in item.items()
            if method in HTTP_METHODS]


def _resolve(schema: dict, node: dict) -> dict:
    ref = node.get("$ref")
    if ref is None:
        return node
    name = ref.rsplit("/", 1)[-1]
    return schema["components"]["schemas"][name]


def test_committed_schema_matches_the_live_api():
    live = render_openapi()
    committed = COMMITTED.read_text(encoding="utf-8") if COMMITTED.exists() else ""
    if live != committed:
        diff = "".join(list(difflib.unified_diff(
            committed.splitlines(keepends=True), live.splitlines(keepends=True),
            fromfile="docs/openapi.json (committed)", tofile="live schema",
        ))[:80])
        pytest.fail("docs/openapi.json is out of date with the API; regenerate it with `make openapi` "
                    f"(complaintdesk export_openapi docs/openapi.json) and commit it.\n{diff}")


def test_export_command_writes_the_same_document(tmp_path):
    from django.core.management import call_command

    target = tmp_path / "nested" / "openapi.json"
    call_command("export_openapi", str(target))
    text = target.read_text(encoding="utf-8")
    assert text == render_openapi()
    assert text.endswith("}\n")
    # Chinese stays readable in the committed file.
    assert "客户投诉管理系统" in text
    assert json.loads(text)["openapi"].startswith("3.")


@pytest.mark.django_db
def test_openapi_endpoint_serves_our_paths():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "ComplaintDesk API"
    for path in ("/api/v1/tickets", "/api/v1/tickets/{ticket_id}", "/api/v1/tickets/{ticket_id}/transition",
                 "/api/v1/tickets/{ticket_id}/comments", "/api/v1/tickets/{ticket_id}/merge",
                 "/api/v1/customers", "/api/v1/users", "/api/v1/roles", "/api/v1/departments", "/api/v1/tokens",
                 "/api/v1/me", "/api/v1/health"):
        assert path in schema["paths"], path
    assert set(schema["paths"]["/api/v1/tickets"]) >= {"get", "post"}
    assert "bearer" in {s.get("scheme") for s in schema["components"]["securitySchemes"].values()}
    # The served document is the committed one (same generator, same URL prefix).
    assert schema == json.loads(render_openapi())


@pytest.mark.django_db
def test_docs_page_is_html_served_without_a_cdn():
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "/api/v1/openapi.json" in html
    assert "swagger-ui-bundle.js" in html
    # Self-hosted installations are often offline: the UI's assets come from our static files.
    assert "cdn.jsdelivr.net" not in html


def test_every_operation_declares_typed_error_responses():
    schema = _live_schema()
    operations = _operations(schema)
    assert len(operations) > 40
    missing: list[str] = []
    for method, path, op in operations:
        if (method, path) in NO_ERROR_OPERATIONS:
            continue
        responses = op.get("responses", {})
        for status in ERROR_STATUSES:
            content = responses.get(status, {}).get("content", {}).get("application/json", {})
            error_schema = content.get("schema", {})
            if error_schema.get("$ref", "").rsplit("/", 1)[-1] != "ErrorOut":
                missing.append(f"{method.upper()} {path} {status}")
    assert not missing, f"operations without an ErrorOut response: {missing}"
    error_out = _resolve(schema, {"$ref": "#/components/schemas/ErrorOut"})
    assert set(error_out["required"]) == {"code", "message"}
    assert set(error_out["properties"]) == {"code", "message", "details"}


def test_every_operation_has_a_summary_and_a_unique_id():
    schema = _live_schema()
    operations = _operations(schema)
    without = [f"{m.upper()} {p}" for m, p, op in operations if not (op.get("summary") or "").strip()]
    assert not without, f"operations without a summary: {without}"
    ids = [op["operationId"] for _, _, op in operations]
    assert len(ids) == len(set(ids))


def test_every_request_body_is_a_named_schema():
    """Generated clients need named input types, not inline objects."""
    schema = _live_schema()
    inline: list[str] = []
    for method, path, op in _operations(schema):
        media = op.get("requestBody", {}).get("content", {}).get("application/json")
        if media is not None and "$ref" not in media.get("schema", {}):
            inline.append(f"{method.upper()} {path}")
    assert not inline, inline


def test_schema_class_names_are_unique_across_apps():
    """OpenAPI components are keyed by class name: two apps' ``VersionOut`` would silently describe
    one endpoint with the other's shape (and the generated UI client with it)."""
    import importlib
    import pkgutil

    from ninja import Schema

    import complaintdesk

    seen: dict[str, str] = {}
    clashes = []
    for module_info in pkgutil.walk_packages(complaintdesk.__path__, "complaintdesk."):
        name = module_info.name
        if ".tests" in name or ".migrations" in name or not name.endswith((".schemas", ".api")):
            continue
        module = importlib.import_module(name)
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, Schema) and obj.__module__ == name:
                where = seen.setdefault(obj.__name__, name)
                if where != name:
                    clashes.append(f"{obj.__name__}: {where} and {name}")
    assert not clashes, clashes
