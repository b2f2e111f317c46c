"""JSON Schema (draft 2020-12) of a form version's stored values, for integrators.

The document describes the ``data`` object a ticket stores for the version: one property per
field with a value, ``readOnly`` for computed ones, ``required`` for fields that are always
required. What JSON Schema cannot say — visibility and required-ness that depend on other answers —
is carried in ``x-visible-when`` / ``x-required-when`` (the shared condition format), and the
evaluate endpoint gives the authoritative answer for a given set of values.
"""

from __future__ import annotations

from typing import Any

from complaintdesk.forms.fieldtypes import FieldDef
from complaintdesk.forms.schema import FormSchema

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def field_json_schema(f: FieldDef) -> dict[str, Any]:
    fragment = dict(f.field_type.json_schema(f))
    fragment["title"] = f.label.get("zh-CN", f.key)
    if f.label.get("en"):
        fragment["x-title-en"] = f.label["en"]
    if f.help:
        fragment["description"] = f.help.get("zh-CN") or f.help.get("en", "")
    fragment["x-field-type"] = f.type
    if f.field_type.computed or f.read_only:
        fragment["readOnly"] = True
    if f.type in ("dropdown", "radio", "multi_select", "checkboxes", "cascade", "tags") and f.options:
        fragment["x-options"] = _options(f.options)
    if f.visible_when is not None:
        fragment["x-visible-when"] = f.visible_when
    if f.required_when is not None:
        fragment["x-required-when"] = f.required_when
    if f.unique:
        fragment["x-unique"] = True
    return fragment


def _options(options: list[Any]) -> list[dict[str, Any]]:
    return [{"value": o.value, "label": o.label, **({"children": _options(o.children)} if o.children else {})}
            for o in options]


def always_required(schema: FormSchema, f: FieldDef) -> bool:
    return (f.required and f.visible_when is None and not schema.container_conditions.get(f.key)
            and not f.field_type.computed and not f.read_only)


def export_json_schema(schema: FormSchema, *, form_key: str, form_name: str, version: int) -> dict[str, Any]:
    properties = {f.key: field_json_schema(f) for f in schema.fields if f.field_type.has_value}
    required = [f.key for f in schema.fields if f.field_type.has_value and always_required(schema, f)]
    document: dict[str, Any] = {
        "$schema": DRAFT,
        "$id": f"urn:complaintdesk:form:{form_key}:v{version}",
        "title": form_name,
        "description": f"Ticket data of form {form_key!r}, version {version}. Empty values are omitted.",
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
        "x-complaintdesk": {"form": form_key, "version": version},
    }
    if required:
        document["required"] = required
    return document
