"""Uploads for form fields (attachments, images, signature): stored before the ticket exists,
answered as the reference ``{"id": token, "name", "size", "content_type"}`` that the field types
accept, and turned into ``Attachment`` rows inside the transaction that creates the ticket.

Who may use an upload (checked when the ticket is created, 422 naming the field otherwise):
- a signed-in user: only their own uploads;
- a public form submission: only anonymous uploads from the same client IP (``REMOTE_ADDR``);
- the system (no actor, not public): only uploads made by the system;
and in every case only an upload not yet used and younger than ``UPLOAD_TTL`` (24 h). Pending
uploads older than that are deleted by the ``tickets.delete_stale_uploads`` job.

Images (JPEG, PNG, WebP) are re-encoded with Pillow: the EXIF orientation is applied to the pixels
and the EXIF block (GPS location, camera serial) is dropped, unless the field keeps the location
(``images`` with ``keep_location``), when only the orientation tag goes. HEIC/GIF/BMP/TIFF are stored
as sniffed (Pillow cannot write HEIC without a plug-in; browsers send JPEG for camera photos).
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageOps

from complaintdesk.accounts import permissions as P
from complaintdesk.accounts.access import check_perm
from complaintdesk.core import clock
from complaintdesk.core.errors import InvalidInput
from complaintdesk.forms.fieldtypes import error_dict
from complaintdesk.forms.fieldtypes.media import accepts
from complaintdesk.tickets.formdata import Errors, invalid_data
from complaintdesk.tickets.models import Ticket, Upload

if TYPE_CHECKING:
    from complaintdesk.accounts.models import User
    from complaintdesk.forms.fieldtypes import FieldDef
    from complaintdesk.forms.models import FormVersion
    from complaintdesk.forms.schema import FormSchema

logger = logging.getLogger(__name__)

UPLOAD_TTL = timedelta(hours=24)
MEDIA_FIELD_TYPES = ("attachments", "images", "signature")
_PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
_ORIENTATION_TAG = 0x0112


def safe_file_name(name: str) -> str:
    return (name or "file").replace("/", "_").replace("\\", "_").replace("\x00", "").strip()[:200] or "file"


# Formats that can hold EXIF/GPS but that Pillow cannot rewrite here (HEIC needs a plug-in).
_UNCLEANABLE_WITH_METADATA = frozenset({"image/heic", "image/tiff"})


def process_image(content: bytes, content_type: str, *, keep_location: bool) -> bytes:
    """The image with its EXIF orientation applied and, unless ``keep_location``, without EXIF."""
    fmt = _PILLOW_FORMATS.get(content_type)
    if fmt is None:
        if not keep_location and content_type in _UNCLEANABLE_WITH_METADATA:
            # We cannot re-encode these here, so we cannot promise their GPS tags are gone.
            raise InvalidInput(
                "此格式的图片无法去除位置信息，请上传 JPEG、PNG 或 WebP / This image format can carry location "
                "data that cannot be removed here; upload JPEG, PNG or WebP",
                details={"file": content_type},
            )
        return content
    try:
        with Image.open(io.BytesIO(content)) as img:
            img.load()
            orientation = img.getexif().get(_ORIENTATION_TAG)
            if keep_location and orientation in (None, 1):
                return content
            fixed = ImageOps.exif_transpose(img) or img
            options: dict[str, Any] = {}
            if keep_location:
                exif = fixed.getexif()
                exif.pop(_ORIENTATION_TAG, None)
                options["exif"] = exif.tobytes()
            if img.info.get("icc_profile"):
                options["icc_profile"] = img.info["icc_profile"]
            if fmt == "JPEG":
                if fixed.mode not in ("RGB", "L", "CMYK"):
                    fixed = fixed.convert("RGB")
                options["quality"] = 90
            out = io.BytesIO()
            fixed.save(out, format=fmt, **options)
            return out.getvalue()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise InvalidInput("图片无法读取 / The image cannot be read", details={"file": "unreadable image"}) from exc


def _max_bytes(field: FieldDef | None) -> int:
    limit = int(settings.ATTACHMENT_MAX_BYTES)
    if field is not None:
        max_mb = field.field_type.config_value(field, "max_size_mb")
        if isinstance(max_mb, int) and not isinstance(max_mb, bool):
            limit = min(limit, max_mb * 1024 * 1024)
    return limit


def _keeps_location(field: FieldDef | None) -> bool:
    return (field is not None and field.type == "images"
            and field.field_type.config_value(field, "keep_location") is True)


def upload_field(version: FormVersion, key: str) -> FieldDef:
    """The top-level file field ``key`` of ``version`` (422 when there is none)."""
    from complaintdesk.forms.schema import compile_schema

    field = compile_schema(version.schema).by_key.get(key)
    if field is None or field.parent is not None or field.type not in MEDIA_FIELD_TYPES:
        raise InvalidInput("表单没有此文件字段 / The form has no such file field", details={"field": key[:64]})
    return field


def check_create_upload(actor: User) -> None:
    check_perm(actor, P.TICKET_CREATE)


def do_create_upload(*, content: bytes, name: str, actor: User | None, client_ip: str = "", public: bool = False,
                     field: FieldDef | None = None) -> Upload:
    """Store a pending upload: type sniffed from the bytes, size checked against the field (or the
    global limit), images orientation-fixed and stripped of location metadata."""
    from complaintdesk.tickets.actions import sniff_upload

    safe_name = safe_file_name(name)
    limit = _max_bytes(field)
    if len(content) > limit:
        raise InvalidInput(f"文件超过 {limit // (1024 * 1024)} MB / File too large",
                           details={"file": f"max {limit} bytes"})
    sniffed = sniff_upload(content, safe_name)
    if field is not None and not accepts(sniffed.content_type, field.field_type.config_value(field, "accept") or []):
        raise InvalidInput(f"此字段不接受 {sniffed.content_type} / This field does not accept {sniffed.content_type}",
                           details={"file": sniffed.content_type})
    keep = _keeps_location(field)
    content = process_image(content, sniffed.content_type, keep_location=keep)
    upload = Upload(name=safe_name, content_type=sniffed.content_type, size=len(content),
                    sha256=hashlib.sha256(content).hexdigest(), kept_location=keep,
                    uploaded_by=actor if actor is not None and actor.pk else None,
                    client_ip=client_ip[:64] if public else "", public=public, created_at=clock.now())
    upload.file.save(safe_name, ContentFile(content), save=False)
    try:
        upload.save(force_insert=True)
    except Exception:
        upload.file.storage.delete(upload.file.name)
        raise
    return upload


def upload_reference(upload: Upload) -> dict[str, Any]:
    return {"id": upload.token, "name": upload.name, "size": upload.size, "content_type": upload.content_type}


@dataclass
class UploadClaim:
    field: FieldDef
    ref: dict[str, Any]
    upload: Upload


def _references(schema: FormSchema, data: Mapping[str, Any]) -> list[tuple[FieldDef, dict[str, Any]]]:
    found: list[tuple[FieldDef, dict[str, Any]]] = []
    for field in schema.fields:
        if field.parent is not None or field.type not in MEDIA_FIELD_TYPES:
            continue
        value = data.get(field.key)
        items = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
        found.extend((field, ref) for ref in items if isinstance(ref, dict) and isinstance(ref.get("id"), str))
    return found


def claim_uploads(schema: FormSchema, data: Mapping[str, Any], *, actor: User | None, public: bool,
                  client_ip: str = "") -> list[UploadClaim]:
    """Lock and check the uploads the form values reference (inside the ticket's transaction);
    422 naming every field with an unknown, foreign, expired or used upload, or one the field's
    limits refuse."""
    refs = _references(schema, data)
    if not refs:
        return []
    qs = Upload.objects.select_for_update().filter(token__in=[r["id"] for _, r in refs],
                                                  created_at__gte=clock.now() - UPLOAD_TTL)
    if public:
        qs = qs.filter(public=True, client_ip=client_ip[:64])
    elif actor is not None and actor.pk:
        qs = qs.filter(uploaded_by=actor, public=False)
    else:
        qs = qs.filter(uploaded_by__isnull=True, public=False)
    uploads = {u.token: u for u in qs}
    errors: Errors = {}
    claims: list[UploadClaim] = []
    for field, ref in refs:
        upload = uploads.get(ref["id"])
        problem: dict[str, str] | None = None
        if upload is None:
            problem = error_dict("upload_not_found")
        elif upload.consumed_by_id is not None:
            problem = error_dict("upload_consumed")
        elif upload.size > _max_bytes(field):
            problem = error_dict("file_too_large", max=_max_bytes(field) // (1024 * 1024))
        elif not accepts(upload.content_type, field.field_type.config_value(field, "accept") or []):
            problem = error_dict("file_type_not_allowed", value=upload.content_type[:40])
        if problem is not None:
            errors.setdefault(field.key, []).append(problem)
        else:
            assert upload is not None
            claims.append(UploadClaim(field, ref, upload))
    if errors:
        raise invalid_data(errors)
    return claims


def attach_claimed_uploads(ticket: Ticket, claims: list[UploadClaim], *, actor: User | None) -> None:
    """Turn the claimed uploads into attachments of ``ticket`` (same transaction) and record the
    attachment id in the stored references."""
    if not claims:
        return
    from complaintdesk.tickets.actions import do_add_attachment

    now = clock.now()
    consumed: list[str] = []
    for claim in claims:
        upload = claim.upload
        with upload.file.open("rb") as fh:
            content = fh.read()
        if upload.kept_location and not _keeps_location(claim.field):
            content = process_image(content, upload.content_type, keep_location=False)
        attachment = do_add_attachment(ticket, actor=actor, content=content, name=upload.name)
        Upload.objects.filter(pk=upload.pk).update(consumed_by=ticket, consumed_at=now)
        claim.ref.update(upload_reference(upload), size=attachment.size, attachment_id=attachment.pk)
        consumed.append(upload.file.name)
    Ticket.objects.filter(pk=ticket.pk).update(data=ticket.data)

    def _delete_files() -> None:
        # The attachment holds its own copy; the pending copy is not needed any more.
        for name in consumed:
            try:
                Upload.file.field.storage.delete(name)
            except OSError:
                logger.warning("could not delete consumed upload file %s", name)

    transaction.on_commit(_delete_files)


def do_delete_stale_uploads(*, older_than: timedelta = UPLOAD_TTL) -> int:
    """Delete uploads (rows and files) older than ``older_than``; used ones lose only their row
    (the attachment keeps the file). Returns the number of rows deleted."""
    cutoff = clock.now() - older_than
    deleted = 0
    for upload in Upload.objects.filter(created_at__lt=cutoff).order_by("pk").iterator():
        try:
            if upload.consumed_by_id is None and upload.file.name:
                upload.file.storage.delete(upload.file.name)
            upload.delete()
            deleted += 1
        except Exception:
            logger.exception("could not delete stale upload %s", upload.pk)
    return deleted
