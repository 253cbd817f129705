"""Role checks for workspace views. Membership itself is checked by WorkspaceMiddleware."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from workspaces.models import Role

View = Callable[..., HttpResponse]


def role_required(role: str) -> Callable[[View], View]:
    """Allow the view for members with at least `role`; others in the workspace get 403."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = getattr(request, "membership", None)
            if membership is None:
                raise Http404
            if not membership.has_role(role):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


admin_required = role_required(Role.ADMIN)
editor_required = role_required(Role.MARKETER)
member_required = role_required(Role.VIEWER)
