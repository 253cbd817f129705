"""Stored attribution inputs and credits: computed once per workspace, data version, kind,
model and settings, in bulk, and reused by every campaign's report.

Everything here is idempotent: computing a run that is already stored returns the stored one,
and two workers computing the same run at once store it once (the unique key decides).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from attribution import selectors
from attribution.engine import DATA_DRIVEN_MODELS, allocate_many
from attribution.models import AttributionInputs, CreditRun, RunStatus
from attribution.storage import pack_frame, unpack_frame
from tracking.models import InteractionType
from workspaces.models import Workspace

# Revenue split evenly across every interaction before the close (SPEC §4.2, Professional):
# not an engine model of its own but "linear" over all interactions, counting or not.
EVEN_SPLIT = "even_split"


@dataclass
class Inputs:
    conversions: pd.DataFrame
    touches: pd.DataFrame
    problems: dict[int, str] = field(default_factory=dict)
    data_version: int = 0


def current_version(workspace: Workspace | int) -> int:
    pk = workspace if isinstance(workspace, int) else workspace.pk
    return int(Workspace.objects.filter(pk=pk).values_list("data_version", flat=True)[0])


def settings_key(workspace: Workspace) -> str:
    """What the attribution settings make of the data (types, half-life, lookback)."""
    settings = {
        "types": selectors.counting_types(workspace=workspace),
        "half_life": str(workspace.half_life_days),
        "lookback": workspace.lookback_days,
    }
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()


def _stamp(started: float) -> dict[str, Any]:
    return {
        "status": RunStatus.READY,
        "computed_at": timezone.now(),
        "duration_ms": int(1000 * (time.monotonic() - started)),
    }


def _store(model: Any, key: dict[str, Any], values: dict[str, Any]) -> None:
    """Insert the run unless another process stored it first (same data: nothing to do)."""
    try:
        with transaction.atomic():
            model.objects.create(**key, **values)
    except IntegrityError:
        pass


def conversion_inputs(*, workspace: Workspace, kind: str) -> Inputs:
    """The stored inputs of the current data version, loaded and stored first if missing."""
    version = current_version(workspace)
    key = {
        "workspace_id": workspace.pk,
        "kind": kind,
        "settings_key": settings_key(workspace),
        "data_version": version,
    }
    stored = AttributionInputs.objects.filter(**key, status=RunStatus.READY).first()
    if stored is not None:
        return Inputs(
            conversions=unpack_frame(stored.conversions),
            touches=unpack_frame(stored.touches),
            problems={int(k): v for k, v in stored.problems.items()},
            data_version=version,
        )
    started = time.monotonic()
    frames = selectors.conversion_frames(workspace=workspace, kind=kind)
    values = {
        "conversions": pack_frame(frames.conversions),
        "touches": pack_frame(frames.touches),
        "conversion_count": len(frames.conversions),
        "touch_count": len(frames.touches),
        "problems": {str(k): v for k, v in frames.problems.items()},
        **_stamp(started),
    }
    _store(AttributionInputs, key, values)
    return Inputs(frames.conversions, frames.touches, frames.problems, version)


def channel(touches: pd.DataFrame) -> np.ndarray:
    """The data-driven models' channel: the touch's campaign, else its traffic source
    (campaign ids are positive, sources become negative codes)."""
    campaign = touches["campaign_id"].to_numpy(np.int64)
    codes, _labels = pd.factorize(pd.Series(touches["source"], dtype=object), sort=True)
    return np.where(campaign > 0, campaign, -1 - codes.astype(np.int64))


def credits(*, workspace: Workspace, kind: str, models: Sequence[str]) -> dict[str, pd.DataFrame]:
    """``conversion_id, touch_id, credit`` of every conversion of the kind under each model,
    for the current data version: stored runs are read, missing ones computed together (one
    read of the inputs) and stored."""
    return credits_with_inputs(workspace=workspace, kind=kind, models=models)[0]


def credits_with_inputs(
    *, workspace: Workspace, kind: str, models: Sequence[str]
) -> tuple[dict[str, pd.DataFrame], Inputs]:
    inputs = conversion_inputs(workspace=workspace, kind=kind)
    key = {
        "workspace_id": workspace.pk,
        "kind": kind,
        "settings_key": settings_key(workspace),
        "data_version": inputs.data_version,
    }
    found = {
        run.model: unpack_frame(run.credits)
        for run in CreditRun.objects.filter(**key, model__in=list(models), status=RunStatus.READY)
    }
    missing = [m for m in dict.fromkeys(models) if m not in found]
    if missing:
        started = time.monotonic()
        computed = _allocate(workspace, kind, missing, inputs)
        for model, frame in computed.items():
            values = {"credits": pack_frame(frame), "row_count": len(frame), **_stamp(started)}
            _store(CreditRun, {**key, "model": model}, values)
        found.update(computed)
    return {m: found[m] for m in models}, inputs


def _allocate(
    workspace: Workspace, kind: str, models: list[str], inputs: Inputs
) -> dict[str, pd.DataFrame]:
    lookback = float(workspace.lookback_days) if workspace.lookback_days else None
    results: dict[str, pd.DataFrame] = {}
    engine_models = [m for m in models if m != EVEN_SPLIT]
    if EVEN_SPLIT in models:
        if kind != "revenue":
            raise ValueError("the even split is a revenue report")
        # Every interaction before the close shares the revenue, except a form's mere view (a
        # page element seen, not something the contact did; HubSpot leaves it out too).
        everything = inputs.touches[inputs.touches["type"] != InteractionType.FORM_VIEW]
        results[EVEN_SPLIT] = allocate_many(
            everything[["conversion_id", "touch_id", "at"]],
            inputs.conversions,
            models=["linear"],
            kind=kind,
        )["linear"]
    if engine_models:
        counting = inputs.touches[inputs.touches["counts"]]
        touches = counting[["conversion_id", "touch_id", "at"]]
        if any(m in DATA_DRIVEN_MODELS for m in engine_models):
            touches = touches.assign(channel=channel(counting))
        results.update(
            allocate_many(
                touches,
                inputs.conversions,
                models=engine_models,
                kind=kind,
                half_life_days=float(workspace.half_life_days),
                lookback_days=lookback,
            )
        )
    return {m: results[m] for m in models}


def compute_credit_run(*, workspace_id: int, kind: str, model: str) -> str:
    """What the Celery task does: the run for the current data version (stored once)."""
    workspace = Workspace.objects.get(pk=workspace_id)
    credits(workspace=workspace, kind=kind, models=[model])
    return "ready"


def delete_stale_runs(*, workspace_id: int, older_than: timedelta = timedelta(hours=1)) -> int:
    """Drop inputs and credits of older data versions (their reports are stored in snapshots;
    a drill-down reads the current version's runs) and failed ones."""
    version = current_version(workspace_id)
    cutoff = timezone.now() - older_than
    stale = Q(requested_at__lt=cutoff) & (Q(data_version__lt=version) | Q(status=RunStatus.FAILED))
    deleted = 0
    with transaction.atomic():
        for model in (CreditRun, AttributionInputs):
            count, _counts = model.objects.for_workspace(workspace_id).filter(stale).delete()
            deleted += int(count)
    return deleted
