"""API v1: contacts, deals and deal-contact associations (through crm.services)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from crm import services
from crm.models import Contact, CreationChannel, Deal, DealContact, DealStage, LifecycleStage
from workspaces.api_common import (
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

# --- Contacts ------------------------------------------------------------------------------------


class ContactSerializer(OutputSerializer):
    class Meta:
        model = Contact
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "lifecycle_stage",
            "creation_channel",
            "original_source",
            "first_touch_campaign",
            "last_touch_campaign",
            "external_id",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ContactUpdateSerializer(StrictSerializer):
    immutable_fields = {"created_at": ""}

    email = serializers.EmailField(max_length=254)
    first_name = serializers.CharField(max_length=120, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=120, allow_blank=True, default="")
    external_id = serializers.CharField(max_length=200, allow_blank=True, default="")
    lifecycle_stage = serializers.ChoiceField(
        choices=LifecycleStage.choices,
        required=False,
        help_text=_(
            "A change is kept in the contact's stage history. Left out (also by a PUT), the "
            "stage stays as it is."
        ),
    )
    lifecycle_stage_changed_at = AwareDateTimeField(
        required=False,
        help_text=_("When the contact entered the new lifecycle stage (default: now)."),
    )


class ContactCreateSerializer(ContactUpdateSerializer):
    immutable_fields = {}

    lifecycle_stage = serializers.ChoiceField(
        choices=LifecycleStage.choices, default=LifecycleStage.SUBSCRIBER
    )
    lifecycle_stage_changed_at = None  # type: ignore[assignment]
    created_at = AwareDateTimeField(
        required=False, help_text=_("When the contact was created (default: now).")
    )


class ContactFilterSerializer(FilterSerializer):
    email = serializers.CharField(
        required=False, help_text=_("Exact email address, compared case-insensitively.")
    )
    lifecycle_stage = serializers.ChoiceField(choices=LifecycleStage.choices, required=False)
    external_id = serializers.CharField(required=False)
    updated_after = AwareDateTimeField(
        required=False, help_text=_("Changed at or after this time.")
    )
    updated_before = AwareDateTimeField(required=False, help_text=_("Changed before this time."))
    created_after = AwareDateTimeField(
        required=False, help_text=_("Created at or after this time.")
    )
    created_before = AwareDateTimeField(required=False, help_text=_("Created before this time."))


@documented("Contacts")
class ContactViewSet(ReadMixin, CreateMixin, UpdateMixin, BulkCreateMixin, WorkspaceViewSet):
    """Contacts of the token's workspace; the email is unique per workspace, case-insensitively.
    Contacts created here have the creation channel "api" and the original source "offline
    sources"."""

    model = Contact
    output_serializer_class = ContactSerializer
    input_serializer_class = ContactCreateSerializer
    update_serializer_class = ContactUpdateSerializer
    filter_serializer_class = ContactFilterSerializer

    def apply_filters(self, queryset: QuerySet[Any], filters: dict[str, Any]) -> QuerySet[Any]:
        lookups = {
            "email": "email__iexact",
            "lifecycle_stage": "lifecycle_stage",
            "external_id": "external_id",
            "updated_after": "updated_at__gte",
            "updated_before": "updated_at__lt",
            "created_after": "created_at__gte",
            "created_before": "created_at__lt",
        }
        return queryset.filter(**{lookups[name]: value for name, value in filters.items()})

    def create_object(self, data: dict[str, Any]) -> Contact:
        return services.create_contact(
            workspace=self.workspace,
            email=data["email"],
            created_at=data.get("created_at") or timezone.now(),
            channel=CreationChannel.API,
            first_name=data["first_name"],
            last_name=data["last_name"],
            lifecycle_stage=data["lifecycle_stage"],
            external_id=data["external_id"],
        )

    def update_object(self, instance: Contact, data: dict[str, Any]) -> Contact:
        return services.update_contact(
            contact=instance,
            email=data.get("email", instance.email),
            first_name=data.get("first_name", instance.first_name),
            last_name=data.get("last_name", instance.last_name),
            external_id=data.get("external_id", instance.external_id),
            lifecycle_stage=data.get("lifecycle_stage", instance.lifecycle_stage),
            stage_changed_at=data.get("lifecycle_stage_changed_at"),
        )


# --- Deals ---------------------------------------------------------------------------------------


class DealSerializer(OutputSerializer):
    contacts = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Deal
        fields = [
            "id",
            "name",
            "amount",
            "currency",
            "pipeline",
            "stage",
            "created_at",
            "closed_at",
            "external_id",
            "contacts",
        ]
        read_only_fields = fields


class DealUpdateSerializer(StrictSerializer):
    immutable_fields = {
        "created_at": "",
        "contacts": _("Add or remove a deal's contacts with /api/v1/deal-contacts/."),
    }

    name = serializers.CharField(max_length=300)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0)
    currency = serializers.CharField(max_length=3, help_text=_("ISO 4217 code such as EUR or DKK."))
    pipeline = serializers.CharField(max_length=120, default="default")
    stage = serializers.ChoiceField(choices=DealStage.choices, default=DealStage.OPEN)
    closed_at = AwareDateTimeField(
        required=False,
        allow_null=True,
        help_text=_("Required for a closed deal, empty for an open one."),
    )
    external_id = serializers.CharField(max_length=200, allow_blank=True, default="")


class DealCreateSerializer(DealUpdateSerializer):
    immutable_fields = {}

    created_at = AwareDateTimeField(
        required=False, help_text=_("When the deal was created (default: now).")
    )
    contacts = WorkspaceRelatedField(
        Contact,
        many=True,
        required=False,
        help_text=_("Ids of contacts to associate with the deal at its creation time."),
    )


class DealFilterSerializer(FilterSerializer):
    stage = serializers.ChoiceField(choices=DealStage.choices, required=False)
    pipeline = serializers.CharField(required=False)
    external_id = serializers.CharField(required=False)
    contact = WorkspaceRelatedField(
        Contact, required=False, help_text=_("Deals associated with this contact.")
    )
    created_after = AwareDateTimeField(required=False)
    created_before = AwareDateTimeField(required=False)
    closed_after = AwareDateTimeField(required=False)
    closed_before = AwareDateTimeField(required=False)


@documented("Deals")
class DealViewSet(
    ReadMixin, CreateMixin, UpdateMixin, DestroyMixin, BulkCreateMixin, WorkspaceViewSet
):
    """Deals of the token's workspace. Deleting a deal removes its contact associations."""

    model = Deal
    output_serializer_class = DealSerializer
    input_serializer_class = DealCreateSerializer
    update_serializer_class = DealUpdateSerializer
    filter_serializer_class = DealFilterSerializer

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().prefetch_related("contacts")

    def apply_filters(self, queryset: QuerySet[Any], filters: dict[str, Any]) -> QuerySet[Any]:
        lookups = {
            "stage": "stage",
            "pipeline": "pipeline",
            "external_id": "external_id",
            "contact": "contact_links__contact",
            "created_after": "created_at__gte",
            "created_before": "created_at__lt",
            "closed_after": "closed_at__gte",
            "closed_before": "closed_at__lt",
        }
        return queryset.filter(**{lookups[name]: value for name, value in filters.items()})

    def create_object(self, data: dict[str, Any]) -> Deal:
        return services.create_deal(
            workspace=self.workspace,
            name=data["name"],
            amount=data["amount"],
            currency=data["currency"],
            created_at=data.get("created_at") or timezone.now(),
            pipeline=data["pipeline"],
            stage=data["stage"],
            closed_at=data.get("closed_at"),
            external_id=data["external_id"],
            contacts=data.get("contacts", []),
        )

    def update_object(self, instance: Deal, data: dict[str, Any]) -> Deal:
        return services.update_deal(
            deal=instance,
            name=data.get("name", instance.name),
            amount=data.get("amount", instance.amount),
            currency=data.get("currency", instance.currency),
            pipeline=data.get("pipeline", instance.pipeline),
            stage=data.get("stage", instance.stage),
            closed_at=data.get("closed_at", instance.closed_at),
            external_id=data.get("external_id", instance.external_id),
        )

    def destroy_object(self, instance: Deal) -> None:
        services.delete_deal(deal=instance)


# --- Deal-contact associations -------------------------------------------------------------------


class DealContactSerializer(OutputSerializer):
    class Meta:
        model = DealContact
        fields = ["id", "deal", "contact", "associated_at"]
        read_only_fields = fields


class DealContactCreateSerializer(StrictSerializer):
    deal = WorkspaceRelatedField(Deal)
    contact = WorkspaceRelatedField(Contact)
    associated_at = AwareDateTimeField(
        required=False,
        help_text=_(
            "When the contact was associated (default: now); not before the deal or the "
            "contact was created."
        ),
    )


class DealContactFilterSerializer(FilterSerializer):
    deal = WorkspaceRelatedField(Deal, required=False, help_text=_("The deal's contacts."))
    contact = WorkspaceRelatedField(Contact, required=False, help_text=_("The contact's deals."))


@documented("Deal contacts")
class DealContactViewSet(ReadMixin, CreateMixin, DestroyMixin, BulkCreateMixin, WorkspaceViewSet):
    """Which contacts a deal has, and since when. List one deal's with `?deal=<id>`."""

    model = DealContact
    output_serializer_class = DealContactSerializer
    input_serializer_class = DealContactCreateSerializer
    filter_serializer_class = DealContactFilterSerializer

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().order_by("associated_at", "id")

    def apply_filters(self, queryset: QuerySet[Any], filters: dict[str, Any]) -> QuerySet[Any]:
        return queryset.filter(**filters)

    def create_object(self, data: dict[str, Any]) -> DealContact:
        return services.associate_contact_with_deal(
            deal=data["deal"],
            contact=data["contact"],
            at=data.get("associated_at") or timezone.now(),
        )

    def destroy_object(self, instance: DealContact) -> None:
        services.dissociate_contact_from_deal(link=instance)
