"""Writes for visitors, sessions, page views and interactions (touchpoints).

The rules every writer follows, whether one event at a time (collector, forms, API) or in bulk
(CSV import, demo generator):
- a session's traffic source comes from `tracking.sources.classify_session` on its landing URL
  and referrer; an internal referrer continues the visitor's previous session's source;
- a session's `utm_campaign_ref` is the campaign whose utm_campaign value equals the landing
  URL's utm_campaign, case-insensitively;
- an interaction's `campaign` is resolved from the asset's association history at occurred_at
  (`assets.selectors.campaign_for_interaction`; the bulk path uses `CampaignResolver`, the same
  rule) and is never recomputed later;
- a page view on a website asset is also a page-view interaction with that asset.

The bulk paths write with PostgreSQL COPY (psycopg 3) and with batched INSERTs elsewhere, and
check that every referenced row belongs to the workspace.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from typing import Any, NamedTuple, TypeVar

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ads.models import Ad
from assets.models import Asset
from assets.selectors import CampaignResolver, campaign_for_interaction
from assets.services import normalize_url
from campaigns.models import Campaign
from crm.models import Contact, TrafficSource
from tracking.models import Interaction, InteractionType, PageView, Session, Visitor
from tracking.selectors import (
    campaign_for_utm,
    last_session_before,
    page_asset_for_url,
)
from tracking.sources import (
    SourceResult,
    classify_signals,
    parse_query,
    read_signals,
    resolve_continuation,
)
from workspaces.models import Workspace
from workspaces.services import bump_data_version

SESSION_TIMEOUT = timedelta(minutes=30)
BATCH_SIZE = 50_000
_ID_CHECK_CHUNK = 5_000
_INTERACTION_TYPES = frozenset(InteractionType.values)
_SOURCES = frozenset(TrafficSource.values)

T = TypeVar("T")


# --- Bulk plumbing -------------------------------------------------------------------------------
def _batches(rows: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


class IdAllocator:
    """Hands out primary keys ahead of a bulk insert, so child rows can point at their parents
    before either is written. Use inside the transaction that inserts the rows."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self._next: int | None = None

    def take(self, count: int) -> list[int]:
        if count <= 0:
            return []
        table = self.model._meta.db_table
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, count],
                )
                return [row[0] for row in cursor.fetchall()]
            if self._next is None:
                self._next = self._highest_id(cursor, table) + 1
        first, self._next = self._next, self._next + count
        return list(range(first, first + count))

    @staticmethod
    def _highest_id(cursor: Any, table: str) -> int:
        quoted = connection.ops.quote_name(table)
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {quoted}")
        highest = int(cursor.fetchone()[0])
        if connection.vendor == "sqlite":
            # AUTOINCREMENT never reuses an id, even of a deleted row.
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            highest = max(highest, int(row[0]) if row else 0)
        return highest


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert plain tuples into `model`'s table: COPY on PostgreSQL, batched INSERTs elsewhere.

    `columns` are field attnames (`workspace_id`, `type`, ...). No validation happens here:
    callers validate first. Returns the number of rows written.
    """
    meta = model._meta
    fields = [meta.get_field(name) for name in columns]
    quoted = ", ".join(connection.ops.quote_name(f.column) for f in fields)  # type: ignore[union-attr,arg-type]
    table = connection.ops.quote_name(meta.db_table)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            skip_triggers = _owned_load.get() and _may_skip_triggers(cursor)
            if skip_triggers:
                cursor.execute("SET LOCAL session_replication_role = replica")
            types = _binary_copy_types(fields)
            binary = " (FORMAT BINARY)" if types else ""
            with cursor.copy(f"COPY {table} ({quoted}) FROM STDIN{binary}") as copy:
                if types:
                    copy.set_types(types)
                for row in rows:
                    copy.write_row(row)
                    written += 1
            if skip_triggers:
                cursor.execute("SET LOCAL session_replication_role = origin")
            return written
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})"
        adapters = [_adapter(f) for f in fields]
        adapted = [i for i, a in enumerate(adapters) if a is not None]
        for batch in _batches(rows, 5_000):
            if adapted:
                batch = [_adapt_row(row, adapters, adapted) for row in batch]
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


# Column types whose binary COPY format psycopg writes (the server then parses nothing).
_BINARY_TYPES = {
    "bigint": "int8",
    "integer": "int4",
    "smallint": "int2",
    "boolean": "bool",
    "varchar": "text",
    "text": "text",
    "timestamp with time zone": "timestamptz",
    "date": "date",
}


def _binary_copy_types(fields: Sequence[Any]) -> list[str] | None:
    """The binary COPY types of `fields`, or None when one has no known binary form."""
    types = []
    for field in fields:
        db_type = (field.db_type(connection) or "").split("(")[0].strip().lower()
        if db_type not in _BINARY_TYPES:
            return None
        types.append(_BINARY_TYPES[db_type])
    return types


def _adapter(field: Any) -> Callable[[Any], Any] | None:
    """How a value of `field` goes to a non-PostgreSQL database (None: as it is)."""
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.DecimalField):
        return lambda v: ops.adapt_decimalfield_value(v, field.max_digits, field.decimal_places)
    return None


def _adapt_row(
    row: Sequence[Any], adapters: list[Callable[[Any], Any] | None], adapted: list[int]
) -> list[Any]:
    values = list(row)
    for i in adapted:
        if values[i] is not None:
            values[i] = adapters[i](values[i])  # type: ignore[misc]
    return values


def _check_in_workspace(
    model: type[models.Model], workspace_id: int, ids: Iterable[int | None], label: str
) -> None:
    """Every id refers to a row of `model` in the workspace (one query per 5,000 ids)."""
    wanted = sorted({i for i in ids if i is not None})
    table = connection.ops.quote_name(model._meta.db_table)
    for start in range(0, len(wanted), _ID_CHECK_CHUNK):
        chunk = wanted[start : start + _ID_CHECK_CHUNK]
        if connection.vendor == "postgresql" and _all_found(table, workspace_id, chunk):
            continue
        found = set(
            model.objects.for_workspace(workspace_id)  # type: ignore[attr-defined]
            .filter(pk__in=chunk)
            .values_list("pk", flat=True)
        )
        missing = [i for i in chunk if i not in found]
        if missing:
            raise ValidationError(
                _("%(what)s %(id)s does not exist in this workspace.")
                % {"what": label, "id": missing[0]}
            )


def _all_found(table: str, workspace_id: int, ids: list[int]) -> bool:
    """PostgreSQL: are all `ids` rows of `table` in the workspace? One array parameter (an IN
    list of thousands of ids costs more to build than to run), probed through the primary key.

    A table that grew by millions of rows inside the current transaction has no statistics
    for them, and the planner would scan the whole workspace comparing each row with every id;
    the primary-key probes are right at any size, so they are the only path left open.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        # The workspace test sits in FILTER so no index on workspace_id competes. (Should the
        # query fail, the transaction is aborted and the SET LOCALs go with it.)
        cursor.execute(
            f"SELECT count(*) FILTER (WHERE workspace_id = %s) FROM {table} WHERE id = ANY(%s)",
            [workspace_id, ids],
        )
        found = int(cursor.fetchone()[0])
        cursor.execute("RESET enable_seqscan")
        cursor.execute("RESET enable_bitmapscan")
    return found == len(ids)


# --- Loading a workspace nobody else can see yet ---------------------------------------------
_owned_load: ContextVar[bool] = ContextVar("owned_load", default=False)


@contextmanager
def owned_workspace_load() -> Iterator[None]:
    """Bulk inserts inside this block skip PostgreSQL's per-row foreign-key triggers (when the
    database role may), for loading a workspace created in the same transaction.

    Every reference is still checked, set-based, before each batch (`_check_in_workspace`);
    what the triggers would add is the row locks that stop a concurrent transaction deleting
    a referenced row, and nobody else can reach rows of a workspace not yet committed. That
    halves the time of a multi-million-row load (the demo generator's large scale).
    """
    token = _owned_load.set(True)
    try:
        yield
    finally:
        _owned_load.reset(token)


def _may_skip_triggers(cursor: Any) -> bool:
    cursor.execute("SELECT current_setting('is_superuser') = 'on'")
    return bool(cursor.fetchone()[0])


def _require_aware(value: datetime, label: Any) -> None:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValidationError(
            _("%(field)s must be a date and time with a time zone.") % {"field": label}
        )


def _same_workspace(workspace: Workspace, *objects: models.Model | None) -> None:
    for obj in objects:
        if obj is not None and obj.workspace_id != workspace.pk:  # type: ignore[attr-defined]
            raise ValidationError(
                _("%(what)s belongs to another workspace.") % {"what": type(obj)._meta.verbose_name}
            )


# --- Visitors ------------------------------------------------------------------------------------
class VisitorInput(NamedTuple):
    cookie_id: str
    first_seen_at: datetime
    contact_id: int | None = None
    identified_at: datetime | None = None


VISITOR_COLUMNS = (
    "id",
    "workspace_id",
    "cookie_id",
    "contact_id",
    "first_seen_at",
    "identified_at",
)


@transaction.atomic
def bulk_create_visitors(
    *, workspace: Workspace, rows: Sequence[VisitorInput], ids: Sequence[int] | None = None
) -> list[int]:
    """Create visitors (cookie ids must be new to the workspace); returns their ids in order."""
    if ids is None:
        ids = IdAllocator(Visitor).take(len(rows))
    cookies = [r.cookie_id for r in rows]
    if len(set(cookies)) != len(cookies):
        raise ValidationError(_("The same visitor cookie id appears twice."))
    for batch in _batches(cookies, _ID_CHECK_CHUNK):
        taken = Visitor.objects.for_workspace(workspace).filter(cookie_id__in=batch).first()
        if taken is not None:
            raise ValidationError(
                _("A visitor with cookie id %(cookie)s already exists.")
                % {"cookie": taken.cookie_id}
            )
    for row in rows:
        _require_aware(row.first_seen_at, gettext_lazy("A visitor's first visit"))
    _check_in_workspace(Contact, workspace.pk, (r.contact_id for r in rows), _("Contact"))
    insert_rows(
        Visitor,
        VISITOR_COLUMNS,
        (
            (vid, workspace.pk, r.cookie_id[:64], r.contact_id, r.first_seen_at, r.identified_at)
            for vid, r in zip(ids, rows, strict=True)
        ),
    )
    return list(ids)


# --- Sessions ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SessionInput:
    """A session to store. `previous_source` is the visitor's previous session's source, used
    when the referrer is internal (rule 12); None means there was none."""

    visitor_id: int
    started_at: datetime
    landing_url: str
    referrer: str = ""
    contact_id: int | None = None
    last_activity_at: datetime | None = None
    ad_id: int | None = None
    is_new_visitor: bool = False
    page_view_count: int = 0
    previous_source: SourceResult | None = None


SESSION_COLUMNS = (
    "id",
    "workspace_id",
    "visitor_id",
    "contact_id",
    "started_at",
    "last_activity_at",
    "landing_url",
    "referrer",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "gclid",
    "fbclid",
    "li_fat_id",
    "source",
    "source_detail_1",
    "source_detail_2",
    "utm_campaign_ref_id",
    "ad_id",
    "is_new_visitor",
    "page_view_count",
)


class PreparedSession(NamedTuple):
    """A classified session, ready to insert (the values of SESSION_COLUMNS after id and
    workspace)."""

    visitor_id: int
    contact_id: int | None
    started_at: datetime
    last_activity_at: datetime
    landing_url: str
    referrer: str
    utm_source: str
    utm_medium: str
    utm_campaign: str
    utm_term: str
    utm_content: str
    gclid: str
    fbclid: str
    li_fat_id: str
    source: str
    source_detail_1: str
    source_detail_2: str
    utm_campaign_ref_id: int | None
    ad_id: int | None
    is_new_visitor: bool
    page_view_count: int

    @property
    def source_result(self) -> SourceResult:
        return SourceResult(self.source, self.source_detail_1, self.source_detail_2)


def prepare_session(
    row: SessionInput, *, site_hosts: Iterable[str], utm_lookup: Mapping[str, int]
) -> PreparedSession:
    """Classify a session and read its UTM params and click ids (no database access).

    `utm_lookup` maps lower-cased utm_campaign values to campaign ids
    (`tracking.selectors.campaign_utm_lookup`).
    """
    _require_aware(row.started_at, gettext_lazy("A session's start"))
    signals = read_signals(
        landing_url=row.landing_url, referrer=row.referrer, site_hosts=site_hosts
    )
    result = resolve_continuation(classify_signals(signals), row.previous_source)
    params = signals.params
    utm_campaign = params.get("utm_campaign", "")[:200]
    return PreparedSession(
        visitor_id=row.visitor_id,
        contact_id=row.contact_id,
        started_at=row.started_at,
        last_activity_at=max(row.last_activity_at or row.started_at, row.started_at),
        landing_url=row.landing_url[:2000],
        referrer=row.referrer[:2000],
        utm_source=params.get("utm_source", "")[:200],
        utm_medium=params.get("utm_medium", "")[:200],
        utm_campaign=utm_campaign,
        utm_term=params.get("utm_term", "")[:200],
        utm_content=params.get("utm_content", "")[:200],
        gclid=params.get("gclid", "")[:200],
        fbclid=params.get("fbclid", "")[:200],
        li_fat_id=params.get("li_fat_id", "")[:200],
        source=result.source,
        source_detail_1=result.detail_1[:300],
        source_detail_2=result.detail_2[:300],
        utm_campaign_ref_id=utm_lookup.get(utm_campaign.lower()) if utm_campaign else None,
        ad_id=row.ad_id,
        is_new_visitor=row.is_new_visitor,
        page_view_count=row.page_view_count,
    )


@transaction.atomic
def insert_sessions(
    *, workspace: Workspace, sessions: Sequence[PreparedSession], ids: Sequence[int] | None = None
) -> list[int]:
    """Store prepared sessions (ids from an IdAllocator, or new ones); returns the ids."""
    if ids is None:
        ids = IdAllocator(Session).take(len(sessions))
    _check_in_workspace(Visitor, workspace.pk, (s.visitor_id for s in sessions), _("Visitor"))
    _check_in_workspace(Contact, workspace.pk, (s.contact_id for s in sessions), _("Contact"))
    _check_in_workspace(Ad, workspace.pk, (s.ad_id for s in sessions), _("Ad"))
    _check_in_workspace(
        Campaign, workspace.pk, (s.utm_campaign_ref_id for s in sessions), _("Campaign")
    )
    insert_rows(
        Session,
        SESSION_COLUMNS,
        ((sid, workspace.pk, *s) for sid, s in zip(ids, sessions, strict=True)),
    )
    return list(ids)


@transaction.atomic
def bulk_start_sessions(
    *,
    workspace: Workspace,
    rows: Sequence[SessionInput],
    site_hosts: Iterable[str],
    utm_lookup: Mapping[str, int],
) -> list[int]:
    """Classify and store many sessions; returns their ids in the order of `rows`."""
    hosts = tuple(site_hosts)
    prepared = [prepare_session(r, site_hosts=hosts, utm_lookup=utm_lookup) for r in rows]
    ids = insert_sessions(workspace=workspace, sessions=prepared)
    bump_data_version(workspace.pk)
    return ids


@transaction.atomic
def start_session(
    *,
    workspace: Workspace,
    visitor: Visitor,
    started_at: datetime,
    landing_url: str,
    referrer: str = "",
    ad: Ad | None = None,
    site_hosts: Iterable[str] | None = None,
    bump_version: bool = True,
) -> Session:
    """Start a session for `visitor` on `landing_url` (classified, UTM campaign matched).

    `site_hosts` defaults to the workspace's allowed domains (its own site).
    """
    _same_workspace(workspace, visitor, ad)
    previous = last_session_before(workspace=workspace, visitor_id=visitor.pk, at=started_at)
    utm_value = parse_query(landing_url).get("utm_campaign", "")
    campaign_id = campaign_for_utm(workspace=workspace, utm_campaign=utm_value)
    prepared = prepare_session(
        SessionInput(
            visitor_id=visitor.pk,
            started_at=started_at,
            landing_url=landing_url,
            referrer=referrer,
            contact_id=visitor.contact_id,
            ad_id=ad.pk if ad else None,
            is_new_visitor=previous is None,
            previous_source=(
                SourceResult(previous.source, previous.source_detail_1, previous.source_detail_2)
                if previous
                else None
            ),
        ),
        site_hosts=workspace.allowed_domains if site_hosts is None else site_hosts,
        utm_lookup={utm_value.strip().lower(): campaign_id} if campaign_id else {},
    )
    session = Session.objects.create(workspace=workspace, **prepared._asdict())
    if bump_version:
        bump_data_version(workspace.pk)
    return session


def session_is_over(session: Session, at: datetime) -> bool:
    """A new page view at `at` starts a new session after 30 minutes without one."""
    return at - session.last_activity_at > SESSION_TIMEOUT


# --- Interactions --------------------------------------------------------------------------------
class InteractionInput(NamedTuple):
    type: str
    occurred_at: datetime
    contact_id: int | None = None
    visitor_id: int | None = None
    asset_id: int | None = None
    session_id: int | None = None
    source: str = ""
    utm_campaign_id: int | None = None
    external_id: str = ""


INTERACTION_COLUMNS = (
    "workspace_id",
    "contact_id",
    "visitor_id",
    "asset_id",
    "type",
    "occurred_at",
    "session_id",
    "source",
    "campaign_id",
    "utm_campaign_id",
    "external_id",
)


def _validate_interaction(index: int, row: InteractionInput) -> None:
    if row.type not in _INTERACTION_TYPES:
        raise ValidationError(
            _("Row %(row)s: %(type)s is not an interaction type.")
            % {"row": index + 1, "type": row.type}
        )
    if row.occurred_at.tzinfo is None:
        raise ValidationError(
            _("Row %(row)s: the time must have a time zone.") % {"row": index + 1}
        )
    if row.source and row.source not in _SOURCES:
        raise ValidationError(
            _("Row %(row)s: %(source)s is not a traffic source.")
            % {"row": index + 1, "source": row.source}
        )
    if row.contact_id is None and row.visitor_id is None:
        raise ValidationError(
            _("Row %(row)s: an interaction needs a contact or a visitor.") % {"row": index + 1}
        )


def _new_external_ids(
    workspace: Workspace, batch: list[InteractionInput]
) -> list[InteractionInput]:
    """Drop rows whose external id is already stored (or repeated): re-imports are idempotent."""
    ids = {r.external_id for r in batch if r.external_id}
    if not ids:
        return batch
    stored: set[str] = set()
    for chunk in _batches(sorted(ids), _ID_CHECK_CHUNK):
        stored.update(
            Interaction.objects.for_workspace(workspace)
            .filter(external_id__in=chunk)
            .values_list("external_id", flat=True)
        )
    kept: list[InteractionInput] = []
    for row in batch:
        if row.external_id:
            if row.external_id in stored:
                continue
            stored.add(row.external_id)
        kept.append(row)
    return kept


def _occurred_at(row: InteractionInput) -> datetime:
    return row.occurred_at


def _check_interaction_refs(workspace: Workspace, batch: list[InteractionInput]) -> None:
    _check_in_workspace(Contact, workspace.pk, (r.contact_id for r in batch), _("Contact"))
    _check_in_workspace(Visitor, workspace.pk, (r.visitor_id for r in batch), _("Visitor"))
    _check_in_workspace(Asset, workspace.pk, (r.asset_id for r in batch), _("Asset"))
    _check_in_workspace(Session, workspace.pk, (r.session_id for r in batch), _("Session"))
    _check_in_workspace(Campaign, workspace.pk, (r.utm_campaign_id for r in batch), _("Campaign"))


@transaction.atomic
def bulk_record_interactions(
    *,
    workspace: Workspace,
    rows: Iterable[InteractionInput],
    resolver: CampaignResolver,
    bump_version: bool = True,
) -> int:
    """Store many interactions, each credited to the campaign that held its asset at
    occurred_at (resolved with `resolver`); returns how many were written.

    Rows with an external id already stored are skipped. A bad row raises ValidationError
    naming it, and nothing of the call is stored.
    """
    if resolver.workspace_id != workspace.pk:
        raise ValidationError(_("The campaign resolver belongs to another workspace."))
    written = 0
    offset = 0
    ws = workspace.pk
    for batch in _batches(rows, BATCH_SIZE):
        for index, row in enumerate(batch):
            _validate_interaction(offset + index, row)
        offset += len(batch)
        batch = _new_external_ids(workspace, batch)
        # In time order, each (…, occurred_at) index is written in one sweep, not at random.
        batch.sort(key=_occurred_at)
        _check_interaction_refs(workspace, batch)
        campaign_for = resolver.campaign_for
        campaigns = [campaign_for(r.asset_id, r.occurred_at) for r in batch]
        _check_in_workspace(Campaign, ws, campaigns, _("Campaign"))
        written += insert_rows(
            Interaction,
            INTERACTION_COLUMNS,
            (
                (
                    ws,
                    r.contact_id,
                    r.visitor_id,
                    r.asset_id,
                    r.type,
                    r.occurred_at,
                    r.session_id,
                    r.source,
                    campaign,
                    r.utm_campaign_id,
                    r.external_id,
                )
                for r, campaign in zip(batch, campaigns, strict=True)
            ),
        )
    if bump_version and written:
        bump_data_version(ws)
    return written


@transaction.atomic
def record_interaction(
    *,
    workspace: Workspace,
    type: str,
    occurred_at: datetime,
    contact: Contact | None = None,
    visitor: Visitor | None = None,
    asset: Asset | None = None,
    session: Session | None = None,
    source: str = "",
    utm_campaign: Campaign | None = None,
    external_id: str = "",
    bump_version: bool = True,
) -> Interaction:
    """Store one interaction, credited to the campaign holding `asset` at `occurred_at`.

    With an `external_id` already stored, the stored interaction is returned unchanged.
    """
    _validate_interaction(
        0,
        InteractionInput(
            type=type,
            occurred_at=occurred_at,
            contact_id=contact.pk if contact else None,
            visitor_id=visitor.pk if visitor else None,
            source=source,
        ),
    )
    _same_workspace(workspace, contact, visitor, asset, session, utm_campaign)
    if external_id:
        stored = (
            Interaction.objects.for_workspace(workspace).filter(external_id=external_id).first()
        )
        if stored is not None:
            return stored
    interaction = Interaction.objects.create(
        workspace=workspace,
        contact=contact,
        visitor=visitor,
        asset=asset,
        type=type,
        occurred_at=occurred_at,
        session=session,
        source=source,
        campaign_id=campaign_for_interaction(
            workspace=workspace, asset_id=asset.pk if asset else None, at=occurred_at
        ),
        utm_campaign=utm_campaign,
        external_id=external_id,
    )
    if bump_version:
        bump_data_version(workspace.pk)
    return interaction


# --- Page views ----------------------------------------------------------------------------------
class PageViewInput(NamedTuple):
    """A page view; `asset_id` None means "match the URL against the website assets"
    (pass `asset_lookup`). `utm_campaign_id` is the campaign whose utm the URL carried."""

    session_id: int
    visitor_id: int
    url: str
    occurred_at: datetime
    asset_id: int | None = None
    contact_id: int | None = None
    source: str = ""
    utm_campaign_id: int | None = None
    title: str = ""
    referrer: str = ""
    normalized_url: str = ""


PAGE_VIEW_COLUMNS = (
    "workspace_id",
    "session_id",
    "visitor_id",
    "url",
    "normalized_url",
    "title",
    "referrer",
    "occurred_at",
    "asset_id",
    "event_id",
)


@transaction.atomic
def bulk_record_page_views(
    *,
    workspace: Workspace,
    rows: Iterable[PageViewInput],
    resolver: CampaignResolver,
    asset_lookup: Mapping[str, int] | None = None,
    bump_version: bool = True,
) -> tuple[int, int]:
    """Store page views and, for those on a website asset, their page-view interactions.

    Returns (page views written, interactions written).
    """
    views = interactions = 0
    ws = workspace.pk
    for batch in _batches(rows, BATCH_SIZE):
        resolved: list[PageViewInput] = []
        for index, row in enumerate(batch):
            if row.occurred_at.tzinfo is None:
                raise ValidationError(
                    _("Row %(row)s: the time must have a time zone.") % {"row": views + index + 1}
                )
            if row.normalized_url and (row.asset_id is not None or asset_lookup is None):
                resolved.append(row)
                continue
            url_key = row.normalized_url or normalize_url(row.url)
            asset_id = row.asset_id
            if asset_id is None and asset_lookup is not None:
                asset_id = asset_lookup.get(url_key)
            resolved.append(row._replace(normalized_url=url_key, asset_id=asset_id))
        _check_in_workspace(Session, ws, (r.session_id for r in resolved), _("Session"))
        _check_in_workspace(Visitor, ws, (r.visitor_id for r in resolved), _("Visitor"))
        _check_in_workspace(Asset, ws, (r.asset_id for r in resolved), _("Asset"))
        views += insert_rows(
            PageView,
            PAGE_VIEW_COLUMNS,
            (
                (
                    ws,
                    r.session_id,
                    r.visitor_id,
                    r.url[:2000],
                    r.normalized_url[:2000],
                    r.title[:500],
                    r.referrer[:2000],
                    r.occurred_at,
                    r.asset_id,
                    "",
                )
                for r in resolved
            ),
        )
        interactions += bulk_record_interactions(
            workspace=workspace,
            resolver=resolver,
            bump_version=False,
            rows=[
                InteractionInput(
                    type=InteractionType.PAGE_VIEW,
                    occurred_at=r.occurred_at,
                    contact_id=r.contact_id,
                    visitor_id=r.visitor_id,
                    asset_id=r.asset_id,
                    session_id=r.session_id,
                    source=r.source,
                    utm_campaign_id=r.utm_campaign_id,
                )
                for r in resolved
                if r.asset_id is not None
            ],
        )
    if bump_version and views:
        bump_data_version(ws)
    return views, interactions


@transaction.atomic
def record_page_view(
    *,
    workspace: Workspace,
    session: Session,
    url: str,
    occurred_at: datetime,
    title: str = "",
    referrer: str = "",
    asset: Asset | None = None,
    event_id: str = "",
    bump_version: bool = True,
) -> PageView:
    """Store one page view in `session` (and its page-view interaction when the URL is a website
    asset). A resent event with the same `event_id` is stored once."""
    _require_aware(occurred_at, gettext_lazy("The page view time"))
    _same_workspace(workspace, session, asset)
    if event_id:
        stored = PageView.objects.for_workspace(workspace).filter(event_id=event_id).first()
        if stored is not None:
            return stored
    normalized = normalize_url(url)
    asset = asset or page_asset_for_url(workspace=workspace, normalized_url=normalized)
    view = PageView.objects.create(
        workspace=workspace,
        session=session,
        visitor_id=session.visitor_id,
        url=url[:2000],
        normalized_url=normalized[:2000],
        title=title[:500],
        referrer=referrer[:2000],
        occurred_at=occurred_at,
        asset=asset,
        event_id=event_id,
    )
    Session.objects.filter(pk=session.pk).update(
        page_view_count=models.F("page_view_count") + 1,
        last_activity_at=max(session.last_activity_at, occurred_at),
    )
    session.page_view_count += 1
    session.last_activity_at = max(session.last_activity_at, occurred_at)
    if asset is not None:
        utm_id = campaign_for_utm(
            workspace=workspace, utm_campaign=parse_query(url).get("utm_campaign", "")
        )
        record_interaction(
            workspace=workspace,
            type=InteractionType.PAGE_VIEW,
            occurred_at=occurred_at,
            contact=session.contact,
            visitor=session.visitor,
            asset=asset,
            session=session,
            source=session.source,
            utm_campaign=Campaign.objects.for_workspace(workspace).filter(pk=utm_id).first()
            if utm_id
            else None,
            bump_version=False,
        )
    if bump_version:
        bump_data_version(workspace.pk)
    return view


# --- Identification and the contact's first/last touch campaigns ---------------------------------
@transaction.atomic
def identify_visitor(*, visitor: Visitor, contact: Contact, at: datetime) -> int:
    """Link a visitor (cookie) to the contact who identified at `at` (e.g. by a form).

    The visitor's past sessions and interactions that had no contact become the contact's.
    Returns the number of sessions linked.
    """
    if visitor.workspace_id != contact.workspace_id:
        raise ValidationError(_("The visitor and the contact belong to different workspaces."))
    _require_aware(at, gettext_lazy("The identification time"))
    ws = visitor.workspace_id
    visitor.contact = contact
    visitor.identified_at = visitor.identified_at or at
    visitor.save(update_fields=["contact", "identified_at"])
    linked = (
        Session.objects.for_workspace(ws)
        .filter(visitor=visitor, contact__isnull=True)
        .update(contact=contact)
    )
    Interaction.objects.for_workspace(ws).filter(visitor=visitor, contact__isnull=True).update(
        contact=contact
    )
    bump_data_version(ws)
    return int(linked)


@dataclass(frozen=True)
class Touch:
    """A page seen (or form submitted) on the way to a conversion.

    campaign_id: the campaign holding the page's (form's) asset at that time;
    utm_campaign_id: the campaign whose utm_campaign the page URL carried.
    """

    campaign_id: int | None = None
    utm_campaign_id: int | None = None


def first_touch_campaign(first_page: Touch | None) -> int | None:
    """SPEC §4.1, first touch: the first page the contact ever saw carried the campaign's
    utm_campaign or was a campaign asset (the utm wins when both name a campaign)."""
    if first_page is None:
        return None
    return first_page.utm_campaign_id or first_page.campaign_id


def last_touch_campaign(*, session_pages: Sequence[Touch], form: Touch | None) -> int | None:
    """SPEC §4.1, last touch, within the converting session: the page the contact converted on
    carried the campaign's utm_campaign; else the submitted form is a campaign form; else the
    latest campaign page (or page with a campaign's utm) visited before converting."""
    if session_pages and session_pages[-1].utm_campaign_id:
        return session_pages[-1].utm_campaign_id
    if form is not None and form.campaign_id:
        return form.campaign_id
    for page in reversed(session_pages):
        if page.utm_campaign_id or page.campaign_id:
            return page.utm_campaign_id or page.campaign_id
    return None


def conversion_touch_campaigns(
    *,
    workspace: Workspace,
    visitor_id: int,
    session_id: int,
    converted_at: datetime,
    form_asset_id: int | None,
) -> tuple[int | None, int | None]:
    """(first touch, last touch) campaign ids of a contact converting in `session_id`, read from
    the stored page views (for the form endpoint; the demo generator applies the same two
    functions to the pages it generates)."""
    views = (
        PageView.objects.for_workspace(workspace)
        .filter(visitor_id=visitor_id, occurred_at__lte=converted_at)
        .order_by("occurred_at", "id")
    )
    lookup: dict[str, int | None] = {}

    def touch(view: PageView) -> Touch:
        utm = parse_query(view.url).get("utm_campaign", "")
        if utm not in lookup:
            lookup[utm] = campaign_for_utm(workspace=workspace, utm_campaign=utm)
        held = campaign_for_interaction(
            workspace=workspace, asset_id=view.asset_id, at=view.occurred_at
        )
        return Touch(campaign_id=held, utm_campaign_id=lookup[utm])

    first = views.first()
    in_session = [touch(v) for v in views.filter(session_id=session_id)]
    form = Touch(
        campaign_id=campaign_for_interaction(
            workspace=workspace, asset_id=form_asset_id, at=converted_at
        )
    )
    return (
        first_touch_campaign(touch(first) if first else None),
        last_touch_campaign(session_pages=in_session, form=form),
    )


# --- Tracking settings ----------------------------------------------------------------------------
@transaction.atomic
def update_allowed_domains(*, workspace: Workspace, domains: Sequence[str]) -> Workspace:
    """Replace the hosts the collector accepts page views from (validated host names, see
    tracking.forms.parse_domain_line); an empty list accepts any host."""
    from tracking.collector import forget_keys
    from tracking.validation import normalize_host

    cleaned: list[str] = []
    for domain in domains:
        host = normalize_host(domain)
        if host is None:
            raise ValidationError(_("%(domain)s is not a valid host name.") % {"domain": domain})
        if host not in cleaned:
            cleaned.append(host)
    workspace.allowed_domains = cleaned
    workspace.save(update_fields=["allowed_domains"])
    # Now for this process, and again once committed (a request in between may have re-read
    # the old domains).
    forget_keys([workspace.public_key])
    transaction.on_commit(lambda: forget_keys([workspace.public_key]))
    return workspace
