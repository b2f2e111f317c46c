"""Files and places: attachments, images, signature (references to uploads) and location.

An attachment reference is ``{"id": "<upload token>", "name": "发票.pdf", "size": 12345,
"content_type": "application/pdf"}``. The upload endpoint (with type sniffing, EXIF orientation
and location stripping) issues the token; here we check the shape and the declared limits, and
the upload store enforces them again on the bytes.
"""

from __future__ import annotations

import math
import re
from typing import Any, ClassVar

from django.conf import settings

from complaintdesk.forms.fieldtypes.base import (
    ConfigOption,
    FieldDef,
    FieldType,
    FieldValueError,
    ProblemSink,
    ValueContext,
    check_text,
    to_decimal,
)
from complaintdesk.forms.fieldtypes.choice import check_count_bounds, check_counts

_TOKEN = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
_MIME = re.compile(r"^[a-z]+/(\*|[a-z0-9.+\-]+)$")
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp", "image/heic", "image/heif", "image/gif")
HARD_MAX_FILES = 50


def _default_max_mb() -> int:
    return max(1, settings.ATTACHMENT_MAX_BYTES // (1024 * 1024))


def _accepts(content_type: str, accept: list[str]) -> bool:
    if not accept:
        return True
    major = content_type.split("/", 1)[0]
    return any(a == content_type or a == f"{major}/*" for a in accept)


def parse_reference(value: Any, f: FieldDef, t: FieldType) -> dict[str, Any]:
    if isinstance(value, str | int) and not isinstance(value, bool):
        value = {"id": value}
    if not isinstance(value, dict) or not set(value) <= {"id", "name", "size", "content_type", "url", "attachment_id"}:
        raise FieldValueError("invalid_attachment")
    attachment_id = value.get("attachment_id")
    if attachment_id is not None and (not isinstance(attachment_id, int) or isinstance(attachment_id, bool)
                                      or attachment_id <= 0):
        raise FieldValueError("invalid_attachment")
    token = value.get("id")
    token = str(token) if isinstance(token, int) and not isinstance(token, bool) else token
    if not isinstance(token, str) or not _TOKEN.match(token):
        raise FieldValueError("invalid_attachment")
    name = value.get("name") or ""
    if not isinstance(name, str) or len(name) > 255:
        raise FieldValueError("invalid_attachment")
    size = value.get("size")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
        raise FieldValueError("invalid_attachment")
    max_mb = t.config_value(f, "max_size_mb") or _default_max_mb()
    if isinstance(size, int) and size > max_mb * 1024 * 1024:
        raise FieldValueError("file_too_large", max=max_mb)
    content_type = value.get("content_type")
    if content_type is not None:
        if not isinstance(content_type, str) or len(content_type) > 100:
            raise FieldValueError("invalid_attachment")
        content_type = content_type.strip().lower()
        if not _accepts(content_type, t.config_value(f, "accept") or []):
            raise FieldValueError("file_type_not_allowed", value=content_type[:40])
    ref = {"id": token, "name": check_text(name, multiline=False), "size": size, "content_type": content_type}
    if attachment_id is not None:
        # Set by the server when the ticket turned the upload into an attachment (kept on updates).
        ref["attachment_id"] = attachment_id
    return ref


def accepts(content_type: str, accept: list[str]) -> bool:
    """Whether ``content_type`` matches a field's ``accept`` list (``image/*`` allowed; empty: all)."""
    return _accepts(content_type, accept)


REFERENCE_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["id"], "additionalProperties": False,
    "properties": {"id": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"},
                   "name": {"type": "string", "maxLength": 255}, "size": {"type": ["integer", "null"], "minimum": 0},
                   "content_type": {"type": ["string", "null"]},
                   "attachment_id": {"type": "integer", "minimum": 1}},
}


def check_file_config(t: FieldType, f: FieldDef, add: ProblemSink) -> None:
    max_mb = f.config.get("max_size_mb")
    if max_mb is not None and (not isinstance(max_mb, int) or isinstance(max_mb, bool) or not 1 <= max_mb <= 1024):
        add("config.max_size_mb", "invalid_config", "max_size_mb 须为 1–1024 / max_size_mb must be 1..1024")
    accept = f.config.get("accept")
    if accept is not None and (not isinstance(accept, list) or len(accept) > 50 or not all(
            isinstance(a, str) and _MIME.match(a) for a in accept)):
        add("config.accept", "invalid_config", "accept 须为 MIME 类型列表（如 image/*） / accept must list MIME types")


class AttachmentsType(FieldType):
    name = "attachments"
    family = "media"
    label = {"zh-CN": "附件", "en": "Attachments"}
    properties = frozenset({"min_length", "max_length"})
    config_options: ClassVar[tuple[ConfigOption, ...]] = (
        ConfigOption("max_size_mb", "integer", {"zh-CN": "单个文件上限 (MB)", "en": "Largest file (MB)"}),
        ConfigOption("accept", "list", {"zh-CN": "允许的类型（MIME）", "en": "Accepted types (MIME)"}, []),
    )
    default_max: ClassVar[int] = 10

    def check_config(self, f: FieldDef, add: ProblemSink) -> None:
        super().check_config(f, add)
        check_count_bounds(f, add, hard_max=HARD_MAX_FILES)
        check_file_config(self, f, add)

    def normalize(self, value: Any, f: FieldDef, ctx: ValueContext) -> Any:
        if value is None or value == "" or value == []:
            return None
        if not isinstance(value, list):
            value = [value]
        refs: list[dict[str, Any]] = []
        for item in value[: HARD_MAX_FILES + 1]:
            ref = parse_reference(item, f, self)
            if any(r["id"] == ref["id"] for r in refs):
                raise FieldValueError("duplicate_item", value=ref["id"])
            refs.append(ref)
        check_counts(refs, f, default_max=self.default_max)
        return refs

    def to_formula(self, value: Any, f: FieldDef) -> Any:
        return None if value is None else [r["name"] or r["id"] for r in value]

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "array", "items": REFERENCE_SCHEMA, "maxItems": f.max_length or self.default_max}


class ImagesType(AttachmentsType):
    """Photos. Uploads are sniffed, orientation-fixed and stripped of GPS metadata unless
    ``keep_location`` asks to keep it (a site visit photo proving where it was taken)."""

    name = "images"
    label = {"zh-CN": "图片", "en": "Images"}
    config_options = (
        ConfigOption("max_size_mb", "integer", {"zh-CN": "单张上限 (MB)", "en": "Largest image (MB)"}),
        ConfigOption("accept", "list", {"zh-CN": "允许的图片类型", "en": "Accepted image types"}, list(IMAGE_TYPES)),
        ConfigOption("keep_location", "boolean", {"zh-CN": "保留照片中的位置信息", "en": "Keep location metadata"},
                     False),
        ConfigOption("camera_only", "boolean", {"zh-CN": "仅允许现场拍照", "en": "Camera only"}, False),
    )
    default_max = 9

    def check_config(self, f: FieldDef, add: ProblemSink) -> None:
        super().check_config(f, add)
        accept = f.config.get("accept")
        if isinstance(accept, list) and any(isinstance(a, str) and not a.startswith("image/") for a in accept):
            add("config.accept", "invalid_config", "图片字段只接受 image/* 类型 / images accept image types only")
        for name in ("keep_location", "camera_only"):
            if not isinstance(self.config_value(f, name), bool):
                add(f"config.{name}", "invalid_config", f"{name} 须为布尔值 / {name} must be a boolean")


class SignatureType(FieldType):
    name = "signature"
    family = "media"
    label = {"zh-CN": "手写签名", "en": "Signature"}
    config_options = (
        ConfigOption("max_size_mb", "integer", {"zh-CN": "图片上限 (MB)", "en": "Largest image (MB)"}, 2),
        ConfigOption("accept", "list", {"zh-CN": "允许的图片类型", "en": "Accepted image types"},
                     ["image/png", "image/jpeg", "image/webp"]),
    )

    def check_config(self, f: FieldDef, add: ProblemSink) -> None:
        super().check_config(f, add)
        check_file_config(self, f, add)

    def normalize(self, value: Any, f: FieldDef, ctx: ValueContext) -> Any:
        if value is None or value == "" or value == {}:
            return None
        return parse_reference(value, f, self)

    def to_formula(self, value: Any, f: FieldDef) -> Any:
        return None if value is None else value["id"]

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return REFERENCE_SCHEMA


COORDINATE_SYSTEMS = ("gcj02", "wgs84", "bd09")


class LocationType(FieldType):
    """Where it happened: ``{"lat", "lng", "address", "accuracy"}``, captured on a phone or picked
    on a map. Chinese maps use GCJ-02 (AMap, Tencent) or BD-09 (Baidu); the form says which."""

    name = "location"
    family = "location"
    label = {"zh-CN": "定位", "en": "Location"}
    config_options = (
        ConfigOption("coordinate_system", "enum", {"zh-CN": "坐标系", "en": "Coordinate system"}, "gcj02",
                     COORDINATE_SYSTEMS),
        ConfigOption("address_required", "boolean", {"zh-CN": "需要地址描述", "en": "Address required"}, False),
        ConfigOption("max_accuracy_m", "number", {"zh-CN": "最大允许误差（米）", "en": "Worst accepted accuracy (m)"}),
        ConfigOption("capture", "enum", {"zh-CN": "获取方式", "en": "Capture"}, "any", ("any", "gps", "map")),
    )

    def check_config(self, f: FieldDef, add: ProblemSink) -> None:
        super().check_config(f, add)
        if self.config_value(f, "coordinate_system") not in COORDINATE_SYSTEMS:
            add("config.coordinate_system", "invalid_config", "坐标系须为 gcj02/wgs84/bd09 / unknown coordinate system")
        if self.config_value(f, "capture") not in ("any", "gps", "map"):
            add("config.capture", "invalid_config", "capture 须为 any/gps/map / capture must be any, gps or map")
        worst = f.config.get("max_accuracy_m")
        if worst is not None and (isinstance(worst, bool) or not isinstance(worst, int | float) or worst <= 0):
            add("config.max_accuracy_m", "invalid_config", "须为正数 / must be a positive number")

    def normalize(self, value: Any, f: FieldDef, ctx: ValueContext) -> Any:
        if value is None or value == {} or value == "":
            return None
        if not isinstance(value, dict) or not set(value) <= {"lat", "lng", "address", "accuracy"}:
            raise FieldValueError("invalid_location")
        if value.get("lat") is None and value.get("lng") is None and self.config_value(f, "capture") != "gps":
            # No position (the visitor refused the browser's location): a written address stands in,
            # unless the form insists on GPS.
            address = check_text(value.get("address") or "", multiline=False)
            if not address:
                raise FieldValueError("invalid_location")
            if len(address) > 500:
                raise FieldValueError("too_long", max=500)
            return {"lat": None, "lng": None, "address": address, "accuracy": None}
        try:
            lat, lng = float(to_decimal(value.get("lat"))), float(to_decimal(value.get("lng")))
            accuracy = None if value.get("accuracy") is None else float(to_decimal(value["accuracy"]))
        except FieldValueError as exc:
            raise FieldValueError("invalid_location") from exc
        if not (-90 <= lat <= 90 and -180 <= lng <= 180) or (accuracy is not None and not
                                                            (0 <= accuracy <= 1_000_000 and math.isfinite(accuracy))):
            raise FieldValueError("invalid_location")
        worst = f.config.get("max_accuracy_m")
        if accuracy is not None and isinstance(worst, int | float) and accuracy > worst:
            raise FieldValueError("too_large", max=worst)
        address = check_text(value.get("address") or "", multiline=False)
        if len(address) > 500:
            raise FieldValueError("too_long", max=500)
        if not address and self.config_value(f, "address_required") is True:
            raise FieldValueError("required")
        return {"lat": round(lat, 7), "lng": round(lng, 7), "address": address, "accuracy": accuracy}

    def to_formula(self, value: Any, f: FieldDef) -> Any:
        return None if value is None else (value["address"] or f"{value['lat']},{value['lng']}")

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        # lat/lng are null when only a written address was given (capture "any" or "map").
        return {"type": "object", "required": ["lat", "lng"], "additionalProperties": False,
                "properties": {"lat": {"type": ["number", "null"], "minimum": -90, "maximum": 90},
                               "lng": {"type": ["number", "null"], "minimum": -180, "maximum": 180},
                               "address": {"type": "string", "maxLength": 500},
                               "accuracy": {"type": ["number", "null"], "minimum": 0}}}


TYPES: tuple[type[FieldType], ...] = (AttachmentsType, ImagesType, SignatureType, LocationType)
