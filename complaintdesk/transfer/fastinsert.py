"""Fast inserts for bulk imports: ids taken up front, rows written with ``COPY`` on PostgreSQL
and ``executemany`` on SQLite, without building a model instance per row.

``Model.objects.bulk_create`` spends ~1 ms per ticket preparing values (Django field adaptation,
one model instance each); an import of 100,000 tickets with their timeline rows would spend
minutes there. Here a row is a dict of attribute names; columns the caller leaves out get the
field's default, so a field added to the model later (with a default) is still filled.
Call inside the caller's transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.db import connection, models, transaction


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` new primary keys of ``model``. PostgreSQL: from the table's sequence. SQLite:
    after the largest id — safe because the caller's transaction already holds the write lock
    (it has written the job row), and AUTOINCREMENT moves past explicit ids."""
    if count <= 0:
        return []
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("allocate_ids must run inside transaction.atomic()")
    table = model._meta.db_table
    pk = model._meta.pk
    assert pk is not None
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [table, pk.column, count])
            return [int(r[0]) for r in cursor.fetchall()]
        quoted = connection.ops.quote_name(table)
        cursor.execute(f"SELECT COALESCE(MAX({connection.ops.quote_name(pk.column)}), 0) FROM {quoted}")
        row = cursor.fetchone()
        start = int(row[0]) if row else 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        seq = cursor.fetchone()
        start = max(start, int(seq[0]) if seq else 0)
    return list(range(start + 1, start + 1 + count))


def _columns(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields]


def insert_rows(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> int:
    """Insert ``rows`` (attribute name → value, the primary key included) into ``model``'s table."""
    fields = _columns(model)
    defaults: dict[str, Any] = {}
    for f in fields:
        if f.has_default():
            default = f.default
            defaults[f.attname] = default if not callable(default) else None
    postgres = connection.vendor == "postgresql"
    json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}
    time_fields = {f.attname for f in fields if isinstance(f, models.DateTimeField)}
    callables = {f.attname: f.default for f in fields if f.has_default() and callable(f.default)}

    def values(row: dict[str, Any]) -> tuple[Any, ...]:
        out: list[Any] = []
        for f in fields:
            name = f.attname
            if name in row:
                value = row[name]
            elif name in callables:
                value = callables[name]()
            elif name in defaults:
                value = defaults[name]
            else:
                value = None
            if value is not None:
                if name in json_fields:
                    value = json.dumps(value, ensure_ascii=False)
                elif name in time_fields and not postgres:
                    value = connection.ops.adapt_datetimefield_value(value)
            out.append(value)
        return tuple(out)

    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    count = 0
    with connection.cursor() as cursor:
        if postgres:
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(values(row))
                    count += 1
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            batch = [values(row) for row in rows]
            count = len(batch)
            if batch:
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", batch)
    return count
