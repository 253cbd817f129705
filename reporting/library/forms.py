"""Input of the report library and dashboards: name + sharing, the save dialog's dashboard
choice, the builder's campaign, the library's search."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from campaigns.forms import FilterForm
from campaigns.models import Campaign
from reporting.library import selectors
from reporting.library.services import NewDashboard, Sharing
from reporting.models import Dashboard, SavedReport, Shared, Visibility
from workspaces.models import Membership, Team


def _limit(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset


class SharingForm(forms.Form):
    """A name, and who sees it: only the owner, one of the owner's teams, or everyone."""

    model: type[Shared] = SavedReport
    messages = {
        "name_missing": _("Give the report a name."),
        "name_taken": _("You already have a report named “%(name)s”. Pick another name."),
    }

    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    visibility = forms.ChoiceField(
        label=_("Who can see it"),
        choices=Visibility.choices,
        initial=Visibility.PRIVATE,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("Pick a team"),
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text=_("Used when shared with a team: its members can see it."),
        error_messages={"invalid_choice": _("Pick one of your own teams.")},
    )

    def __init__(
        self,
        data: Any = None,
        *,
        membership: Membership,
        instance: Shared | None = None,
        **kwargs: Any,
    ) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(instance)
        super().__init__(data, **kwargs)
        self.membership = membership
        self.instance = instance
        # Names are unique per owner: an edit checks against the item's owner, not the editor.
        self.owner_id = instance.owner_id if instance is not None else membership.user_id
        _limit(self, "team", selectors.member_teams(membership=membership))
        self.fields["name"].widget.attrs.update(maxlength="200", autocomplete="off")

    @staticmethod
    def initial_from(instance: Shared) -> dict[str, Any]:
        return {"name": instance.name, "visibility": instance.visibility, "team": instance.team_id}

    def clean_name(self) -> str:
        name = " ".join(str(self.cleaned_data.get("name") or "").split())
        if not name:
            raise forms.ValidationError(self.messages["name_missing"])
        taken = selectors.name_taken(
            model=self.model,
            workspace=self.membership.workspace,
            owner_id=self.owner_id,
            name=name,
            exclude=self.instance.pk if self.instance is not None else None,
        )
        if taken:
            raise forms.ValidationError(self.messages["name_taken"] % {"name": name})
        return name

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("visibility") == Visibility.TEAM and not cleaned.get("team"):
            teams = self.fields["team"].queryset  # type: ignore[attr-defined]
            message = (
                _("Pick the team to share it with.")
                if teams.exists()
                else _("You are not in any team: keep it private or share it with everyone.")
            )
            self.add_error("team", message)
        return cleaned

    def sharing(self) -> Sharing:
        return Sharing(self.cleaned_data["visibility"], self.cleaned_data.get("team"))


class ReportForm(SharingForm):
    model = SavedReport


class DashboardForm(SharingForm):
    model = Dashboard
    messages = {
        "name_missing": _("Give the dashboard a name."),
        "name_taken": _("You already have a dashboard named “%(name)s”. Pick another name."),
    }


DASHBOARD_ACTIONS = [
    ("none", _("Don't add to a dashboard")),
    ("existing", _("Add to an existing dashboard")),
    ("new", _("Add to a new dashboard")),
]


class SaveReportForm(ReportForm):
    """Save as report: the report's name and sharing, and where it goes on the dashboards.
    The new dashboard's own name and sharing are `self.board` (prefix `board`)."""

    dashboard_action = forms.ChoiceField(
        label=_("Dashboard"),
        choices=DASHBOARD_ACTIONS,
        initial="none",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    dashboard = forms.ModelChoiceField(
        label=_("Existing dashboard"),
        queryset=Dashboard.objects.none(),
        required=False,
        empty_label=_("Pick a dashboard"),
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={
            "invalid_choice": _("That dashboard does not exist or you cannot add to it.")
        },
    )

    def __init__(self, data: Any = None, *, membership: Membership, **kwargs: Any) -> None:
        super().__init__(data, membership=membership, **kwargs)
        boards = selectors.dashboards_for_cards(
            workspace=membership.workspace, membership=membership
        )
        _limit(self, "dashboard", boards)
        self.board = DashboardForm(data, membership=membership, prefix="board")
        self.board.fields["name"].label = _("Name of the new dashboard")
        self.board.fields["visibility"].label = _("Who can see the new dashboard")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("dashboard_action") == "existing" and not cleaned.get("dashboard"):
            self.add_error("dashboard", _("Pick the dashboard to add the report to."))
        return cleaned

    def is_valid(self) -> bool:
        valid = super().is_valid()
        if self.cleaned_data.get("dashboard_action") == "new":
            return self.board.is_valid() and valid
        return valid

    def dashboard_choice(self) -> Dashboard | NewDashboard | None:
        action = self.cleaned_data["dashboard_action"]
        if action == "existing":
            board: Dashboard = self.cleaned_data["dashboard"]
            return board
        if action == "new":
            return NewDashboard(self.board.cleaned_data["name"], self.board.sharing())
        return None


class AddToDashboardForm(forms.Form):
    dashboard = forms.ModelChoiceField(
        label=_("Dashboard"),
        queryset=Dashboard.objects.none(),
        empty_label=_("Pick a dashboard"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, data: Any = None, *, membership: Membership) -> None:
        super().__init__(data)
        boards = selectors.dashboards_for_cards(
            workspace=membership.workspace, membership=membership
        )
        _limit(self, "dashboard", boards)
        self.fields["dashboard"].error_messages.update(
            required=_("Pick a dashboard."),
            invalid_choice=_("That dashboard does not exist or you cannot add to it."),
        )


class BuilderCampaignForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        queryset=Campaign.objects.none(),
        empty_label=_("Pick a campaign"),
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={
            "required": _("Pick the campaign the report is about."),
            "invalid_choice": _("That campaign does not exist in this workspace."),
        },
    )

    def __init__(self, data: Any = None, *, membership: Membership, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        campaigns = Campaign.objects.for_workspace(membership.workspace_id).order_by("name")
        _limit(self, "campaign", campaigns)

    def chosen(self) -> Campaign | None:
        if not self.is_bound or not self.is_valid():
            return None
        chosen: Campaign = self.cleaned_data["campaign"]
        return chosen


class MoveCardForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", _("Up")), ("down", _("Down"))])


class LibraryFilterForm(FilterForm):
    defaults = {"q": "", "scope": "all"}

    q = forms.CharField(
        label=_("Search by name or campaign"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "class": "form-control"}),
    )
    scope = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("all", _("All reports I can see")),
            ("mine", _("My reports")),
            ("shared", _("Shared with me")),
        ],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
