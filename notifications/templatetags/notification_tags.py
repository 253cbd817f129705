"""The header's bell: `{% notification_bell %}` on workspace pages (one indexed COUNT)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from notifications.selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def notification_bell(context: template.Context) -> SafeString | str:
    request = context.get("request")
    workspace = context.get("workspace")
    user = getattr(request, "user", None)
    if request is None or workspace is None or user is None or not user.is_authenticated:
        return ""
    bell_context: dict[str, Any] = {
        "workspace": workspace,
        "unread_count": unread_count(workspace=workspace, user=user),
    }
    return render_to_string("notifications/_bell.html", bell_context, request=request)
