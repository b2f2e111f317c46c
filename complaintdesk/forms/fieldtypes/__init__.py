"""Field types of the form engine: ``FIELD_TYPES`` maps a type name to its handler."""

from complaintdesk.forms.fieldtypes.base import (
    UNSET,
    ChoiceOption,
    FieldDef,
    FieldType,
    FieldValueError,
    ValueContext,
    error_dict,
)
from complaintdesk.forms.fieldtypes.registry import FIELD_TYPES, get_field_type

__all__ = ["FIELD_TYPES", "UNSET", "ChoiceOption", "FieldDef", "FieldType", "FieldValueError", "ValueContext",
           "error_dict", "get_field_type"]
