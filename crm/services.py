"""Writes for contacts (with lifecycle history) and deals (with contact associations).

Rules:
- a contact's email is unique per workspace, case-insensitively;
- contacts created by import, API or manual entry ("offline" channels) have the original
  source "offline sources", never a session-based one;
- every lifecycle stage a contact enters is kept in its history (LifecycleStageChange);
- a deal closes (won or lost) at or after it was created; an open deal has no close date;
- a contact is associated with a deal at or after both were created.

Every write bumps the workspace's data_version (report snapshots keyed by it go stale). The
bulk forms (`bulk_create_contacts`, `bulk_create_deals`) apply the same rules row by row and
write in batches; they are for imports and the demo generator.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.models import (
    OFFLINE_CHANNELS,
    Contact,
    CreationChannel,
    Deal,
    DealContact,
    DealStage,
    LifecycleStage,
    LifecycleStageChange,
    TrafficSource,
)
from workspaces.models import Workspace, validate_currency
from workspaces.services import bump_data_version

BATCH_SIZE = 2000
_LOOKUP_CHUNK = 5000


# --- Validation shared by the single and bulk paths ----------------------------------------------
def _require_aware(value: datetime, label: Any) -> None:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValidationError(
            _("%(field)s must be a date and time with a time zone.") % {"field": label}
        )


def _clean_email(email: str) -> str:
    email = (email or "").strip()
    if not email:
        raise ValidationError({"email": [_("Enter the contact's email address.")]})
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError(
            {"email": [_("%(email)s is not a valid email address.") % {"email": email}]}
        ) from exc
    return email


def _clean_choice(value: str, choices: Any, label: Any) -> str:
    if value not in choices.values:
        raise ValidationError(
            _("%(value)s is not a valid %(field)s.") % {"value": value or "''", "field": label}
        )
    return value


def _original_source(channel: str, original_source: str | None) -> str:
    """Offline channels always have the offline source; a web form contact's comes from
    its first session (empty until that session is known)."""
    if channel in OFFLINE_CHANNELS:
        if original_source not in (None, "", TrafficSource.OFFLINE_SOURCES):
            raise ValidationError(
                _(
                    'A contact created by %(channel)s has the original source "Offline '
                    'sources", not %(source)s.'
                )
                % {"channel": CreationChannel(channel).label, "source": original_source}
            )
        return TrafficSource.OFFLINE_SOURCES
    source = original_source or ""
    if source == TrafficSource.OFFLINE_SOURCES:
        raise ValidationError(
            _("Only contacts created by import, API or manual entry come from offline sources.")
        )
    if source:
        _clean_choice(source, TrafficSource, gettext_lazy("original source"))
    return source


def _email_taken_error(email: str) -> ValidationError:
    return ValidationError(
        {
            "email": [
                _("A contact with the email %(email)s already exists in this workspace.")
                % {"email": email}
            ]
        }
    )


def _existing_emails(workspace: Workspace, lowered: Iterable[str]) -> set[str]:
    wanted = list(lowered)
    found: set[str] = set()
    for start in range(0, len(wanted), _LOOKUP_CHUNK):
        chunk = wanted[start : start + _LOOKUP_CHUNK]
        found.update(
            Contact.objects.for_workspace(workspace)
            .annotate(email_lower=Lower("email"))
            .filter(email_lower__in=chunk)
            .values_list("email_lower", flat=True)
        )
    return found


def _row_error(index: int, exc: ValidationError) -> ValidationError:
    messages = "; ".join(exc.messages)
    return ValidationError(_("Row %(row)s: %(problem)s") % {"row": index + 1, "problem": messages})


# --- Contacts ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NewContact:
    """One contact for `bulk_create_contacts`.

    `stage_history` lists (stage, at) in time order, the first at `created_at`; empty means
    "subscriber since created_at". The contact's current stage is the last one.
    """

    email: str
    created_at: datetime
    channel: str = CreationChannel.WEB_FORM
    first_name: str = ""
    last_name: str = ""
    original_source: str | None = None
    original_source_detail_1: str = ""
    original_source_detail_2: str = ""
    first_touch_campaign_id: int | None = None
    last_touch_campaign_id: int | None = None
    stage_history: tuple[tuple[str, datetime], ...] = ()
    external_id: str = ""


def _clean_history(
    created_at: datetime, history: Sequence[tuple[str, datetime]]
) -> list[tuple[str, datetime]]:
    if not history:
        return [(LifecycleStage.SUBSCRIBER, created_at)]
    cleaned: list[tuple[str, datetime]] = []
    for stage, at in history:
        _clean_choice(stage, LifecycleStage, gettext_lazy("lifecycle stage"))
        _require_aware(at, gettext_lazy("The stage change time"))
        if at < created_at or (cleaned and at < cleaned[-1][1]):
            raise ValidationError(
                _(
                    "Lifecycle stage changes must be in time order and not before the contact "
                    "was created."
                )
            )
        cleaned.append((stage, at))
    return cleaned


def _build_contact(
    workspace: Workspace, row: NewContact
) -> tuple[Contact, list[tuple[str, datetime]]]:
    email = _clean_email(row.email)
    _require_aware(row.created_at, gettext_lazy("The creation time"))
    channel = _clean_choice(row.channel, CreationChannel, gettext_lazy("creation channel"))
    history = _clean_history(row.created_at, row.stage_history)
    contact = Contact(
        workspace=workspace,
        email=email,
        first_name=row.first_name.strip()[:120],
        last_name=row.last_name.strip()[:120],
        created_at=row.created_at,
        lifecycle_stage=history[-1][0],
        creation_channel=channel,
        original_source=_original_source(channel, row.original_source),
        original_source_detail_1=row.original_source_detail_1[:300],
        original_source_detail_2=row.original_source_detail_2[:300],
        first_touch_campaign_id=row.first_touch_campaign_id,
        last_touch_campaign_id=row.last_touch_campaign_id,
        external_id=row.external_id,
    )
    return contact, history


def create_contact(
    *,
    workspace: Workspace,
    email: str,
    created_at: datetime,
    channel: str = CreationChannel.WEB_FORM,
    first_name: str = "",
    last_name: str = "",
    lifecycle_stage: str = LifecycleStage.SUBSCRIBER,
    original_source: str | None = None,
    original_source_detail_1: str = "",
    original_source_detail_2: str = "",
    first_touch_campaign_id: int | None = None,
    last_touch_campaign_id: int | None = None,
    external_id: str = "",
) -> Contact:
    """Create a contact; raises ValidationError naming the problem (nothing is stored then)."""
    row = NewContact(
        email=email,
        created_at=created_at,
        channel=channel,
        first_name=first_name,
        last_name=last_name,
        original_source=original_source,
        original_source_detail_1=original_source_detail_1,
        original_source_detail_2=original_source_detail_2,
        first_touch_campaign_id=first_touch_campaign_id,
        last_touch_campaign_id=last_touch_campaign_id,
        stage_history=((lifecycle_stage, created_at),),
        external_id=external_id,
    )
    contact, history = _build_contact(workspace, row)
    if _existing_emails(workspace, [contact.email.lower()]):
        raise _email_taken_error(contact.email)
    try:
        with transaction.atomic():
            contact.save()
            LifecycleStageChange.objects.create(
                workspace=workspace, contact=contact, stage=history[0][0], changed_at=history[0][1]
            )
    except IntegrityError as exc:
        # A concurrent writer took the email between the check and the insert.
        raise _email_taken_error(contact.email) from exc
    bump_data_version(workspace.pk)
    return contact


@transaction.atomic
def bulk_create_contacts(*, workspace: Workspace, rows: Sequence[NewContact]) -> list[int]:
    """Create many contacts (and their stage history) at once; all or nothing.

    Returns the new ids in the order of `rows`. A bad row raises ValidationError naming its row.
    """
    built: list[tuple[Contact, list[tuple[str, datetime]]]] = []
    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        try:
            contact, history = _build_contact(workspace, row)
        except ValidationError as exc:
            raise _row_error(index, exc) from exc
        key = contact.email.lower()
        if key in seen:
            raise _row_error(
                index,
                ValidationError(
                    _("the email %(email)s is also on row %(other)s.")
                    % {"email": contact.email, "other": seen[key] + 1}
                ),
            )
        seen[key] = index
        built.append((contact, history))
    taken = _existing_emails(workspace, seen)
    if taken:
        first = min(seen[email] for email in taken)
        raise _row_error(first, _email_taken_error(rows[first].email.strip()))
    contacts = Contact.objects.bulk_create([c for c, _ in built], batch_size=BATCH_SIZE)
    changes = [
        LifecycleStageChange(workspace=workspace, contact_id=c.pk, stage=stage, changed_at=at)
        for c, (_, history) in zip(contacts, built, strict=True)
        for stage, at in history
    ]
    LifecycleStageChange.objects.bulk_create(changes, batch_size=BATCH_SIZE)
    bump_data_version(workspace.pk)
    return [c.pk for c in contacts]


@transaction.atomic
def set_lifecycle_stage(
    *, contact: Contact, stage: str, at: datetime
) -> LifecycleStageChange | None:
    """Move the contact to `stage` at `at`, keeping the history.

    Returns None when the contact already is in that stage. A backdated change is recorded in
    the history; the current stage is always the one with the latest change.
    """
    _clean_choice(stage, LifecycleStage, gettext_lazy("lifecycle stage"))
    _require_aware(at, gettext_lazy("The stage change time"))
    if at < contact.created_at:
        raise ValidationError(
            _("A lifecycle stage cannot change before the contact was created (%(created)s).")
            % {"created": contact.created_at.isoformat()}
        )
    history = LifecycleStageChange.objects.for_workspace(contact.workspace_id).filter(
        contact=contact
    )
    latest = history.order_by("-changed_at", "-id").first()
    if latest is not None and latest.stage == stage and latest.changed_at <= at:
        return None
    change = LifecycleStageChange.objects.create(
        workspace_id=contact.workspace_id, contact=contact, stage=stage, changed_at=at
    )
    if latest is None or at >= latest.changed_at:
        contact.lifecycle_stage = stage
        contact.save(update_fields=["lifecycle_stage", "updated_at"])
    bump_data_version(contact.workspace_id)
    return change


# --- Deals ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NewDeal:
    """One deal for `bulk_create_deals`; `contacts` are (contact id, associated at)."""

    name: str
    amount: Decimal
    currency: str
    created_at: datetime
    stage: str = DealStage.OPEN
    closed_at: datetime | None = None
    pipeline: str = "default"
    external_id: str = ""
    contacts: tuple[tuple[int, datetime], ...] = ()


def _clean_amount(amount: Decimal | int | str) -> Decimal:
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(
            {"amount": [_("%(amount)s is not an amount.") % {"amount": amount}]}
        ) from exc
    if not value.is_finite() or value < 0:
        raise ValidationError({"amount": [_("A deal amount cannot be negative.")]})
    return value.quantize(Decimal("0.01"))


def _clean_close(stage: str, created_at: datetime, closed_at: datetime | None) -> None:
    _clean_choice(stage, DealStage, gettext_lazy("deal stage"))
    if stage == DealStage.OPEN:
        if closed_at is not None:
            raise ValidationError({"closed_at": [_("An open deal has no close date.")]})
        return
    if closed_at is None:
        raise ValidationError({"closed_at": [_("A closed deal needs its close date.")]})
    _require_aware(closed_at, gettext_lazy("The close time"))
    if closed_at < created_at:
        raise ValidationError({"closed_at": [_("A deal cannot close before it was created.")]})


def _build_deal(workspace: Workspace, row: NewDeal) -> Deal:
    name = (row.name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the deal a name.")]})
    currency = (row.currency or "").strip().upper()
    try:
        validate_currency(currency)
    except ValidationError as exc:
        raise ValidationError({"currency": exc.messages}) from exc
    _require_aware(row.created_at, gettext_lazy("The creation time"))
    _clean_close(row.stage, row.created_at, row.closed_at)
    return Deal(
        workspace=workspace,
        name=name[:300],
        amount=_clean_amount(row.amount),
        currency=currency,
        pipeline=(row.pipeline or "default")[:120],
        stage=row.stage,
        created_at=row.created_at,
        closed_at=row.closed_at,
        external_id=row.external_id,
    )


def _check_association(
    *, deal_created_at: datetime, contact_created_at: datetime, at: datetime
) -> None:
    _require_aware(at, gettext_lazy("The association time"))
    if at < deal_created_at:
        raise ValidationError(
            _("A contact cannot be associated with a deal before the deal existed.")
        )
    if at < contact_created_at:
        raise ValidationError(
            _("A contact cannot be associated with a deal before the contact was created.")
        )


def _external_id_taken(workspace: Workspace, external_id: str) -> ValidationError:
    return ValidationError(
        {
            "external_id": [
                _("A deal with the external id %(id)s already exists in this workspace.")
                % {"id": external_id}
            ]
        }
    )


def create_deal(
    *,
    workspace: Workspace,
    name: str,
    amount: Decimal,
    currency: str,
    created_at: datetime,
    pipeline: str = "default",
    stage: str = DealStage.OPEN,
    closed_at: datetime | None = None,
    external_id: str = "",
    contacts: Sequence[Contact] = (),
) -> Deal:
    """Create a deal, associated with `contacts` at its creation time."""
    deal = _build_deal(
        workspace,
        NewDeal(
            name=name,
            amount=amount,
            currency=currency,
            created_at=created_at,
            stage=stage,
            closed_at=closed_at,
            pipeline=pipeline,
            external_id=external_id,
        ),
    )
    if (
        external_id
        and Deal.objects.for_workspace(workspace).filter(external_id=external_id).exists()
    ):
        raise _external_id_taken(workspace, external_id)
    with transaction.atomic():
        deal.save()
        for contact in contacts:
            _associate(deal=deal, contact=contact, at=created_at)
    bump_data_version(workspace.pk)
    return deal


def _associate(*, deal: Deal, contact: Contact, at: datetime) -> DealContact:
    if contact.workspace_id != deal.workspace_id:
        raise ValidationError(_("The contact belongs to another workspace."))
    _check_association(
        deal_created_at=deal.created_at, contact_created_at=contact.created_at, at=at
    )
    links = DealContact.objects.for_workspace(deal.workspace_id)
    if links.filter(deal=deal, contact=contact).exists():
        raise ValidationError(
            _("%(contact)s is already associated with %(deal)s.")
            % {"contact": contact.email, "deal": deal.name}
        )
    return DealContact.objects.create(
        workspace_id=deal.workspace_id, deal=deal, contact=contact, associated_at=at
    )


@transaction.atomic
def associate_contact_with_deal(*, deal: Deal, contact: Contact, at: datetime) -> DealContact:
    """Associate a contact with a deal from `at` (also after the deal closed)."""
    link = _associate(deal=deal, contact=contact, at=at)
    bump_data_version(deal.workspace_id)
    return link


@transaction.atomic
def close_deal(*, deal: Deal, won: bool, at: datetime) -> Deal:
    """Close an open deal as won or lost at `at`."""
    locked = Deal.objects.select_for_update().get(pk=deal.pk)
    if locked.stage != DealStage.OPEN:
        raise ValidationError(
            _("%(deal)s is already closed (%(stage)s).")
            % {"deal": locked.name, "stage": DealStage(locked.stage).label}
        )
    stage = DealStage.CLOSED_WON if won else DealStage.CLOSED_LOST
    _clean_close(stage, locked.created_at, at)
    locked.stage = stage
    locked.closed_at = at
    locked.save(update_fields=["stage", "closed_at"])
    deal.stage, deal.closed_at = locked.stage, locked.closed_at
    bump_data_version(deal.workspace_id)
    return deal


@transaction.atomic
def bulk_create_deals(*, workspace: Workspace, rows: Sequence[NewDeal]) -> list[int]:
    """Create many deals with their contact associations; all or nothing.

    Returns the new ids in the order of `rows`. A bad row raises ValidationError naming its row.
    """
    deals: list[Deal] = []
    for index, row in enumerate(rows):
        try:
            deals.append(_build_deal(workspace, row))
        except ValidationError as exc:
            raise _row_error(index, exc) from exc
    _check_deal_external_ids(workspace, rows)
    created_at = _contact_created_at(workspace, {cid for row in rows for cid, _ in row.contacts})
    for index, row in enumerate(rows):
        _check_bulk_links(index, row, created_at)
    Deal.objects.bulk_create(deals, batch_size=BATCH_SIZE)
    links = [
        DealContact(workspace=workspace, deal_id=deal.pk, contact_id=cid, associated_at=at)
        for deal, row in zip(deals, rows, strict=True)
        for cid, at in row.contacts
    ]
    DealContact.objects.bulk_create(links, batch_size=BATCH_SIZE)
    bump_data_version(workspace.pk)
    return [d.pk for d in deals]


def _check_deal_external_ids(workspace: Workspace, rows: Sequence[NewDeal]) -> None:
    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        if not row.external_id:
            continue
        if row.external_id in seen:
            raise _row_error(
                index,
                ValidationError(
                    _("the external id %(id)s is also on row %(other)s.")
                    % {"id": row.external_id, "other": seen[row.external_id] + 1}
                ),
            )
        seen[row.external_id] = index
    ids = list(seen)
    for start in range(0, len(ids), _LOOKUP_CHUNK):
        taken = (
            Deal.objects.for_workspace(workspace)
            .filter(external_id__in=ids[start : start + _LOOKUP_CHUNK])
            .values_list("external_id", flat=True)
            .first()
        )
        if taken:
            raise _row_error(seen[taken], _external_id_taken(workspace, taken))


def _contact_created_at(workspace: Workspace, ids: set[int]) -> dict[int, datetime]:
    wanted = sorted(ids)
    found: dict[int, datetime] = {}
    for start in range(0, len(wanted), _LOOKUP_CHUNK):
        found.update(
            Contact.objects.for_workspace(workspace)
            .filter(pk__in=wanted[start : start + _LOOKUP_CHUNK])
            .values_list("pk", "created_at")
        )
    return found


def _check_bulk_links(index: int, row: NewDeal, created_at: dict[int, datetime]) -> None:
    seen: set[int] = set()
    for contact_id, at in row.contacts:
        try:
            if contact_id not in created_at:
                raise ValidationError(
                    _("contact %(id)s does not exist in this workspace.") % {"id": contact_id}
                )
            if contact_id in seen:
                raise ValidationError(_("contact %(id)s is listed twice.") % {"id": contact_id})
            seen.add(contact_id)
            _check_association(
                deal_created_at=row.created_at, contact_created_at=created_at[contact_id], at=at
            )
        except ValidationError as exc:
            raise _row_error(index, exc) from exc


# --- Changes and removals (API v1) ---------------------------------------------------------------
def _email_taken_by_another(contact: Contact, email: str) -> bool:
    return (
        Contact.objects.for_workspace(contact.workspace_id)
        .annotate(email_lower=Lower("email"))
        .filter(email_lower=email.lower())
        .exclude(pk=contact.pk)
        .exists()
    )


@transaction.atomic
def update_contact(
    *,
    contact: Contact,
    email: str,
    first_name: str,
    last_name: str,
    external_id: str,
    lifecycle_stage: str,
    stage_changed_at: datetime | None = None,
) -> Contact:
    """Change the contact's email, names and external id, and move it to `lifecycle_stage`
    (recorded in its history at `stage_changed_at`, now by default).

    The email stays unique per workspace, case-insensitively; nothing is stored on an error.
    """
    cleaned = _clean_email(email)
    _clean_choice(lifecycle_stage, LifecycleStage, _("lifecycle stage"))
    if _email_taken_by_another(contact, cleaned):
        raise _email_taken_error(cleaned)
    contact.email = cleaned
    contact.first_name = first_name.strip()[:120]
    contact.last_name = last_name.strip()[:120]
    contact.external_id = external_id.strip()[:200]
    try:
        with transaction.atomic():
            contact.save(
                update_fields=["email", "first_name", "last_name", "external_id", "updated_at"]
            )
    except IntegrityError as exc:
        raise _email_taken_error(cleaned) from exc
    if lifecycle_stage != contact.lifecycle_stage:
        set_lifecycle_stage(
            contact=contact, stage=lifecycle_stage, at=stage_changed_at or timezone.now()
        )
    bump_data_version(contact.workspace_id)
    return contact


@transaction.atomic
def update_deal(
    *,
    deal: Deal,
    name: str,
    amount: Decimal,
    currency: str,
    pipeline: str,
    stage: str,
    closed_at: datetime | None,
    external_id: str,
) -> Deal:
    """Change a deal's properties, stage and close date (its creation time is fixed: contact
    associations and attribution depend on it). Same rules as `create_deal`."""
    locked = Deal.objects.select_for_update().get(pk=deal.pk)
    built = _build_deal(
        locked.workspace,
        NewDeal(
            name=name,
            amount=amount,
            currency=currency,
            created_at=locked.created_at,
            stage=stage,
            closed_at=closed_at,
            pipeline=pipeline,
            external_id=external_id.strip(),
        ),
    )
    if (
        built.external_id
        and Deal.objects.for_workspace(locked.workspace_id)
        .filter(external_id=built.external_id)
        .exclude(pk=locked.pk)
        .exists()
    ):
        raise _external_id_taken(locked.workspace, built.external_id)
    fields = ["name", "amount", "currency", "pipeline", "stage", "closed_at", "external_id"]
    for name_ in fields:
        setattr(deal, name_, getattr(built, name_))
    deal.save(update_fields=fields)
    bump_data_version(deal.workspace_id)
    return deal


@transaction.atomic
def delete_deal(*, deal: Deal) -> None:
    """Delete the deal with its contact associations (the contacts stay)."""
    workspace_id = deal.workspace_id
    deal.delete()
    bump_data_version(workspace_id)


@transaction.atomic
def dissociate_contact_from_deal(*, link: DealContact) -> None:
    """Remove a contact from a deal (the deal's revenue no longer credits that contact's path)."""
    workspace_id = link.workspace_id
    link.delete()
    bump_data_version(workspace_id)
