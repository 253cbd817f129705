"""Fuzzing the collector: thousands of malformed requests, never a 5xx, never a row written.

Every generated request is wrong in at least one way (random bytes, random JSON, a valid event
with one field broken, truncated JSON, an unknown field, an oversize body, a wrong content type),
so the only right answers are 4xx. The validator is also checked against the published JSON
schema: what one accepts, the other accepts.
"""

from __future__ import annotations

import json
import string
import uuid
from typing import Any

import jsonschema
import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import World
from tests.tracking.test_collector_support import (
    A_HOST,
    event,
    fresh_tracking,
    lean_client,
    post_event,
    tracked_world,
)
from tracking.models import CollectedEvent, PageView, Session, Visitor
from tracking.validation import EVENT_SCHEMA, Rejected, validate_event

__all__ = ["fresh_tracking", "tracked_world"]

pytestmark = pytest.mark.django_db

MALFORMED_REQUESTS = 5000
# Production serves the collector on the lean path (tracking/wsgi_collector.py); the full stack
# runs the same view, so a smaller share of the examples goes there.
FULL_STACK_MALFORMED_REQUESTS = 1000

# --- Building blocks ------------------------------------------------------------------------------
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
non_strings = json_values.filter(lambda v: not isinstance(v, str))
poison = st.sampled_from(["\x00", "\ud800", "\udfff", "\x07", "\x1b", "\x7f", "\n"])


@st.composite
def poisoned_text(draw: Any, base: str = "") -> str:
    text = base or draw(st.text(alphabet=string.ascii_letters, min_size=1, max_size=30))
    at = draw(st.integers(min_value=0, max_value=len(text)))
    return text[:at] + draw(poison) + text[at:]


malformed_urls = st.one_of(
    # A scheme other than http(s).
    st.tuples(
        st.sampled_from(
            ["javascript:", "data:", "ftp://", "file://", "mailto:", "ws://", "", "//"]
        ),
        st.text(max_size=40),
    )
    .map("".join)
    .filter(lambda u: not u.lower().startswith(("http://", "https://", "android-app://"))),
    # Control characters, NUL, lone surrogates or spaces inside an otherwise good URL.
    poisoned_text(f"https://{A_HOST}/pricing"),
    st.just(f"https://{A_HOST}/has space"),
    # Too long.
    st.integers(min_value=1, max_value=500).map(lambda n: f"https://{A_HOST}/" + "a" * (2000 + n)),
    non_strings,
)
# A well-formed page URL whose host is not one of the workspace's allowed domains.
disallowed_urls = st.from_regex(r"\Ahttps?://[a-z]{1,12}\.evil-[a-z]{1,8}\.test(/[a-z]{0,10})?\Z")
bad_fields: dict[str, Any] = {
    "key": st.one_of(non_strings, st.text(max_size=60), st.from_regex(r"\Apk_[A-Za-z0-9]{8,20}\Z")),
    "event_id": st.one_of(
        non_strings,
        st.text(max_size=50).filter(lambda s: not _is_uuid(s)),
        st.just(str(uuid.uuid4())[:-1]),
    ),
    "type": st.one_of(non_strings, st.text(max_size=20).filter(lambda s: s != "page_view")),
    "visitor_id": st.one_of(
        non_strings,
        st.text(max_size=7),
        st.text(min_size=65, max_size=80),
        poisoned_text("visitor-abcdefgh"),
    ),
    "url": st.one_of(malformed_urls, disallowed_urls),
    # Any host is a fine referrer; a malformed one is not.
    "referrer": st.one_of(malformed_urls.filter(lambda v: v not in ("", None))),
    "title": st.one_of(
        non_strings.filter(lambda v: v is not None),
        poisoned_text(),
        st.text(min_size=501, max_size=600),
    ),
    "ts": st.one_of(
        st.booleans(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=10),
        st.integers(max_value=0),
        st.integers(min_value=2**53 + 1, max_value=2**60),
    ),
    "sent_at": st.one_of(st.booleans(), st.text(max_size=10), st.integers(max_value=0)),
}


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return len(value) == 36


def _body(payload: Any) -> bytes:
    # ensure_ascii writes lone surrogates as \\udXXX escapes, as a broken client would.
    return json.dumps(payload, ensure_ascii=True).encode()


@st.composite
def broken_event(draw: Any, workspace: Any) -> bytes:
    payload = event(workspace, ts=1_767_225_600_000, sent_at=1_767_225_600_050)
    how = draw(st.sampled_from(["field", "missing", "extra"]))
    if how == "field":
        name = draw(st.sampled_from(sorted(bad_fields)))
        payload[name] = draw(bad_fields[name])
    elif how == "missing":
        del payload[draw(st.sampled_from(["key", "event_id", "type", "visitor_id", "url"]))]
    else:
        extra = draw(st.text(min_size=1, max_size=12).filter(lambda k: k not in payload))
        payload[extra] = draw(json_values)
    return _body(payload)


@st.composite
def truncated_event(draw: Any, workspace: Any) -> bytes:
    body = _body(event(workspace))
    return body[: draw(st.integers(min_value=0, max_value=len(body) - 1))]


def malformed_requests(workspace: Any) -> st.SearchStrategy[tuple[bytes, str]]:
    """(body, content type) pairs, each wrong in at least one way."""
    json_type = st.sampled_from(["text/plain;charset=UTF-8", "application/json"])
    oversize = st.integers(min_value=1, max_value=3000).map(
        lambda n: _body(event(workspace)) + b" " * (8192 + n)
    )
    wrong_type = st.sampled_from(
        ["application/x-www-form-urlencoded", "multipart/form-data", "text/html", "image/png", ""]
    )
    return st.one_of(
        st.tuples(broken_event(workspace), json_type),
        st.tuples(broken_event(workspace), json_type),
        st.tuples(st.binary(max_size=300), json_type),
        st.tuples(json_values.map(_body), json_type),
        st.tuples(truncated_event(workspace), json_type),
        st.tuples(oversize, json_type),
        st.tuples(st.just(_body(event(workspace))), wrong_type),
    )


# --- The tests ------------------------------------------------------------------------------------
@pytest.fixture
def unlimited(settings: Any) -> None:
    settings.TRACKING_RATE_LIMIT_PER_IP = 10**9
    settings.TRACKING_RATE_LIMIT_PER_KEY_IP = 10**9


@pytest.mark.parametrize("path", ["lean", "django"])
def test_malformed_requests_never_get_a_5xx_and_never_write_a_row(
    tracked_world: World, unlimited: None, path: str
) -> None:
    ws = tracked_world.a.workspace
    lean = path == "lean"
    client = (lean_client if lean else Client)(raise_request_exception=False)
    examples = MALFORMED_REQUESTS if lean else FULL_STACK_MALFORMED_REQUESTS
    statuses: list[int] = []

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(request=malformed_requests(ws))
    def send(request: tuple[bytes, str]) -> None:
        body, content_type = request
        response = post_event(client, body, content_type=content_type)
        statuses.append(response.status_code)
        assert 400 <= response.status_code < 500, (response.status_code, body[:200], content_type)

    send()
    assert len(statuses) >= examples
    assert sorted(set(statuses)) <= [400, 403, 413, 415]
    assert CollectedEvent.objects.unscoped().count() == 0
    assert PageView.objects.unscoped().filter(workspace=ws).count() == 0
    assert Visitor.objects.unscoped().filter(workspace=ws).count() == 1  # the world's own
    assert Session.objects.unscoped().filter(workspace=ws).count() == 1


@settings(max_examples=300, deadline=None, database=None)
@given(
    payload=st.fixed_dictionaries(
        {
            "key": st.from_regex(r"\Apk_[A-Za-z0-9_-]{8,37}\Z"),
            "event_id": st.uuids().map(str),
            "type": st.just("page_view"),
            "visitor_id": st.from_regex(r"\A[A-Za-z0-9_-]{8,64}\Z"),
            "url": st.from_regex(r"\Ahttps?://[a-z]{1,10}\.example\.com(/[a-z0-9]{0,20})?\Z"),
        },
        optional={
            "title": st.text(max_size=600),
            "referrer": st.sampled_from(["", "https://www.google.com/", "android-app://x.y"]),
            "ts": st.integers(min_value=-5, max_value=2**54),
            "colour": st.text(max_size=5),
        },
    )
)
def test_the_validator_and_the_published_json_schema_agree(payload: dict[str, Any]) -> None:
    try:
        validate_event(payload)
        accepted = True
    except Rejected:
        accepted = False
    schema_ok = jsonschema.Draft202012Validator(EVENT_SCHEMA).is_valid(payload)
    # The schema cannot say "no control characters"; the validator is stricter there.
    has_control = any(
        isinstance(v, str)
        and any(ord(c) < 32 or ord(c) == 127 or 0xD800 <= ord(c) <= 0xDFFF for c in v)
        for v in payload.values()
    )
    if not has_control:
        assert accepted == schema_ok, payload
    elif accepted:
        assert schema_ok


def test_a_valid_event_with_every_optional_field_passes_both(tracked_world: World) -> None:
    payload = event(tracked_world.a.workspace, ts=1, sent_at=2**53)
    assert jsonschema.Draft202012Validator(EVENT_SCHEMA).is_valid(payload)
    assert validate_event(payload).url == payload["url"]
    assert post_event(Client(), payload).status_code == 202
