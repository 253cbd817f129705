"""API v1: campaigns with their utm_campaign values, goals and spend items (through
campaigns.services, the same writes as the campaign editor)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from campaigns import services
from campaigns.forms import WHOLE_NUMBER_GOALS
from campaigns.models import Campaign, CampaignStatus, GoalMetric, SpendItem
from campaigns.selectors import owner_choices
from workspaces.api_common import (
    AwareDateTimeField,
    BulkCreateMixin,
    CreateMixin,
    FilterSerializer,
    OutputSerializer,
    ReadMixin,
    StrictSerializer,
    UpdateMixin,
    WorkspaceViewSet,
    documented,
    request_workspace,
)

# --- Output --------------------------------------------------------------------------------------


class SpendItemSerializer(OutputSerializer):
    class Meta:
        model = SpendItem
        fields = ["id", "name", "amount", "currency", "spent_on", "description"]
        read_only_fields = fields


class GoalsSerializer(StrictSerializer):
    """One optional target per metric; null (or left out of a PUT) means "no goal"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for metric in GoalMetric:
            whole = metric in WHOLE_NUMBER_GOALS
            self.fields[metric.value] = serializers.DecimalField(
                max_digits=16,
                decimal_places=0 if whole else 2,
                min_value=Decimal(0),
                required=False,
                allow_null=True,
                default=None,
                help_text=str(metric.label),
            )


class CampaignSerializer(OutputSerializer):
    utm_values = serializers.SerializerMethodField()
    owner = serializers.SerializerMethodField(
        help_text=_("Email of the owner (a member of the workspace), or null.")
    )
    goals = serializers.SerializerMethodField()
    spend_items = SpendItemSerializer(many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "utm_values",
            "start_date",
            "end_date",
            "status",
            "owner",
            "notes",
            "goals",
            "spend_items",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_utm_values(self, campaign: Campaign) -> list[str]:
        return [utm.value for utm in campaign.utms.all()]

    def get_owner(self, campaign: Campaign) -> str | None:
        return campaign.owner.email if campaign.owner else None

    @extend_schema_field(GoalsSerializer)
    def get_goals(self, campaign: Campaign) -> dict[str, str | None]:
        targets = {goal.metric: goal.target for goal in campaign.goals.all()}
        return {
            metric.value: (str(targets[metric.value]) if metric.value in targets else None)
            for metric in GoalMetric
        }


# --- Input ---------------------------------------------------------------------------------------


def _no_goals() -> dict[str, None]:
    return {metric.value: None for metric in GoalMetric}


class SpendItemInputSerializer(StrictSerializer):
    id = serializers.IntegerField(
        required=False,
        help_text=_("An existing spend item of this campaign to change; leave out for a new one."),
    )
    name = serializers.CharField(max_length=200)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal(0))
    currency = serializers.CharField(min_length=3, max_length=3)
    spent_on = serializers.DateField()
    description = serializers.CharField(max_length=500, allow_blank=True, default="")


class CampaignInputSerializer(StrictSerializer):
    """A PUT replaces everything (left-out utm values, goals and spend items are removed);
    a PATCH changes what it names (and in `goals`, only the metrics it names)."""

    name = serializers.CharField(max_length=200)
    utm_values = serializers.ListField(
        child=serializers.CharField(max_length=200),
        required=False,
        default=list,
        help_text=_("utm_campaign values; each belongs to one campaign of the workspace."),
    )
    start_date = serializers.DateField(required=False, allow_null=True, default=None)
    end_date = serializers.DateField(required=False, allow_null=True, default=None)
    status = serializers.ChoiceField(choices=CampaignStatus.choices, default=CampaignStatus.PLANNED)
    owner = serializers.EmailField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Email of a member of the workspace, or null."),
    )
    notes = serializers.CharField(max_length=10_000, allow_blank=True, default="")
    goals = GoalsSerializer(required=False, default=_no_goals)
    spend_items = SpendItemInputSerializer(many=True, required=False, default=list)

    def validate_owner(self, email: str | None) -> Any:
        if not email:
            return None
        workspace = request_workspace(self.context["request"])
        user = owner_choices(workspace=workspace).filter(email__iexact=email).first()
        if user is None:
            raise serializers.ValidationError(
                _("No member of this workspace has the email %(email)s.") % {"email": email}
            )
        return user


class CampaignFilterSerializer(FilterSerializer):
    status = serializers.ChoiceField(choices=CampaignStatus.choices, required=False)
    utm_campaign = serializers.CharField(
        required=False, help_text=_("The campaign with this utm_campaign value (any case).")
    )
    updated_after = AwareDateTimeField(required=False)


def _spend_inputs(items: list[dict[str, Any]]) -> list[services.SpendItemInput]:
    return [services.SpendItemInput(**item) for item in items]


def _current_spend(campaign: Campaign) -> list[services.SpendItemInput]:
    return [
        services.SpendItemInput(
            id=item.pk,
            name=item.name,
            amount=item.amount,
            currency=item.currency,
            spent_on=item.spent_on,
            description=item.description,
        )
        for item in campaign.spend_items.all()
    ]


@documented("Campaigns")
class CampaignViewSet(ReadMixin, CreateMixin, UpdateMixin, BulkCreateMixin, WorkspaceViewSet):
    """Campaigns of the token's workspace, with utm_campaign values, goals and spend items."""

    model = Campaign
    output_serializer_class = CampaignSerializer
    input_serializer_class = CampaignInputSerializer
    filter_serializer_class = CampaignFilterSerializer

    def get_queryset(self) -> QuerySet[Any]:
        return (
            super()
            .get_queryset()
            .select_related("owner")
            .prefetch_related("utms", "goals", "spend_items")
        )

    def apply_filters(self, queryset: QuerySet[Any], filters: dict[str, Any]) -> QuerySet[Any]:
        if "status" in filters:
            queryset = queryset.filter(status=filters["status"])
        if "utm_campaign" in filters:
            queryset = queryset.filter(utms__value__iexact=filters["utm_campaign"].strip())
        if "updated_after" in filters:
            queryset = queryset.filter(updated_at__gte=filters["updated_after"])
        return queryset

    def create_object(self, data: dict[str, Any]) -> Campaign:
        return services.create_campaign(
            workspace=self.workspace,
            by=None,
            data=services.CampaignInput(
                name=data["name"],
                utm_values=data["utm_values"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                owner=data["owner"],
                status=data["status"],
                notes=data["notes"],
                goals=data["goals"],
                spend_items=_spend_inputs(data["spend_items"]),
            ),
        )

    def update_object(self, instance: Campaign, data: dict[str, Any]) -> Campaign:
        spend = data.get("spend_items")
        return services.update_campaign(
            campaign=instance,
            by=None,
            data=services.CampaignInput(
                name=data.get("name", instance.name),
                utm_values=data.get("utm_values", [u.value for u in instance.utms.all()]),
                start_date=data.get("start_date", instance.start_date),
                end_date=data.get("end_date", instance.end_date),
                owner=data.get("owner", instance.owner),
                status=data.get("status", instance.status),
                notes=data.get("notes", instance.notes),
                goals=data.get("goals", {}),
                spend_items=_current_spend(instance) if spend is None else _spend_inputs(spend),
            ),
        )
