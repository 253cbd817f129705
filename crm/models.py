"""Contacts (with lifecycle history) and deals (with contact associations)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
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
    # Last change to the contact's own fields (API filter `updated_after`, sync clients).
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["workspace", "updated_at"], name="contact_ws_updated"),
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


# --- CSV imports ---------------------------------------------------------------------------------
class ImportKind(models.TextChoices):
    CONTACTS = "contacts", _("Contacts")
    DEALS = "deals", _("Deals")
    INTERACTIONS = "interactions", _("Interactions")
    ASSETS = "assets", _("Assets")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Waiting for column mapping")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(WorkspaceOwned):
    """One CSV file imported into the workspace (crm/imports describes the semantics)."""

    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    # Name of the uploaded file in the private import storage (crm.imports.storage).
    file_path = models.CharField(max_length=500)
    original_filename = models.CharField(_("file name"), max_length=255)
    file_size = models.PositiveBigIntegerField(default=0)
    encoding = models.CharField(max_length=20, default="utf-8")
    delimiter = models.CharField(max_length=1, default=",")
    # The file's header row, as parsed (column names in file order).
    header = models.JSONField(default=list)
    # Target field name → index of the file column it is read from.
    mapping = models.JSONField(default=dict, blank=True)
    # The UI language of the person who started it: row messages are written in it.
    language = models.CharField(max_length=10, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    # Name of the per-row errors CSV in the import storage ("" while there are none).
    errors_path = models.CharField(max_length=500, blank=True)
    # The first problems, shown on the job page without reading the errors file.
    error_preview = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Touched on every progress update: a running job whose heartbeat stopped was interrupted.
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "-created_at"], name="importjob_ws_created")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import {self.original_filename}"

    @property
    def is_active(self) -> bool:
        return self.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)

    @property
    def percent_done(self) -> int:
        if not self.rows_total:
            return 100 if self.is_finished else 0
        return min(100, round(100 * self.rows_done / self.rows_total))
