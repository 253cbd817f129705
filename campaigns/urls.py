from django.urls import path

from campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("campaigns/", views.campaign_list, name="list"),
    path("campaigns/new/", views.campaign_create, name="create"),
    path("campaigns/<int:campaign_id>/", views.campaign_detail, name="detail"),
    path("campaigns/<int:campaign_id>/edit/", views.campaign_edit, name="edit"),
    path("campaigns/<int:campaign_id>/delete/", views.campaign_delete, name="delete"),
    path("campaigns/<int:campaign_id>/assets/add/", views.campaign_associate, name="associate"),
    path(
        "campaigns/<int:campaign_id>/assets/<int:asset_id>/remove/",
        views.campaign_dissociate,
        name="dissociate",
    ),
]
