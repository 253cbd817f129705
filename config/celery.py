"""The Celery app. Beat schedules live here, in one place."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("touchpoint")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Report snapshots of old data versions can never be shown again: drop them nightly.
    "reporting-delete-stale-snapshots": {
        "task": "reporting.tasks.delete_stale_report_snapshots",
        "schedule": 24 * 60 * 60,
    },
    # Stored attribution credits and Attribution-tab snapshots of old data versions.
    "attribution-delete-stale-credit-runs": {
        "task": "attribution.tasks.delete_stale_credit_runs",
        "schedule": 60 * 60,
    },
    "reporting-delete-stale-attribution-snapshots": {
        "task": "reporting.attribution_tasks.delete_stale_attribution_snapshots",
        "schedule": 24 * 60 * 60,
    },
    # Collected page views whose queued processing task was lost (broker restart): queue again.
    "tracking-sweep-collected-events": {
        "task": "tracking.tasks.sweep_collected_events",
        "schedule": 5 * 60,
    },
    # Export files live 7 days (exports.models.EXPORT_TTL); their links then say "expired".
    "exports-delete-expired-files": {
        "task": "exports.delete_expired_export_files",
        "schedule": 60 * 60,
    },
}
