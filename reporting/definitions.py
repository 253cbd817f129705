"""An attribution report's definition: what the Attribution tab shows, what a saved report
stores and what the builder edits. One set of field names, used as the tab's query string, the
saved report's JSON and the builder's form, so a definition moves between them unchanged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from attribution.engine import MODELS
from reporting.compute.periods import Period, resolve_preset
from reporting.forms import MODEL_LABELS, PRESET_CHOICES

CONVERSION_CHOICES = [
    ("contact_create", _("Contact create")),
    ("deal_create", _("Deal create")),
    ("revenue", _("Revenue")),
]
# SPEC §9: Professional has the contact-create report only.
ENTERPRISE_CONVERSIONS = frozenset({"deal_create", "revenue"})
DIMENSION_CHOICES = [
    ("asset", _("Campaign asset")),
    ("asset_type", _("Asset type")),
    ("interaction_type", _("Interaction type")),
    ("source", _("Traffic source")),
]
CHART_CHOICES = [("bar", _("Bar chart")), ("line", _("Line chart")), ("table", _("Table only"))]
ALL_MODEL_LABELS = {**MODEL_LABELS, "markov": _("Markov chain"), "shapley": _("Shapley value")}
ALL_MODEL_CHOICES = [(m, ALL_MODEL_LABELS.get(m, m)) for m in MODELS]
MAX_MODELS = 4


@dataclass(frozen=True)
class AttributionDefinition:
    conversion: str = "contact_create"
    models: tuple[str, ...] = ("linear",)
    dimension: str = "asset"
    range: str = "all"
    start: date | None = None
    end: date | None = None
    chart: str = "bar"

    def period(self, *, today: date) -> Period:
        """The conversion-date period; "all data" runs up to today (future only when chosen)."""
        if self.range == "custom":
            return Period(self.start, self.end)
        if self.range == "all":
            return Period(None, today)
        return resolve_preset(self.range, today=today)

    def as_data(self) -> dict[str, Any]:
        """JSON-able form (a saved report stores this)."""
        data: dict[str, Any] = {
            "conversion": self.conversion,
            "models": list(self.models),
            "dimension": self.dimension,
            "range": self.range,
            "chart": self.chart,
        }
        if self.range == "custom":
            data["start"] = self.start.isoformat() if self.start else None
            data["end"] = self.end.isoformat() if self.end else None
        return data

    def query(self, **changes: Any) -> str:
        """The definition as the tab's query string (`models` repeated), with `changes`."""
        data = {**self.as_data(), **changes}
        pairs: list[tuple[str, str]] = []
        for name, value in data.items():
            if value in (None, ""):
                continue
            values = value if isinstance(value, list | tuple) else [value]
            pairs += [(name, str(v)) for v in values]
        return urlencode(pairs)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> AttributionDefinition:
        """From stored JSON, validated like the query string (a bad value gets its default)."""
        query = QueryDict(mutable=True)
        for name, value in data.items():
            if isinstance(value, list):
                query.setlist(name, [str(v) for v in value])
            elif value is not None:
                query[name] = str(value)
        return AttributionDefinitionForm(query, enterprise=True).definition()


class AttributionDefinitionForm(forms.Form):
    """GET filters of the Attribution tab and the builder's fields. On a Professional workspace
    (enterprise=False) the deal-create and revenue reports are refused with the reason."""

    conversion = forms.ChoiceField(label=_("Report type"), choices=CONVERSION_CHOICES)
    models = forms.MultipleChoiceField(label=_("Attribution models"), choices=ALL_MODEL_CHOICES)
    dimension = forms.ChoiceField(label=_("Break down by"), choices=DIMENSION_CHOICES)
    range = forms.ChoiceField(label=_("Conversion date"), choices=PRESET_CHOICES, required=False)
    start = forms.DateField(
        label=_("Start date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("End date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    chart = forms.ChoiceField(label=_("Chart type"), choices=CHART_CHOICES, required=False)

    def __init__(self, data: Any = None, *, enterprise: bool) -> None:
        super().__init__(data)
        self.enterprise = enterprise

    def clean_models(self) -> list[str]:
        chosen = list(dict.fromkeys(self.cleaned_data.get("models") or []))
        if len(chosen) > MAX_MODELS:
            raise forms.ValidationError(
                _("Pick at most %(count)d models to compare.") % {"count": MAX_MODELS}
            )
        return chosen

    def clean_conversion(self) -> str:
        value = str(self.cleaned_data.get("conversion") or "")
        if value in ENTERPRISE_CONVERSIONS and not self.enterprise:
            raise forms.ValidationError(
                _("Deal create and revenue reports are part of the Enterprise tier.")
            )
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("range") == "custom":
            start, end = cleaned.get("start"), cleaned.get("end")
            if not start and not end:
                self.add_error("start", _("Pick a start date, an end date or both."))
            elif start and end and end < start:
                self.add_error("end", _("The end date is before the start date."))
        return cleaned

    def definition(self) -> AttributionDefinition:
        """The valid definition; each invalid or missing field falls back to its default, so a
        bad query string never breaks the page (the form's errors say what was ignored)."""
        default = AttributionDefinition()
        if not self.is_bound:
            return default
        self.is_valid()
        data = self.cleaned_data

        def pick(name: str) -> Any:
            value = data.get(name)
            return getattr(default, name) if name in self.errors or not value else value

        dates_bad = any(name in self.errors for name in ("range", "start", "end"))
        range_ = default.range if dates_bad else pick("range")
        return AttributionDefinition(
            conversion=pick("conversion"),
            models=tuple(pick("models")),
            dimension=pick("dimension"),
            range=range_,
            start=data.get("start") if range_ == "custom" else None,
            end=data.get("end") if range_ == "custom" else None,
            chart=pick("chart"),
        )
