from __future__ import annotations

from django.contrib import admin

from campaigns.models import Campaign, CampaignGoal, CampaignUtm, SpendItem, TrackingUrl
from workspaces.admin import WorkspaceListFilter, WorkspaceScopedAdmin


@admin.register(Campaign)
class CampaignAdmin(WorkspaceScopedAdmin):
    list_display = ("name", "workspace", "status", "start_date", "end_date", "owner", "created_at")
    list_filter = (WorkspaceListFilter, "status")
    list_select_related = ("workspace", "owner")
    search_fields = ("name", "utms__value")
    date_hierarchy = "start_date"
    readonly_fields = ("created_at", "updated_at")


@admin.register(CampaignUtm)
class CampaignUtmAdmin(WorkspaceScopedAdmin):
    list_display = ("value", "campaign", "workspace")
    list_select_related = ("workspace", "campaign")
    search_fields = ("value", "campaign__name")


@admin.register(CampaignGoal)
class CampaignGoalAdmin(WorkspaceScopedAdmin):
    list_display = ("campaign", "metric", "target", "workspace")
    list_filter = (WorkspaceListFilter, "metric")
    list_select_related = ("workspace", "campaign")
    search_fields = ("campaign__name",)


@admin.register(SpendItem)
class SpendItemAdmin(WorkspaceScopedAdmin):
    list_display = ("name", "campaign", "amount", "currency", "spent_on", "workspace")
    list_filter = (WorkspaceListFilter, "currency")
    list_select_related = ("workspace", "campaign")
    search_fields = ("name", "campaign__name")
    date_hierarchy = "spent_on"


@admin.register(TrackingUrl)
class TrackingUrlAdmin(WorkspaceScopedAdmin):
    list_display = ("name", "campaign", "utm_source", "utm_medium", "utm_campaign", "workspace")
    list_select_related = ("workspace", "campaign")
    search_fields = ("name", "destination_url", "utm_campaign", "campaign__name")
    readonly_fields = ("created_at",)
