"""`manage.py seed_demo --workspace NAME --scale small|medium|large [--tier ...] [--seed N]`

Fills a demo workspace with a coherent year of marketing data (see reporting/demo), or says it
is already there. Prints how to log in and what was produced.
"""

from __future__ import annotations

import os
import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reporting.demo import catalog as C
from reporting.demo.config import SCALES
from reporting.demo.runner import COUNTED, DemoError, SeedResult, seed_demo
from workspaces.models import Tier


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--end-date {value!r} is not a date (use YYYY-MM-DD).") from exc


class Command(BaseCommand):
    help = "Create a demo workspace with campaigns, traffic, contacts, deals and ads data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", required=True, help="Name of the demo workspace.")
        parser.add_argument("--scale", choices=list(SCALES), default="small")
        parser.add_argument(
            "--tier",
            choices=list(Tier.values),
            default=None,
            help="Workspace tier (a new workspace is professional unless told otherwise).",
        )
        parser.add_argument(
            "--seed", type=int, default=42, help="Random seed (same seed, same data)."
        )
        parser.add_argument(
            "--end-date",
            type=_day,
            default=None,
            help="Day after the last day of data (YYYY-MM-DD; default: today, workspace time).",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo workspace and everything in it, then seed it again.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verbose = options["verbosity"] >= 1
        began = time.monotonic()

        def progress(message: str) -> None:
            self.stdout.write(f"  [{time.monotonic() - began:6.1f} s] {message}")

        try:
            result = seed_demo(
                name=options["workspace"],
                scale=options["scale"],
                tier=options["tier"],
                seed=options["seed"],
                end=options["end_date"],
                reset=options["reset"],
                progress=progress if verbose else None,
            )
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        if verbose:
            self._report(result, options["scale"])

    def _report(self, result: SeedResult, scale: str) -> None:
        ws = result.workspace
        if result.created:
            self.stdout.write(
                self.style.SUCCESS(
                    f'Seeded "{ws.name}" ({scale}, {ws.get_tier_display()}) '
                    f"in {result.seconds:.1f} s."
                )
            )
        else:
            self.stdout.write(
                f'"{ws.name}" already holds {scale} demo data; nothing was written '
                "(use --reset to seed it again)."
            )
        for note in result.notes:
            self.stdout.write(note)
        width = max(len(label) for label, _ in COUNTED)
        for label, _ in COUNTED:
            self.stdout.write(f"  {label:<{width}}  {result.counts.get(label, 0):>12,}")
        port = os.environ.get("PORT", "8000")
        self.stdout.write("")
        self.stdout.write(f"Log in at http://127.0.0.1:{port}/ (workspace: /w/{ws.slug}/)")
        for email, role, _first, _last in C.DEMO_USERS:
            self.stdout.write(f"  {role:<9} {email} / {C.DEMO_PASSWORD}")
