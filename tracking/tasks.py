"""Celery tasks of the tracking app (thin: the work is in tracking/processing.py)."""

from __future__ import annotations

from celery import shared_task

from tracking import processing
from tracking.collector import queue_processing
from tracking.models import CollectedEvent


@shared_task(acks_late=True)
def process_collected_events(workspace_id: int, follow_up: bool = False) -> int:
    """Turn the workspace's pending collected events into sessions and page views. Safe to run
    twice or concurrently; returns how many events this run processed."""
    return processing.process_pending_events(workspace_id=workspace_id, follow_up=follow_up)


@shared_task(acks_late=True)
def sweep_collected_events() -> int:
    """Queue processing for every workspace with pending events (a safety net for a queued task
    that was lost, e.g. when the broker restarted); returns how many workspaces were queued."""
    workspace_ids = list(
        CollectedEvent.objects.unscoped()
        .filter(processed_at__isnull=True)
        .values_list("workspace_id", flat=True)
        .distinct()
    )
    for workspace_id in workspace_ids:
        queue_processing(workspace_id)
    return len(workspace_ids)
