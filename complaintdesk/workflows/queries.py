"""Reads of the workflow engine. Inbox queries read ``WorkItem`` only (never the engine state) with
``select_related``, so a page costs a fixed number of queries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet

from complaintdesk.accounts import permissions as P
from complaintdesk.accounts.access import check_perm, get_access, has_perm
from complaintdesk.accounts.choices import DataScope
from complaintdesk.core import clock
from complaintdesk.core.errors import InvalidInput, NotFound
from complaintdesk.core.schemas import user_ref
from complaintdesk.tickets.queries import visible_tickets
from complaintdesk.workflows import engine
from complaintdesk.workflows.actions import may_handle, return_targets, was_handled
from complaintdesk.workflows.bpmn import document_for
from complaintdesk.workflows.choices import OPEN_STATES, InstanceStatus, VersionStatus, WorkItemKind, WorkItemState
from complaintdesk.workflows.models import ProcessDefinition, ProcessInstance, ProcessVersion, WorkItem

if TYPE_CHECKING:
    from complaintdesk.accounts.models import User
    from complaintdesk.tickets.models import Ticket

BOXES = ("mine", "team", "overdue", "cc", "done", "all")
ITEM_RELATED = ("ticket", "assignee", "candidate_team", "department", "completed_by",
                "instance__version__definition")
LIST_DEFERRED = ("instance__state", "instance__version__bpmn_xml", "instance__version__nodes", "ticket__search_text",
                 "ticket__description", "ticket__data", "assignee__password", "completed_by__password")


def _mine_q(viewer: User) -> Q:
    return Q(assignee_id=viewer.pk) | Q(assignee__isnull=True, candidate_key__contains=f",{viewer.pk},")


def _team_ids(viewer: User) -> list[int]:
    return list(viewer.teams.values_list("id", flat=True))


def list_work_items(*, viewer: User, box: str = "mine") -> QuerySet[WorkItem]:
    """The viewer's inbox: ``mine`` (assigned to me or in my candidate pool), ``team`` (my teams'
    open items), ``overdue`` (open and past due: mine and my teams', everything for process
    admins and all-scope viewers), ``cc`` (copied to me), ``done`` (completed by me), ``all``
    (every open item, process admins)."""
    if box not in BOXES:
        raise InvalidInput(f"box 必须是 {'/'.join(BOXES)} / box must be one of {list(BOXES)}",
                           details={"box": list(BOXES)})
    # The engine state and the BPMN text are large and a list never needs them.
    qs = WorkItem.objects.select_related(*ITEM_RELATED).defer(*LIST_DEFERRED)
    tasks = qs.filter(kind=WorkItemKind.TASK)
    if box == "mine":
        return tasks.filter(_mine_q(viewer), state__in=OPEN_STATES).order_by("due_at", "id")
    if box == "cc":
        return qs.filter(kind=WorkItemKind.CC, assignee_id=viewer.pk).order_by("-created_at", "-id")
    if box == "done":
        return tasks.filter(completed_by_id=viewer.pk).order_by("-completed_at", "-id")
    if box == "all":
        check_perm(viewer, P.PROCESS_ADMIN)
        return tasks.filter(state__in=OPEN_STATES).order_by("due_at", "id")
    team_ids = _team_ids(viewer)
    from complaintdesk.accounts.models import User as UserModel

    team_q = Q(candidate_team_id__in=team_ids) | Q(
        assignee_id__in=UserModel.objects.filter(teams__in=team_ids).values("id"))
    if box == "team":
        return tasks.filter(team_q, state__in=OPEN_STATES).order_by("due_at", "id")
    # overdue
    overdue = tasks.filter(state__in=OPEN_STATES, due_at__lt=clock.now())
    if has_perm(viewer, P.PROCESS_ADMIN) or get_access(viewer).scope == DataScope.ALL:
        return overdue.order_by("due_at", "id")
    return overdue.filter(_mine_q(viewer) | team_q).order_by("due_at", "id")


def work_item_rows(ids: list[int]) -> list[WorkItem]:
    """The rows of one inbox page, in the order of ``ids`` (one query with the related rows).
    Paging ids first keeps the sort off the joins: 10,000 open items sort on the index alone."""
    found = {i.pk: i for i in WorkItem.objects.select_related(*ITEM_RELATED).defer(*LIST_DEFERRED)
             .filter(pk__in=ids)}
    return [found[i] for i in ids if i in found]


def get_work_item(*, viewer: User, item_id: int) -> WorkItem:
    """One work item: visible to its assignee, candidates and cc recipients, and to whoever may see
    its ticket."""
    item = WorkItem.objects.select_related(*ITEM_RELATED).filter(pk=item_id).first()
    if item is None:
        raise NotFound(f"任务不存在 / Work item {item_id} not found")
    if item.assignee_id == viewer.pk or viewer.pk in [int(u) for u in item.candidate_users or []]:
        return item
    if has_perm(viewer, P.PROCESS_ADMIN) or (
            has_perm(viewer, P.TICKET_VIEW) and visible_tickets(viewer).filter(pk=item.ticket_id).exists()):
        return item
    raise NotFound(f"任务不存在 / Work item {item_id} not found")


def list_definitions(*, viewer: User) -> QuerySet[ProcessDefinition]:
    return ProcessDefinition.objects.all().order_by("id")


def running_instances_by_version(*, definition_ids: list[int]) -> dict[int, int]:
    """Running process instances per version id of these definitions (one grouped query)."""
    rows = (ProcessInstance.objects.filter(version__definition_id__in=definition_ids, status=InstanceStatus.RUNNING)
            .values("version_id").annotate(n=Count("id")).order_by())
    return {row["version_id"]: row["n"] for row in rows}


def get_definition(*, key: str) -> ProcessDefinition:
    found = ProcessDefinition.objects.filter(key=key).first()
    if found is None:
        raise NotFound(f"流程不存在 / Process {key!r} not found")
    return found


def get_version(*, definition: ProcessDefinition, number: int) -> ProcessVersion:
    found = definition.versions.filter(version=number).first()
    if found is None:
        raise NotFound(f"流程版本不存在 / Version {number} of {definition.key!r} not found")
    return found


def published(definition: ProcessDefinition) -> ProcessVersion | None:
    return definition.versions.filter(status=VersionStatus.PUBLISHED).order_by("-version").first()


# --- the process view of a ticket ---------------------------------------------------------------


def item_operations(viewer: User, item: WorkItem) -> list[str]:
    """What ``viewer`` may do with ``item`` now."""
    if item.kind != WorkItemKind.TASK or item.state not in OPEN_STATES or \
            item.instance.status != InstanceStatus.RUNNING:
        return []
    ops: list[str] = []
    handler = may_handle(viewer, item)
    admin = has_perm(viewer, P.PROCESS_ADMIN)
    if item.assignee_id is None and handler:
        ops.append("claim")
    if item.assignee_id == viewer.pk and (item.candidate_users or item.candidate_team_id):
        ops.append("release")
    if handler:
        ops.append("complete")
    if handler or admin:
        ops += ["transfer", "return"]
    if item.assignee_id == viewer.pk:
        ops.append("add_signer")
    if has_perm(viewer, P.TICKET_VIEW) and not handler:
        ops.append("urge")
    return ops


def process_view(*, viewer: User, ticket: Ticket) -> dict[str, Any]:
    """The ticket's latest process instance: BPMN XML, each node's state (done / active / waiting /
    pending, and cancelled once the instance was terminated or withdrawn), per-node history, current
    nodes, open items with the viewer's operations."""
    instance = (ProcessInstance.objects.filter(ticket=ticket).select_related("version__definition", "started_by")
                .order_by("-started_at", "-id").first())
    if instance is None:
        raise NotFound("工单没有流程 / The ticket has no process")
    version = instance.version
    doc = document_for(version.bpmn_xml)
    items = list(WorkItem.objects.filter(instance=instance).select_related("assignee", "completed_by", "instance")
                 .order_by("created_at", "id"))
    states: dict[str, str] = dict.fromkeys(doc.nodes, "pending")
    targets: list[str] = []
    if instance.state:
        wf = engine.load_workflow(instance.state, lambda: ticket)
        for task in wf.get_tasks():
            nid = engine.node_id(task)
            if nid not in states:
                continue
            if task.state == engine.TaskState.COMPLETED:
                if states[nid] == "pending":
                    states[nid] = "done"
            elif task.state == engine.TaskState.READY:
                states[nid] = "active"
            elif task.state == engine.TaskState.WAITING and states[nid] != "active":
                states[nid] = "waiting"
            elif task.state == engine.TaskState.STARTED:
                states[nid] = "active"
        if instance.status == InstanceStatus.RUNNING:
            for item in items:
                if item.kind == WorkItemKind.TASK and item.state in OPEN_STATES and may_handle(viewer, item):
                    targets = return_targets(wf, item.spiff_task_id)
                    break
    if instance.status != InstanceStatus.RUNNING:
        # An ended instance has no active node: what was active was cancelled (terminated / withdrawn).
        states = {k: ("cancelled" if v in ("active", "waiting") else v) for k, v in states.items()}
    history: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        if item.kind != WorkItemKind.TASK:
            continue
        end = item.completed_at
        history.setdefault(item.node_id, []).append({
            "work_item_id": item.pk, "round": item.round, "assignee": user_ref(item.assignee),
            "actor": user_ref(item.completed_by), "state": item.state, "start": item.created_at, "end": end,
            "duration_seconds": (end - item.created_at).total_seconds() if end else None,
            "outcome": item.outcome, "comment": item.comment, "origin": item.origin,
        })
    open_items = [i for i in items if i.kind == WorkItemKind.TASK and i.state in OPEN_STATES]
    process_ops: list[str] = []
    if instance.status == InstanceStatus.RUNNING:
        if has_perm(viewer, P.TICKET_VIEW):
            process_ops.append("cc")
        if (instance.started_by_id or ticket.created_by_id) == viewer.pk and not was_handled(instance):
            process_ops.append("withdraw")
        if has_perm(viewer, P.PROCESS_ADMIN):
            process_ops.append("terminate")
    return {
        "instance_id": instance.pk, "status": instance.status, "process": version.definition.key,
        "process_name": version.definition.name, "version": version.version, "bpmn_xml": version.bpmn_xml,
        "started_by": user_ref(instance.started_by), "started_at": instance.started_at, "ended_at": instance.ended_at,
        "node_states": states,
        "current_nodes": sorted({i.node_id for i in open_items}),
        "history": history,
        "open_items": [{"work_item_id": i.pk, "node_id": i.node_id, "node_name": i.node_name,
                        "assignee": user_ref(i.assignee), "state": i.state, "due_at": i.due_at,
                        "operations": item_operations(viewer, i)} for i in open_items],
        "operations": process_ops,
        "return_targets": targets,
    }


def open_items_count(*, viewer: User) -> int:
    return WorkItem.objects.filter(_mine_q(viewer), kind=WorkItemKind.TASK, state__in=OPEN_STATES).count()


__all__ = ["BOXES", "WorkItemState", "get_work_item", "list_work_items", "process_view"]
