"""Input for the workspace settings pages, members, invitations, teams and API tokens."""

from __future__ import annotations

import zoneinfo
from decimal import Decimal
from functools import cache
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tracking.models import NEVER_ATTRIBUTED_TYPES, InteractionType
from workspaces.models import (
    ExchangeRate,
    Membership,
    RoiCurrency,
    RoiMode,
    Role,
    Team,
    Tier,
    Workspace,
)
from workspaces.selectors import attribution_interaction_types

# Active ISO 4217 currencies (precious metals, fund and testing codes left out: nobody keeps
# their books in them).
ISO_4217_CURRENCIES = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP
    BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP
    GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR
    KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK
    MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR
    SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS
    UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
    """.split()  # noqa: SIM905 (a block of codes reads better than 150 quoted strings)
)

# The interaction types an admin may switch on or off; the others never count (SPEC §8).
COUNTABLE_INTERACTION_TYPES = [
    (t.value, t.label) for t in InteractionType if t not in NEVER_ATTRIBUTED_TYPES
]
NEVER_COUNTING_INTERACTION_TYPES = [
    (t.value, t.label) for t in InteractionType if t in NEVER_ATTRIBUTED_TYPES
]


class BootstrapForm(forms.Form):
    """Gives widgets Bootstrap's classes, and `is-invalid` to fields with errors."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            choice_widgets = forms.CheckboxSelectMultiple | forms.RadioSelect | forms.CheckboxInput
            if isinstance(widget, choice_widgets):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


def validate_iso_currency(value: str) -> None:
    if value not in ISO_4217_CURRENCIES:
        raise ValidationError(
            _("%(code)s is not an ISO 4217 currency code; use one such as EUR, USD, DKK or SEK."),
            params={"code": value},
            code="currency",
        )


class CurrencyField(forms.CharField):
    """A three-letter ISO 4217 code; typed in any case, stored upper-case."""

    default_validators = [validate_iso_currency]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("min_length", 3)
        super().__init__(**kwargs)
        self.widget.attrs.update(
            {"autocapitalize": "characters", "spellcheck": "false", "size": "4"}
        )

    def to_python(self, value: Any) -> str:
        return str(super().to_python(value)).strip().upper()


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    zones = sorted(z for z in zoneinfo.available_timezones() if "/" in z or z == "UTC")
    return [(z, z.replace("_", " ")) for z in zones]


class GeneralSettingsForm(BootstrapForm):
    name = forms.CharField(label=_("Workspace name"), max_length=120)
    tier = forms.ChoiceField(
        label=_("Tier"),
        choices=Tier.choices,
        help_text=_(
            "Professional shows the Revenue report; Enterprise adds revenue attribution, "
            "deal-create and revenue attribution reports, teams and the users & teams ads filter."
        ),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        help_text=_("Every day and month in the reports is counted in this time zone."),
    )
    currency = CurrencyField(
        label=_("Company currency"),
        help_text=_(
            "ISO 4217 code, e.g. EUR. Revenue and spend in other currencies are converted with "
            "the exchange rates below."
        ),
    )
    revenue_window_days = forms.IntegerField(
        label=_("Revenue report window (days)"),
        min_value=1,
        max_value=3650,
        help_text=_(
            "How far back the revenue reports look. The default is 365 days; the newer help "
            "article uses 3 years (1095 days)."
        ),
    )

    @classmethod
    def for_workspace(cls, workspace: Workspace, data: Any = None) -> GeneralSettingsForm:
        initial = {
            "name": workspace.name,
            "tier": workspace.tier,
            "time_zone": workspace.time_zone,
            "currency": workspace.currency,
            "revenue_window_days": workspace.revenue_window_days,
        }
        return cls(data=data, initial=initial)


class ExchangeRateForm(BootstrapForm):
    currency = CurrencyField(label=_("Currency"), help_text=_("ISO 4217 code, e.g. USD."))
    rate = forms.DecimalField(
        label=_("Rate"),
        max_digits=18,
        decimal_places=8,
        help_text=_("How much one unit of the currency is worth in the company currency."),
    )
    effective_date = forms.DateField(
        label=_("Effective from"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The rate applies from this day until the next rate for the currency."),
    )

    def __init__(
        self, *args: Any, workspace: Workspace, instance: ExchangeRate | None = None, **kwargs: Any
    ) -> None:
        self.workspace = workspace
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "currency": instance.currency,
                "rate": instance.rate.normalize(),
                "effective_date": instance.effective_date,
            }
        super().__init__(*args, **kwargs)
        self.fields["rate"].label = _("Value of 1 unit in %(code)s") % {"code": workspace.currency}

    def clean_currency(self) -> str:
        currency: str = self.cleaned_data["currency"]
        if currency == self.workspace.currency:
            raise ValidationError(
                _("%(code)s is the company currency; its rate is always 1."),
                params={"code": currency},
            )
        return currency

    def clean_rate(self) -> Decimal:
        rate: Decimal = self.cleaned_data["rate"]
        if rate <= 0:
            raise ValidationError(_("The rate must be greater than zero."))
        return rate

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        currency, effective = data.get("currency"), data.get("effective_date")
        if currency and effective:
            clash = ExchangeRate.objects.for_workspace(self.workspace).filter(
                currency=currency, effective_date=effective
            )
            if self.instance is not None:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error(
                    "effective_date",
                    _("There is already a %(code)s rate from %(date)s; edit that one instead.")
                    % {"code": currency, "date": effective.isoformat()},
                )
        return data


class AttributionSettingsForm(BootstrapForm):
    interaction_types = forms.MultipleChoiceField(
        label=_("Interaction types that count"),
        choices=COUNTABLE_INTERACTION_TYPES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    half_life_days = forms.DecimalField(
        label=_("Time-decay half-life (days)"),
        max_digits=6,
        decimal_places=2,
        help_text=_(
            "In the time-decay model an interaction this many days before the conversion gets "
            "half the weight of one on the day itself. The default is 7."
        ),
    )
    lookback_days = forms.IntegerField(
        label=_("Lookback window (days)"),
        required=False,
        min_value=1,
        max_value=3650,
        help_text=_(
            "Only interactions at most this many days before the conversion get credit. "
            "Leave empty to look back without limit."
        ),
    )

    @classmethod
    def for_workspace(cls, workspace: Workspace, data: Any = None) -> AttributionSettingsForm:
        initial = {
            "interaction_types": attribution_interaction_types(workspace=workspace),
            "half_life_days": workspace.half_life_days.normalize(),
            "lookback_days": workspace.lookback_days,
        }
        return cls(data=data, initial=initial)

    def clean_interaction_types(self) -> list[str]:
        chosen: list[str] = self.cleaned_data["interaction_types"]
        if not chosen:
            raise ValidationError(
                _("Choose at least one interaction type; with none, no conversion gets credit.")
            )
        return chosen

    def clean_half_life_days(self) -> Decimal:
        value: Decimal = self.cleaned_data["half_life_days"]
        if value <= 0:
            raise ValidationError(_("The half-life must be greater than zero days."))
        return value


class RoiSettingsForm(BootstrapForm):
    roi_mode = forms.ChoiceField(
        label=_("How revenue is counted"),
        choices=RoiMode.choices,
        widget=forms.RadioSelect,
    )
    roi_average_sale_price = forms.DecimalField(
        label=_("Average sale price"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        required=False,
        help_text=_("In the company currency. Used when revenue is estimated."),
    )
    roi_contact_to_customer_rate = forms.DecimalField(
        label=_("Contact-to-customer rate (%)"),
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        required=False,
        help_text=_(
            "The share of new contacts that become customers. Used when revenue is estimated."
        ),
    )
    roi_currency = forms.ChoiceField(
        label=_("Currency of ad spend and revenue"),
        choices=RoiCurrency.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Company currency converts each ad account's spend at the day's exchange rate."
        ),
    )

    @classmethod
    def for_workspace(cls, workspace: Workspace, data: Any = None) -> RoiSettingsForm:
        initial = {
            "roi_mode": workspace.roi_mode,
            "roi_average_sale_price": workspace.roi_average_sale_price,
            # Stored as a fraction (the formula's `rate`), edited as a percentage.
            "roi_contact_to_customer_rate": (workspace.roi_contact_to_customer_rate * 100).quantize(
                Decimal("0.01")
            ),
            "roi_currency": workspace.roi_currency,
        }
        return cls(data=data, initial=initial)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        estimating = data.get("roi_mode") == RoiMode.ESTIMATE
        price = data.get("roi_average_sale_price")
        rate = data.get("roi_contact_to_customer_rate")
        if estimating and not price and "roi_average_sale_price" not in self.errors:
            self.add_error(
                "roi_average_sale_price",
                _("To estimate revenue, enter an average sale price greater than zero."),
            )
        if estimating and not rate and "roi_contact_to_customer_rate" not in self.errors:
            self.add_error(
                "roi_contact_to_customer_rate",
                _("To estimate revenue, enter a contact-to-customer rate greater than zero."),
            )
        return data

    @property
    def rate_fraction(self) -> Decimal:
        percent = self.cleaned_data.get("roi_contact_to_customer_rate") or Decimal("0")
        return (percent / 100).quantize(Decimal("0.0001"))


class MemberRoleForm(BootstrapForm):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class InviteForm(BootstrapForm):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MARKETER)

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        self.workspace = workspace
        super().__init__(*args, **kwargs)

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip().lower()
        if (
            Membership.objects.for_workspace(self.workspace)
            .filter(user__email__iexact=email)
            .exists()
        ):
            raise ValidationError(
                _("%(email)s is already a member of this workspace."), params={"email": email}
            )
        return email


class TeamForm(BootstrapForm):
    name = forms.CharField(label=_("Team name"), max_length=120)

    def __init__(self, *args: Any, workspace: Workspace, team: Team | None = None, **kwargs: Any):
        self.workspace = workspace
        self.team = team
        if team is not None and "initial" not in kwargs:
            kwargs["initial"] = {"name": team.name}
        super().__init__(*args, **kwargs)

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        clash = Team.objects.for_workspace(self.workspace).filter(name__iexact=name)
        if self.team is not None:
            clash = clash.exclude(pk=self.team.pk)
        if clash.exists():
            raise ValidationError(
                _("There is already a team called %(name)s."), params={"name": name}
            )
        return name


class MembershipChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.user.email or obj.user.get_username())


class TeamMemberForm(BootstrapForm):
    membership = MembershipChoiceField(
        label=_("Member"),
        queryset=Membership.objects.none(),
        empty_label=_("Choose a member"),
        error_messages={"invalid_choice": _("Choose a member of this workspace.")},
    )

    def __init__(self, *args: Any, workspace: Workspace, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["membership"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            Membership.objects.for_workspace(workspace)
            .exclude(teams=team)
            .select_related("user")
            .order_by("user__email")
        )


class ApiTokenForm(BootstrapForm):
    name = forms.CharField(
        label=_("Token name"),
        max_length=120,
        help_text=_(
            "What the token is for, e.g. “CRM sync”, so you know what stops working if you "
            "revoke it."
        ),
    )


class NotificationPreferencesForm(BootstrapForm):
    notify_email = forms.BooleanField(
        label=_("Email me"),
        required=False,
        help_text=_("For example when an export is ready: an email with the download link."),
    )
    notify_in_app = forms.BooleanField(
        label=_("Show in the notification center"),
        required=False,
        help_text=_("The bell at the top of every page, with the unread count."),
    )

    @classmethod
    def for_membership(
        cls, membership: Membership, data: Any = None
    ) -> NotificationPreferencesForm:
        initial = {
            "notify_email": membership.notify_email,
            "notify_in_app": membership.notify_in_app,
        }
        return cls(data=data, initial=initial)
