"""All input of the CRM pages: the import upload, the preview's delimiter and the column
mapping."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.forms import FilterForm
from crm.imports.fields import Field, fields_for, guess_mapping
from crm.imports.parsing import DELIMITER_LABELS, MAX_FILE_BYTES, file_too_large_message
from crm.models import ImportKind

KIND_HELP = {
    ImportKind.CONTACTS: _("Email, name, created date, lifecycle stage. Keyed by email."),
    ImportKind.DEALS: _(
        "External id, name, amount, currency, stage, dates and contact emails. Keyed by "
        "external id."
    ),
    ImportKind.INTERACTIONS: _(
        "Form submissions, email sends, opens and clicks, event attendance, meetings, calls… "
        "for contacts already in the workspace."
    ),
    ImportKind.ASSETS: _(
        "Pages, forms, emails, social posts and more, optionally added to a campaign."
    ),
}


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What does the file hold?"),
        choices=ImportKind.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": _("Choose what the file holds.")},
    )
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Comma-, semicolon- or tab-separated, with a header row. At most 10 MB and 50,000 rows."
        ),
        widget=forms.ClearableFileInput(
            attrs={"class": "form-control", "accept": ".csv,.txt,.tsv,text/csv"}
        ),
        error_messages={
            "required": _("Choose the CSV file to import."),
            "empty": _("The file is empty."),
        },
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(file_too_large_message(upload.size))
        return upload


DELIMITER_CHOICES = [(d, label) for d, label in DELIMITER_LABELS.items()]


class ImportPreviewForm(FilterForm):
    """GET: read the file again with another delimiter when the detected one was wrong."""

    delimiter = forms.ChoiceField(
        label=_("Delimiter"),
        required=False,
        choices=DELIMITER_CHOICES,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    defaults = {"delimiter": ""}


class ImportMappingForm(forms.Form):
    """One select per field of the kind: which column of the file holds it."""

    delimiter = forms.ChoiceField(choices=DELIMITER_CHOICES, widget=forms.HiddenInput)

    def __init__(
        self, data: Any = None, *, kind: str, header: list[str], delimiter: str, **kwargs: Any
    ) -> None:
        guessed = guess_mapping(kind, header)
        initial = {name: str(index) for name, index in guessed.items()}
        initial["delimiter"] = delimiter
        super().__init__(data, initial=initial, **kwargs)
        self.kind = kind
        self.header = header
        self.guessed = guessed
        choices: list[tuple[str, Any]] = [("", _("— Don't import —"))]
        choices += [(str(i), f"{_column_letter(i)}: {name}") for i, name in enumerate(header)]
        for field in fields_for(kind):
            self.fields[field.name] = self._select(field, choices)

    @staticmethod
    def _select(field: Field, choices: list[tuple[str, Any]]) -> forms.ChoiceField:
        return forms.ChoiceField(
            label=field.label,
            required=field.required,
            choices=choices,
            help_text=field.help,
            widget=forms.Select(attrs={"class": "form-select"}),
            error_messages={
                "required": _("Choose the column that holds %(field)s.") % {"field": field.label}
            },
        )

    def field_rows(self) -> list[tuple[Field, forms.BoundField]]:
        return [(f, self[f.name]) for f in fields_for(self.kind)]

    def mapping(self) -> dict[str, int]:
        return {
            f.name: int(self.cleaned_data[f.name])
            for f in fields_for(self.kind)
            if self.cleaned_data.get(f.name)
        }


def _column_letter(index: int) -> str:
    """Spreadsheet column letters: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters
