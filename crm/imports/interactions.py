"""Interactions (touchpoints): keyed by external id, or without one by what they are.

Each row names a contact of the workspace by email (import contacts first), a type (a value,
its label or a common synonym; "call" is a connected call when the call-connected cell says
yes, else a manually logged one), when it occurred and, optionally, its asset: by external id
or by name, narrowed by the asset-type cell or, when that is empty, by the kinds of asset the
interaction type implies (an email open → a marketing email).

Its campaign is resolved from the asset's association history at the time it occurred, by
the one resolution rule (assets.selectors.CampaignResolver). A stored interaction with the
same external id is updated (and its campaign resolved again) when the row differs. Without
an external id, a row equal to a stored interaction in contact, type, time and asset is
skipped, so importing the same file twice stores each interaction once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime

from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from assets.models import WEBSITE_ASSET_TYPES, Asset, AssetType
from assets.selectors import CampaignResolver
from crm.imports.rows import BatchResult, ImportContext, RowReader, SourceRow
from crm.imports.values import parse_asset_type, parse_email, parse_flag, parse_interaction_type
from crm.models import Contact
from tracking.models import Interaction, InteractionType
from tracking.services import InteractionInput, bulk_record_interactions

UPDATABLE = ("contact", "type", "occurred_at", "asset", "campaign")

_EMAIL_TYPES = frozenset({AssetType.MARKETING_EMAIL})
# The kinds of asset an interaction type happens on (used to tell same-named assets apart).
IMPLIED_ASSET_TYPES: dict[str, frozenset[str]] = {
    InteractionType.PAGE_VIEW: WEBSITE_ASSET_TYPES,
    InteractionType.FORM_SUBMISSION: frozenset({AssetType.FORM}),
    InteractionType.FORM_VIEW: frozenset({AssetType.FORM}),
    InteractionType.CTA_VIEW: frozenset({AssetType.CTA}),
    InteractionType.CTA_CLICK: frozenset({AssetType.CTA}),
    InteractionType.EMAIL_SENT: _EMAIL_TYPES,
    InteractionType.EMAIL_DELIVERED: _EMAIL_TYPES,
    InteractionType.EMAIL_OPEN: _EMAIL_TYPES,
    InteractionType.EMAIL_CLICK: _EMAIL_TYPES,
    InteractionType.AD_IMPRESSION: frozenset({AssetType.AD_CAMPAIGN, AssetType.PAID_SEARCH}),
    InteractionType.AD_CLICK: frozenset({AssetType.AD_CAMPAIGN, AssetType.PAID_SEARCH}),
    InteractionType.SOCIAL_CLICK: frozenset({AssetType.SOCIAL_POST}),
    InteractionType.EVENT_ATTENDED: frozenset({AssetType.MARKETING_EVENT}),
    InteractionType.MEDIA_PLAY: frozenset({AssetType.MEDIA}),
    InteractionType.WORKFLOW_ENROLLMENT: frozenset({AssetType.WORKFLOW}),
    InteractionType.LIST_MEMBERSHIP: frozenset({AssetType.STATIC_LIST}),
}

AssetCandidates = dict[str, list[tuple[int, str]]]


@dataclass
class InteractionRow:
    reader: RowReader
    external_id: str | None
    email: str | None
    type: str | None
    occurred_at: datetime | None
    asset_external_id: str | None
    asset_name: str | None
    asset_type: str | None
    contact_id: int | None = None
    asset_id: int | None = None

    @property
    def natural_key(self) -> tuple[Hashable, ...]:
        return ("natural", self.contact_id, self.type, self.occurred_at, self.asset_id)


def read_interaction(row: SourceRow, context: ImportContext) -> InteractionRow:
    reader = RowReader(row, context)
    connected = reader.read("call_connected", parse_flag)
    return InteractionRow(
        reader=reader,
        external_id=reader.text("external_id", max_length=200),
        email=reader.read("contact_email", parse_email, required=True),
        type=reader.read(
            "type", lambda raw: parse_interaction_type(raw, call_connected=connected), required=True
        ),
        occurred_at=reader.datetime("occurred_at", required=True),
        asset_external_id=reader.text("asset_external_id", max_length=200),
        asset_name=reader.text("asset_name", max_length=300),
        asset_type=reader.read("asset_type", parse_asset_type),
    )


def _asset_lookups(
    context: ImportContext, rows: list[InteractionRow]
) -> tuple[AssetCandidates, AssetCandidates]:
    """(by external id, by lower-cased name) → [(asset id, type)], one query each."""
    assets = Asset.objects.for_workspace(context.workspace)
    by_id: AssetCandidates = defaultdict(list)
    by_name: AssetCandidates = defaultdict(list)
    ids = sorted({r.asset_external_id for r in rows if r.asset_external_id})
    for pk, external_id, type_ in assets.filter(external_id__in=ids).values_list(
        "pk", "external_id", "type"
    ):
        by_id[external_id].append((pk, type_))
    names = sorted({r.asset_name.lower() for r in rows if r.asset_name and not r.asset_external_id})
    for pk, name, type_ in (
        assets.annotate(name_lower=Lower("name"))
        .filter(name_lower__in=names)
        .values_list("pk", "name_lower", "type")
    ):
        by_name[name].append((pk, type_))
    return by_id, by_name


def _no_asset_message(field: str, value: str, asset_type: str | None) -> str:
    by_id = field == "asset_external_id"
    if asset_type is None:
        message = (
            _("There is no asset with the external id “%(value)s” in this workspace.")
            if by_id
            else _("There is no asset named “%(value)s” in this workspace.")
        )
        return message % {"value": value}
    message = (
        _("There is no %(type)s with the external id “%(value)s” in this workspace.")
        if by_id
        else _("There is no %(type)s named “%(value)s” in this workspace.")
    )
    return message % {"type": AssetType(asset_type).label.lower(), "value": value}


def _resolve_asset(row: InteractionRow, by_id: AssetCandidates, by_name: AssetCandidates) -> None:
    if row.asset_external_id:
        field, value, candidates = "asset_external_id", row.asset_external_id, by_id
    elif row.asset_name:
        field, value, candidates = "asset_name", row.asset_name, by_name
    else:
        return
    found = candidates.get(value if field == "asset_external_id" else value.lower(), [])
    if row.asset_type:
        found = [c for c in found if c[1] == row.asset_type]
    if len(found) > 1 and row.type in IMPLIED_ASSET_TYPES:
        implied = [c for c in found if c[1] in IMPLIED_ASSET_TYPES[row.type]]
        found = implied or found
    if len(found) == 1:
        row.asset_id = found[0][0]
    elif not found:
        row.reader.problem(field, _no_asset_message(field, value, row.asset_type))
    else:
        types = ", ".join(sorted({str(AssetType(t).label) for _pk, t in found}))
        row.reader.problem(
            field,
            _("Several assets match “%(value)s” (%(types)s); map the asset type column to choose.")
            % {"value": value, "types": types},
        )


class InteractionImporter:
    def __init__(self, context: ImportContext) -> None:
        self.context = context
        self.resolver = CampaignResolver(workspace_id=context.workspace.pk)

    def _contacts(self, rows: list[InteractionRow]) -> dict[str, int]:
        emails = sorted({r.email.lower() for r in rows if r.email})
        return dict(
            Contact.objects.for_workspace(self.context.workspace)
            .annotate(email_lower=Lower("email"))
            .filter(email_lower__in=emails)
            .values_list("email_lower", "pk")
        )

    def _stored(
        self, rows: list[InteractionRow]
    ) -> tuple[dict[str, Interaction], set[tuple[Hashable, ...]]]:
        """Stored interactions with the rows' external ids, and the natural keys of stored
        interactions of the rows' contacts in the rows' time span (for rows without an id)."""
        stored = Interaction.objects.for_workspace(self.context.workspace)
        ids = sorted({r.external_id for r in rows if r.external_id})
        by_id = {
            i.external_id: i
            for i in stored.filter(external_id__in=ids).only(
                "id", "external_id", "contact_id", "type", "occurred_at", "asset_id", "campaign_id"
            )
        }
        plain = [r for r in rows if not r.external_id and r.contact_id and r.occurred_at]
        keys: set[tuple[Hashable, ...]] = set()
        if plain:
            times = [r.occurred_at for r in plain if r.occurred_at]
            found = stored.filter(
                contact_id__in=sorted({r.contact_id for r in plain if r.contact_id}),
                occurred_at__gte=min(times),
                occurred_at__lte=max(times),
            ).values_list("contact_id", "type", "occurred_at", "asset_id")
            keys = {("natural", *key) for key in found}
        return by_id, keys

    def _read(self, rows: list[SourceRow]) -> list[InteractionRow]:
        parsed = [read_interaction(r, self.context) for r in rows]
        contacts = self._contacts(parsed)
        by_id, by_name = _asset_lookups(self.context, parsed)
        for row in parsed:
            if row.email:
                row.contact_id = contacts.get(row.email.lower())
                if row.contact_id is None:
                    row.reader.problem(
                        "contact_email",
                        _(
                            "There is no contact with the email %(email)s in this workspace; "
                            "import the contacts first."
                        )
                        % {"email": row.email},
                    )
            _resolve_asset(row, by_id, by_name)
        return parsed

    def import_batch(self, rows: list[SourceRow]) -> BatchResult:
        result = BatchResult()
        parsed = self._read(rows)
        by_id, natural = self._stored([r for r in parsed if r.reader.ok])
        new: list[InteractionInput] = []
        changed: list[Interaction] = []
        for row in parsed:
            key = ("id", row.external_id) if row.external_id else row.natural_key
            what = row.external_id or _("The same interaction (contact, type, time and asset)")
            field = "external_id" if row.external_id else "occurred_at"
            if not row.reader.ok or not row.reader.claim(key, field, what):
                result.reject(row.reader)
                continue
            stored = by_id.get(row.external_id) if row.external_id else None
            if stored is not None:
                if self._apply(stored, row):
                    changed.append(stored)
                else:
                    result.skipped += 1
            elif not row.external_id and row.natural_key in natural:
                result.skipped += 1
            else:
                new.append(self._input(row))
        bulk_record_interactions(
            workspace=self.context.workspace, rows=new, resolver=self.resolver, bump_version=False
        )
        Interaction.objects.bulk_update(changed, fields=list(UPDATABLE), batch_size=1000)
        result.created += len(new)
        result.updated += len(changed)
        return result

    @staticmethod
    def _input(row: InteractionRow) -> InteractionInput:
        assert row.type and row.occurred_at
        return InteractionInput(
            type=row.type,
            occurred_at=row.occurred_at,
            contact_id=row.contact_id,
            asset_id=row.asset_id,
            external_id=row.external_id or "",
        )

    def _apply(self, stored: Interaction, row: InteractionRow) -> bool:
        assert row.type and row.occurred_at
        wanted = (row.contact_id, row.type, row.occurred_at, row.asset_id)
        if (stored.contact_id, stored.type, stored.occurred_at, stored.asset_id) == wanted:
            return False
        stored.contact_id, stored.type, stored.occurred_at, stored.asset_id = wanted
        stored.campaign_id = self.resolver.campaign_for(row.asset_id, row.occurred_at)
        return True
