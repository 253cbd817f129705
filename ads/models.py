"""Ad accounts and the network objects under them, with daily network metrics.

The hierarchy is normalised to three levels so every network reads the same way:
AdCampaign (Facebook campaign / LinkedIn campaign group / Google campaign) →
AdGroup (Facebook ad set / LinkedIn campaign / Google ad group) → Ad, and Keyword (Google).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from workspaces.models import WorkspaceOwned, validate_currency, validate_time_zone


class Network(models.TextChoices):
    FACEBOOK = "facebook", _("Facebook")
    GOOGLE = "google", _("Google Ads")
    LINKEDIN = "linkedin", _("LinkedIn")


class AdStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    DELETED = "deleted", _("Deleted")


class AdAccount(WorkspaceOwned):
    network = models.CharField(max_length=20, choices=Network.choices)
    external_id = models.CharField(max_length=100)
    name = models.CharField(max_length=200)
    currency = models.CharField(max_length=3, validators=[validate_currency])
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    # Empty users and teams: everyone in the workspace may see the account.
    allowed_users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    allowed_teams = models.ManyToManyField("workspaces.Team", blank=True, related_name="+")
    last_synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["network", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "network", "external_id"], name="adaccount_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_network_display()}: {self.name}"


class AdCampaign(WorkspaceOwned):
    account = models.ForeignKey(AdAccount, on_delete=models.CASCADE, related_name="campaigns")
    external_id = models.CharField(max_length=100)
    name = models.CharField(max_length=300)
    status = models.CharField(max_length=10, choices=AdStatus.choices, default=AdStatus.ACTIVE)
    campaign_type = models.CharField(max_length=100, blank=True)
    tracked = models.BooleanField(default=True)
    asset = models.OneToOneField(
        "assets.Asset", null=True, blank=True, on_delete=models.SET_NULL, related_name="ad_campaign"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "account", "external_id"], name="adcampaign_unique"
            )
        ]
        indexes = [models.Index(fields=["workspace", "status"], name="adcampaign_ws_status")]

    def __str__(self) -> str:
        return self.name


class AdGroup(WorkspaceOwned):
    ad_campaign = models.ForeignKey(AdCampaign, on_delete=models.CASCADE, related_name="groups")
    external_id = models.CharField(max_length=100)
    name = models.CharField(max_length=300)
    status = models.CharField(max_length=10, choices=AdStatus.choices, default=AdStatus.ACTIVE)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "ad_campaign", "external_id"], name="adgroup_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Ad(WorkspaceOwned):
    ad_group = models.ForeignKey(AdGroup, on_delete=models.CASCADE, related_name="ads")
    external_id = models.CharField(max_length=100)
    name = models.CharField(max_length=300)
    status = models.CharField(max_length=10, choices=AdStatus.choices, default=AdStatus.ACTIVE)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "ad_group", "external_id"], name="ad_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Keyword(WorkspaceOwned):
    ad_group = models.ForeignKey(AdGroup, on_delete=models.CASCADE, related_name="keywords")
    external_id = models.CharField(max_length=100)
    text = models.CharField(max_length=300)
    match_type = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["text"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "ad_group", "external_id"], name="keyword_unique"
            )
        ]

    def __str__(self) -> str:
        return self.text


class AdMetricDaily(WorkspaceOwned):
    """Network-reported numbers for one object on one day (in the account's currency and zone).

    Rows are stored at the finest level the network reports (ad, or keyword for Google search)
    and at campaign level for objects reported only there; reports sum upward.
    """

    date = models.DateField()
    ad_campaign = models.ForeignKey(AdCampaign, on_delete=models.CASCADE, related_name="metrics")
    ad_group = models.ForeignKey(AdGroup, null=True, blank=True, on_delete=models.CASCADE)
    ad = models.ForeignKey(Ad, null=True, blank=True, on_delete=models.CASCADE)
    keyword = models.ForeignKey(Keyword, null=True, blank=True, on_delete=models.CASCADE)
    impressions = models.PositiveBigIntegerField(default=0)
    clicks = models.PositiveBigIntegerField(default=0)
    spend = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    engagements = models.PositiveBigIntegerField(default=0)
    likes = models.PositiveBigIntegerField(default=0)
    network_conversions = models.PositiveBigIntegerField(default=0)
    first_page_cpc = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    average_position = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    conversion_rate = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    max_cpc = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    top_cpc = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "ad_campaign", "date"], name="admetric_ws_campaign"),
            models.Index(fields=["workspace", "date"], name="admetric_ws_date"),
        ]
        constraints = [
            # One row per object and day; COALESCE makes "no group/ad/keyword" a value, so
            # the rule holds on every database (NULLS NOT DISTINCT is PostgreSQL-only).
            models.UniqueConstraint(
                F("workspace"),
                F("date"),
                F("ad_campaign"),
                Coalesce("ad_group", Value(0)),
                Coalesce("ad", Value(0)),
                Coalesce("keyword", Value(0)),
                name="admetric_unique",
            )
        ]
