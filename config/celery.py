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
    # Collected page views whose queued processing task was lost (broker restart): queue again.
    "tracking-sweep-collected-events": {
        "task": "tracking.tasks.sweep_collected_events",
        "schedule": 5 * 60,
    },
}
