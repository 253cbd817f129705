from django.urls import path

from exports import views

app_name = "exports"

urlpatterns = [
    path("campaigns/<int:campaign_id>/export/", views.export_campaign, name="campaign"),
    path(
        "campaigns/<int:campaign_id>/performance/list/<slug:metric>/export/",
        views.export_drill,
        name="drill",
    ),
    path(
        "campaigns/<int:campaign_id>/performance/rows/<slug:metric>/export/",
        views.export_rows,
        name="rows",
    ),
    path(
        "campaigns/<int:campaign_id>/performance/deals/<slug:report>/export/",
        views.export_deals,
        name="deals",
    ),
    path(
        "campaigns/<int:campaign_id>/attribution/interactions/export/",
        views.export_credited,
        name="credited",
    ),
    path(
        "campaigns/<int:campaign_id>/attribution/export/",
        views.export_attribution,
        name="attribution",
    ),
    path("exports/", views.job_list, name="list"),
    path("exports/<int:job_id>/", views.job_detail, name="job"),
    # The link in the email: signed, expiring, and only for members of the workspace.
    path("exports/download/<str:token>/", views.download, name="download"),
]
