"""Strict validation of what the public tracking endpoints receive (no database here).

The collector's hot path uses this hand-written validator rather than a DRF serializer: it runs
on every page view of every customer site, and a few dozen plain checks cost microseconds where
a serializer costs a millisecond. `EVENT_SCHEMA` is the same contract as a JSON schema; it is
published in the OpenAPI document (tracking/api_collector.py) and the tests check that the two
agree.

Every rejection is a `Rejected` with the HTTP status, a message a developer can act on and the
offending field, answered as `{"error": "...", "field": "..."}`.
"""

from __future__ import annotations

import ipaddress
import json
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_URL_LENGTH = 2000
MAX_TITLE_LENGTH = 500
# A form view names its form as the forms endpoint does: your id for it and/or its name.
MAX_FORM_ID_LENGTH = 200
MAX_FORM_NAME_LENGTH = 300
# The client's clock may be off; its "how long ago" (sent_at - ts) is trusted up to a day.
MAX_CLIENT_DELAY = timedelta(hours=24)
MAX_EPOCH_MS = 2**53
KEY_PATTERN = r"^pk_[A-Za-z0-9_-]{8,37}$"
VISITOR_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"
_KEY_RE = re.compile(KEY_PATTERN)
_VISITOR_RE = re.compile(VISITOR_PATTERN)
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_CONTROL_RE = re.compile("[\x00-\x1f\x7f]")
_HOST_LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# \s and str.isspace() both mean Py_UNICODE_ISSPACE: any Unicode white space.
_SPACE_RE = re.compile(r"\s")
EVENT_TYPES = ("page_view", "form_view")
FORM_FIELDS = ("form_id", "form_name")
JSON_CONTENT_TYPES = frozenset({"application/json", "text/plain"})

EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["key", "event_id", "type", "visitor_id", "url"],
    "properties": {
        "key": {
            "type": "string",
            "pattern": KEY_PATTERN,
            "description": "The workspace's public key (pk_...).",
        },
        "event_id": {
            "type": "string",
            "format": "uuid",
            "description": "Chosen by the client; a resent event with the same id is stored once.",
        },
        "type": {"type": "string", "enum": list(EVENT_TYPES)},
        "visitor_id": {
            "type": "string",
            "pattern": VISITOR_PATTERN,
            "description": "The first-party visitor cookie's value.",
        },
        "url": {
            "type": "string",
            "maxLength": MAX_URL_LENGTH,
            "format": "uri",
            "description": "The page's http(s) URL; its host must be an allowed domain.",
        },
        "referrer": {"type": "string", "maxLength": MAX_URL_LENGTH},
        "title": {"type": "string", "maxLength": MAX_TITLE_LENGTH},
        "form_id": {
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_FORM_ID_LENGTH,
            "pattern": r"\S",
            "description": "form_view only: your own id for the form (data-touchpoint-form-id).",
        },
        "form_name": {
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_FORM_NAME_LENGTH,
            "pattern": r"\S",
            "description": "form_view only: the form's name (data-touchpoint-form).",
        },
        "ts": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_EPOCH_MS,
            "description": "When the page was viewed, in ms since the epoch (client clock).",
        },
        "sent_at": {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_EPOCH_MS,
            "description": "When the event was sent, in ms since the epoch (client clock).",
        },
    },
    # A form view names its form (form_id and/or form_name); a page view names none.
    "if": {"properties": {"type": {"const": "form_view"}}, "required": ["type"]},
    "then": {"anyOf": [{"required": [name]} for name in FORM_FIELDS]},
    "else": {"not": {"anyOf": [{"required": [name]} for name in FORM_FIELDS]}},
}
EVENT_FIELDS = frozenset(EVENT_SCHEMA["properties"])


class Rejected(Exception):
    """A request the endpoint refuses: status, a reason and the field it is about."""

    def __init__(self, status: int, error: str, field: str = "", *, retry_after: int = 0) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.field = field
        # Seconds to wait, for 429 (Too Many Requests).
        self.retry_after = retry_after

    def as_dict(self) -> dict[str, str]:
        return {"error": self.error, "field": self.field}


@dataclass(frozen=True)
class EventInput:
    key: str
    event_id: uuid.UUID
    type: str
    visitor_id: str
    url: str
    host: str
    referrer: str = ""
    title: str = ""
    ts: int | None = None
    sent_at: int | None = None
    form_id: str = ""
    form_name: str = ""

    def occurred_at(self, received_at: datetime) -> datetime:
        """When the event happened, on the server's clock: the client's own measure of how long
        ago it happened (sent_at - ts) subtracted from the arrival, so a skewed client clock does
        not matter and a resent event keeps its time."""
        if self.ts is None or self.sent_at is None:
            return received_at
        delay = timedelta(milliseconds=self.sent_at - self.ts)
        return received_at - min(max(delay, timedelta(0)), MAX_CLIENT_DELAY)

    def payload(self) -> dict[str, str]:
        payload = {"url": self.url, "referrer": self.referrer, "title": self.title}
        if self.type == "form_view":
            payload.update(form_id=self.form_id, form_name=self.form_name)
        return payload


# --- Bodies ------------------------------------------------------------------------------------
def media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise Rejected(400, _("The field %(field)s appears twice.") % {"field": key}, key)
        result[key] = value
    return result


def _no_constants(name: str) -> Any:
    raise Rejected(400, _("%(value)s is not a JSON number.") % {"value": name})


def parse_json_object(body: bytes) -> dict[str, Any]:
    """The body as a JSON object: UTF-8, no duplicate keys, no NaN/Infinity."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Rejected(400, _("The body is not valid UTF-8.")) from exc
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants)
    except Rejected:
        raise
    except (ValueError, RecursionError) as exc:
        raise Rejected(400, _("The body is not valid JSON.")) from exc
    if not isinstance(data, dict):
        raise Rejected(400, _("The body must be a JSON object."))
    return data


# --- Strings and URLs --------------------------------------------------------------------------
def clean_text(value: Any, field: str, *, max_length: int, required: bool = False) -> str:
    """A string without NUL bytes, lone surrogates or (beyond tab) control characters."""
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise Rejected(400, _("%(field)s must be a string.") % {"field": field}, field)
    if "\x00" in value:
        raise Rejected(400, _("%(field)s contains a NUL character.") % {"field": field}, field)
    if _SURROGATE_RE.search(value):
        raise Rejected(
            400, _("%(field)s contains an unpaired surrogate character.") % {"field": field}, field
        )
    if _CONTROL_RE.search(value.replace("\t", " ")):
        raise Rejected(400, _("%(field)s contains a control character.") % {"field": field}, field)
    if len(value) > max_length:
        raise Rejected(
            400,
            _("%(field)s is longer than %(max)s characters.") % {"field": field, "max": max_length},
            field,
        )
    if required and not value.strip():
        raise Rejected(400, _("%(field)s is required.") % {"field": field}, field)
    return value


@lru_cache(maxsize=4096)
def normalize_host(host: str) -> str | None:
    """The host in the form domains are compared in (lower-case, IDNA-encoded), or None when it
    is not a valid host name or IP address. Cached: a site sends the same few hosts again and
    again, and the IDNA codec is pure Python."""
    host = host.strip().rstrip(".").lower()
    if not host:
        return None
    try:
        ipaddress.ip_address(host.strip("[]"))
        return host
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    labels = ascii_host.split(".")
    if len(ascii_host) > 253 or not all(_HOST_LABEL_RE.match(label) for label in labels):
        return None
    return ascii_host


def url_host(value: str, field: str, *, schemes: Iterable[str] = ("http", "https")) -> str:
    """The normalised host of an absolute URL with one of `schemes` (Rejected otherwise)."""
    allowed = tuple(schemes)
    if _SPACE_RE.search(value):
        raise Rejected(400, _("%(field)s must not contain spaces.") % {"field": field}, field)
    try:
        parts = urlsplit(value)
        scheme = parts.scheme.lower()
        hostname = parts.hostname or ""
        port = parts.port  # ValueError for a port that is not a number from 0 to 65535
    except ValueError as exc:
        raise Rejected(400, _("%(field)s is not a valid URL.") % {"field": field}, field) from exc
    if port == 0:
        raise Rejected(400, _("%(field)s is not a valid URL.") % {"field": field}, field)
    if scheme not in allowed:
        raise Rejected(
            400,
            _("%(field)s must be an http(s) URL, not %(scheme)s.")
            % {"field": field, "scheme": f"{scheme}:" if scheme else _("a relative URL")},
            field,
        )
    host = normalize_host(hostname)
    if not host:
        raise Rejected(400, _("%(field)s has no valid host name.") % {"field": field}, field)
    return host


def host_is_allowed(host: str, allowed_domains: Iterable[str]) -> bool:
    """True when `host` is one of the allowed domains or a subdomain of one; an empty allow-list
    allows every host."""
    domains = tuple(allowed_domains)
    if not domains:
        return True
    return any(host == d or host.endswith("." + d) for d in domains)


def origin_host(origin: str) -> str | None:
    """The host of an Origin header (scheme://host[:port]); None for "null" or garbage."""
    if not origin or origin == "null" or len(origin) > 300:
        return None
    try:
        return url_host(origin, "Origin")
    except Rejected:
        return None


# --- Events ------------------------------------------------------------------------------------
def _epoch_ms(value: Any, field: str) -> int | None:
    if value is None:
        return None
    # bool is an int in Python, but true is not a time.
    if type(value) is not int or not 1 <= value <= MAX_EPOCH_MS:
        raise Rejected(
            400, _("%(field)s must be a time in milliseconds since 1970.") % {"field": field}, field
        )
    return value


def _event_id(value: Any) -> uuid.UUID:
    if not isinstance(value, str) or len(value) != 36:
        raise Rejected(400, _("event_id must be a UUID."), "event_id")
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise Rejected(400, _("event_id must be a UUID."), "event_id") from exc


def _matching(value: Any, field: str, pattern: re.Pattern[str], message: Promise) -> str:
    """`value` when it is a string matching `pattern`; the message is translated only for a
    refusal (every page view passes here twice). fullmatch: `$` alone would let a trailing
    newline through."""
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise Rejected(400, str(message), field)
    return value


_NOT_A_KEY = gettext_lazy("key is not a workspace public key (pk_...).")
_NOT_A_VISITOR_ID = gettext_lazy(
    "visitor_id must be 8 to 64 letters, digits, hyphens or underscores."
)


def validate_key(value: Any) -> str:
    if value is None:
        raise Rejected(400, _("key is required: the workspace's public key."), "key")
    return _matching(value, "key", _KEY_RE, _NOT_A_KEY)


def validate_visitor_id(value: Any) -> str:
    return _matching(value, "visitor_id", _VISITOR_RE, _NOT_A_VISITOR_ID)


def _form_fields(data: Mapping[str, Any], type_: str) -> dict[str, str]:
    """The form a form view names (form_id and/or form_name, trimmed); a page view names none."""
    given = [name for name in FORM_FIELDS if name in data]
    if type_ != "form_view":
        if given:
            raise Rejected(
                400, _("%(field)s is only sent with form_view.") % {"field": given[0]}, given[0]
            )
        return {}
    if not given:
        raise Rejected(400, _("A form_view needs form_id or form_name."), "form_id")
    lengths = {"form_id": MAX_FORM_ID_LENGTH, "form_name": MAX_FORM_NAME_LENGTH}
    return {
        name: clean_text(data[name], name, max_length=lengths[name], required=True).strip()
        for name in given
    }


def validate_event(data: Mapping[str, Any]) -> EventInput:
    """An EventInput from a decoded JSON object, or Rejected naming the first problem."""
    unknown = sorted(set(data) - EVENT_FIELDS)
    if unknown:
        raise Rejected(400, _("Unknown field %(field)s.") % {"field": unknown[0]}, unknown[0])
    key = validate_key(data.get("key"))
    for field in ("event_id", "type", "visitor_id", "url"):
        if field not in data:
            raise Rejected(400, _("%(field)s is required.") % {"field": field}, field)
    if data["type"] not in EVENT_TYPES:
        raise Rejected(
            400, _("type must be one of: %(types)s.") % {"types": ", ".join(EVENT_TYPES)}, "type"
        )
    url = clean_text(data["url"], "url", max_length=MAX_URL_LENGTH, required=True)
    referrer = clean_text(data.get("referrer"), "referrer", max_length=MAX_URL_LENGTH)
    if referrer:
        url_host(referrer, "referrer", schemes=("http", "https", "android-app"))
    return EventInput(
        key=key,
        event_id=_event_id(data["event_id"]),
        type=data["type"],
        visitor_id=validate_visitor_id(data["visitor_id"]),
        url=url,
        host=url_host(url, "url"),
        referrer=referrer,
        title=clean_text(data.get("title"), "title", max_length=MAX_TITLE_LENGTH).strip(),
        ts=_epoch_ms(data.get("ts"), "ts"),
        sent_at=_epoch_ms(data.get("sent_at"), "sent_at"),
        **_form_fields(data, data["type"]),
    )


def parse_event(body: bytes, content_type: str) -> EventInput:
    if media_type(content_type) not in JSON_CONTENT_TYPES:
        raise Rejected(
            415, _("Send the event as JSON (Content-Type application/json or text/plain).")
        )
    return validate_event(parse_json_object(body))
