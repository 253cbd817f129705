"""Contacts: keyed by email (case-insensitive).

A new contact gets the creation channel "import" (so the original source "offline sources"),
the row's created date (the import time when empty) and lifecycle stage (subscriber when empty).
An existing contact gets the row's names, external id and lifecycle stage where the cells are
not empty; a stage change is recorded in its history at the import time. Its created date,
channel and source never change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models.functions import Lower

from crm.imports.rows import BatchResult, ImportContext, RowReader, SourceRow
from crm.imports.values import parse_email, parse_lifecycle_stage
from crm.models import Contact, CreationChannel, LifecycleStage, LifecycleStageChange
from crm.services import NewContact, bulk_create_contacts

UPDATABLE = ("first_name", "last_name", "external_id", "lifecycle_stage")


@dataclass(frozen=True)
class ContactRow:
    number: int
    email: str
    first_name: str | None
    last_name: str | None
    created_at: datetime | None
    stage: str | None
    external_id: str | None


def read_contact(row: SourceRow, context: ImportContext, result: BatchResult) -> ContactRow | None:
    reader = RowReader(row, context)
    email = reader.read("email", parse_email, required=True)
    contact = ContactRow(
        number=row.number,
        email=email or "",
        first_name=reader.text("first_name", max_length=120),
        last_name=reader.text("last_name", max_length=120),
        created_at=reader.datetime("created_at"),
        stage=reader.read("lifecycle_stage", parse_lifecycle_stage),
        external_id=reader.text("external_id", max_length=200),
    )
    if reader.ok and reader.claim(("email", contact.email.lower()), "email", contact.email):
        return contact
    result.reject(reader)
    return None


def existing_contacts(context: ImportContext, emails: set[str]) -> dict[str, Contact]:
    """The workspace's contacts with these (lower-cased) emails, by lower-cased email."""
    found = (
        Contact.objects.for_workspace(context.workspace)
        .annotate(email_lower=Lower("email"))
        .filter(email_lower__in=sorted(emails))
        .only("id", "email", "created_at", *UPDATABLE)
    )
    return {c.email.lower(): c for c in found}


def _apply(contact: Contact, row: ContactRow) -> bool:
    """Copy the row's non-empty cells onto the stored contact; True when something changed."""
    changed = False
    for name, value in (
        ("first_name", row.first_name),
        ("last_name", row.last_name),
        ("external_id", row.external_id),
        ("lifecycle_stage", row.stage),
    ):
        if value is not None and getattr(contact, name) != value:
            setattr(contact, name, value)
            changed = True
    return changed


def _new_contact(row: ContactRow, context: ImportContext) -> NewContact:
    created_at = row.created_at or context.now
    return NewContact(
        email=row.email,
        created_at=created_at,
        channel=CreationChannel.IMPORT,
        first_name=row.first_name or "",
        last_name=row.last_name or "",
        stage_history=((row.stage or LifecycleStage.SUBSCRIBER, created_at),),
        external_id=row.external_id or "",
    )


class ContactImporter:
    def __init__(self, context: ImportContext) -> None:
        self.context = context

    def import_batch(self, rows: list[SourceRow]) -> BatchResult:
        result = BatchResult()
        parsed = [c for r in rows if (c := read_contact(r, self.context, result))]
        existing = existing_contacts(self.context, {c.email.lower() for c in parsed})
        new: list[NewContact] = []
        changed: list[Contact] = []
        stage_changes: list[LifecycleStageChange] = []
        for row in parsed:
            contact = existing.get(row.email.lower())
            if contact is None:
                new.append(_new_contact(row, self.context))
                continue
            old_stage = contact.lifecycle_stage
            if not _apply(contact, row):
                result.skipped += 1
                continue
            contact.updated_at = self.context.now  # bulk_update() does not apply auto_now
            changed.append(contact)
            if contact.lifecycle_stage != old_stage:
                stage_changes.append(self._stage_change(contact))
        if new:
            bulk_create_contacts(workspace=self.context.workspace, rows=new)
        Contact.objects.bulk_update(changed, fields=[*UPDATABLE, "updated_at"], batch_size=1000)
        LifecycleStageChange.objects.bulk_create(stage_changes, batch_size=1000)
        result.created += len(new)
        result.updated += len(changed)
        return result

    def _stage_change(self, contact: Contact) -> LifecycleStageChange:
        # A contact created "in the future" of the import still changes stage after creation.
        at = max(self.context.now, contact.created_at)
        return LifecycleStageChange(
            workspace=self.context.workspace,
            contact=contact,
            stage=contact.lifecycle_stage,
            changed_at=at,
        )
