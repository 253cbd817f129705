from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from workspaces.models import memberships_for


def workspace(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "workspace": getattr(request, "workspace", None),
        "membership": getattr(request, "membership", None),
        "user_memberships": memberships_for(user),
    }
