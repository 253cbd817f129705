"""The export dialog, the job's progress page, the member's exports and the signed download.

Who may do what: marketers and admins export (viewers are read-only, SPEC §1); any member of
the workspace may open a job page or a download link of that workspace, because every member
may see every campaign's reports in the app; nobody else may (404, as for any foreign id).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any, cast
from urllib.parse import quote

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from campaigns import selectors as campaign_selectors
from campaigns.models import Campaign
from exports import services
from exports.forms import AttributionExportForm, CampaignExportForm, ExportFormatForm
from exports.links import download_path, read_token
from exports.models import ExportJob, ExportStatus
from exports.storage import export_storage
from notifications.services import email_enabled, in_app_enabled
from reporting.forms import DrillScopeForm, PerformanceFilterForm
from reporting.selectors import ASSET_DRILLS, DRILL_KINDS
from reporting.views import DRILLS
from workspaces.decorators import member_required
from workspaces.http import WorkspaceRequest, render_page, require_editor

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "zip": "application/zip",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _campaign(request: WorkspaceRequest, campaign_id: int) -> Campaign:
    return get_object_or_404(
        campaign_selectors.campaign_for_detail(workspace=request.workspace, campaign_id=campaign_id)
    )


def _filters(request: WorkspaceRequest, data: Any) -> PerformanceFilterForm:
    today = timezone.localdate(timezone=request.workspace.tz)
    return PerformanceFilterForm(data or None, today=today)


def _job_redirect(request: WorkspaceRequest, job: ExportJob) -> HttpResponse:
    return redirect("exports:job", workspace_slug=request.workspace.slug, job_id=job.pk)


def _list_export(
    request: WorkspaceRequest, back: str, start: Callable[[str], ExportJob]
) -> HttpResponse:
    """A drill-down list's Export: `start(format)` queues the job and the person follows it;
    a bad format or a refused export goes back to the list (`back`) with the message."""
    form = ExportFormatForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("format", [])))
        return redirect(back)
    try:
        job = start(form.cleaned_data["format"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    return _job_redirect(request, job)


def _add_errors(form: Any, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _notifications_off(request: WorkspaceRequest) -> bool:
    ws, user = request.workspace.pk, request.user
    return not email_enabled(workspace_id=ws, user=user) and not in_app_enabled(
        workspace_id=ws, user=user
    )


@member_required
def export_campaign(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    """The export dialog (GET, with the Performance filters in the query) and its submit."""
    campaign = _campaign(request, campaign_id)
    require_editor(request)
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    filters = _filters(request, request.POST if request.method == "POST" else request.GET)
    reports = services.exportable_reports(campaign)
    form = CampaignExportForm(
        request.POST or None,
        reports=reports,
        enterprise=request.workspace.is_enterprise,
        initial={"model": filters.value("model")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            job = services.request_campaign_export(
                campaign=campaign,
                user=request.user,
                fmt=form.cleaned_data["format"],
                filters=filters.report_filters(),
                date_range=filters.value("range"),
                sections=form.chosen_sections(),
                model=form.cleaned_data.get("model") or None,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return _job_redirect(request, job)
    context = {
        "campaign": campaign,
        "form": form,
        "filters": filters,
        "current": {name: filters.value(name) for name in filters.fields},
        "period": filters.period(),
        "query": filters.query(),
        "notifications_off": _notifications_off(request),
    }
    return render(request, "exports/dialog.html", context)


@member_required
def export_drill(request: WorkspaceRequest, campaign_id: int, metric: str) -> HttpResponse:
    """POST: export every row of a drill-down list (format + the list's filters)."""
    campaign = _campaign(request, campaign_id)
    if metric not in DRILLS:
        raise Http404
    require_editor(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    filters = _filters(request, request.POST)
    list_url = reverse(
        "reporting:list",
        kwargs={
            "workspace_slug": request.workspace.slug,
            "campaign_id": campaign.pk,
            "metric": metric,
        },
    )
    return _list_export(
        request,
        f"{list_url}?{filters.query()}",
        lambda fmt: services.request_drill_export(
            campaign=campaign,
            user=request.user,
            fmt=fmt,
            metric=metric,
            filters=filters.report_filters(),
            date_range=filters.value("range"),
        ),
    )


@member_required
def export_rows(request: WorkspaceRequest, campaign_id: int, metric: str) -> HttpResponse:
    """POST: export every row of a Traffic or asset drill-down list (`reporting:rows`): format,
    the tab's filters and the list's scope (`asset`, `source`, `detail_1`, `detail_2`)."""
    campaign = _campaign(request, campaign_id)
    if metric not in DRILL_KINDS:
        raise Http404
    require_editor(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    scope_form = DrillScopeForm(request.POST)
    if not scope_form.is_valid():
        raise Http404
    if metric in ASSET_DRILLS and scope_form.scope(campaign=campaign).asset is None:
        raise Http404
    filters = _filters(request, request.POST)
    list_url = reverse(
        "reporting:rows",
        kwargs={
            "workspace_slug": request.workspace.slug,
            "campaign_id": campaign.pk,
            "metric": metric,
        },
    )
    return _list_export(
        request,
        f"{list_url}?{filters.query()}&{scope_form.query()}",
        lambda fmt: services.request_rows_export(
            campaign=campaign,
            user=request.user,
            fmt=fmt,
            metric=metric,
            scope={n: request.POST[n] for n in services.SCOPE_FIELDS if n in request.POST},
            filters=filters.report_filters(),
            date_range=filters.value("range"),
        ),
    )


@member_required
def export_deals(request: WorkspaceRequest, campaign_id: int, report: str) -> HttpResponse:
    """POST: export every deal behind Deals / Associated deal value of the Revenue or Revenue
    attribution report (format + the list's filters)."""
    campaign = _campaign(request, campaign_id)
    if report not in services.DEAL_REPORTS:
        raise Http404
    require_editor(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    filters = _filters(request, request.POST)
    list_url = reverse(
        "reporting:revenue_deals",
        kwargs={
            "workspace_slug": request.workspace.slug,
            "campaign_id": campaign.pk,
            "report": report,
        },
    )
    return _list_export(
        request,
        f"{list_url}?{filters.query()}",
        lambda fmt: services.request_deals_export(
            campaign=campaign,
            user=request.user,
            fmt=fmt,
            report=report,
            filters=filters.report_filters(),
            date_range=filters.value("range"),
        ),
    )


@member_required
def export_credited(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    """POST to the list's own query string (`?<definition>&model=&row=`) with a format: export
    every interaction credited in one cell of the Attribution tab."""
    from reporting.definitions import AttributionDefinitionForm

    campaign = _campaign(request, campaign_id)
    require_editor(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    enterprise = request.workspace.is_enterprise
    definition = AttributionDefinitionForm(request.GET or None, enterprise=enterprise).definition()
    model, row = request.GET.get("model", ""), request.GET.get("row", "")
    if model not in definition.models:
        raise Http404
    list_url = reverse(
        "reporting:attribution_interactions",
        kwargs={"workspace_slug": request.workspace.slug, "campaign_id": campaign.pk},
    )
    return _list_export(
        request,
        f"{list_url}?{request.GET.urlencode()}",
        lambda fmt: services.request_credited_export(
            campaign=campaign,
            user=request.user,
            fmt=fmt,
            definition=definition,
            model=model,
            row=row,
        ),
    )


def _job(request: WorkspaceRequest, job_id: int) -> ExportJob:
    return get_object_or_404(
        ExportJob.objects.for_workspace(request.workspace).select_related("campaign", "user"),
        pk=job_id,
    )


@member_required
def job_detail(request: WorkspaceRequest, job_id: int) -> HttpResponse:
    """The job's progress (polled while it runs) and, when done, its download link."""
    job = _job(request, job_id)
    link = download_path(job, workspace_slug=request.workspace.slug) if job.is_downloadable else ""
    context = {"job": job, "download_link": link}
    return render_page(request, "exports/job.html", "status", context)


@member_required
def job_list(request: WorkspaceRequest) -> HttpResponse:
    """The member's own exports, newest first."""
    jobs = (
        ExportJob.objects.for_workspace(request.workspace)
        .filter(user=request.user)
        .select_related("campaign")
    )
    page = Paginator(jobs, 25).get_page(request.GET.get("page"))
    return render(request, "exports/list.html", {"page": page})


def ascii_filename(filename: str) -> str:
    """A header-safe ASCII stand-in for clients that ignore `filename*`."""
    plain = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    plain = re.sub(r"[^A-Za-z0-9._ -]+", "_", plain).strip(" ._")
    return plain or "export"


def attachment_header(filename: str) -> str:
    return (
        f'attachment; filename="{ascii_filename(filename)}"; '
        f"filename*=UTF-8''{quote(filename, safe='')}"
    )


def _expired(request: WorkspaceRequest, job: ExportJob | None) -> HttpResponse:
    return render(request, "exports/expired.html", {"job": job}, status=410)


@member_required
def download(request: WorkspaceRequest, token: str) -> HttpResponse:
    """The file behind a signed link, for members of the link's workspace only."""
    try:
        job_id, link_expired = read_token(token)
    except signing.BadSignature as exc:
        raise Http404 from exc
    job = _job(request, job_id)
    if link_expired or job.is_expired:
        return _expired(request, job)
    if job.status != ExportStatus.DONE:
        return _job_redirect(request, job)
    if not job.file_path:
        return _expired(request, job)
    try:
        handle = export_storage().open(job.file_path, "rb")
    except OSError:
        return _expired(request, job)
    extension = job.file_path.rsplit(".", 1)[-1]
    response = FileResponse(
        handle, content_type=CONTENT_TYPES.get(extension, "application/octet-stream")
    )
    response["Content-Disposition"] = attachment_header(job.filename or f"export.{extension}")
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    # A streamed file: the role decorators are typed for HttpResponse, which it stands in for.
    return cast(HttpResponse, response)


@member_required
def export_attribution(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    """The Attribution tab's export: a name and a format (GET shows the dialog with the tab's
    definition in the query string; POST queues it)."""
    from reporting.definitions import AttributionDefinitionForm

    campaign = _campaign(request, campaign_id)
    require_editor(request)
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    data = request.POST if request.method == "POST" else request.GET
    enterprise = request.workspace.is_enterprise
    definition = AttributionDefinitionForm(data or None, enterprise=enterprise).definition()
    form = AttributionExportForm(request.POST or None, initial={"name": campaign.name})
    if request.method == "POST" and form.is_valid():
        try:
            job = services.request_attribution_export(
                campaign=campaign,
                user=request.user,
                fmt=form.cleaned_data["format"],
                name=form.cleaned_data["name"],
                definition=definition,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return _job_redirect(request, job)
    context = {
        "campaign": campaign,
        "form": form,
        "definition": definition,
        "hidden": _definition_fields(definition),
        "notifications_off": _notifications_off(request),
    }
    return render(request, "exports/attribution_dialog.html", context)


def _definition_fields(definition: Any) -> list[tuple[str, str]]:
    """The definition as (name, value) pairs for hidden inputs (`models` repeated)."""
    pairs: list[tuple[str, str]] = []
    for name, value in definition.as_data().items():
        values = value if isinstance(value, list) else [value]
        pairs += [(name, str(v)) for v in values if v not in (None, "")]
    return pairs
