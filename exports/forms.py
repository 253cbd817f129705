"""The export dialog's input: format, all or selected reports, the Enterprise model. The
Performance filters travel along as hidden fields and are read by `PerformanceFilterForm`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from exports.models import ExportFormat
from reporting.forms import MODEL_CHOICES
from reporting.templatetags.reporting_tags import report_label

SCOPE_CHOICES = [("all", _("All data")), ("selected", _("Only selected data"))]


class ExportFormatForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"),
        choices=ExportFormat.choices,
        initial=ExportFormat.XLSX,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"invalid_choice": _("Choose CSV, XLS, XLSX or PDF.")},
    )


class CampaignExportForm(ExportFormatForm):
    scope = forms.ChoiceField(
        label=_("Data"),
        choices=SCOPE_CHOICES,
        initial="all",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    sections = forms.MultipleChoiceField(
        label=_("Reports"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    model = forms.ChoiceField(
        label=_("Attribution model for Revenue attribution"),
        choices=MODEL_CHOICES,
        required=False,
    )

    def __init__(self, data: Any = None, *, reports: list[str], enterprise: bool, **kw: Any):
        super().__init__(data, **kw)
        field = self.fields["sections"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(r, report_label(r)) for r in reports]
        field.initial = list(reports)
        if enterprise:
            self.fields["model"].required = True
            self.fields["model"].widget.attrs["class"] = "form-select"
        else:
            del self.fields["model"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("scope") == "selected" and not cleaned.get("sections"):
            self.add_error("sections", _("Tick at least one report, or choose “All data”."))
        return cleaned

    def chosen_sections(self) -> list[str] | None:
        """None for all data."""
        if self.cleaned_data.get("scope") != "selected":
            return None
        return list(self.cleaned_data.get("sections") or [])


class AttributionExportForm(ExportFormatForm):
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("The file's title and name."),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
