"""The collector's write path: find the workspace of a public key, store the raw event, queue
its processing.

An accepted event is one INSERT (ON CONFLICT DO NOTHING on the workspace + event id, so a resent
event is stored once), committed before the endpoint answers 202. Turning events into sessions
happens later, in `process_collected_events` (tracking/tasks.py → tracking/processing.py).

Queueing is debounced so a burst queues a bounded number of tasks, and no stored event is left
pending:
- after its INSERT commits, a request raises the workspace's "queued" flag in the cache (SET NX);
  the one request that raises it queues the task, `TRACKING_PROCESS_DELAY_SECONDS` later;
- the task lowers the flag first, then reads the pending rows: an event committed before that
  read is processed, and one committed after it raises the flag again;
- with a worker (not in-process tasks), a process that saw the flag raised less than
  FLAG_MEMO_SECONDS ago skips the check (one cache round trip saved per event). The task
  therefore queues one follow-up run FOLLOW_UP_SECONDS after lowering the flag, which reads the
  pending rows again: an event whose check was skipped was committed within FLAG_MEMO_SECONDS
  of a sighting that came before the flag was lowered, so before that second read.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from threading import Lock
from typing import Any

import psycopg
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Field
from psycopg.types.json import Jsonb

from tracking.models import CollectedEvent, CollectedEventKind
from tracking.ratelimit import redis_client
from tracking.validation import EventInput, host_is_allowed
from workspaces.models import Workspace

logger = logging.getLogger(__name__)
_QUEUED_FLAG = "tp:collect:queued:{workspace_id}"
# Longest a queued-task flag lives: if the task never ran (no worker), the next event queues again.
_QUEUED_FLAG_TTL = 60
_SITE_CACHE_MAX = 10_000
FLAG_MEMO_SECONDS = 1.0
FOLLOW_UP_SECONDS = FLAG_MEMO_SECONDS + 1.0


@dataclass(frozen=True)
class Site:
    """What the collector needs to know about the workspace behind a public key."""

    workspace_id: int
    allowed_domains: tuple[str, ...]

    def allows(self, host: str) -> bool:
        return host_is_allowed(host, self.allowed_domains)


_sites: dict[str, tuple[float, Site | None]] = {}
_sites_lock = Lock()


def site_for_key(key: str) -> Site | None:
    """The workspace behind a public key (None for an unknown key), cached per process for
    TRACKING_KEY_CACHE_SECONDS: a page view costs no query for it, and a change of the allowed
    domains reaches every process within that time."""
    now = time.monotonic()
    cached = _sites.get(key)
    if cached is not None and cached[0] > now:
        return cached[1]
    row = Workspace.objects.filter(public_key=key).values_list("pk", "allowed_domains").first()
    site = Site(row[0], tuple(row[1] or ())) if row else None
    with _sites_lock:
        if len(_sites) >= _SITE_CACHE_MAX:
            _sites.clear()
        _sites[key] = (now + settings.TRACKING_KEY_CACHE_SECONDS, site)
    return site


def workspace_of(site: Site) -> Workspace:
    return Workspace.objects.get(pk=site.workspace_id)


def forget_keys(keys: Iterable[str]) -> None:
    """Drop cached sites (this process) after their workspace's tracking settings changed."""
    with _sites_lock:
        for key in keys:
            _sites.pop(key, None)


def forget_all_sites() -> None:
    with _sites_lock:
        _sites.clear()


# --- Storing ------------------------------------------------------------------------------------
_COLUMNS = (
    "workspace_id",
    "event_id",
    "kind",
    "visitor_cookie",
    "payload",
    "occurred_at",
    "received_at",
    "error",
)


def _fields() -> list[Field[Any, Any]]:
    by_attname = {f.attname: f for f in CollectedEvent._meta.concrete_fields}
    return [by_attname[name] for name in _COLUMNS]


@lru_cache(maxsize=4)
def _insert_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in _fields())
    placeholders = ", ".join(["%s"] * len(_COLUMNS))
    # PostgreSQL and SQLite (3.24+) both speak ON CONFLICT DO NOTHING.
    return (
        f"INSERT INTO {quote(CollectedEvent._meta.db_table)} ({columns}) VALUES ({placeholders}) "
        f"ON CONFLICT ({quote('workspace_id')}, {quote('event_id')}) DO NOTHING"
    )


def _insert(values: dict[str, Any]) -> int:
    """INSERT one row; returns how many rows were written (0 for a resent event)."""
    sql = _insert_sql(connection.vendor)
    if connection.vendor == "postgresql":
        # The hot path on PostgreSQL: psycopg adapts the values itself, so skip Django's
        # per-field preparation and cursor wrappers (half of the insert's CPU time), and bind
        # them server-side to a statement prepared once per connection (Django's cursors quote
        # every value into the SQL text in Python).
        connection.ensure_connection()
        params = [Jsonb(values[n]) if n == "payload" else values[n] for n in _COLUMNS]
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(sql, params, prepare=True)
            return int(cursor.rowcount)
    prepared = [f.get_db_prep_save(values[f.attname], connection) for f in _fields()]
    with connection.cursor() as cursor:
        cursor.execute(sql, prepared)
        return int(cursor.rowcount)


def store_event(*, site: Site, event: EventInput, received_at: datetime) -> bool:
    """Store an accepted event durably and queue its processing; False when an event with the
    same id was already stored (nothing is written then)."""
    values = {
        "workspace_id": site.workspace_id,
        "event_id": event.event_id,
        "kind": CollectedEventKind(event.type),
        "visitor_cookie": event.visitor_id,
        "payload": event.payload(),
        "occurred_at": event.occurred_at(received_at),
        "received_at": received_at,
        "error": "",
    }
    # One statement: in autocommit it is committed when execute() returns (one round trip);
    # inside a caller's transaction it commits with it, and the queueing waits for that.
    inserted = _insert(values) == 1
    if inserted:
        transaction.on_commit(lambda: queue_processing(site.workspace_id))
    return inserted


# Workspace id → when this process last saw its flag raised (time.monotonic()).
_flag_seen: dict[int, float] = {}


def queue_processing(workspace_id: int) -> None:
    """Queue `process_collected_events` for the workspace unless one is already queued."""
    from tracking.tasks import process_collected_events

    in_process = bool(process_collected_events.app.conf.task_always_eager)
    now = time.monotonic()
    if (
        not in_process
        and now - _flag_seen.get(workspace_id, -FLAG_MEMO_SECONDS) < FLAG_MEMO_SECONDS
    ):
        return
    flag = _QUEUED_FLAG.format(workspace_id=workspace_id)
    try:
        raised = _raise_flag(flag)
        _flag_seen[workspace_id] = now
        if raised:
            process_collected_events.apply_async(
                args=[workspace_id], countdown=settings.TRACKING_PROCESS_DELAY_SECONDS
            )
    except Exception:
        # The events are stored and stay pending: a broker or cache outage (or, with in-process
        # tasks, a failed processing run) must not turn an accepted event into an error. The
        # next event, or the periodic sweep, queues the work again.
        logger.exception("Could not process collected events of workspace %s", workspace_id)
        _flag_seen.pop(workspace_id, None)
        with contextlib.suppress(Exception):
            cache.delete(flag)


def _raise_flag(flag: str) -> bool:
    """Set the flag unless it is set (atomic); True when this call set it."""
    client = redis_client()
    if client is None:
        return bool(cache.add(flag, 1, timeout=_QUEUED_FLAG_TTL))
    key = cache.make_and_validate_key(flag)
    return bool(client.set(key, 1, nx=True, ex=_QUEUED_FLAG_TTL))


def schedule_follow_up(workspace_id: int) -> None:
    """Queue the follow-up run of a processing task (not needed for in-process tasks, where no
    check is skipped)."""
    from tracking.tasks import process_collected_events

    if process_collected_events.app.conf.task_always_eager:
        return
    process_collected_events.apply_async(
        args=[workspace_id], kwargs={"follow_up": True}, countdown=FOLLOW_UP_SECONDS
    )


def release_queue_flag(workspace_id: int) -> None:
    """Called as processing starts: an event stored from now on queues a new task."""
    cache.delete(_QUEUED_FLAG.format(workspace_id=workspace_id))
