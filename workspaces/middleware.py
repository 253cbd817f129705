"""Membership is checked here, in one place, for every `/w/<workspace_slug>/...` URL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from workspaces.models import Membership


class WorkspaceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.workspace = None  # type: ignore[attr-defined]
        request.membership = None  # type: ignore[attr-defined]
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        slug = view_kwargs.pop("workspace_slug", None)
        if slug is None:
            return None
        if not request.user.is_authenticated:
            # LoginRequiredMiddleware runs before us for protected views; public views with a
            # slug (none today) would see no workspace.
            raise Http404
        membership = (
            Membership.objects.unscoped()
            .select_related("workspace")
            .filter(workspace__slug=slug, user=request.user)
            .first()
        )
        if membership is None:
            # A workspace the user is not in looks exactly like one that does not exist.
            raise Http404
        request.workspace = membership.workspace  # type: ignore[attr-defined]
        request.membership = membership  # type: ignore[attr-defined]
        request.session["last_workspace"] = slug
        # Every date a workspace page shows or parses is in the workspace's time zone.
        timezone.activate(membership.workspace.tz)
        return None
