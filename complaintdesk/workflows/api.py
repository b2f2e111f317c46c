"""REST endpoints of the workflows app: process definitions and versions, a ticket's process, the
work-item inbox and the operations on work items."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status

from complaintdesk.accounts.models import User
from complaintdesk.core import clock
from complaintdesk.core.errors import NotFound
from complaintdesk.core.schemas import ERRORS, paginate, user_ref
from complaintdesk.tickets.queries import get_ticket
from complaintdesk.workflows import actions as A
from complaintdesk.workflows import queries
from complaintdesk.workflows.bpmn import BpmnSyntaxError, document_for
from complaintdesk.workflows.choices import OPEN_STATES, VersionStatus
from complaintdesk.workflows.models import ProcessDefinition, ProcessVersion, WorkItem
from complaintdesk.workflows.schemas import (
    AddSignerIn,
    CcIn,
    CcOut,
    CompleteIn,
    NodeStatsOut,
    ProcessIn,
    ProcessOut,
    ProcessVersionOut,
    ProcessViewOut,
    ReasonIn,
    ReturnIn,
    StartIn,
    TransferIn,
    UrgeIn,
    ValidateOut,
    VersionIn,
    WorkItemDetailOut,
    WorkItemPage,
)
from complaintdesk.workflows.validation import node_outcomes, validate_process_xml

router = Router(tags=["workflows"])


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


# --- serialisation ------------------------------------------------------------------------------


def process_out(definition: ProcessDefinition, running: dict[int, int] | None = None) -> dict[str, Any]:
    versions = list(definition.versions.order_by("version"))
    if running is None:
        running = queries.running_instances_by_version(definition_ids=[definition.pk])
    published = [v.version for v in versions if v.status == VersionStatus.PUBLISHED]
    return {
        "id": definition.pk, "key": definition.key, "name": definition.name, "name_en": definition.name_en,
        "description": definition.description, "is_active": definition.is_active,
        "published_version": published[-1] if published else None,
        "versions": [{"version": v.version, "status": v.status, "checksum": v.checksum, "created_at": v.created_at,
                      "published_at": v.published_at, "running": running.get(v.pk, 0)} for v in versions],
    }


def version_out(version: ProcessVersion) -> dict[str, Any]:
    nodes: list[dict[str, Any]] = []
    flows: list[dict[str, Any]] = []
    try:
        doc = document_for(version.bpmn_xml)
        nodes, flows = doc.describe(), [f.describe() for f in doc.flows.values()]
        process_id = version.process_id or doc.process_id
    except BpmnSyntaxError:
        process_id = version.process_id
    problems = validate_process_xml(version.bpmn_xml) if version.status == VersionStatus.DRAFT else []
    return {
        "process": version.definition.key, "version": version.version, "status": version.status,
        "checksum": version.checksum, "bpmn_xml": version.bpmn_xml, "process_id": process_id, "nodes": nodes,
        "flows": flows, "problems": problems, "created_at": version.created_at, "published_at": version.published_at,
        "published_by": user_ref(version.published_by),
    }


def work_item_out(item: WorkItem) -> dict[str, Any]:
    t = item.ticket
    team = item.candidate_team
    dept = item.department
    return {
        "id": item.pk, "kind": item.kind, "state": item.state,
        "ticket": {"id": t.pk, "number": t.number, "subject": t.subject, "status": t.status, "priority": t.priority},
        "instance_id": item.instance_id, "process": item.instance.version.definition.key,
        "process_name": item.instance.version.definition.name,
        "process_name_en": item.instance.version.definition.name_en or item.instance.version.definition.name,
        "node_id": item.node_id, "node_name": item.node_name, "assignee": user_ref(item.assignee),
        "candidate_user_ids": [int(u) for u in item.candidate_users or []], "candidate_role": item.candidate_role,
        "candidate_team": {"id": team.pk, "name": team.name} if team is not None else None,
        "department": {"id": dept.pk, "name": dept.name} if dept is not None else None,
        "created_at": item.created_at, "claimed_at": item.claimed_at, "due_at": item.due_at,
        "overdue": bool(item.due_at and item.state in OPEN_STATES and item.due_at < clock.now()),
        "completed_at": item.completed_at, "completed_by": user_ref(item.completed_by), "outcome": item.outcome,
        "comment": item.comment, "origin": item.origin, "parent_id": item.parent_id, "round": item.round,
        "read_at": item.read_at,
    }


def work_item_detail(item: WorkItem, viewer: User) -> dict[str, Any]:
    node = document_for(item.instance.version.bpmn_xml).nodes.get(item.node_id)
    return {
        **work_item_out(item), "operations": queries.item_operations(viewer, item),
        "outcomes": node_outcomes(node) if node is not None else [],
        "field_rights": A.node_field_rights(node),
    }


def _item(viewer: User, item_id: int) -> WorkItem:
    return queries.get_work_item(viewer=viewer, item_id=item_id)


def _fresh_detail(viewer: User, item_id: int) -> dict[str, Any]:
    return work_item_detail(queries.get_work_item(viewer=viewer, item_id=item_id), viewer)


def _created(item_id: int) -> WorkItem:
    """An item the actor just created (for someone else): shown to them whatever its ticket's scope."""
    return WorkItem.objects.select_related(*queries.ITEM_RELATED).get(pk=item_id)


def _user(user_id: int) -> User:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound(f"用户不存在 / User {user_id} not found")
    return user


# --- definitions --------------------------------------------------------------------------------


@router.get("/processes", response={200: list[ProcessOut], **ERRORS}, summary="Process definitions")
def list_processes(request: HttpRequest) -> Any:
    actor = _actor(request)
    from complaintdesk.accounts import permissions as P
    from complaintdesk.accounts.access import check_perm

    check_perm(actor, P.TICKET_VIEW)
    definitions = list(queries.list_definitions(viewer=actor).prefetch_related("versions"))
    running = queries.running_instances_by_version(definition_ids=[d.pk for d in definitions])
    return [process_out(d, running) for d in definitions]


@router.post("/processes", response={201: ProcessOut, **ERRORS}, summary="Create a process definition")
def create_process(request: HttpRequest, payload: ProcessIn) -> Any:
    actor = _actor(request)
    A.check_manage_processes(actor)
    definition = A.do_create_process(key=payload.key, name=payload.name, name_en=payload.name_en,
                                     description=payload.description, actor=actor)
    return Status(201, process_out(definition))


@router.get("/processes/{key}", response={200: ProcessOut, **ERRORS}, summary="One process definition")
def get_process(request: HttpRequest, key: str) -> Any:
    actor = _actor(request)
    from complaintdesk.accounts import permissions as P
    from complaintdesk.accounts.access import check_perm

    check_perm(actor, P.TICKET_VIEW)
    return process_out(queries.get_definition(key=key))


@router.post("/processes/{key}/versions", response={201: ProcessVersionOut, **ERRORS},
             summary="Add a draft version (BPMN XML)")
def create_version(request: HttpRequest, key: str, payload: VersionIn) -> Any:
    actor = _actor(request)
    A.check_manage_processes(actor)
    definition = queries.get_definition(key=key)
    return Status(201, version_out(A.do_create_version(definition, bpmn_xml=payload.bpmn_xml, actor=actor)))


@router.post("/processes/{key}/validate", response={200: ValidateOut, **ERRORS},
             summary="Check BPMN XML as publishing would, without storing it (every problem at once)")
def validate_process(request: HttpRequest, key: str, payload: VersionIn) -> Any:
    actor = _actor(request)
    A.check_manage_processes(actor)
    queries.get_definition(key=key)
    return {"problems": validate_process_xml(payload.bpmn_xml)}


@router.get("/processes/{key}/versions/{number}", response={200: ProcessVersionOut, **ERRORS},
            summary="One version: XML, parsed nodes and flows, problems of a draft")
def get_version(request: HttpRequest, key: str, number: int) -> Any:
    actor = _actor(request)
    A.check_manage_processes(actor)
    return version_out(queries.get_version(definition=queries.get_definition(key=key), number=number))


@router.post("/processes/{key}/versions/{number}/publish", response={200: ProcessVersionOut, **ERRORS},
             summary="Validate and publish a draft (422 lists every problem in details.problems)")
def publish_version(request: HttpRequest, key: str, number: int) -> Any:
    actor = _actor(request)
    A.check_manage_processes(actor)
    version = queries.get_version(definition=queries.get_definition(key=key), number=number)
    return version_out(A.do_publish_version(version, actor=actor))


@router.get("/processes/{key}/versions/{number}/stats", response={200: list[NodeStatsOut], **ERRORS},
            summary="Per node: count, mean/median/p90 seconds, backlog, overdue")
def version_stats(request: HttpRequest, key: str, number: int) -> Any:
    actor = _actor(request)
    from complaintdesk.accounts import permissions as P
    from complaintdesk.accounts.access import check_perm

    check_perm(actor, P.REPORT_VIEW)
    version = queries.get_version(definition=queries.get_definition(key=key), number=number)
    from complaintdesk.workflows.monitoring import version_stats as compute

    return compute(version=version)


# --- a ticket's process ---------------------------------------------------------------------------


@router.post("/tickets/{ticket_id}/process", response={201: ProcessViewOut, **ERRORS},
             summary="Start a process on the ticket")
def start_process(request: HttpRequest, ticket_id: int, payload: StartIn) -> Any:
    actor = _actor(request)
    ticket = get_ticket(viewer=actor, ticket_id=ticket_id)
    A.check_start_process(actor, ticket)
    definition = queries.get_definition(key=payload.process)
    A.do_start_process(ticket, definition=definition, actor=actor)
    return Status(201, queries.process_view(viewer=actor, ticket=ticket))


@router.get("/tickets/{ticket_id}/process", response={200: ProcessViewOut, **ERRORS},
            summary="The ticket's process: XML, node states, history, operations")
def get_process_view(request: HttpRequest, ticket_id: int) -> Any:
    actor = _actor(request)
    ticket = get_ticket(viewer=actor, ticket_id=ticket_id)
    return queries.process_view(viewer=actor, ticket=ticket)


@router.post("/tickets/{ticket_id}/process/cc", response={200: CcOut, **ERRORS}, summary="Copy people (抄送)")
def cc(request: HttpRequest, ticket_id: int, payload: CcIn) -> Any:
    actor = _actor(request)
    ticket = get_ticket(viewer=actor, ticket_id=ticket_id)
    A.check_cc(actor, ticket)
    users = A.users_by_ids(payload.user_ids)
    items = A.do_cc(ticket, actor=actor, users=users, comment=payload.comment)
    return {"work_item_ids": [i.pk for i in items]}


@router.post("/tickets/{ticket_id}/process/withdraw", response={200: ProcessViewOut, **ERRORS},
             summary="Withdraw the process (撤回, initiator, before anyone handled it)")
def withdraw(request: HttpRequest, ticket_id: int, payload: ReasonIn) -> Any:
    actor = _actor(request)
    ticket = get_ticket(viewer=actor, ticket_id=ticket_id)
    A.do_withdraw_process(ticket, actor=actor, reason=payload.reason)
    return queries.process_view(viewer=actor, ticket=ticket)


@router.post("/tickets/{ticket_id}/process/terminate", response={200: ProcessViewOut, **ERRORS},
             summary="Terminate the process (process.admin)")
def terminate(request: HttpRequest, ticket_id: int, payload: ReasonIn) -> Any:
    actor = _actor(request)
    ticket = get_ticket(viewer=actor, ticket_id=ticket_id)
    A.check_terminate_process(actor)
    A.do_terminate_process(ticket, actor=actor, reason=payload.reason)
    return queries.process_view(viewer=actor, ticket=ticket)


# --- work items -----------------------------------------------------------------------------------


class InboxParams(Schema):
    box: str = "mine"
    page: int = 1
    page_size: int = 50


@router.get("/work-items", response={200: WorkItemPage, **ERRORS},
            summary="Inbox: mine | team | overdue | cc | done | all")
def list_work_items(request: HttpRequest, params: Query[InboxParams]) -> Any:
    actor = _actor(request)
    qs = queries.list_work_items(viewer=actor, box=params.box)
    ids, meta = paginate(qs.values_list("pk", flat=True), params.page, params.page_size)
    return {**meta, "items": [work_item_out(i) for i in queries.work_item_rows(ids)]}


@router.get("/work-items/{item_id}", response={200: WorkItemDetailOut, **ERRORS}, summary="One work item")
def get_work_item(request: HttpRequest, item_id: int) -> Any:
    actor = _actor(request)
    return work_item_detail(_item(actor, item_id), actor)


@router.post("/work-items/{item_id}/claim", response={200: WorkItemDetailOut, **ERRORS}, summary="Claim (签收)")
def claim(request: HttpRequest, item_id: int) -> Any:
    actor = _actor(request)
    item = _item(actor, item_id)
    A.check_claim_work_item(actor, item)
    A.do_claim_work_item(item, actor=actor)
    return _fresh_detail(actor, item_id)


@router.post("/work-items/{item_id}/release", response={200: WorkItemDetailOut, **ERRORS},
             summary="Release back to the pool")
def release(request: HttpRequest, item_id: int) -> Any:
    actor = _actor(request)
    item = _item(actor, item_id)
    A.check_release_work_item(actor, item)
    A.do_release_work_item(item, actor=actor)
    return _fresh_detail(actor, item_id)


@router.post("/work-items/{item_id}/complete", response={200: WorkItemDetailOut, **ERRORS},
             summary="Complete with an outcome, a comment and the node's editable fields")
def complete(request: HttpRequest, item_id: int, payload: CompleteIn) -> Any:
    actor = _actor(request)
    item = _item(actor, item_id)
    A.check_complete_work_item(actor, item)
    done = A.do_complete_work_item(item, actor=actor, outcome=payload.outcome, comment=payload.comment,
                                   fields=payload.fields)
    # The completed item is final: answer from the row already loaded instead of reading it again.
    for name in ("state", "assignee_id", "claimed_at", "completed_at", "completed_by_id", "outcome", "comment",
                 "lock_version"):
        setattr(item, name, getattr(done, name))
    item.completed_by = actor
    if item.assignee_id == actor.pk:
        item.assignee = actor
    return work_item_detail(item, actor)


@router.post("/work-items/{item_id}/transfer", response={200: WorkItemDetailOut, **ERRORS},
             summary="Transfer to another person (转交); answers the new work item")
def transfer(request: HttpRequest, item_id: int, payload: TransferIn) -> Any:
    actor = _actor(request)
    item = _item(actor, item_id)
    A.check_transfer_work_item(actor, item)
    new = A.do_transfer_work_item(item, actor=actor, to_user=_user(payload.user_id), reason=payload.reason)
    return work_item_detail(_created(new.pk), actor)


@router.post("/work-items/{item_id}/return", response={200: ProcessViewOut, **ERRORS},
             summary="Return (退回) to an earlier completed node, with a reason")
def return_item(request: HttpRequest, item_id: int, payload: ReturnIn) -> Any:
    actor = _actor(request)
    item = _item(actor, item_id)
    A.check_return_work_item(actor, item)
    A.do_return_work_item(item, actor=actor, to_node=payload.to_node, reason=payload.reason)
    return queries.process_view(viewer=actor, ticket=item.ticket)


@router.post("/work-items/{item_id}/add-signer", response={200: WorkItemDetailOut, **ERRORS},
             summary="Add a signer (加签) before or after me; answers the new work item")
def add_signer(request: HttpRequest, item_id: int, payload: AddSignerIn) -> Any:
    actor = _actor(request)
    item = _item(actor, item_id)
    A.check_add_signer(actor, item)
    new = A.do_add_signer(item, actor=actor, user=_user(payload.user_id), position=payload.position,
                          reason=payload.reason)
    return work_item_detail(_created(new.pk), actor)


@router.post("/work-items/{item_id}/urge", response={200: WorkItemDetailOut, **ERRORS},
             summary="Remind the assignee (催办)")
def urge(request: HttpRequest, item_id: int, payload: UrgeIn) -> Any:
    actor = _actor(request)
    item = _item(actor, item_id)
    A.check_urge_work_item(actor, item)
    A.do_urge_work_item(item, actor=actor, comment=payload.comment)
    return _fresh_detail(actor, item_id)


@router.post("/work-items/{item_id}/read", response={200: WorkItemDetailOut, **ERRORS},
             summary="Mark a cc as read (抄送已阅)")
def mark_read(request: HttpRequest, item_id: int) -> Any:
    actor = _actor(request)
    item = _item(actor, item_id)
    A.do_mark_cc_read(item, actor=actor)
    return _fresh_detail(actor, item_id)
