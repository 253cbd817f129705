"""All input of the campaign pages: list filters, the campaign editor (with goals and spend items)
and the asset picker."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, QueryDict
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from assets.models import AssetType
from campaigns.models import Campaign, CampaignStatus, GoalMetric, SpendItem
from campaigns.selectors import CAMPAIGN_SORTS, DEFAULT_CAMPAIGN_SORT, campaign_goals, owner_choices
from campaigns.services import CampaignInput, SpendItemInput
from workspaces.models import Workspace, validate_currency

DATE_WIDGET_FORMAT = "%Y-%m-%d"  # what <input type="date"> sends and expects, in every locale


def date_input() -> forms.DateInput:
    return forms.DateInput(
        attrs={"type": "date", "class": "form-control"}, format=DATE_WIDGET_FORMAT
    )


# --- GET filters ---------------------------------------------------------------------------------


class FilterForm(forms.Form):
    """A GET filter form that never blocks the page: invalid values are reported and ignored."""

    defaults: dict[str, Any] = {}

    def value(self, name: str) -> Any:
        if not self.is_bound:
            return self.defaults.get(name)
        self.is_valid()
        if name in self.errors:
            return self.defaults.get(name)
        value = self.cleaned_data.get(name)
        return self.defaults.get(name) if value in (None, "") else value

    @property
    def current(self) -> dict[str, Any]:
        """Every filter's effective value (for templates)."""
        return {name: self.value(name) for name in self.fields}

    def problems(self) -> list[str]:
        """One sentence per invalid filter, naming it."""
        if not self.is_bound or self.is_valid():
            return []
        return [
            f"{self.fields[name].label}: {' '.join(str(m) for m in messages)}"
            for name, messages in self.errors.items()
            if name in self.fields
        ]


@dataclass(frozen=True)
class SortHeader:
    key: str
    label: str
    # aria-sort value when the list is sorted by this column, else "".
    aria_sort: str
    # The sort value a click on the header asks for.
    next: str


def sort_headers(current: str, columns: Sequence[tuple[str, str]]) -> dict[str, SortHeader]:
    """Header links: clicking the sorted column flips its direction; another column sorts up."""
    headers = {}
    for key, label in columns:
        if current == key:
            aria, nxt = "ascending", f"-{key}"
        elif current == f"-{key}":
            aria, nxt = "descending", key
        else:
            aria, nxt = "", key
        headers[key] = SortHeader(key=key, label=label, aria_sort=aria, next=nxt)
    return headers


def sort_choices(labels: dict[str, Any]) -> list[tuple[str, Any]]:
    choices: list[tuple[str, Any]] = []
    for key, label in labels.items():
        # Lazy, so each request shows the labels in its own language.
        choices += [(key, format_lazy("{} ↑", label)), (f"-{key}", format_lazy("{} ↓", label))]
    return choices


def search_field(placeholder: Any) -> forms.CharField:
    return forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "class": "form-control", "placeholder": placeholder}
        ),
    )


class SortedListFilterForm(FilterForm):
    """A list's filters plus a sortable header per column (`columns`: key → label) and paging."""

    columns: dict[str, Any] = {}

    page = forms.IntegerField(
        label=_("Page"), required=False, min_value=1, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sort"] = forms.ChoiceField(
            label=_("Sort"),
            required=False,
            choices=sort_choices(self.columns),
            widget=forms.HiddenInput,
        )

    def headers(self) -> dict[str, SortHeader]:
        return sort_headers(self.value("sort"), list(self.columns.items()))


CAMPAIGN_COLUMNS: dict[str, Any] = {
    "name": _("Name"),
    "status": _("Status"),
    "start_date": _("Start date"),
    "end_date": _("End date"),
    "owner": _("Owner"),
    "created": _("Created"),
}
assert set(CAMPAIGN_COLUMNS) == set(CAMPAIGN_SORTS)


class CampaignFilterForm(SortedListFilterForm):
    columns = CAMPAIGN_COLUMNS

    q = search_field(_("Name or utm_campaign value"))
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *CampaignStatus.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    defaults = {"q": "", "status": "", "sort": DEFAULT_CAMPAIGN_SORT, "page": 1}


# --- The campaign editor -------------------------------------------------------------------------

GOAL_FIELD_PREFIX = "goal_"
# Counts take whole numbers; revenue takes an amount in the company currency.
WHOLE_NUMBER_GOALS = {
    GoalMetric.SESSIONS,
    GoalMetric.NEW_CONTACTS,
    GoalMetric.INFLUENCED_CONTACTS,
    GoalMetric.DEALS,
}


def split_utm_values(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    utm_values = forms.CharField(
        label=_("utm_campaign values"),
        required=False,
        max_length=2000,
        help_text=_(
            "Traffic to URLs carrying these utm_campaign values counts for the campaign. "
            "Separate several values with commas."
        ),
    )
    start_date = forms.DateField(label=_("Start date"), required=False, widget=date_input())
    end_date = forms.DateField(label=_("End date"), required=False, widget=date_input())
    owner: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Owner"), queryset=None, required=False, empty_label=_("No owner")
    )
    status = forms.ChoiceField(label=_("Status"), choices=CampaignStatus.choices)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.fields["owner"].queryset = owner_choices(workspace=workspace)  # type: ignore[attr-defined]
        self.fields["owner"].label_from_instance = (  # type: ignore[attr-defined]
            lambda user: user.get_full_name() or user.email
        )
        for metric in GoalMetric:
            whole = metric in WHOLE_NUMBER_GOALS
            self.fields[GOAL_FIELD_PREFIX + metric.value] = forms.DecimalField(
                label=metric.label,
                required=False,
                min_value=Decimal(0),
                max_digits=16,
                decimal_places=0 if whole else 2,
                help_text="" if whole else _("In %(currency)s") % {"currency": workspace.currency},
                widget=forms.NumberInput(attrs={"step": "1" if whole else "0.01", "min": "0"}),
            )
        for field in self.fields.values():
            widget = field.widget
            if not isinstance(widget, forms.HiddenInput):
                css = "form-select" if isinstance(widget, forms.Select) else "form-control"
                widget.attrs.setdefault("class", css)

    @property
    def goal_fields(self) -> list[forms.BoundField]:
        return [self[GOAL_FIELD_PREFIX + metric.value] for metric in GoalMetric]

    @property
    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("name", "utm_values", "owner", "status")]

    def clean_utm_values(self) -> list[str]:
        values = split_utm_values(self.cleaned_data["utm_values"])
        too_long = [v for v in values if len(v) > 200]
        if too_long:
            raise ValidationError(
                _("Each utm_campaign value can be at most 200 characters; “%(value)s…” is longer.")
                % {"value": too_long[0][:40]}
            )
        return values

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date must be on or after the start date."))
        return data

    def goals(self) -> dict[str, Decimal | None]:
        return {
            metric.value: self.cleaned_data.get(GOAL_FIELD_PREFIX + metric.value)
            for metric in GoalMetric
        }


def campaign_initial(campaign: Campaign) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "name": campaign.name,
        "utm_values": ", ".join(u.value for u in campaign.utms.all()),
        "start_date": campaign.start_date,
        "end_date": campaign.end_date,
        "owner": campaign.owner_id,
        "status": campaign.status,
        "notes": campaign.notes,
    }
    for goal in campaign_goals(campaign=campaign):
        whole = goal.metric in WHOLE_NUMBER_GOALS and goal.target == goal.target.to_integral()
        # "100", not "100.00", in a whole-number input (which would refuse its own value).
        initial[GOAL_FIELD_PREFIX + goal.metric] = int(goal.target) if whole else goal.target
    return initial


class SpendItemForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name"), max_length=200)
    amount = forms.DecimalField(
        label=_("Amount"), min_value=Decimal(0), max_digits=14, decimal_places=2
    )
    currency = forms.CharField(label=_("Currency"), min_length=3, max_length=3)
    spent_on = forms.DateField(label=_("Date"), widget=date_input())
    description = forms.CharField(label=_("Description"), required=False, max_length=500)

    def __init__(
        self, *args: Any, company_currency: str, allowed_ids: frozenset[int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.allowed_ids = allowed_ids
        self.fields["currency"].initial = company_currency
        self.fields["currency"].widget.attrs.update(
            {"class": "form-control text-uppercase", "size": "4", "autocomplete": "off"}
        )
        for name in ("name", "amount", "description"):
            self.fields[name].widget.attrs.setdefault("class", "form-control")
        self.fields["amount"].widget.attrs.update({"step": "0.01", "min": "0"})

    def clean_id(self) -> int | None:
        value = self.cleaned_data.get("id")
        if value is not None and value not in self.allowed_ids:
            # Another campaign's (or workspace's) spend item: answer as if it did not exist.
            raise Http404
        return value

    def clean_currency(self) -> str:
        value = self.cleaned_data["currency"].strip().upper()
        validate_currency(value)
        return value


# One blank row is always offered (without JavaScript, that is how rows are added: one per save);
# app.js adds more rows in place.
SpendItemFormSet = forms.formset_factory(
    SpendItemForm, extra=1, can_delete=True, max_num=200, validate_max=True
)


class CampaignEditor:
    """The campaign form and its spend-item formset, submitted together."""

    def __init__(
        self,
        *,
        workspace: Workspace,
        data: QueryDict | None = None,
        campaign: Campaign | None = None,
        user: Any = None,
    ) -> None:
        items = list(SpendItem.objects.filter(campaign=campaign)) if campaign else []
        if campaign is not None:
            initial = campaign_initial(campaign)
        else:
            initial = {"owner": getattr(user, "pk", None), "status": CampaignStatus.PLANNED}
        self.form = CampaignForm(data, workspace=workspace, initial=initial)
        self.spend = SpendItemFormSet(
            data,
            initial=[
                {
                    "id": i.pk,
                    "name": i.name,
                    "amount": i.amount,
                    "currency": i.currency,
                    "spent_on": i.spent_on,
                    "description": i.description,
                }
                for i in items
            ],
            form_kwargs={
                "company_currency": workspace.currency,
                "allowed_ids": frozenset(i.pk for i in items),
            },
        )

    def is_valid(self) -> bool:
        # Both, so every problem shows at once.
        form_ok = self.form.is_valid()
        spend_ok = self.spend.is_valid()
        return form_ok and spend_ok

    def campaign_input(self) -> CampaignInput:
        data = self.form.cleaned_data
        rows = [
            f.cleaned_data
            for f in self.spend.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        return CampaignInput(
            name=data["name"],
            utm_values=data["utm_values"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            owner=data["owner"],
            status=data["status"],
            notes=data["notes"],
            goals=self.form.goals(),
            spend_items=[
                SpendItemInput(
                    id=row.get("id"),
                    name=row["name"],
                    amount=row["amount"],
                    currency=row["currency"],
                    spent_on=row["spent_on"],
                    description=row.get("description", ""),
                )
                for row in rows
            ],
        )

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service's ValidationError next to the input it concerns."""
        for field, messages in error.message_dict.items():
            if field == "spend_items":
                self.spend._non_form_errors = self.spend.error_class(  # type: ignore[attr-defined]
                    [*self.spend.non_form_errors(), *messages]
                )
            elif field in self.form.fields:
                self.form.add_error(field, messages)
            else:
                self.form.add_error(None, messages)

    @property
    def has_errors(self) -> bool:
        return bool(self.form.errors or self.spend.total_error_count())


# --- The asset picker ----------------------------------------------------------------------------


class AssetPickerFilterForm(FilterForm):
    q = search_field(_("Name or URL"))
    type = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[("", _("All types")), *AssetType.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    page = forms.IntegerField(
        label=_("Page"), required=False, min_value=1, widget=forms.HiddenInput
    )

    defaults = {"q": "", "type": "", "page": 1}


class IdListField(forms.Field):
    """Several integer ids (checkboxes sharing one name)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        try:
            return sorted({int(v) for v in values})
        except (TypeError, ValueError) as exc:
            raise ValidationError(
                _("The selection contains something that is not an asset id.")
            ) from exc


class AssociateAssetsForm(forms.Form):
    assets = IdListField(
        label=_("Assets"),
        error_messages={"required": _("Select at least one asset to add to the campaign.")},
    )
