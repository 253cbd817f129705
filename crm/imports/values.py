"""Reading one cell: dates, amounts, emails, yes/no flags and choices (stages, types).

Every reader takes the raw text and returns the value or raises CellError with a message
for the person who made the file. None of them touches the database.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _

from assets.models import AssetType
from crm.models import DealStage, LifecycleStage
from tracking.models import InteractionType


class CellError(ValueError):
    """A cell's value cannot be used; str(error) is the message for the user."""


# --- Dates and times -----------------------------------------------------------------------------
_EARLIEST_YEAR, _LATEST_YEAR = 1970, 2100
_TIME = r"(?:[ T]+(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?:[:.](?P<second>\d{2}))?)?"
# DD.MM.YYYY, DD-MM-YYYY, DD/MM/YYYY (day first, as written in the languages we serve) and
# YYYY/MM/DD or YYYY.MM.DD, each optionally followed by a time.
_DAY_FIRST = re.compile(r"(?P<day>\d{1,2})([./-])(?P<month>\d{1,2})\2(?P<year>\d{4})" + _TIME)
_YEAR_FIRST = re.compile(r"(?P<year>\d{4})([./])(?P<month>\d{1,2})\2(?P<day>\d{1,2})" + _TIME)


def _day_first(text: str) -> datetime | None:
    match = _DAY_FIRST.fullmatch(text) or _YEAR_FIRST.fullmatch(text)
    if match is None:
        return None
    parts = {k: int(v) for k, v in match.groupdict().items() if v is not None}
    try:
        return datetime(
            parts["year"],
            parts["month"],
            parts["day"],
            parts.get("hour", 0),
            parts.get("minute", 0),
            parts.get("second", 0),
        )
    except ValueError:
        return None


def parse_datetime(raw: str, *, tz: ZoneInfo) -> datetime:
    """An aware datetime. ISO 8601 (with or without time and offset) or a day-first date;
    a value without an offset is read in `tz` (the workspace's time zone), a date alone is
    midnight there."""
    text = raw.strip()
    try:
        value = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        parsed = _day_first(text)
        if parsed is None:
            raise CellError(
                _(
                    "“%(value)s” is not a date. Use YYYY-MM-DD, DD.MM.YYYY or DD-MM-YYYY, "
                    "optionally followed by a time (HH:MM or HH:MM:SS)."
                )
                % {"value": raw}
            ) from None
        value = parsed
    if not _EARLIEST_YEAR <= value.year <= _LATEST_YEAR:
        raise CellError(
            _("“%(value)s” is outside the years %(first)s to %(last)s.")
            % {"value": raw, "first": _EARLIEST_YEAR, "last": _LATEST_YEAR}
        )
    return value.replace(tzinfo=tz) if value.tzinfo is None else value


# --- Amounts -------------------------------------------------------------------------------------
_SPACES = re.compile(r"[\s\u00a0\u202f']")
_AMOUNT_LIMIT = Decimal(10) ** 14


def _normalise_separators(text: str) -> str:
    """`1.234,56` / `1,234.56` / `1 234,56` / `1234,56` → `1234.56`.

    With both `.` and `,` the last one is the decimal separator. With one kind only, it is a
    thousands separator when it repeats or when exactly three digits follow it (`1.234` is one
    thousand two hundred and thirty-four, as both `1,234` and `1.234` are written in the
    locales we serve); otherwise it is the decimal separator.
    """
    if "," in text and "." in text:
        decimal_sep = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal_sep == "," else ","
        return text.replace(thousands, "").replace(decimal_sep, ".")
    for sep in (",", "."):
        if sep in text:
            _head, _s, tail = text.rpartition(sep)
            if text.count(sep) > 1 or len(tail) == 3:
                return text.replace(sep, "")
            return text.replace(sep, ".")
    return text


def parse_amount(raw: str) -> Decimal:
    """A non-negative amount with two decimals; currency signs and codes around it are ignored."""
    text = _SPACES.sub("", raw.strip())
    text = re.sub(r"^[^\d+\-(.,]+|[^\d).,]+$", "", text)  # "€", "kr", "EUR" before/after
    negative = text.startswith("-") or (text.startswith("(") and text.endswith(")"))
    text = text.strip("()+-")
    normalised = _normalise_separators(text)
    if not re.fullmatch(r"\d+(\.\d+)?|\.\d+", normalised):
        raise CellError(
            _("“%(value)s” is not an amount. Write it like 1234.56, 1.234,56 or 1 234,56.")
            % {"value": raw}
        )
    if negative:
        raise CellError(_("An amount cannot be negative (“%(value)s”).") % {"value": raw})
    try:
        value = Decimal(normalised).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:
        raise CellError(_("“%(value)s” is not an amount.") % {"value": raw}) from exc
    if value >= _AMOUNT_LIMIT:
        raise CellError(_("“%(value)s” is too large for an amount.") % {"value": raw})
    return value


# --- Emails, URLs, currencies, flags -------------------------------------------------------------
def parse_email(raw: str) -> str:
    email = raw.strip().strip("<>").strip()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise CellError(_("“%(value)s” is not a valid email address.") % {"value": raw}) from exc
    return email


def split_list(raw: str) -> list[str]:
    """Values separated by `;` or `|` (a list inside one cell)."""
    return [part.strip() for part in re.split(r"[;|]", raw) if part.strip()]


_url_validator = URLValidator(schemes=["http", "https"])


def parse_url(raw: str) -> str:
    url = raw.strip()
    if "://" not in url:
        url = "https://" + url
    try:
        _url_validator(url)
    except ValidationError as exc:
        raise CellError(_("“%(value)s” is not a web address.") % {"value": raw}) from exc
    if len(url) > 2000:
        raise CellError(_("The web address is longer than 2,000 characters."))
    return url


def parse_currency(raw: str) -> str:
    code = raw.strip().upper()
    if len(code) != 3 or not code.isalpha() or not code.isascii():
        raise CellError(
            _("“%(value)s” is not a currency code. Use three letters such as EUR, DKK or SEK.")
            % {"value": raw}
        )
    return code


_TRUE = {"yes", "y", "true", "1", "x", "connected", "integration", "viaintegration", "ja", "j"}
_FALSE = {"no", "n", "false", "0", "manual", "manually", "logged", "manuallylogged", "nej", "nei"}
_FALSE |= {"nee", "manuel", "manuell", "handmatig"}


def parse_flag(raw: str) -> bool:
    key = normalise(raw)
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise CellError(
        _("“%(value)s” is not yes or no (for calls: connected or manual).") % {"value": raw}
    )


# --- Choices: stages and types, by value, label (in every UI language) or a common synonym ------
def normalise(text: str) -> str:
    """Case, accents, spaces and punctuation removed: "Closed won" == "closed_won"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


# Synonyms a CRM export or a person commonly writes, beyond the values and their labels.
LIFECYCLE_SYNONYMS: Mapping[str, Iterable[str]] = {
    LifecycleStage.SUBSCRIBER: ("abonnent", "abonnee", "prenumerant"),
    LifecycleStage.LEAD: ("leads",),
    LifecycleStage.MQL: ("mql", "marketing qualified"),
    LifecycleStage.SQL: ("sql", "sales qualified"),
    LifecycleStage.OPPORTUNITY: ("mulighed", "mulighet", "möjlighet", "verkoopkans"),
    LifecycleStage.CUSTOMER: ("kunde", "kund", "klant"),
    LifecycleStage.EVANGELIST: ("ambassador", "ambassadør", "ambassadör", "ambassadeur"),
    LifecycleStage.OTHER: ("andet", "annet", "annat", "overig", "anders"),
}
DEAL_STAGE_SYNONYMS: Mapping[str, Iterable[str]] = {
    DealStage.OPEN: ("åben", "åpen", "öppen", "in progress"),
    DealStage.CLOSED_WON: ("won", "closedwon", "vundet", "vunnet", "vunnen", "gewonnen"),
    DealStage.CLOSED_LOST: ("lost", "closedlost", "tabt", "tapt", "förlorad", "verloren"),
}
ASSET_TYPE_SYNONYMS: Mapping[str, Iterable[str]] = {
    AssetType.BLOG_POST: ("blog", "blog article", "article"),
    AssetType.WEBSITE_PAGE: ("page", "web page", "site page"),
    AssetType.LANDING_PAGE: ("landing",),
    AssetType.CTA: ("call to action", "button"),
    AssetType.MARKETING_EMAIL: ("email", "e-mail", "newsletter"),
    AssetType.SOCIAL_POST: ("social", "social media post"),
    AssetType.AD_CAMPAIGN: ("ad", "ads", "ad campaign"),
    AssetType.PAID_SEARCH: ("paid search", "search campaign", "ppc"),
    AssetType.TRACKING_URL: ("tracking link", "utm link"),
    AssetType.STATIC_LIST: ("list", "static list"),
    AssetType.MARKETING_EVENT: ("event", "webinar"),
    AssetType.MEDIA: ("video", "audio"),
}
INTERACTION_SYNONYMS: Mapping[str, Iterable[str]] = {
    InteractionType.PAGE_VIEW: ("pageview", "page visit", "visit"),
    InteractionType.FORM_SUBMISSION: ("form", "form submit", "submission", "form fill"),
    InteractionType.FORM_VIEW: ("form view", "form impression", "viewed form"),
    InteractionType.EMAIL_SENT: ("email send", "send", "sent"),
    InteractionType.EMAIL_DELIVERED: ("email delivery", "delivered", "delivery"),
    InteractionType.EMAIL_OPEN: ("open", "opened", "email opened"),
    InteractionType.EMAIL_CLICK: ("email clicked", "clicked email"),
    InteractionType.AD_IMPRESSION: ("impression",),
    InteractionType.SOCIAL_CLICK: ("social click", "social post click"),
    InteractionType.EVENT_ATTENDED: ("event", "attended", "event attendance", "webinar attended"),
    InteractionType.MEETING_BOOKED: ("meeting", "meeting booked", "booked meeting"),
    InteractionType.CALL_CONNECTED: ("connected call",),
    InteractionType.CALL_LOGGED: ("logged call", "manual call"),
    InteractionType.SALES_EMAIL_REPLY: ("reply", "email reply"),
    InteractionType.CONVERSATION: ("chat", "live chat"),
    InteractionType.SEQUENCE_ACTION: ("sequence", "sequence step"),
    InteractionType.MEDIA_PLAY: ("video play", "play"),
    InteractionType.WORKFLOW_ENROLLMENT: ("workflow", "enrollment", "enrolment"),
    InteractionType.LIST_MEMBERSHIP: ("list", "list membership", "added to list"),
}
# "Call" alone is either kind; the row's connected/manual flag decides (manual when empty).
CALL = "call"
_CALL_WORDS = ("call", "phone call", "opkald", "samtale", "samtal", "telefoongesprek")


@cache
def _choice_table(choices: type[models.TextChoices], synonyms_key: str) -> dict[str, str]:
    synonyms: Mapping[str, Iterable[str]] = _SYNONYMS[synonyms_key]
    table: dict[str, str] = {}
    for value, _label in choices.choices:
        table[normalise(value)] = value
        for word in synonyms.get(value, ()):
            table.setdefault(normalise(word), value)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for member in choices:
                table.setdefault(normalise(str(member.label)), member.value)
    return table


_SYNONYMS: dict[str, Mapping[str, Iterable[str]]] = {
    "lifecycle": LIFECYCLE_SYNONYMS,
    "deal_stage": DEAL_STAGE_SYNONYMS,
    "asset_type": ASSET_TYPE_SYNONYMS,
    "interaction": INTERACTION_SYNONYMS,
}


def _choose(raw: str, choices: type[models.TextChoices], key: str, message: str) -> str:
    found = _choice_table(choices, key).get(normalise(raw))
    if found is None:
        allowed = ", ".join(str(m.label) for m in choices)
        raise CellError(message % {"value": raw, "allowed": allowed})
    return found


def parse_lifecycle_stage(raw: str) -> str:
    return _choose(
        raw,
        LifecycleStage,
        "lifecycle",
        _("“%(value)s” is not a lifecycle stage. Use one of: %(allowed)s."),
    )


def parse_deal_stage(raw: str) -> str:
    return _choose(
        raw, DealStage, "deal_stage", _("“%(value)s” is not a deal stage. Use one of: %(allowed)s.")
    )


def parse_asset_type(raw: str) -> str:
    return _choose(
        raw,
        AssetType,
        "asset_type",
        _("“%(value)s” is not an asset type. Use one of: %(allowed)s."),
    )


def parse_interaction_type(raw: str, *, call_connected: bool | None) -> str:
    """An InteractionType value; "call" becomes a connected or a manually logged call."""
    if normalise(raw) in {normalise(w) for w in _CALL_WORDS}:
        return InteractionType.CALL_CONNECTED if call_connected else InteractionType.CALL_LOGGED
    return _choose(
        raw,
        InteractionType,
        "interaction",
        _("“%(value)s” is not an interaction type. Use one of: %(allowed)s (or Call)."),
    )
