from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("campaigns/<int:campaign_id>/performance/", views.performance, name="performance"),
    path(
        "campaigns/<int:campaign_id>/performance/reports/<slug:report>/",
        views.performance_report,
        name="report",
    ),
    path(
        "campaigns/<int:campaign_id>/performance/list/<slug:metric>/",
        views.performance_list,
        name="list",
    ),
    path(
        "campaigns/<int:campaign_id>/performance/assets/<int:asset_id>/",
        views.asset_performance,
        name="asset",
    ),
    path(
        "campaigns/<int:campaign_id>/tracking-urls/",
        views.tracking_urls,
        name="tracking_urls",
    ),
    path(
        "campaigns/<int:campaign_id>/tracking-urls/new/",
        views.tracking_url_create,
        name="tracking_url_create",
    ),
]
