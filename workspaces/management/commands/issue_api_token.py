"""`manage.py issue_api_token --workspace NAME_OR_SLUG [--name LABEL]`

Prints the new raw token alone on stdout (so `TOKEN=$(manage.py issue_api_token ...)` works);
what it is for goes to stderr. Only the token's sha256 is stored, so this is the one chance to
copy it.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from workspaces.models import Workspace
from workspaces.services import WorkspaceError, create_api_token


class Command(BaseCommand):
    help = "Create an API token for a workspace and print it (it is shown only this once)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--workspace", required=True, help="The workspace's slug or name (case-insensitive)."
        )
        parser.add_argument(
            "--name", default="Command line", help="A label for the token (default: %(default)s)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = find_workspace(options["workspace"])
        try:
            token, raw = create_api_token(workspace=workspace, name=options["name"])
        except WorkspaceError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stderr.write(
            f"Token {token.name!r} for workspace {workspace.name!r} ({workspace.slug}). "
            "Store it now: it cannot be shown again."
        )
        self.stdout.write(raw)


def find_workspace(key: str) -> Workspace:
    key = key.strip()
    by_slug = Workspace.objects.filter(slug=key).first()
    if by_slug is not None:
        return by_slug
    matches = list(Workspace.objects.filter(Q(name__iexact=key) | Q(slug__iexact=key)))
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        slugs = ", ".join(sorted(w.slug for w in matches))
        raise CommandError(f"Several workspaces are called {key!r}; use a slug: {slugs}.")
    known = ", ".join(Workspace.objects.order_by("slug").values_list("slug", flat=True)[:20])
    hint = f" Known slugs: {known}." if known else " There are no workspaces yet."
    raise CommandError(f"No workspace has the slug or name {key!r}.{hint}")
