"""Set-based writes of the SLA sweep: thousands of clock updates and timeline rows per statement.

On PostgreSQL the clock rows are updated by one ``UPDATE ... FROM unnest(arrays)`` and the timeline
rows are written with ``COPY``, both through a server-side binding cursor (psycopg's C dumpers, no
SQL text built per value); Django's ``bulk_update`` / ``bulk_create`` cost more than the sweep's own
work. On SQLite one ``executemany`` each. Everything runs in the caller's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection

from complaintdesk.core.context import current_channel
from complaintdesk.sla.models import TicketSla
from complaintdesk.tickets.models import TicketEvent


@dataclass(slots=True)
class ClockUpdate:
    """A swept clock: ``added`` are the keys fired now. ``done``, ``schedule`` and ``next_check_at`` are
    the new values (PostgreSQL derives them from the stored ones and ``added`` instead)."""

    ticket_id: int
    added: list[str]
    done: list[str]
    schedule: list[list[Any]]
    next_check_at: datetime | None
    status: str
    first_response_breached_at: datetime | None
    resolution_breached_at: datetime | None
    escalation_level: int


def select_due_pg(now: datetime, size: int, skipped: set[int], only: int | None) -> list[tuple[Any, ...]]:
    """Lock up to ``size`` due clocks (``SKIP LOCKED``) and read what the sweep needs: the schedule's
    entries due by ``now`` only (the rest stays in the database), the fields of the clock and the
    people to tell. Rows: ``ticket_id, done, due entries, policy_id, policy_version, priority,
    escalation_level, first_response_breached_at, resolution_breached_at, started_at, stopped_at,
    paused_at, number, assignee_id, team lead id, department manager id``."""
    from complaintdesk.accounts.models import Department, Team
    from complaintdesk.tickets.models import Ticket

    team, department = Team._meta.db_table, Department._meta.db_table
    where = ["s.next_check_at <= %(now)s"]
    if only is not None:
        where.append("s.ticket_id = %(only)s")
    elif skipped:
        where.append("NOT (s.ticket_id = ANY(%(skipped)s))")
    sql = (
        "SELECT s.ticket_id, s.done, (SELECT coalesce(jsonb_agg(x.e ORDER BY x.o), '[]'::jsonb) "
        "FROM jsonb_array_elements(s.schedule) WITH ORDINALITY AS x(e, o) WHERE (x.e->>1)::timestamptz <= %(now)s), "
        "s.policy_id, s.policy_version, s.priority, s.escalation_level, s.first_response_breached_at, "
        "s.resolution_breached_at, s.started_at, s.stopped_at, s.paused_at, "
        "t.number, t.assignee_id, tm.lead_id, d.manager_id "
        f'FROM "{TicketSla._meta.db_table}" s JOIN "{Ticket._meta.db_table}" t ON t.id = s.ticket_id '
        f'LEFT JOIN "{team}" tm ON tm.id = t.team_id LEFT JOIN "{department}" d ON d.id = t.department_id '
        f"WHERE {' AND '.join(where)} ORDER BY s.next_check_at LIMIT %(size)s FOR UPDATE OF s SKIP LOCKED"
    )
    with pg_cursor() as cursor:
        cursor.execute(sql, {"now": now, "size": size, "only": only, "skipped": sorted(skipped)})
        rows = cursor.fetchall()
    # Django registers a loader that leaves jsonb as text (its fields parse it).
    return [(r[0], _loads(r[1]), _loads(r[2]), *r[3:]) for r in rows]


def _loads(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


# (ticket_id, type, created_at, data as JSON text)
TimelineRow = tuple[int, str, datetime, str]


@contextmanager
def pg_cursor() -> Iterator[Any]:
    """A psycopg cursor with server-side binding on Django's connection (same transaction)."""
    import psycopg

    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        yield cursor


def dumps(value: Any) -> str:
    return json.dumps(value)  # the default encoder (cached): what Django's JSONField writes too


def update_swept_clocks(rows: list[ClockUpdate], now: datetime) -> None:
    if not rows:
        return
    table = TicketSla._meta.db_table
    if connection.vendor == "postgresql":
        # The entries left pending: those whose key is not done now (the schedule is in time order).
        rest = (
            "FROM jsonb_array_elements(s.schedule) WITH ORDINALITY AS x(e, o) "
            "WHERE NOT (s.done || v.added::jsonb) ? (x.e->>0)"
        )
        sql = (
            f'UPDATE "{table}" AS s SET done = s.done || v.added::jsonb, '
            f"schedule = (SELECT coalesce(jsonb_agg(x.e ORDER BY x.o), '[]'::jsonb) {rest}), "
            f"next_check_at = (SELECT min((x.e->>1)::timestamptz) {rest}), status = v.status, "
            "first_response_breached_at = v.frb, resolution_breached_at = v.rb, escalation_level = v.lvl, "
            "updated_at = %s "
            "FROM unnest(%b::bigint[], %b::text[], %b::text[], %b::timestamptz[], %b::timestamptz[], %b::int[]) "
            "AS v(ticket_id, added, status, frb, rb, lvl) "
            "WHERE s.ticket_id = v.ticket_id"
        )
        columns: list[list[Any]] = [[] for _ in range(6)]
        for r in rows:
            columns[0].append(r.ticket_id)
            columns[1].append(dumps(r.added))
            columns[2].append(r.status)
            columns[3].append(r.first_response_breached_at)
            columns[4].append(r.resolution_breached_at)
            columns[5].append(r.escalation_level)
        with pg_cursor() as cursor:
            cursor.execute(sql, [now, *columns])
        return
    ops = connection.ops

    def dt(value: datetime | None) -> Any:
        return ops.adapt_datetimefield_value(value)

    sql = (
        f'UPDATE "{table}" SET done = %s, schedule = %s, next_check_at = %s, status = %s, '
        "first_response_breached_at = %s, resolution_breached_at = %s, escalation_level = %s, updated_at = %s "
        "WHERE ticket_id = %s"
    )
    stamp = dt(now)
    params = [
        (dumps(r.done), dumps(r.schedule), dt(r.next_check_at), r.status, dt(r.first_response_breached_at),
         dt(r.resolution_breached_at), r.escalation_level, stamp, r.ticket_id)
        for r in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def insert_timeline(rows: list[TimelineRow]) -> None:
    """Append system timeline rows (no actor, the current channel)."""
    if not rows:
        return
    table = TicketEvent._meta.db_table
    channel = current_channel()
    if connection.vendor == "postgresql":
        with pg_cursor() as cursor, cursor.copy(
            f'COPY "{table}" (ticket_id, type, channel, created_at, data) FROM STDIN'
        ) as copy:
            for ticket_id, type_, at, data in rows:
                copy.write_row((ticket_id, type_, channel, at, data))
        return
    ops = connection.ops
    sql = (f'INSERT INTO "{table}" (ticket_id, type, actor_id, channel, created_at, data) '
           "VALUES (%s, %s, NULL, %s, %s, %s)")
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(t, type_, channel, ops.adapt_datetimefield_value(at), data)
                                 for t, type_, at, data in rows])
