"""Workspace settings, under /w/<workspace_slug>/settings/ (admins; preferences: every member)."""

from django.urls import path

from workspaces import views

app_name = "workspaces"

urlpatterns = [
    path("", views.settings_overview, name="settings"),
    path("general/", views.general, name="general"),
    path("exchange-rates/", views.exchange_rates, name="exchange_rates"),
    path("exchange-rates/<int:rate_id>/", views.exchange_rate_edit, name="exchange_rate_edit"),
    path(
        "exchange-rates/<int:rate_id>/delete/",
        views.exchange_rate_delete,
        name="exchange_rate_delete",
    ),
    path("attribution/", views.attribution, name="attribution"),
    path("roi/", views.roi, name="roi"),
    path("members/", views.members, name="members"),
    path("members/invite/", views.invite, name="invite"),
    path("members/<int:member_id>/role/", views.member_role, name="member_role"),
    path("members/<int:member_id>/remove/", views.member_remove, name="member_remove"),
    path(
        "invitations/<int:invitation_id>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("teams/", views.teams, name="teams"),
    path("teams/<int:team_id>/", views.team_detail, name="team_detail"),
    path("teams/<int:team_id>/delete/", views.team_delete, name="team_delete"),
    path("teams/<int:team_id>/members/", views.team_member_add, name="team_member_add"),
    path(
        "teams/<int:team_id>/members/<int:member_id>/remove/",
        views.team_member_remove,
        name="team_member_remove",
    ),
    path("api-tokens/", views.api_tokens, name="api_tokens"),
    path("api-tokens/new/", views.api_token_created, name="api_token_created"),
    path("api-tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("preferences/", views.preferences, name="preferences"),
]
