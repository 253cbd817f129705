"""Signals other apps listen to (tracking imports none of them)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent after a processing run stored collected events (committed); kwargs: workspace_id.
# reporting refreshes its stored Performance rollups on it.
events_processed = Signal()
