from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from workspaces.models import memberships_for


def home(request: HttpRequest) -> HttpResponse:
    """Send the user to the workspace they used last, or their first one."""
    memberships = memberships_for(request.user)
    last = request.session.get("last_workspace")
    chosen = next((m for m in memberships if m.workspace.slug == last), None) or memberships.first()
    if chosen is None:
        return render(request, "workspaces/no_workspace.html")
    return redirect("workspace_home", workspace_slug=chosen.workspace.slug)


def workspace_home(request: HttpRequest) -> HttpResponse:
    return redirect("campaigns:list", workspace_slug=request.workspace.slug)  # type: ignore[attr-defined]
