"""Reads over contacts, their lifecycle history and deals (always scoped to one workspace)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from crm.models import Contact, Deal, DealContact, DealStage, LifecycleStageChange
from workspaces.models import Workspace


def contacts_for_workspace(*, workspace: Workspace | int) -> QuerySet[Contact]:
    return Contact.objects.for_workspace(workspace)


def contact_by_email(*, workspace: Workspace | int, email: str) -> Contact | None:
    """The workspace's contact with this email, compared case-insensitively."""
    return Contact.objects.for_workspace(workspace).filter(email__iexact=email.strip()).first()


def stage_history(*, workspace: Workspace | int, contact_id: int) -> QuerySet[LifecycleStageChange]:
    return (
        LifecycleStageChange.objects.for_workspace(workspace)
        .filter(contact_id=contact_id)
        .order_by("changed_at", "id")
    )


def stage_at(*, workspace: Workspace | int, contact_id: int, at: datetime) -> str | None:
    """The contact's lifecycle stage at `at` (None before its first recorded stage)."""
    change = (
        stage_history(workspace=workspace, contact_id=contact_id)
        .filter(changed_at__lte=at)
        .order_by("-changed_at", "-id")
        .first()
    )
    return change.stage if change else None


def deals_for_workspace(*, workspace: Workspace | int, stage: str | None = None) -> QuerySet[Deal]:
    deals = Deal.objects.for_workspace(workspace)
    if stage:
        deals = deals.filter(stage=stage)
    return deals


def deals_for_contact(*, workspace: Workspace | int, contact_id: int) -> QuerySet[Deal]:
    return Deal.objects.for_workspace(workspace).filter(contact_links__contact_id=contact_id)


def deal_contacts(*, workspace: Workspace | int, deal_id: int) -> QuerySet[DealContact]:
    """The deal's contact associations, oldest first, with the contacts loaded."""
    return (
        DealContact.objects.for_workspace(workspace)
        .filter(deal_id=deal_id)
        .select_related("contact")
        .order_by("associated_at", "id")
    )


def won_deals(*, workspace: Workspace | int) -> QuerySet[Deal]:
    return deals_for_workspace(workspace=workspace, stage=DealStage.CLOSED_WON)
