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
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from itertools import repeat
from typing import Any

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.db.models import BigIntegerField, Case, F, QuerySet, Value, When
from django.db.models.functions import Cast, Coalesce, Extract, NullIf

from crm.models import Contact, Deal, DealContact, DealStage, TrafficSource
from tracking.models import NEVER_ATTRIBUTED_TYPES, Interaction
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


def _touch_rows(rows: QuerySet[Interaction], conversion: str) -> QuerySet[Any]:
    return rows.annotate(touch_source=_source(), touch_at=_instant("occurred_at")).values_list(
        conversion,
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


def read_frame(rows: QuerySet[Any], columns: list[str], text: tuple[str, ...] = ()) -> pd.DataFrame:
    """The rows of a values_list queryset as a DataFrame. On PostgreSQL the query's result is
    streamed with COPY as CSV and parsed by pandas (millions of rows, no Python tuple per row);
    the `text` columns come back as str, NULL as NaN, numbers as numbers, timestamps as ISO
    strings and booleans as t/f."""
    if connection.vendor != "postgresql":
        return pd.DataFrame(list(rows), columns=columns)
    sql, params = rows.query.sql_with_params()
    buffer = io.BytesIO()
    statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)"
    with transaction.atomic(), connection.cursor() as cursor:
        # A whole tenant's rows: hash joins beat the merge join over an index the planner
        # prefers (measured 2x on the large demo tenant), and JIT costs more than it saves.
        cursor.execute("SET LOCAL enable_mergejoin = off")
        cursor.execute("SET LOCAL jit = off")
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


def _times(values: pd.Series) -> pd.Series:
    if pd.api.types.is_integer_dtype(values):
        return pd.to_datetime(values, unit="us", utc=True)
    if values.dtype == object and len(values) and isinstance(values.iloc[0], str):
        return pd.to_datetime(values, utc=True, format="ISO8601")
    return pd.to_datetime(values, utc=True)


def _touch_frame(rows: Any, types: list[str]) -> pd.DataFrame:
    columns = [*TOUCH_COLUMNS[:-1], "ab_is_winner"]
    frame = read_frame(rows, columns, ("asset_type", "type", "source", "ab_is_winner"))
    frame["at"] = _times(frame["at"])
    for name in ("asset_id", "campaign_id"):
        frame[name] = pd.to_numeric(frame[name]).fillna(-1).astype(np.int64)
    for name in ("conversion_id", "touch_id", "contact_id"):
        frame[name] = pd.to_numeric(frame[name]).astype(np.int64)
    for name in ("asset_type", "type", "source"):
        frame[name] = frame[name].fillna("").astype(object)
    losing = frame.pop("ab_is_winner").isin([False, "f"])
    frame["counts"] = frame["type"].isin(types).to_numpy() & ~losing.to_numpy()
    return frame


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


def contact_create_frames(*, workspace: Workspace) -> ConversionFrames:
    """Each contact, converted at its creation, with its own counting interactions up to then."""
    contacts = read_frame(
        Contact.objects.for_workspace(workspace)
        .annotate(created=_instant("created_at"))
        .values_list("id", "created")
        .order_by("id"),
        ["conversion_id", "created"],
    )
    created = _times(contacts["created"]) if len(contacts) else pd.Series([], dtype=object)
    conversions = _conversion_frame(
        list(zip(contacts["conversion_id"], created, created, repeat(1.0), strict=False)),
        missing=("deal_created_at", "closed_at"),
    )
    types = counting_types(workspace=workspace)
    rows = (
        Interaction.objects.for_workspace(workspace)
        .filter(contact__isnull=False, type__in=types, occurred_at__lte=F("contact__created_at"))
        .exclude(asset__ab_is_winner=False)
    )
    touches = _touch_frame(_touch_rows(rows, "contact_id"), types)
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
    link_frame = read_frame(
        links.values_list("deal_id", "contact_id", "contact__created_at"),
        ["conversion_id", "contact_id", "contact_created_at"],
    )
    link_frame["contact_id"] = pd.to_numeric(link_frame["contact_id"]).astype(np.int64)
    link_frame["conversion_id"] = pd.to_numeric(link_frame["conversion_id"]).astype(np.int64)
    link_frame["contact_created_at"] = _times(link_frame["contact_created_at"])
    conversions, problems = _deal_conversions(workspace, deals, link_frame, kind)
    types = counting_types(workspace=workspace)
    rows = Interaction.objects.for_workspace(workspace).filter(
        contact_id__in=links.values("contact_id")
    )
    if kind != "revenue":
        rows = rows.filter(type__in=types).exclude(asset__ab_is_winner=False)
    interactions = _touch_frame(_touch_rows(rows, "contact_id"), types)
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
    return touches.sort_values(["conversion_id", "at", "touch_id"], kind="stable").reset_index(
        drop=True
    )


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
