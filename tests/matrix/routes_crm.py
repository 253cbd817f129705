"""Matrix entries for crm/urls.py (the CSV import pages).

`build_tenant` has no import job, so `_job` makes one per tenant the first time a test asks
(inside that test's savepoint, so it is rolled back with it) and reuses it while it exists.
The job's file is not written: the mapping page then answers with its "upload the file again"
message, which is enough to prove who can reach it. Its original file name carries the
workspace's name, so workspace B's canary would show if B's job leaked.
"""

from __future__ import annotations

from typing import Any

from tests.matrix import Route


def _job(tenant: Any) -> dict[str, Any]:
    from crm.models import ImportJob

    job = tenant.objects.get("import_job")
    if job is None or not ImportJob.objects.filter(pk=job.pk, workspace=tenant.workspace).exists():
        job = ImportJob.objects.create(
            workspace=tenant.workspace,
            kind="contacts",
            file_path=f"{tenant.workspace.pk}/matrix-missing.csv",
            original_filename=f"{tenant.workspace.name}.csv",
            header=["Email"],
            rows_total=1,
        )
        tenant.objects["import_job"] = job
    return {"job_id": job.pk}


def _mapping(tenant: Any) -> dict[str, Any]:
    return {"delimiter": ",", "email": "0"}


ROUTES: list[Any] = [
    Route("crm:imports", min_role="marketer", notes="The workspace's import jobs, newest first."),
    Route(
        "crm:import_new",
        min_role="marketer",
        methods=("get", "post"),
        post_data=lambda tenant: {"kind": "contacts"},
        notes="Upload form; a post without a file is refused and stores nothing.",
    ),
    Route(
        "crm:import_template",
        min_role="marketer",
        query="kind=contacts",
        notes="A sample CSV per kind; no workspace data in it.",
    ),
    Route(
        "crm:import_detail",
        kwargs=_job,
        min_role="marketer",
        notes="Progress (polled with htmx) and result of one job.",
    ),
    Route(
        "crm:import_mapping",
        kwargs=_job,
        min_role="marketer",
        methods=("get", "post"),
        post_data=_mapping,
        notes="Preview + column mapping; the POST queues the run (foreign job ids: 404).",
    ),
    Route(
        "crm:import_errors",
        kwargs=_job,
        min_role="marketer",
        notes="The per-row errors CSV of one job.",
    ),
]
