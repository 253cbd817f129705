"""Asset pages: list, detail with association history, create and edit."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from assets import selectors, services
from assets.forms import AssetFilterForm, AssetForm
from assets.models import Asset
from workspaces.decorators import editor_required, member_required
from workspaces.http import WorkspaceRequest, render_page, require_editor

PAGE_SIZE = 25


@member_required
def asset_list(request: WorkspaceRequest) -> HttpResponse:
    filters = AssetFilterForm(request.GET or None)
    assets = selectors.assets_for_list(
        workspace=request.workspace,
        search=filters.value("q"),
        type=filters.value("type"),
        sort=filters.value("sort"),
    )
    page = Paginator(assets, PAGE_SIZE).get_page(filters.value("page"))
    context = {"filters": filters, "page": page, "headers": filters.headers()}
    return render_page(request, "assets/list.html", "results", context)


@member_required
def asset_detail(request: WorkspaceRequest, asset_id: int) -> HttpResponse:
    asset = get_object_or_404(Asset.objects.for_workspace(request.workspace), pk=asset_id)
    history = selectors.associations_for_asset(workspace=asset.workspace_id, asset_id=asset.pk)
    history = history.select_related("campaign", "associated_by").order_by("-associated_at", "-id")
    current = [row for row in history if row.dissociated_at is None]
    context = {"asset": asset, "history": history, "current": current}
    return render(request, "assets/detail.html", context)


def _next_url(request: WorkspaceRequest) -> str | None:
    """Where to go after saving, when the page that sent the user here asked (same site only)."""
    target = request.POST.get("next") or request.GET.get("next")
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else None


@editor_required
@require_http_methods(["GET", "POST"])
def asset_create(request: WorkspaceRequest) -> HttpResponse:
    workspace = request.workspace
    initial = {"type": request.GET.get("type", "")}
    form = AssetForm(request.POST or None, initial=initial, time_zone=workspace.time_zone)
    if request.method == "POST" and form.is_valid():
        try:
            asset = services.add_asset(
                workspace=workspace, by=request.user, type=form.asset_type, **form.values()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Asset “%(name)s” created.") % {"name": asset.name})
            return redirect(_next_url(request) or asset_url(request, asset))
    return render(
        request, "assets/form.html", {"form": form, "asset": None, "next": _next_url(request)}
    )


@member_required
@require_http_methods(["GET", "POST"])
def asset_edit(request: WorkspaceRequest, asset_id: int) -> HttpResponse:
    asset = get_object_or_404(Asset.objects.for_workspace(request.workspace), pk=asset_id)
    require_editor(request)  # after the lookup: a foreign id is a 404 for every role
    form = AssetForm(request.POST or None, asset=asset, time_zone=request.workspace.time_zone)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_asset(asset=asset, by=request.user, **form.values())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Asset “%(name)s” saved.") % {"name": asset.name})
            return redirect(asset_url(request, asset))
    return render(request, "assets/form.html", {"form": form, "asset": asset, "next": None})


def asset_url(request: WorkspaceRequest, asset: Asset) -> str:
    slug = request.workspace.slug
    return reverse("assets:detail", kwargs={"workspace_slug": slug, "asset_id": asset.pk})
