"""API v1: interactions (touchpoints) recorded through tracking.services.record_interaction, so
each is credited to the campaign that held its asset at occurred_at, as every other writer does.

(Kept apart from the collector's API code, which lives elsewhere in tracking/.)
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from assets.models import Asset
from campaigns.models import Campaign
from crm.models import Contact, TrafficSource
from tracking.models import Interaction, InteractionType
from tracking.services import record_interaction
from workspaces.api_common import (
    AwareDateTimeField,
    BulkCreateMixin,
    CreateMixin,
    FilterSerializer,
    OutputSerializer,
    ReadMixin,
    StrictSerializer,
    WorkspaceRelatedField,
    WorkspaceViewSet,
    documented,
)


class InteractionSerializer(OutputSerializer):
    class Meta:
        model = Interaction
        fields = [
            "id",
            "type",
            "occurred_at",
            "contact",
            "asset",
            "source",
            "campaign",
            "utm_campaign",
            "external_id",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "campaign": {
                "help_text": _(
                    "The campaign the interaction counted for: the one holding the asset at "
                    "occurred_at (null when none did)."
                )
            },
        }


class InteractionCreateSerializer(StrictSerializer):
    type = serializers.ChoiceField(choices=InteractionType.choices)
    occurred_at = AwareDateTimeField()
    contact = WorkspaceRelatedField(Contact)
    asset = WorkspaceRelatedField(
        Asset, required=False, allow_null=True, default=None, help_text=_("The asset engaged with.")
    )
    source = serializers.ChoiceField(
        choices=TrafficSource.choices, required=False, allow_blank=True, default=""
    )
    utm_campaign = WorkspaceRelatedField(
        Campaign,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("For page views: the campaign whose utm_campaign the page URL carried."),
    )
    external_id = serializers.CharField(
        max_length=200,
        allow_blank=True,
        default="",
        help_text=_(
            "Your id for the interaction: sending the same external id again returns the stored "
            "interaction instead of recording it twice."
        ),
    )


class InteractionFilterSerializer(FilterSerializer):
    contact = WorkspaceRelatedField(Contact, required=False)
    asset = WorkspaceRelatedField(Asset, required=False)
    campaign = WorkspaceRelatedField(
        Campaign, required=False, help_text=_("Interactions that counted for this campaign.")
    )
    type = serializers.MultipleChoiceField(
        choices=InteractionType.choices,
        required=False,
        help_text=_("One or more types, comma-separated."),
    )
    occurred_after = AwareDateTimeField(
        required=False, help_text=_("Occurred at or after this time.")
    )
    occurred_before = AwareDateTimeField(required=False, help_text=_("Occurred before this time."))

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("type"), str):
            data = {**data, "type": [t.strip() for t in data["type"].split(",") if t.strip()]}
        return super().to_internal_value(data)


@documented("Interactions")
class InteractionViewSet(ReadMixin, CreateMixin, BulkCreateMixin, WorkspaceViewSet):
    """Interactions of the token's contacts: form submissions, email clicks, meetings, calls…

    Each is credited to the campaign that held its asset when it occurred; an interaction
    before the asset was associated belongs to no campaign (but still to the asset).
    """

    model = Interaction
    output_serializer_class = InteractionSerializer
    input_serializer_class = InteractionCreateSerializer
    filter_serializer_class = InteractionFilterSerializer

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().order_by("occurred_at", "id")

    def apply_filters(self, queryset: QuerySet[Any], filters: dict[str, Any]) -> QuerySet[Any]:
        lookups = {
            "contact": "contact",
            "asset": "asset",
            "campaign": "campaign",
            "type": "type__in",
            "occurred_after": "occurred_at__gte",
            "occurred_before": "occurred_at__lt",
        }
        return queryset.filter(**{lookups[name]: value for name, value in filters.items()})

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().create(request, *args, **kwargs)
        if getattr(self, "replayed_external_id", False):
            # The external id was already stored: nothing new was created.
            response.status_code = status.HTTP_200_OK
        return response

    def create_object(self, data: dict[str, Any]) -> Interaction:
        external_id = data["external_id"].strip()
        self.replayed_external_id = bool(
            external_id
            and Interaction.objects.for_workspace(self.workspace)
            .filter(external_id=external_id)
            .exists()
        )
        return record_interaction(
            workspace=self.workspace,
            type=data["type"],
            occurred_at=data["occurred_at"],
            contact=data["contact"],
            asset=data["asset"],
            source=data["source"],
            utm_campaign=data["utm_campaign"],
            external_id=external_id,
        )
