"""API v1: marketing assets and their campaign associations (through assets.services and the
campaign-side association services, so the rules of SPEC §2 apply exactly as in the UI)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from assets import services
from assets.models import Asset, AssetAssociation, AssetType
from campaigns.models import Campaign
from campaigns.services import add_assets_to_campaign, remove_asset_from_campaign
from workspaces.api_common import (
    IDEMPOTENCY_CONFLICT,
    IDEMPOTENCY_PARAMETER,
    VALIDATION_ERROR,
    AwareDateTimeField,
    BulkCreateMixin,
    CreateMixin,
    DestroyMixin,
    FilterSerializer,
    OutputSerializer,
    ReadMixin,
    StrictSerializer,
    UpdateMixin,
    WorkspaceRelatedField,
    WorkspaceViewSet,
    documented,
)

# --- Assets --------------------------------------------------------------------------------------


class AssetSerializer(OutputSerializer):
    campaigns = serializers.SerializerMethodField(
        help_text=_("Ids of the campaigns holding the asset now (several only for workflows).")
    )

    class Meta:
        model = Asset
        fields = [
            "id",
            "type",
            "name",
            "url",
            "published_at",
            "external_id",
            "created_at",
            "campaigns",
        ]
        read_only_fields = fields

    def get_campaigns(self, asset: Asset) -> list[int]:
        return [row.campaign_id for row in asset.current]  # type: ignore[attr-defined]


class AssetUpdateSerializer(StrictSerializer):
    immutable_fields = {
        "type": _("An asset's type cannot change: its association history is kept per type."),
    }

    name = serializers.CharField(max_length=300)
    url = serializers.URLField(
        max_length=2000,
        allow_blank=True,
        default="",
        help_text=_("Required for blog posts, website pages and landing pages."),
    )
    published_at = AwareDateTimeField(required=False, allow_null=True)
    external_id = serializers.CharField(max_length=200, allow_blank=True, default="")


class AssetCreateSerializer(AssetUpdateSerializer):
    immutable_fields = {}

    type = serializers.ChoiceField(choices=AssetType.choices)


class AssetFilterSerializer(FilterSerializer):
    type = serializers.ChoiceField(choices=AssetType.choices, required=False)
    external_id = serializers.CharField(required=False)
    campaign = WorkspaceRelatedField(
        Campaign, required=False, help_text=_("Assets the campaign holds now.")
    )


def _open_associations() -> Prefetch:
    return Prefetch(
        "associations",
        queryset=AssetAssociation.objects.filter(dissociated_at__isnull=True).order_by(
            "associated_at", "id"
        ),
        to_attr="current",
    )


@documented("Assets")
class AssetViewSet(
    ReadMixin, CreateMixin, UpdateMixin, DestroyMixin, BulkCreateMixin, WorkspaceViewSet
):
    """Marketing assets. Deleting an asset deletes its association history; its interactions
    stay, credited to the campaigns they counted for."""

    model = Asset
    output_serializer_class = AssetSerializer
    input_serializer_class = AssetCreateSerializer
    update_serializer_class = AssetUpdateSerializer
    filter_serializer_class = AssetFilterSerializer

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().prefetch_related(_open_associations())

    def apply_filters(self, queryset: QuerySet[Any], filters: dict[str, Any]) -> QuerySet[Any]:
        if "campaign" in filters:
            queryset = queryset.filter(
                associations__campaign=filters.pop("campaign"),
                associations__dissociated_at__isnull=True,
            ).distinct()
        return queryset.filter(**filters)

    def create_object(self, data: dict[str, Any]) -> Asset:
        return services.add_asset(
            workspace=self.workspace,
            by=None,
            type=data["type"],
            name=data["name"],
            url=data["url"],
            published_at=data.get("published_at"),
            external_id=data["external_id"],
        )

    def update_object(self, instance: Asset, data: dict[str, Any]) -> Asset:
        return services.update_asset(
            asset=instance,
            by=None,
            name=data.get("name", instance.name),
            url=data.get("url", instance.url),
            published_at=data.get("published_at", instance.published_at),
            external_id=data.get("external_id", instance.external_id),
        )

    def destroy_object(self, instance: Asset) -> None:
        services.delete_asset(asset=instance, by=None)


# --- Associations ----------------------------------------------------------------------------


class AssociationSerializer(OutputSerializer):
    open = serializers.SerializerMethodField(help_text=_("The campaign still holds the asset."))

    class Meta:
        model = AssetAssociation
        fields = [
            "id",
            "asset",
            "campaign",
            "asset_type",
            "associated_at",
            "dissociated_at",
            "open",
        ]
        read_only_fields = fields

    def get_open(self, row: AssetAssociation) -> bool:
        return row.dissociated_at is None


class AssociationCreateSerializer(StrictSerializer):
    asset = WorkspaceRelatedField(Asset)
    campaign = WorkspaceRelatedField(Campaign)
    associated_at = AwareDateTimeField(
        required=False,
        help_text=_(
            "From when the campaign holds the asset (default: now). An asset held by another "
            "campaign moves: that association ends at this time."
        ),
    )


class AssociationEndSerializer(StrictSerializer):
    """Ending an association: `context["association"]` is the row being ended."""

    dissociated_at = AwareDateTimeField(
        required=False, help_text=_("When the campaign stopped holding the asset (default: now).")
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        row: AssetAssociation = self.context["association"]
        if row.dissociated_at is not None:
            raise serializers.ValidationError(
                _("This association already ended at %(at)s.")
                % {"at": row.dissociated_at.isoformat()}
            )
        at = attrs.get("dissociated_at")
        if at is not None and at < row.associated_at:
            raise serializers.ValidationError(
                {
                    "dissociated_at": _("An association cannot end before it began (%(at)s).")
                    % {"at": row.associated_at.isoformat()}
                }
            )
        return attrs


class AssociationFilterSerializer(FilterSerializer):
    asset = WorkspaceRelatedField(Asset, required=False)
    campaign = WorkspaceRelatedField(Campaign, required=False)
    open = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text=_("Only open (or ended) ones.")
    )


@documented("Associations")
class AssociationViewSet(ReadMixin, CreateMixin, BulkCreateMixin, WorkspaceViewSet):
    """Asset ↔ campaign associations with their history. Creating one applies the rules of the
    campaign tools: an asset is in one campaign at a time (workflows excepted) and moving it
    ends the old association; a campaign holds at most 10,000 social posts."""

    model = AssetAssociation
    output_serializer_class = AssociationSerializer
    input_serializer_class = AssociationCreateSerializer
    filter_serializer_class = AssociationFilterSerializer

    def get_queryset(self) -> QuerySet[Any]:
        return (
            super()
            .get_queryset()
            .select_related("asset", "campaign")
            .order_by("associated_at", "id")
        )

    def apply_filters(self, queryset: QuerySet[Any], filters: dict[str, Any]) -> QuerySet[Any]:
        is_open = filters.pop("open", None)
        if is_open is not None:
            queryset = queryset.filter(dissociated_at__isnull=is_open)
        return queryset.filter(**filters)

    def create_object(self, data: dict[str, Any]) -> AssetAssociation:
        [row] = add_assets_to_campaign(
            campaign=data["campaign"], assets=[data["asset"]], by=None, at=data.get("associated_at")
        )
        return row

    @extend_schema(
        tags=["Associations"],
        summary=_("End an association"),
        request=AssociationEndSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: AssociationSerializer, 400: VALIDATION_ERROR, 422: IDEMPOTENCY_CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str | None = None) -> Response:
        row = self.get_object()
        context = {**self.get_serializer_context(), "association": row}
        data = AssociationEndSerializer(data=request.data, context=context)
        data.is_valid(raise_exception=True)
        remove_asset_from_campaign(
            campaign=row.campaign,
            asset=row.asset,
            by=None,
            at=data.validated_data.get("dissociated_at"),
        )
        row.refresh_from_db()
        return Response(self.represent([row])[0])
