from __future__ import annotations

from django.contrib import admin

from crm.models import Contact, Deal, DealContact, ImportJob, LifecycleStageChange
from workspaces.admin import (
    ReadOnlyWorkspaceScopedAdmin,
    WorkspaceListFilter,
    WorkspaceScopedAdmin,
)


@admin.register(Contact)
class ContactAdmin(WorkspaceScopedAdmin):
    list_display = (
        "email",
        "first_name",
        "last_name",
        "lifecycle_stage",
        "workspace",
        "created_at",
    )
    list_filter = (WorkspaceListFilter, "lifecycle_stage", "creation_channel", "original_source")
    search_fields = ("email", "first_name", "last_name", "external_id")
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(LifecycleStageChange)
class LifecycleStageChangeAdmin(WorkspaceScopedAdmin):
    list_display = ("contact", "stage", "changed_at", "workspace")
    list_filter = (WorkspaceListFilter, "stage")
    list_select_related = ("workspace", "contact")
    search_fields = ("contact__email",)
    show_full_result_count = False


@admin.register(Deal)
class DealAdmin(WorkspaceScopedAdmin):
    list_display = ("name", "amount", "currency", "stage", "created_at", "closed_at", "workspace")
    list_filter = (WorkspaceListFilter, "stage", "pipeline")
    search_fields = ("name", "external_id")
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(DealContact)
class DealContactAdmin(WorkspaceScopedAdmin):
    list_display = ("deal", "contact", "associated_at", "workspace")
    list_select_related = ("workspace", "deal", "contact")
    search_fields = ("deal__name", "contact__email")
    show_full_result_count = False


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyWorkspaceScopedAdmin):
    """Read-only: an import's state is written by its Celery task."""

    list_display = (
        "original_filename",
        "kind",
        "status",
        "rows_done",
        "rows_total",
        "error_count",
        "created_at",
        "workspace",
    )
    list_filter = (WorkspaceListFilter, "kind", "status")
    search_fields = ("original_filename",)
    date_hierarchy = "created_at"
