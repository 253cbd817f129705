"""Stored attribution: the inputs and credits of a workspace per data version, and the
Attribution tab's snapshots.

Credits are computed once per (workspace, data version, conversion kind, model, settings) for
every conversion of the workspace and reused by every campaign's report of that version: a
campaign's report only sums the credits of its own interactions. Both the inputs (conversions
and their pooled touches) and the credits are columnar blobs (`attribution.storage`).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from workspaces.models import WorkspaceOwned


class ConversionKind(models.TextChoices):
    CONTACT_CREATE = "contact_create", _("Contact create")
    DEAL_CREATE = "deal_create", _("Deal create")
    REVENUE = "revenue", _("Revenue")


class RunStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a worker")
    RUNNING = "running", _("Computing")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class StoredRun(WorkspaceOwned):
    data_version = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=20, choices=ConversionKind.choices)
    # Hash of the attribution settings the run used (types, half-life, lookback).
    settings_key = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.PENDING)
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        abstract = True


class AttributionInputs(StoredRun):
    """Every conversion of one kind in the workspace with its pooled, de-duplicated touches."""

    conversions = models.BinaryField(default=b"")
    touches = models.BinaryField(default=b"")
    conversion_count = models.PositiveIntegerField(default=0)
    touch_count = models.PositiveIntegerField(default=0)
    # Deals left out because their amount could not be converted: deal id → message.
    problems = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "kind", "settings_key", "data_version"],
                name="attribution_inputs_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} inputs v{self.data_version}"


class CreditRun(StoredRun):
    """The credits of one model: ``conversion_id, touch_id, credit`` for every conversion."""

    model = models.CharField(max_length=30)
    credits = models.BinaryField(default=b"")
    row_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "kind", "model", "settings_key", "data_version"],
                name="credit_run_once",
            )
        ]
        indexes = [models.Index(fields=["workspace", "data_version"], name="credit_run_version")]

    def __str__(self) -> str:
        return f"{self.model} {self.kind} credits v{self.data_version}"


class AttributionSnapshot(WorkspaceOwned):
    """One Attribution-tab result (a campaign + definition + data version) computed by a
    worker; `payload` is what the tab and the dashboards' cards show."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="attribution_snapshots"
    )
    filters_key = models.CharField(max_length=64)
    definition = models.JSONField(default=dict)
    data_version = models.PositiveBigIntegerField()
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.PENDING)
    payload = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "filters_key", "data_version"],
                name="attribution_snapshot_once",
            )
        ]
        indexes = [
            models.Index(
                fields=["workspace", "campaign", "filters_key", "-data_version"],
                name="attribution_snapshot_lookup",
            )
        ]

    def __str__(self) -> str:
        return f"attribution of campaign {self.campaign_id} v{self.data_version}"

    @property
    def is_ready(self) -> bool:
        return self.status == RunStatus.READY
