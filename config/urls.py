from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from workspaces import views as workspace_views

workspace_patterns = [
    path("", workspace_views.workspace_home, name="workspace_home"),
    path("", include("campaigns.urls")),
    path("", include("assets.urls")),
    path("settings/", include("workspaces.urls")),
]

urlpatterns = [
    path("", workspace_views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("w/<slug:workspace_slug>/", include(workspace_patterns)),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
