from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from assets.models import Asset, AssetAssociation
from workspaces.admin import WorkspaceListFilter, WorkspaceScopedAdmin


@admin.register(Asset)
class AssetAdmin(WorkspaceScopedAdmin):
    list_display = ("name", "type", "workspace", "url", "published_at", "created_at")
    list_filter = (WorkspaceListFilter, "type")
    search_fields = ("name", "url", "external_id")
    readonly_fields = ("normalized_url", "created_at")


@admin.register(AssetAssociation)
class AssetAssociationAdmin(WorkspaceScopedAdmin):
    """Read-only: associations change only through assets.services, which keeps the SPEC rules
    (one campaign at a time, history kept, the 10,000 social post limit)."""

    list_display = ("asset", "campaign", "asset_type", "associated_at", "dissociated_at")
    list_filter = (WorkspaceListFilter, "asset_type")
    list_select_related = ("workspace", "asset", "campaign")
    search_fields = ("asset__name", "campaign__name")
    date_hierarchy = "associated_at"

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
