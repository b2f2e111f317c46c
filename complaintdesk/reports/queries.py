"""Reads of the reports app. For now: the live dashboard's overview (看板).

Everything is counted in the viewer's data scope — the ticket list's own query
(``tickets.queries.list_tickets``), so the dashboard never counts a ticket the viewer could not
list — and over a window of whole local days (the organisation's ``TIME_ZONE``) ending now.
Merged duplicates are not counted (their master is).
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Case, CharField, Count, F, FloatField, Func, Q, Value, When
from django.utils import timezone

from complaintdesk.core import clock
from complaintdesk.insights.measure import local_day
from complaintdesk.tickets.choices import OPEN_STATUSES, TicketStatus
from complaintdesk.tickets.queries import TicketFilters, list_tickets, overdue_q
from complaintdesk.workflows.models import WorkItem

if TYPE_CHECKING:
    from complaintdesk.accounts.models import User

MAX_DAYS = 366
TOP_CATEGORIES = 8
# The outcomes of the follow-up call (回访) of the shipped processes: the customer's verdict.
CSAT_SATISFIED = "satisfied"
CSAT_UNSATISFIED = "unsatisfied"


@dataclass
class Durations:
    """Wall-clock durations (seconds) of the tickets that reached a milestone in the window."""

    count: int = 0
    median_seconds: float | None = None
    mean_seconds: float | None = None


@dataclass
class SlaCompliance:
    """Clocks decided in the window: met in time vs breached; ``rate`` in % (None: none decided)."""

    met: int = 0
    breached: int = 0

    @property
    def rate(self) -> float | None:
        total = self.met + self.breached
        return round(self.met * 100.0 / total, 1) if total else None


@dataclass
class Csat:
    responses: int
    satisfied: int

    @property
    def rate(self) -> float:
        return round(self.satisfied * 100.0 / self.responses, 1)


@dataclass
class Overview:
    generated_at: datetime
    time_zone: str
    days: int
    window_start: datetime
    open: int
    new_today: int
    overdue: int
    created_in_window: int
    closed_in_window: int
    first_response_sla: SlaCompliance
    resolution_sla: SlaCompliance
    first_response: Durations
    resolution: Durations
    csat: Csat | None
    by_channel: list[dict[str, Any]] = field(default_factory=list)
    by_category: list[dict[str, Any]] = field(default_factory=list)
    other_categories: int = 0
    by_day: list[dict[str, Any]] = field(default_factory=list)


class SecondsBetween(Func):
    """``end - start`` in seconds, in SQL on both databases. Django's own datetime subtraction calls a
    Python function per row on SQLite (``django_timestamp_diff``): ten times slower over 100k tickets
    (bench/list.py, dashboard scenarios) than SQLite's ``julianday``."""

    template = "EXTRACT(EPOCH FROM (%(expressions)s))"  # PostgreSQL
    arg_joiner = " - "
    output_field = FloatField()

    def __init__(self, end: str, start: str) -> None:
        super().__init__(F(end), F(start))

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="((julianday(%(expressions)s)) * 86400.0)",
                           arg_joiner=") - julianday(", **extra)


def _seconds(value: Any) -> float | None:
    # julianday() carries about a millisecond of floating-point noise: whole milliseconds are exact enough.
    return None if value is None else round(float(value), 3)


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    assert isinstance(value, date)
    return value


def _durations(values: list[float]) -> Durations:
    if not values:
        return Durations()
    return Durations(len(values), _seconds(statistics.median(values)), _seconds(statistics.fmean(values)))


def dashboard_overview(*, viewer: User, days: int = 30, department_id: int | None = None,
                       team_id: int | None = None) -> Overview:
    """The dashboard's figures for ``viewer``, over the last ``days`` local days (today included).

    A fixed number of queries whatever the number of tickets, each reading as little as it can:
    open and overdue from the status index; the breakdowns of new tickets from the ``created_at``
    range; and ONE pass over the tickets touched in the window (answered, resolved, closed or an
    SLA clock decided), with the durations computed in SQL, for the times, their medians, the SLA
    compliance and the closed-per-day series. A ticket row is wide (description, search text, form
    data) and SQLite reads all of it to reach the timestamps, so every extra pass over the table
    costs (4 passes took 2-3 s on 100k tickets on SQLite, bench/list.py); SQLite has no percentile
    function either, so the medians come from the durations of that pass.
    """
    days = max(1, min(days, MAX_DAYS))
    now = clock.now()
    tz = timezone.get_current_timezone()
    today = timezone.localtime(now, tz).date()
    first_day = today - timedelta(days=days - 1)
    window_start = datetime.combine(first_day, time(0), tzinfo=tz)

    base = (list_tickets(viewer=viewer, filters=TicketFilters(department_id=department_id, team_id=team_id))
            .filter(merged_into__isnull=True).order_by())

    now_open = base.filter(status__in=OPEN_STATUSES).aggregate(
        open=Count("pk"), overdue=Count("pk", filter=overdue_q(now)))

    # What happened in the window, one row per ticket touched, only the small values it needs.
    counted = ~Q(status=TicketStatus.CANCELLED)  # a cancelled ticket's stopped clock is not a target met
    fr_in = Q(first_response_at__gte=window_start)
    res_in = Q(resolved_at__gte=window_start)
    closed_in = Q(closed_at__gte=window_start)
    fr_breached = Q(sla__first_response_breached_at__gte=window_start)
    fr_met = Q(sla__first_response_met_at__gte=window_start, sla__first_response_breached_at__isnull=True)
    res_breached = Q(sla__resolution_breached_at__gte=window_start)
    res_met = Q(sla__resolution_met_at__gte=window_start)
    verdict = {"met": Value("met"), "breached": Value("breached")}
    touched = (
        base.filter(fr_in | res_in | closed_in | fr_breached | fr_met | res_breached | res_met)
        .annotate(
            fr_seconds=Case(When(fr_in, then=SecondsBetween("first_response_at", "created_at")), default=None),
            res_seconds=Case(When(res_in, then=SecondsBetween("resolved_at", "created_at")), default=None),
            closed_day=Case(When(closed_in, then=local_day(first_day, today, "closed_at")), default=None),
            fr_sla=Case(When(counted & fr_breached, then=verdict["breached"]),
                        When(counted & fr_met, then=verdict["met"]), default=None, output_field=CharField()),
            res_sla=Case(When(counted & res_breached, then=verdict["breached"]),
                         When(counted & res_met, then=verdict["met"]), default=None, output_field=CharField()),
        )
        .values_list("fr_seconds", "res_seconds", "closed_day", "fr_sla", "res_sla")
    )
    fr_times: list[float] = []
    res_times: list[float] = []
    closed_per_day: Counter[date] = Counter()
    first_response_sla, resolution_sla = SlaCompliance(), SlaCompliance()
    for fr_seconds, res_seconds, closed_day, fr_sla, res_sla in touched:
        if fr_seconds is not None:
            fr_times.append(float(fr_seconds))
        if res_seconds is not None:
            res_times.append(float(res_seconds))
        if closed_day is not None:
            closed_per_day[_as_date(closed_day)] += 1
        for compliance, state in ((first_response_sla, fr_sla), (resolution_sla, res_sla)):
            if state == "met":
                compliance.met += 1
            elif state == "breached":
                compliance.breached += 1

    ratings = WorkItem.objects.filter(
        ticket_id__in=base.values("pk"), outcome__in=[CSAT_SATISFIED, CSAT_UNSATISFIED],
        completed_at__gte=window_start,
    ).aggregate(responses=Count("pk"), satisfied=Count("pk", filter=Q(outcome=CSAT_SATISFIED)))
    csat = Csat(ratings["responses"], ratings["satisfied"]) if ratings["responses"] else None

    created = base.filter(created_at__gte=window_start)
    by_channel = [{"key": row["channel"], "count": row["n"]} for row in
                  created.values("channel").annotate(n=Count("pk")).order_by("-n", "channel")]
    top = list(created.values("category_id", "category__name", "category__name_en")
               .annotate(n=Count("pk")).order_by("-n", F("category_id").asc(nulls_last=True))[:TOP_CATEGORIES])
    by_category = [{"id": row["category_id"], "name": row["category__name"] or "",
                    "name_en": row["category__name_en"] or "", "count": row["n"]} for row in top]
    new_per_day = {_as_date(row["day"]): row["n"] for row in
                   created.annotate(day=local_day(first_day, today)).values("day").annotate(n=Count("pk"))}
    by_day = []
    for i in range(days):
        day = first_day + timedelta(days=i)
        by_day.append({"date": day, "new": new_per_day.get(day, 0), "closed": closed_per_day.get(day, 0)})
    created_total = sum(row["count"] for row in by_channel)

    return Overview(
        generated_at=now, time_zone=str(tz), days=days, window_start=window_start.astimezone(UTC),
        open=now_open["open"], new_today=new_per_day.get(today, 0), overdue=now_open["overdue"],
        created_in_window=created_total, closed_in_window=sum(closed_per_day.values()),
        first_response_sla=first_response_sla, resolution_sla=resolution_sla,
        first_response=_durations(fr_times), resolution=_durations(res_times), csat=csat,
        by_channel=by_channel, by_category=by_category,
        other_categories=created_total - sum(row["count"] for row in by_category),
        by_day=by_day,
    )
