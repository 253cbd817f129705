"""REST API v1 (mounted at /api/v1/ by config/urls.py).

Every endpoint is scoped to the workspace of the `Authorization: Bearer tp_…` token; the
schema and the docs page also open for logged-in users. tests/api/test_tenant_isolation.py
enumerates these patterns: a new endpoint without a tenant-isolation case fails it.
"""

from __future__ import annotations

from django.urls import path
from rest_framework.routers import SimpleRouter

from assets.api import AssetViewSet, AssociationViewSet
from campaigns.api import CampaignViewSet
from crm.api import ContactViewSet, DealContactViewSet, DealViewSet
from reporting.api import CampaignReportsViewSet
from tracking.api_interactions import InteractionViewSet
from workspaces.api_common import ApiDocsView, ApiSchemaView

app_name = "api"

router = SimpleRouter()
router.register("contacts", ContactViewSet, basename="contact")
router.register("deals", DealViewSet, basename="deal")
router.register("deal-contacts", DealContactViewSet, basename="deal-contact")
router.register("interactions", InteractionViewSet, basename="interaction")
router.register("assets", AssetViewSet, basename="asset")
router.register("associations", AssociationViewSet, basename="association")
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("campaign-reports", CampaignReportsViewSet, basename="campaign-report")

urlpatterns = [
    path("schema/", ApiSchemaView.as_view(), name="schema"),
    path("docs/", ApiDocsView.as_view(url_name="api:schema"), name="docs"),
    *router.urls,
]
