"""The campaign Attribution tab (SPEC §5): results per model and dimension, model comparison,
conversion paths, path lengths and time to convert; stored as snapshots computed by Celery.

`attribution_result(campaign=, definition=, today=)` returns the computed tables as plain data
(computed here and now when no worker has yet): what the tab, the dashboards' cards and the
attribution export show. The credits themselves are the workspace's stored runs
(`attribution.services`), so every campaign of a data version shares them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
from django.db import IntegrityError, transaction
from django.utils import timezone

from assets.models import Asset
from attribution import services as credit_services
from attribution.engine import path_length_distribution, time_to_convert_distribution, top_paths
from attribution.models import AttributionSnapshot, RunStatus
from attribution.selectors import conversion_period
from campaigns.models import Campaign
from reporting.compute.revenue import money
from reporting.definitions import ENTERPRISE_CONVERSIONS, AttributionDefinition
from reporting.services import requeue_if_forgotten

DIMENSION_COLUMNS = {
    "asset": "asset_id",
    "asset_type": "asset_type",
    "interaction_type": "type",
    "source": "source",
}
PATH_LIMIT = 10
STEP_SEPARATOR = "\x1f"  # ASCII unit separator: never in a campaign name or a source
# Part of every snapshot key: raised when the payload's shape changes, so a snapshot stored by
# an older release is computed again rather than read (2: paths as lists of collapsed steps).
PAYLOAD_VERSION = 2


def definition_key(definition: AttributionDefinition, *, today: date) -> tuple[str, dict[str, Any]]:
    """The snapshot key: the definition with its period resolved (so "all data" up to today
    is a new key tomorrow); the chart type is left out (it changes no number)."""
    period = definition.period(today=today)
    data = {k: v for k, v in definition.as_data().items() if k != "chart"}
    data["period"] = [d.isoformat() if d else None for d in (period.start, period.end)]
    keyed = {**data, "payload_version": PAYLOAD_VERSION}
    return hashlib.sha256(json.dumps(keyed, sort_keys=True).encode()).hexdigest(), data


def resolved_definition(data: dict[str, Any]) -> AttributionDefinition:
    """The stored definition with its period as it was resolved when requested."""
    start, end = (date.fromisoformat(d) if d else None for d in data["period"])
    return replace(AttributionDefinition.from_data(data), range="custom", start=start, end=end)


def is_gated(campaign: Campaign, definition: AttributionDefinition) -> bool:
    """SPEC §9: deal create and revenue are Enterprise reports."""
    return definition.conversion in ENTERPRISE_CONVERSIONS and not campaign.workspace.is_enterprise


# --- Computation --------------------------------------------------------------------------------
def compute_payload(
    *, campaign: Campaign, definition: AttributionDefinition, today: date
) -> dict[str, Any]:
    """Every table of the tab for the definition, as JSON-able data."""
    workspace = campaign.workspace
    kind, models = definition.conversion, list(definition.models)
    credits, inputs = credit_services.credits_with_inputs(
        workspace=workspace, kind=kind, models=models
    )
    lower, upper = definition.period(today=today).bounds(workspace.tz)
    conversions = conversion_period(inputs.conversions, lower, upper)
    touches = inputs.touches[inputs.touches["counts"]]
    touches = touches[touches["conversion_id"].isin(conversions["conversion_id"])]
    mine = touches[touches["campaign_id"] == campaign.pk]
    values = conversions.set_index("conversion_id")["value"]
    column = DIMENSION_COLUMNS[definition.dimension]
    per_model = {m: _model_totals(credits[m], mine, values, column) for m in models}
    unattributed = _unattributed(credits[models[0]], values)
    touched = conversions[conversions["conversion_id"].isin(mine["conversion_id"])]
    return {
        "conversion": kind,
        "models": models,
        "dimension": definition.dimension,
        "revenue": kind == "revenue",
        "rows": _rows(per_model, models, definition.dimension, campaign),
        "totals": _totals(per_model, models),
        "elsewhere": _elsewhere(per_model, models, values, unattributed),
        "unattributed": unattributed,
        "conversions": {"count": len(conversions), "value": money(float(values.sum()))},
        "campaign_conversions": len(touched),
        "paths": _paths(campaign, touches, touched, kind, workspace),
        "problems": [inputs.problems[k] for k in sorted(inputs.problems)],
        "data_version": inputs.data_version,
    }


def _model_totals(
    credits: pd.DataFrame, mine: pd.DataFrame, values: pd.Series, column: str
) -> pd.DataFrame:
    """Credit and amount per dimension value for the campaign's touches under one model."""
    keys = mine[["conversion_id", "touch_id", column]].rename(columns={column: "key"})
    merged = credits.merge(keys, on=["conversion_id", "touch_id"], how="inner")
    merged["amount"] = merged["credit"] * merged["conversion_id"].map(values)
    merged["key"] = merged["key"].astype(str)
    return merged.groupby("key")[["credit", "amount"]].sum()


def _unattributed(credits: pd.DataFrame, values: pd.Series) -> dict[str, Any]:
    """Conversions of the period with no eligible touch (the same under every model)."""
    ids = credits.loc[
        (credits["touch_id"] < 0) & credits["conversion_id"].isin(values.index), "conversion_id"
    ]
    return {"count": len(ids), "amount": money(float(values.loc[ids].sum()))}


def _rows(
    per_model: dict[str, pd.DataFrame], models: list[str], dimension: str, campaign: Campaign
) -> list[dict[str, Any]]:
    keys = sorted(set().union(*(frame.index for frame in per_model.values())))
    names = _asset_names(campaign, keys) if dimension == "asset" else {}
    rows = []
    for key in keys:
        credit = {m: _get(per_model[m], key, "credit") for m in models}
        amount = {m: _get(per_model[m], key, "amount") for m in models}
        rows.append(
            {
                "key": key,
                "name": names.get(key, ""),
                "credit": {m: round(v, 6) for m, v in credit.items()},
                "amount": {m: money(v) for m, v in amount.items()},
            }
        )
    rows.sort(key=lambda row: (-max(row["credit"].values()), row["name"], row["key"]))
    return rows


def _get(frame: pd.DataFrame, key: str, column: str) -> float:
    return float(frame[column].get(key, 0.0))


def _asset_names(campaign: Campaign, keys: list[str]) -> dict[str, str]:
    ids = [int(k) for k in keys if k.lstrip("-").isdigit() and int(k) > 0]
    found = Asset.objects.for_workspace(campaign.workspace_id).filter(pk__in=ids)
    return {str(pk): name for pk, name in found.values_list("pk", "name")}


def _totals(per_model: dict[str, pd.DataFrame], models: list[str]) -> dict[str, Any]:
    return {
        "credit": {m: round(float(per_model[m]["credit"].sum()), 6) for m in models},
        "amount": {m: money(float(per_model[m]["amount"].sum())) for m in models},
    }


def _elsewhere(
    per_model: dict[str, pd.DataFrame],
    models: list[str],
    values: pd.Series,
    unattributed: dict[str, Any],
) -> dict[str, Any]:
    """Credit earned outside this campaign (other campaigns, interactions of no campaign), so
    campaign + elsewhere + unattributed is every conversion of the period."""
    total = float(len(values)) - unattributed["count"]
    amount_total = float(values.sum()) - float(unattributed["amount"])
    return {
        "credit": {m: round(total - float(per_model[m]["credit"].sum()), 6) for m in models},
        "amount": {m: money(amount_total - float(per_model[m]["amount"].sum())) for m in models},
    }


def _paths(
    campaign: Campaign,
    touches: pd.DataFrame,
    touched: pd.DataFrame,
    kind: str,
    workspace: Any,
) -> dict[str, Any]:
    """Top paths (by campaign and by source), path lengths and time to convert of the period's
    conversions in which this campaign took part."""
    journeys = touches[touches["conversion_id"].isin(touched["conversion_id"])]
    lookback = float(workspace.lookback_days) if workspace.lookback_days else None
    names = dict(
        Campaign.objects.for_workspace(workspace)
        .filter(pk__in=journeys["campaign_id"].unique().tolist())
        .values_list("pk", "name")
    )
    # A touch of no campaign (or no source) is an empty step; the page names it.
    by_campaign = journeys.assign(channel=journeys["campaign_id"].map(names).fillna("").astype(str))
    by_source = journeys.assign(channel=journeys["source"].astype(str))

    def paths(frame: pd.DataFrame) -> list[dict[str, Any]]:
        # Collapsed, as marketers read paths: three visits in a row from one campaign are one
        # step. Steps are kept as a list (a campaign name may contain any separator).
        found = top_paths(
            frame,
            touched,
            kind=kind,
            lookback_days=lookback,
            limit=PATH_LIMIT,
            collapse_repeats=True,
            separator=STEP_SEPARATOR,
        )
        records = _records(found)
        for record in records:
            record["steps"] = str(record.pop("path")).split(STEP_SEPARATOR)
        return records

    lengths = path_length_distribution(journeys, touched, kind=kind, lookback_days=lookback)
    times = time_to_convert_distribution(journeys, touched, kind=kind, lookback_days=lookback)
    return {
        "campaign": paths(by_campaign),
        "source": paths(by_source),
        "lengths": _records(lengths),
        "time_to_convert": _records(times),
    }


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows = frame.replace([np.inf], None).to_dict("records")
    return [
        {str(k): (v.item() if hasattr(v, "item") else v) for k, v in row.items()} for row in rows
    ]


def comparison(payload: dict[str, Any], a: str, b: str) -> list[dict[str, Any]]:
    """Credit gained or lost per row moving from model `a` to `b`; with the "elsewhere" row the
    shifts sum to zero (credit only moves)."""
    rows = [*payload["rows"], {"key": "elsewhere", "name": "", **payload["elsewhere"]}]
    return [
        {
            "key": row["key"],
            "name": row["name"],
            "credit_a": row["credit"][a],
            "credit_b": row["credit"][b],
            "shift": round(row["credit"][b] - row["credit"][a], 6),
        }
        for row in rows
    ]


# --- Drill-down ---------------------------------------------------------------------------------
def credited_interactions(
    *, campaign: Campaign, definition: AttributionDefinition, model: str, row: str, today: date
) -> pd.DataFrame:
    """The campaign's interactions in `row` (a dimension value) with the credit each received
    for each conversion under `model`: ``touch_id, conversion_id, credit, amount``, newest
    first."""
    workspace = campaign.workspace
    credits, inputs = credit_services.credits_with_inputs(
        workspace=workspace, kind=definition.conversion, models=[model]
    )
    lower, upper = definition.period(today=today).bounds(workspace.tz)
    conversions = conversion_period(inputs.conversions, lower, upper)
    touches = inputs.touches[inputs.touches["counts"]]
    column = DIMENSION_COLUMNS[definition.dimension]
    mine = touches[
        (touches["campaign_id"] == campaign.pk)
        & touches["conversion_id"].isin(conversions["conversion_id"])
        & (touches[column].astype(str) == row)
    ]
    merged = credits[model].merge(
        mine[["conversion_id", "touch_id", "at"]], on=["conversion_id", "touch_id"]
    )
    values = conversions.set_index("conversion_id")["value"]
    merged["amount"] = merged["credit"] * merged["conversion_id"].map(values)
    return merged.sort_values(["at", "touch_id"], ascending=False).reset_index(drop=True)


# --- Snapshots ----------------------------------------------------------------------------------
@dataclass
class Result:
    """The tab's results: a snapshot (maybe an older one while a new one computes), or why the
    tier does not include the report."""

    snapshot: AttributionSnapshot | None = None
    gated: bool = False
    updating: bool = False

    @property
    def ready(self) -> bool:
        return self.snapshot is not None and self.snapshot.is_ready

    @property
    def failed(self) -> bool:
        return self.snapshot is not None and self.snapshot.status == RunStatus.FAILED


def request_snapshot(
    *, campaign: Campaign, definition: AttributionDefinition, today: date
) -> AttributionSnapshot:
    """The snapshot for the current data version: the stored one or a new pending one queued
    for a worker (computed at once when tasks run in-process)."""
    from reporting.attribution_tasks import compute_attribution_snapshot

    key, data = definition_key(definition, today=today)
    version = credit_services.current_version(campaign.workspace)
    lookup = {"campaign": campaign, "filters_key": key, "data_version": version}
    snapshot = AttributionSnapshot.objects.for_workspace(campaign.workspace_id).filter(**lookup)
    found = snapshot.first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            created = AttributionSnapshot.objects.create(
                workspace_id=campaign.workspace_id, definition=data, **lookup
            )
    except IntegrityError:  # another request queued it first
        return AttributionSnapshot.objects.get(**lookup)
    pk = created.pk
    transaction.on_commit(lambda: compute_attribution_snapshot.delay(pk))
    return created


def compute_snapshot(*, snapshot: AttributionSnapshot) -> AttributionSnapshot:
    """Compute and store the snapshot (a failure is stored with its message)."""
    started = time.monotonic()
    AttributionSnapshot.objects.filter(pk=snapshot.pk).update(status=RunStatus.RUNNING)
    campaign = Campaign.objects.select_related("workspace").get(pk=snapshot.campaign_id)
    definition = resolved_definition(snapshot.definition)
    today = timezone.localdate(timezone=campaign.workspace.tz)
    try:
        payload = compute_payload(campaign=campaign, definition=definition, today=today)
    except Exception as exc:
        snapshot.status, snapshot.error, snapshot.payload = RunStatus.FAILED, str(exc)[:2000], {}
    else:
        snapshot.status, snapshot.error, snapshot.payload = RunStatus.READY, "", payload
    snapshot.computed_at = timezone.now()
    snapshot.duration_ms = int(1000 * (time.monotonic() - started))
    snapshot.save(update_fields=["status", "error", "payload", "computed_at", "duration_ms"])
    return snapshot


def attribution_section(
    *, campaign: Campaign, definition: AttributionDefinition, today: date
) -> Result:
    """What the tab shows now: the computed snapshot, a pending one (with an older computed one
    marked as updating when there is one), or the tier gate."""
    if is_gated(campaign, definition):
        return Result(gated=True)
    snapshot = request_snapshot(campaign=campaign, definition=definition, today=today)
    if snapshot.status in (RunStatus.PENDING, RunStatus.RUNNING):
        from reporting.attribution_tasks import compute_attribution_snapshot

        snapshot.refresh_from_db()
        requeue_if_forgotten(snapshot, pending=RunStatus.PENDING, task=compute_attribution_snapshot)
    if snapshot.is_ready or snapshot.status == RunStatus.FAILED:
        return Result(snapshot=snapshot)
    older = (
        AttributionSnapshot.objects.for_workspace(campaign.workspace_id)
        .filter(campaign=campaign, filters_key=snapshot.filters_key, status=RunStatus.READY)
        .order_by("-data_version")
        .first()
    )
    return Result(snapshot=older or snapshot, updating=True)


def attribution_result(
    *, campaign: Campaign, definition: AttributionDefinition, today: date
) -> dict[str, Any]:
    """The computed tables as plain data (for exports and API clients): the snapshot of the
    current data version, computed here when no worker has yet. Raises PermissionError for a
    report the workspace's tier does not include, RuntimeError when the computation failed."""
    if is_gated(campaign, definition):
        raise PermissionError("deal create and revenue reports are part of the Enterprise tier")
    snapshot = request_snapshot(campaign=campaign, definition=definition, today=today)
    snapshot = AttributionSnapshot.objects.get(pk=snapshot.pk)
    if not snapshot.is_ready:
        with contextlib.suppress(IntegrityError):
            snapshot = compute_snapshot(snapshot=snapshot)
    if not snapshot.is_ready:
        raise RuntimeError(snapshot.error)
    return dict(snapshot.payload)


def delete_stale_snapshots(*, workspace_id: int, older_than: timedelta = timedelta(days=1)) -> int:
    """Snapshots of old data versions replaced by a newer computed one, and old failures."""
    from django.db.models import Exists, OuterRef, Q

    cutoff = timezone.now() - older_than
    snapshots = AttributionSnapshot.objects.for_workspace(workspace_id)
    newer = snapshots.filter(
        campaign_id=OuterRef("campaign_id"),
        filters_key=OuterRef("filters_key"),
        status=RunStatus.READY,
        data_version__gt=OuterRef("data_version"),
    )
    stale = snapshots.filter(requested_at__lt=cutoff).filter(
        Exists(newer) | ~Q(status=RunStatus.READY)
    )
    deleted, _counts = stale.delete()
    return int(deleted)
