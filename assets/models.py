"""Marketing assets and their campaign associations (with history)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from workspaces.models import WorkspaceOwned


class AssetType(models.TextChoices):
    BLOG_POST = "blog_post", _("Blog post")
    WEBSITE_PAGE = "website_page", _("Website page")
    LANDING_PAGE = "landing_page", _("Landing page")
    FORM = "form", _("Form")
    CTA = "cta", _("CTA")
    MARKETING_EMAIL = "marketing_email", _("Marketing email")
    SOCIAL_POST = "social_post", _("Social post")
    AD_CAMPAIGN = "ad_campaign", _("Ad campaign")
    PAID_SEARCH = "paid_search", _("Paid search campaign")
    TRACKING_URL = "tracking_url", _("Tracking URL")
    WORKFLOW = "workflow", _("Workflow")
    STATIC_LIST = "static_list", _("Static list")
    MARKETING_EVENT = "marketing_event", _("Marketing event")
    MEDIA = "media", _("Media")


# Asset types whose pages are "the campaign's website assets" (sessions, page views).
WEBSITE_ASSET_TYPES = frozenset(
    {AssetType.BLOG_POST, AssetType.WEBSITE_PAGE, AssetType.LANDING_PAGE}
)
# Types that may belong to several campaigns at once.
MULTI_CAMPAIGN_TYPES = frozenset({AssetType.WORKFLOW})
# Types that stay hidden in a campaign until they have had a visit after the campaign was created.
SHOWN_AFTER_VISIT_TYPES = frozenset({AssetType.PAID_SEARCH, AssetType.TRACKING_URL})
MAX_SOCIAL_POSTS_PER_CAMPAIGN = 10_000


class Asset(WorkspaceOwned):
    type = models.CharField(_("type"), max_length=30, choices=AssetType.choices)
    name = models.CharField(_("name"), max_length=300)
    url = models.URLField(_("URL"), max_length=2000, blank=True)
    # Scheme-less, lower-cased host + path without trailing slash or query: what page views match.
    normalized_url = models.CharField(max_length=2000, blank=True, db_index=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    external_id = models.CharField(_("external id"), max_length=200, blank=True)
    # A/B emails: variants share a group; only the winner counts in revenue attribution.
    ab_group = models.CharField(max_length=100, blank=True)
    ab_is_winner = models.BooleanField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["workspace", "type"], name="asset_ws_type"),
            models.Index(fields=["workspace", "normalized_url"], name="asset_ws_url"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "type", "external_id"],
                condition=~models.Q(external_id=""),
                name="asset_external_id_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def allows_several_campaigns(self) -> bool:
        return self.type in MULTI_CAMPAIGN_TYPES


class AssetAssociation(WorkspaceOwned):
    """An asset held by a campaign from associated_at until dissociated_at (open: still held)."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="associations")
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="associations"
    )
    # Denormalised from the asset so the database can enforce "one campaign at a time".
    exclusive = models.BooleanField(default=True)
    asset_type = models.CharField(max_length=30, choices=AssetType.choices)
    associated_at = models.DateTimeField()
    dissociated_at = models.DateTimeField(null=True, blank=True)
    associated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["associated_at", "id"]
        indexes = [
            models.Index(fields=["workspace", "campaign", "asset_type"], name="assoc_ws_campaign"),
            models.Index(fields=["workspace", "asset", "associated_at"], name="assoc_ws_asset"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["asset"],
                condition=models.Q(dissociated_at__isnull=True, exclusive=True),
                name="assoc_one_open_campaign_per_asset",
            ),
            models.UniqueConstraint(
                fields=["asset", "campaign"],
                condition=models.Q(dissociated_at__isnull=True),
                name="assoc_one_open_row_per_pair",
            ),
            models.CheckConstraint(
                condition=models.Q(dissociated_at__isnull=True)
                | models.Q(dissociated_at__gte=models.F("associated_at")),
                name="assoc_interval_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.asset_id} in {self.campaign_id} from {self.associated_at}"
