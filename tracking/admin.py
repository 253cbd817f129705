from __future__ import annotations

from django.contrib import admin

from tracking.models import CollectedEvent, Interaction, PageView, Session, Visitor
from workspaces.admin import WorkspaceListFilter, WorkspaceScopedAdmin

# These tables grow to millions of rows: no full COUNT(*) on every list page.


@admin.register(Visitor)
class VisitorAdmin(WorkspaceScopedAdmin):
    list_display = ("cookie_id", "contact", "first_seen_at", "identified_at", "workspace")
    list_select_related = ("workspace", "contact")
    search_fields = ("cookie_id", "contact__email")
    show_full_result_count = False


@admin.register(Session)
class SessionAdmin(WorkspaceScopedAdmin):
    list_display = ("started_at", "source", "landing_url", "utm_campaign", "contact", "workspace")
    list_filter = (WorkspaceListFilter, "source")
    list_select_related = ("workspace", "contact")
    search_fields = ("visitor__cookie_id", "utm_campaign", "contact__email")
    date_hierarchy = "started_at"
    show_full_result_count = False


@admin.register(PageView)
class PageViewAdmin(WorkspaceScopedAdmin):
    list_display = ("occurred_at", "url", "asset", "workspace")
    list_select_related = ("workspace", "asset")
    search_fields = ("url", "event_id")
    show_full_result_count = False


@admin.register(Interaction)
class InteractionAdmin(WorkspaceScopedAdmin):
    list_display = ("occurred_at", "type", "contact", "asset", "campaign", "workspace")
    list_filter = (WorkspaceListFilter, "type")
    list_select_related = ("workspace", "contact", "asset", "campaign")
    search_fields = ("contact__email", "asset__name", "external_id")
    date_hierarchy = "occurred_at"
    show_full_result_count = False


@admin.register(CollectedEvent)
class CollectedEventAdmin(WorkspaceScopedAdmin):
    list_display = ("received_at", "kind", "visitor_cookie", "processed_at", "error", "workspace")
    list_filter = (WorkspaceListFilter, "kind")
    search_fields = ("visitor_cookie", "event_id")
    readonly_fields = ("received_at", "processed_at")
    show_full_result_count = False
