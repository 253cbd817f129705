"""Campaigns, their utm_campaign values, goals, spend items and tracking URLs."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from workspaces.models import WorkspaceOwned, validate_currency


class CampaignStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    COMPLETED = "completed", _("Completed")


class Campaign(WorkspaceOwned):
    name = models.CharField(_("name"), max_length=200)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CampaignStatus.choices, default=CampaignStatus.PLANNED
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["workspace", "status"], name="campaign_ws_status"),
            models.Index(fields=["workspace", "name"], name="campaign_ws_name"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="campaign_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.name


class CampaignUtm(WorkspaceOwned):
    """One utm_campaign value of a campaign; a value belongs to one campaign per workspace."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="utms")
    value = models.CharField(max_length=200)

    class Meta:
        ordering = ["value"]
        constraints = [
            models.UniqueConstraint(
                "workspace", Lower("value"), name="campaign_utm_unique_per_workspace"
            )
        ]

    def __str__(self) -> str:
        return self.value


class GoalMetric(models.TextChoices):
    SESSIONS = "sessions", _("Sessions")
    NEW_CONTACTS = "new_contacts", _("New contacts")
    INFLUENCED_CONTACTS = "influenced_contacts", _("Influenced contacts")
    REVENUE = "revenue", _("Revenue")
    DEALS = "deals", _("Deals")


class CampaignGoal(WorkspaceOwned):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="goals")
    metric = models.CharField(max_length=30, choices=GoalMetric.choices)
    target = models.DecimalField(
        max_digits=16, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "metric"], name="campaign_goal_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()}: {self.target}"


class SpendItem(WorkspaceOwned):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="spend_items")
    name = models.CharField(_("name"), max_length=200)
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    spent_on = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=500, blank=True)

    class Meta:
        ordering = ["spent_on", "id"]
        indexes = [models.Index(fields=["workspace", "campaign"], name="spend_ws_campaign")]

    def __str__(self) -> str:
        return f"{self.name}: {self.amount} {self.currency}"


class TrackingUrl(WorkspaceOwned):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tracking_urls")
    asset = models.OneToOneField(
        "assets.Asset", null=True, blank=True, on_delete=models.SET_NULL, related_name="tracking"
    )
    name = models.CharField(_("name"), max_length=200)
    destination_url = models.URLField(_("destination URL"), max_length=2000)
    utm_source = models.CharField(_("source"), max_length=200)
    utm_medium = models.CharField(_("medium"), max_length=200)
    utm_campaign = models.CharField(_("campaign"), max_length=200)
    utm_term = models.CharField(_("term"), max_length=200, blank=True)
    utm_content = models.CharField(_("content"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def built_url(self) -> str:
        parts = urlsplit(self.destination_url)
        params = {
            "utm_source": self.utm_source,
            "utm_medium": self.utm_medium,
            "utm_campaign": self.utm_campaign,
            "utm_term": self.utm_term,
            "utm_content": self.utm_content,
        }
        extra = urlencode({k: v for k, v in params.items() if v})
        query = f"{parts.query}&{extra}" if parts.query else extra
        return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
