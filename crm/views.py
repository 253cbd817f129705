"""CRM pages: CSV import (list, upload, preview + mapping, job progress and result)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from crm.forms import KIND_HELP, ImportMappingForm, ImportPreviewForm, ImportUploadForm
from crm.imports import selectors, services
from crm.imports.fields import fields_for
from crm.imports.parsing import MAX_ROWS, ImportFileError
from crm.models import ImportJob, ImportKind, ImportStatus
from workspaces.decorators import editor_required, member_required
from workspaces.http import WorkspaceRequest, render_page, require_editor

PAGE_SIZE = 25


def _job(request: WorkspaceRequest, job_id: int) -> ImportJob:
    """The workspace's job or 404, then 403 below marketer (a foreign id is a 404 for all)."""
    job = get_object_or_404(ImportJob.objects.for_workspace(request.workspace), pk=job_id)
    require_editor(request)
    return job


@editor_required
@require_GET
def import_list(request: WorkspaceRequest) -> HttpResponse:
    jobs = selectors.import_jobs(workspace=request.workspace)
    page = Paginator(jobs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(request, "crm/import_list.html", "results", {"page": page})


@editor_required
@require_http_methods(["GET", "POST"])
def import_new(request: WorkspaceRequest) -> HttpResponse:
    kind = request.GET.get("kind") if request.GET.get("kind") in ImportKind.values else None
    posted = request.method == "POST"
    form = ImportUploadForm(
        request.POST if posted else None, request.FILES if posted else None, initial={"kind": kind}
    )
    if posted and form.is_valid():
        try:
            job, _inspection = services.create_import_job(
                workspace=request.workspace,
                user=request.user,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                language=get_language() or "",
            )
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect(
                "crm:import_mapping", workspace_slug=request.workspace.slug, job_id=job.pk
            )
    context = {"form": form, "kind_help": KIND_HELP, "max_rows": MAX_ROWS}
    return render(request, "crm/import_new.html", context)


@member_required
@require_http_methods(["GET", "POST"])
def import_mapping(request: WorkspaceRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    if job.status != ImportStatus.UPLOADED:
        return redirect("crm:import_detail", workspace_slug=request.workspace.slug, job_id=job.pk)
    preview = ImportPreviewForm(request.GET or None)
    delimiter = request.POST.get("delimiter") or preview.value("delimiter") or job.delimiter
    try:
        inspection = services.inspect_job_file(job=job, delimiter=delimiter)
    except ImportFileError as exc:
        return render(request, "crm/import_mapping.html", {"job": job, "problem": str(exc)})
    form = ImportMappingForm(
        request.POST if request.method == "POST" else None,
        kind=job.kind,
        header=inspection.header,
        delimiter=inspection.delimiter,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.start_import(job=job, mapping=form.mapping(), delimiter=inspection.delimiter)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect(
                "crm:import_detail", workspace_slug=request.workspace.slug, job_id=job.pk
            )
    context = {"job": job, "inspection": inspection, "form": form, "preview_form": preview}
    return render(request, "crm/import_mapping.html", context)


@member_required
@require_GET
def import_detail(request: WorkspaceRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    labels = {f.name: f.label for f in fields_for(job.kind)}
    mapped = [
        (labels.get(name, name), job.header[i])
        for name, i in job.mapping.items()
        if i < len(job.header)
    ]
    context = {"job": job, "mapped": mapped}
    return render_page(request, "crm/import_detail.html", "progress", context)


@member_required
@require_GET
def import_errors(request: WorkspaceRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    try:
        content = selectors.errors_file(job=job)
    except OSError:
        messages.error(request, _("The errors file of this import is no longer available."))
        return redirect("crm:import_detail", workspace_slug=request.workspace.slug, job_id=job.pk)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    filename = selectors.errors_filename(job=job)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@editor_required
@require_GET
def import_template(request: WorkspaceRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    if kind not in ImportKind.values:
        raise Http404
    response = HttpResponse(
        selectors.sample_file(kind=kind), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="touchpoint-{kind}-sample.csv"'
    return response
