"""REST endpoints of the sla app: business calendars (+ days, holiday import, due-time preview),
SLA policies, and the SLA clock of a ticket (+ reopen or follow-up)."""

from __future__ import annotations

from datetime import UTC, date, timedelta
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Query, Router
from ninja.files import UploadedFile
from ninja.responses import Status

from complaintdesk.accounts import permissions as P
from complaintdesk.accounts.access import check_perm
from complaintdesk.accounts.models import User
from complaintdesk.core import clock
from complaintdesk.core.errors import InvalidInput, NotFound
from complaintdesk.core.schemas import ERRORS
from complaintdesk.sla import actions as A
from complaintdesk.sla import queries
from complaintdesk.sla.calendar import compile_calendar
from complaintdesk.sla.clocks import clock_state, do_apply_sla
from complaintdesk.sla.holidays import parse_schedule, parse_upload
from complaintdesk.sla.models import BusinessCalendar, SlaPolicy
from complaintdesk.sla.reopen import check_reopen_or_follow_up, do_reopen_or_follow_up
from complaintdesk.sla.schemas import (
    ApplyPolicyIn,
    CalendarIn,
    CalendarOut,
    CalendarPatch,
    DayIn,
    DayOut,
    DaysOut,
    DuePreviewOut,
    DuePreviewParams,
    ImportOut,
    PolicyIn,
    PolicyOut,
    PolicyPatch,
    PolicyReorderIn,
    PolicyVersionOut,
    ReopenIn,
    ReopenOut,
    ScheduleIn,
    TicketSlaOut,
)

router = Router(tags=["sla"])

MAX_UPLOAD_BYTES = 1_000_000


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _warning_years() -> list[int]:
    """This year, and from November on (when the State Council publishes it) next year too."""
    today = clock.local_now()
    return [today.year, today.year + 1] if today.month >= 11 else [today.year]


def calendar_out(calendar: BusinessCalendar) -> dict[str, Any]:
    compiled = compile_calendar(calendar)
    return {
        "id": calendar.pk, "key": calendar.key, "name": calendar.name, "time_zone": calendar.time_zone,
        "working_hours": calendar.working_hours, "workday_hours": calendar.workday_hours,
        "is_24x7": calendar.is_24x7, "is_default": calendar.is_default,
        "uses_statutory_holidays": calendar.uses_statutory_holidays, "version": calendar.version,
        "years": sorted(compiled.spec.covered_years), "warnings": compiled.warnings(_warning_years()),
        "updated_at": calendar.updated_at,
    }


def policy_out(policy: SlaPolicy) -> dict[str, Any]:
    return {
        "id": policy.pk, "name": policy.name, "description": policy.description, "condition": policy.condition,
        "order": policy.order, "is_active": policy.is_active, "calendar_id": policy.calendar_id,
        "targets": policy.targets, "warning_fractions": policy.warning_fractions, "escalation": policy.escalation,
        "node_targets": policy.node_targets, "version": policy.version, "updated_at": policy.updated_at,
    }


def _parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput("日期格式应为 YYYY-MM-DD / dates must be YYYY-MM-DD", details={"date": value[:20]}) from exc


def _check_year(year: int) -> int:
    if not 1900 <= year <= 2200:
        raise InvalidInput("年份超出范围 / year out of range", details={"year": year})
    return year


# --- calendars -----------------------------------------------------------------------------


@router.get("/calendars", response={200: list[CalendarOut], **ERRORS}, summary="Business calendars")
def list_calendars(request: HttpRequest) -> Any:
    return [calendar_out(c) for c in queries.list_calendars(viewer=_actor(request))]


@router.post("/calendars", response={201: CalendarOut, **ERRORS}, summary="Create a business calendar")
def create_calendar(request: HttpRequest, payload: CalendarIn) -> Any:
    actor = _actor(request)
    A.check_manage_sla(actor)
    calendar = A.do_create_calendar(actor=actor, **payload.dict())
    return Status(201, calendar_out(calendar))


@router.get("/calendars/{calendar_id}", response={200: CalendarOut, **ERRORS}, summary="One calendar")
def get_calendar(request: HttpRequest, calendar_id: int) -> Any:
    return calendar_out(queries.get_calendar(viewer=_actor(request), calendar_id=calendar_id))


@router.patch("/calendars/{calendar_id}", response={200: CalendarOut, **ERRORS}, summary="Change a calendar")
def update_calendar(request: HttpRequest, calendar_id: int, payload: CalendarPatch) -> Any:
    actor = _actor(request)
    calendar = queries.get_calendar(viewer=actor, calendar_id=calendar_id)
    A.check_manage_sla(actor)
    fields = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return calendar_out(A.do_update_calendar(calendar, actor=actor, **fields))


@router.delete("/calendars/{calendar_id}", response={204: None, **ERRORS},
               summary="Delete a calendar (not the default, not one a policy uses)")
def delete_calendar(request: HttpRequest, calendar_id: int) -> Any:
    actor = _actor(request)
    calendar = queries.get_calendar(viewer=actor, calendar_id=calendar_id)
    A.check_manage_sla(actor)
    A.do_delete_calendar(calendar, actor=actor)
    return Status(204, None)


@router.get("/calendars/{calendar_id}/days", response={200: DaysOut, **ERRORS},
            summary="Holidays and make-up workdays of one year")
def list_days(request: HttpRequest, calendar_id: int, year: int) -> Any:
    actor = _actor(request)
    calendar = queries.get_calendar(viewer=actor, calendar_id=calendar_id)
    _check_year(year)
    days = queries.list_days(viewer=actor, calendar=calendar, year=year)
    compiled = compile_calendar(calendar)
    return {
        "year": year, "has_data": not compiled.missing_years([year]),
        "days": [{"date": d.date, "kind": d.kind, "name": d.name} for d in days],
        "warnings": compiled.warnings([year]),
    }


@router.put("/calendars/{calendar_id}/days/{day}", response={200: DayOut, **ERRORS},
            summary="Set one day: a holiday or a make-up workday (调休)")
def set_day(request: HttpRequest, calendar_id: int, day: str, payload: DayIn) -> Any:
    actor = _actor(request)
    calendar = queries.get_calendar(viewer=actor, calendar_id=calendar_id)
    A.check_manage_sla(actor)
    row = A.do_set_calendar_day(calendar, actor=actor, day=_parse_date(day), kind=payload.kind, name=payload.name)
    return {"date": row.date, "kind": row.kind, "name": row.name}


@router.delete("/calendars/{calendar_id}/days/{day}", response={204: None, **ERRORS},
               summary="Remove an exceptional day (it follows the weekly hours again)")
def delete_day(request: HttpRequest, calendar_id: int, day: str) -> Any:
    actor = _actor(request)
    calendar = queries.get_calendar(viewer=actor, calendar_id=calendar_id)
    A.check_manage_sla(actor)
    A.do_delete_calendar_day(calendar, actor=actor, day=_parse_date(day))
    return Status(204, None)


def _import_out(result: A.ImportResult) -> dict[str, Any]:
    return {"year": result.year, "dry_run": result.dry_run, "added": result.added, "changed": result.changed,
            "removed": result.removed, "unchanged": result.unchanged}


@router.post("/calendars/{calendar_id}/import", response={200: ImportOut, **ERRORS},
             summary="Import a year's holiday schedule (named ranges + make-up workdays); dry_run shows the diff")
def import_schedule(request: HttpRequest, calendar_id: int, payload: ScheduleIn) -> Any:
    actor = _actor(request)
    calendar = queries.get_calendar(viewer=actor, calendar_id=calendar_id)
    A.check_manage_sla(actor)
    year = _check_year(payload.year)
    days = parse_schedule({"year": year, "holidays": [h.dict() for h in payload.holidays]}, year=year)
    return _import_out(A.do_import_schedule(calendar, actor=actor, year=year, days=days, dry_run=payload.dry_run))


@router.post("/calendars/{calendar_id}/import-file", response={200: ImportOut, **ERRORS},
             summary="Import a year's holiday schedule from a JSON or CSV file (name,start,end,workdays)")
def import_schedule_file(
    request: HttpRequest, calendar_id: int, file: File[UploadedFile], year: Form[int], dry_run: Form[bool] = False
) -> Any:
    actor = _actor(request)
    calendar = queries.get_calendar(viewer=actor, calendar_id=calendar_id)
    A.check_manage_sla(actor)
    _check_year(year)
    if (file.size or 0) > MAX_UPLOAD_BYTES:
        raise InvalidInput("文件过大 / file too large", details={"file": f"max {MAX_UPLOAD_BYTES} bytes"})
    days = parse_upload(file.read(MAX_UPLOAD_BYTES + 1), filename=file.name or "", year=year)
    return _import_out(A.do_import_schedule(calendar, actor=actor, year=year, days=days, dry_run=dry_run))


@router.get("/calendars/{calendar_id}/preview", response={200: DuePreviewOut, **ERRORS},
            summary="Due time for a start time plus a business duration")
def preview(request: HttpRequest, calendar_id: int, params: Query[DuePreviewParams]) -> Any:
    calendar = queries.get_calendar(viewer=_actor(request), calendar_id=calendar_id)
    if params.start.tzinfo is None or params.start.utcoffset() is None:
        raise InvalidInput("start 需要时区 / start needs a UTC offset", details={"start": "aware time expected"})
    if not 1900 <= params.start.year <= 2199:
        raise InvalidInput("start 超出范围 / start out of range", details={"start": "1900..2199"})
    compiled = compile_calendar(calendar)
    start = params.start.astimezone(UTC)
    due = compiled.add(start, timedelta(minutes=params.minutes))
    return {
        "start": start, "minutes": params.minutes, "due_at": due,
        "due_at_local": due.astimezone(compiled.zone).isoformat(),
        "business_minutes_until_due": compiled.between(start, due).total_seconds() / 60,
        "warnings": compiled.warnings(sorted({start.astimezone(compiled.zone).year,
                                              due.astimezone(compiled.zone).year})),
    }


# --- policies ------------------------------------------------------------------------------


def _calendar_ref(calendar_id: int | None) -> BusinessCalendar | None:
    if calendar_id is None:
        return None
    calendar = BusinessCalendar.objects.filter(pk=calendar_id).first()
    if calendar is None:
        raise InvalidInput("日历不存在 / no such calendar", details={"calendar_id": calendar_id})
    return calendar


@router.get("/sla-policies", response={200: list[PolicyOut], **ERRORS}, summary="SLA policies in matching order")
def list_policies(request: HttpRequest) -> Any:
    return [policy_out(p) for p in queries.list_policies(viewer=_actor(request))]


@router.post("/sla-policies", response={201: PolicyOut, **ERRORS}, summary="Create an SLA policy")
def create_policy(request: HttpRequest, payload: PolicyIn) -> Any:
    actor = _actor(request)
    A.check_manage_sla(actor)
    body = payload.dict()
    body["calendar"] = _calendar_ref(body.pop("calendar_id"))
    for key in ("targets", "warning_fractions"):
        if body[key] is None:
            body.pop(key)
    return Status(201, policy_out(A.do_create_policy(actor=actor, **body)))


@router.post("/sla-policies/reorder", response={200: list[PolicyOut], **ERRORS},
             summary="Set the matching order (first match wins)")
def reorder_policies(request: HttpRequest, payload: PolicyReorderIn) -> Any:
    actor = _actor(request)
    A.check_manage_sla(actor)
    A.do_reorder_policies(actor=actor, policy_ids=payload.ids)
    return [policy_out(p) for p in queries.list_policies(viewer=actor)]


@router.get("/sla-policies/{policy_id}", response={200: PolicyOut, **ERRORS}, summary="One SLA policy")
def get_policy(request: HttpRequest, policy_id: int) -> Any:
    return policy_out(queries.get_policy(viewer=_actor(request), policy_id=policy_id))


@router.patch("/sla-policies/{policy_id}", response={200: PolicyOut, **ERRORS},
              summary="Change an SLA policy (a new version; running clocks keep theirs)")
def update_policy(request: HttpRequest, policy_id: int, payload: PolicyPatch) -> Any:
    actor = _actor(request)
    policy = queries.get_policy(viewer=actor, policy_id=policy_id)
    A.check_manage_sla(actor)
    body = payload.dict(exclude_unset=True)
    if "calendar_id" in body:
        body["calendar"] = _calendar_ref(body.pop("calendar_id"))
    body = {k: v for k, v in body.items() if v is not None or k in ("condition", "calendar")}
    return policy_out(A.do_update_policy(policy, actor=actor, **body))


@router.delete("/sla-policies/{policy_id}", response={204: None, **ERRORS},
               summary="Delete an SLA policy no ticket runs on (otherwise deactivate it)")
def delete_policy(request: HttpRequest, policy_id: int) -> Any:
    actor = _actor(request)
    policy = queries.get_policy(viewer=actor, policy_id=policy_id)
    A.check_manage_sla(actor)
    A.do_delete_policy(policy, actor=actor)
    return Status(204, None)


@router.get("/sla-policies/{policy_id}/versions", response={200: list[PolicyVersionOut], **ERRORS},
            summary="The frozen versions of a policy")
def list_policy_versions(request: HttpRequest, policy_id: int) -> Any:
    actor = _actor(request)
    policy = queries.get_policy(viewer=actor, policy_id=policy_id)
    return [{"version": v.version, "snapshot": v.snapshot, "created_at": v.created_at}
            for v in queries.list_policy_versions(viewer=actor, policy=policy)]


# --- tickets -------------------------------------------------------------------------------


@router.get("/tickets/{ticket_id}/sla", response={200: TicketSlaOut, **ERRORS},
            summary="The ticket's SLA clock: due times, remaining business time, warnings")
def ticket_sla(request: HttpRequest, ticket_id: int) -> Any:
    from complaintdesk.tickets.queries import get_ticket

    ticket = get_ticket(viewer=_actor(request), ticket_id=ticket_id)
    return clock_state(ticket)


@router.put("/tickets/{ticket_id}/sla", response={200: TicketSlaOut, **ERRORS},
            summary="Run the ticket on another SLA policy (or re-match); due times recomputed from the start")
def apply_ticket_sla(request: HttpRequest, ticket_id: int, payload: ApplyPolicyIn) -> Any:
    from complaintdesk.tickets.queries import get_ticket

    actor = _actor(request)
    ticket = get_ticket(viewer=actor, ticket_id=ticket_id)
    check_perm(actor, P.TICKET_EDIT)
    policy = None
    if payload.policy_id is not None:
        policy = SlaPolicy.objects.filter(pk=payload.policy_id, is_active=True).first()
        if policy is None:
            raise NotFound("SLA 策略不存在或已停用 / SLA policy not found or inactive")
    do_apply_sla(ticket, policy=policy, actor=actor, reason="manual")
    return clock_state(ticket)


@router.post("/tickets/{ticket_id}/reopen", response={200: ReopenOut, 201: ReopenOut, **ERRORS},
             summary="Reopen within the window (200, the clock resumes) or open a linked follow-up ticket (201)")
def reopen_ticket(request: HttpRequest, ticket_id: int, payload: ReopenIn) -> Any:
    from complaintdesk.tickets.queries import get_ticket

    actor = _actor(request)
    ticket = get_ticket(viewer=actor, ticket_id=ticket_id)
    check_reopen_or_follow_up(actor, ticket)
    result, reopened = do_reopen_or_follow_up(ticket, actor=actor, reason=payload.reason)
    out = {"reopened": reopened, "ticket_id": result.pk, "number": result.number, "status": result.status}
    return Status(200 if reopened else 201, out)
