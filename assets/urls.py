from django.urls import path

from assets import views

app_name = "assets"

urlpatterns = [
    path("assets/", views.asset_list, name="list"),
    path("assets/new/", views.asset_create, name="create"),
    path("assets/<int:asset_id>/", views.asset_detail, name="detail"),
    path("assets/<int:asset_id>/edit/", views.asset_edit, name="edit"),
]
