"""Whole-workspace reads on PostgreSQL as packed integers, parsed by numpy.

Rows sent one by one cost the client about 2 µs each in Python, COPY included (one CopyData
message per row), and COPY never runs in parallel. A packed read instead has the server pack
every row's integer columns into bytes (``int8send(a) || int4send(b) || ...``) and aggregate
them into one ``bytea``; the client fetches that single value in binary and reads it with
``numpy.frombuffer`` through a big-endian structured dtype: no Python work per row.

Every column must be a non-null integer: the caller COALESCEs NULLs and turns text into small
codes. A NULL would silently drop its row from the aggregate, so the row count is checked and
a mismatch raises ``PackedReadError``, as does a result past PostgreSQL's 1 GB per value
(some 20M touches); the caller falls back to its text read then.

A plain SELECT may run in parallel where COPY never does: the rows are packed in a subquery
the planner keeps apart (OFFSET 0), so the joins and the packing run in the parallel workers
and only the concatenation in the leader (0.65 s instead of 1.3 s for the large demo
tenant's 450k contact-create touches on two cores; two such queries on two connections at
once, split by contact ids, took 1.0 s).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import psycopg
from django.db import connection, transaction
from django.db.models import QuerySet

_SEND = {2: "int2send({}::int2)", 4: "int4send({}::int4)", 8: "int8send({}::int8)"}


class PackedReadError(Exception):
    """The server's bytes do not match the expected columns (a NULL, a wrong width)."""


@dataclass(frozen=True)
class Column:
    name: str
    width: int
    """Bytes on the wire: 2, 4 or 8 (the value must fit)."""


def read_packed(
    rows: QuerySet[Any], columns: Sequence[Column], *, hash_joins: bool = False
) -> dict[str, np.ndarray]:
    """The columns of a ``values_list`` queryset (one per column, in order) as int64 arrays.
    `hash_joins`: see `planner_settings`."""
    statement, params = _packed_sql(rows, columns)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            for setting in planner_settings(hash_joins=hash_joins):
                cursor.execute(setting)
            data, count = _fetch(cursor.cursor.connection, statement, params)
    except (psycopg.errors.ProgramLimitExceeded, psycopg.errors.OutOfMemory) as exc:
        raise PackedReadError(str(exc)) from exc
    return _parse(data, count, columns)


def _packed_sql(rows: QuerySet[Any], columns: Sequence[Column]) -> tuple[str, Any]:
    """The rows packed in a subquery that is never pulled up (OFFSET 0): its projection, the
    packing, then runs in the parallel workers, and only the concatenation in the leader."""
    sql, params = rows.query.sql_with_params()
    names = [f"c{index}" for index in range(len(columns))]
    packed = " || ".join(
        _SEND[column.width].format(name) for column, name in zip(columns, names, strict=True)
    )
    statement = (
        "SELECT string_agg(packed_row, ''::bytea), count(*) "
        f"FROM (SELECT {packed} AS packed_row "
        f"FROM ({sql}) AS packed_rows({', '.join(names)}) OFFSET 0) AS packed"
    )
    return statement, params


def planner_settings(*, hash_joins: bool) -> list[str]:
    """A whole workspace's rows: hash joins beat the merge join over an index the planner
    prefers (measured 2x on the large demo tenant), and JIT costs more than it saves.

    `hash_joins` (a large workspace) also rules out nested loops: with stale statistics (a
    freshly loaded database before autovacuum's ANALYZE) the planner expects a few rows and
    probes the contacts' index a million times (contact-create read 2.1 s instead of 1.0 s,
    revenue 2.6 s instead of 1.4 s). Small workspaces keep them: a few index probes beat
    hashing the contacts of every workspace."""
    settings = ["SET LOCAL enable_mergejoin = off", "SET LOCAL jit = off"]
    if hash_joins:
        settings.append("SET LOCAL enable_nestloop = off")
    return settings


def _fetch(raw: psycopg.Connection[Any], statement: str, params: Any) -> tuple[bytes, int]:
    """The packed bytes in binary (no hex text): Django's client-side binding cursor cannot
    fetch binary results, so the parameters are merged in as it would merge them."""
    query = psycopg.ClientCursor(raw).mogrify(statement, params)
    with psycopg.Cursor(raw) as cursor:
        cursor.execute(query.encode(), binary=True)
        row = cursor.fetchone()
    assert row is not None  # an aggregate without GROUP BY always returns one row
    data, count = row
    return (bytes(data) if data is not None else b""), int(count)


def _parse(data: bytes, count: int, columns: Sequence[Column]) -> dict[str, np.ndarray]:
    dtype = np.dtype([(c.name, f">i{c.width}") for c in columns])
    if len(data) != count * dtype.itemsize:
        raise PackedReadError(
            f"{len(data)} bytes for {count} rows of {dtype.itemsize} bytes (a NULL column?)"
        )
    records = np.frombuffer(data, dtype=dtype)
    return {c.name: records[c.name].astype(np.int64) for c in columns}
