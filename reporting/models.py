"""Stored report results: one snapshot per campaign + report + filters + data version."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from workspaces.models import WorkspaceOwned


class ReportKind(models.TextChoices):
    OVERVIEW = "overview", _("Overview")
    REVENUE = "revenue", _("Revenue")
    REVENUE_ATTRIBUTION = "revenue_attribution", _("Revenue attribution")
    CONTACTS_SESSIONS = "contacts_sessions", _("Contacts & sessions")
    ASSETS = "assets", _("Asset reports")
    TRAFFIC = "traffic", _("Traffic")


class SnapshotStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a worker")
    RUNNING = "running", _("Computing")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class ReportSnapshot(WorkspaceOwned):
    """A Performance report computed by a worker.

    Keyed by the workspace's data_version: any write to the workspace's data bumps it, so a
    snapshot of an older version is stale (it may still be shown, marked as updating, while the
    new one is computed). `payload` is what the page shows; `drill` holds the ids behind each
    number (read only by the drill-down lists, never by the page).
    """

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="report_snapshots"
    )
    report = models.CharField(max_length=30, choices=ReportKind.choices)
    filters_key = models.CharField(max_length=64)
    filters = models.JSONField(default=dict)
    data_version = models.PositiveBigIntegerField()
    status = models.CharField(
        max_length=10, choices=SnapshotStatus.choices, default=SnapshotStatus.PENDING
    )
    payload = models.JSONField(default=dict, blank=True)
    drill = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-data_version", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "report", "filters_key", "data_version"],
                name="snapshot_unique_key",
            )
        ]
        indexes = [
            models.Index(
                fields=["workspace", "campaign", "report", "filters_key", "-data_version"],
                name="snapshot_lookup",
            )
        ]

    def __str__(self) -> str:
        return f"{self.report} of campaign {self.campaign_id} v{self.data_version}"

    @property
    def is_ready(self) -> bool:
        return self.status == SnapshotStatus.READY


class Visibility(models.TextChoices):
    PRIVATE = "private", _("Private (only me)")
    TEAM = "team", _("My team")
    EVERYONE = "everyone", _("Everyone in the workspace")


class Shared(WorkspaceOwned):
    """Owned by a member and shown to: the owner only, members of `team`, or everyone."""

    name = models.CharField(_("name"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    team = models.ForeignKey(
        "workspaces.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class SavedReport(Shared):
    """An attribution report in the report library: a campaign and a definition (the fields
    of `reporting.definitions.AttributionDefinition`, as its `as_data()`)."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="saved_reports"
    )
    definition = models.JSONField(default=dict)

    class Meta(Shared.Meta):
        indexes = [models.Index(fields=["workspace", "visibility"], name="saved_report_lookup")]


class Dashboard(Shared):
    """A page of saved reports shown as live cards."""

    reports = models.ManyToManyField(SavedReport, through="DashboardReport", related_name="+")

    class Meta(Shared.Meta):
        indexes = [models.Index(fields=["workspace", "visibility"], name="dashboard_lookup")]


class DashboardReport(WorkspaceOwned):
    dashboard = models.ForeignKey(Dashboard, on_delete=models.CASCADE, related_name="cards")
    report = models.ForeignKey(SavedReport, on_delete=models.CASCADE, related_name="cards")
    position = models.PositiveIntegerField(default=0)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dashboard", "report"], name="dashboard_report_once")
        ]


# --- Stored rollups: what the Performance reports read instead of raw touches ------------------
# Written only by `reporting.rollups` (bulk INSERT … SELECT per campaign, in one transaction with
# the campaign's `RollupState`); the row ids they point at are kept without database
# constraints, so the bulk writes skip per-row checks (a deleted row's facts go at the next
# rebuild, which its data-version bump triggers).
class RollupState(WorkspaceOwned):
    """How current a campaign's rollups are: the workspace data version they were built from."""

    campaign = models.OneToOneField(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="rollup_state"
    )
    built_version = models.PositiveBigIntegerField(default=0)
    built_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"rollups of campaign {self.campaign_id} v{self.built_version}"


class CampaignSessionFact(WorkspaceOwned):
    """A session with a page view of a website asset while the campaign held it (one row per
    campaign and session); `at` is the session's first such page view."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(
        "tracking.Session", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    at = models.DateTimeField()
    source = models.CharField(max_length=30, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "session"], name="session_fact_once")
        ]
        indexes = [models.Index(fields=["campaign", "at"], name="session_fact_at")]


class CampaignInfluenceFact(WorkspaceOwned):
    """A contact the campaign influenced (SPEC §4.1) and when it first did; `source` is the
    contact's original source."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey(
        "crm.Contact", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    at = models.DateTimeField()
    source = models.CharField(max_length=30, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "contact"], name="influence_fact_once")
        ]
        indexes = [models.Index(fields=["campaign", "at"], name="influence_fact_at")]


class TrafficDaily(WorkspaceOwned):
    """Sessions landing on URLs with the campaign's utm_campaign, per local day (workspace time
    zone), source and drill-down details."""

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    source = models.CharField(max_length=30, blank=True)
    detail_1 = models.CharField(max_length=300, blank=True)
    detail_2 = models.CharField(max_length=300, blank=True)
    sessions = models.PositiveIntegerField(default=0)
    views = models.PositiveIntegerField(default=0)
    new_visitor_sessions = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["campaign", "day"], name="traffic_daily_day")]


class AssetDaily(WorkspaceOwned):
    """Per asset the campaign holds or held, local day and `kind` (an interaction type, or
    "page_submissions": form submissions in sessions that viewed the page): how many. All of
    the asset's data, whenever it was earned (asset reports are historical)."""

    PAGE_SUBMISSIONS = "page_submissions"

    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    asset = models.ForeignKey(
        "assets.Asset", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    day = models.DateField()
    kind = models.CharField(max_length=30)
    n = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["campaign", "day"], name="asset_daily_day")]
