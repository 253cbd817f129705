"""The collector's lean WSGI path (tracking/wsgi_collector.py, mounted by config/wsgi.py): for the
same request it answers exactly what Django's full stack answers (status, every header, body), it
stores what the full stack stores, and it leaves every other path to the full stack.

Requests are WSGI environs handed to the WSGI callables themselves: `config.wsgi.application`
(what gunicorn runs) and a plain `WSGIHandler()` (Django's complete stack, URL resolving and all
middleware, as the collector was served before).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import resolve

from tests.conftest import World
from tests.tracking.test_collector_support import (
    A_HOST,
    DROP,
    event,
    fresh_tracking,
    tracked_world,
)
from tracking import views
from tracking.models import CollectedEvent
from tracking.wsgi_collector import collector_middleware, collector_path

__all__ = ["fresh_tracking", "tracked_world"]

pytestmark = pytest.mark.django_db

App = Callable[[dict[str, Any], Callable[..., Any]], Any]
FULL_IP, LEAN_IP = "192.0.2.1", "192.0.2.2"


@dataclass
class Answer:
    status: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def json(self) -> Any:
        return json.loads(self.body)


@contextmanager
def connection_kept() -> Iterator[None]:
    """As Django's test client does: the request must not close the test's connection (its
    transaction holds the test's data)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def environ(
    *,
    body: bytes = b"",
    method: str = "POST",
    path: str = "/collect/event",
    content_type: str = "text/plain;charset=UTF-8",
    ip: str = FULL_IP,
    **headers: str,
) -> dict[str, Any]:
    env: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": ip,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if method == "POST":
        env["CONTENT_TYPE"] = content_type
        env["CONTENT_LENGTH"] = str(len(body))
    env.update(headers)
    return env


def call(app: App, env: dict[str, Any]) -> Answer:
    started: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        started.update(status=status, headers=headers)

    with connection_kept():
        result = app(env, start_response)
        try:
            body = b"".join(result)
        finally:
            result.close()
    return Answer(started["status"], started["headers"], body)


@pytest.fixture
def lean() -> App:
    from config.wsgi import application

    return application


@pytest.fixture
def full() -> App:
    return WSGIHandler()


def both(full: App, lean: App, **request: Any) -> tuple[Answer, Answer]:
    """The same request through the full stack, then the lean path (each from its own client IP,
    so the rate limits count them apart)."""
    return call(full, environ(ip=FULL_IP, **request)), call(lean, environ(ip=LEAN_IP, **request))


def assert_same(full_answer: Answer, lean_answer: Answer) -> None:
    assert full_answer.status == lean_answer.status
    assert sorted(without_cookie_vary(full_answer.headers)) == sorted(lean_answer.headers)
    assert full_answer.body == lean_answer.body


def without_cookie_vary(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The one difference, on purpose: on the full stack LoginRequiredMiddleware reads the session
    (request.user) before it sees that the collector is public, so SessionMiddleware adds Cookie
    to Vary. The collector's answers do not depend on cookies; the lean path reads no session."""
    return [
        (k, ", ".join(v for v in value.split(", ") if v != "Cookie") if k == "Vary" else value)
        for k, value in headers
    ]


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload).encode()


def padded(payload: dict[str, Any], size: int) -> bytes:
    """The event padded with JSON white space to exactly `size` bytes."""
    body = body_of(payload)
    return body[:-1] + b" " * (size - len(body)) + b"}"


def rows() -> int:
    return CollectedEvent.objects.unscoped().count()


# --- The same answers -----------------------------------------------------------------------------
def test_an_accepted_event_gets_the_same_202_and_a_resend_through_the_other_path_no_second_row(
    tracked_world: World, full: App, lean: App
) -> None:
    body = body_of(event(tracked_world.a.workspace))
    first, second = both(full, lean, body=body, HTTP_ORIGIN=f"https://{A_HOST}")
    assert first.status == "202 Accepted"
    assert_same(first, second)
    assert first.header("Access-Control-Allow-Origin") == f"https://{A_HOST}"
    assert rows() == 1


def test_an_event_sent_only_through_the_lean_path_is_stored(
    tracked_world: World, lean: App
) -> None:
    payload = event(tracked_world.a.workspace)
    answer = call(lean, environ(body=body_of(payload)))
    assert answer.status == "202 Accepted"
    assert answer.json() == {"status": "accepted", "event_id": payload["event_id"]}
    assert str(CollectedEvent.objects.get().event_id) == payload["event_id"]


@pytest.mark.parametrize(("delta", "status"), [(-1, "202"), (0, "202"), (1, "413")])
def test_a_body_one_byte_under_or_over_the_limit_gets_the_same_answer(
    tracked_world: World, full: App, lean: App, delta: int, status: str
) -> None:
    size = django_settings.TRACKING_MAX_EVENT_BYTES + delta
    body = padded(event(tracked_world.a.workspace), size)
    assert len(body) == size
    first, second = both(full, lean, body=body)
    assert first.status[:3] == status
    assert_same(first, second)
    assert rows() == (1 if delta <= 0 else 0)


def _refusals(workspace: Any) -> dict[str, dict[str, Any]]:
    """Requests the collector refuses, by the reason."""
    return {
        "declared length over the limit": {
            "body": body_of(event(workspace)),
            "CONTENT_LENGTH": str(django_settings.TRACKING_MAX_EVENT_BYTES + 1),
        },
        "unknown key": {"body": body_of(event(workspace, key="pk_doesnotexist123"))},
        "domain not allowed": {"body": body_of(event(workspace, url="https://evil.test/x"))},
        "origin not allowed": {
            "body": body_of(event(workspace)),
            "HTTP_ORIGIN": "https://attacker.test",
        },
        "not json": {"body": b"{not json"},
        "nul byte": {"body": body_of(event(workspace, title="a\x00b"))},
        "lone surrogate": {"body": body_of(event(workspace, title="\ud800"))},
        "javascript url": {"body": body_of(event(workspace, url="javascript:alert(1)"))},
        "missing event id": {"body": body_of(event(workspace, event_id=DROP))},
        "unknown field": {"body": body_of(event(workspace, colour="red"))},
        "form content type": {
            "body": body_of(event(workspace)),
            "content_type": "application/x-www-form-urlencoded",
        },
        "get": {"method": "GET"},
        "in danish": {"body": b"[1, 2]", "HTTP_ACCEPT_LANGUAGE": "da"},
    }


REFUSALS = [
    "declared length over the limit",
    "unknown key",
    "domain not allowed",
    "origin not allowed",
    "not json",
    "nul byte",
    "lone surrogate",
    "javascript url",
    "missing event id",
    "unknown field",
    "form content type",
    "get",
    "in danish",
]


@pytest.mark.parametrize("reason", REFUSALS)
def test_a_refused_request_gets_the_same_4xx_and_reason_on_both_paths(
    tracked_world: World, full: App, lean: App, reason: str
) -> None:
    first, second = both(full, lean, **_refusals(tracked_world.a.workspace)[reason])
    assert first.status[0] == "4"
    assert_same(first, second)
    assert rows() == 0


def test_the_danish_reason_is_danish_on_both_paths(
    tracked_world: World, full: App, lean: App
) -> None:
    first, second = both(full, lean, body=b"[1, 2]", HTTP_ACCEPT_LANGUAGE="da")
    english = call(lean, environ(body=b"[1, 2]", ip="192.0.2.3"))
    assert first.header("Content-Language") == second.header("Content-Language") == "da"
    assert second.json()["error"] != english.json()["error"]


def test_past_the_rate_limit_both_paths_answer_429_with_retry_after(
    tracked_world: World, full: App, lean: App, settings: Any
) -> None:
    settings.TRACKING_RATE_LIMIT_PER_KEY_IP = 2
    payloads = [event(tracked_world.a.workspace) for _ in range(3)]
    answers = [both(full, lean, body=body_of(p)) for p in payloads]
    assert [a.status[:3] for pair in answers for a in pair] == ["202"] * 4 + ["429"] * 2
    for first, second in answers[:2]:
        assert_same(first, second)
    limited = answers[2]
    # Retry-After counts the seconds left in the window at the moment of each request.
    for answer in limited:
        assert 1 <= int(answer.header("Retry-After") or 0) <= settings.TRACKING_RATE_WINDOW_SECONDS
    assert_same(*(Answer(a.status, without_retry_after(a), a.body) for a in limited))
    assert rows() == 2


def without_retry_after(answer: Answer) -> list[tuple[str, str]]:
    return [(k, v) for k, v in answer.headers if k != "Retry-After"]


@pytest.mark.parametrize("origin", [f"https://{A_HOST}", "null"])
def test_a_preflight_gets_the_same_cors_answer(full: App, lean: App, origin: str) -> None:
    first, second = both(
        full,
        lean,
        method="OPTIONS",
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
    )
    assert first.status == "204 No Content"
    assert_same(first, second)
    allowed = first.header("Access-Control-Allow-Origin")
    assert allowed == (origin if origin != "null" else None)


def test_the_answers_carry_the_security_headers_of_every_other_page(
    tracked_world: World, lean: App
) -> None:
    answer = call(lean, environ(body=body_of(event(tracked_world.a.workspace))))
    assert answer.header("X-Content-Type-Options") == "nosniff"
    assert answer.header("X-Frame-Options") == "DENY"
    assert answer.header("Content-Length") == str(len(answer.body))
    assert answer.header("Set-Cookie") is None


# --- What goes where --------------------------------------------------------------------------
def test_the_lean_path_is_the_path_the_urlconf_routes_to_the_collector() -> None:
    assert collector_path() == "/collect/event"
    assert resolve(collector_path()).func is views.collect_event


@pytest.mark.parametrize("path", ["/t.js", "/collect/event/", "/collect/form"])
def test_every_other_path_goes_to_the_full_stack(full: App, lean: App, path: str) -> None:
    first = call(full, environ(method="GET", path=path))
    second = call(lean, environ(method="GET", path=path))
    assert (first.status, first.headers, first.body) == (second.status, second.headers, second.body)


def test_the_collector_runs_only_the_middleware_that_shapes_its_answers() -> None:
    assert collector_middleware() == [
        "django.middleware.security.SecurityMiddleware",
        "django.middleware.locale.LocaleMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    ]


def test_the_lean_path_starts_and_finishes_requests_as_django_does(
    tracked_world: World, lean: App
) -> None:
    """request_started / request_finished are what close a database connection that is too old or
    broken (close_old_connections); the lean path sends both."""
    seen: list[str] = []

    def started(**kwargs: Any) -> None:
        seen.append("started")

    def finished(**kwargs: Any) -> None:
        seen.append("finished")

    request_started.connect(started)
    request_finished.connect(finished)
    try:
        call(lean, environ(body=body_of(event(tracked_world.a.workspace))))
    finally:
        request_started.disconnect(started)
        request_finished.disconnect(finished)
    assert seen == ["started", "finished"]
