"""SLA clocks on tickets: apply a policy, pause/resume, stop/reopen, first response, and the sweep.

The maths in one line: a target of T business seconds started at S, with P business seconds spent
paused (waiting for the customer, or resolved before a reopen within the window), is due at
``add_business_time(calendar, S, T + P)``. Warnings sit at ``add(S, f·T + P)`` for each fraction f;
escalation step k sits at ``add(first breach, delay_k)``. Every change of the clock recomputes the
pending checkpoints (``TicketSla.schedule``) and ``next_check_at``; the sweep fires what is due, each
checkpoint once (its key is recorded in ``TicketSla.done`` in the same transaction).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction

from complaintdesk.core import clock
from complaintdesk.core import events as ev
from complaintdesk.sla import events as timeline
from complaintdesk.sla.calendar import CompiledCalendar, compile_calendar
from complaintdesk.sla.models import BusinessCalendar, SlaPolicy, SlaPolicyVersion, SlaStatus, TicketSla
from complaintdesk.tickets.choices import TicketStatus
from complaintdesk.tickets.models import Ticket

if TYPE_CHECKING:
    from complaintdesk.accounts.models import User

logger = logging.getLogger(__name__)

TARGETS = ("first_response", "resolution")
ABBR = {"first_response": "fr", "resolution": "res"}
STOPPED_STATUSES = (TicketStatus.RESOLVED, TicketStatus.CLOSED, TicketStatus.CANCELLED)
ZERO = timedelta(0)


@dataclass(frozen=True)
class Checkpoint:
    key: str
    at: datetime
    kind: str  # warning | breach | escalation
    target: str | None = None
    fraction: float | None = None
    level: int | None = None

    def as_json(self) -> list[Any]:
        return [self.key, self.at.isoformat(), self.kind, self.target, self.fraction, self.level]

    @classmethod
    def from_json(cls, row: list[Any]) -> Checkpoint:
        return cls(row[0], datetime.fromisoformat(row[1]), row[2], row[3], row[4], row[5])


# ---------------------------------------------------------------- policies and snapshots


def policy_snapshot(policy: SlaPolicy) -> dict[str, Any]:
    return {
        "name": policy.name, "condition": policy.condition, "calendar_id": policy.calendar_id,
        "targets": policy.targets, "warning_fractions": policy.warning_fractions,
        "escalation": policy.escalation, "node_targets": policy.node_targets,
    }


def snapshot_of(policy_id: int | None, version: int) -> dict[str, Any]:
    if policy_id is None:
        return {}
    row = SlaPolicyVersion.objects.filter(policy_id=policy_id, version=version).values_list("snapshot", flat=True)
    snap = row.first()
    if snap is None:  # a version row is written with every edit; fall back to the live policy
        policy = SlaPolicy.objects.filter(pk=policy_id).first()
        return policy_snapshot(policy) if policy else {}
    return dict(snap)


def target_seconds(snapshot: dict[str, Any], priority: str, target: str) -> int | None:
    per = (snapshot.get("targets") or {}).get(priority) or {}
    minutes = per.get(f"{target}_minutes")
    if minutes is None:
        return None
    return round(float(minutes) * 60)


def matching_policy(ticket: Ticket) -> SlaPolicy | None:
    """The first active policy (by order) whose condition matches the ticket."""
    from complaintdesk.expressions.conditions import evaluate_condition
    from complaintdesk.expressions.fields import TICKET_FIELDS

    for policy in SlaPolicy.objects.filter(is_active=True).order_by("order", "id"):
        if not policy.condition:
            return policy
        try:
            if evaluate_condition(policy.condition, ticket, catalog=TICKET_FIELDS):
                return policy
        except Exception:  # a policy whose condition no longer compiles must not block intake
            logger.exception("SLA policy %s: condition failed on ticket %s", policy.pk, ticket.pk)
    return None


def _calendar_row(sla: TicketSla) -> BusinessCalendar | None:
    return sla.calendar if sla.calendar_id else None


def compiled_for(sla: TicketSla) -> CompiledCalendar:
    return compile_calendar(_calendar_row(sla))


# ---------------------------------------------------------------- the maths


def elapsed(sla: TicketSla, cal: CompiledCalendar, now: datetime) -> timedelta:
    """Business time counted against the targets up to ``now`` (pauses and stops excluded)."""
    if sla.started_at is None:
        return ZERO
    end = sla.stopped_at or sla.paused_at or now
    return cal.between(sla.started_at, end) - sla.paused_business


def due_at(sla: TicketSla, cal: CompiledCalendar, target: str) -> datetime | None:
    seconds = getattr(sla, f"{target}_target_seconds")
    if seconds is None or sla.started_at is None:
        return None
    return cal.add(sla.started_at, timedelta(seconds=seconds) + sla.paused_business)


def plan(sla: TicketSla, snapshot: dict[str, Any], cal: CompiledCalendar) -> list[Checkpoint]:
    """Every checkpoint of a running clock (fired or not), in time order; empty when paused or stopped."""
    if sla.started_at is None or sla.stopped_at is not None or sla.paused_at is not None:
        return []
    out: list[Checkpoint] = []
    breaches: list[datetime] = []
    fractions = sorted({float(f) for f in snapshot.get("warning_fractions") or []})
    for target in TARGETS:
        seconds = getattr(sla, f"{target}_target_seconds")
        if seconds is None:
            continue
        if target == "first_response" and sla.first_response_met_at is not None:
            if sla.first_response_breached_at is not None:
                breaches.append(sla.first_response_breached_at)
            continue
        total = timedelta(seconds=seconds)
        abbr = ABBR[target]
        for fraction in fractions:
            at = cal.add(sla.started_at, total * fraction + sla.paused_business)
            out.append(Checkpoint(f"{abbr}:w{fraction:g}", at, "warning", target, fraction=fraction))
        due = cal.add(sla.started_at, total + sla.paused_business)
        out.append(Checkpoint(f"{abbr}:breach", due, "breach", target))
        breaches.append(due)
    if breaches:
        first_breach = min(breaches)
        for step in snapshot.get("escalation") or []:
            level = int(step.get("level", 0))
            delay = timedelta(minutes=float(step.get("after_minutes", 0)))
            out.append(Checkpoint(f"esc:{level}", cal.add(first_breach, delay), "escalation", level=level))
    out.sort(key=lambda c: (c.at, c.key))
    return out


def _status(sla: TicketSla) -> str:
    return status_of(sla.started_at, sla.stopped_at, sla.paused_at, sla.first_response_breached_at,
                     sla.resolution_breached_at, sla.done)


def status_of(started_at: datetime | None, stopped_at: datetime | None, paused_at: datetime | None,
              first_response_breached_at: datetime | None, resolution_breached_at: datetime | None,
              done: Iterable[str]) -> str:
    if started_at is None:
        return SlaStatus.NONE
    if stopped_at is not None:
        return SlaStatus.BREACHED if resolution_breached_at is not None else SlaStatus.MET
    if paused_at is not None:
        return SlaStatus.PAUSED
    if resolution_breached_at is not None or first_response_breached_at is not None:
        return SlaStatus.BREACHED
    if any(":w" in k for k in done):
        return SlaStatus.WARNING
    return SlaStatus.RUNNING


def replan(sla: TicketSla, snapshot: dict[str, Any], cal: CompiledCalendar, now: datetime) -> list[Checkpoint]:
    """Recompute due times and the pending schedule after a change of the clock.

    Checkpoints that are no longer reached by ``now`` under the new maths (a priority lowered, a
    longer target) are forgotten, so they can fire again at their new time; breaches and the
    escalation level clear accordingly. Returns the checkpoints due now and not yet fired.
    """
    checkpoints = plan(sla, snapshot, cal)
    if sla.paused_at is None and sla.stopped_at is None:
        reached = {c.key for c in checkpoints if c.at <= now}
        sla.done = [k for k in sla.done if k in reached]
        for target in TARGETS:
            if target == "first_response" and sla.first_response_met_at is not None:
                continue
            # Still breached under the new maths: the first breach time stays (a later pause does not
            # undo it); no longer breached (a priority lowered): cleared.
            if f"{ABBR[target]}:breach" not in sla.done:
                setattr(sla, f"{target}_breached_at", None)
        levels = [int(k.split(":")[1]) for k in sla.done if k.startswith("esc:")]
        sla.escalation_level = max(levels, default=0)
    for target in TARGETS:
        if target == "first_response" and sla.first_response_met_at is not None:
            continue
        setattr(sla, f"{target}_due_at", due_at(sla, cal, target))
    pending = [c for c in checkpoints if c.key not in sla.done]
    sla.schedule = [c.as_json() for c in pending]
    sla.next_check_at = pending[0].at if pending else None
    sla.status = _status(sla)
    return [c for c in pending if c.at <= now]


# ---------------------------------------------------------------- firing checkpoints


def _role_user_ids(role_key: str, cache: dict[str, list[int]] | None = None) -> list[int]:
    from complaintdesk.accounts.models import User

    if cache is not None and role_key in cache:
        return cache[role_key]
    ids = list(
        User.objects.filter(roles__key=role_key, is_active=True).order_by("id").values_list("id", flat=True)[:50]
    )
    if cache is not None:
        cache[role_key] = ids
    return ids


def recipients(
    ticket: Ticket, checkpoint: Checkpoint, snapshot: dict[str, Any], roles: dict[str, list[int]] | None = None
) -> list[int]:
    """Who is told: the assignee (warnings, breaches), then L1 team lead / supervisor, L2 the
    department's manager, L3 the configured director user or role."""
    team_lead = ticket.team.lead_id if ticket.team_id and ticket.team else None
    manager = ticket.department.manager_id if ticket.department_id and ticket.department else None
    return recipient_ids(ticket.assignee_id, team_lead, manager, checkpoint, snapshot, roles)


def recipient_ids(
    assignee_id: int | None, team_lead: int | None, manager: int | None, checkpoint: Checkpoint,
    snapshot: dict[str, Any], roles: dict[str, list[int]] | None = None,
) -> list[int]:
    """``recipients`` from the ticket's assignee, team lead and department manager ids."""
    ids: list[int] = []
    if checkpoint.kind in ("warning", "breach"):
        if assignee_id:
            ids.append(assignee_id)
        if team_lead and (checkpoint.kind == "breach" or not ids):
            ids.append(team_lead)
    else:
        steps: list[dict[str, Any]] = snapshot.get("escalation") or []
        step: dict[str, Any] = next((s for s in steps if int(s.get("level", 0)) == checkpoint.level), {})
        to = step.get("to", "")
        if to == "supervisor":
            ids += [team_lead] if team_lead else _role_user_ids("supervisor", roles)
        elif to == "department_manager":
            if manager:
                ids.append(manager)
            elif step.get("role"):
                ids += _role_user_ids(str(step["role"]), roles)
        elif to == "user" and step.get("user_id"):
            ids.append(int(step["user_id"]))
        elif to == "role" and step.get("role"):
            ids += _role_user_ids(str(step["role"]), roles)
    return sorted({i for i in ids if i})


EVENT_NAME = {"warning": ev.SLA_WARNING, "breach": ev.SLA_BREACHED, "escalation": ev.SLA_ESCALATED}


def _rank(c: Checkpoint) -> tuple[int, float]:
    if c.kind == "warning":
        return (0, c.fraction or 0.0)
    if c.kind == "breach":
        return (1, 0.0)
    return (2, float(c.level or 0))


def collapse(due: list[Checkpoint]) -> list[tuple[Checkpoint, list[Checkpoint]]]:
    """Checkpoints due at once (a catch-up after the sweep did not run, or a change of the clock) are
    announced once per target: its highest level reached (the breach over the 90 % warning over the
    75 %), and once for the escalation chain (its highest step). Returns ``(announced, superseded)``
    pairs in time order; every checkpoint in ``due`` is still recorded as fired."""
    groups: dict[str, list[Checkpoint]] = {}
    for c in due:
        groups.setdefault("esc" if c.kind == "escalation" else c.target or c.key, []).append(c)
    out: list[tuple[Checkpoint, list[Checkpoint]]] = []
    for items in groups.values():
        top = max(items, key=lambda c: (_rank(c), c.at))
        out.append((top, sorted((c for c in items if c is not top), key=lambda c: (c.at, c.key))))
    out.sort(key=lambda pair: (pair[0].at, _rank(pair[0])[0], pair[0].key))  # a breach before its escalation
    return out


def _level(c: Checkpoint) -> Any:
    if c.kind == "warning":
        return c.fraction
    if c.kind == "escalation":
        return f"L{c.level}"
    return "breach"


def payload_of(
    ticket_id: int, number: str, policy_id: int | None, policy_version: int, priority: str, c: Checkpoint,
    user_ids: list[int], skipped: list[Checkpoint],
) -> dict[str, Any]:
    """The timeline data and event payload of an announced checkpoint; ``skipped`` lists the ones it
    superseded (fired at the same time, not announced on their own)."""
    return {
        "ticket_id": ticket_id, "number": number, "kind": c.kind, "target": c.target, "level": _level(c),
        "at": c.at.isoformat(), "policy_id": policy_id, "policy_version": policy_version,
        "priority": priority, "user_ids": user_ids,
        "skipped": [{"key": s.key, "kind": s.kind, "level": _level(s), "at": s.at.isoformat()} for s in skipped],
    }


def checkpoint_payload(
    ticket: Ticket, sla: TicketSla, c: Checkpoint, user_ids: list[int], skipped: list[Checkpoint] | None = None
) -> dict[str, Any]:
    return payload_of(ticket.pk, ticket.number, sla.policy_id, sla.policy_version, sla.priority, c, user_ids,
                      skipped or [])


def mark_fired(sla: TicketSla, fired: Iterable[Checkpoint]) -> None:
    for c in fired:
        sla.done = [*sla.done, c.key]
        if c.kind == "breach" and c.target:
            setattr(sla, f"{c.target}_breached_at", c.at)
        if c.kind == "escalation" and c.level:
            sla.escalation_level = max(sla.escalation_level, c.level)


def _fire(ticket: Ticket, sla: TicketSla, fired: list[Checkpoint], snapshot: dict[str, Any]) -> None:
    """Record and announce checkpoints (inside the caller's transaction): all are marked fired, the
    superseded ones are announced within the highest one (``collapse``)."""
    mark_fired(sla, fired)
    for c, skipped in collapse(fired):
        users = sorted({u for x in (c, *skipped) for u in recipients(ticket, x, snapshot)})
        payload = checkpoint_payload(ticket, sla, c, users, skipped)
        timeline.build_event(ticket.pk, timeline.EVENT_TYPE_OF_CHECKPOINT[c.kind], c.at, payload).save(
            force_insert=True
        )
        ev.publish(EVENT_NAME[c.kind], payload)
    pending = [Checkpoint.from_json(r) for r in sla.schedule]
    pending = [c for c in pending if c.key not in sla.done]
    sla.schedule = [c.as_json() for c in pending]
    sla.next_check_at = pending[0].at if pending else None
    sla.status = _status(sla)


SLA_FIELDS = [
    "policy", "policy_version", "calendar", "priority", "status", "started_at", "first_response_target_seconds",
    "resolution_target_seconds", "first_response_due_at", "resolution_due_at", "first_response_met_at",
    "first_response_breached_at", "resolution_met_at", "resolution_breached_at", "paused_at", "paused_business",
    "stopped_at", "escalation_level", "done", "schedule", "next_check_at", "updated_at",
]


def _save(ticket: Ticket, sla: TicketSla, now: datetime) -> None:
    sla.updated_at = now
    sla.save(update_fields=SLA_FIELDS)
    # The due times live on the ticket too (indexed, for lists and sorting).
    due = (sla.first_response_due_at, sla.resolution_due_at)
    if (ticket.first_response_due_at, ticket.resolution_due_at) != due:
        ticket.first_response_due_at = sla.first_response_due_at
        ticket.resolution_due_at = sla.resolution_due_at
        Ticket.objects.filter(pk=ticket.pk).update(
            first_response_due_at=sla.first_response_due_at, resolution_due_at=sla.resolution_due_at
        )


def _locked_clock(ticket: Ticket) -> TicketSla | None:
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    for name in ("status", "priority", "first_response_at", "resolved_at", "closed_at", "first_response_due_at",
                 "resolution_due_at", "assignee_id", "team_id", "department_id"):
        setattr(ticket, name, getattr(locked, name))
    # The sweep locks clock rows too (never ticket rows): ticket → clock is the only lock order.
    return TicketSla.objects.select_for_update(of=("self",)).select_related("calendar").filter(
        ticket_id=ticket.pk).first()


def _event_data(sla: TicketSla, **extra: Any) -> dict[str, Any]:
    return {
        "policy_id": sla.policy_id, "policy_version": sla.policy_version, "priority": sla.priority,
        "first_response_due_at": sla.first_response_due_at.isoformat() if sla.first_response_due_at else None,
        "resolution_due_at": sla.resolution_due_at.isoformat() if sla.resolution_due_at else None,
        "paused_business_seconds": sla.paused_business.total_seconds(), **extra,
    }


def _publish(name: str, ticket: Ticket, sla: TicketSla, **extra: Any) -> None:
    ev.publish(name, {"ticket_id": ticket.pk, "number": ticket.number, "level": sla.status, "user_ids": [],
                      **_event_data(sla, **extra)})


# ---------------------------------------------------------------- actions on one ticket


def do_apply_sla(
    ticket: Ticket, *, policy: SlaPolicy | None, actor: User | None = None, reason: str = "",
    now: datetime | None = None,
) -> TicketSla:
    """Run the ticket's clock on ``policy`` (its current version; ``None``: the matching policy).

    The clock keeps its start (the ticket's creation), pauses and fired checkpoints: switching the
    policy or the priority recomputes every due time from the start with the new targets.
    """
    now = now or clock.now()
    with transaction.atomic():
        sla = _locked_clock(ticket)
        if policy is None:
            policy = matching_policy(ticket)
        if sla is None:
            sla = TicketSla(ticket=ticket, started_at=ticket.created_at)
            sla.save(force_insert=True)
        if policy is None:
            return sla
        old = (sla.policy_id, sla.policy_version, sla.priority)
        snapshot = snapshot_of(policy.pk, policy.version)
        sla.policy = policy
        sla.policy_version = policy.version
        calendar_id = snapshot.get("calendar_id")
        sla.calendar = (
            BusinessCalendar.objects.filter(pk=calendar_id).first() if calendar_id
            else BusinessCalendar.objects.filter(is_default=True).first()
        )
        _set_targets(ticket, sla, snapshot)
        if sla.started_at is None:
            sla.started_at = ticket.created_at
        _sync_state(ticket, sla, now)
        cal = compiled_for(sla)
        due_now = replan(sla, snapshot, cal, now)
        _fire(ticket, sla, due_now, snapshot)
        _save(ticket, sla, now)
        timeline.sla_applied_event(ticket=ticket, at=now, data=_event_data(
            sla, policy_name=policy.name, reason=reason, old={"policy_id": old[0], "policy_version": old[1],
                                                              "priority": old[2]},
            warnings=cal.warnings(_years(sla)),
        ))
        _publish(ev.SLA_APPLIED, ticket, sla, reason=reason)
    return sla


def _years(sla: TicketSla) -> list[int]:
    years = set()
    for at in (sla.started_at, sla.first_response_due_at, sla.resolution_due_at, clock.now()):
        if at is not None:
            years.add(at.year)
    return sorted(years)


def _set_targets(ticket: Ticket, sla: TicketSla, snapshot: dict[str, Any]) -> None:
    sla.priority = ticket.priority
    sla.first_response_target_seconds = target_seconds(snapshot, ticket.priority, "first_response")
    sla.resolution_target_seconds = target_seconds(snapshot, ticket.priority, "resolution")


def _sync_state(ticket: Ticket, sla: TicketSla, now: datetime) -> None:
    """Bring pause / stop / first response in line with the ticket (used when a clock is (re)applied)."""
    if ticket.first_response_at is not None and sla.first_response_met_at is None:
        sla.first_response_met_at = ticket.first_response_at
    if ticket.status in STOPPED_STATUSES and sla.stopped_at is None:
        sla.stopped_at = ticket.resolved_at or ticket.closed_at or now
    if ticket.status == TicketStatus.PENDING_CUSTOMER and sla.paused_at is None and sla.stopped_at is None:
        sla.paused_at = now


def _load(ticket: Ticket) -> tuple[TicketSla, dict[str, Any], CompiledCalendar] | None:
    sla = _locked_clock(ticket)
    if sla is None or sla.policy_id is None or sla.started_at is None:
        return None
    return sla, snapshot_of(sla.policy_id, sla.policy_version), compiled_for(sla)


def _catch_up(ticket: Ticket, sla: TicketSla, snapshot: dict[str, Any], now: datetime) -> None:
    """Fire what became due before a change (the sweep may not have run yet), so history stays exact."""
    pending = [Checkpoint.from_json(r) for r in sla.schedule]
    due = [c for c in pending if c.at <= now and c.key not in sla.done]
    if due:
        _fire(ticket, sla, due, snapshot)


def do_recompute_sla(ticket: Ticket, *, reason: str, now: datetime | None = None) -> TicketSla | None:
    """After a priority change: new targets from the same policy version, due times from the start."""
    now = now or clock.now()
    with transaction.atomic():
        loaded = _load(ticket)
        if loaded is None:
            return None
        sla, snapshot, cal = loaded
        if sla.priority == ticket.priority:
            return sla
        _catch_up(ticket, sla, snapshot, now)
        old_priority = sla.priority
        _set_targets(ticket, sla, snapshot)
        fired = replan(sla, snapshot, cal, now)
        _fire(ticket, sla, fired, snapshot)
        _save(ticket, sla, now)
        timeline.sla_applied_event(ticket=ticket, at=now, data=_event_data(
            sla, reason=reason, old={"priority": old_priority}, warnings=cal.warnings(_years(sla)),
        ))
        _publish(ev.SLA_APPLIED, ticket, sla, reason=reason)
    return sla


def do_pause_sla(ticket: Ticket, *, now: datetime | None = None) -> TicketSla | None:
    """The ticket waits for the customer: the clock stops counting (due times move on resume)."""
    now = now or clock.now()
    with transaction.atomic():
        loaded = _load(ticket)
        if loaded is None:
            return None
        sla, snapshot, cal = loaded
        if sla.paused_at is not None or sla.stopped_at is not None:
            return sla
        _catch_up(ticket, sla, snapshot, now)
        sla.paused_at = now
        replan(sla, snapshot, cal, now)
        _save(ticket, sla, now)
        timeline.sla_paused_event(ticket=ticket, at=now, data=_event_data(
            sla, remaining_seconds=_remaining_seconds(sla, cal, now)))
        _publish(ev.SLA_PAUSED, ticket, sla)
    return sla


def do_resume_sla(ticket: Ticket, *, now: datetime | None = None, reason: str = "resumed") -> TicketSla | None:
    """Resume a paused clock, or a stopped one on a reopen within the window: the business time
    between pause (or resolution) and now is added to ``paused_business``; remaining time is kept."""
    now = now or clock.now()
    with transaction.atomic():
        loaded = _load(ticket)
        if loaded is None:
            return None
        sla, snapshot, cal = loaded
        since = sla.paused_at or sla.stopped_at
        if since is None:
            return sla
        gap = cal.between(since, now) if now > since else ZERO
        sla.paused_business += gap
        sla.paused_at = None
        if sla.stopped_at is not None:
            sla.stopped_at = None
            sla.resolution_met_at = None
        fired = replan(sla, snapshot, cal, now)
        _fire(ticket, sla, fired, snapshot)
        _save(ticket, sla, now)
        timeline.sla_resumed_event(ticket=ticket, at=now, data=_event_data(
            sla, reason=reason, paused_for_seconds=gap.total_seconds()))
        _publish(ev.SLA_RESUMED, ticket, sla, reason=reason)
    return sla


def do_stop_sla(ticket: Ticket, *, now: datetime | None = None) -> TicketSla | None:
    """Resolved, closed or cancelled: the clock stops; met unless the resolution target was breached."""
    now = now or clock.now()
    with transaction.atomic():
        loaded = _load(ticket)
        if loaded is None:
            return None
        sla, snapshot, cal = loaded
        if sla.stopped_at is not None:
            return sla
        _catch_up(ticket, sla, snapshot, now)
        if sla.paused_at is not None:
            # Resolved while waiting for the customer: the pause ends at the resolution.
            sla.paused_business += cal.between(sla.paused_at, now)
            sla.paused_at = None
        sla.stopped_at = now
        if sla.resolution_breached_at is None:
            sla.resolution_met_at = now
        replan(sla, snapshot, cal, now)
        _save(ticket, sla, now)
    return sla


def do_first_response_met(ticket: Ticket, *, now: datetime | None = None) -> TicketSla | None:
    """The first public reply went out: the first-response clock stops at ``Ticket.first_response_at``."""
    now = now or clock.now()
    with transaction.atomic():
        loaded = _load(ticket)
        if loaded is None or ticket.first_response_at is None:
            return None
        sla, snapshot, cal = loaded
        if sla.first_response_met_at is not None:
            return sla
        _catch_up(ticket, sla, snapshot, ticket.first_response_at)
        sla.first_response_met_at = ticket.first_response_at
        fired = replan(sla, snapshot, cal, now)
        _fire(ticket, sla, fired, snapshot)
        _save(ticket, sla, now)
    return sla


def _remaining_seconds(sla: TicketSla, cal: CompiledCalendar, now: datetime) -> float | None:
    if sla.resolution_target_seconds is None:
        return None
    return sla.resolution_target_seconds - elapsed(sla, cal, now).total_seconds()


# ---------------------------------------------------------------- the sweep


@dataclass
class SweepResult:
    tickets: int = 0
    fired: int = 0  # checkpoints recorded as fired (announced or superseded)
    announced: int = 0  # timeline rows + events written (one per target / escalation chain and ticket)
    failed: int = 0

    def add(self, tickets: int, fired: int, announced: int) -> None:
        self.tickets += tickets
        self.fired += fired
        self.announced += announced


# What the sweep reads of a due clock (one query per chunk, no model instances).
_SWEEP_COLUMNS = (
    "ticket_id", "done", "schedule", "policy_id", "policy_version", "priority", "escalation_level",
    "first_response_breached_at", "resolution_breached_at", "started_at", "stopped_at", "paused_at",
    "ticket__number", "ticket__assignee_id", "ticket__team__lead_id", "ticket__department__manager_id",
)


def do_sweep(*, now: datetime | None = None, batch_size: int = 2000, limit: int | None = None) -> SweepResult:
    """Fire every checkpoint that is due (``next_check_at <= now``, an indexed query), each once.

    Chunks of ``batch_size`` due clocks are locked (``SKIP LOCKED``: a clock an action holds is left
    for the next run; it catches up itself), computed in Python and written set-based, one
    transaction per chunk: a crash loses nothing and a re-run fires nothing again (the fired keys are
    recorded with the change). Checkpoints due at once are announced once per target and escalation
    chain (``collapse``). A failing chunk is retried clock by clock; a failing clock is logged and
    skipped until the next run.
    """
    now = now or clock.now()
    result = SweepResult()
    snapshots: dict[tuple[int, int], dict[str, Any]] = {}
    roles: dict[str, list[int]] = {}
    skipped: set[int] = set()  # failed this run: not retried until the next run
    seen: set[int] = set()
    while True:
        try:
            with transaction.atomic():
                ids, counts = _sweep_chunk(now, batch_size, skipped, None, snapshots, roles)
            result.add(*counts)  # counted once committed
        except Exception:
            logger.exception("SLA sweep chunk failed; retrying clock by clock")
            ids = list(
                TicketSla.objects.filter(next_check_at__lte=now).exclude(ticket_id__in=skipped)
                .order_by("next_check_at").values_list("ticket_id", flat=True)[:batch_size]
            )
            for ticket_id in ids:
                try:
                    with transaction.atomic():
                        _, counts = _sweep_chunk(now, 1, skipped, ticket_id, snapshots, roles)
                    result.add(*counts)
                except Exception:
                    result.failed += 1
                    skipped.add(ticket_id)
                    logger.exception("SLA sweep failed for ticket %s", ticket_id)
        if not ids or seen.issuperset(ids):  # nothing left, or only rows that cannot move on
            break
        seen.update(ids)
        if limit is not None and result.tickets >= limit:
            break
    return result


def _sweep_chunk(
    now: datetime, size: int, skipped: set[int], only: int | None, snapshots: dict[tuple[int, int], dict[str, Any]],
    roles: dict[str, list[int]],
) -> tuple[list[int], tuple[int, int, int]]:
    """Lock, fire and write back up to ``size`` due clocks (inside the caller's transaction).
    Returns their ids and (clocks, checkpoints fired, announcements)."""
    from complaintdesk.sla import bulk

    if connection.vendor == "postgresql":  # only the due entries of each schedule are read
        rows = bulk.select_due_pg(now, size, skipped, only)
    else:
        query = TicketSla.objects.select_for_update(of=("self",), skip_locked=True).filter(next_check_at__lte=now)
        if only is not None:
            query = query.filter(ticket_id=only)
        elif skipped:
            query = query.exclude(ticket_id__in=skipped)
        rows = list(query.order_by("next_check_at").values_list(*_SWEEP_COLUMNS)[:size])
    updates: list[bulk.ClockUpdate] = []
    events: list[bulk.TimelineRow] = []
    outbox: list[tuple[str, dict[str, Any]]] = []
    encoded: list[str] = []
    told: dict[tuple[Any, ...], list[int]] = {}  # recipients per (policy, people, checkpoint kind and level)
    fired = 0
    for (ticket_id, done, schedule, policy_id, policy_version, priority, level, fr_breached, res_breached,
         started_at, stopped_at, paused_at, number, assignee_id, team_lead, manager) in rows:
        key = (policy_id or 0, policy_version)
        snapshot = snapshots.get(key)
        if snapshot is None:
            snapshot = snapshots[key] = snapshot_of(policy_id, policy_version)
        done_keys = set(done)
        done = list(done)
        due: list[Checkpoint] = []
        rest: list[list[Any]] = []
        for row in schedule:
            if row[0] in done_keys:
                continue
            c = Checkpoint.from_json(row)
            if c.at <= now:
                due.append(c)
            else:
                rest.append(row)
        for c in due:
            done.append(c.key)
            if c.kind == "breach":
                if c.target == "first_response":
                    fr_breached = c.at
                elif c.target == "resolution":
                    res_breached = c.at
            elif c.kind == "escalation" and c.level:
                level = max(level, c.level)
        fired += len(due)
        for c, superseded in collapse(due):
            users: set[int] = set()
            for x in (c, *superseded):
                who = (key, assignee_id, team_lead, manager, x.kind, x.level)
                if who not in told:
                    told[who] = recipient_ids(assignee_id, team_lead, manager, x, snapshot, roles)
                users.update(told[who])
            payload = payload_of(ticket_id, number, policy_id, policy_version, priority, c, sorted(users),
                                 superseded)
            text = bulk.dumps(payload)
            events.append((ticket_id, timeline.EVENT_TYPE_OF_CHECKPOINT[c.kind], c.at, text))
            outbox.append((EVENT_NAME[c.kind], payload))
            encoded.append(text)
        status = status_of(started_at, stopped_at, paused_at, fr_breached, res_breached, done)
        next_check = datetime.fromisoformat(rest[0][1]) if rest else None
        updates.append(bulk.ClockUpdate(ticket_id, [c.key for c in due], done, rest, next_check, status, fr_breached,
                                        res_breached, level))
    bulk.insert_timeline(events)
    ev.publish_many(outbox, encoded=encoded)
    bulk.update_swept_clocks(updates, now)
    return [u.ticket_id for u in updates], (len(rows), fired, len(events))


# ---------------------------------------------------------------- reading


def node_due_at(ticket: Ticket, node_id: str, started_at: datetime) -> datetime | None:
    """The deadline of a workflow node under the ticket's SLA policy (``node_targets`` in hours), or None."""
    sla = TicketSla.objects.select_related("calendar").filter(ticket_id=ticket.pk).first()
    if sla is None or sla.policy_id is None:
        return None
    hours = (snapshot_of(sla.policy_id, sla.policy_version).get("node_targets") or {}).get(node_id)
    if hours is None:
        return None
    return compiled_for(sla).add(started_at, timedelta(hours=float(hours)))


def clock_state(ticket: Ticket, *, now: datetime | None = None) -> dict[str, Any]:
    """The ticket's clock for display: status, due times, elapsed and remaining business time, warnings."""
    now = now or clock.now()
    sla = TicketSla.objects.select_related("calendar", "policy").filter(ticket_id=ticket.pk).first()
    if sla is None or sla.policy_id is None or sla.started_at is None:
        return {"ticket_id": ticket.pk, "status": SlaStatus.NONE, "policy": None, "targets": [],
                "warnings": compile_calendar(None).warnings([now.year]), "escalation_level": 0,
                "paused": False, "paused_at": None, "paused_business_seconds": 0.0, "started_at": None,
                "stopped_at": None, "next_check_at": None, "calendar": None, "policy_version": 0, "priority": ""}
    cal = compiled_for(sla)
    spent = elapsed(sla, cal, now)
    targets = []
    for target in TARGETS:
        seconds = getattr(sla, f"{target}_target_seconds")
        if seconds is None:
            continue
        met_at = sla.first_response_met_at if target == "first_response" else sla.resolution_met_at
        if target == "first_response" and met_at is not None:
            used = cal.between(sla.started_at, met_at) - sla.paused_business
        else:
            used = spent
        targets.append({
            "target": target, "target_seconds": seconds, "due_at": getattr(sla, f"{target}_due_at"),
            "elapsed_seconds": used.total_seconds(), "remaining_seconds": seconds - used.total_seconds(),
            "met_at": met_at, "breached_at": getattr(sla, f"{target}_breached_at"),
        })
    return {
        "ticket_id": ticket.pk, "status": sla.status,
        "policy": {"id": sla.policy_id, "name": sla.policy.name if sla.policy else ""},
        "policy_version": sla.policy_version, "priority": sla.priority,
        "calendar": {"id": sla.calendar.pk, "key": sla.calendar.key, "name": sla.calendar.name}
        if sla.calendar else None,
        "started_at": sla.started_at, "stopped_at": sla.stopped_at, "paused": sla.paused_at is not None,
        "paused_at": sla.paused_at, "paused_business_seconds": sla.paused_business.total_seconds(),
        "escalation_level": sla.escalation_level, "next_check_at": sla.next_check_at, "targets": targets,
        "warnings": cal.warnings(_years(sla)),
    }


def do_replan_calendar_clocks(calendar_id: int, *, now: datetime | None = None) -> int:
    """Recompute the running clocks on a calendar after its hours or days changed (e.g. next year's
    holidays imported: due times computed on the plain-weekend fallback move). Returns the count.

    Each ticket in its own transaction; running it twice is harmless (the maths is the same)."""
    now = now or clock.now()
    ids = list(
        TicketSla.objects.filter(calendar_id=calendar_id, stopped_at__isnull=True, started_at__isnull=False,
                                 policy__isnull=False).values_list("ticket_id", flat=True)
    )
    for ticket_id in ids:
        ticket = Ticket.objects.filter(pk=ticket_id).first()
        if ticket is None:
            continue
        with transaction.atomic():
            loaded = _load(ticket)
            if loaded is None:
                continue
            sla, snapshot, cal = loaded
            _catch_up(ticket, sla, snapshot, now)
            fired = replan(sla, snapshot, cal, now)
            _fire(ticket, sla, fired, snapshot)
            _save(ticket, sla, now)
    return len(ids)
