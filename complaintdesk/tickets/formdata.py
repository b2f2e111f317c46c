"""Ticket data filled through a form: evaluation against the pinned ``FormVersion``, uniqueness of
``unique`` fields among the form's tickets, and the read-only rules of updates.

The ticket actions call these inside their transaction; the form engine
(``forms.engine.evaluate_form``) is the only implementation of defaults, formulas, visibility and
validation, so the designer's preview, the API and the public form never disagree.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.db.models.fields.json import KeyTransform

from complaintdesk.accounts import permissions as P
from complaintdesk.accounts.access import has_perm
from complaintdesk.core import clock
from complaintdesk.core.errors import InvalidInput
from complaintdesk.forms import crypto
from complaintdesk.forms.engine import EvaluationContext, EvaluationResult, evaluate_form
from complaintdesk.forms.fieldtypes import FieldValueError, ValueContext, error_dict
from complaintdesk.forms.models import Form
from complaintdesk.forms.permissions import field_rights, form_field_rights
from complaintdesk.forms.schema import FormSchema, compile_schema
from complaintdesk.tickets.models import Ticket

if TYPE_CHECKING:
    from complaintdesk.accounts.models import User
    from complaintdesk.forms.models import FormVersion

logger = logging.getLogger(__name__)

Errors = dict[str, list[dict[str, str]]]


def encrypted_keys(schema: FormSchema) -> frozenset[str]:
    """Top-level sensitive fields (phone, ID card) marked ``encrypted``: stored sealed."""
    return frozenset(f.key for f in schema.fields if f.parent is None and f.field_type.sensitive
                     and f.field_type.config_value(f, "encrypted") is True)


def seal_values(schema: FormSchema, values: Mapping[str, Any], *, previous: Mapping[str, Any] | None = None,
                previous_plain: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """``values`` as stored: encrypted fields sealed (an unchanged value keeps its old seal, so an
    update does not record it as changed)."""
    sealed = dict(values)
    for key in encrypted_keys(schema):
        value = sealed.get(key)
        if not isinstance(value, str):
            continue
        old = (previous or {}).get(key)
        if previous_plain is not None and previous_plain.get(key) == value and crypto.is_sealed(old):
            sealed[key] = old
        else:
            sealed[key] = crypto.seal(key, value)
    return sealed


def unseal_values(schema: FormSchema, data: Mapping[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """The plain values of ``data`` and the keys that could not be decrypted (left sealed)."""
    plain = dict(data)
    failed: set[str] = set()
    for key in encrypted_keys(schema):
        value = plain.get(key)
        if isinstance(value, dict) and crypto.is_sealed(value):
            try:
                plain[key] = crypto.unseal(key, value)
            except crypto.DecryptionFailed:
                logger.error("field %s could not be decrypted (was the field encryption key changed?)", key)
                failed.add(key)
    return plain, failed


def invalid_data(errors: Errors) -> InvalidInput:
    """The one 422 answer of an invalid form submission: every field's errors, in zh-CN and en."""
    return InvalidInput("表单数据无效 / The form data is invalid", code="invalid_data", details={"errors": errors})


def _unique_errors(schema: FormSchema, version: FormVersion, values: Mapping[str, Any],
                   exclude_ticket_id: int | None) -> Errors:
    errors: Errors = {}
    unique = [f for f in schema.fields if f.unique and f.parent is None and values.get(f.key) is not None]
    if not unique:
        return errors
    # Serialise submissions of this form while uniqueness is checked (PostgreSQL row lock; SQLite
    # has one writer anyway), so two concurrent tickets cannot both take the same value.
    Form.objects.select_for_update().filter(pk=version.form_id).values_list("pk", flat=True).first()
    for f in unique:
        qs = Ticket.objects.filter(form_version__form_id=version.form_id)
        if exclude_ticket_id is not None:
            qs = qs.exclude(pk=exclude_ticket_id)
        # KeyTransform, not ``data__<key>``: a field key may be a lookup name ("in", "contains").
        # Encrypted values are compared by their keyed hash.
        if f.key in encrypted_keys(schema):
            target: Any = KeyTransform(crypto.HASH, KeyTransform(f.key, "data"))
            wanted: Any = crypto.blind_index(f.key, str(values[f.key]))
        else:
            target, wanted = KeyTransform(f.key, "data"), values[f.key]
        if qs.annotate(_unique_value=target).filter(_unique_value=wanted).exists():
            errors.setdefault(f.key, []).append(error_dict("not_unique"))
    return errors


def evaluate_for_ticket(version: FormVersion, values: Any, *, actor: User | None, trusted: bool = False,
                        public: bool = False, submit: bool = True, url_params: Mapping[str, str] | None = None,
                        exclude_ticket_id: int | None = None) -> tuple[FormSchema, EvaluationResult]:
    """Evaluate ``values`` against ``version`` and check uniqueness; raise ``invalid_data`` (422)
    with every problem at once. Must run inside the ticket's transaction when ``submit`` (serial
    numbers are taken then, and given back by a rollback)."""
    schema = compile_schema(version.schema)
    context = EvaluationContext(viewer=actor, trusted=trusted, public=public, submit=submit,
                                serial_scope=version.form.key, url_params=url_params)
    result = evaluate_form(schema, values, context=context)
    errors: Errors = {k: list(v) for k, v in result.errors.items()}
    for key, found in _unique_errors(schema, version, result.values, exclude_ticket_id).items():
        errors.setdefault(key, []).extend(found)
    if errors:
        raise invalid_data(errors)
    return schema, result


def merge_for_update(ticket: Ticket, changes: Mapping[str, Any], *, actor: User | None,
                     read_only: set[str] | frozenset[str] = frozenset()) -> dict[str, Any]:
    """The ticket's new data after a PATCH of ``changes`` (null removes a key), re-validated against
    the version the ticket pinned. Computed fields, serial numbers and ``read_only`` fields (the
    form's own read-only fields unless the caller is the system, plus the field rights of the
    actor) may be sent back unchanged but not changed: 422 naming them."""
    version = ticket.form_version
    assert version is not None
    schema = compile_schema(version.schema)
    stored = dict(ticket.data or {})
    old, undecryptable = unseal_values(schema, stored)
    changes = dict(changes)
    for key in encrypted_keys(schema) & set(changes):
        # What a viewer without field.view_sensitive sent back is the masked value: unchanged.
        if isinstance(old.get(key), str) and changes[key] == crypto.mask(old[key]):
            del changes[key]
    locked = set(read_only)
    for f in schema.fields:
        if f.field_type.computed or (f.read_only and actor is not None):
            locked.add(f.key)
    refused: Errors = {}
    for key, value in changes.items():
        if key in locked and old.get(key) != value:
            refused[key] = [error_dict("read_only")]
    if refused:
        raise invalid_data(refused)
    merged = {k: v for k, v in old.items() if k not in undecryptable or k in changes}
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    # Read-only values come from the stored data (checked above), so they are accepted as given.
    _, result = evaluate_for_ticket(version, merged, actor=actor, trusted=True, submit=False,
                                    exclude_ticket_id=ticket.pk)
    new = seal_values(schema, result.values, previous=stored, previous_plain=old)
    for f in schema.fields:
        # A serial number is taken once, at creation, and never again.
        if f.type == "serial_number" and old.get(f.key) is not None:
            new[f.key] = old[f.key]
    for key in undecryptable - set(changes):
        new[key] = stored[key]
    return new


def check_writable(version: FormVersion, values: Mapping[str, Any], *, actor: User | None) -> None:
    """Refuse (422 naming the fields) values for fields the actor's roles make read-only or hidden."""
    locked = form_field_rights(actor, version.form_id).unwritable
    refused = {key: [error_dict("read_only")] for key in values if key in locked}
    if refused:
        raise invalid_data(refused)


def present_data(ticket: Ticket, viewer: User | None) -> dict[str, Any]:
    """The ticket's data as ``viewer`` may see it: fields hidden from them are left out, and
    encrypted fields are decrypted, then masked (``138****5678``) unless the viewer holds
    ``field.view_sensitive``."""
    data = dict(ticket.data or {})
    version = ticket.form_version if ticket.form_version_id is not None else None
    if version is None:
        return data
    hidden = field_rights(viewer, ticket).hidden
    data = {k: v for k, v in data.items() if k not in hidden}
    schema = compile_schema(version.schema)
    keys = encrypted_keys(schema) & set(data)
    if keys:
        plain, failed = unseal_values(schema, {k: data[k] for k in keys})
        unmasked = viewer is None or has_perm(viewer, P.FIELD_VIEW_SENSITIVE)
        for key in keys:
            value = plain[key]
            if key in failed or not isinstance(value, str):
                data[key] = "******"
            else:
                data[key] = value if unmasked else crypto.mask(value)
    return data


def filter_by_field_value(qs: QuerySet[Ticket], *, version: FormVersion, field_key: str,
                          value: Any) -> QuerySet[Ticket]:
    """Tickets of ``version``'s form whose field ``field_key`` holds exactly ``value`` (normalised
    as the field does: ``+86 138-0013-8000`` finds ``13800138000``); encrypted fields are found
    through their keyed hash, without decrypting anything."""
    schema = compile_schema(version.schema)
    f = schema.by_key.get(field_key)
    if f is None or f.parent is not None:
        raise InvalidInput("表单没有此字段 / The form has no such field", details={"field": field_key[:64]})
    try:
        normalised = f.field_type.normalize(value, f, ValueContext(now=clock.now()))
    except FieldValueError:
        return qs.none()
    qs = qs.filter(form_version__form_id=version.form_id)
    if field_key in encrypted_keys(schema):
        return qs.annotate(_match=KeyTransform(crypto.HASH, KeyTransform(field_key, "data"))).filter(
            _match=crypto.blind_index(field_key, str(normalised)))
    return qs.annotate(_match=KeyTransform(field_key, "data")).filter(_match=normalised)


def hidden_keys(ticket: Ticket, viewer: User | None) -> frozenset[str]:
    return frozenset() if ticket.form_version_id is None else field_rights(viewer, ticket).hidden
