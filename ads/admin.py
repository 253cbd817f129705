from __future__ import annotations

from django.contrib import admin

from ads.models import Ad, AdAccount, AdCampaign, AdGroup, AdMetricDaily, Keyword
from workspaces.admin import WorkspaceListFilter, WorkspaceScopedAdmin


@admin.register(AdAccount)
class AdAccountAdmin(WorkspaceScopedAdmin):
    list_display = ("name", "network", "external_id", "currency", "last_synced_at", "workspace")
    list_filter = (WorkspaceListFilter, "network")
    search_fields = ("name", "external_id")


@admin.register(AdCampaign)
class AdCampaignAdmin(WorkspaceScopedAdmin):
    list_display = ("name", "account", "status", "campaign_type", "tracked", "workspace")
    list_filter = (WorkspaceListFilter, "status", "tracked", "account__network")
    list_select_related = ("workspace", "account")
    search_fields = ("name", "external_id")


@admin.register(AdGroup)
class AdGroupAdmin(WorkspaceScopedAdmin):
    list_display = ("name", "ad_campaign", "status", "workspace")
    list_filter = (WorkspaceListFilter, "status")
    list_select_related = ("workspace", "ad_campaign")
    search_fields = ("name", "external_id")


@admin.register(Ad)
class AdAdmin(WorkspaceScopedAdmin):
    list_display = ("name", "ad_group", "status", "workspace")
    list_filter = (WorkspaceListFilter, "status")
    list_select_related = ("workspace", "ad_group")
    search_fields = ("name", "external_id")


@admin.register(Keyword)
class KeywordAdmin(WorkspaceScopedAdmin):
    list_display = ("text", "match_type", "ad_group", "workspace")
    list_select_related = ("workspace", "ad_group")
    search_fields = ("text", "external_id")


@admin.register(AdMetricDaily)
class AdMetricDailyAdmin(WorkspaceScopedAdmin):
    list_display = ("date", "ad_campaign", "impressions", "clicks", "spend", "workspace")
    list_select_related = ("workspace", "ad_campaign")
    search_fields = ("ad_campaign__name",)
    date_hierarchy = "date"
    show_full_result_count = False
