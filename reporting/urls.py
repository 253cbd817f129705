from django.urls import path

from reporting import attribution_views, views, views_library, views_rows

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
        "campaigns/<int:campaign_id>/performance/rows/<slug:metric>/",
        views_rows.performance_rows,
        name="rows",
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

# The report library, dashboards and the attribution report builder (views_library.py).
urlpatterns += [
    path("reports/", views_library.library, name="library"),
    path("reports/builder/", views_library.builder, name="builder"),
    path("reports/<int:report_id>/edit/", views_library.report_edit, name="report_edit"),
    path("reports/<int:report_id>/delete/", views_library.report_delete, name="report_delete"),
    path(
        "reports/<int:report_id>/add-to-dashboard/",
        views_library.report_add_to_dashboard,
        name="report_add_to_dashboard",
    ),
    path("reports/<int:report_id>/builder/", views_library.builder_edit, name="builder_edit"),
    path(
        "campaigns/<int:campaign_id>/attribution/save/",
        views_library.report_save,
        name="report_save",
    ),
    path("dashboards/", views_library.dashboards, name="dashboards"),
    path("dashboards/new/", views_library.dashboard_create, name="dashboard_create"),
    path("dashboards/<int:dashboard_id>/", views_library.dashboard_detail, name="dashboard"),
    path(
        "dashboards/<int:dashboard_id>/edit/",
        views_library.dashboard_edit,
        name="dashboard_edit",
    ),
    path(
        "dashboards/<int:dashboard_id>/delete/",
        views_library.dashboard_delete,
        name="dashboard_delete",
    ),
    path(
        "dashboards/<int:dashboard_id>/cards/<int:card_id>/remove/",
        views_library.card_remove,
        name="card_remove",
    ),
    path(
        "dashboards/<int:dashboard_id>/cards/<int:card_id>/move/",
        views_library.card_move,
        name="card_move",
    ),
]

# The campaign Attribution tab (attribution_views.py).
urlpatterns += [
    path(
        "campaigns/<int:campaign_id>/attribution/",
        attribution_views.attribution_tab,
        name="attribution",
    ),
    path(
        "campaigns/<int:campaign_id>/attribution/results/",
        attribution_views.attribution_results,
        name="attribution_results",
    ),
    path(
        "campaigns/<int:campaign_id>/attribution/interactions/",
        attribution_views.attribution_interactions,
        name="attribution_interactions",
    ),
    path(
        "campaigns/<int:campaign_id>/performance/deals/<slug:report>/",
        attribution_views.revenue_deals,
        name="revenue_deals",
    ),
]
