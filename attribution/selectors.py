"""Reads for attribution: every conversion of a workspace with its pooled touches (SPEC §8).

Frames (one query each, no per-row queries):

* conversions: ``conversion_id, conversion_at, lead_created_at, deal_created_at, closed_at,
  value`` (1.0 for counts, the amount in the company currency for revenue);
* touches: ``conversion_id, touch_id, at, contact_id, asset_id, asset_type, type, campaign_id,
  source, counts``. ``asset_id``/``campaign_id`` are -1 when missing; ``source`` is the traffic
  source of the interaction's session, else "offline_sources" for a contact from an offline
  source, else "". ``counts`` says whether the touch counts for attribution models (a type the
  workspace counts, never email opens/static lists/workflows/logged calls, never a losing A/B
  variant); the revenue frame also holds the other interactions for the even-split Revenue
  report, the other frames only counting touches.

On PostgreSQL the touches, contacts and deal links are read as integers packed by the server
(`attribution.packed`, text as codes of the model's choices), with the COPY text read as the
fallback for a value outside the choices.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.db.models import BigIntegerField, Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Coalesce, Extract, NullIf

from assets.models import AssetType
from attribution import packed
from crm.models import Contact, Deal, DealContact, DealStage, TrafficSource
from tracking.models import NEVER_ATTRIBUTED_TYPES, Interaction, InteractionType
from workspaces.models import Workspace
from workspaces.selectors import (
    MissingExchangeRate,
    attribution_interaction_types,
    company_currency_converter,
)

TOUCH_COLUMNS = [
    "conversion_id",
    "touch_id",
    "at",
    "contact_id",
    "asset_id",
    "asset_type",
    "type",
    "campaign_id",
    "source",
    "counts",
]
CONVERSION_COLUMNS = [
    "conversion_id",
    "conversion_at",
    "lead_created_at",
    "deal_created_at",
    "closed_at",
    "value",
]
_TIMES = ("lead_created_at", "deal_created_at", "closed_at")
OFFLINE = TrafficSource.OFFLINE_SOURCES.value


@dataclass
class ConversionFrames:
    conversions: pd.DataFrame
    touches: pd.DataFrame
    # Deals left out because their amount could not be converted: deal id → message.
    problems: dict[int, str] = field(default_factory=dict)


def counting_types(*, workspace: Workspace) -> list[str]:
    """The interaction types attribution models count in this workspace."""
    chosen = set(attribution_interaction_types(workspace=workspace))
    return sorted(chosen - set(NEVER_ATTRIBUTED_TYPES))


def conversion_frames(*, workspace: Workspace, kind: str) -> ConversionFrames:
    if kind == "contact_create":
        return contact_create_frames(workspace=workspace)
    if kind in ("deal_create", "revenue"):
        return deal_frames(workspace=workspace, kind=kind)
    raise ValueError(f"unknown conversion kind {kind!r}")


def _source() -> Any:
    """The session's traffic source (copied on the interaction), else the contact's offline
    source, else empty."""
    offline = Case(When(contact__original_source=OFFLINE, then=Value(OFFLINE)), default=Value(""))
    return Coalesce(NullIf(F("source"), Value("")), offline)


def _touch_rows(rows: QuerySet[Interaction]) -> QuerySet[Any]:
    return rows.annotate(touch_source=_source(), touch_at=_instant("occurred_at")).values_list(
        "contact_id",
        "id",
        "touch_at",
        "contact_id",
        "asset_id",
        "asset__type",
        "type",
        "campaign_id",
        "touch_source",
        "asset__ab_is_winner",
    )


def _instant(name: str) -> Any:
    """On PostgreSQL the time as integer microseconds since the epoch (parsed by numpy, not
    from text), elsewhere the datetime itself."""
    if connection.vendor != "postgresql":
        return F(name)
    micros = Extract(name, "epoch") * Value(1_000_000)
    return Cast(micros, output_field=BigIntegerField())


def read_frame(
    rows: QuerySet[Any],
    columns: list[str],
    text: tuple[str, ...] = (),
    *,
    hash_joins: bool = False,
) -> pd.DataFrame:
    """The rows of a values_list queryset as a DataFrame. On PostgreSQL the query's result is
    streamed with COPY as CSV and parsed by pandas (no Python tuple per row); the `text`
    columns come back as str, NULL as NaN, numbers as numbers, timestamps as ISO strings and
    booleans as t/f. (Integer-only reads go through `read_integers`, which is faster.)"""
    if connection.vendor != "postgresql":
        return pd.DataFrame(list(rows), columns=columns)
    sql, params = rows.query.sql_with_params()
    buffer = io.BytesIO()
    statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)"
    with transaction.atomic(), connection.cursor() as cursor:
        for setting in packed.planner_settings(hash_joins=hash_joins):
            cursor.execute(setting)
        with cursor.cursor.copy(statement, params) as copy:
            for chunk in copy:
                buffer.write(chunk)
    buffer.seek(0)
    if not buffer.getbuffer().nbytes:
        return pd.DataFrame({name: [] for name in columns}, dtype=object)
    return pd.read_csv(
        buffer,
        names=columns,
        header=None,
        dtype=dict.fromkeys(text, str),
        keep_default_na=False,
        na_values=[""],
    )


def read_integers(
    rows: QuerySet[Any], columns: list[packed.Column], *, hash_joins: bool = False
) -> pd.DataFrame:
    """A values_list queryset of non-null integer columns: int64 columns packed by the server
    on PostgreSQL (see `attribution.packed`); elsewhere the values as they come, row by row
    (`_instant` times are datetimes there)."""
    names = [column.name for column in columns]
    if connection.vendor != "postgresql":
        return pd.DataFrame(list(rows), columns=names)
    return pd.DataFrame(packed.read_packed(rows, columns, hash_joins=hash_joins), columns=names)


def _times(values: pd.Series) -> pd.Series:
    if pd.api.types.is_integer_dtype(values):
        return pd.to_datetime(values, unit="us", utc=True)
    if values.dtype == object and len(values) and isinstance(values.iloc[0], str):
        return pd.to_datetime(values, utc=True, format="ISO8601")
    return pd.to_datetime(values, utc=True)


def _touch_frame(rows: QuerySet[Interaction], types: list[str], *, large: bool) -> pd.DataFrame:
    frame = None
    if connection.vendor == "postgresql":
        frame = _packed_touches(rows, hash_joins=large)
    if frame is None:
        frame = _text_touches(rows, hash_joins=large)
    losing = frame.pop("losing").to_numpy()
    frame["counts"] = frame["type"].isin(types).to_numpy() & ~losing
    return frame


def _text_touches(rows: QuerySet[Interaction], *, hash_joins: bool = False) -> pd.DataFrame:
    columns = [*TOUCH_COLUMNS[:-1], "ab_is_winner"]
    text = ("asset_type", "type", "source", "ab_is_winner")
    frame = read_frame(_touch_rows(rows), columns, text, hash_joins=hash_joins)
    frame["at"] = _times(frame["at"])
    for name in ("asset_id", "campaign_id"):
        frame[name] = pd.to_numeric(frame[name]).fillna(-1).astype(np.int64)
    for name in ("conversion_id", "touch_id", "contact_id"):
        frame[name] = pd.to_numeric(frame[name]).astype(np.int64)
    for name in ("asset_type", "type", "source"):
        frame[name] = frame[name].fillna("").astype(object)
    frame["losing"] = frame.pop("ab_is_winner").isin([False, "f"])
    return frame


# Text columns of a packed touch read, sent as their position among these labels (0 for
# NULL or "", -1 for a value not listed: the read falls back to text then).
_LABELS = {
    "asset_type": ("asset__type", tuple(AssetType.values)),
    "type": ("type", tuple(InteractionType.values)),
    "source": ("touch_source", tuple(TrafficSource.values)),
}
_PACKED_TOUCHES = [
    packed.Column("contact_id", 8),
    packed.Column("touch_id", 8),
    packed.Column("at", 8),
    packed.Column("asset_id", 8),
    packed.Column("campaign_id", 8),
    packed.Column("asset_type", 2),
    packed.Column("type", 2),
    packed.Column("source", 2),
    packed.Column("winner", 2),
]


def _label_code(lookup: str, labels: tuple[str, ...]) -> Case:
    empty = Q(**{f"{lookup}__isnull": True}) | Q(**{lookup: ""})
    whens = [When(**{lookup: label}, then=Value(code)) for code, label in enumerate(labels, 1)]
    return Case(When(empty, then=Value(0)), *whens, default=Value(-1), output_field=IntegerField())


def _packed_touches(
    rows: QuerySet[Interaction], *, hash_joins: bool = False
) -> pd.DataFrame | None:
    """The touches read as packed integers (None when a label is not one of the choices or a
    column came back NULL: the caller reads them as text then)."""
    winner = Case(
        When(asset__ab_is_winner=True, then=Value(1)),
        When(asset__ab_is_winner=False, then=Value(2)),
        default=Value(0),
        output_field=IntegerField(),
    )
    coded = rows.annotate(
        touch_source=_source(),
        touch_at=_instant("occurred_at"),
        asset_or_none=Coalesce("asset_id", Value(-1)),
        campaign_or_none=Coalesce("campaign_id", Value(-1)),
        **{f"{name}_code": _label_code(*spec) for name, spec in _LABELS.items()},
        winner_code=winner,
    ).values_list(
        "contact_id",
        "id",
        "touch_at",
        "asset_or_none",
        "campaign_or_none",
        *(f"{name}_code" for name in _LABELS),
        "winner_code",
    )
    try:
        columns = packed.read_packed(coded, _PACKED_TOUCHES, hash_joins=hash_joins)
    except packed.PackedReadError:
        return None
    if any((columns[name] < 0).any() for name in _LABELS):
        return None
    text = {
        name: np.array(["", *labels], dtype=object)[columns[name]]
        for name, (_lookup, labels) in _LABELS.items()
    }
    return pd.DataFrame(
        {
            "conversion_id": columns["contact_id"],
            "touch_id": columns["touch_id"],
            "at": _times(pd.Series(columns["at"])),
            "contact_id": columns["contact_id"],
            "asset_id": columns["asset_id"],
            "asset_type": text["asset_type"],
            "type": text["type"],
            "campaign_id": columns["campaign_id"],
            "source": text["source"],
            "losing": columns["winner"] == 2,
        }
    )


def _conversion_frame(
    rows: list[tuple[Any, ...]], *, missing: tuple[str, ...] = ()
) -> pd.DataFrame:
    """`missing`: time columns left out of `rows` (NaT for every conversion)."""
    frame = pd.DataFrame(rows, columns=[c for c in CONVERSION_COLUMNS if c not in missing])
    for name in missing:
        frame[name] = None
    frame = frame[CONVERSION_COLUMNS]
    for name in ("conversion_at", *_TIMES):
        frame[name] = pd.to_datetime(frame[name], utc=True)
    frame["conversion_id"] = frame["conversion_id"].astype(np.int64)
    frame["value"] = frame["value"].astype(np.float64)
    return frame


# Reads of a workspace with this many contacts are planned with hash joins only (see
# packed.planner_settings).
LARGE_WORKSPACE_CONTACTS = 20_000


def contact_create_frames(*, workspace: Workspace) -> ConversionFrames:
    """Each contact, converted at its creation, with its own counting interactions up to then."""
    contacts = read_integers(
        Contact.objects.for_workspace(workspace)
        .annotate(created=_instant("created_at"))
        .values_list("id", "created")
        .order_by("id"),
        [packed.Column("conversion_id", 8), packed.Column("created", 8)],
    )
    created = _times(contacts["created"])
    conversions = pd.DataFrame(
        {
            "conversion_id": contacts["conversion_id"].to_numpy().astype(np.int64),
            "conversion_at": created,
            "lead_created_at": created,
            "deal_created_at": pd.Series(pd.NaT, index=created.index, dtype=created.dtype),
            "closed_at": pd.Series(pd.NaT, index=created.index, dtype=created.dtype),
            "value": np.ones(len(contacts)),
        }
    )
    types = counting_types(workspace=workspace)
    rows = (
        Interaction.objects.for_workspace(workspace)
        .filter(contact__isnull=False, type__in=types, occurred_at__lte=F("contact__created_at"))
        .exclude(asset__ab_is_winner=False)
    )
    touches = _touch_frame(rows, types, large=len(contacts) >= LARGE_WORKSPACE_CONTACTS)
    return ConversionFrames(conversions=conversions, touches=_sorted(touches))


def deal_frames(*, workspace: Workspace, kind: str) -> ConversionFrames:
    """Deals (every deal for deal create; closed-won ones for revenue) with the interactions of
    all their contacts pooled and de-duplicated; lead creation is the oldest contact's creation.
    For revenue only contacts associated before the close count (SPEC §4), amounts are in the
    company currency at the close day's rate, and every interaction is kept (``counts`` marks
    the ones models use) for the even-split Revenue report."""
    deals = Deal.objects.for_workspace(workspace)
    links = DealContact.objects.for_workspace(workspace)
    if kind == "revenue":
        deals = deals.filter(stage=DealStage.CLOSED_WON)
        links = links.filter(
            deal__stage=DealStage.CLOSED_WON, associated_at__lt=F("deal__closed_at")
        )
    large = Contact.objects.for_workspace(workspace).count() >= LARGE_WORKSPACE_CONTACTS
    link_frame = read_integers(
        links.annotate(contact_created=_instant("contact__created_at")).values_list(
            "deal_id", "contact_id", "contact_created"
        ),
        [
            packed.Column("conversion_id", 8),
            packed.Column("contact_id", 8),
            packed.Column("contact_created_at", 8),
        ],
        hash_joins=large,
    )
    for name in ("conversion_id", "contact_id"):
        link_frame[name] = link_frame[name].astype(np.int64)
    link_frame["contact_created_at"] = _times(link_frame["contact_created_at"])
    conversions, problems = _deal_conversions(workspace, deals, link_frame, kind)
    types = counting_types(workspace=workspace)
    rows = Interaction.objects.for_workspace(workspace).filter(
        contact_id__in=links.values("contact_id")
    )
    if kind != "revenue":
        rows = rows.filter(type__in=types).exclude(asset__ab_is_winner=False)
    interactions = _touch_frame(rows, types, large=large)
    touches = _pool(interactions, link_frame, conversions)
    return ConversionFrames(conversions=conversions, touches=touches, problems=problems)


def _deal_conversions(
    workspace: Workspace, deals: QuerySet[Deal], links: pd.DataFrame, kind: str
) -> tuple[pd.DataFrame, dict[int, str]]:
    oldest = links["contact_created_at"].groupby(links["conversion_id"]).min().to_dict()
    fields = ("id", "name", "created_at", "closed_at", "amount", "currency")
    values = list(deals.values_list(*fields))
    converter = company_currency_converter(
        workspace=workspace, currencies={row[5] for row in values}
    )
    rows: list[tuple[Any, ...]] = []
    problems: dict[int, str] = {}
    tz = workspace.tz
    for pk, name, created, closed, amount, currency in values:
        value = 1.0
        if kind == "revenue":
            try:
                day = closed.astimezone(tz).date()
                value = float(converter.convert(amount=amount, currency=currency, on=day))
            except MissingExchangeRate as exc:
                problems[pk] = f"{name}: {exc}"
                continue
        at = closed if kind == "revenue" else created
        rows.append((pk, at, oldest.get(pk), created, closed, value))
    return _conversion_frame(rows), problems


def _pool(
    interactions: pd.DataFrame, links: pd.DataFrame, conversions: pd.DataFrame
) -> pd.DataFrame:
    """Each deal's contacts' interactions at or before the conversion, once per deal."""
    if interactions.empty or links.empty:
        return _sorted(interactions.iloc[0:0])
    deal_contacts = links[["conversion_id", "contact_id"]].merge(
        conversions[["conversion_id", "conversion_at"]], on="conversion_id"
    )
    pooled = deal_contacts.merge(interactions.drop(columns="conversion_id"), on="contact_id")
    pooled = pooled[pooled["at"] <= pooled["conversion_at"]]
    pooled = pooled.drop_duplicates(["conversion_id", "touch_id"])
    return _sorted(pooled[TOUCH_COLUMNS])


def _sorted(touches: pd.DataFrame) -> pd.DataFrame:
    """By conversion, time and touch (unique together, so any sort gives this order)."""
    order = np.lexsort(
        (
            touches["touch_id"].to_numpy(),
            touches["at"].to_numpy(dtype="datetime64[ns]"),
            touches["conversion_id"].to_numpy(),
        )
    )
    return touches.take(order).reset_index(drop=True)


def conversion_period(
    conversions: pd.DataFrame, lower: datetime | None, upper: datetime | None
) -> pd.DataFrame:
    """The conversions whose conversion time is in [lower, upper)."""
    keep = np.ones(len(conversions), dtype=bool)
    if lower is not None:
        keep &= (conversions["conversion_at"] >= pd.Timestamp(lower)).to_numpy()
    if upper is not None:
        keep &= (conversions["conversion_at"] < pd.Timestamp(upper)).to_numpy()
    return conversions[keep]
