"""The collector endpoint (/collect/event): what it accepts, what it refuses and why, CORS, rate
limits, resends, tenant isolation, queueing and the processing run.

The `client` tests run twice: through Django's full stack (URL resolving, every middleware) and
through the lean path production uses for the collector (tracking/wsgi_collector.py)."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from tests.conftest import World
from tests.test_cross_tenant import fingerprint, fingerprint_changes
from tests.tracking.test_collector_support import (
    A_HOST,
    B_HOST,
    DROP,
    event,
    fresh_tracking,
    lean_client,
    post_event,
    tracked_world,
)
from tracking import collector, tasks
from tracking.models import CollectedEvent, PageView, Session, Visitor
from tracking.processing import process_batch, process_pending_events
from tracking.services import update_allowed_domains

__all__ = ["fresh_tracking", "tracked_world"]

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["django", "lean"])
def client(request: pytest.FixtureRequest) -> Client:
    return Client() if request.param == "django" else lean_client()


def rows() -> int:
    return CollectedEvent.objects.unscoped().count()


# --- Accepted ------------------------------------------------------------------------------------
def test_a_valid_page_view_is_stored_and_answered_202_with_the_origin_allowed(
    tracked_world: World, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    ws = tracked_world.a.workspace
    payload = event(ws)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_event(client, payload, HTTP_ORIGIN=f"https://{A_HOST}")
    assert response.status_code == 202
    assert response.json() == {"status": "accepted", "event_id": payload["event_id"]}
    assert response["Access-Control-Allow-Origin"] == f"https://{A_HOST}"
    stored = CollectedEvent.objects.get(workspace=ws)
    assert str(stored.event_id) == payload["event_id"]
    assert stored.payload == {"url": payload["url"], "referrer": "", "title": "Pricing"}
    # In-process tasks: the event became a visitor, a session and a page view.
    assert stored.processed_at is not None and stored.error == ""
    view = PageView.objects.get(workspace=ws, event_id=payload["event_id"])
    assert view.session.visitor.cookie_id == "visitor-0001"


@pytest.mark.parametrize(
    "content_type", ["text/plain;charset=UTF-8", "application/json", "text/plain"]
)
def test_json_is_accepted_as_application_json_and_as_the_text_plain_of_send_beacon(
    tracked_world: World, client: Client, content_type: str
) -> None:
    response = post_event(client, event(tracked_world.a.workspace), content_type=content_type)
    assert response.status_code == 202
    assert rows() == 1


def test_a_page_on_a_subdomain_of_an_allowed_domain_is_accepted(
    tracked_world: World, client: Client
) -> None:
    ws = tracked_world.a.workspace
    update_allowed_domains(workspace=ws, domains=["example.com"])
    response = post_event(client, event(ws, url="https://shop.example.com/cart"))
    assert response.status_code == 202


def test_an_empty_allow_list_accepts_any_site(world: World, fresh_tracking: None) -> None:
    ws = world.a.workspace
    assert ws.allowed_domains == []
    response = post_event(Client(), event(ws, url="https://anything.test/"))
    assert response.status_code == 202


def test_the_client_delay_is_subtracted_so_a_skewed_client_clock_does_not_matter(
    tracked_world: World, client: Client
) -> None:
    # The client's clock is a year off, but it says the view happened 5 s before sending.
    payload = event(tracked_world.a.workspace, ts=1_000_000_000_000, sent_at=1_000_000_005_000)
    response = post_event(client, payload)
    assert response.status_code == 202
    stored = CollectedEvent.objects.get()
    assert (stored.received_at - stored.occurred_at).total_seconds() == pytest.approx(5)


# --- Size limits ---------------------------------------------------------------------------------
def _padded(workspace: Any, size: int) -> bytes:
    """A valid event padded with JSON whitespace to exactly `size` bytes."""
    body = json.dumps(event(workspace)).encode()
    return body[:-1] + b" " * (size - len(body)) + b"}"


@pytest.mark.parametrize(("delta", "status"), [(-1, 202), (0, 202), (1, 413)])
def test_a_body_up_to_the_limit_is_accepted_and_one_byte_over_gets_413(
    tracked_world: World, client: Client, settings: Any, delta: int, status: int
) -> None:
    body = _padded(tracked_world.a.workspace, settings.TRACKING_MAX_EVENT_BYTES + delta)
    assert len(body) == settings.TRACKING_MAX_EVENT_BYTES + delta
    response = post_event(client, body)
    assert response.status_code == status
    assert rows() == (1 if status == 202 else 0)
    if status == 413:
        assert "larger than" in response.json()["error"]


def test_a_declared_length_over_the_limit_is_refused_before_reading(
    tracked_world: World, client: Client, settings: Any
) -> None:
    response = post_event(
        client,
        event(tracked_world.a.workspace),
        CONTENT_LENGTH=str(settings.TRACKING_MAX_EVENT_BYTES + 1),
    )
    assert response.status_code == 413
    assert rows() == 0


# --- Refused, with the reason --------------------------------------------------------------------
def test_an_unknown_key_is_refused_naming_the_key_field(
    tracked_world: World, client: Client
) -> None:
    response = post_event(client, event(tracked_world.a.workspace, key="pk_doesnotexist123"))
    assert response.status_code == 403
    assert response.json()["field"] == "key"
    assert "Unknown key" in response.json()["error"]
    assert rows() == 0


def test_a_page_on_a_domain_that_is_not_allowed_is_refused_naming_the_domain(
    tracked_world: World, client: Client
) -> None:
    response = post_event(
        client, event(tracked_world.a.workspace, url="https://evil.example.net/x")
    )
    assert response.status_code == 403
    body = response.json()
    assert body["field"] == "url"
    assert "evil.example.net" in body["error"]
    assert "Access-Control-Allow-Origin" not in response
    assert rows() == 0


def test_a_lookalike_domain_is_not_a_subdomain(tracked_world: World, client: Client) -> None:
    response = post_event(client, event(tracked_world.a.workspace, url=f"https://not{A_HOST}/x"))
    assert response.status_code == 403


def test_a_call_from_an_origin_that_is_not_allowed_is_refused(
    tracked_world: World, client: Client
) -> None:
    response = post_event(
        client, event(tracked_world.a.workspace), HTTP_ORIGIN="https://attacker.test"
    )
    assert response.status_code == 403
    assert response.json()["field"] == "origin"
    assert rows() == 0


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("javascript:alert(1)", "javascript:"),
        ("JavaScript://acme.example.com/%0aalert(1)", "javascript:"),
        ("data:text/html,hi", "data:"),
        ("ftp://acme.example.com/file", "ftp:"),
        ("/pricing", "relative"),
        ("https://", "host"),
        ("https://acme.example.com:99999/", "valid URL"),
        ("https://acme.example.com/a b", "spaces"),
        ("", "required"),
    ],
)
def test_only_absolute_http_urls_are_accepted(
    tracked_world: World, client: Client, url: str, reason: str
) -> None:
    response = post_event(client, event(tracked_world.a.workspace, url=url))
    assert response.status_code == 400
    assert response.json()["field"] == "url"
    assert reason in response.json()["error"]
    assert rows() == 0


@pytest.mark.parametrize(
    ("raw_field", "problem"),
    [
        ('"title": "a\\u0000b"', "NUL"),
        ('"title": "\\ud800"', "surrogate"),
        ('"title": "x\\udfffy"', "surrogate"),
        ('"referrer": "https://x.test/\\u0000"', "NUL"),
        ('"title": "line\\u0007bell"', "control"),
    ],
)
def test_nul_bytes_lone_surrogates_and_control_characters_are_refused(
    tracked_world: World, client: Client, raw_field: str, problem: str
) -> None:
    payload = event(tracked_world.a.workspace, title=DROP, referrer=DROP)
    body = json.dumps(payload)[:-1] + ", " + raw_field + "}"
    response = post_event(client, body)
    assert response.status_code == 400
    assert problem in response.json()["error"]
    assert rows() == 0


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"\xff\xfe{}", "UTF-8"),
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"key": NaN}', "NaN"),
        (b'{"key": "pk_a", "key": "pk_b"}', "twice"),
        (b"[" * 4000 + b"]" * 4000, "not valid JSON"),
        (b"[" * 5000 + b"]" * 5000, "larger than"),
        (b"  ", "not valid JSON"),
    ],
)
def test_bodies_that_are_not_one_json_object_are_refused(
    tracked_world: World, client: Client, body: bytes, problem: str
) -> None:
    response = post_event(client, body)
    assert 400 <= response.status_code < 500
    assert problem in response.json()["error"]
    assert rows() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"colour": "red"}, "colour"),
        ({"event_id": "not-a-uuid"}, "event_id"),
        ({"event_id": DROP}, "event_id"),
        ({"type": "purchase"}, "type"),
        ({"visitor_id": "short"}, "visitor_id"),
        ({"visitor_id": "has spaces in it"}, "visitor_id"),
        ({"visitor_id": "visitor-abcdefgh\n"}, "visitor_id"),
        ({"key": "pk_abcdefgh12345678\n"}, "key"),
        ({"title": "x" * 501}, "title"),
        ({"url": "https://acme.example.com/" + "a" * 2000}, "url"),
        ({"ts": True}, "ts"),
        ({"ts": -5}, "ts"),
        ({"sent_at": "yesterday"}, "sent_at"),
        ({"title": 42}, "title"),
        ({"key": 12345}, "key"),
        ({"key": DROP}, "key"),
        ({"referrer": "javascript:void(0)"}, "referrer"),
    ],
)
def test_a_field_outside_the_schema_is_refused_naming_the_field(
    tracked_world: World, client: Client, overrides: dict[str, Any], field: str
) -> None:
    response = post_event(client, event(tracked_world.a.workspace, **overrides))
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert rows() == 0


def test_an_unsupported_content_type_gets_415(tracked_world: World, client: Client) -> None:
    response = post_event(
        client, event(tracked_world.a.workspace), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert rows() == 0


def test_a_get_is_answered_405_naming_the_allowed_methods(client: Client) -> None:
    response = client.get(reverse("collect:event"))
    assert response.status_code == 405
    assert response["Allow"] == "POST, OPTIONS"


# --- Resends, rate limits, CORS -------------------------------------------------------------------
def test_a_resent_event_with_the_same_id_is_stored_once(
    tracked_world: World, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    payload = event(tracked_world.a.workspace)
    with django_capture_on_commit_callbacks(execute=True):
        first = post_event(client, payload)
        second = post_event(client, {**payload, "title": "Changed on resend"})
    assert (first.status_code, second.status_code) == (202, 202)
    assert rows() == 1
    assert PageView.objects.filter(event_id=payload["event_id"]).count() == 1
    assert CollectedEvent.objects.get().payload["title"] == "Pricing"


def test_past_the_key_and_ip_limit_the_answer_is_429_with_retry_after(
    tracked_world: World, client: Client, settings: Any
) -> None:
    settings.TRACKING_RATE_LIMIT_PER_KEY_IP = 3
    ws = tracked_world.a.workspace
    statuses = [post_event(client, event(ws)).status_code for _ in range(3)]
    limited = post_event(client, event(ws))
    assert statuses == [202, 202, 202]
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= settings.TRACKING_RATE_WINDOW_SECONDS
    assert rows() == 3
    # Another IP has its own allowance.
    assert post_event(client, event(ws), REMOTE_ADDR="10.9.8.7").status_code == 202


def test_past_the_ip_limit_even_garbage_is_refused_before_it_is_parsed(
    tracked_world: World, client: Client, settings: Any
) -> None:
    settings.TRACKING_RATE_LIMIT_PER_IP = 2
    assert post_event(client, b"garbage").status_code == 400
    assert post_event(client, b"garbage").status_code == 400
    limited = post_event(client, event(tracked_world.a.workspace))
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) >= 1


def test_behind_trusted_proxies_the_limit_counts_the_forwarded_client(
    tracked_world: World, client: Client, settings: Any
) -> None:
    settings.TRACKING_RATE_LIMIT_PER_KEY_IP = 1
    settings.TRACKING_TRUSTED_PROXY_COUNT = 1
    ws = tracked_world.a.workspace
    first = post_event(client, event(ws), HTTP_X_FORWARDED_FOR="spoofed, 203.0.113.5")
    second = post_event(client, event(ws), HTTP_X_FORWARDED_FOR="other, 203.0.113.5")
    third = post_event(client, event(ws), HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert [first.status_code, second.status_code, third.status_code] == [202, 429, 202]


def test_a_preflight_is_answered_for_a_web_origin(client: Client) -> None:
    response = client.options(
        reverse("collect:event"),
        HTTP_ORIGIN=f"https://{A_HOST}",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == f"https://{A_HOST}"
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert response["Access-Control-Allow-Headers"] == "Content-Type"


def test_a_preflight_from_a_non_web_origin_gets_no_cors_headers(client: Client) -> None:
    response = client.options(reverse("collect:event"), HTTP_ORIGIN="null")
    assert response.status_code == 204
    assert "Access-Control-Allow-Origin" not in response


def test_the_collector_needs_no_login_and_no_csrf_token(tracked_world: World) -> None:
    strict = Client(enforce_csrf_checks=True)
    assert post_event(strict, event(tracked_world.a.workspace)).status_code == 202


# --- Tenant isolation -----------------------------------------------------------------------------
def test_a_key_of_workspace_a_never_writes_into_workspace_b(
    tracked_world: World, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    a, b = tracked_world.a, tracked_world.b
    b_visitor = Visitor.objects.create(
        workspace=b.workspace,
        cookie_id="shared-cookie-id",
        first_seen_at=b["visitor"].first_seen_at,
    )
    before = fingerprint(b.workspace.pk)
    with django_capture_on_commit_callbacks(execute=True):
        # B's page with A's key: refused (B's domain is not A's).
        refused = post_event(client, event(a.workspace, url=f"https://{B_HOST}/landing"))
        # A's page with A's key, using B's visitor cookie id: a visitor of A, not B's visitor.
        accepted = post_event(
            client, event(a.workspace, visitor_id=b_visitor.cookie_id, url=f"https://{A_HOST}/x")
        )
    assert refused.status_code == 403
    assert accepted.status_code == 202
    assert fingerprint_changes(before, fingerprint(b.workspace.pk)) == []
    assert CollectedEvent.objects.get().workspace_id == a.workspace.pk
    assert Visitor.objects.filter(workspace=a.workspace, cookie_id=b_visitor.cookie_id).exists()
    assert not PageView.objects.filter(visitor=b_visitor).exists()


def test_the_same_event_id_in_two_workspaces_is_two_events(
    tracked_world: World, client: Client
) -> None:
    shared = str(uuid.uuid4())
    a = post_event(client, event(tracked_world.a.workspace, event_id=shared))
    b = post_event(
        client, event(tracked_world.b.workspace, event_id=shared, url=f"https://{B_HOST}/")
    )
    assert (a.status_code, b.status_code) == (202, 202)
    assert rows() == 2


def test_a_change_of_allowed_domains_applies_at_once(tracked_world: World, client: Client) -> None:
    ws = tracked_world.a.workspace
    assert post_event(client, event(ws)).status_code == 202  # cached now
    update_allowed_domains(workspace=ws, domains=["elsewhere.test"])
    assert post_event(client, event(ws)).status_code == 403


# --- Queueing and processing --------------------------------------------------------------------
def test_a_burst_of_events_queues_one_processing_task(
    tracked_world: World,
    client: Client,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    queued: list[tuple[Any, ...]] = []
    monkeypatch.setattr(
        tasks.process_collected_events, "apply_async", lambda *a, **k: queued.append(k["args"])
    )
    ws = tracked_world.a.workspace
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(25):
            assert post_event(client, event(ws)).status_code == 202
    assert queued == [[ws.pk]]
    assert CollectedEvent.objects.filter(processed_at__isnull=True).count() == 25
    # The task starts by lowering the flag: the next event queues again.
    assert process_pending_events(workspace_id=ws.pk) == 25
    with django_capture_on_commit_callbacks(execute=True):
        post_event(client, event(ws))
    assert queued == [[ws.pk], [ws.pk]]


@pytest.fixture
def with_a_worker() -> Iterator[None]:
    """Tasks go to a broker instead of running in-process (they are intercepted by the test)."""
    conf = tasks.process_collected_events.app.conf
    saved = conf.task_always_eager
    conf.task_always_eager = False
    yield
    conf.task_always_eager = saved


def test_with_a_worker_a_skipped_flag_check_is_covered_by_the_follow_up_run(
    with_a_worker: None,
    tracked_world: World,
    client: Client,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    task = tasks.process_collected_events
    queued: list[dict[str, Any]] = []
    monkeypatch.setattr(task, "apply_async", lambda *a, **k: queued.append(k))
    checks: list[str] = []
    real_raise = collector._raise_flag

    def counted_raise(flag: str) -> bool:
        checks.append(flag)
        return real_raise(flag)

    monkeypatch.setattr(collector, "_raise_flag", counted_raise)
    monkeypatch.setattr(collector, "_flag_seen", {})
    ws = tracked_world.a.workspace

    def send() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            assert post_event(client, event(ws)).status_code == 202

    for _ in range(5):
        send()
    # One check raised the flag and queued the task; the next four were skipped.
    assert len(checks) == 1
    assert [q.get("kwargs") for q in queued] == [None]
    # The worker runs the task: it lowers the flag, schedules its follow-up, processes 5.
    assert process_pending_events(workspace_id=ws.pk) == 5
    assert queued[-1]["kwargs"] == {"follow_up": True}
    assert queued[-1]["countdown"] > collector.FLAG_MEMO_SECONDS
    # An event right after: this process saw the flag a moment ago, so it does not check.
    send()
    assert len(checks) == 1 and len(queued) == 2
    assert CollectedEvent.objects.filter(processed_at__isnull=True).count() == 1
    # The follow-up run picks it up.
    assert process_pending_events(workspace_id=ws.pk, follow_up=True) == 1
    # Once the sighting is older than the memo, the next event checks (and queues) again.
    collector._flag_seen[ws.pk] -= collector.FLAG_MEMO_SECONDS
    send()
    assert len(checks) == 2
    assert queued[-1].get("kwargs") is None


def test_a_failed_processing_run_leaves_the_event_accepted_and_pending(
    tracked_world: World,
    client: Client,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("broker is down")

    monkeypatch.setattr(tasks.process_collected_events, "apply_async", broken)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_event(client, event(tracked_world.a.workspace))
    assert response.status_code == 202
    assert CollectedEvent.objects.get().processed_at is None
    # The sweep finds it.
    monkeypatch.undo()
    assert tasks.sweep_collected_events() == 1
    assert CollectedEvent.objects.get().processed_at is not None


def test_processing_twice_stores_each_page_view_once(tracked_world: World) -> None:
    ws = tracked_world.a.workspace
    site = collector.site_for_key(ws.public_key)
    assert site is not None
    from django.utils import timezone

    from tracking.validation import validate_event

    for n in range(5):
        parsed = validate_event(event(ws, url=f"https://{A_HOST}/p{n}"))
        collector.store_event(site=site, event=parsed, received_at=timezone.now())
    assert process_pending_events(workspace_id=ws.pk) == 5
    assert process_pending_events(workspace_id=ws.pk) == 0
    # Even when the rows are pending again (a run that crashed after writing), nothing doubles.
    CollectedEvent.objects.update(processed_at=None)
    assert process_pending_events(workspace_id=ws.pk) == 5
    assert PageView.objects.filter(workspace=ws).count() == 5
    assert Session.objects.filter(workspace=ws, visitor__cookie_id="visitor-0001").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_processing_runs_at_once_never_take_the_same_event(
    tracked_world: World,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time; row locks need PostgreSQL")
    from django.utils import timezone

    from tracking.validation import validate_event

    ws = tracked_world.a.workspace
    site = collector.site_for_key(ws.public_key)
    assert site is not None
    for n in range(40):
        parsed = validate_event(
            event(ws, url=f"https://{A_HOST}/p{n}", visitor_id=f"visitor-{n % 4:04d}")
        )
        collector.store_event(site=site, event=parsed, received_at=timezone.now())
    CollectedEvent.objects.update(processed_at=None)
    PageView.objects.all().delete()
    Session.objects.all().delete()
    barrier = threading.Barrier(3)
    counts: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            total = 0
            while done := process_batch(workspace=ws, limit=7):
                total += done
            counts.append(total)
        except BaseException as exc:  # reported by the test thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(counts) == 40
    assert PageView.objects.filter(workspace=ws).count() == 40
    assert Session.objects.filter(workspace=ws).count() == 4
    assert CollectedEvent.objects.filter(processed_at__isnull=True).count() == 0


# --- The OpenAPI document ------------------------------------------------------------------------
def test_both_public_endpoints_are_in_the_openapi_document() -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    event_op = schema["paths"]["/collect/event"]["post"]
    form_op = schema["paths"]["/collect/form"]["post"]
    assert set(event_op["requestBody"]["content"]) == {"application/json", "text/plain"}
    assert {"202", "400", "403", "413", "429"} <= set(event_op["responses"])
    assert "application/x-www-form-urlencoded" in form_op["requestBody"]["content"]
    # Public: no authentication scheme applies.
    assert event_op.get("security", []) in ([], [{}])
    properties = schema["components"]["schemas"]["CollectEventRequest"]["properties"]
    from tracking.validation import EVENT_FIELDS

    assert set(properties) == set(EVENT_FIELDS)


# --- The Redis counters ---------------------------------------------------------------------------
def test_the_redis_counters_count_every_limit_in_one_command_and_expire_with_the_window() -> None:
    import redis

    from tracking import ratelimit

    client = redis.Redis.from_url("redis://127.0.0.1:6379/14", socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    keys = [f"tp-test:rl:{uuid.uuid4().hex}", f"tp-test:rl:{uuid.uuid4().hex}"]
    try:
        counts = [
            ratelimit._count_in_redis(client, [(keys[0], 61), (keys[1], 5)]) for _ in range(3)
        ]
        assert counts == [[1, 1], [2, 2], [3, 3]]
        ttls = [int(client.ttl(key)) for key in keys]  # type: ignore[arg-type]
        assert 55 <= ttls[0] <= 61 and 1 <= ttls[1] <= 5
    finally:
        client.delete(*keys)
