"""Field rights of workflow nodes (``cd:fieldRights``), plugged into
``complaintdesk.forms.permissions.field_rights`` so every endpoint that writes ticket data obeys them.

While a process runs on a ticket, the form fields named in any node's ``cd:fieldRights`` are
governed by the process: a user may change such a field only while holding an open work item at a
node that marks it ``editable`` or ``required``; it is hidden from them when every node they hold
marks it ``hidden``. Fields no node names keep the rights the user's roles give. Superusers and the
system (no user) are not restricted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from complaintdesk.forms.permissions import FieldRights
from complaintdesk.workflows.bpmn import document_for
from complaintdesk.workflows.choices import OPEN_STATES, InstanceStatus, WorkItemKind

if TYPE_CHECKING:
    from complaintdesk.accounts.models import User
    from complaintdesk.tickets.models import Ticket

WRITABLE = ("editable", "required")


def workflow_field_rights(user: User | None, ticket: Ticket) -> FieldRights | None:
    from complaintdesk.workflows.models import ProcessInstance, WorkItem

    if user is None or user.is_superuser or ticket.pk is None:
        return None
    instance = (ProcessInstance.objects.filter(ticket_id=ticket.pk, status=InstanceStatus.RUNNING)
                .select_related("version").only("id", "version__bpmn_xml").first())
    if instance is None:
        return None
    doc = document_for(instance.version.bpmn_xml)
    governed: set[str] = set()
    for node in doc.user_tasks():
        rights = node.props.get("fieldRights")
        if isinstance(rights, dict):
            governed |= set(rights)
    if not governed:
        return None
    held = set(WorkItem.objects.filter(instance_id=instance.pk, kind=WorkItemKind.TASK, state__in=OPEN_STATES,
                                       assignee_id=user.pk).values_list("node_id", flat=True))
    writable: set[str] = set()
    hidden_everywhere: set[str] | None = None
    for node_id in held:
        found = doc.nodes.get(node_id)
        raw = found.props.get("fieldRights") if found is not None else None
        rights = raw if isinstance(raw, dict) else {}
        writable |= {k for k, v in rights.items() if v in WRITABLE}
        hidden_here = {k for k, v in rights.items() if v == "hidden"}
        hidden_everywhere = hidden_here if hidden_everywhere is None else hidden_everywhere & hidden_here
    hidden = frozenset(hidden_everywhere or ())
    return FieldRights(hidden=hidden, read_only=frozenset(governed - writable - hidden))
