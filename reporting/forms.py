"""The Performance tab's filters (GET): date range preset or custom dates, contact attribution,
revenue-attribution model and chart frequency."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext_lazy as _

from attribution.engine import RULE_BASED_MODELS
from reporting.compute.periods import Period, resolve_preset
from reporting.selectors import DrillScope, campaign_held_asset
from reporting.services import ReportFilters

PRESET_CHOICES = [
    ("all", _("All data")),
    ("today", _("Today")),
    ("yesterday", _("Yesterday")),
    ("this_week", _("This week")),
    ("last_week", _("Last week")),
    ("this_month", _("This month")),
    ("last_month", _("Last month")),
    ("this_quarter", _("This quarter")),
    ("last_quarter", _("Last quarter")),
    ("this_year", _("This year")),
    ("last_year", _("Last year")),
    ("last_7_days", _("Last 7 days")),
    ("last_30_days", _("Last 30 days")),
    ("last_90_days", _("Last 90 days")),
    ("last_365_days", _("Last 365 days")),
    ("custom", _("Custom dates")),
]
TOUCH_CHOICES = [("first", _("First touch")), ("last", _("Last touch"))]
MODEL_LABELS = {
    "first_interaction": _("First interaction"),
    "last_interaction": _("Last interaction"),
    "linear": _("Linear"),
    "u_shaped": _("U-shaped"),
    "w_shaped": _("W-shaped"),
    "full_path": _("Full path"),
    "j_shaped": _("J-shaped"),
    "inverse_j_shaped": _("Inverse J-shaped"),
    "time_decay": _("Time decay"),
}
MODEL_CHOICES = [(m, MODEL_LABELS.get(m, m)) for m in RULE_BASED_MODELS]
FREQUENCY_CHOICES = [("daily", _("Daily")), ("monthly", _("Monthly"))]


class PerformanceFilterForm(forms.Form):
    range = forms.ChoiceField(label=_("Date range"), choices=PRESET_CHOICES, required=False)
    start = forms.DateField(
        label=_("Start date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("End date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    touch = forms.ChoiceField(label=_("Contact attribution"), choices=TOUCH_CHOICES, required=False)
    model = forms.ChoiceField(label=_("Attribution model"), choices=MODEL_CHOICES, required=False)
    frequency = forms.ChoiceField(label=_("Frequency"), choices=FREQUENCY_CHOICES, required=False)

    defaults: dict[str, Any] = {
        "range": "all",
        "touch": "first",
        "model": "linear",
        "frequency": "daily",
    }

    def __init__(self, data: Any = None, *, today: date) -> None:
        super().__init__(data)
        self.today = today

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("range") == "custom":
            start, end = cleaned.get("start"), cleaned.get("end")
            if not start and not end:
                self.add_error("start", _("Pick a start date, an end date or both."))
            elif start and end and end < start:
                self.add_error("end", _("The end date is before the start date."))
        return cleaned

    def value(self, name: str) -> Any:
        """The filter's valid value, or its default (a bad value never breaks the page)."""
        if not self.is_bound:
            return self.defaults.get(name)
        self.is_valid()
        if name in self.errors or (name in ("start", "end", "range") and self._range_invalid()):
            return self.defaults.get(name)
        value = self.cleaned_data.get(name)
        return self.defaults.get(name) if value in (None, "") else value

    def _range_invalid(self) -> bool:
        return any(name in self.errors for name in ("start", "end", "range"))

    def period(self) -> Period:
        preset = self.value("range")
        if preset == "custom":
            return Period(self.value("start"), self.value("end"))
        return resolve_preset(preset, today=self.today)

    def report_filters(self) -> ReportFilters:
        return ReportFilters(
            period=self.period(), touch=self.value("touch"), model=self.value("model")
        )

    def query(self, **changes: Any) -> str:
        """The current filters as a query string (with `changes`), for links and polling."""
        values = {name: self.value(name) for name in self.fields}
        values.update(changes)
        if values.get("range") != "custom":
            values.pop("start", None)
            values.pop("end", None)
        return urlencode({k: v for k, v in values.items() if v not in (None, "")})


class DrillPageForm(forms.Form):
    page = forms.IntegerField(min_value=1, required=False)


class DrillScopeForm(forms.Form):
    """What a Traffic or asset drill-down list is limited to (`reporting.selectors.DrillScope`):
    an asset of the campaign, or a traffic source and its details. A detail given empty means
    "(none)"; left out, any."""

    asset = forms.IntegerField(min_value=1, required=False)
    source = forms.CharField(max_length=30, required=False)
    detail_1 = forms.CharField(max_length=300, required=False, strip=False)
    detail_2 = forms.CharField(max_length=300, required=False, strip=False)
    page = forms.IntegerField(min_value=1, required=False)

    def _given(self, name: str) -> str | None:
        return str(self.cleaned_data.get(name) or "") if name in self.data else None

    def scope(self, *, campaign: Any) -> DrillScope:
        asset_id = self.cleaned_data.get("asset")
        return DrillScope(
            asset=campaign_held_asset(campaign=campaign, asset_id=asset_id) if asset_id else None,
            source=self._given("source"),
            detail_1=self._given("detail_1"),
            detail_2=self._given("detail_2"),
        )

    def query(self) -> str:
        """The scope as a query string (for the pages of the list)."""
        names = ("asset", "source", "detail_1", "detail_2")
        return urlencode({n: self.data[n] for n in names if n in self.data})


class TrackingUrlForm(forms.Form):
    """The tracking URL builder: a destination and its utm values (SPEC §2, §4.6)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    destination_url = forms.URLField(
        label=_("Destination URL"),
        max_length=1500,
        assume_scheme="https",
        help_text=_("The page the link opens, e.g. https://www.example.com/offer"),
    )
    utm_campaign = forms.ChoiceField(label=_("Campaign (utm_campaign)"))
    utm_source = forms.CharField(
        label=_("Source (utm_source)"), max_length=200, help_text=_("e.g. newsletter, linkedin")
    )
    utm_medium = forms.CharField(
        label=_("Medium (utm_medium)"), max_length=200, help_text=_("e.g. email, social, cpc")
    )
    utm_term = forms.CharField(label=_("Term (utm_term)"), max_length=200, required=False)
    utm_content = forms.CharField(label=_("Content (utm_content)"), max_length=200, required=False)

    def __init__(self, data: Any = None, *, utm_values: list[str]) -> None:
        super().__init__(data)
        field = self.fields["utm_campaign"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(v, v) for v in utm_values]
        for name, each in self.fields.items():
            css = "form-select" if name == "utm_campaign" else "form-control"
            each.widget.attrs["class"] = css

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] += " is-invalid"
                widget.attrs["aria-invalid"] = "true"

    def clean_destination_url(self) -> str:
        url = str(self.cleaned_data["destination_url"]).strip()
        if not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError(_("The destination must start with http:// or https://."))
        if "utm_" in url.lower().split("?", 1)[-1] and "?" in url:
            raise forms.ValidationError(
                _(
                    "The destination URL already has utm parameters; remove them, "
                    "the builder adds them."
                )
            )
        return url

    def _clean_value(self, name: str) -> str:
        value = str(self.cleaned_data.get(name) or "").strip()
        if any(c in value for c in "&#?="):
            raise forms.ValidationError(_("Use letters, numbers, - and _ here (not & # ? =)."))
        return value

    def clean_utm_source(self) -> str:
        return self._clean_value("utm_source")

    def clean_utm_medium(self) -> str:
        return self._clean_value("utm_medium")

    def clean_utm_term(self) -> str:
        return self._clean_value("utm_term")

    def clean_utm_content(self) -> str:
        return self._clean_value("utm_content")
