"""All input of the asset pages: list filters and the asset form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from assets.models import Asset, AssetType
from assets.selectors import ASSET_SORTS, DEFAULT_ASSET_SORT
from assets.services import URL_REQUIRED_TYPES
from campaigns.forms import SortedListFilterForm, search_field

ASSET_COLUMNS: dict[str, Any] = {
    "name": _("Name"),
    "type": _("Type"),
    "published": _("Published"),
    "created": _("Created"),
}
assert set(ASSET_COLUMNS) == set(ASSET_SORTS)

# What <input type="datetime-local"> sends and expects, in every locale.
DATETIME_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class AssetFilterForm(SortedListFilterForm):
    columns = ASSET_COLUMNS

    q = search_field(_("Name, URL or external id"))
    type = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[("", _("All types")), *AssetType.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    defaults = {"q": "", "type": "", "sort": DEFAULT_ASSET_SORT, "page": 1}


class AssetForm(forms.Form):
    """Create (with a type) or edit (type fixed) an asset. Times are read in the active time
    zone, which the views set to the workspace's."""

    type = forms.ChoiceField(
        label=_("Type"), choices=[("", _("Choose a type…")), *AssetType.choices]
    )
    name = forms.CharField(label=_("Name"), max_length=300)
    url = forms.URLField(
        label=_("URL"),
        required=False,
        max_length=2000,
        assume_scheme="https",
        help_text=_("Required for blog posts, website pages and landing pages."),
    )
    published_at = forms.DateTimeField(
        label=_("Published"),
        required=False,
        input_formats=[DATETIME_LOCAL_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL_FORMAT),
    )
    external_id = forms.CharField(
        label=_("External id"),
        required=False,
        max_length=200,
        help_text=_("The id in the system the asset comes from (unique per type)."),
    )

    def __init__(self, *args: Any, asset: Asset | None = None, time_zone: str, **kwargs: Any):
        if asset is not None:
            kwargs.setdefault(
                "initial",
                {
                    "type": asset.type,
                    "name": asset.name,
                    "url": asset.url,
                    "published_at": asset.published_at,
                    "external_id": asset.external_id,
                },
            )
        super().__init__(*args, **kwargs)
        self.asset = asset
        self.fields["published_at"].help_text = _("In the workspace's time zone (%(tz)s).") % {
            "tz": time_zone
        }
        if asset is not None:
            # The type is fixed once created: associations are kept per type.
            del self.fields["type"]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    @property
    def asset_type(self) -> str:
        if self.asset is not None:
            return self.asset.type
        return self.cleaned_data.get("type", "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            self.asset_type in URL_REQUIRED_TYPES
            and not data.get("url")
            and "url" not in self.errors
        ):
            self.add_error(
                "url",
                _("A %(type)s needs its URL: page views are matched on it.")
                % {"type": AssetType(self.asset_type).label.lower()},
            )
        return data

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "url": data.get("url", ""),
            "published_at": data.get("published_at"),
            "external_id": data.get("external_id", ""),
        }
