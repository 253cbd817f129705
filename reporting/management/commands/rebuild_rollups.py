"""`manage.py rebuild_rollups [--workspace SLUG] [--stale]`: rebuild the Performance rollups.

Every campaign's stored facts (sessions, influenced contacts, traffic and asset counts per day)
are rebuilt from the raw data, per workspace; by default of every workspace.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reporting.rollups import rebuild_workspace_rollups
from reporting.services import refresh_revenue_credits
from workspaces.models import Workspace


class Command(BaseCommand):
    help = "Rebuild the stored Performance rollups of one workspace or of all of them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", help="Slug of the workspace (default: all).")
        parser.add_argument(
            "--stale", action="store_true", help="Only campaigns whose rollups are out of date."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        workspaces = Workspace.objects.order_by("pk")
        if options["workspace"]:
            workspaces = workspaces.filter(slug=options["workspace"])
            if not workspaces.exists():
                raise CommandError(f"No workspace with the slug {options['workspace']!r}.")
        for workspace in workspaces:
            began = time.monotonic()
            count = rebuild_workspace_rollups(
                workspace_id=workspace.pk, only_stale=options["stale"]
            )
            models = refresh_revenue_credits(workspace_id=workspace.pk)
            self.stdout.write(
                f"{workspace.slug}: rollups of {count} campaign(s) rebuilt and revenue credits "
                f"({', '.join(models)}) stored in {time.monotonic() - began:.1f} s"
            )
