"""Field-level permissions (字段级权限): which fields of a ticket's form a user may not see or
not change.

``field_rights(user, ticket)`` is the one place effective rights are computed; the ticket API
masks hidden fields on read and the ticket actions refuse writes to read-only (and hidden) fields
through it. Rules come from roles today (``FieldPermission``); the workflow engine will add the
rights of the node a ticket is at here, so every caller picks them up unchanged.

Several roles combine like their permissions do: a field is restricted only when **every** role of
the user restricts it (a role without a rule for a field grants full access to it), and
``read_only`` wins over ``hidden`` between two restricting roles. Superusers and the system (no
user) have no restrictions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from complaintdesk.forms.choices import FieldAccess
from complaintdesk.forms.models import FieldPermission

if TYPE_CHECKING:
    from complaintdesk.accounts.models import User
    from complaintdesk.tickets.models import Ticket


@dataclass(frozen=True)
class FieldRights:
    hidden: frozenset[str] = frozenset()
    read_only: frozenset[str] = frozenset()

    @property
    def unwritable(self) -> frozenset[str]:
        """What the user may not set: read-only fields and the fields they cannot even see."""
        return self.hidden | self.read_only


NO_RESTRICTIONS = FieldRights()


def form_field_rights(user: User | None, form_id: int | None) -> FieldRights:
    """The rights of ``user`` on the fields of form ``form_id`` from their roles (one query)."""
    if user is None or form_id is None or user.is_superuser:
        return NO_RESTRICTIONS
    role_ids = set(user.roles.values_list("id", flat=True))
    rules: dict[str, dict[int, str]] = {}
    if role_ids:
        for key, role_id, access in FieldPermission.objects.filter(form_id=form_id, role_id__in=role_ids) \
                .values_list("field_key", "role_id", "access"):
            rules.setdefault(key, {})[role_id] = access
    hidden: set[str] = set()
    read_only: set[str] = set()
    for key, by_role in rules.items():
        if set(by_role) != role_ids:
            continue  # one of the user's roles leaves the field open
        if all(access == FieldAccess.HIDDEN for access in by_role.values()):
            hidden.add(key)
        else:
            read_only.add(key)
    return FieldRights(frozenset(hidden), frozenset(read_only))


# Further sources of restrictions, e.g. the workflow engine's rights of the node the ticket is at:
# ``fn(user, ticket) -> FieldRights | None``; their restrictions add to the roles' ones.
RIGHTS_SOURCES: list[Callable[[User | None, Ticket], FieldRights | None]] = []


def field_rights(user: User | None, ticket: Ticket) -> FieldRights:
    """The effective rights of ``user`` on the form fields of ``ticket`` (roles, narrowed further
    by every registered ``RIGHTS_SOURCES`` function such as the workflow node's rights)."""
    version = ticket.form_version if ticket.form_version_id is not None else None
    if version is None:
        return NO_RESTRICTIONS
    rights = form_field_rights(user, version.form_id)
    for source in RIGHTS_SOURCES:
        extra = source(user, ticket)
        if extra is not None:
            hidden = rights.hidden | extra.hidden
            rights = FieldRights(hidden, (rights.read_only | extra.read_only) - hidden)
    return rights
