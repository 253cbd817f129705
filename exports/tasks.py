"""Celery tasks of exports (thin: load the row, call the service)."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

from exports import services


@shared_task(
    name="exports.run_export_job",
    acks_late=True,
    # SMTP trouble (and connection errors, which are OSErrors) is retried with exponential
    # backoff; the file is made once, so a retry only delivers.
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=8,
)
def run_export_job(job_id: int, workspace_id: int) -> str:
    job = services.run_export(job_id=job_id, workspace_id=workspace_id)
    return job.status if job is not None else "not runnable"


@shared_task(name="exports.delete_expired_export_files")
def delete_expired_export_files() -> int:
    return services.delete_expired_files()
