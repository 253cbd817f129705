"""API v1: a campaign's Performance reports as JSON — the same snapshots the tab shows, so the
numbers are identical. A report no worker has computed yet for the current data is computed
during the request, so an answer is always complete."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from campaigns.models import Campaign
from reporting import services
from reporting.forms import MODEL_CHOICES, PRESET_CHOICES, TOUCH_CHOICES, PerformanceFilterForm
from workspaces.api_common import NOT_FOUND, WorkspaceViewSet


class ReportSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=["ready", "failed", "not_in_tier"],
        help_text="ready: `data` holds the report; failed: `error` says why; not_in_tier: the "
        "workspace's tier does not include this report.",
    )
    data_version = serializers.IntegerField(allow_null=True)
    computed_at = serializers.DateTimeField(allow_null=True)
    data = serializers.DictField(allow_null=True, help_text="The report, as on the page.")
    error = serializers.CharField(allow_blank=True)


class CampaignReportsSerializer(serializers.Serializer):
    campaign = serializers.IntegerField()
    filters = serializers.DictField()
    currency = serializers.CharField()
    time_zone = serializers.CharField()
    reports = serializers.DictField(child=ReportSerializer())


def _report(section: services.Section) -> dict[str, Any]:
    snapshot = section.snapshot
    if section.gated or snapshot is None:
        state = "not_in_tier" if section.gated else "pending"
        return {
            "status": state,
            "data_version": None,
            "computed_at": None,
            "data": None,
            "error": "",
        }
    state = "pending" if section.updating or not section.ready else "ready"
    if section.failed:
        state = "failed"
    return {
        "status": state,
        "data_version": snapshot.data_version if section.ready else None,
        "computed_at": snapshot.computed_at if section.ready else None,
        "data": snapshot.payload if section.ready and not section.updating else None,
        "error": snapshot.error,
    }


FILTER_PARAMETERS = [
    OpenApiParameter("range", str, enum=[v for v, _ in PRESET_CHOICES], description="Date range"),
    OpenApiParameter("start", str, description="Custom start date (YYYY-MM-DD, range=custom)"),
    OpenApiParameter("end", str, description="Custom end date (YYYY-MM-DD, range=custom)"),
    OpenApiParameter("touch", str, enum=[v for v, _ in TOUCH_CHOICES]),
    OpenApiParameter("model", str, enum=[v for v, _ in MODEL_CHOICES]),
]


class CampaignReportsViewSet(mixins.RetrieveModelMixin, WorkspaceViewSet):
    """All Performance reports of one campaign (SPEC §4) for the given filters."""

    model = Campaign
    output_serializer_class = CampaignReportsSerializer

    @extend_schema(
        tags=["Reports"],
        parameters=FILTER_PARAMETERS,
        responses={200: CampaignReportsSerializer, 404: NOT_FOUND},
    )
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        campaign = self.get_object()
        workspace = self.workspace
        form = PerformanceFilterForm(
            request.query_params or None, today=timezone.localdate(timezone=workspace.tz)
        )
        if form.is_bound and not form.is_valid():
            raise ValidationError({name: list(errors) for name, errors in form.errors.items()})
        filters = form.report_filters()
        sections = services.computed_sections(campaign=campaign, filters=filters)
        reports = {name: _report(section) for name, section in sections.items()}
        body = {
            "campaign": campaign.pk,
            "filters": {
                "start": filters.period.start,
                "end": filters.period.end,
                "touch": filters.touch,
                "model": filters.model,
            },
            "currency": workspace.currency,
            "time_zone": workspace.time_zone,
            "reports": reports,
        }
        return Response(CampaignReportsSerializer(body).data)
