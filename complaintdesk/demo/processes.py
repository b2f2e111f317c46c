"""Demo tickets that run through the shipped processes (complaintdesk/workflows/shipped), so the
inbox, the process diagrams and the bottleneck statistics have real data.

The process engine is a recent arrival at the demo company: tickets of the last
``PROCESS_DAYS`` days that need a back-office department run in a process instead of the
hand-driven story — 标准投诉处理 for most, 紧急投诉快速通道 for half of the P1 complaints (the other
half take the standard process's P1 fast track, which skips 审核), 质量投诉会签 for a share of
product-quality and safety complaints. Every step is a workflow action performed by the person
the work item belongs to, at a plausible time; steps that would fall after "now" never happen,
which leaves a live backlog (some of it overdue).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Generator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from complaintdesk.core.context import via
from complaintdesk.tickets.actions import do_add_comment, do_assign_ticket
from complaintdesk.workflows.actions import do_claim_work_item, do_complete_work_item, do_start_process
from complaintdesk.workflows.choices import OPEN_STATES, WorkItemKind
from complaintdesk.workflows.models import ProcessDefinition, WorkItem

if TYPE_CHECKING:
    from complaintdesk.accounts.models import Team, User
    from complaintdesk.tickets.models import Ticket

PROCESS_DAYS = 14
STANDARD, URGENT, COUNTERSIGN = "standard_complaint", "urgent_fast_track", "quality_countersign"
QUALITY_TOPS = ("product_quality", "safety")
MAX_STEPS = 24  # a story never loops for ever (returns and rejections are rare, but random)

REVIEW_REJECTIONS = ("处理方案不完整，请补充检测报告后再提交。", "赔付金额超出标准，请与客户重新协商。",
                     "请先确认是否同批次问题，再给出方案。")
SIGN_OBJECTIONS = ("根因分析证据不足，需补充失效分析。", "补救措施未覆盖已售出的同批次产品。")
SIGN_OPINIONS = ("同意。根因为{part}来料不良，已要求供应商整改。", "同意补救方案：免费更换{part}，并延保半年。",
                 "同意，售后侧可在 48 小时内安排上门。", "同意。已在产线增加{part}的抽检比例。")
FOLLOW_UP_UNHAPPY = ("客户表示问题仍未解决，要求重新处理。", "客户对补偿方案不满意。")

# Now and then work sits untouched for days (leave, a forgotten pool item): the overdue backlog.
STALL_CHANCE = {"dispatch": 0.03, "handle": 0.1, "review": 0.06, "countersign": 0.08, "follow_up": 0.04}

Later = Callable[[random.Random, float, float, str], datetime]
Story = Generator[datetime, None, None]


def load_definitions() -> dict[str, ProcessDefinition]:
    """The shipped definitions still present and active (an admin may have disabled one)."""
    return {d.key: d for d in ProcessDefinition.objects.filter(key__in=(STANDARD, URGENT, COUNTERSIGN),
                                                                  is_active=True)}


def choose_process(rng: random.Random, *, priority: str, top: str, spike: bool,
                   definitions: dict[str, ProcessDefinition]) -> ProcessDefinition | None:
    if priority == "P1" and URGENT in definitions and rng.random() < 0.5:
        return definitions[URGENT]
    if top in QUALITY_TOPS and COUNTERSIGN in definitions and rng.random() < (0.8 if spike else 0.35):
        return definitions[COUNTERSIGN]
    return definitions.get(STANDARD)


def _open_items(ticket: Ticket) -> list[WorkItem]:
    return list(WorkItem.objects.filter(ticket=ticket, kind=WorkItemKind.TASK, state__in=OPEN_STATES)
                .select_related("assignee").order_by("id"))


def _actor(rng: random.Random, item: WorkItem, preferred: User | None, people: dict[int, User]) -> User | None:
    """Who acts on ``item``: its assignee, else the preferred person if a candidate, else a candidate."""
    if item.assignee is not None:
        return item.assignee
    candidates = [int(u) for u in item.candidate_users or []]
    if preferred is not None and preferred.pk in candidates:
        return preferred
    known = [people[c] for c in candidates if c in people]
    return rng.choice(known) if known else None


def process_story(
    *, rng: random.Random, ticket: Ticket, definition: ProcessDefinition, agent: User, supervisor: User,
    handler: User, handler_team: Team | None, starter: User | None, ctx: dict[str, Any], resolution: str,
    later: Later, people: dict[int, User], fill: Callable[[str, dict[str, Any]], str], texts: Any,
    desk: str, office: str, any_hours: str,
) -> Story:
    """Drive one ticket through ``definition``; each ``yield`` is the time of the next step."""
    urgent = definition.key == URGENT
    if urgent:
        # The agent on duty sends an urgent complaint straight to the department, then starts the fast track.
        yield later(rng, 2, 15, any_hours)
        with via("web"):
            do_assign_ticket(ticket, actor=agent, assignee=handler, team=handler_team)
    with via("web"):
        do_start_process(ticket, definition=definition, actor=starter)
    for _ in range(MAX_STEPS):
        items = _open_items(ticket)
        if not items:
            return
        item = items[0]
        node = item.node_id
        if rng.random() < STALL_CHANCE.get(node, 0.0):
            yield later(rng, 2 * 24 * 60, 14 * 24 * 60, office)
        if node == "accept":
            yield later(rng, 2 if ticket.priority == "P1" else 5, 20 if ticket.priority == "P1" else 150, desk)
            actor = _actor(rng, item, agent, people)
            if actor is None:
                return
            with via("web"):
                if ticket.assignee_id is None:
                    do_assign_ticket(ticket, actor=actor, assignee=actor)
                do_add_comment(ticket, actor=actor, body=fill(rng.choice(texts.ACK_REPLIES), ctx), is_public=True)
                do_complete_work_item(item, actor=actor, comment="已核实客户信息与诉求")
        elif node == "dispatch":
            yield later(rng, 10, 180, desk)
            actor = _actor(rng, item, supervisor, people)
            if actor is None:
                return
            with via("web"):
                if rng.random() < 0.4:
                    do_add_comment(ticket, actor=actor, body=fill(rng.choice(texts.DISPATCH_NOTES), ctx),
                                   is_public=False)
                do_assign_ticket(ticket, actor=actor, assignee=handler, team=handler_team)
                do_complete_work_item(item, actor=actor, comment=f"分派至{ctx.get('dept', '责任部门')}")
        elif node == "handle":
            if urgent:
                yield later(rng, 15, 150, any_hours)  # most within the 2-hour deadline, some not
            else:
                yield later(rng, 10, 240, office)
            actor = _actor(rng, item, handler, people)
            if actor is None:
                return
            with via("web"):
                if item.assignee_id is None:
                    item = do_claim_work_item(item, actor=actor)
            lo, hi = (30, 120) if urgent else (4 * 60, 3 * 24 * 60)
            yield later(rng, lo, hi, any_hours if urgent else office)
            with via("web"):
                do_add_comment(ticket, actor=actor, body="处理方案：" + fill(resolution, ctx), is_public=False)
                do_complete_work_item(item, actor=actor, comment="已给出处理方案")
        elif node == "countersign":
            yield later(rng, 60, 2 * 24 * 60, office)
            actor = _actor(rng, item, None, people)
            if actor is None:
                return
            objection = rng.random() < 0.08
            text = rng.choice(SIGN_OBJECTIONS) if objection else fill(rng.choice(SIGN_OPINIONS), ctx)
            with via("web"):
                do_complete_work_item(item, actor=actor, outcome="reject" if objection else "approve", comment=text)
        elif node == "review":
            yield later(rng, 30, 8 * 60, office)
            actor = _actor(rng, item, None, people)
            if actor is None:
                return
            reject = rng.random() < 0.1
            with via("web"):
                do_complete_work_item(item, actor=actor, outcome="reject" if reject else "approve",
                                      comment=rng.choice(REVIEW_REJECTIONS) if reject else "同意该处理方案")
        elif node == "reply":
            yield later(rng, 10, 60 if urgent else 240, desk)
            actor = _actor(rng, item, agent, people)
            if actor is None:
                return
            with via("web"):
                do_add_comment(ticket, actor=actor, body=fill(resolution, ctx), is_public=True)
                do_complete_work_item(item, actor=actor, comment="已答复客户")
        elif node == "follow_up":
            yield later(rng, 24 * 60 if not urgent else 4 * 60, 5 * 24 * 60 if not urgent else 24 * 60, desk)
            actor = _actor(rng, item, agent, people)
            if actor is None:
                return
            unhappy = rng.random() < 0.07
            with via("web"):
                if not unhappy and rng.random() < 0.3:
                    do_add_comment(ticket, actor=actor, body=fill(rng.choice(texts.CLOSE_NOTES), ctx),
                                   is_public=False)
                do_complete_work_item(item, actor=actor, outcome="unsatisfied" if unhappy else "satisfied",
                                      comment=rng.choice(FOLLOW_UP_UNHAPPY) if unhappy else "客户表示满意")
        else:  # a node this story does not know (an edited definition): leave it in the inbox
            return
