"""Reads of the reports app. For now: the live dashboard's overview (看板).

Everything is counted in the viewer's data scope — the ticket list's own query
(``tickets.queries.list_tickets``), so the dashboard never counts a ticket the viewer could not
list — and over a window of whole local days (the organisation's ``TIME_ZONE``) ending now.
Merged duplicates are not counted (their master is).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.utils import timezone

from complaintdesk.core import clock
from complaintdesk.insights.measure import local_day
from complaintdesk.tickets.choices import OPEN_STATUSES, TicketStatus
from complaintdesk.tickets.models import Ticket
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


def _seconds(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value) / 1_000_000  # a bare number of microseconds (SQLite's duration arithmetic)


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    assert isinstance(value, date)
    return value


def _median(qs: QuerySet[Ticket], expr: Any, count: int) -> float | None:
    """The median of ``expr`` over ``qs`` (``count`` rows): the middle row(s) in SQL order, one
    query on either database (SQLite has no percentile function)."""
    if count == 0:
        return None
    lo, hi = (count - 1) // 2, count // 2
    values = [_seconds(v) for v in
              qs.annotate(_d=expr).order_by("_d").values_list("_d", flat=True)[lo:hi + 1]]
    found = [v for v in values if v is not None]
    return sum(found) / len(found) if found else None


def dashboard_overview(*, viewer: User, days: int = 30, department_id: int | None = None,
                       team_id: int | None = None) -> Overview:
    """The dashboard's figures for ``viewer``, over the last ``days`` local days (today included).

    A fixed number of queries whatever the number of tickets: one aggregate over the tickets
    (with their SLA clocks joined), one per median, one for CSAT, and one per breakdown.
    """
    days = max(1, min(days, MAX_DAYS))
    now = clock.now()
    tz = timezone.get_current_timezone()
    today = timezone.localtime(now, tz).date()
    first_day = today - timedelta(days=days - 1)
    today_start = datetime.combine(today, time(0), tzinfo=tz)
    window_start = datetime.combine(first_day, time(0), tzinfo=tz)

    base = (list_tickets(viewer=viewer, filters=TicketFilters(department_id=department_id, team_id=team_id))
            .filter(merged_into__isnull=True).order_by())

    first_response_time = ExpressionWrapper(F("first_response_at") - F("created_at"), output_field=DurationField())
    resolution_time = ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())
    responded = Q(first_response_at__gte=window_start, first_response_at__isnull=False)
    resolved = Q(resolved_at__gte=window_start, resolved_at__isnull=False)
    counted = ~Q(status=TicketStatus.CANCELLED)
    totals = base.aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        new_today=Count("pk", filter=Q(created_at__gte=today_start)),
        overdue=Count("pk", filter=overdue_q(now)),
        created=Count("pk", filter=Q(created_at__gte=window_start)),
        closed=Count("pk", filter=Q(closed_at__gte=window_start)),
        fr_count=Count("pk", filter=responded),
        fr_mean=Avg(first_response_time, filter=responded),
        res_count=Count("pk", filter=resolved),
        res_mean=Avg(resolution_time, filter=resolved),
        # The SLA clocks (one per ticket, joined): decided in the window. A cancelled ticket's
        # stopped clock is not a target met.
        fr_met=Count("pk", filter=counted & Q(sla__first_response_met_at__gte=window_start,
                                              sla__first_response_breached_at__isnull=True)),
        fr_breached=Count("pk", filter=counted & Q(sla__first_response_breached_at__gte=window_start)),
        res_met=Count("pk", filter=counted & Q(sla__resolution_met_at__gte=window_start)),
        res_breached=Count("pk", filter=counted & Q(sla__resolution_breached_at__gte=window_start)),
    )
    first_response = Durations(totals["fr_count"], _median(base.filter(responded), first_response_time,
                                                           totals["fr_count"]), _seconds(totals["fr_mean"]))
    resolution = Durations(totals["res_count"], _median(base.filter(resolved), resolution_time,
                                                        totals["res_count"]), _seconds(totals["res_mean"]))

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
    closed_per_day = {_as_date(row["day"]): row["n"] for row in
                      base.filter(closed_at__gte=window_start)
                      .annotate(day=local_day(first_day, today, "closed_at")).values("day").annotate(n=Count("pk"))}
    by_day = []
    for i in range(days):
        day = first_day + timedelta(days=i)
        by_day.append({"date": day, "new": new_per_day.get(day, 0), "closed": closed_per_day.get(day, 0)})

    return Overview(
        generated_at=now, time_zone=str(tz), days=days, window_start=window_start.astimezone(UTC),
        open=totals["open"], new_today=totals["new_today"], overdue=totals["overdue"],
        created_in_window=totals["created"], closed_in_window=totals["closed"],
        first_response_sla=SlaCompliance(totals["fr_met"], totals["fr_breached"]),
        resolution_sla=SlaCompliance(totals["res_met"], totals["res_breached"]),
        first_response=first_response, resolution=resolution, csat=csat,
        by_channel=by_channel, by_category=by_category,
        other_categories=totals["created"] - sum(row["count"] for row in by_category),
        by_day=by_day,
    )
