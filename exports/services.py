"""Writes of exports: queue a job, make its file, deliver it (email + notification) once.

A job is safe to run twice: the row's status (claimed under `select_for_update`) says whether
the file still has to be made, and the `notified_at`/`emailed_at` markers (set in the same
transaction as the notification/email) whether it still has to be delivered.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from attribution.engine import RULE_BASED_MODELS
from campaigns.models import Campaign
from exports import delivery
from exports.document import ExportDocument, Section
from exports.documents import campaign_document, filter_lines
from exports.drills import (
    credited_cells,
    credited_columns,
    deals_section,
    deals_title,
    drill_section,
    drill_title,
    rows_section,
    rows_title,
)
from exports.models import EXPORT_TTL, ExportFormat, ExportJob, ExportKind, ExportStatus
from exports.storage import export_storage
from reporting.attribution import attribution_result, is_gated
from reporting.definitions import AttributionDefinition
from reporting.forms import DrillScopeForm
from reporting.models import ReportKind, ReportSnapshot
from reporting.selectors import DRILL_KINDS, drill_rows
from reporting.services import (
    REPORT_FILTERS,
    ReportFailed,
    ReportFilters,
    compute_snapshot,
    request_report,
    tier_reports,
)
from reporting.views import DRILLS

logger = logging.getLogger(__name__)

# A running job whose heartbeat is older than this was interrupted (its worker died) and may
# be claimed again when its task is redelivered.
STALE_AFTER = timedelta(minutes=10)


class ExportFailed(Exception):
    """The export cannot be made; the message is shown to the person who asked."""


def exportable_reports(campaign: Campaign) -> list[str]:
    """The Performance reports the workspace's tier includes, in the tab's order."""
    included = tier_reports(campaign.workspace)
    return [report for report in REPORT_FILTERS if included[report]]


def _stored_filters(filters: ReportFilters, date_range: str) -> dict[str, Any]:
    period = filters.period
    return {
        "range": date_range,
        "start": period.start.isoformat() if period.start else None,
        "end": period.end.isoformat() if period.end else None,
        "touch": filters.touch,
        "model": filters.model,
    }


def _check_format(fmt: str) -> None:
    if fmt not in ExportFormat.values:
        message = _("Choose one of the formats CSV, XLS, XLSX or PDF (got “%(fmt)s”).")
        raise ValidationError({"format": message % {"fmt": fmt}})


def _queue(job: ExportJob) -> None:
    from exports.tasks import run_export_job

    job_id, workspace_id = job.pk, job.workspace_id
    # robust: a broker or SMTP hiccup must not turn the request that asked into an error page.
    transaction.on_commit(lambda: run_export_job.delay(job_id, workspace_id), robust=True)


def _queued_job(
    *, campaign: Campaign, user: Any, kind: str, parameters: dict[str, Any]
) -> ExportJob:
    """A new job of `kind` in the person's current language, queued once the caller's
    transaction commits."""
    job = ExportJob.objects.create(
        workspace_id=campaign.workspace_id,
        user=user,
        kind=kind,
        campaign=campaign,
        language=translation.get_language() or "en",
        parameters=parameters,
    )
    _queue(job)
    return job


@transaction.atomic
def request_campaign_export(
    *,
    campaign: Campaign,
    user: Any,
    fmt: str,
    filters: ReportFilters,
    date_range: str = "all",
    sections: Sequence[str] | None = None,
    model: str | None = None,
) -> ExportJob:
    """Queue an export of the campaign's Performance reports (all the tier includes, or
    `sections`). Enterprise may pick the revenue-attribution `model`; Professional exports
    Revenue (even split) instead, so a model is ignored there."""
    _check_format(fmt)
    allowed = exportable_reports(campaign)
    chosen = list(allowed) if sections is None else [r for r in allowed if r in sections]
    unknown = sorted(set(sections or ()) - set(allowed))
    if unknown:
        raise ValidationError(
            {
                "sections": _("These reports are not part of your plan's export: %(names)s.")
                % {"names": ", ".join(unknown)}
            }
        )
    if not chosen:
        raise ValidationError({"sections": _("Choose at least one report to export.")})
    stored = _stored_filters(filters, date_range)
    if campaign.workspace.is_enterprise and model:
        if model not in RULE_BASED_MODELS:
            raise ValidationError(
                {"model": _("“%(model)s” is not an attribution model.") % {"model": model}}
            )
        stored["model"] = model
    return _queued_job(
        campaign=campaign,
        user=user,
        kind=ExportKind.CAMPAIGN,
        parameters={"format": fmt, "sections": chosen, "filters": stored},
    )


@transaction.atomic
def request_drill_export(
    *,
    campaign: Campaign,
    user: Any,
    fmt: str,
    metric: str,
    filters: ReportFilters,
    date_range: str = "all",
) -> ExportJob:
    """Queue an export of every row behind one Performance number (a drill-down list)."""
    _check_format(fmt)
    if metric not in DRILLS:
        raise ValidationError({"metric": _("There is no list called “%(m)s”.") % {"m": metric}})
    report = DRILLS[metric][0]
    if not tier_reports(campaign.workspace)[report]:
        raise ValidationError({"metric": _("Your plan does not include this list.")})
    return _queued_job(
        campaign=campaign,
        user=user,
        kind=ExportKind.DRILL,
        parameters={
            "format": fmt,
            "metric": metric,
            "filters": _stored_filters(filters, date_range),
        },
    )


ROWS_LIST = "rows"  # `parameters["list"]` of a drill job for a Traffic or asset list
SCOPE_FIELDS = ("asset", "source", "detail_1", "detail_2")


@transaction.atomic
def request_rows_export(
    *,
    campaign: Campaign,
    user: Any,
    fmt: str,
    metric: str,
    scope: dict[str, str],
    filters: ReportFilters,
    date_range: str = "all",
) -> ExportJob:
    """Queue an export of every row of a Traffic or asset drill-down list (`reporting:rows`):
    `scope` holds the list's given `asset`/`source`/`detail_1`/`detail_2` query values."""
    _check_format(fmt)
    if metric not in DRILL_KINDS:
        raise ValidationError({"metric": _("There is no list called “%(m)s”.") % {"m": metric}})
    return _queued_job(
        campaign=campaign,
        user=user,
        kind=ExportKind.DRILL,
        parameters={
            "format": fmt,
            "list": ROWS_LIST,
            "metric": metric,
            "scope": {name: str(scope[name]) for name in SCOPE_FIELDS if name in scope},
            "filters": _stored_filters(filters, date_range),
        },
    )


CREDITED_LIST = "credited"  # `parameters["list"]` for an Attribution cell's interactions


@transaction.atomic
def request_credited_export(
    *,
    campaign: Campaign,
    user: Any,
    fmt: str,
    definition: AttributionDefinition,
    model: str,
    row: str,
) -> ExportJob:
    """Queue an export of every interaction credited under `model` in one row of the
    Attribution tab's table (`reporting:attribution_interactions`)."""
    _check_format(fmt)
    if model not in definition.models:
        raise ValidationError(
            {"model": _("Choose a model of the report (got “%(m)s”).") % {"m": model}}
        )
    if is_gated(campaign, definition):
        raise ValidationError({"definition": _("Your plan does not include this report.")})
    return _queued_job(
        campaign=campaign,
        user=user,
        kind=ExportKind.DRILL,
        parameters={
            "format": fmt,
            "list": CREDITED_LIST,
            "definition": definition.as_data(),
            "model": model,
            "row": row,
        },
    )


DEALS_LIST = "deals"  # `parameters["list"]` for the deals of the Performance tab's revenue
DEAL_REPORTS = (ReportKind.REVENUE, ReportKind.REVENUE_ATTRIBUTION)


@transaction.atomic
def request_deals_export(
    *,
    campaign: Campaign,
    user: Any,
    fmt: str,
    report: str,
    filters: ReportFilters,
    date_range: str = "all",
) -> ExportJob:
    """Queue an export of every deal behind Deals / Associated deal value of `report` (Revenue
    or Revenue attribution; `reporting:revenue_deals`)."""
    _check_format(fmt)
    if report not in DEAL_REPORTS:
        raise ValidationError({"report": _("There is no list called “%(m)s”.") % {"m": report}})
    if not tier_reports(campaign.workspace)[report]:
        raise ValidationError({"report": _("Your plan does not include this list.")})
    return _queued_job(
        campaign=campaign,
        user=user,
        kind=ExportKind.DRILL,
        parameters={
            "format": fmt,
            "list": DEALS_LIST,
            "report": report,
            "filters": _stored_filters(filters, date_range),
        },
    )


# --- Running a job -------------------------------------------------------------------------------
def claim_export(*, job_id: int, workspace_id: int) -> tuple[ExportJob | None, bool]:
    """(the job, whether this caller must make its file). A queued or interrupted job is
    marked running for this caller; a finished one is returned for delivery only; one running
    elsewhere is left to its worker (None)."""
    now = timezone.now()
    with transaction.atomic():
        job = (
            ExportJob.objects.for_workspace(workspace_id)
            .select_for_update()
            .filter(pk=job_id)
            .first()
        )
        if job is None:
            return None, False
        if job.status in (ExportStatus.DONE, ExportStatus.FAILED):
            return job, False
        stale = job.heartbeat_at is None or job.heartbeat_at < now - STALE_AFTER
        if job.status == ExportStatus.RUNNING and not stale:
            return None, False
        job.status, job.progress, job.error = ExportStatus.RUNNING, 5, ""
        job.started_at = job.heartbeat_at = now
        job.save(update_fields=["status", "progress", "error", "started_at", "heartbeat_at"])
    return job, True


def _set_progress(job: ExportJob, percent: int) -> None:
    job.progress, job.heartbeat_at = percent, timezone.now()
    ExportJob.objects.for_workspace(job.workspace_id).filter(pk=job.pk).update(
        progress=percent, heartbeat_at=job.heartbeat_at
    )


def ready_snapshot(*, campaign: Campaign, report: str, filters: ReportFilters) -> ReportSnapshot:
    """The report's snapshot for the current data version, computed here if no worker has
    (the same snapshot the Performance tab shows, so the file's numbers are the page's)."""
    snapshot = request_report(campaign=campaign, report=report, filters=filters, batch=[])
    snapshot = ReportSnapshot.objects.for_workspace(campaign.workspace_id).get(pk=snapshot.pk)
    if not snapshot.is_ready:
        try:
            snapshot = compute_snapshot(snapshot=snapshot)
        except ReportFailed as exc:
            raise ExportFailed(
                _("The report “%(report)s” could not be computed: %(error)s")
                % {"report": ReportKind(report).label, "error": exc}
            ) from exc
    return snapshot


def _filters(job: ExportJob) -> ReportFilters:
    return ReportFilters.from_stored(job.parameters.get("filters") or {})


def _campaign_document(job: ExportJob, progress: Callable[[int], None]) -> ExportDocument:
    campaign, workspace = job.campaign, job.workspace
    filters = _filters(job)
    reports = [r for r in exportable_reports(campaign) if r in job.parameters.get("sections", [])]
    payloads = {}
    for done, report in enumerate(reports, start=1):
        payloads[report] = ready_snapshot(campaign=campaign, report=report, filters=filters).payload
        progress(10 + 70 * done // len(reports))
    return campaign_document(
        campaign_name=campaign.name,
        workspace_name=workspace.name,
        payloads=payloads,
        filters=job.parameters.get("filters") or {},
        enterprise=workspace.is_enterprise,
        currency=workspace.currency,
        language=job.language,
        generated_at=timezone.now().astimezone(workspace.tz),
    )


def _job_filter_lines(job: ExportJob, *, reports: list[str]) -> list[tuple[str, str]]:
    """The Performance tab's filters the job was asked with, as the file's filter lines."""
    stored = job.parameters.get("filters") or {}
    return filter_lines(stored, enterprise=job.workspace.is_enterprise, reports=reports)


def _list_document(
    job: ExportJob, section: Section, *, filters: Sequence[tuple[str, str]]
) -> ExportDocument:
    """A drill-down list's file: the campaign and the list's title, the list's filters, one
    section."""
    campaign, workspace = job.campaign, job.workspace
    return ExportDocument(
        title=f"{campaign.name}: {section.title}",
        subtitle=workspace.name,
        filters=filters,
        generated_at=timezone.now().astimezone(workspace.tz),
        currency=workspace.currency,
        language=job.language,
        sections=[section],
    )


def _rows_document(job: ExportJob, progress: Callable[[int], None]) -> ExportDocument:
    campaign, workspace = job.campaign, job.workspace
    metric = str(job.parameters["metric"])
    scope_form = DrillScopeForm(job.parameters.get("scope") or {})
    if metric not in DRILL_KINDS or not scope_form.is_valid():
        raise ExportFailed(_("This list is no longer available."))
    scope = scope_form.scope(campaign=campaign)
    lower, upper = _filters(job).period.bounds(workspace.tz)
    try:
        rows = drill_rows(campaign=campaign, metric=metric, lower=lower, upper=upper, scope=scope)
    except ValueError as exc:
        raise ExportFailed(_("This list is no longer available.")) from exc
    progress(20)
    section = rows_section(campaign=campaign, metric=metric, rows=rows)
    return _list_document(
        job,
        section,
        filters=_job_filter_lines(job, reports=[])[:1],
    )


def _credited_document(job: ExportJob, progress: Callable[[int], None]) -> ExportDocument:
    from reporting.attribution import credited_interactions
    from reporting.attribution_views import _credited_rows, row_label
    from reporting.definitions import ALL_MODEL_LABELS

    campaign, workspace = job.campaign, job.workspace
    definition = AttributionDefinition.from_data(job.parameters.get("definition") or {})
    model, row = str(job.parameters.get("model")), str(job.parameters.get("row"))
    if model not in definition.models or is_gated(campaign, definition):
        raise ExportFailed(_("This list is no longer available."))
    today = timezone.localdate(timezone=workspace.tz)
    credited = credited_interactions(
        campaign=campaign, definition=definition, model=model, row=row, today=today
    )
    progress(40)
    items = [{str(k): v for k, v in item.items()} for item in credited.to_dict("records")]
    rows = _credited_rows(campaign, definition, items)
    title = _("%(row)s under %(model)s") % {
        "row": row_label(definition.dimension, {"key": row, "name": ""}),
        "model": ALL_MODEL_LABELS.get(model, model),
    }
    section = Section(
        key="credited",
        title=str(title),
        columns=credited_columns(definition.conversion, workspace.currency),
        rows=[credited_cells(definition.conversion, r, workspace.tz) for r in rows],
    )
    return _list_document(job, section, filters=[])


def _deals_document(job: ExportJob, progress: Callable[[int], None]) -> ExportDocument:
    campaign, workspace = job.campaign, job.workspace
    report = str(job.parameters.get("report"))
    if report not in DEAL_REPORTS or not tier_reports(workspace)[report]:
        raise ExportFailed(_("This list is no longer available."))
    snapshot = ready_snapshot(campaign=campaign, report=report, filters=_filters(job))
    progress(40)
    items = snapshot.drill.get("deal_rows", [])
    section = deals_section(campaign=campaign, report=report, items=items)
    return _list_document(
        job,
        section,
        filters=_job_filter_lines(job, reports=[report]),
    )


def _drill_document(job: ExportJob, progress: Callable[[int], None]) -> ExportDocument:
    if job.parameters.get("list") == ROWS_LIST:
        return _rows_document(job, progress)
    if job.parameters.get("list") == CREDITED_LIST:
        return _credited_document(job, progress)
    if job.parameters.get("list") == DEALS_LIST:
        return _deals_document(job, progress)
    campaign = job.campaign
    metric = str(job.parameters["metric"])
    report, key = DRILLS[metric]
    filters = _filters(job)
    snapshot = ready_snapshot(campaign=campaign, report=report, filters=filters)
    progress(40)
    section = drill_section(
        campaign=campaign, metric=metric, items=snapshot.drill.get(key, []), touch=filters.touch
    )
    return _list_document(
        job,
        section,
        filters=_job_filter_lines(job, reports=[report]),
    )


def build_document(job: ExportJob, progress: Callable[[int], None]) -> ExportDocument:
    if job.kind == ExportKind.CAMPAIGN:
        return _campaign_document(job, progress)
    if job.kind == ExportKind.DRILL:
        return _drill_document(job, progress)
    if job.kind == ExportKind.ATTRIBUTION:
        return _attribution_document(job, progress)
    raise ExportFailed(_("This kind of export is not available."))


def export_filename(job: ExportJob, extension: str) -> str:
    """A readable name (the person's language); the download view makes it header-safe."""
    day = timezone.localdate(timezone=job.workspace.tz).isoformat()
    if job.kind == ExportKind.DRILL and job.parameters.get("list") == ROWS_LIST:
        what = rows_title(str(job.parameters.get("metric")))
    elif job.kind == ExportKind.DRILL and job.parameters.get("list") == CREDITED_LIST:
        what = _("credited interactions")
    elif job.kind == ExportKind.DRILL and job.parameters.get("list") == DEALS_LIST:
        what = deals_title(str(job.parameters.get("report")))
    elif job.kind == ExportKind.DRILL:
        what = drill_title(str(job.parameters.get("metric")), touch=_filters(job).touch)
    elif job.kind == ExportKind.ATTRIBUTION:
        return _safe_name(f"{job.parameters.get('name') or job.campaign.name} {day}", extension)
    else:
        what = _("performance")
    return _safe_name(f"{job.campaign.name} {what} {day}", extension)


def _safe_name(name: str, extension: str) -> str:
    name = "".join("-" if c in '/\\:*?"<>|' or ord(c) < 32 else c for c in name)
    return f"{name[:200].strip()}.{extension}"


def _store_file(job: ExportJob, content: bytes, extension: str) -> ExportJob:
    """Write the file (one per job: a second run replaces it) and mark the job done."""
    storage = export_storage()
    name = f"{job.workspace_id}/export-{job.pk}.{extension}"
    with transaction.atomic():
        locked = (
            ExportJob.objects.for_workspace(job.workspace_id).select_for_update().get(pk=job.pk)
        )
        if locked.status == ExportStatus.DONE:  # another delivery of the task finished first
            return locked
        if storage.exists(name):
            storage.delete(name)
        locked.file_path = storage.save(name, ContentFile(content))
        now = timezone.now()
        locked.filename = export_filename(locked, extension)
        locked.size = len(content)
        locked.status, locked.progress = ExportStatus.DONE, 100
        locked.finished_at = locked.heartbeat_at = now
        locked.expires_at = now + EXPORT_TTL
        locked.save()
    return locked


def _fail(job: ExportJob, message: str) -> ExportJob:
    now = timezone.now()
    ExportJob.objects.for_workspace(job.workspace_id).filter(pk=job.pk).update(
        status=ExportStatus.FAILED, error=message[:2000], finished_at=now, heartbeat_at=now
    )
    job.refresh_from_db()
    return job


def make_export_file(job: ExportJob) -> ExportJob:
    """Build the document, render it in the job's format and store it; a failure is stored
    on the job with a message for the person who asked."""
    from exports.formats import render

    with translation.override(job.language or "en"):
        try:
            document = build_document(job, lambda percent: _set_progress(job, percent))
            _set_progress(job, 85)
            rendered = render(document, job.fmt)
        except ExportFailed as exc:
            return _fail(job, str(exc))
        except Exception as exc:
            logger.exception("export job %s failed", job.pk)
            return _fail(job, _("The export could not be made (%(error)s).") % {"error": exc})
        try:
            return _store_file(job, rendered.content, rendered.extension)
        except OSError as exc:
            logger.exception("export job %s could not be stored", job.pk)
            return _fail(job, _("The file could not be stored (%(error)s).") % {"error": exc})


def run_export(*, job_id: int, workspace_id: int) -> ExportJob | None:
    """Make the job's file if that is still to do, then deliver it (each step once)."""
    job, must_make = claim_export(job_id=job_id, workspace_id=workspace_id)
    if job is None:
        return None
    if must_make:
        job = make_export_file(job)
    delivery.deliver(job=job)
    return job


# --- Expiry ------------------------------------------------------------------------------------
def delete_expired_files(*, now: Any = None) -> int:
    """Delete the files of expired exports (the rows stay, so their links say "expired")."""
    now = now or timezone.now()
    storage = export_storage()
    # Unscoped on purpose: a maintenance sweep over every workspace's expired files.
    expired = list(
        ExportJob.objects.unscoped()
        .filter(expires_at__lte=now)
        .exclude(file_path="")
        .values_list("pk", "file_path")
    )
    for _job_id, path in expired:
        if storage.exists(path):
            storage.delete(path)
    ids = [job_id for job_id, _path in expired]
    return int(ExportJob.objects.unscoped().filter(pk__in=ids).update(file_path=""))


# --- Attribution-tab export ----------------------------------------------------------------------
@transaction.atomic
def request_attribution_export(
    *, campaign: Campaign, user: Any, fmt: str, name: str, definition: AttributionDefinition
) -> ExportJob:
    """Queue an export of the Attribution tab's tables for `definition`, under `name`."""
    _check_format(fmt)
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Give the export a name.")})
    if len(name) > 200:
        raise ValidationError({"name": _("Use at most 200 characters for the name.")})
    if is_gated(campaign, definition):
        raise ValidationError(
            {"conversion": _("Deal create and revenue reports are part of the Enterprise tier.")}
        )
    return _queued_job(
        campaign=campaign,
        user=user,
        kind=ExportKind.ATTRIBUTION,
        parameters={"format": fmt, "name": name, "definition": definition.as_data()},
    )


def _attribution_document(job: ExportJob, progress: Callable[[int], None]) -> ExportDocument:
    from exports.documents import attribution_section
    from reporting.definitions import CONVERSION_CHOICES

    campaign, workspace = job.campaign, job.workspace
    definition = AttributionDefinition.from_data(job.parameters.get("definition") or {})
    today = timezone.localdate(timezone=workspace.tz)
    try:
        payload = attribution_result(campaign=campaign, definition=definition, today=today)
    except (PermissionError, RuntimeError) as exc:
        raise ExportFailed(
            _("The attribution report could not be computed: %(error)s") % {"error": exc}
        ) from exc
    progress(60)
    period = definition.period(today=today)
    filters = {
        "range": definition.range,
        "start": period.start.isoformat() if period.start else None,
        "end": period.end.isoformat() if period.end else None,
    }
    lines = [
        (_("Report type"), str(dict(CONVERSION_CHOICES).get(definition.conversion))),
        *filter_lines(filters, enterprise=False, reports=[])[:1],
    ]
    return ExportDocument(
        title=str(job.parameters.get("name") or campaign.name),
        subtitle=f"{campaign.name} · {workspace.name}",
        filters=lines,
        generated_at=timezone.now().astimezone(workspace.tz),
        currency=workspace.currency,
        language=job.language,
        sections=[attribution_section(payload, currency=workspace.currency)],
    )
