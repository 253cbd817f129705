"""Campaign pages: list, create/edit/delete, detail with its assets, add/remove assets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from assets.models import Asset
from assets.selectors import assets_for_list
from assets.services import AssociationError
from campaigns import selectors, services
from campaigns.forms import (
    AssetPickerFilterForm,
    AssociateAssetsForm,
    CampaignEditor,
    CampaignFilterForm,
)
from campaigns.models import Campaign
from workspaces.decorators import editor_required, member_required
from workspaces.http import WorkspaceRequest, render_page, require_editor

PAGE_SIZE = 25
PICKER_PAGE_SIZE = 50

View = Callable[..., HttpResponse]


def _campaign(request: WorkspaceRequest, campaign_id: int, *, edit: bool = False) -> Campaign:
    """The workspace's campaign or 404; with `edit`, then 403 below marketer (the lookup comes
    first so that a foreign id is a 404 for every role)."""
    campaign = get_object_or_404(
        selectors.campaign_for_detail(workspace=request.workspace, campaign_id=campaign_id)
    )
    if edit:
        require_editor(request)
    return campaign


@member_required
def campaign_list(request: WorkspaceRequest) -> HttpResponse:
    filters = CampaignFilterForm(request.GET or None)
    campaigns = selectors.campaigns_for_list(
        workspace=request.workspace,
        search=filters.value("q"),
        status=filters.value("status"),
        sort=filters.value("sort"),
    )
    page = Paginator(campaigns, PAGE_SIZE).get_page(filters.value("page"))
    context = {"filters": filters, "page": page, "headers": filters.headers()}
    return render_page(request, "campaigns/list.html", "results", context)


@editor_required
@require_http_methods(["GET", "POST"])
def campaign_create(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    editor = CampaignEditor(workspace=workspace, data=request.POST or None, user=request.user)
    if request.method == "POST" and editor.is_valid():
        try:
            campaign = services.create_campaign(
                workspace=workspace, by=request.user, data=editor.campaign_input()
            )
        except ValidationError as exc:
            editor.add_service_errors(exc)
        else:
            messages.success(request, _("Campaign “%(name)s” created.") % {"name": campaign.name})
            return redirect(
                "campaigns:detail", workspace_slug=workspace.slug, campaign_id=campaign.pk
            )
    return render(request, "campaigns/form.html", {"editor": editor, "campaign": None})


@member_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id, edit=True)
    editor = CampaignEditor(
        workspace=campaign.workspace, data=request.POST or None, campaign=campaign
    )
    if request.method == "POST" and editor.is_valid():
        try:
            services.update_campaign(
                campaign=campaign, by=request.user, data=editor.campaign_input()
            )
        except ValidationError as exc:
            editor.add_service_errors(exc)
        else:
            messages.success(request, _("Campaign “%(name)s” saved.") % {"name": campaign.name})
            return redirect(
                "campaigns:detail", workspace_slug=campaign.workspace.slug, campaign_id=campaign.pk
            )
    return render(request, "campaigns/form.html", {"editor": editor, "campaign": campaign})


@member_required
@require_http_methods(["GET", "POST"])
def campaign_delete(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id, edit=True)
    if request.method == "POST":
        services.delete_campaign(campaign=campaign, by=request.user)
        messages.success(request, _("Campaign “%(name)s” deleted.") % {"name": campaign.name})
        return redirect("campaigns:list", workspace_slug=campaign.workspace.slug)
    context = {
        "campaign": campaign,
        "asset_count": selectors.campaign_asset_count(campaign=campaign),
    }
    return render(request, "campaigns/delete.html", context)


def _detail_context(campaign: Campaign) -> dict[str, Any]:
    return {
        "campaign": campaign,
        "goals": selectors.campaign_goals(campaign=campaign),
        "spend": selectors.campaign_spend(campaign=campaign),
        "assets": selectors.campaign_assets(campaign=campaign),
        "history": selectors.association_history(campaign=campaign),
    }


@member_required
def campaign_detail(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    return render_page(request, "campaigns/detail.html", "assets", _detail_context(campaign))


@member_required
@require_http_methods(["GET", "POST"])
def campaign_associate(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id, edit=True)
    selected: list[int] = []
    if request.method == "POST":
        form = AssociateAssetsForm(request.POST)
        if form.is_valid() and _associate(request, campaign, form.cleaned_data["assets"]):
            return redirect(
                "campaigns:detail", workspace_slug=campaign.workspace.slug, campaign_id=campaign.pk
            )
        selected = form.cleaned_data.get("assets") or []
        for error in form.errors.get("assets", []):
            messages.error(request, str(error))
    filters = AssetPickerFilterForm(request.GET or None)
    assets = assets_for_list(
        workspace=campaign.workspace, search=filters.value("q"), type=filters.value("type")
    )
    page = Paginator(assets, PICKER_PAGE_SIZE).get_page(filters.value("page"))
    rows = selectors.picker_rows(assets=page.object_list, campaign=campaign)
    context = {"campaign": campaign, "filters": filters, "page": page, "rows": rows}
    context["selected"] = set(selected)
    return render_page(request, "campaigns/associate.html", "picker", context)


def _associate(request: WorkspaceRequest, campaign: Campaign, asset_ids: list[int]) -> bool:
    assets = list(Asset.objects.for_workspace(campaign.workspace).filter(pk__in=asset_ids))
    if len(assets) != len(asset_ids):
        raise Http404  # another workspace's asset, or one that no longer exists
    try:
        services.add_assets_to_campaign(campaign=campaign, assets=assets, by=request.user)
    except AssociationError as exc:
        messages.error(request, str(exc))
        return False
    messages.success(
        request,
        _("Added %(count)s asset(s) to “%(campaign)s”.")
        % {"count": len(assets), "campaign": campaign.name},
    )
    return True


@member_required
@require_http_methods(["GET", "POST"])
def campaign_dissociate(request: WorkspaceRequest, campaign_id: int, asset_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    asset = get_object_or_404(Asset.objects.for_workspace(campaign.workspace), pk=asset_id)
    require_editor(request)
    detail = ("campaigns:detail", campaign.workspace.slug, campaign.pk)
    if request.method == "GET":
        if not selectors.holds_asset(campaign=campaign, asset=asset):
            messages.info(request, _("%(asset)s is not in this campaign.") % {"asset": asset.name})
            return redirect(detail[0], workspace_slug=detail[1], campaign_id=detail[2])
        return render(request, "campaigns/dissociate.html", {"campaign": campaign, "asset": asset})
    try:
        services.remove_asset_from_campaign(campaign=campaign, asset=asset, by=request.user)
    except AssociationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Removed %(asset)s from the campaign. Data it earned while in the campaign stays.")
            % {"asset": asset.name},
        )
    if getattr(request, "htmx", False):
        return render_page(request, "campaigns/detail.html", "assets", _detail_context(campaign))
    return redirect(detail[0], workspace_slug=detail[1], campaign_id=detail[2])
