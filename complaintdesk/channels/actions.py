"""Anonymous intake through a public form (the web form channel).

The form engine validates the values (``public=True``: related tickets cannot be probed), the
customer is found or created from the contact fields, and the ticket pins the form version; all
in one transaction, so an invalid submission stores nothing.

Contact fields are found by key: ``contact_name``, ``contact_phone``, ``contact_email``; the
subject and description come from the ``subject`` and ``description`` fields when the form has
them (the form's name and the contact's name otherwise).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from complaintdesk.core.context import via
from complaintdesk.customers.actions import do_find_or_create_customer
from complaintdesk.forms.models import FormVersion
from complaintdesk.tickets.actions import do_create_ticket
from complaintdesk.tickets.choices import Channel
from complaintdesk.tickets.formdata import evaluate_for_ticket
from complaintdesk.tickets.models import Ticket

CONTACT_NAME, CONTACT_PHONE, CONTACT_EMAIL = "contact_name", "contact_phone", "contact_email"


def _text(values: Mapping[str, Any], key: str) -> str:
    value = values.get(key)
    return value.strip() if isinstance(value, str) else ""


def do_submit_public_form(version: FormVersion, *, values: dict[str, Any], url_params: Mapping[str, str] | None = None,
                          submission_id: str | None = None, client_ip: str = "") -> tuple[Ticket, bool]:
    """Register an anonymous complaint through a public form; ``(ticket, created)`` — the same
    ``submission_id`` again (a double click, a retried request) returns the first ticket."""
    form = version.form
    params = dict(url_params or {})
    external_id = f"public:{form.key}:{submission_id}" if submission_id else None
    if external_id:
        existing = Ticket.objects.filter(channel=Channel.WEB_FORM, external_id=external_id).first()
        if existing is not None:
            return existing, False
    # Checked before anything is written: the customer is created from normalised contact values.
    _, checked = evaluate_for_ticket(version, values, actor=None, public=True, submit=False, url_params=params)
    clean = checked.values
    name, phone, email = _text(clean, CONTACT_NAME), _text(clean, CONTACT_PHONE), _text(clean, CONTACT_EMAIL)
    subject = _text(clean, "subject") or f"{form.name}：{name or '匿名'}"
    with via(Channel.WEB_FORM), transaction.atomic():
        customer = do_find_or_create_customer(name=name, phone=phone, email=email, actor=None) \
            if name or phone or email else None
        return do_create_ticket(
            actor=None, subject=subject[:300], channel=Channel.WEB_FORM, description=_text(clean, "description"),
            external_id=external_id, customer=customer,
            category=form.category, form_version=version, values=values, public=True, url_params=params,
            client_ip=client_ip,
        )
