"""Reads of the notification center: always one user's rows in one workspace."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from notifications.models import Notification
from workspaces.models import Workspace

MENU_SIZE = 10


def notifications_for(*, workspace: Workspace | int, user: Any) -> QuerySet[Notification]:
    """The user's notifications in the workspace, newest first."""
    return Notification.objects.for_workspace(workspace).filter(user=user)


def unread_count(*, workspace: Workspace | int, user: Any) -> int:
    """One COUNT on the (workspace, user, read_at) index: what the bell shows."""
    return int(notifications_for(workspace=workspace, user=user).filter(read_at=None).count())


def latest_notifications(*, workspace: Workspace | int, user: Any) -> list[Notification]:
    """What the bell's dropdown lists."""
    return list(notifications_for(workspace=workspace, user=user)[:MENU_SIZE])
