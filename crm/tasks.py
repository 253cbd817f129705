"""Celery tasks of the CRM: running an import job."""

from __future__ import annotations

from celery import shared_task

from crm.imports.runner import run_import


@shared_task(name="crm.run_import_job", acks_late=True)
def run_import_job(job_id: int, workspace_id: int) -> str:
    """Run a queued import job; a job that is running or finished is left alone, so a
    redelivered message does nothing (an interrupted job is taken up again, see runner)."""
    job = run_import(job_id=job_id, workspace_id=workspace_id)
    return job.status if job is not None else "not runnable"
