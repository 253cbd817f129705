from typing import Any

from django.apps import AppConfig
from django.db import transaction


class ReportingConfig(AppConfig):
    name = "reporting"

    def ready(self) -> None:
        from tracking.signals import events_processed

        events_processed.connect(_refresh_rollups, dispatch_uid="reporting-refresh-rollups")


def _refresh_rollups(sender: Any, *, workspace_id: int, **kwargs: Any) -> None:
    """New events were stored: workers bring the rollups of viewed campaigns up to date, so the
    next report computation finds them current."""
    from reporting.tasks import refresh_rollups

    transaction.on_commit(lambda: refresh_rollups.delay(workspace_id))
