"""Configuration bundles: export (zip download), import with dry run and prune, industry templates."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Router
from ninja.files import UploadedFile

from complaintdesk.accounts.models import User
from complaintdesk.bundles import actions as A
from complaintdesk.bundles.format import MAX_ZIP_BYTES, BundleError, read_zip, write_zip
from complaintdesk.bundles.schemas import BundleImportOut, BundleTemplateOut
from complaintdesk.core import clock
from complaintdesk.core.errors import InvalidInput
from complaintdesk.core.schemas import ERRORS

router = Router(tags=["config"])


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _result(result: A.ImportResult) -> dict[str, Any]:
    data = result.as_dict()
    if not result.ok:
        raise InvalidInput(f"配置包有 {len(result.problems)} 个问题，未导入 / the bundle has {len(result.problems)} "
                           "problem(s); nothing was imported", code="invalid_bundle", details=data)
    return data


@router.get("/config/export", response={200: None, **ERRORS}, summary="Download the configuration as a bundle (zip)",
            description="`kinds` (repeatable) limits the export; see docs/config-bundles.md for the format. "
                        "Secrets (channel tokens, SMTP passwords, webhook secrets) are never exported.")
def export_config(request: HttpRequest, kinds: Query[list[str] | None] = None) -> HttpResponse:
    actor = _actor(request)
    A.check_manage_config(actor)
    bundle = A.do_export_bundle(actor=actor, kinds=kinds)
    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    response = HttpResponse(write_zip(bundle), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="complaintdesk-config-{stamp}.zip"'
    return response


@router.post("/config/import", response={200: BundleImportOut, **ERRORS},
             summary="Import a bundle (multipart `file`): validate, plan, and apply unless `dry_run`",
             description="Every problem is answered at once (422, `details` = the result with `problems`: file, "
                         "JSON Pointer, message). `dry_run` returns the plan (added / changed with a field-level "
                         "diff / unchanged / removed per kind) and changes nothing. `prune` disables the objects "
                         "of the bundle's kinds that it does not contain, where they can be disabled.")
def import_config(request: HttpRequest, file: File[UploadedFile], dry_run: Form[bool] = False,
                  prune: Form[bool] = False) -> Any:
    actor = _actor(request)
    A.check_manage_config(actor)
    if file.size is not None and file.size > MAX_ZIP_BYTES:
        raise InvalidInput(f"文件超过 {MAX_ZIP_BYTES // 2**20} MB / file too large", code="invalid_bundle",
                           details={"problems": [{"file": file.name or "", "path": "",
                                                  "message": f"max {MAX_ZIP_BYTES} bytes"}]})
    try:
        bundle = read_zip(file.read(MAX_ZIP_BYTES + 1))
    except BundleError as exc:
        raise InvalidInput("配置包无法读取 / the bundle cannot be read", code="invalid_bundle",
                           details={"problems": [p.as_dict() for p in exc.problems]}) from exc
    return _result(A.do_import_bundle(bundle, actor=actor, dry_run=dry_run, prune=prune))


@router.get("/config/templates", response={200: list[BundleTemplateOut], **ERRORS},
            summary="The shipped industry templates (bundles): 电商, 制造业, 建筑工程, 汽车4S, 医疗器械")
def list_config_templates(request: HttpRequest) -> Any:
    A.check_manage_config(_actor(request))
    return [t.__dict__ for t in A.list_templates()]


@router.post("/config/templates/{name}/import", response={200: BundleImportOut, **ERRORS},
             summary="Import a shipped industry template (`dry_run`: the plan only)")
def import_config_template(request: HttpRequest, name: str, dry_run: bool = False, prune: bool = False) -> Any:
    actor = _actor(request)
    A.check_manage_config(actor)
    return _result(A.do_import_template(name, actor=actor, dry_run=dry_run, prune=prune))
