"""Monitoring of processes: where do tickets wait, and for how long (瓶颈分析).

``version_stats`` answers, per user-task node of one process version: how many work items were
completed there, the time they spent (created → completed: mean, median, p90 in seconds), the
current backlog (open items) and how many of those are overdue. Everything is read from
``WorkItem`` (the queryable mirror) — never from serialized engine state — and computed in SQL:
counts and means with the ORM; percentiles with ``percentile_cont`` on PostgreSQL and with a
window function on SQLite (which has no percentile aggregate), interpolated the same way.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Count, Q

from complaintdesk.core import clock
from complaintdesk.workflows.choices import OPEN_STATES, InstanceStatus, WorkItemKind, WorkItemState
from complaintdesk.workflows.models import ProcessInstance, ProcessVersion, WorkItem

PERCENTILES = (0.5, 0.9)
USER_TASK_TYPES = frozenset({"userTask", "manualTask"})


@dataclass
class NodeStats:
    """Figures of one node of a process version (durations in seconds, None without data)."""

    node_id: str
    node_name: str
    count: int  # completed work items (each countersigner counts)
    mean_seconds: float | None
    median_seconds: float | None
    p90_seconds: float | None
    backlog: int  # open work items (ready or claimed)
    overdue: int  # open work items past their due time
    waiting: int  # added signers waiting for the one before them


def _duration_sql(vendor: str) -> str:
    if vendor == "postgresql":
        return "EXTRACT(EPOCH FROM (completed_at - created_at))"
    # SQLite keeps datetimes as ISO text; julianday() parses it (fractional days).
    return "((julianday(completed_at) - julianday(created_at)) * 86400.0)"


def _completed_filter_sql() -> str:
    return "instance_id IN (SELECT id FROM {instances} WHERE version_id = %s) AND kind = %s AND state = %s " \
           "AND completed_at IS NOT NULL"


def _duration_figures(version: ProcessVersion) -> dict[str, tuple[float | None, float | None, float | None]]:
    """node id → (mean, median, p90) of completed task items, computed by the database."""
    vendor = connection.vendor
    table = WorkItem._meta.db_table
    where = _completed_filter_sql().format(instances=ProcessInstance._meta.db_table)
    params: list[Any] = [version.pk, WorkItemKind.TASK, WorkItemState.COMPLETED]
    duration = _duration_sql(vendor)
    out: dict[str, tuple[float | None, float | None, float | None]] = {}
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(
                f"SELECT node_id, AVG({duration}), "
                f"percentile_cont(%s) WITHIN GROUP (ORDER BY {duration}), "
                f"percentile_cont(%s) WITHIN GROUP (ORDER BY {duration}) "
                f"FROM {table} WHERE {where} GROUP BY node_id",
                [*PERCENTILES, *params],
            )
            for node_id, mean, median, p90 in cursor.fetchall():
                out[node_id] = (_num(mean), _num(median), _num(p90))
            return out
        cursor.execute(f"SELECT node_id, AVG({duration}) FROM {table} WHERE {where} GROUP BY node_id", params)
        means = {node_id: _num(mean) for node_id, mean in cursor.fetchall()}
        # Only the (at most two) rows around each percentile rank leave the database.
        wanted = " OR ".join(
            f"rn IN (CAST((cnt - 1) * {p} AS INTEGER) + 1, CAST((cnt - 1) * {p} AS INTEGER) + 2)"
            for p in PERCENTILES
        )
        cursor.execute(
            f"SELECT node_id, rn, cnt, d FROM ("
            f"  SELECT node_id, {duration} AS d,"
            f"         ROW_NUMBER() OVER (PARTITION BY node_id ORDER BY {duration}) AS rn,"
            f"         COUNT(*) OVER (PARTITION BY node_id) AS cnt"
            f"  FROM {table} WHERE {where}"
            f") ranked WHERE {wanted}",
            params,
        )
        rows: dict[str, dict[int, float]] = {}
        counts: dict[str, int] = {}
        for node_id, rn, cnt, value in cursor.fetchall():
            rows.setdefault(node_id, {})[int(rn)] = float(value)
            counts[node_id] = int(cnt)
    for node_id, mean in means.items():
        ranked, cnt = rows.get(node_id, {}), counts.get(node_id, 0)
        median, p90 = (_num(_interpolate(ranked, cnt, p)) for p in PERCENTILES)
        out[node_id] = (mean, median, p90)
    return out


def _interpolate(ranked: dict[int, float], cnt: int, pct: float) -> float | None:
    """Linear interpolation between the two rows around rank (cnt-1)*pct — what percentile_cont does.
    (julianday() resolves about 20 µs: figures are rounded to milliseconds on both databases.)"""
    if cnt == 0:
        return None
    position = (cnt - 1) * pct
    low = int(position)
    low_value = ranked.get(low + 1)
    if low_value is None:
        return None
    high_value = ranked.get(low + 2, low_value)
    return low_value + (high_value - low_value) * (position - low)


def _num(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else round(number, 3)


def _node_names(version: ProcessVersion) -> list[tuple[str, str]]:
    """The user-task nodes of the version in definition order, from the nodes parsed at publish."""
    nodes: list[tuple[str, str]] = []
    for node in version.nodes or []:
        if not isinstance(node, dict) or not node.get("id"):
            continue
        kind = str(node.get("type") or node.get("kind") or "")
        if kind in USER_TASK_TYPES or (not kind and "assignee" in node):
            nodes.append((str(node["id"]), str(node.get("name") or node["id"])))
    return nodes


def node_stats(*, version: ProcessVersion, now: datetime | None = None) -> list[NodeStats]:
    """Per-node figures of one process version (see the module docstring), in definition order."""
    now = now or clock.now()
    items = WorkItem.objects.filter(instance__version=version, kind=WorkItemKind.TASK)
    open_q = Q(state__in=OPEN_STATES)
    per_node = {
        row["node_id"]: row
        for row in items.values("node_id").annotate(
            completed=Count("id", filter=Q(state=WorkItemState.COMPLETED)),
            backlog=Count("id", filter=open_q),
            overdue=Count("id", filter=open_q & Q(due_at__lt=now)),
            waiting=Count("id", filter=Q(state=WorkItemState.WAITING)),
        ).order_by()
    }
    durations = _duration_figures(version)
    ordered = _node_names(version)
    known = {node_id for node_id, _ in ordered}
    extra = sorted(set(per_node) - known)
    if extra:
        names = dict(items.filter(node_id__in=extra).values_list("node_id", "node_name").order_by().distinct())
        ordered += [(node_id, names.get(node_id) or node_id) for node_id in extra]
    nodes: list[NodeStats] = []
    for node_id, name in ordered:
        row = per_node.get(node_id, {})
        mean, median, p90 = durations.get(node_id, (None, None, None))
        nodes.append(NodeStats(
            node_id=node_id, node_name=name, count=int(row.get("completed", 0)), mean_seconds=mean,
            median_seconds=median, p90_seconds=p90, backlog=int(row.get("backlog", 0)),
            overdue=int(row.get("overdue", 0)), waiting=int(row.get("waiting", 0)),
        ))
    return nodes


def version_stats(*, version: ProcessVersion, now: datetime | None = None) -> list[dict[str, Any]]:
    """``node_stats`` as plain dicts (what ``GET /processes/{key}/versions/{n}/stats`` returns per node)."""
    return [asdict(n) for n in node_stats(version=version, now=now)]


def instance_counts(*, version: ProcessVersion) -> dict[str, int]:
    """How many instances of ``version`` are in each status."""
    counts = {status.value: 0 for status in InstanceStatus}
    for row in ProcessInstance.objects.filter(version=version).values("status").annotate(n=Count("id")).order_by():
        counts[row["status"]] = row["n"]
    return counts
