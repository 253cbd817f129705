"""The fields each kind of import reads, and the guess of which file column holds which field.

A field's `headers` are the column names it is recognised by, in English, Danish, Norwegian,
Swedish and Dutch; they are compared after `values.normalise` (case, accents, spaces and
punctuation ignored), so "E-mail", "e_mail" and "EMAIL" are one name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from crm.imports.values import normalise
from crm.models import ImportKind

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Field:
    name: str
    label: StrOrPromise
    required: bool = False
    headers: Sequence[str] = ()
    help: StrOrPromise = ""


_EMAIL: tuple[str, ...] = (
    "email",
    "e-mail",
    "email address",
    "e-mail address",
    "mail",
    "e-post",
    "epost",
)
_EMAIL += ("e-postadresse", "e-postadress", "e-mailadresse", "e-mailadres", "emailadres")
_CREATED: tuple[str, ...] = (
    "created",
    "created at",
    "created date",
    "create date",
    "creation date",
    "createdate",
)
_CREATED += ("oprettet", "oprettelsesdato", "opprettet", "opprettelsesdato", "skapad")
_CREATED += ("skapat", "skapelsedatum", "aangemaakt", "aanmaakdatum", "datum aangemaakt")
_EXTERNAL_ID: tuple[str, ...] = (
    "external id",
    "id",
    "record id",
    "crm id",
    "source id",
    "ekstern id",
)
_EXTERNAL_ID += ("externt id", "extern id", "externe id")

CONTACT_FIELDS = (
    Field("email", _("Email"), True, _EMAIL),
    Field(
        "first_name",
        _("First name"),
        headers=("first name", "firstname", "given name", "fornavn", "förnamn", "voornaam"),
    ),
    Field(
        "last_name",
        _("Last name"),
        headers=(
            "last name",
            "lastname",
            "surname",
            "family name",
            "efternavn",
            "etternavn",
            "efternamn",
            "achternaam",
        ),
    ),
    Field(
        "created_at",
        _("Created"),
        headers=_CREATED,
        help=_("Used for new contacts only; the import time when empty."),
    ),
    Field(
        "lifecycle_stage",
        _("Lifecycle stage"),
        headers=(
            "lifecycle stage",
            "lifecyclestage",
            "stage",
            "livscyklusfase",
            "livssyklusfase",
            "livscykelfas",
            "livscykelstadium",
            "levenscyclusfase",
            "fase",
        ),
        help=_("Subscriber when empty for a new contact."),
    ),
    Field("external_id", _("External id"), headers=_EXTERNAL_ID),
)

DEAL_FIELDS = (
    Field(
        "external_id",
        _("External id"),
        True,
        (*_EXTERNAL_ID, "deal id"),
        help=_("The deal's id in your CRM: a later import with the same id updates the deal."),
    ),
    Field(
        "name",
        _("Deal name"),
        True,
        (
            "deal name",
            "name",
            "dealname",
            "deal",
            "aftalenavn",
            "navn",
            "avtalenavn",
            "affärsnamn",
            "namn",
            "affär",
            "dealnaam",
            "naam",
        ),
    ),
    Field(
        "amount",
        _("Amount"),
        True,
        (
            "amount",
            "value",
            "deal value",
            "beløb",
            "beløp",
            "belopp",
            "bedrag",
            "værdi",
            "verdi",
            "värde",
            "waarde",
        ),
    ),
    Field(
        "currency",
        _("Currency"),
        headers=("currency", "valuta", "currency code", "valutakode", "valutakod"),
        help=_("The workspace's currency when empty."),
    ),
    Field("pipeline", _("Pipeline"), headers=("pipeline", "sales pipeline", "pijplijn")),
    Field(
        "stage",
        _("Deal stage"),
        headers=("deal stage", "stage", "dealstage", "status", "fase", "stadium", "steg"),
        help=_("Open, closed won or closed lost; open when empty."),
    ),
    Field("created_at", _("Created"), True, _CREATED),
    Field(
        "closed_at",
        _("Close date"),
        headers=(
            "close date",
            "closed",
            "closed at",
            "closedate",
            "lukket",
            "lukkedato",
            "stängd",
            "stängningsdatum",
            "afsluitdatum",
            "gesloten",
        ),
    ),
    Field(
        "contact_emails",
        _("Contact emails"),
        headers=(
            "contact emails",
            "contact email",
            "contacts",
            "associated contacts",
            "kontakter",
            "kontakt e-mail",
            "kontakt e-post",
            "contactpersonen",
            "contacten",
            *_EMAIL,
        ),
        help=_("Several emails separated by ; or |."),
    ),
    Field(
        "associated_at",
        _("Association dates"),
        headers=("association date", "association dates", "associated at", "associated"),
        help=_(
            "One date for every contact, or one per email in the same order. When empty: when "
            "both the deal and the contact existed."
        ),
    ),
)

INTERACTION_FIELDS = (
    Field(
        "external_id",
        _("External id"),
        headers=(*_EXTERNAL_ID, "event id", "activity id"),
        help=_(
            "Without it, an interaction is the same as a stored one when its contact, type, "
            "time and asset are the same."
        ),
    ),
    Field(
        "contact_email",
        _("Contact email"),
        True,
        ("contact email", "contact", *_EMAIL, "kontakt", "contactpersoon"),
    ),
    Field(
        "type",
        _("Interaction type"),
        True,
        (
            "type",
            "interaction type",
            "activity type",
            "event type",
            "activity",
            "aktivitet",
            "aktivitetstype",
            "aktivitetstyp",
            "interaktionstype",
            "interaktionstyp",
            "soort",
        ),
    ),
    Field(
        "occurred_at",
        _("Occurred at"),
        True,
        (
            "occurred at",
            "date",
            "timestamp",
            "time",
            "activity date",
            "dato",
            "tidspunkt",
            "datum",
            "tidpunkt",
            "tijdstip",
            "tid",
        ),
    ),
    Field(
        "asset_external_id",
        _("Asset external id"),
        headers=("asset external id", "asset id", "asset"),
    ),
    Field(
        "asset_name",
        _("Asset name"),
        headers=("asset name", "asset title", "aktivnavn", "tillgångsnamn", "assetnaam"),
    ),
    Field(
        "asset_type",
        _("Asset type"),
        headers=("asset type", "aktivtype", "tillgångstyp", "assettype"),
        help=_("Needed only when several assets share the name or external id."),
    ),
    Field(
        "call_connected",
        _("Call connected"),
        headers=(
            "call connected",
            "connected",
            "call type",
            "forbundet",
            "tilkoblet",
            "ansluten",
            "verbonden",
        ),
        help=_("For calls: yes / connected (via integration) or no / manual (logged by hand)."),
    ),
)

ASSET_FIELDS = (
    Field(
        "type",
        _("Asset type"),
        True,
        ("type", "asset type", "kind", "aktivtype", "tillgångstyp", "assettype", "soort", "typ"),
    ),
    Field(
        "name",
        _("Name"),
        True,
        ("name", "title", "asset name", "navn", "titel", "tittel", "namn", "naam"),
    ),
    Field("url", _("URL"), headers=("url", "link", "web address", "adresse", "adress", "adres")),
    Field(
        "published_at",
        _("Published"),
        headers=(
            "published",
            "published at",
            "publish date",
            "publiceret",
            "publisert",
            "publicerad",
            "publicatiedatum",
            "gepubliceerd",
        ),
    ),
    Field(
        "external_id",
        _("External id"),
        headers=_EXTERNAL_ID,
        help=_("Without it, an asset is matched by its type and name."),
    ),
    Field(
        "campaign",
        _("Campaign"),
        headers=("campaign", "campaign name", "kampagne", "kampanje", "kampanj", "campagne"),
        help=_("A campaign's name or utm_campaign value: the asset is associated with it."),
    ),
    Field(
        "associated_at",
        _("Associated from"),
        headers=("associated at", "association date", "associated from"),
        help=_("When the campaign association starts; the import time when empty."),
    ),
)

FIELDS: dict[str, tuple[Field, ...]] = {
    ImportKind.CONTACTS: CONTACT_FIELDS,
    ImportKind.DEALS: DEAL_FIELDS,
    ImportKind.INTERACTIONS: INTERACTION_FIELDS,
    ImportKind.ASSETS: ASSET_FIELDS,
}


def fields_for(kind: str) -> tuple[Field, ...]:
    return FIELDS[kind]


def _labels(field: Field) -> list[str]:
    """The field's label in every UI language (a file made from a translated sample)."""
    labels = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            labels.append(normalise(str(field.label)))
    return labels


def guess_mapping(kind: str, header: Sequence[str]) -> dict[str, int]:
    """Field name → column index, for the columns whose names a field recognises.

    Exact names win over synonyms: every (field, column) match is ranked by how early the
    name comes in the field's list (its own name and label first), required fields before
    optional ones, and assigned greedily so that a column is used once.
    """
    columns = [normalise(name) for name in header]
    candidates: list[tuple[int, bool, int, str, int]] = []
    for order, field in enumerate(fields_for(kind)):
        names = [normalise(field.name), *_labels(field)]
        names += [normalise(h) for h in field.headers]
        for index, column in enumerate(columns):
            if column and column in names:
                candidates.append(
                    (names.index(column), not field.required, order, field.name, index)
                )
    mapping: dict[str, int] = {}
    for *_rank, name, index in sorted(candidates):
        if name not in mapping and index not in mapping.values():
            mapping[name] = index
    return mapping
