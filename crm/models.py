"""Contacts (with lifecycle history) and deals (with contact associations)."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from workspaces.models import WorkspaceOwned, validate_currency


class LifecycleStage(models.TextChoices):
    SUBSCRIBER = "subscriber", _("Subscriber")
    LEAD = "lead", _("Lead")
    MQL = "marketingqualifiedlead", _("Marketing qualified lead")
    SQL = "salesqualifiedlead", _("Sales qualified lead")
    OPPORTUNITY = "opportunity", _("Opportunity")
    CUSTOMER = "customer", _("Customer")
    EVANGELIST = "evangelist", _("Evangelist")
    OTHER = "other", _("Other")


class CreationChannel(models.TextChoices):
    WEB_FORM = "web_form", _("Web form")
    IMPORT = "import", _("Import")
    API = "api", _("API")
    MANUAL = "manual", _("Manual")


OFFLINE_CHANNELS = frozenset({CreationChannel.IMPORT, CreationChannel.API, CreationChannel.MANUAL})


class TrafficSource(models.TextChoices):
    ORGANIC_SEARCH = "organic_search", _("Organic search")
    PAID_SEARCH = "paid_search", _("Paid search")
    ORGANIC_SOCIAL = "organic_social", _("Organic social")
    PAID_SOCIAL = "paid_social", _("Paid social")
    EMAIL_MARKETING = "email_marketing", _("Email marketing")
    OTHER_CAMPAIGNS = "other_campaigns", _("Other campaigns")
    REFERRALS = "referrals", _("Referrals")
    DIRECT_TRAFFIC = "direct_traffic", _("Direct traffic")
    OFFLINE_SOURCES = "offline_sources", _("Offline sources")


class Contact(WorkspaceOwned):
    email = models.EmailField(_("email"), max_length=254)
    first_name = models.CharField(_("first name"), max_length=120, blank=True)
    last_name = models.CharField(_("last name"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("created"))
    lifecycle_stage = models.CharField(
        _("lifecycle stage"),
        max_length=30,
        choices=LifecycleStage.choices,
        default=LifecycleStage.SUBSCRIBER,
    )
    creation_channel = models.CharField(
        max_length=20, choices=CreationChannel.choices, default=CreationChannel.WEB_FORM
    )
    original_source = models.CharField(
        _("original source"), max_length=30, choices=TrafficSource.choices, blank=True
    )
    original_source_detail_1 = models.CharField(max_length=300, blank=True)
    original_source_detail_2 = models.CharField(max_length=300, blank=True)
    first_touch_campaign = models.ForeignKey(
        "campaigns.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_touch_campaign = models.ForeignKey(
        "campaigns.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    external_id = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["workspace", "created_at"], name="contact_ws_created"),
            models.Index(fields=["workspace", "first_touch_campaign"], name="contact_ws_ftc"),
            models.Index(fields=["workspace", "last_touch_campaign"], name="contact_ws_ltc"),
        ]
        constraints = [
            models.UniqueConstraint("workspace", Lower("email"), name="contact_email_unique_ci")
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class LifecycleStageChange(WorkspaceOwned):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="stage_history")
    stage = models.CharField(max_length=30, choices=LifecycleStage.choices)
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["workspace", "contact", "changed_at"], name="stage_ws_c")]


class DealStage(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED_WON = "closed_won", _("Closed won")
    CLOSED_LOST = "closed_lost", _("Closed lost")


class Deal(WorkspaceOwned):
    name = models.CharField(_("name"), max_length=300)
    amount = models.DecimalField(
        _("amount"), max_digits=16, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    pipeline = models.CharField(_("pipeline"), max_length=120, default="default")
    stage = models.CharField(
        _("stage"), max_length=20, choices=DealStage.choices, default=DealStage.OPEN
    )
    created_at = models.DateTimeField(_("created"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    external_id = models.CharField(max_length=200, blank=True)
    contacts = models.ManyToManyField(Contact, through="DealContact", related_name="deals")

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["workspace", "stage", "closed_at"], name="deal_ws_stage_closed"),
            models.Index(fields=["workspace", "created_at"], name="deal_ws_created"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "external_id"],
                condition=~models.Q(external_id=""),
                name="deal_external_id_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(stage="open") | models.Q(closed_at__isnull=False),
                name="deal_closed_has_close_date",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DealContact(WorkspaceOwned):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="contact_links")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="deal_links")
    associated_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["workspace", "contact"], name="dealcontact_ws_contact")]
        constraints = [
            models.UniqueConstraint(fields=["deal", "contact"], name="deal_contact_unique")
        ]
