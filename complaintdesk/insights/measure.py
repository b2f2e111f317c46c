"""Measuring an alert rule: complaint counts per group in SQL, the metric, the level.

Two readers share this code so they cannot disagree:

- ``measure_rule(spec, now)`` — what the rule sees at ``now``: one grouped query that buckets the
  current window and the baseline windows with a ``CASE`` (``GROUP BY group, window``).
- ``preview_rule(spec, now, days)`` — what the rule would have seen at the end of each of the last
  ``days`` days: one grouped query by local day, then the windows as sums of days in Python.

Windows are half-open ``[start, end)`` and step back in whole local days (wall-clock arithmetic in
the organisation's time zone), so a window ending at local midnight covers exactly ``window_days``
calendar days — which is what lets the preview's day ``d`` equal an evaluation at the midnight
after ``d``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Case, Count, DateField, F, Func, IntegerField, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from complaintdesk.expressions.conditions import InvalidCondition, compile_condition
from complaintdesk.expressions.fields import TICKET_FIELDS
from complaintdesk.insights.choices import LEVEL_ORDER, AlertGrouping, AlertMetric, level_rank
from complaintdesk.tickets.choices import Channel, TicketStatus
from complaintdesk.tickets.models import Ticket

if TYPE_CHECKING:
    from complaintdesk.insights.models import AlertRule

# The ticket column each grouping counts by. Tickets with no value (no product, no region ...)
# belong to no group and are not counted by that rule.
GROUP_COLUMNS: dict[str, str | None] = {
    AlertGrouping.CATEGORY: "category_id",
    AlertGrouping.PRODUCT: "product_id",
    AlertGrouping.PRODUCT_LINE: "product__line_id",
    AlertGrouping.REGION: "customer__region",
    AlertGrouping.CHANNEL: "channel",
    AlertGrouping.NONE: None,
}
ALL_GROUP_KEY = "all"
MAX_PREVIEW_DAYS = 366
SAMPLE_SIZE = 10


@dataclass(frozen=True)
class RuleSpec:
    """What measuring needs from a rule — a saved one or an unsaved body (preview)."""

    scope: Any
    grouping: str
    window_days: int
    metric: str
    baseline_windows: int
    min_count: int
    thresholds: dict[str, float | None]

    @classmethod
    def of(cls, rule: AlertRule) -> RuleSpec:
        return cls(
            scope=rule.scope, grouping=rule.grouping, window_days=rule.window_days, metric=rule.metric,
            baseline_windows=rule.baseline_windows, min_count=rule.min_count,
            thresholds={"blue": rule.threshold_blue, "yellow": rule.threshold_yellow, "red": rule.threshold_red},
        )

    @property
    def windows_back(self) -> int:
        """How many earlier windows the metric reads (0 for counts)."""
        return self.baseline_windows if self.metric == AlertMetric.GROWTH else 0


@dataclass
class GroupMeasure:
    """One group at one moment: its window count, baseline mean, metric value and level."""

    group_key: str
    count: int
    baseline: float | None
    value: float
    level: str | None
    label: str = ""


@dataclass
class Measurement:
    now: datetime
    window_start: datetime
    window_end: datetime
    groups: dict[str, GroupMeasure] = field(default_factory=dict)


# --- the metric -----------------------------------------------------------------------------


def metric_value(spec: RuleSpec, count: int, baseline_counts: Iterable[int]) -> tuple[float, float | None]:
    """``(value, baseline)``: the count, or the growth in % of ``count`` over the mean of the
    earlier windows. A mean below one is taken as one, so a group that had nothing before grows
    by ``(count - mean) × 100 %`` instead of by infinity."""
    if spec.metric != AlertMetric.GROWTH:
        return float(count), None
    earlier = list(baseline_counts)
    mean = sum(earlier) / len(earlier) if earlier else 0.0
    return round((count - mean) / max(mean, 1.0) * 100.0, 4), round(mean, 4)


def level_for(spec: RuleSpec, value: float, count: int) -> str | None:
    """The highest level whose threshold ``value`` reaches; none below ``min_count`` tickets."""
    if count < spec.min_count or count <= 0:
        return None
    found: str | None = None
    for level in LEVEL_ORDER:
        threshold = spec.thresholds.get(level)
        if threshold is not None and value >= threshold:
            found = level
    return found


# --- windows and queries --------------------------------------------------------------------


def window_bounds(now: datetime, window_days: int, back: int) -> tuple[datetime, datetime]:
    """``[start, end)`` of the window ``back`` windows before the one ending at ``now``."""
    local = timezone.localtime(now)
    end = local - timedelta(days=window_days * back)
    start = end - timedelta(days=window_days)
    return start, end


def scoped_tickets(spec: RuleSpec, *, now: datetime) -> QuerySet[Ticket]:
    """The complaints a rule counts: its scope, without merged duplicates and cancelled tickets."""
    qs = Ticket.objects.filter(merged_into__isnull=True).exclude(status=TicketStatus.CANCELLED)
    if spec.scope:
        qs = qs.filter(compile_condition(spec.scope, catalog=TICKET_FIELDS).to_q(now=now))
    column = GROUP_COLUMNS[spec.grouping]
    if column is not None:
        qs = qs.filter(**{f"{column}__isnull": False})
        if spec.grouping == AlertGrouping.REGION:
            qs = qs.exclude(customer__region="")
    return qs.order_by()


def _group_expr(spec: RuleSpec) -> Any:
    column = GROUP_COLUMNS[spec.grouping]
    return F(column) if column is not None else Value(ALL_GROUP_KEY)


def measure_rule(spec: RuleSpec, *, now: datetime, extra_groups: Iterable[str] = ()) -> Measurement:
    """Every group's metric and level at ``now``, from one grouped query. ``extra_groups`` (the
    keys of open alerts) are measured too when no ticket of theirs is left in any window."""
    back = spec.windows_back
    window_start, window_end = window_bounds(now, spec.window_days, 0)
    earliest, _ = window_bounds(now, spec.window_days, back)
    bucket = Case(
        *[When(created_at__gte=window_bounds(now, spec.window_days, k)[0], then=Value(k)) for k in range(back + 1)],
        default=Value(back + 1), output_field=IntegerField(),
    )
    rows = (
        scoped_tickets(spec, now=now)
        .filter(created_at__gte=earliest, created_at__lt=window_end)
        .annotate(alert_group=_group_expr(spec), alert_window=bucket)
        .values("alert_group", "alert_window")
        .annotate(n=Count("pk", distinct=True))
    )
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * (back + 1))
    for row in rows:
        if row["alert_window"] <= back:
            counts[str(row["alert_group"])][row["alert_window"]] += row["n"]
    for key in extra_groups:
        counts.setdefault(key, [0] * (back + 1))
    result = Measurement(now=now, window_start=window_start, window_end=window_end)
    for key, series in counts.items():
        value, baseline = metric_value(spec, series[0], series[1:])
        result.groups[key] = GroupMeasure(key, series[0], baseline, value, level_for(spec, value, series[0]))
    labels = group_labels(spec.grouping, result.groups)
    for key, measure in result.groups.items():
        measure.label = labels.get(key, key)
    return result


def sample_ticket_ids(spec: RuleSpec, group_key: str, *, now: datetime, limit: int = SAMPLE_SIZE) -> list[int]:
    """The latest tickets counted for ``group_key`` in the window ending at ``now``."""
    start, end = window_bounds(now, spec.window_days, 0)
    qs = scoped_tickets(spec, now=now).filter(created_at__gte=start, created_at__lt=end)
    column = GROUP_COLUMNS[spec.grouping]
    if column is not None:
        qs = qs.filter(**{column: group_key})
    return list(qs.order_by("-created_at", "-id").values_list("pk", flat=True).distinct()[:limit])


def group_labels(grouping: str, keys: Iterable[str]) -> dict[str, str]:
    """A readable name per group key (category name, product name and SKU, channel label ...)."""
    from complaintdesk.customers.models import Product, ProductLine
    from complaintdesk.tickets.models import Category

    keys = [k for k in keys]
    ids = [int(k) for k in keys if k.isdigit()]
    if grouping == AlertGrouping.CATEGORY:
        return {str(pk): name for pk, name in Category.objects.filter(pk__in=ids).values_list("pk", "name")}
    if grouping == AlertGrouping.PRODUCT:
        return {str(pk): f"{name} ({sku})" for pk, name, sku in
                Product.objects.filter(pk__in=ids).values_list("pk", "name", "sku")}
    if grouping == AlertGrouping.PRODUCT_LINE:
        return {str(pk): name for pk, name in ProductLine.objects.filter(pk__in=ids).values_list("pk", "name")}
    if grouping == AlertGrouping.CHANNEL:
        return {k: str(Channel(k).label) if k in Channel.values else k for k in keys}
    if grouping == AlertGrouping.NONE:
        return {k: "全部 / All" for k in keys}
    return {k: k for k in keys}


def check_scope(scope: Any) -> list[dict[str, str]]:
    """Problems of a rule's scope: it must be a valid condition that compiles to SQL."""
    if scope is None or scope == {}:
        return []
    from complaintdesk.expressions.conditions import check_condition

    problems = check_condition(scope, catalog=TICKET_FIELDS)
    if problems:
        return [p.as_dict() for p in problems]
    try:
        compiled = compile_condition(scope, catalog=TICKET_FIELDS)
    except InvalidCondition as exc:  # pragma: no cover - check_condition found nothing above
        return [p.as_dict() for p in exc.problems]
    if not compiled.queryable:
        return [{"path": "", "code": "not_queryable",
                 "message": "预警范围不能使用公式或无法查询的字段 / An alert scope cannot use formulas or "
                            "fields the database cannot filter on"}]
    return []


# --- preview --------------------------------------------------------------------------------


@dataclass
class GroupSeries:
    group_key: str
    label: str
    counts: list[int]
    baselines: list[float | None]
    values: list[float]
    levels: list[str | None]

    @property
    def max_rank(self) -> int:
        return max((level_rank(lv) for lv in self.levels), default=0)


@dataclass
class Preview:
    days: list[date]
    evaluated_at: list[datetime]
    groups: list[GroupSeries]
    total_groups: int


def day_end(day: date) -> datetime:
    """The local midnight that ends ``day`` (the moment its preview point stands for)."""
    tz = timezone.get_current_timezone()
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)


def local_day(first: date, last: date, field: str = "created_at") -> Any:
    """The local calendar day of the datetime column ``field`` (between local days ``first`` and
    ``last``) as an SQL expression; also used by the dashboard (reports.queries). PostgreSQL converts time
    zones natively; SQLite does it through a Python function per row (Django's), so there, when
    the zone keeps one UTC offset over the whole span (Asia/Shanghai always does), SQLite's own
    ``date(created_at, '+480 minutes')`` gives the same day, several times faster (bench/alerts.py)."""
    tz = timezone.get_current_timezone()
    if connection.vendor == "sqlite":
        offsets = {datetime.combine(first + timedelta(days=i), time(0), tzinfo=tz).utcoffset()
                   for i in range((last - first).days + 2)}
        if len(offsets) == 1:
            offset = offsets.pop() or timedelta(0)
            minutes = int(offset.total_seconds() // 60)
            return Func(F(field), Value(f"{minutes:+d} minutes"), function="date",
                        output_field=DateField())
    return TruncDate(field, tzinfo=tz)


def preview_rule(spec: RuleSpec, *, now: datetime, days: int, top: int) -> Preview:
    """Per day of the last ``days`` days (today included, counted so far), per group: the metric
    and the level the rule would have had at the end of that day. One query grouped by local day;
    the windows are sums of days. Groups are ranked by their highest level, then highest value."""
    tz = timezone.get_current_timezone()
    today = timezone.localtime(now).date()
    first = today - timedelta(days=days - 1)
    span = spec.window_days * (spec.windows_back + 1)
    data_start = first - timedelta(days=span - 1)
    start_at = datetime.combine(data_start, time(0), tzinfo=tz)
    rows = (
        scoped_tickets(spec, now=now)
        .filter(created_at__gte=start_at, created_at__lt=now)
        .annotate(alert_group=_group_expr(spec), alert_day=local_day(data_start, today))
        .values("alert_group", "alert_day")
        .annotate(n=Count("pk", distinct=True))
    )
    n_days = (today - data_start).days + 1
    daily: dict[str, list[int]] = defaultdict(lambda: [0] * n_days)
    for row in rows:
        day = row["alert_day"]
        if isinstance(day, datetime):
            day = day.date()
        elif isinstance(day, str):
            day = date.fromisoformat(day)
        index = (day - data_start).days
        if 0 <= index < n_days:
            daily[str(row["alert_group"])][index] += row["n"]
    window = spec.window_days
    back = spec.windows_back
    offset = n_days - days  # index of ``first`` in the daily series
    series: list[GroupSeries] = []
    for key, per_day in daily.items():
        prefix = [0]
        for n in per_day:
            prefix.append(prefix[-1] + n)

        def window_sum(end_index: int, *, prefix: list[int] = prefix) -> int:
            """Tickets of the ``window`` days ending with day ``end_index`` (inclusive)."""
            lo = max(end_index - window + 1, 0)
            return prefix[end_index + 1] - prefix[lo] if end_index >= 0 else 0

        g = GroupSeries(key, key, [], [], [], [])
        for i in range(days):
            end_index = offset + i
            count = window_sum(end_index)
            earlier = (window_sum(end_index - k * window) for k in range(1, back + 1))
            value, baseline = metric_value(spec, count, earlier)
            g.counts.append(count)
            g.baselines.append(baseline)
            g.values.append(value)
            g.levels.append(level_for(spec, value, count))
        series.append(g)
    series.sort(key=lambda g: (-g.max_rank, -max(g.values, default=0.0), -sum(g.counts), g.group_key))
    chosen = series[:top]
    labels = group_labels(spec.grouping, [g.group_key for g in chosen])
    for g in chosen:
        g.label = labels.get(g.group_key, g.group_key)
    day_list = [first + timedelta(days=i) for i in range(days)]
    return Preview(days=day_list, evaluated_at=[min(day_end(d), now) for d in day_list], groups=chosen,
                   total_groups=len(series))
