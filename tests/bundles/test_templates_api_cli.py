"""The shipped industry templates, the API endpoints and the ``complaintdesk config`` command."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from complaintdesk.bundles.actions import (
    TEMPLATES_DIR,
    do_export_bundle,
    do_import_bundle,
    do_import_template,
    list_templates,
)
from complaintdesk.bundles.format import MANIFEST, Bundle, load_yaml, read_directory, read_zip, write_zip
from complaintdesk.bundles.template_sources import TEMPLATES, build
from tests.bundles.conftest import empty_instance_after

pytestmark = pytest.mark.django_db

NAMES = ["ecommerce", "manufacturing", "construction", "auto_dealer", "medical_devices"]


def test_five_templates_with_chinese_and_english_names() -> None:
    items = {t.name: t for t in list_templates()}
    assert sorted(items) == sorted(NAMES)
    assert {items[n].title for n in NAMES} == {"电商", "制造业", "建筑工程", "汽车4S", "医疗器械"}
    assert all(items[n].title_en and items[n].description and items[n].description_en for n in NAMES)


@pytest.mark.parametrize("make", TEMPLATES, ids=lambda f: f.__name__)
def test_template_directories_are_built_from_their_sources(make: Any) -> None:
    source = make()
    assert read_directory(TEMPLATES_DIR / source["name"]).files == build(source).files, (
        "run `python -m complaintdesk.bundles.template_sources` after changing a template")


@pytest.mark.parametrize("name", NAMES)
def test_template_imports_into_an_empty_instance_and_exports_back_identically(org: Any, name: str) -> None:
    from complaintdesk.forms.models import Form
    from complaintdesk.rules.models import Rule

    template = read_directory(TEMPLATES_DIR / name)
    result = do_import_template(name, actor=org.admin)
    assert result.ok, result.problems
    assert result.applied and result.counts()["added"] >= 20 and result.counts()["changed"] == 0
    # Every form is published, every rule enabled.
    form_keys = [load_yaml(c)["key"] for p, c in template.files.items() if p.startswith("forms/")]
    assert all(Form.objects.get(key=k).versions.filter(status="published").exists() for k in form_keys)
    rule_names = [load_yaml(c)["name"] for p, c in template.files.items() if p.startswith("rules/")]
    assert Rule.objects.filter(name__in=rule_names, enabled=True).count() == len(rule_names)

    kinds = load_yaml(template.files[MANIFEST])["kinds"]
    exported = do_export_bundle(actor=org.admin, kinds=kinds)
    for path, content in template.files.items():
        if path.startswith("taxonomy/"):
            # One file per taxonomy: the instance's also holds the shipped entries; the template's
            # entries come back exactly as written.
            have = {i["key"]: i for i in load_yaml(exported.files[path])["items"]}
            assert all(have[i["key"]] == i for i in load_yaml(content)["items"]), path
        elif path != MANIFEST:
            assert exported.files[path] == content, path
    again = do_import_template(name, actor=org.admin, dry_run=True)
    assert again.ok and again.counts()["added"] == 0 and again.counts()["changed"] == 0


def test_a_template_ticket_is_routed_by_its_keyword_rule(org: Any, django_capture_on_commit_callbacks: Any
                                                         ) -> None:
    """The template's content works: a complaint mentioning 漏水 lands in 工程维修部 as 渗漏."""
    from complaintdesk.tickets.actions import do_create_ticket

    assert do_import_template("construction", actor=org.admin).ok
    with django_capture_on_commit_callbacks(execute=True):
        ticket, _ = do_create_ticket(actor=org.admin, subject="卫生间漏水",
                                     description="楼上卫生间漏水到我家天花板")
    ticket.refresh_from_db()
    assert ticket.department is not None and ticket.department.code == "CN-MAINT"
    assert ticket.category is not None and ticket.category.key == "cn-leak"


def test_all_templates_together(org: Any) -> None:
    for name in NAMES:
        assert do_import_template(name, actor=org.admin).ok, name


# --- API ---------------------------------------------------------------------------------------------


def _post_zip(client: Any, content: bytes, **fields: Any) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"file": SimpleUploadedFile("config.zip", content, content_type="application/zip"),
            **{k: "true" if v else "false" for k, v in fields.items()}}
    return client.client.post("/api/v1/config/import", data, **client.headers)


def test_api_export_and_import_round_trip(org: Any, configured: Any) -> None:
    from tests.bundles.conftest import build_configuration

    admin = org.client(org.admin)
    with empty_instance_after():
        build_configuration(org)
        response = admin.get("config/export")
        assert response.status_code == 200, response.content
        assert response["Content-Type"] == "application/zip"
        assert "attachment;" in response["Content-Disposition"]
        content = response.content
    assert "bt-child" in read_zip(content).text("taxonomy/categories.yaml")

    dry = _post_zip(admin, content, dry_run=True)
    assert dry.status_code == 200, dry.content
    body = dry.json()
    assert body["dry_run"] and not body["applied"] and body["ok"]
    assert "测试规则" in next(k for k in body["kinds"] if k["kind"] == "rules")["added"]

    done = _post_zip(admin, content)
    assert done.status_code == 200 and done.json()["applied"]
    again = _post_zip(admin, content, dry_run=True).json()
    assert again["counts"]["added"] == 0 and again["counts"]["changed"] == 0


def test_api_export_of_some_kinds(org: Any) -> None:
    response = org.client(org.admin).get("config/export", {"kinds": ["roles", "categories"]})
    assert response.status_code == 200
    assert set(load_yaml(read_zip(response.content).files[MANIFEST])["kinds"]) == {"roles", "categories"}
    bad = org.client(org.admin).get("config/export", {"kinds": ["spaceships"]})
    assert bad.status_code == 422


def test_api_refuses_bad_bundles_with_every_problem(org: Any) -> None:
    admin = org.client(org.admin)
    not_zip = _post_zip(admin, b"PK-not-really")
    assert not_zip.status_code == 422 and not_zip.json()["code"] == "invalid_bundle"
    assert not_zip.json()["details"]["problems"][0]["message"]

    bundle = do_export_bundle(actor=org.admin, kinds=["categories"])
    files = dict(bundle.files)
    files["taxonomy/categories.yaml"] = b"items: [ {key: a"
    bad = _post_zip(admin, write_zip(Bundle(files=files)))
    assert bad.status_code == 422
    problems = bad.json()["details"]["problems"]
    assert {p["file"] for p in problems} == {"taxonomy/categories.yaml"}
    assert any("checksum" in p["message"] for p in problems) and any("YAML" in p["message"] for p in problems)


def test_api_templates(org: Any) -> None:
    admin = org.client(org.admin)
    listed = admin.get("config/templates")
    assert listed.status_code == 200
    assert {t["name"]: t["title"] for t in listed.json()}["medical_devices"] == "医疗器械"
    dry = admin.post("config/templates/medical_devices/import?dry_run=true")
    assert dry.status_code == 200 and dry.json()["template"] == "medical_devices" and not dry.json()["applied"]
    missing = admin.post("config/templates/no_such/import?dry_run=true")
    assert missing.status_code == 404


@pytest.mark.parametrize("who", ["supervisor", "agent_a", "auditor"])
def test_api_needs_the_config_permission(org: Any, who: str) -> None:
    client = org.client(getattr(org, who))
    content = write_zip(do_export_bundle(actor=org.admin, kinds=["roles"]))
    assert client.get("config/export").status_code == 403
    assert _post_zip(client, content, dry_run=True).status_code == 403
    assert client.get("config/templates").status_code == 403
    assert client.post("config/templates/ecommerce/import?dry_run=true").status_code == 403
    assert org.client(None).get("config/export").status_code == 401


def test_admin_role_has_the_config_permission(org: Any) -> None:
    from complaintdesk.accounts.models import Role

    assert "config.manage" in Role.objects.get(key="admin").permissions
    assert "config.manage" not in Role.objects.get(key="supervisor").permissions


# --- CLI ---------------------------------------------------------------------------------------------


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("config", *args, stdout=out)
    return out.getvalue()


def test_cli_export_and_import(org: Any, tmp_path: Path) -> None:
    target = tmp_path / "config.zip"
    assert "exported" in _run("export", "-o", str(target), "--user", "admin")
    text = _run("import", str(target), "--dry-run", "--user", "admin")
    assert "dry run, nothing changed" in text and "+0 ~0" in text
    folder = tmp_path / "dir"
    _run("export", "-o", f"{folder}/", "--kinds", "roles", "categories", "--user", "admin")
    assert (folder / "manifest.yaml").is_file() and (folder / "roles" / "admin.yaml").is_file()
    result = json.loads(_run("import", str(folder), "--json", "--dry-run", "--user", "admin"))
    assert result["ok"] and result["counts"]["unchanged"] > 0


def test_cli_template_import_and_errors(org: Any, tmp_path: Path) -> None:
    text = _run("import", "--template", "ecommerce", "--dry-run", "--user", "admin")
    assert "+ ec-order-complaint" in text
    assert "电商" in _run("templates")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "manifest.yaml").write_text("format_version: 1\nkinds: [categories]\n", encoding="utf-8")
    (broken / "taxonomy").mkdir()
    (broken / "taxonomy" / "categories.yaml").write_text("items:\n- key: x\n", encoding="utf-8")
    with pytest.raises(CommandError, match="problem"):
        _run("import", str(broken), "--user", "admin")
    with pytest.raises(CommandError, match=r"permission|权限"):
        _run("export", "-o", str(tmp_path / "x.zip"), "--user", "agent_a")


def test_import_of_an_export_from_another_bundle_dir(org: Any, tmp_path: Path) -> None:
    """A directory bundle (as kept in git) imports like a zip."""
    bundle = read_directory(TEMPLATES_DIR / "ecommerce")
    assert do_import_bundle(bundle, actor=org.admin, dry_run=True).ok
