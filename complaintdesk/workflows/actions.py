"""Every write of the workflow engine. Each ``do_*`` runs in one transaction: the change, the
ticket timeline entry and the domain event (outbox).

Per-node signing is ours, not Spiff's: when a user task becomes ready we create the node's work
items from ``cd:assignee`` / ``cd:multi``; completing an item completes the engine task only when
the node's rule is satisfied (countersign: all approve, a reject decides at once; any-sign: the
first approval; quorum: N approvals), with the aggregated outcome in the task data (``outcome``
is what gateway conditions read). Added signers (加签) form a chain under the item they were added
to; a chain approves when every signer in it approved.

Concurrency: every operation on an instance locks its row (``select_for_update`` on PostgreSQL;
SQLite runs write transactions ``BEGIN IMMEDIATE``), re-reads the work item under the lock, and
saves with a ``lock_version`` compare-and-set, so a second person acting on the same item gets a
``Conflict`` (409) and nothing is lost or done twice.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Q

from complaintdesk.accounts import permissions as P
from complaintdesk.accounts.access import check_perm, has_perm
from complaintdesk.accounts.models import User
from complaintdesk.core import clock
from complaintdesk.core import events as ev
from complaintdesk.core.audit import record_audit
from complaintdesk.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from complaintdesk.tickets.choices import TRANSITIONS, EventType, TicketStatus
from complaintdesk.tickets.models import Ticket
from complaintdesk.workflows import engine
from complaintdesk.workflows import events as timeline
from complaintdesk.workflows.assignees import Assignment, resolve_assignments
from complaintdesk.workflows.bpmn import Document, Node, checksum, document_for
from complaintdesk.workflows.choices import (
    OPEN_STATES,
    REJECT,
    InstanceStatus,
    MultiMode,
    TimeoutAction,
    VersionStatus,
    WorkItemKind,
    WorkItemState,
)
from complaintdesk.workflows.models import ProcessDefinition, ProcessInstance, ProcessVersion, WorkItem
from complaintdesk.workflows.validation import node_outcomes, validate_process_xml

if TYPE_CHECKING:
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.task import Task

logger = logging.getLogger(__name__)

LIVE_STATES = (WorkItemState.READY, WorkItemState.CLAIMED, WorkItemState.WAITING)
SIGNER_ORIGINS = ("signer_before", "signer_after")
MAX_COMMENT = 5000
URGE_INTERVAL = timedelta(minutes=10)

ALREADY_HANDLED = ("该任务已被他人处理或已变更，请刷新 / "
                   "This work item was already handled or changed by someone else; reload it")


def _payload(ticket_id: int, **extra: Any) -> dict[str, Any]:
    return {"ticket_id": ticket_id, **extra}


def _recipients(item: WorkItem) -> list[int]:
    if item.assignee_id is not None:
        return [item.assignee_id]
    return [int(u) for u in item.candidate_users or []]


def _clean_text(value: str | None, *, field: str, required: bool = False, limit: int = MAX_COMMENT) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput("请填写原因 / A reason is required", details={field: "required"})
    if len(text) > limit:
        raise InvalidInput(f"内容过长 / Text too long (max {limit})", details={field: f"max {limit} characters"})
    return text


# --- definitions and versions ---------------------------------------------------------------


def check_manage_processes(actor: User) -> None:
    check_perm(actor, P.PROCESS_ADMIN)


def do_create_process(*, key: str, name: str, name_en: str = "", description: str = "",
                      actor: User | None) -> ProcessDefinition:
    key = (key or "").strip()
    if not key or not name.strip():
        raise InvalidInput("编码与名称必填 / Key and name are required", details={"key": "required"})
    with transaction.atomic():
        if ProcessDefinition.objects.filter(key=key).exists():
            raise Conflict(f"流程编码已存在 / Process key {key!r} exists", details={"key": "taken"})
        definition = ProcessDefinition.objects.create(key=key, name=name.strip(), name_en=name_en,
                                                      description=description, created_at=clock.now())
        record_audit(actor=actor, action="process.created", obj=definition, data={"key": key, "name": name})
    return definition


def do_update_process(definition: ProcessDefinition, *, actor: User | None, **fields: Any) -> ProcessDefinition:
    """Rename, describe or switch a process on/off; its BPMN changes only through new versions."""
    from complaintdesk.core.audit import check_known_fields, save_changes

    check_known_fields(fields, {"name", "name_en", "description", "is_active"})
    if "name" in fields and not str(fields["name"] or "").strip():
        raise InvalidInput("名称必填 / Name is required", details={"name": "required"})
    with transaction.atomic():
        save_changes(definition, fields, actor=actor, action="process.updated")
    return definition


def do_create_version(definition: ProcessDefinition, *, bpmn_xml: str, actor: User | None) -> ProcessVersion:
    """Store ``bpmn_xml`` as a new draft version (numbered after the highest one)."""
    if not isinstance(bpmn_xml, str) or not bpmn_xml.strip():
        raise InvalidInput("BPMN 不能为空 / The BPMN XML is required", details={"bpmn_xml": "required"})
    from complaintdesk.workflows.bpmn import MAX_XML_BYTES

    if len(bpmn_xml.encode()) > MAX_XML_BYTES:
        raise InvalidInput("BPMN 文件过大 / BPMN document too large", details={"bpmn_xml": "too large"})
    with transaction.atomic():
        ProcessDefinition.objects.select_for_update().filter(pk=definition.pk).first()
        top = definition.versions.aggregate(n=Max("version"))["n"] or 0
        version = ProcessVersion.objects.create(
            definition=definition, version=top + 1, bpmn_xml=bpmn_xml, status=VersionStatus.DRAFT,
            checksum=checksum(bpmn_xml), created_by=actor, created_at=clock.now(),
        )
        record_audit(actor=actor, action="process.version_created", obj=version,
                     data={"definition": definition.key, "version": version.version})
    return version


def do_publish_version(version: ProcessVersion, *, actor: User | None) -> ProcessVersion:
    """Validate and publish a draft; the previously published version is archived (running
    instances stay on it). Raises ``InvalidInput`` (code ``invalid_process``) listing every problem."""
    if version.status != VersionStatus.DRAFT:
        raise Conflict("只能发布草稿版本 / Only a draft version can be published", details={"status": version.status})
    problems = validate_process_xml(version.bpmn_xml)
    if problems:
        raise InvalidInput(f"流程定义有 {len(problems)} 个问题 / The process has {len(problems)} problem(s)",
                           code="invalid_process", details={"problems": problems})
    doc = document_for(version.bpmn_xml)
    with transaction.atomic():
        ProcessDefinition.objects.select_for_update().filter(pk=version.definition_id).first()
        ProcessVersion.objects.filter(definition_id=version.definition_id, status=VersionStatus.PUBLISHED) \
            .update(status=VersionStatus.ARCHIVED)
        version.status = VersionStatus.PUBLISHED
        version.published_at = clock.now()
        version.published_by = actor
        version.process_id = doc.process_id
        version.nodes = doc.describe()
        version.save(update_fields=["status", "published_at", "published_by", "process_id", "nodes"])
        record_audit(actor=actor, action="process.published", obj=version,
                     data={"definition": version.definition.key, "version": version.version})
        ev.publish(ev.PROCESS_PUBLISHED, {"definition_id": version.definition_id, "key": version.definition.key,
                                          "version": version.version, "version_id": version.pk})
    return version


def do_import_process(*, key: str, name: str, bpmn_xml: str, name_en: str = "", description: str = "",
                      actor: User | None = None) -> ProcessVersion:
    """Create the definition if missing, add ``bpmn_xml`` as a version and publish it. When the
    published version already has this exact XML nothing changes (idempotent imports)."""
    with transaction.atomic():
        definition = ProcessDefinition.objects.filter(key=key).first()
        if definition is None:
            definition = do_create_process(key=key, name=name, name_en=name_en, description=description,
                                           actor=actor)
        current = published_version(definition)
        if current is not None and current.checksum == checksum(bpmn_xml):
            return current
        version = do_create_version(definition, bpmn_xml=bpmn_xml, actor=actor)
        return do_publish_version(version, actor=actor)


def published_version(definition: ProcessDefinition) -> ProcessVersion | None:
    return definition.versions.filter(status=VersionStatus.PUBLISHED).order_by("-version").first()


# --- running an instance ----------------------------------------------------------------------


@dataclass
class _Run:
    """One locked instance, its ticket and (loaded on demand) its engine workflow."""

    instance: ProcessInstance
    ticket: Ticket
    doc: Document
    workflow: BpmnWorkflow | None = None

    def wf(self) -> BpmnWorkflow:
        if self.workflow is None:
            self.workflow = engine.load_workflow(self.instance.state, lambda: self.ticket)
        return self.workflow

    def node(self, node_id: str) -> Node | None:
        return self.doc.nodes.get(node_id)


def _lock_run(instance_id: int) -> _Run:
    instance = (ProcessInstance.objects.select_for_update(of=("self",))
                .select_related("version", "ticket").filter(pk=instance_id).first())
    if instance is None:
        raise NotFound("流程实例不存在 / Process instance not found")
    return _Run(instance=instance, ticket=instance.ticket, doc=document_for(instance.version.bpmn_xml))


def _lock_item(item: WorkItem) -> tuple[_Run, WorkItem]:
    """Lock the item's instance and re-read the item under the lock."""
    run = _lock_run(item.instance_id)
    fresh = WorkItem.objects.select_related("assignee").get(pk=item.pk)
    return run, fresh


def _require_running(run: _Run) -> None:
    if run.instance.status != InstanceStatus.RUNNING:
        raise Conflict("流程已结束 / The process is no longer running",
                       details={"status": run.instance.status})


def _require_open(item: WorkItem) -> None:
    if item.state == WorkItemState.WAITING:
        raise Conflict("等待加签人先办理 / Waiting for the added signer to sign first", code="work_item_waiting")
    if item.kind != WorkItemKind.TASK or item.state not in OPEN_STATES:
        raise Conflict(ALREADY_HANDLED, code="work_item_handled", details={"state": item.state})


def _save(run: _Run) -> None:
    """Persist the engine state (if loaded) with a compare-and-set on ``lock_version``."""
    inst = run.instance
    fields: dict[str, Any] = {"lock_version": inst.lock_version + 1, "status": inst.status,
                              "ended_at": inst.ended_at}
    if run.workflow is not None:
        inst.state = engine.dump_workflow(run.workflow)
        inst.next_timer_at = engine.next_timer_at(run.workflow) if inst.status == InstanceStatus.RUNNING else None
        fields.update(state=inst.state, next_timer_at=inst.next_timer_at)
    updated = ProcessInstance.objects.filter(pk=inst.pk, lock_version=inst.lock_version).update(**fields)
    if updated != 1:
        raise Conflict(ALREADY_HANDLED, code="work_item_handled")
    inst.lock_version += 1


def _due_at(node: Node | None, start: datetime) -> datetime | None:
    deadline = node.props.get("deadline") if node is not None else None
    if not isinstance(deadline, dict) or not isinstance(deadline.get("hours"), int | float):
        return None
    delta = timedelta(hours=float(deadline["hours"]))
    if deadline.get("business"):
        try:
            from complaintdesk.sla.calendar import add_business_time
        except ImportError:  # the SLA app is optional at this layer: fall back to wall-clock hours
            return start + delta
        calendar = None
        if deadline.get("calendar") is not None:
            from complaintdesk.sla.models import BusinessCalendar

            ref = deadline["calendar"]
            calendar = BusinessCalendar.objects.filter(
                Q(pk=ref) if isinstance(ref, int) else Q(name=str(ref))).first()
        return add_business_time(calendar, start, delta)
    return start + delta


def _next_round(run: _Run, node_id: str) -> int:
    """The activation count of ``node_id``, kept in the engine's workflow data (no query)."""
    rounds = run.wf().data.setdefault("cd_rounds", {})
    rounds[node_id] = int(rounds.get(node_id, 0)) + 1
    return int(rounds[node_id])


def _create_items(run: _Run, task: Task, actor: User | None) -> list[WorkItem]:
    node_id = engine.node_id(task)
    node = run.node(node_id)
    props = node.props if node is not None else {}
    multi = props.get("multi")
    rule = props.get("assignee") or {}
    assignments = resolve_assignments(rule, ticket=run.ticket, instance=run.instance,
                                      multi=isinstance(multi, dict)) if rule else []
    if not assignments:
        # Nobody matched the rule: an unassigned item an administrator can transfer.
        assignments = [Assignment()]
        logger.warning("no assignee for node %s of instance %s", node_id, run.instance.pk)
    now = clock.now()
    due = _due_at(node, now)
    round_no = _next_round(run, node_id)
    items = []
    for seq, a in enumerate(assignments):
        item = WorkItem.objects.create(
            instance=run.instance, ticket_id=run.ticket.pk, node_id=node_id,
            node_name=(node.name if node is not None else "") or node_id, spiff_task_id=str(task.id),
            kind=WorkItemKind.TASK, state=WorkItemState.CLAIMED if a.assignee else WorkItemState.READY,
            assignee=a.assignee, candidate_users=a.candidates, candidate_role=a.role, candidate_team=a.team,
            department=a.department, created_at=now, claimed_at=now if a.assignee else None, due_at=due,
            sequence=seq, round=round_no,
        )
        items.append(item)
        ev.publish(ev.TASK_CREATED, _payload(
            run.ticket.pk, work_item_id=item.pk, instance_id=run.instance.pk, node_id=node_id,
            node_name=item.node_name, user_ids=_recipients(item), due_at=due.isoformat() if due else None))
    status = props.get("ticketStatus")
    if isinstance(status, str) and status:
        _apply_ticket_status(run.ticket, status, actor=actor, node_name=items[0].node_name)
    cc_rule = props.get("cc")
    if isinstance(cc_rule, dict):
        _node_cc(run, items[0], cc_rule, actor)
    return items


def _node_cc(run: _Run, item: WorkItem, rule: dict[str, Any], actor: User | None) -> None:
    """``cd:cc``: copy the people of an assignee rule when the task starts (抄送)."""
    people: dict[int, User] = {}
    for a in resolve_assignments(rule, ticket=run.ticket, instance=run.instance, multi=True):
        if a.assignee is not None:
            people[a.assignee.pk] = a.assignee
        for uid in a.candidates:
            found = User.objects.filter(pk=uid, is_active=True).first()
            if found is not None:
                people[uid] = found
    if not people:
        return
    now = clock.now()
    users = [people[k] for k in sorted(people)]
    cc_items = [WorkItem.objects.create(
        instance=run.instance, ticket_id=run.ticket.pk, node_id=item.node_id, node_name=item.node_name,
        kind=WorkItemKind.CC, state=WorkItemState.READY, assignee=u, created_at=now, parent=item) for u in users]
    timeline.cc_event(ticket=run.ticket, actor=actor, user_ids=[u.pk for u in users], comment=item.node_name,
                      instance_id=run.instance.pk)
    ev.publish(ev.TASK_CC, _payload(run.ticket.pk, work_item_id=cc_items[0].pk, work_item_ids=[i.pk for i in cc_items],
                                    comment=item.node_name, user_ids=[u.pk for u in users]))


def _status_path(current: str, target: str) -> list[str]:
    """The shortest path of allowed transitions from ``current`` to ``target`` (empty: none)."""
    frontier: list[list[str]] = [[current]]
    seen = {current}
    while frontier:
        path = frontier.pop(0)
        for nxt in TRANSITIONS.get(path[-1], ()):
            if nxt in seen:
                continue
            if nxt == target:
                return [*path[1:], nxt]
            seen.add(nxt)
            if len(path) < 3:
                frontier.append([*path, nxt])
    return []


def _apply_ticket_status(ticket: Ticket, target: str, *, actor: User | None, node_name: str) -> None:
    """Move the ticket to the node's status. The process is a system path: it may pass through
    intermediate statuses (resolved → reopened → in_progress) but never breaks the lifecycle."""
    from complaintdesk.tickets.actions import do_transition_ticket

    if ticket.status == target or ticket.merged_into_id is not None:
        return
    for step in _status_path(ticket.status, target):
        do_transition_ticket(ticket, actor=actor, to_status=step, reason=f"流程节点 / Process node: {node_name}")


def _after_step(run: _Run, actor: User | None) -> None:
    """Mirror the engine: cancel items of tasks that are no longer ready, create items for newly
    ready user tasks, finish the instance when the engine completed."""
    wf = run.wf()
    ready = {str(t.id): t for t in engine.ready_user_tasks(wf)}
    now = clock.now()
    mirrored: set[str] = set()
    for item in WorkItem.objects.filter(instance=run.instance, kind=WorkItemKind.TASK, state__in=LIVE_STATES):
        if item.spiff_task_id in ready:
            mirrored.add(item.spiff_task_id)
        else:
            WorkItem.objects.filter(pk=item.pk).update(state=WorkItemState.CANCELLED, completed_at=now,
                                                       lock_version=item.lock_version + 1)
    for task_id, task in ready.items():
        if task_id not in mirrored:
            _create_items(run, task, actor)
    if wf.is_completed() and run.instance.status == InstanceStatus.RUNNING:
        end_status = ""
        for task in wf.get_tasks(state=engine.TaskState.COMPLETED):
            node = run.node(engine.node_id(task))
            if node is not None and node.type == "endEvent" and node.props.get("ticketStatus"):
                end_status = str(node.props["ticketStatus"])
        if end_status:
            _apply_ticket_status(run.ticket, end_status, actor=actor, node_name="结束 / End")
        run.instance.status = InstanceStatus.COMPLETED
        run.instance.ended_at = now
        timeline.process_ended_event(instance=run.instance, actor=actor, type_=EventType.PROCESS_COMPLETED)
        ev.publish(ev.PROCESS_COMPLETED, _payload(run.ticket.pk, instance_id=run.instance.pk, user_ids=[]))


# --- start ------------------------------------------------------------------------------------


def check_start_process(actor: User, ticket: Ticket) -> None:
    if not (has_perm(actor, P.TICKET_ASSIGN) or has_perm(actor, P.PROCESS_ADMIN)):
        raise PermissionDenied("您没有启动流程的权限 / You may not start a process (needs ticket.assign or "
                               "process.admin)", details={"permission": P.TICKET_ASSIGN})


def do_start_process(ticket: Ticket, *, definition: ProcessDefinition, actor: User | None) -> ProcessInstance:
    """Start the published version of ``definition`` on ``ticket`` (one running instance per ticket)."""
    if not definition.is_active:
        raise Conflict("流程已停用 / The process is disabled")
    version = published_version(definition)
    if version is None:
        raise Conflict("流程没有已发布的版本 / The process has no published version",
                       details={"process": definition.key})
    if ticket.status in (TicketStatus.CLOSED, TicketStatus.CANCELLED) or ticket.merged_into_id is not None:
        raise Conflict("已关闭、取消或合并的工单不能启动流程 / A closed, cancelled or merged ticket cannot start "
                       "a process")
    try:
        with transaction.atomic():
            Ticket.objects.select_for_update().filter(pk=ticket.pk).first()
            if ProcessInstance.objects.filter(ticket=ticket, status=InstanceStatus.RUNNING).exists():
                raise Conflict("该工单已有运行中的流程 / The ticket already has a running process",
                               code="process_running")
            now = clock.now()
            instance = ProcessInstance.objects.create(ticket=ticket, version=version, status=InstanceStatus.RUNNING,
                                                      started_by=actor, started_at=now)
            run = _Run(instance=instance, ticket=ticket, doc=document_for(version.bpmn_xml))
            spec = engine.parse_spec(version.bpmn_xml, version.process_id or run.doc.process_id,
                                     cache_key=version.checksum)
            run.workflow = engine.new_workflow(spec, lambda: run.ticket)
            timeline.process_started_event(instance=instance, actor=actor, process_key=definition.key,
                                           version=version.version)
            ev.publish(ev.PROCESS_STARTED, _payload(ticket.pk, instance_id=instance.pk, process=definition.key,
                                                    version=version.version, user_ids=[]))
            engine.run_engine(run.workflow)
            _after_step(run, actor)
            _save(run)
    except IntegrityError as exc:
        raise Conflict("该工单已有运行中的流程 / The ticket already has a running process",
                       code="process_running") from exc
    return instance


# --- claim / release --------------------------------------------------------------------------


def _is_candidate(user: User, item: WorkItem) -> bool:
    if item.assignee_id is not None:
        return False
    if user.pk in [int(u) for u in item.candidate_users or []]:
        return True
    return bool(item.candidate_team_id and not item.candidate_users
                and user.teams.filter(pk=item.candidate_team_id).exists())


def may_handle(user: User | None, item: WorkItem) -> bool:
    """Whether ``user`` may complete (and transfer, return, add signers on) ``item``."""
    if user is None:
        return True  # the system (timeouts)
    return item.assignee_id == user.pk or _is_candidate(user, item)


def _check_claimable(item: WorkItem) -> None:
    _require_open(item)
    if item.assignee_id is not None:
        raise Conflict("任务已被他人签收 / Someone else already claimed this work item",
                       code="work_item_claimed", details={"assignee_id": item.assignee_id})


def check_claim_work_item(actor: User, item: WorkItem) -> None:
    # A state that moved on (claimed, completed) is a conflict for everyone, not a permission matter.
    _check_claimable(item)
    if not _is_candidate(actor, item):
        raise PermissionDenied("您不是该任务的候选人 / You are not a candidate for this work item")


def do_claim_work_item(item: WorkItem, *, actor: User) -> WorkItem:
    with transaction.atomic():
        run, item = _lock_item(item)
        _require_running(run)
        check_claim_work_item(actor, item)
        now = clock.now()
        _update_item(item, state=WorkItemState.CLAIMED, assignee=actor, claimed_at=now)
        timeline.task_event(item=item, type_=EventType.TASK_CLAIMED, actor=actor)
        ev.publish(ev.TASK_CLAIMED, _payload(item.ticket_id, work_item_id=item.pk, action="claimed",
                                             user_ids=[actor.pk]))
    return item


def check_release_work_item(actor: User, item: WorkItem) -> None:
    _require_open(item)
    if item.assignee_id != actor.pk:
        raise PermissionDenied("只有签收人可以释放任务 / Only the person who claimed it can release it")
    if not item.candidate_users and item.candidate_team_id is None:
        raise Conflict("该任务不是从任务池签收的 / This work item was not claimed from a pool")


def do_release_work_item(item: WorkItem, *, actor: User) -> WorkItem:
    with transaction.atomic():
        run, item = _lock_item(item)
        _require_running(run)
        _require_open(item)
        check_release_work_item(actor, item)
        _update_item(item, state=WorkItemState.READY, assignee=None, claimed_at=None)
        timeline.task_event(item=item, type_=EventType.TASK_RELEASED, actor=actor)
        ev.publish(ev.TASK_CLAIMED, _payload(item.ticket_id, work_item_id=item.pk, action="released",
                                             user_ids=_recipients(item)))
    return item


def _update_item(item: WorkItem, **fields: Any) -> None:
    """Compare-and-set on the item's ``lock_version``."""
    updated = WorkItem.objects.filter(pk=item.pk, lock_version=item.lock_version).update(
        lock_version=item.lock_version + 1, **fields)
    if updated != 1:
        raise Conflict(ALREADY_HANDLED, code="work_item_handled")
    for name, value in fields.items():
        setattr(item, name, value)
    item.lock_version += 1


# --- complete ---------------------------------------------------------------------------------


def node_field_rights(node: Node | None) -> dict[str, str]:
    rights = node.props.get("fieldRights") if node is not None else None
    return dict(rights) if isinstance(rights, dict) else {}


def check_complete_work_item(actor: User, item: WorkItem) -> None:
    # Someone completing the item first is a conflict (409) even for a candidate who lost the race.
    _require_open(item)
    if not may_handle(actor, item):
        raise PermissionDenied("您不是该任务的处理人 / You are not the assignee of this work item")


def _check_fields(node: Node | None, fields: dict[str, Any], ticket: Ticket, outcome: str, *, system: bool) -> None:
    rights = node_field_rights(node)
    refused = sorted(k for k in fields if rights.get(k) not in ("editable", "required"))
    if refused:
        raise InvalidInput("这些字段在本节点不可编辑 / These fields are not editable at this node",
                           code="field_not_editable", details={k: "not editable at this node" for k in refused})
    if outcome == REJECT or system:  # a timeout's automatic approval cannot fill in fields
        return
    data = {**(ticket.data or {}), **fields}
    missing = sorted(k for k, v in rights.items() if v == "required" and data.get(k) in (None, "", [], {}))
    if missing:
        raise InvalidInput("请填写本节点的必填字段 / Fill in the fields required at this node",
                           code="required_fields", details={k: "required" for k in missing})


def do_complete_work_item(item: WorkItem, *, actor: User | None, outcome: str = "approve", comment: str = "",
                          fields: dict[str, Any] | None = None) -> WorkItem:
    """Complete ``item`` with ``outcome``; ``fields`` are ticket form fields editable at the node."""
    comment = _clean_text(comment, field="comment")
    fields = dict(fields or {})
    with transaction.atomic():
        run, item = _lock_item(item)
        _require_running(run)
        _require_open(item)
        if actor is not None:
            check_complete_work_item(actor, item)
        node = run.node(item.node_id)
        allowed = node_outcomes(node) if node is not None else ["approve", "reject"]
        if outcome not in allowed:
            raise InvalidInput(f"无效的办理结果 / Outcome must be one of {allowed}", code="invalid_outcome",
                               details={"outcome": allowed})
        _check_fields(node, fields, run.ticket, outcome, system=actor is None)
        if fields:
            from complaintdesk.tickets.actions import do_update_ticket

            do_update_ticket(run.ticket, actor=actor, data=fields)
        now = clock.now()
        extra: dict[str, Any] = {}
        if item.assignee_id is None and actor is not None:
            extra.update(assignee=actor, claimed_at=now)
        _update_item(item, state=WorkItemState.COMPLETED, completed_at=now, completed_by=actor, outcome=outcome,
                     comment=comment, **extra)
        timeline.task_event(item=item, type_=EventType.TASK_COMPLETED, actor=actor, outcome=outcome,
                            comment=comment, fields=sorted(fields))
        ev.publish(ev.TASK_COMPLETED, _payload(item.ticket_id, work_item_id=item.pk, instance_id=item.instance_id,
                                               node_id=item.node_id, outcome=outcome,
                                               user_ids=_initiator_ids(run)))
        _advance_node(run, item, actor)
        _save(run)
    return item


def _initiator_ids(run: _Run) -> list[int]:
    uid = run.instance.started_by_id or run.ticket.created_by_id
    return [uid] if uid else []


def _advance_node(run: _Run, item: WorkItem, actor: User | None) -> None:
    """After ``item`` completed: wake the signers chained to it, then complete the engine task if
    the node's rule is now decided."""
    now = clock.now()
    siblings = [i for i in WorkItem.objects.filter(instance=run.instance, spiff_task_id=item.spiff_task_id,
                                                   kind=WorkItemKind.TASK).exclude(state=WorkItemState.CANCELLED)]
    if item.outcome != REJECT:
        wake = [i.pk for i in siblings if i.state == WorkItemState.WAITING and (
            (item.origin == "signer_before" and i.pk == item.parent_id)
            or (i.origin == "signer_after" and i.parent_id == item.pk))]
        if wake:
            WorkItem.objects.filter(pk__in=wake, state=WorkItemState.WAITING).update(
                state=WorkItemState.CLAIMED, claimed_at=now)
            for i in siblings:
                if i.pk in wake:
                    i.state = WorkItemState.CLAIMED
    decision = node_decision(run.node(item.node_id), siblings)
    if decision is None:
        return
    # The rule is decided: the other signers of this node round are no longer needed.
    live = [i.pk for i in siblings if i.state in LIVE_STATES]
    if live:
        WorkItem.objects.filter(pk__in=live, state__in=LIVE_STATES).update(state=WorkItemState.CANCELLED,
                                                                           completed_at=now)
    wf = run.wf()
    task = wf.get_task_from_id(uuid.UUID(item.spiff_task_id))
    if task is None or not getattr(task.task_spec, "manual", False):
        raise Conflict(ALREADY_HANDLED, code="work_item_handled")
    task.data["outcome"] = decision
    task.run()
    engine.run_engine(wf)
    _after_step(run, actor)


def _chains(items: list[WorkItem]) -> list[list[WorkItem]]:
    children: dict[int, list[WorkItem]] = {}
    for i in items:
        if i.parent_id is not None and i.origin in SIGNER_ORIGINS:
            children.setdefault(i.parent_id, []).append(i)
    chains = []
    for root in items:
        if root.origin in SIGNER_ORIGINS and any(p.pk == root.parent_id for p in items):
            continue
        chain, stack = [], [root]
        while stack:
            cur = stack.pop()
            chain.append(cur)
            stack.extend(children.get(cur.pk, []))
        chains.append(chain)
    return chains


def _chain_result(chain: list[WorkItem]) -> str | None:
    done = [i for i in chain if i.state == WorkItemState.COMPLETED]
    if any(i.outcome == REJECT for i in done):
        return REJECT
    if len(done) == len(chain):
        last = max(done, key=lambda i: (i.completed_at or clock.now(), i.pk))
        return last.outcome
    return None


def node_decision(node: Node | None, items: list[WorkItem]) -> str | None:
    """The node's aggregated outcome from its (non-cancelled) items, or ``None`` while undecided."""
    multi = node.props.get("multi") if node is not None else None
    mode = multi.get("mode") if isinstance(multi, dict) else MultiMode.SINGLE
    results = [_chain_result(c) for c in _chains(items)]
    if not results:
        return None
    decided = [r for r in results if r is not None]
    pending = len(results) - len(decided)
    approvals = [r for r in decided if r != REJECT]
    if mode == MultiMode.ANY:
        if approvals:
            return approvals[0]
        return REJECT if pending == 0 else None
    if mode == MultiMode.QUORUM:
        need = min(int(multi.get("quorum", 1)) if isinstance(multi, dict) else 1, len(results))
        if len(approvals) >= need:
            return "approve"
        return REJECT if len(approvals) + pending < need else None
    if REJECT in decided:
        return REJECT
    if pending:
        return None
    return approvals[-1] if mode == MultiMode.SINGLE else ("approve" if len(set(approvals)) > 1 else approvals[0])


# --- transfer, add signer, return ---------------------------------------------------------------


def check_transfer_work_item(actor: User, item: WorkItem) -> None:
    _require_open(item)
    if not (may_handle(actor, item) or has_perm(actor, P.PROCESS_ADMIN)):
        raise PermissionDenied("只有处理人或流程管理员可以转交 / Only the assignee or a process admin may transfer")


def _check_target_user(user: User, item: WorkItem) -> None:
    if not user.is_active:
        raise InvalidInput("不能转交给已停用的用户 / The user is deactivated", details={"user_id": "inactive"})
    if user.pk == item.assignee_id:
        raise InvalidInput("不能转交给自己 / The work item is already theirs", details={"user_id": "same"})


def do_transfer_work_item(item: WorkItem, *, actor: User | None, to_user: User, reason: str = "",
                          origin: str = "transfer") -> WorkItem:
    """Hand ``item`` over to ``to_user`` (转交); the old item is cancelled and the new one points to it."""
    reason = _clean_text(reason, field="reason")
    with transaction.atomic():
        run, item = _lock_item(item)
        _require_running(run)
        _require_open(item)
        if actor is not None:
            check_transfer_work_item(actor, item)
        _check_target_user(to_user, item)
        now = clock.now()
        _update_item(item, state=WorkItemState.CANCELLED, completed_at=now, completed_by=actor,
                     outcome="transferred", comment=reason)
        # A transfer on timeout starts the node's deadline again for the new person.
        due = _due_at(run.node(item.node_id), now) if origin == "timeout_transfer" else item.due_at
        new = WorkItem.objects.create(
            instance_id=item.instance_id, ticket_id=item.ticket_id, node_id=item.node_id, node_name=item.node_name,
            spiff_task_id=item.spiff_task_id, kind=WorkItemKind.TASK, state=WorkItemState.CLAIMED,
            assignee=to_user, department=item.department, created_at=now, claimed_at=now, due_at=due,
            parent=item, origin=origin, sequence=item.sequence, round=item.round,
        )
        WorkItem.objects.filter(parent_id=item.pk, origin__in=SIGNER_ORIGINS).update(parent=new)
        timeline.task_event(item=item, type_=EventType.TASK_TRANSFERRED, actor=actor, to_user_id=to_user.pk,
                            to_work_item_id=new.pk, reason=reason, automatic=origin != "transfer")
        ev.publish(ev.TASK_TRANSFERRED, _payload(item.ticket_id, work_item_id=new.pk, from_work_item_id=item.pk,
                                                 reason=reason, user_ids=[to_user.pk]))
        _save(run)
    return new


def check_add_signer(actor: User, item: WorkItem) -> None:
    _require_open(item)
    if item.assignee_id != actor.pk:
        raise PermissionDenied("只有当前处理人可以加签 / Only the assignee may add a signer")


def do_add_signer(item: WorkItem, *, actor: User, user: User, position: str = "after", reason: str = "") -> WorkItem:
    """Add a signer (加签) ``before`` me (they sign first, then the item returns to me) or ``after``
    me (they sign once I approved)."""
    if position not in ("before", "after"):
        raise InvalidInput("position 必须是 before 或 after / position must be before or after",
                           details={"position": ["before", "after"]})
    reason = _clean_text(reason, field="reason")
    with transaction.atomic():
        run, item = _lock_item(item)
        _require_running(run)
        _require_open(item)
        check_add_signer(actor, item)
        _check_target_user(user, item)
        now = clock.now()
        before = position == "before"
        new = WorkItem.objects.create(
            instance_id=item.instance_id, ticket_id=item.ticket_id, node_id=item.node_id, node_name=item.node_name,
            spiff_task_id=item.spiff_task_id, kind=WorkItemKind.TASK,
            state=WorkItemState.CLAIMED if before else WorkItemState.WAITING, assignee=user,
            department=item.department, created_at=now, claimed_at=now if before else None, due_at=item.due_at,
            parent=item, origin="signer_before" if before else "signer_after",
            sequence=item.sequence, round=item.round,
        )
        if before:
            _update_item(item, state=WorkItemState.WAITING)
        timeline.task_event(item=item, type_=EventType.TASK_SIGNER_ADDED, actor=actor, user_id=user.pk,
                            position=position, new_work_item_id=new.pk, reason=reason)
        ev.publish(ev.TASK_SIGNER_ADDED, _payload(item.ticket_id, work_item_id=new.pk, position=position,
                                                  reason=reason, user_ids=[user.pk]))
        _save(run)
    return new


def check_return_work_item(actor: User, item: WorkItem) -> None:
    _require_open(item)
    if not (may_handle(actor, item) or has_perm(actor, P.PROCESS_ADMIN)):
        raise PermissionDenied("只有处理人或流程管理员可以退回 / Only the assignee or a process admin may return")


def return_targets(run_wf: BpmnWorkflow, spiff_task_id: str) -> list[str]:
    """Earlier completed user-task nodes on the path to ``spiff_task_id`` (newest first)."""
    task = run_wf.get_task_from_id(uuid.UUID(spiff_task_id))
    out: list[str] = []
    cur = task.parent if task is not None else None
    while cur is not None:
        if getattr(cur.task_spec, "manual", False) and cur.state == engine.TaskState.COMPLETED:
            nid = engine.node_id(cur)
            if nid not in out:
                out.append(nid)
        cur = cur.parent
    return out


def do_return_work_item(item: WorkItem, *, actor: User, to_node: str, reason: str) -> ProcessInstance:
    """Return (退回) the process from ``item``'s node to the earlier completed node ``to_node``."""
    reason = _clean_text(reason, field="reason", required=True)
    with transaction.atomic():
        run, item = _lock_item(item)
        _require_running(run)
        _require_open(item)
        check_return_work_item(actor, item)
        wf = run.wf()
        task = wf.get_task_from_id(uuid.UUID(item.spiff_task_id))
        target = None
        cur = task.parent if task is not None else None
        while cur is not None:
            if getattr(cur.task_spec, "manual", False) and cur.state == engine.TaskState.COMPLETED \
                    and engine.node_id(cur) == to_node:
                target = cur
                break
            cur = cur.parent
        if target is None:
            raise InvalidInput("只能退回到之前已办理的节点 / You can only return to an earlier completed node",
                               code="invalid_return_target",
                               details={"to_node": to_node, "allowed": return_targets(wf, item.spiff_task_id)})
        now = clock.now()
        _update_item(item, state=WorkItemState.CANCELLED, completed_at=now, completed_by=actor, outcome="returned",
                     comment=reason)
        engine.reset_to_task(wf, target)
        timeline.task_event(item=item, type_=EventType.TASK_RETURNED, actor=actor, to_node=to_node, reason=reason)
        _after_step(run, actor)
        new_items = list(WorkItem.objects.filter(instance=run.instance, node_id=to_node, state__in=OPEN_STATES))
        ev.publish(ev.TASK_RETURNED, _payload(item.ticket_id, work_item_id=item.pk, to_node=to_node, reason=reason,
                                              user_ids=sorted({u for i in new_items for u in _recipients(i)})))
        _save(run)
    return run.instance


# --- cc, urge, withdraw, terminate ------------------------------------------------------------


def running_instance(ticket: Ticket) -> ProcessInstance | None:
    return ProcessInstance.objects.filter(ticket=ticket, status=InstanceStatus.RUNNING).first()


def check_cc(actor: User, ticket: Ticket) -> None:
    check_perm(actor, P.TICKET_VIEW)


def do_cc(ticket: Ticket, *, actor: User, users: list[User], comment: str = "") -> list[WorkItem]:
    """Copy people on the ticket (抄送): a cc item in their inbox, no task."""
    comment = _clean_text(comment, field="comment")
    targets = sorted({u.pk: u for u in users if u.is_active}.values(), key=lambda u: u.pk)
    if not targets or len(targets) > 50:
        raise InvalidInput("请选择 1-50 位有效用户 / Choose 1 to 50 active users", details={"user_ids": "1..50"})
    with transaction.atomic():
        instance = running_instance(ticket)
        if instance is None:
            raise Conflict("工单没有运行中的流程 / The ticket has no running process", code="no_process")
        run = _lock_run(instance.pk)
        _require_running(run)
        current = WorkItem.objects.filter(instance=instance, kind=WorkItemKind.TASK, state__in=OPEN_STATES) \
            .order_by("id").first()
        now = clock.now()
        items = [WorkItem.objects.create(
            instance=instance, ticket_id=ticket.pk, node_id=current.node_id if current else "",
            node_name=current.node_name if current else "", kind=WorkItemKind.CC, state=WorkItemState.READY,
            assignee=u, created_at=now, comment=comment, parent=current) for u in targets]
        timeline.cc_event(ticket=ticket, actor=actor, user_ids=[u.pk for u in targets], comment=comment,
                          instance_id=instance.pk)
        ev.publish(ev.TASK_CC, _payload(ticket.pk, work_item_id=items[0].pk, work_item_ids=[i.pk for i in items],
                                        comment=comment, user_ids=[u.pk for u in targets]))
    return items


def do_mark_cc_read(item: WorkItem, *, actor: User) -> WorkItem:
    """The recipient read a cc (抄送已阅); reading twice changes nothing."""
    if item.kind != WorkItemKind.CC or item.assignee_id != actor.pk:
        raise PermissionDenied("只有抄送对象可以标记已阅 / Only the recipient can mark a cc as read")
    if item.read_at is None:
        with transaction.atomic():
            WorkItem.objects.filter(pk=item.pk, read_at__isnull=True).update(
                read_at=clock.now(), state=WorkItemState.COMPLETED, lock_version=item.lock_version + 1)
        item.refresh_from_db(fields=["read_at", "state", "lock_version"])
    return item


def check_urge_work_item(actor: User, item: WorkItem) -> None:
    check_perm(actor, P.TICKET_VIEW)


def do_urge_work_item(item: WorkItem, *, actor: User | None, comment: str = "") -> WorkItem:
    """Remind the assignee (or the candidates) of ``item`` (催办); at most once per 10 minutes."""
    comment = _clean_text(comment, field="comment", limit=500)
    with transaction.atomic():
        run, item = _lock_item(item)
        _require_running(run)
        _require_open(item)
        now = clock.now()
        if item.urged_at is not None and now - item.urged_at < URGE_INTERVAL:
            raise Conflict("刚刚催办过，请稍后再试 / This work item was urged a moment ago; try again later",
                           code="urged_recently")
        _update_item(item, urged_at=now)
        timeline.task_event(item=item, type_=EventType.TASK_URGED, actor=actor, comment=comment)
        ev.publish(ev.TASK_URGED, _payload(item.ticket_id, work_item_id=item.pk, comment=comment,
                                           user_ids=_recipients(item)))
    return item


def _end_instance(run: _Run, *, status: str, actor: User | None, type_: str, event_name: str,
                  reason: str) -> ProcessInstance:
    now = clock.now()
    open_items = list(WorkItem.objects.filter(instance=run.instance, kind=WorkItemKind.TASK, state__in=LIVE_STATES))
    WorkItem.objects.filter(pk__in=[i.pk for i in open_items]).update(state=WorkItemState.CANCELLED, completed_at=now)
    run.instance.status = status
    run.instance.ended_at = now
    run.instance.next_timer_at = None
    ProcessInstance.objects.filter(pk=run.instance.pk).update(next_timer_at=None)
    timeline.process_ended_event(instance=run.instance, actor=actor, type_=type_, reason=reason)
    ev.publish(event_name, _payload(run.ticket.pk, instance_id=run.instance.pk, reason=reason,
                                    user_ids=sorted({u for i in open_items for u in _recipients(i)})))
    _save(run)
    return run.instance


def check_withdraw_process(actor: User, instance: ProcessInstance) -> None:
    initiator = instance.started_by_id or instance.ticket.created_by_id
    if initiator != actor.pk:
        raise PermissionDenied("只有发起人可以撤回 / Only the initiator may withdraw the process")


def do_withdraw_process(ticket: Ticket, *, actor: User, reason: str = "") -> ProcessInstance:
    """The initiator takes the process back (撤回) before anyone handled it."""
    reason = _clean_text(reason, field="reason")
    with transaction.atomic():
        instance = running_instance(ticket)
        if instance is None:
            raise Conflict("工单没有运行中的流程 / The ticket has no running process", code="no_process")
        run = _lock_run(instance.pk)
        _require_running(run)
        check_withdraw_process(actor, run.instance)
        handled = was_handled(instance)
        if handled:
            raise Conflict("已有人办理，不能撤回 / Someone already handled the process; it cannot be withdrawn",
                           code="already_handled")
        return _end_instance(run, status=InstanceStatus.WITHDRAWN, actor=actor, type_=EventType.PROCESS_WITHDRAWN,
                             event_name=ev.PROCESS_WITHDRAWN, reason=reason)


def was_handled(instance: ProcessInstance) -> bool:
    """Someone acted: completed, transferred or returned an item, or claimed one from a pool."""
    items = WorkItem.objects.filter(instance=instance, kind=WorkItemKind.TASK)
    if items.filter(completed_by__isnull=False).exists() or items.filter(state=WorkItemState.COMPLETED).exists():
        return True
    return any(i.claimed_at is not None and i.assignee_id is not None and (i.candidate_users or i.candidate_team_id)
               for i in items.filter(state=WorkItemState.CLAIMED))


def check_terminate_process(actor: User) -> None:
    check_perm(actor, P.PROCESS_ADMIN)


def do_terminate_process(ticket: Ticket, *, actor: User, reason: str) -> ProcessInstance:
    reason = _clean_text(reason, field="reason", required=True)
    with transaction.atomic():
        instance = running_instance(ticket)
        if instance is None:
            raise Conflict("工单没有运行中的流程 / The ticket has no running process", code="no_process")
        run = _lock_run(instance.pk)
        _require_running(run)
        return _end_instance(run, status=InstanceStatus.TERMINATED, actor=actor, type_=EventType.PROCESS_TERMINATED,
                             event_name=ev.PROCESS_TERMINATED, reason=reason)


# --- periodic jobs: timers and node deadlines ---------------------------------------------------


def do_fire_due_timers(*, limit: int = 500) -> int:
    """Advance every running instance whose earliest timer is due (by the domain clock).
    Running twice is harmless: a fired timer is no longer pending."""
    now = clock.now()
    ids = list(ProcessInstance.objects.filter(status=InstanceStatus.RUNNING, next_timer_at__lte=now)
               .order_by("next_timer_at").values_list("pk", flat=True)[:limit])
    fired = 0
    for instance_id in ids:
        try:
            with transaction.atomic():
                run = _lock_run(instance_id)
                if run.instance.status != InstanceStatus.RUNNING:
                    continue
                engine.run_engine(run.wf())
                _after_step(run, None)
                _save(run)
                fired += 1
        except Exception:  # one broken instance must not stop the sweep
            logger.exception("firing timers of instance %s failed", instance_id)
    return fired


def _supervisor(item: WorkItem) -> User | None:
    dept = None
    if item.assignee_id is not None and item.assignee and item.assignee.department_id:
        dept = item.assignee.department
    elif item.department_id is not None:
        dept = item.department
    elif item.ticket.department_id is not None:
        dept = item.ticket.department
    while dept is not None:
        manager = dept.manager
        if manager is not None and manager.is_active and manager.pk != item.assignee_id:
            return manager
        dept = dept.parent
    return None


def do_sweep_overdue_work_items(*, limit: int = 500) -> int:
    """Run the node's ``onTimeout`` action for every open work item past its deadline, once.
    Running twice is harmless: an item gets ``timed_out_at`` and is not picked again."""
    now = clock.now()
    ids = list(WorkItem.objects.filter(kind=WorkItemKind.TASK, state__in=OPEN_STATES, due_at__lte=now,
                                       timed_out_at__isnull=True)
               .order_by("due_at").values_list("pk", flat=True)[:limit])
    done = 0
    for item_id in ids:
        try:
            _time_out(item_id)
            done += 1
        except Exception:
            logger.exception("timeout action of work item %s failed", item_id)
    return done


def _time_out(item_id: int) -> None:
    item = WorkItem.objects.select_related("assignee__department", "department", "ticket__department") \
        .filter(pk=item_id).first()
    if item is None:
        return
    action: str = TimeoutAction.REMIND
    with transaction.atomic():
        run, fresh = _lock_item(item)
        if run.instance.status != InstanceStatus.RUNNING or fresh.state not in OPEN_STATES \
                or fresh.timed_out_at is not None:
            return
        node = run.node(fresh.node_id)
        deadline = node.props.get("deadline") if node is not None else None
        action = str(deadline.get("onTimeout", TimeoutAction.REMIND)) if isinstance(deadline, dict) else action
        now = clock.now()
        _update_item(fresh, timed_out_at=now)
        supervisor = _supervisor(item)
        recipients = _recipients(fresh)
        if action == TimeoutAction.ESCALATE and supervisor is not None:
            recipients = sorted({*recipients, supervisor.pk})
            WorkItem.objects.create(
                instance=run.instance, ticket_id=fresh.ticket_id, node_id=fresh.node_id, node_name=fresh.node_name,
                kind=WorkItemKind.CC, state=WorkItemState.READY, assignee=supervisor, created_at=now,
                comment="超时升级 / Escalated on timeout", parent=fresh)
        timeline.task_event(item=fresh, type_=EventType.TASK_TIMED_OUT, actor=None, action=action,
                            due_at=fresh.due_at.isoformat() if fresh.due_at else None,
                            supervisor_id=supervisor.pk if supervisor else None)
        ev.publish(ev.TASK_OVERDUE, _payload(fresh.ticket_id, work_item_id=fresh.pk, action=action,
                                             node_id=fresh.node_id, user_ids=recipients,
                                             supervisor_id=supervisor.pk if supervisor else None))
    if action == TimeoutAction.APPROVE:
        outcome = "approve" if node is None or "approve" in node_outcomes(node) else node_outcomes(node)[0]
        do_complete_work_item(fresh, actor=None, outcome=outcome, comment="超时自动通过 / Approved on timeout")
    elif action == TimeoutAction.TRANSFER:
        target = _timeout_transfer_target(run, fresh, node, supervisor)
        if target is not None and target.pk != fresh.assignee_id:
            do_transfer_work_item(fresh, actor=None, to_user=target, reason="超时自动转交 / Transferred on timeout",
                                  origin="timeout_transfer")


def _timeout_transfer_target(run: _Run, item: WorkItem, node: Node | None, supervisor: User | None) -> User | None:
    deadline = node.props.get("deadline") if node is not None else None
    rule = deadline.get("transferTo") if isinstance(deadline, dict) else None
    if isinstance(rule, dict):
        found = resolve_assignments(rule, ticket=run.ticket, instance=run.instance, multi=False)
        for a in found:
            if a.assignee is not None:
                return a.assignee
            if a.candidates:
                return User.objects.filter(pk__in=a.candidates, is_active=True).order_by("id").first()
    return supervisor


# --- hooks registered in apps.ready ---------------------------------------------------------------


def open_work_item_load(user_ids: list[int]) -> dict[int, float]:
    """LOAD_SOURCES: open task work items per user (each counts 1)."""
    from django.db.models import Count

    rows = (WorkItem.objects.filter(assignee_id__in=user_ids, kind=WorkItemKind.TASK, state__in=OPEN_STATES)
            .values("assignee_id").annotate(n=Count("id")))
    return {row["assignee_id"]: float(row["n"]) for row in rows}


def users_by_ids(ids: Iterable[int]) -> list[User]:
    wanted = sorted({int(i) for i in ids})
    found = list(User.objects.filter(pk__in=wanted))
    if len(found) != len(wanted):
        missing = sorted(set(wanted) - {u.pk for u in found})
        raise InvalidInput("用户不存在 / Unknown user(s)", details={"user_ids": missing})
    return found
