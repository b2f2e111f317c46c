"""Business calendars (working hours, China's holidays and make-up workdays), SLA policies and per-ticket clocks."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models

from complaintdesk.core import clock


def _now() -> Any:
    return clock.now()


def _revision() -> str:
    return uuid.uuid4().hex


# Monday..Friday 09:00-12:00 and 13:30-18:00 (午休 lunch break), weekends off.
DEFAULT_WORKING_HOURS: dict[str, list[list[str]]] = {
    **{str(d): [["09:00", "12:00"], ["13:30", "18:00"]] for d in range(5)},
    "5": [],
    "6": [],
}


def default_working_hours() -> dict[str, list[list[str]]]:
    return {k: [list(iv) for iv in v] for k, v in DEFAULT_WORKING_HOURS.items()}


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", "节假日"
    WORKDAY = "workday", "调休工作日"


class BusinessCalendar(models.Model):
    """Working hours per weekday in a time zone, plus our own table of holidays and make-up workdays.

    ``working_hours`` maps the ISO weekday minus one ("0" = Monday .. "6" = Sunday) to a list of
    ``["HH:MM", "HH:MM"]`` intervals in local time ("24:00" allowed as an end). ``workday_hours``
    are the intervals of a make-up workday (调休) that falls on a weekend (empty: Monday's).
    ``revision`` changes on every edit of the calendar or its days: compiled calendars are cached by it.
    """

    key = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=100)
    time_zone = models.CharField(max_length=64, default="Asia/Shanghai")
    working_hours = models.JSONField(default=default_working_hours)
    workday_hours = models.JSONField(default=list, blank=True)
    is_24x7 = models.BooleanField(default=False)
    is_default = models.BooleanField(default=False)
    # Whether this calendar follows China's statutory schedule: years without holiday data then warn.
    uses_statutory_holidays = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)
    revision = models.CharField(max_length=32, default=_revision)
    created_at = models.DateTimeField(default=_now)
    updated_at = models.DateTimeField(default=_now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="sla_calendar_one_default"
            )
        ]

    def __str__(self) -> str:
        return self.name


class CalendarDay(models.Model):
    """An exception to the weekly hours: a holiday (节假日, no work) or a make-up workday (调休上班)."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="days")
    date = models.DateField()
    kind = models.CharField(max_length=10, choices=DayKind.choices)
    name = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="sla_calendar_day_unique")]

    def __str__(self) -> str:
        return f"{self.date} {self.kind} {self.name}"


class CalendarYear(models.Model):
    """A year whose holiday schedule is known for a calendar (seeded, imported or confirmed by hand).

    A statutory calendar without a row for a year falls back to plain weekends and says so.
    """

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveIntegerField()
    source = models.CharField(max_length=32, default="manual")  # chinese_calendar | import | manual
    updated_at = models.DateTimeField(default=_now)

    class Meta:
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["calendar", "year"], name="sla_calendar_year_unique")]

    def __str__(self) -> str:
        return f"{self.calendar_id}:{self.year}"


class SlaPolicy(models.Model):
    """Targets for first response and resolution per priority, matched to tickets by a condition.

    ``targets`` = ``{"P1": {"first_response_minutes": 15, "resolution_minutes": 120}, ...}``;
    ``warning_fractions`` = ``[0.75, 0.9]``; ``escalation`` = a list of steps
    ``{"level": 1, "after_minutes": 0, "to": "supervisor" | "department_manager" | "user" | "role",
    "user_id": .., "role": ..}`` counted in business time from the breach; ``node_targets`` =
    ``{node_id: hours}`` for workflow nodes. Every edit bumps ``version``; a ticket records the
    version it runs on.
    """

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True, default="")
    condition = models.JSONField(null=True, blank=True)
    order = models.IntegerField(default=100)
    is_active = models.BooleanField(default=True)
    calendar = models.ForeignKey(
        BusinessCalendar, null=True, blank=True, on_delete=models.PROTECT, related_name="policies"
    )
    targets = models.JSONField(default=dict)
    warning_fractions = models.JSONField(default=list)
    escalation = models.JSONField(default=list, blank=True)
    node_targets = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=_now)
    updated_at = models.DateTimeField(default=_now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["order", "id"]
        verbose_name_plural = "SLA policies"

    def __str__(self) -> str:
        return self.name


class SlaPolicyVersion(models.Model):
    """A frozen copy of a policy as it was at one version (what a ticket's clock was computed from)."""

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    snapshot = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=_now)

    class Meta:
        ordering = ["policy", "version"]
        constraints = [models.UniqueConstraint(fields=["policy", "version"], name="sla_policy_version_unique")]

    def __str__(self) -> str:
        return f"{self.policy_id} v{self.version}"


class SlaStatus(models.TextChoices):
    NONE = "none", "无"
    RUNNING = "running", "计时中"
    PAUSED = "paused", "已暂停"
    WARNING = "warning", "预警"
    BREACHED = "breached", "已超时"
    MET = "met", "已达标"


class TicketSla(models.Model):
    """The SLA clock of one ticket: which policy, targets in business seconds, pauses, warnings and breaches.

    The due times are mirrored on ``Ticket.first_response_due_at`` / ``resolution_due_at`` (indexed,
    for lists). ``paused_business`` is the business time spent paused (and between resolution and a
    reopen within the window): due = add_business_time(started_at, target + paused_business).
    ``done`` lists the checkpoints already fired ("fr:w0.75", "res:breach", "esc:1" ...) so that
    each fires exactly once; ``next_check_at`` is when the sweep must look again (null: nothing
    pending, or paused/stopped).
    """

    ticket = models.OneToOneField("tickets.Ticket", primary_key=True, on_delete=models.CASCADE, related_name="sla")
    policy = models.ForeignKey(SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    policy_version = models.PositiveIntegerField(default=0)
    calendar = models.ForeignKey(
        BusinessCalendar, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    priority = models.CharField(max_length=2, blank=True, default="")
    status = models.CharField(max_length=10, choices=SlaStatus.choices, default=SlaStatus.NONE)
    started_at = models.DateTimeField(null=True, blank=True)
    first_response_target_seconds = models.BigIntegerField(null=True, blank=True)
    resolution_target_seconds = models.BigIntegerField(null=True, blank=True)
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    first_response_met_at = models.DateTimeField(null=True, blank=True)
    first_response_breached_at = models.DateTimeField(null=True, blank=True)
    resolution_met_at = models.DateTimeField(null=True, blank=True)
    resolution_breached_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_business = models.DurationField(default=timedelta(0))
    stopped_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    done = models.JSONField(default=list, blank=True)
    # The pending checkpoints as [[key, iso time], ...], recomputed on every change of the clock.
    schedule = models.JSONField(default=list, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=_now)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_check_at"], name="sla_next_check", condition=models.Q(next_check_at__isnull=False)
            ),
            models.Index(fields=["status", "resolution_due_at"], name="sla_status_due"),
        ]

    def __str__(self) -> str:
        return f"SLA {self.ticket_id} {self.status}"
