"""The registry of field types: one instance per type name, in palette order."""

from __future__ import annotations

from complaintdesk.forms.fieldtypes import (
    choice,
    identity,
    media,
    numeric,
    references,
    region,
    structure,
    temporal,
    text,
)
from complaintdesk.forms.fieldtypes.base import FieldType

FIELD_TYPES: dict[str, FieldType] = {}


def register(cls: type[FieldType]) -> FieldType:
    if not cls.name or cls.name in FIELD_TYPES:
        raise ValueError(f"field type {cls.name!r} registered twice or unnamed")
    FIELD_TYPES[cls.name] = instance = cls()
    return instance


def get_field_type(name: str) -> FieldType:
    """The type called ``name``; ``KeyError`` if there is none (schema checks report it first)."""
    return FIELD_TYPES[name]


for _module in (text, numeric, temporal, choice, region, identity, references, media, structure):
    for _cls in _module.TYPES:
        register(_cls)
