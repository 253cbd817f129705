from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.i18n import set_language

from tracking import views as tracking_views
from workspaces import views as workspace_views

workspace_patterns: list[URLPattern | URLResolver] = [
    path("", workspace_views.workspace_home, name="workspace_home"),
    path("", include("campaigns.urls")),
    path("", include("assets.urls")),
    path("", include("crm.urls")),
    path("", include("reporting.urls")),
    path("", include("exports.urls")),
    path("notifications/", include("notifications.urls")),
    path("settings/", include("workspaces.urls")),
    path("settings/tracking/", include("tracking.settings_urls")),
]

urlpatterns = [
    path("", workspace_views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    # The link in an invitation email: outside /w/<slug>/ because the invitee is not a member yet.
    path(
        "invitations/<str:token>/",
        workspace_views.accept_invitation,
        name="accept_invitation",
    ),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("w/<slug:workspace_slug>/", include(workspace_patterns)),
    # Public: the tracking snippet and the endpoints customer sites send page views and forms to.
    path("t.js", tracking_views.snippet, name="tracking_snippet"),
    path("collect/", include("tracking.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
