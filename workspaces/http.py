"""What every workspace page view shares: the request type, role checks and partial rendering."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from workspaces.models import Membership, Workspace


class WorkspaceRequest(HttpRequest):
    """A request under /w/<slug>/: WorkspaceMiddleware has set the workspace and membership
    (and activated the workspace's time zone)."""

    workspace: Workspace
    membership: Membership


def render_page(
    request: WorkspaceRequest, template: str, partial: str, context: dict[str, Any]
) -> HttpResponse:
    """The whole page, or only its `partial` for an htmx request (not a history restore)."""
    htmx = getattr(request, "htmx", None)
    swap = bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]
    response = render(request, f"{template}#{partial}" if swap else template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def require_editor(request: WorkspaceRequest) -> None:
    """Marketers and admins may change things; viewers get 403."""
    if not request.membership.can_edit:
        raise PermissionDenied
