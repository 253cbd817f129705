"""Notifications for the tests, added through the real service."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse

from notifications.models import Notification, NotificationKind
from notifications.services import notify


def add_notification(
    workspace: Any,
    user: Any,
    title: str,
    *,
    url: str = "",
    body: str = "",
    read: bool = False,
    at: datetime | None = None,
    kind: str = NotificationKind.EXPORT_READY,
) -> Notification:
    notification = notify(
        workspace_id=workspace.pk,
        user=user,
        kind=kind,
        title=title,
        body=body,
        url=url,
        dedupe_key=f"test:{workspace.pk}:{title}",
    )
    assert notification is not None, "the user has in-app notifications off"
    changes: dict[str, Any] = {}
    if read:
        changes["read_at"] = at or notification.created_at
    if at is not None:
        changes["created_at"] = at
    if changes:
        Notification.objects.filter(pk=notification.pk).update(**changes)
        notification.refresh_from_db()
    return notification


def notification_url(name: str, slug: str = "acme", **kwargs: Any) -> str:
    return reverse(f"notifications:{name}", kwargs={"workspace_slug": slug, **kwargs})
