"""Writes of the notification center."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from notifications.models import Notification
from workspaces.models import Membership


def in_app_enabled(*, workspace_id: int, user: Any) -> bool:
    """Whether the member wants in-app notifications (Membership.notify_in_app)."""
    return bool(
        Membership.objects.filter(workspace_id=workspace_id, user=user, notify_in_app=True).exists()
    )


def email_enabled(*, workspace_id: int, user: Any) -> bool:
    """Whether the member wants notification emails (Membership.notify_email)."""
    return bool(
        Membership.objects.filter(workspace_id=workspace_id, user=user, notify_email=True).exists()
    )


def notify(
    *,
    workspace_id: int,
    user: Any,
    kind: str,
    title: str,
    dedupe_key: str,
    body: str = "",
    url: str = "",
) -> Notification | None:
    """Add a notification for the user, once per `dedupe_key` (a second call with the same key
    returns the existing row). Returns None when the member turned in-app notifications off or
    is no longer a member of the workspace."""
    if not in_app_enabled(workspace_id=workspace_id, user=user):
        return None
    existing = Notification.objects.filter(user=user, dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Notification.objects.create(
                workspace_id=workspace_id,
                user=user,
                kind=kind,
                title=title[:300],
                body=body,
                url=url[:1000],
                dedupe_key=dedupe_key[:200],
            )
    except IntegrityError:  # a concurrent delivery of the same task won
        return Notification.objects.get(user=user, dedupe_key=dedupe_key[:200])


def mark_read(*, workspace_id: int, user: Any, notification_id: int | None = None) -> int:
    """Mark one notification (or, without an id, all of the user's in the workspace) as read;
    returns how many changed."""
    unread = Notification.objects.for_workspace(workspace_id).filter(user=user, read_at=None)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return int(unread.update(read_at=timezone.now()))


def is_local_path(url: str) -> bool:
    """Whether `url` is a path on this site ("/w/acme/…"), never another host: a notification's
    link is followed by a redirect, which must not become an open redirect."""
    return (
        url.startswith("/")
        and not url.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(url, allowed_hosts=None, require_https=False)
    )


def open_notification(*, workspace_id: int, user: Any, notification: Notification) -> str | None:
    """Mark the notification read and return where its link points, when that is a local path."""
    mark_read(workspace_id=workspace_id, user=user, notification_id=notification.pk)
    return notification.url if is_local_path(notification.url) else None
