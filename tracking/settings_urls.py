"""The workspace's tracking settings, under /w/<workspace_slug>/settings/tracking/."""

from django.urls import path

from tracking import views

app_name = "tracking"

urlpatterns = [
    path("", views.tracking_settings, name="settings"),
]
