"""Gap-free counters. The increment takes a row lock that is held until the caller commits, so
concurrent transactions are serialised on the counter and a rolled-back transaction returns its
number; both SQLite (>= 3.35) and PostgreSQL support ``INSERT .. ON CONFLICT .. RETURNING``.
"""

from __future__ import annotations

from django.db import connection, transaction

from complaintdesk.core.models import Sequence


def next_value(key: str) -> int:
    """Increment and return the counter ``key``; must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_value must run inside transaction.atomic()")
    table = connection.ops.quote_name(Sequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, value) VALUES (%s, 1) "
            f"ON CONFLICT (key) DO UPDATE SET value = {table}.value + 1 RETURNING value",
            [key],
        )
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


def reserve_values(key: str, count: int) -> range:
    """Take ``count`` consecutive values of the counter ``key`` at once (bulk imports); must run
    inside the caller's transaction. Returns the range of values taken."""
    if count < 1:
        return range(0)
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("reserve_values must run inside transaction.atomic()")
    table = connection.ops.quote_name(Sequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, value) VALUES (%s, %s) "
            f"ON CONFLICT (key) DO UPDATE SET value = {table}.value + %s RETURNING value",
            [key, count, count],
        )
        row = cursor.fetchone()
    assert row is not None
    last = int(row[0])
    return range(last - count + 1, last + 1)
