"""The notification center under /w/<slug>/notifications/: the page, the bell's dropdown and
count, and marking as read. Every view reads only the current user's rows in the workspace,
so another member's (or another workspace's) notification is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from notifications import selectors, services
from notifications.models import Notification
from workspaces.decorators import member_required
from workspaces.http import WorkspaceRequest, render_page

PAGE_SIZE = 20
MENU_TARGET = "notification-menu"


def _notification(request: WorkspaceRequest, notification_id: int) -> Notification:
    mine = selectors.notifications_for(workspace=request.workspace, user=request.user)
    return get_object_or_404(mine, pk=notification_id)


def _list_url(request: WorkspaceRequest) -> str:
    return reverse("notifications:list", kwargs={"workspace_slug": request.workspace.slug})


def _here(request: WorkspaceRequest) -> str:
    """The page the user is on: the browser's URL for an htmx request, else this request's."""
    htmx = getattr(request, "htmx", None)
    current = htmx.current_url_abs_path if htmx else None
    return current or request.get_full_path()


def _back(request: WorkspaceRequest) -> HttpResponse:
    """Without JavaScript a form posts and comes back to the page it was on (a local path)."""
    target = request.POST.get("next", "")
    return redirect(target if services.is_local_path(target) else _list_url(request))


def _counts(request: WorkspaceRequest) -> dict[str, Any]:
    count = selectors.unread_count(workspace=request.workspace, user=request.user)
    return {"unread_count": count, "here": _here(request)}


def _list_context(request: WorkspaceRequest, page_number: str | None) -> dict[str, Any]:
    mine = selectors.notifications_for(workspace=request.workspace, user=request.user)
    page = Paginator(mine, PAGE_SIZE).get_page(page_number)
    return {"page": page, **_counts(request)}


@member_required
@require_GET
def notification_list(request: WorkspaceRequest) -> HttpResponse:
    context = _list_context(request, request.GET.get("page"))
    return render_page(request, "notifications/list.html", "results", context)


def _menu(request: WorkspaceRequest) -> HttpResponse:
    latest = selectors.latest_notifications(workspace=request.workspace, user=request.user)
    context = {"notifications": latest, **_counts(request)}
    return render(request, "notifications/_menu.html", context)


@member_required
@require_GET
def menu(request: WorkspaceRequest) -> HttpResponse:
    """The bell's dropdown (loaded by htmx when it opens); without htmx, the full page."""
    if not getattr(request, "htmx", False):
        return redirect(_list_url(request))
    return _menu(request)


@member_required
@require_GET
def count(request: WorkspaceRequest) -> HttpResponse:
    """The bell's unread count, polled by htmx every 30 seconds."""
    return render(request, "notifications/_count.html", _counts(request))


@member_required
@require_POST
def mark_all_read(request: WorkspaceRequest) -> HttpResponse:
    changed = services.mark_read(workspace_id=request.workspace.pk, user=request.user)
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.target == MENU_TARGET:
        return _menu(request)
    if htmx:
        context = _list_context(request, request.POST.get("page"))
        return render(request, "notifications/_results_swap.html", context)
    messages.success(
        request,
        ngettext(
            "%(count)d notification marked as read.",
            "%(count)d notifications marked as read.",
            changed,
        )
        % {"count": changed},
    )
    return _back(request)


@member_required
def mark_read(request: WorkspaceRequest, notification_id: int) -> HttpResponse:
    notification = _notification(request, notification_id)
    if request.method != "POST":  # after the lookup, so a foreign id is still a 404
        return HttpResponseNotAllowed(["POST"])
    services.mark_read(
        workspace_id=request.workspace.pk, user=request.user, notification_id=notification.pk
    )
    if not getattr(request, "htmx", False):
        return _back(request)
    notification.refresh_from_db()
    context = {"notification": notification, **_counts(request)}
    return render(request, "notifications/_read.html", context)


@member_required
@require_GET
def open_notification(request: WorkspaceRequest, notification_id: int) -> HttpResponse:
    """A notification's link: mark it read, then go where it points (only a path on this site;
    anything else lands on the notification page)."""
    notification = _notification(request, notification_id)
    target = services.open_notification(
        workspace_id=request.workspace.pk, user=request.user, notification=notification
    )
    return redirect(target or _list_url(request))
