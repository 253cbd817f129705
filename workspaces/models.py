"""Tenants (workspaces), people in them, and the workspace's settings."""

from __future__ import annotations

import hashlib
import secrets
import zoneinfo
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class WorkspaceQuerySet(models.QuerySet):
    def for_workspace(self, workspace: Workspace | int) -> WorkspaceQuerySet:
        return self.filter(workspace=workspace)

    def unscoped(self) -> WorkspaceQuerySet:
        """Explicitly unscoped: a grep for `unscoped()` finds every cross-tenant read."""
        return self.all()


class WorkspaceOwned(models.Model):
    """Base for every tenant-owned row: a workspace FK and a scoped manager."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )

    objects: ClassVar[Any] = WorkspaceQuerySet.as_manager()

    class Meta:
        abstract = True


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(tz)s is not a known time zone."), params={"tz": value})


def validate_currency(value: str) -> None:
    if len(value) != 3 or not value.isalpha() or not value.isupper():
        raise ValidationError(_("Use a three-letter ISO 4217 code such as EUR or DKK."))


class Tier(models.TextChoices):
    PROFESSIONAL = "professional", _("Professional")
    ENTERPRISE = "enterprise", _("Enterprise")


class RoiMode(models.TextChoices):
    DEALS = "deals", _("Revenue from deals")
    ESTIMATE = "estimate", _("Estimate revenue")


class RoiCurrency(models.TextChoices):
    COMPANY = "company", _("Company currency")
    ACCOUNT = "account", _("Each ad account's currency")


def _new_public_key() -> str:
    return "pk_" + secrets.token_urlsafe(18)


class Workspace(models.Model):
    """The tenant (the "account" / "portal")."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    tier = models.CharField(
        _("tier"), max_length=20, choices=Tier.choices, default=Tier.PROFESSIONAL
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    currency = models.CharField(
        _("company currency"), max_length=3, default="EUR", validators=[validate_currency]
    )
    revenue_window_days = models.PositiveIntegerField(
        _("revenue report window (days)"),
        default=365,
        validators=[MinValueValidator(1)],
        help_text=_("How far back the revenue reports look; the newer help article uses 3 years."),
    )
    attribution_interaction_types = models.JSONField(
        _("interaction types that count for attribution"), default=list, blank=True
    )
    half_life_days = models.DecimalField(
        _("time-decay half-life (days)"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("7"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    lookback_days = models.PositiveIntegerField(
        _("lookback window (days)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    roi_mode = models.CharField(max_length=10, choices=RoiMode.choices, default=RoiMode.DEALS)
    roi_average_sale_price = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("0")
    )
    roi_contact_to_customer_rate = models.DecimalField(
        max_digits=6, decimal_places=4, default=Decimal("0")
    )
    roi_currency = models.CharField(
        max_length=10, choices=RoiCurrency.choices, default=RoiCurrency.COMPANY
    )
    public_key = models.CharField(max_length=40, unique=True, default=_new_public_key)
    allowed_domains = models.JSONField(default=list, blank=True)
    # Bumped whenever the workspace's data changes; report snapshots are keyed by it.
    data_version = models.PositiveBigIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_enterprise(self) -> bool:
        return self.tier == Tier.ENTERPRISE

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    MARKETER = "marketer", _("Marketer")
    VIEWER = "viewer", _("Viewer")


ROLE_RANK = {Role.VIEWER: 0, Role.MARKETER: 1, Role.ADMIN: 2}


class Team(WorkspaceOwned):
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="team_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Membership(WorkspaceOwned):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MARKETER)
    teams = models.ManyToManyField(Team, blank=True, related_name="memberships")
    notify_email = models.BooleanField(_("email notifications"), default=True)
    notify_in_app = models.BooleanField(_("in-app notifications"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__email"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.workspace_id} ({self.role})"

    def has_role(self, role: str) -> bool:
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(role)]

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def can_edit(self) -> bool:
        return self.has_role(Role.MARKETER)


def hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(WorkspaceOwned):
    """A per-workspace API token. Only its hash is stored; the raw value is shown once."""

    PREFIX = "tp_"

    name = models.CharField(_("name"), max_length=120)
    prefix = models.CharField(max_length=16, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ExchangeRate(WorkspaceOwned):
    """1 unit of `currency` = `rate` units of the company currency, from `effective_date` on."""

    currency = models.CharField(max_length=3, validators=[validate_currency])
    rate = models.DecimalField(max_digits=18, decimal_places=8, validators=[MinValueValidator(0)])
    effective_date = models.DateField()

    class Meta:
        ordering = ["currency", "-effective_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "currency", "effective_date"], name="exchange_rate_unique"
            ),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.rate} from {self.effective_date}"


class Invitation(WorkspaceOwned):
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MARKETER)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.workspace_id}"


def memberships_for(user: User) -> models.QuerySet[Membership]:
    return Membership.objects.unscoped().filter(user=user).select_related("workspace")


class IdempotencyKey(WorkspaceOwned):
    """A POST to the API made with an `Idempotency-Key` header, and the response it got.

    The same key with the same body replays `response_body`; with another body or on another
    endpoint it is refused. Only successful responses are stored (a failed request can be
    retried with its key), and keys expire after `workspaces.api_common.IDEMPOTENCY_KEY_TTL`.
    """

    key = models.CharField(max_length=255)
    endpoint = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "key"], name="idempotency_key_unique")
        ]
        indexes = [models.Index(fields=["workspace", "created_at"], name="idem_ws_created")]

    def __str__(self) -> str:
        return f"{self.key} → {self.endpoint} ({self.response_status})"
