"""The report library, dashboards (saved reports as live cards), Save as report from the
Attribution tab, and the attribution report builder."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseNotAllowed, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from campaigns import selectors as campaign_selectors
from campaigns.models import Campaign
from reporting.definitions import (
    ENTERPRISE_CONVERSIONS,
    AttributionDefinition,
    AttributionDefinitionForm,
)
from reporting.library import links, selectors, services
from reporting.library.forms import (
    AddToDashboardForm,
    BuilderCampaignForm,
    DashboardForm,
    LibraryFilterForm,
    MoveCardForm,
    ReportForm,
    SaveReportForm,
)
from reporting.models import Dashboard, DashboardReport, SavedReport, Shared
from workspaces.decorators import member_required
from workspaces.http import WorkspaceRequest, render_page, require_editor

PAGE_SIZE = 25
BUILDER_ACTIONS = ("preview", "save_new", "overwrite")


# --- Lookups: a foreign or invisible id is a 404 first, then the role check -------------------


def _report(request: WorkspaceRequest, report_id: int) -> SavedReport:
    reports = selectors.visible_reports(workspace=request.workspace, membership=request.membership)
    report: SavedReport = get_object_or_404(reports, pk=report_id)
    return report


def _dashboard(request: WorkspaceRequest, dashboard_id: int) -> Dashboard:
    boards = selectors.visible_dashboards(
        workspace=request.workspace, membership=request.membership
    )
    dashboard: Dashboard = get_object_or_404(boards, pk=dashboard_id)
    return dashboard


def _card(request: WorkspaceRequest, dashboard_id: int, card_id: int) -> DashboardReport:
    """The card (404 for a foreign or invisible one), then 403 below marketer; the method is
    checked by the view after both, so that the answers are the same for every method."""
    dashboard = _dashboard(request, dashboard_id)
    cards = DashboardReport.objects.for_workspace(request.workspace).filter(dashboard=dashboard)
    card: DashboardReport = get_object_or_404(cards, pk=card_id)
    require_editor(request)
    return card


def _campaign(request: WorkspaceRequest, campaign_id: int) -> Campaign:
    campaigns = campaign_selectors.campaign_for_detail(
        workspace=request.workspace, campaign_id=campaign_id
    )
    campaign: Campaign = get_object_or_404(campaigns)
    return campaign


def _require_manage(request: WorkspaceRequest, item: Shared) -> None:
    if not selectors.may_manage(item, membership=request.membership):
        raise PermissionDenied


def _dashboard_url(request: WorkspaceRequest, dashboard: Dashboard) -> HttpResponse:
    return redirect(
        "reporting:dashboard", workspace_slug=request.workspace.slug, dashboard_id=dashboard.pk
    )


# --- The library --------------------------------------------------------------------------------


@member_required
def library(request: WorkspaceRequest) -> HttpResponse:
    filters = LibraryFilterForm(request.GET or None)
    reports = selectors.library_reports(
        workspace=request.workspace,
        membership=request.membership,
        search=filters.value("q"),
        scope=filters.value("scope"),
    )
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = links.report_rows(page.object_list, slug=request.workspace.slug)
    context = {"filters": filters, "page": page, "rows": rows}
    return render_page(request, "reporting/library.html", "results", context)


@member_required
@require_http_methods(["GET", "POST"])
def report_save(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    """Save as report, from the Attribution tab: the definition travels in the query string
    (GET) and then as hidden fields (POST)."""
    campaign = _campaign(request, campaign_id)
    require_editor(request)
    source = request.POST if request.method == "POST" else request.GET
    definition_form = AttributionDefinitionForm(
        source or None, enterprise=request.workspace.is_enterprise
    )
    definition = definition_form.definition()
    initial = {"name": f"{campaign.name} · {_conversion_label(definition)}"}
    form = SaveReportForm(request.POST or None, membership=request.membership, initial=initial)
    if request.method == "POST" and definition_form.is_valid() and form.is_valid():
        report, board = services.save_report(
            workspace=request.workspace,
            owner=request.user,
            campaign=campaign,
            name=form.cleaned_data["name"],
            definition=definition,
            sharing=form.sharing(),
            dashboard=form.dashboard_choice(),
        )
        return _saved(request, report, board)
    context = _save_context(request, campaign, definition_form, definition, form)
    return render(request, "reporting/library_save.html", context)


def _conversion_label(definition: AttributionDefinition) -> str:
    field = AttributionDefinitionForm.base_fields["conversion"]
    return str(dict(field.choices).get(definition.conversion, ""))  # type: ignore[attr-defined]


def _save_context(
    request: WorkspaceRequest,
    campaign: Campaign,
    definition_form: AttributionDefinitionForm,
    definition: AttributionDefinition,
    form: SaveReportForm,
) -> dict[str, Any]:
    slug = request.workspace.slug
    return {
        "campaign": campaign,
        "form": form,
        "definition_form": definition_form,
        "definition_ok": not definition_form.is_bound or definition_form.is_valid(),
        "problems": _problems(definition_form),
        "hidden": _hidden_pairs(definition),
        "summary": links.summarize(definition),
        "tab_url": links.tab_url(slug=slug, campaign_id=campaign.pk, definition=definition),
    }


def _problems(form: AttributionDefinitionForm) -> list[str]:
    """One sentence per refused choice, naming the field."""
    if not form.is_bound or form.is_valid():
        return []
    return [
        f"{form.fields[name].label}: {' '.join(str(m) for m in messages)}"
        for name, messages in form.errors.items()
        if name in form.fields
    ]


def _hidden_pairs(definition: AttributionDefinition) -> list[tuple[str, str]]:
    query = QueryDict(definition.query())
    return [(name, value) for name in query for value in query.getlist(name)]


def _saved(request: WorkspaceRequest, report: SavedReport, board: Dashboard | None) -> HttpResponse:
    if board is not None:
        messages.success(
            request,
            _("Report “%(report)s” saved and added to the dashboard “%(dashboard)s”.")
            % {"report": report.name, "dashboard": board.name},
        )
        return _dashboard_url(request, board)
    messages.success(request, _("Report “%(name)s” saved to the library.") % {"name": report.name})
    return redirect(links.report_links(report, slug=request.workspace.slug)["tab"])


@member_required
@require_http_methods(["GET", "POST"])
def report_edit(request: WorkspaceRequest, report_id: int) -> HttpResponse:
    report = _report(request, report_id)
    _require_manage(request, report)
    form = ReportForm(request.POST or None, membership=request.membership, instance=report)
    if request.method == "POST" and form.is_valid():
        services.update_report(
            report=report, name=form.cleaned_data["name"], sharing=form.sharing()
        )
        messages.success(request, _("Report “%(name)s” saved.") % {"name": report.name})
        return redirect("reporting:library", workspace_slug=request.workspace.slug)
    row = links.report_rows([report], slug=request.workspace.slug)[0]
    return render(request, "reporting/library_edit.html", {"form": form, "row": row})


@member_required
@require_http_methods(["GET", "POST"])
def report_delete(request: WorkspaceRequest, report_id: int) -> HttpResponse:
    report = _report(request, report_id)
    _require_manage(request, report)
    if request.method == "POST":
        services.delete_report(report=report)
        messages.success(request, _("Report “%(name)s” deleted.") % {"name": report.name})
        return redirect("reporting:library", workspace_slug=request.workspace.slug)
    cards = report.cards.select_related("dashboard").order_by("dashboard__name")
    context = {"report": report, "dashboards": [card.dashboard for card in cards]}
    return render(request, "reporting/library_delete.html", context)


@member_required
@require_http_methods(["GET", "POST"])
def report_add_to_dashboard(request: WorkspaceRequest, report_id: int) -> HttpResponse:
    report = _report(request, report_id)
    require_editor(request)
    form = AddToDashboardForm(request.POST or None, membership=request.membership)
    if request.method == "POST" and form.is_valid():
        board = form.cleaned_data["dashboard"]
        _card, created = services.add_card(dashboard=board, report=report)
        names = {"report": report.name, "dashboard": board.name}
        if created:
            messages.success(request, _("“%(report)s” added to “%(dashboard)s”.") % names)
        else:
            messages.info(request, _("“%(report)s” was already on “%(dashboard)s”.") % names)
        return _dashboard_url(request, board)
    return render(request, "reporting/library_add.html", {"form": form, "report": report})


# --- Dashboards ---------------------------------------------------------------------------------


@member_required
def dashboards(request: WorkspaceRequest) -> HttpResponse:
    boards = selectors.dashboards_for_list(
        workspace=request.workspace, membership=request.membership
    )
    return render(request, "reporting/dashboard_list.html", {"dashboards": boards})


@member_required
@require_http_methods(["GET", "POST"])
def dashboard_create(request: WorkspaceRequest) -> HttpResponse:
    require_editor(request)
    form = DashboardForm(request.POST or None, membership=request.membership)
    if request.method == "POST" and form.is_valid():
        board = services.create_dashboard(
            workspace=request.workspace,
            owner=request.user,
            name=form.cleaned_data["name"],
            sharing=form.sharing(),
        )
        messages.success(request, _("Dashboard “%(name)s” created.") % {"name": board.name})
        return _dashboard_url(request, board)
    return render(request, "reporting/dashboard_form.html", {"form": form, "dashboard": None})


@member_required
def dashboard_detail(request: WorkspaceRequest, dashboard_id: int) -> HttpResponse:
    board = _dashboard(request, dashboard_id)
    shown = selectors.dashboard_cards(dashboard=board, membership=request.membership)
    slug = request.workspace.slug
    rows = links.report_rows([card.report for card in shown.cards], slug=slug)
    context = {
        "dashboard": board,
        "cards": list(zip(shown.cards, rows, strict=True)),
        "hidden": shown.hidden,
        "may_manage": selectors.may_manage(board, membership=request.membership),
        "may_arrange": selectors.may_arrange(membership=request.membership),
    }
    return render(request, "reporting/dashboard.html", context)


@member_required
@require_http_methods(["GET", "POST"])
def dashboard_edit(request: WorkspaceRequest, dashboard_id: int) -> HttpResponse:
    board = _dashboard(request, dashboard_id)
    _require_manage(request, board)
    form = DashboardForm(request.POST or None, membership=request.membership, instance=board)
    if request.method == "POST" and form.is_valid():
        services.update_dashboard(
            dashboard=board, name=form.cleaned_data["name"], sharing=form.sharing()
        )
        messages.success(request, _("Dashboard “%(name)s” saved.") % {"name": board.name})
        return _dashboard_url(request, board)
    return render(request, "reporting/dashboard_form.html", {"form": form, "dashboard": board})


@member_required
@require_http_methods(["GET", "POST"])
def dashboard_delete(request: WorkspaceRequest, dashboard_id: int) -> HttpResponse:
    board = _dashboard(request, dashboard_id)
    _require_manage(request, board)
    if request.method == "POST":
        services.delete_dashboard(dashboard=board)
        messages.success(request, _("Dashboard “%(name)s” deleted.") % {"name": board.name})
        return redirect("reporting:dashboards", workspace_slug=request.workspace.slug)
    return render(request, "reporting/dashboard_delete.html", {"dashboard": board})


@member_required
def card_remove(request: WorkspaceRequest, dashboard_id: int, card_id: int) -> HttpResponse:
    card = _card(request, dashboard_id, card_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.remove_card(card=card)
    messages.success(request, _("Card removed; the report stays in the library."))
    return _dashboard_url(request, card.dashboard)


@member_required
def card_move(request: WorkspaceRequest, dashboard_id: int, card_id: int) -> HttpResponse:
    card = _card(request, dashboard_id, card_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = MoveCardForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Move the card up or down."))
    else:
        services.move_card(card=card, up=form.cleaned_data["direction"] == "up")
    return _dashboard_url(request, card.dashboard)


# --- The builder --------------------------------------------------------------------------------


@member_required
@require_http_methods(["GET", "POST"])
def builder(request: WorkspaceRequest) -> HttpResponse:
    require_editor(request)
    return _builder(request, report=None)


@member_required
@require_http_methods(["GET", "POST"])
def builder_edit(request: WorkspaceRequest, report_id: int) -> HttpResponse:
    report = _report(request, report_id)
    require_editor(request)
    return _builder(request, report=report)


def _builder_source(request: WorkspaceRequest, report: SavedReport | None) -> QueryDict | None:
    """What the builder shows: the posted form, else the query string (the tab's "Edit in
    builder" link, or a live change), else the saved report being edited."""
    if request.method == "POST":
        return request.POST
    if request.GET:
        return request.GET
    if report is not None:
        definition = links.saved_definition(report)
        return QueryDict(f"campaign={report.campaign_id}&{definition.query()}")
    return None


def _builder(request: WorkspaceRequest, *, report: SavedReport | None) -> HttpResponse:
    source = _builder_source(request, report)
    definition_form = AttributionDefinitionForm(source, enterprise=request.workspace.is_enterprise)
    campaign_form = BuilderCampaignForm(source, membership=request.membership)
    action = request.POST.get("action", "preview")
    overwrite = report is not None and action == "overwrite"
    if overwrite and report is not None:
        _require_manage(request, report)
    form = SaveReportForm(
        request.POST if action in BUILDER_ACTIONS[1:] else None,
        membership=request.membership,
        instance=report if overwrite else None,
        initial=SaveReportForm.initial_from(report) if report is not None else {},
    )
    if action != "preview" and _all_valid(definition_form, campaign_form, form):
        target = report if overwrite else None
        return _builder_save(request, target, campaign_form, definition_form, form)
    context = _builder_context(request, report, definition_form, campaign_form, form)
    if request.method == "GET":
        return render_page(request, "reporting/builder.html", "preview", context)
    return render(request, "reporting/builder.html", context)


def _all_valid(*forms: Any) -> bool:
    # Validate every form (not all() on a generator) so that each one shows its errors.
    results = [form.is_valid() for form in forms]
    return all(results)


def _builder_save(
    request: WorkspaceRequest,
    report: SavedReport | None,
    campaign_form: BuilderCampaignForm,
    definition_form: AttributionDefinitionForm,
    form: SaveReportForm,
) -> HttpResponse:
    fields: dict[str, Any] = {
        "name": form.cleaned_data["name"],
        "sharing": form.sharing(),
        "campaign": campaign_form.chosen(),
        "definition": definition_form.definition(),
        "dashboard": form.dashboard_choice(),
    }
    if report is None:
        saved, board = services.save_report(
            workspace=request.workspace, owner=request.user, **fields
        )
    else:
        saved, board = services.update_report(report=report, by=request.user, **fields)
    return _saved(request, saved, board)


def _builder_context(
    request: WorkspaceRequest,
    report: SavedReport | None,
    definition_form: AttributionDefinitionForm,
    campaign_form: BuilderCampaignForm,
    form: SaveReportForm,
) -> dict[str, Any]:
    campaign = campaign_form.chosen()
    definition = definition_form.definition()
    slug = request.workspace.slug
    preview = None
    if campaign is not None:  # invalid choices fall back to defaults, and are listed
        preview = {
            "results": links.results_url(slug=slug, campaign_id=campaign.pk, definition=definition),
            "tab": links.tab_url(slug=slug, campaign_id=campaign.pk, definition=definition),
        }
    return {
        "report": report,
        "definition_form": definition_form,
        "campaign_form": campaign_form,
        "form": form,
        "current": _current(definition, campaign),
        "preview": preview,
        "summary": links.summarize(definition),
        "problems": _problems(definition_form),
        "enterprise_conversions": ENTERPRISE_CONVERSIONS,
        "may_overwrite": report is not None
        and selectors.may_manage(report, membership=request.membership),
    }


def _current(definition: AttributionDefinition, campaign: Campaign | None) -> dict[str, Any]:
    data = definition.as_data()
    data.update(start=definition.start, end=definition.end)
    data["campaign"] = campaign.pk if campaign is not None else None
    return data
