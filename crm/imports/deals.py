"""Deals: keyed by external id (required, so a re-import updates instead of duplicating).

A new deal needs its name, amount and created date; the currency defaults to the workspace's,
the pipeline to "default", the stage to open. An existing deal gets the row's non-empty cells
(its created date never changes). A close date on an open deal is its expected close date and
is not stored; a closed deal needs one (a stored one is kept when the cell is empty).

Contact emails (separated by `;` or `|`) must belong to contacts of the workspace (import the
contacts first); a deal's contacts are associated at the row's association date(s), or when
both the deal and the contact existed. An import adds associations, it never removes one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from crm.imports.rows import BatchResult, ImportContext, RowReader, SourceRow
from crm.imports.values import (
    CellError,
    parse_amount,
    parse_currency,
    parse_datetime,
    parse_deal_stage,
    parse_email,
    split_list,
)
from crm.models import Contact, Deal, DealContact, DealStage
from crm.services import NewDeal, bulk_create_deals

UPDATABLE = ("name", "amount", "currency", "pipeline", "stage", "closed_at")


@dataclass
class DealRow:
    reader: RowReader
    external_id: str
    name: str | None
    amount: Decimal | None
    currency: str | None
    pipeline: str | None
    stage: str | None
    created_at: datetime | None
    closed_at: datetime | None
    emails: list[str]
    associated_at: list[datetime]
    # Filled in once the stored contacts are known: (contact id, associated at).
    links: list[tuple[int, datetime]] = field(default_factory=list)


def _emails(reader: RowReader) -> list[str]:
    emails: list[str] = []
    for part in split_list(reader.row.raw("contact_emails")):
        try:
            email = parse_email(part)
        except CellError as exc:
            reader.problem("contact_emails", str(exc))
            continue
        if email.lower() not in {e.lower() for e in emails}:
            emails.append(email)
    return emails


def _dates(reader: RowReader) -> list[datetime]:
    tz = reader.context.workspace.tz
    dates: list[datetime] = []
    for part in split_list(reader.row.raw("associated_at")):
        try:
            dates.append(parse_datetime(part, tz=tz))
        except CellError as exc:
            reader.problem("associated_at", str(exc))
    return dates


def read_deal(row: SourceRow, context: ImportContext) -> DealRow:
    reader = RowReader(row, context)
    deal = DealRow(
        reader=reader,
        external_id=reader.text("external_id", max_length=200, required=True) or "",
        name=reader.text("name", max_length=300),
        amount=reader.read("amount", parse_amount),
        currency=reader.read("currency", parse_currency),
        pipeline=reader.text("pipeline", max_length=120),
        stage=reader.read("stage", parse_deal_stage),
        created_at=reader.datetime("created_at"),
        closed_at=reader.datetime("closed_at"),
        emails=_emails(reader),
        associated_at=_dates(reader),
    )
    if len(deal.associated_at) > 1 and len(deal.associated_at) != len(deal.emails):
        reader.problem(
            "associated_at",
            _(
                "There are %(dates)s association dates for %(emails)s contact emails; give one "
                "date for all of them or one per email."
            )
            % {"dates": len(deal.associated_at), "emails": len(deal.emails)},
        )
    return deal


def _check_new(deal: DealRow) -> None:
    """The cells a new deal cannot do without."""
    for name, value in (
        ("name", deal.name),
        ("amount", deal.amount),
        ("created_at", deal.created_at),
    ):
        if value is None and not deal.reader.row.raw(name):
            deal.reader.problem(
                name,
                _("%(column)s is empty; a new deal needs it.")
                % {"column": deal.reader.column(name)},
            )


def _final_close(deal: DealRow, stored: Deal | None) -> tuple[str, datetime | None]:
    """The stage and close date the deal ends up with (checked against its created date)."""
    stage = deal.stage or (stored.stage if stored else DealStage.OPEN)
    if stage == DealStage.OPEN:
        return stage, None
    closed_at = deal.closed_at or (stored.closed_at if stored else None)
    created_at = stored.created_at if stored else deal.created_at
    if closed_at is None:
        deal.reader.problem("closed_at", _("A closed deal needs its close date."), "")
    elif created_at is not None and closed_at < created_at:
        deal.reader.problem("closed_at", _("A deal cannot close before it was created."))
    return stage, closed_at


def _resolve_links(
    deal: DealRow, created_at: datetime | None, contacts: dict[str, tuple[int, datetime]]
) -> None:
    for index, email in enumerate(deal.emails):
        found = contacts.get(email.lower())
        if found is None:
            deal.reader.problem(
                "contact_emails",
                _(
                    "There is no contact with the email %(email)s in this workspace; import the "
                    "contacts first."
                )
                % {"email": email},
                email,
            )
            continue
        contact_id, contact_created = found
        if deal.associated_at:
            at = deal.associated_at[index if len(deal.associated_at) > 1 else 0]
        else:
            at = max(created_at or contact_created, contact_created)
        if created_at is not None and at < created_at:
            deal.reader.problem(
                "associated_at",
                _("%(email)s cannot be associated before the deal was created.") % {"email": email},
            )
        elif at < contact_created:
            deal.reader.problem(
                "associated_at",
                _("%(email)s cannot be associated before the contact was created.")
                % {"email": email},
            )
        else:
            deal.links.append((contact_id, at))


class DealImporter:
    def __init__(self, context: ImportContext) -> None:
        self.context = context

    def _stored(
        self, deals: list[DealRow]
    ) -> tuple[dict[str, Deal], dict[str, tuple[int, datetime]]]:
        ws = self.context.workspace
        ids = sorted({d.external_id for d in deals if d.external_id})
        stored = {
            d.external_id: d for d in Deal.objects.for_workspace(ws).filter(external_id__in=ids)
        }
        emails = sorted({e.lower() for d in deals for e in d.emails})
        contacts = {
            email: (pk, created)
            for email, pk, created in Contact.objects.for_workspace(ws)
            .annotate(email_lower=Lower("email"))
            .filter(email_lower__in=emails)
            .values_list("email_lower", "pk", "created_at")
        }
        return stored, contacts

    def import_batch(self, rows: list[SourceRow]) -> BatchResult:
        result = BatchResult()
        deals = [read_deal(r, self.context) for r in rows]
        stored, contacts = self._stored(deals)
        linked = self._linked_contacts(stored.values())
        new: list[NewDeal] = []
        changed: list[Deal] = []
        new_links: list[DealContact] = []
        for deal in deals:
            existing = stored.get(deal.external_id)
            if existing is None and deal.external_id:
                _check_new(deal)
            stage, closed_at = _final_close(deal, existing)
            created_at = existing.created_at if existing else deal.created_at
            _resolve_links(deal, created_at, contacts)
            reader = deal.reader
            if not reader.ok or not reader.claim(
                ("deal", deal.external_id), "external_id", deal.external_id
            ):
                result.reject(reader)
                continue
            if existing is None:
                new.append(self._new_deal(deal, stage, closed_at))
                continue
            links = [
                DealContact(
                    workspace=self.context.workspace,
                    deal=existing,
                    contact_id=contact_id,
                    associated_at=at,
                )
                for contact_id, at in deal.links
                if contact_id not in linked.get(existing.pk, set())
            ]
            if self._apply(existing, deal, stage, closed_at) or links:
                changed.append(existing)
                new_links.extend(links)
            else:
                result.skipped += 1
        if new:
            bulk_create_deals(workspace=self.context.workspace, rows=new)
        Deal.objects.bulk_update(changed, fields=list(UPDATABLE), batch_size=1000)
        DealContact.objects.bulk_create(new_links, batch_size=1000)
        result.created += len(new)
        result.updated += len(changed)
        return result

    def _linked_contacts(self, deals: Iterable[Deal]) -> dict[int, set[int]]:
        ids = [d.pk for d in deals]
        linked: dict[int, set[int]] = {}
        rows = (
            DealContact.objects.for_workspace(self.context.workspace)
            .filter(deal_id__in=ids)
            .values_list("deal_id", "contact_id")
        )
        for deal_id, contact_id in rows:
            linked.setdefault(deal_id, set()).add(contact_id)
        return linked

    def _new_deal(self, deal: DealRow, stage: str, closed_at: datetime | None) -> NewDeal:
        assert deal.created_at is not None and deal.name and deal.amount is not None
        return NewDeal(
            name=deal.name,
            amount=deal.amount,
            currency=deal.currency or self.context.workspace.currency,
            created_at=deal.created_at,
            stage=stage,
            closed_at=closed_at,
            pipeline=deal.pipeline or "default",
            external_id=deal.external_id,
            contacts=tuple(deal.links),
        )

    @staticmethod
    def _apply(stored: Deal, deal: DealRow, stage: str, closed_at: datetime | None) -> bool:
        changed = False
        for name, value in (
            ("name", deal.name),
            ("amount", deal.amount),
            ("currency", deal.currency),
            ("pipeline", deal.pipeline),
            ("stage", stage),
        ):
            if value is not None and getattr(stored, name) != value:
                setattr(stored, name, value)
                changed = True
        if stored.closed_at != closed_at:
            stored.closed_at = closed_at
            changed = True
        return changed
