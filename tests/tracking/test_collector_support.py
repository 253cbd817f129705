"""Helpers shared by the collector, session and forms-endpoint tests (imported by them).

- `tracked_world`: the `world` fixture with allowed domains set (A: acme.example.com, B:
  other.example.com), a fresh cache (rate-limit counters) and no cached keys;
- `event(...)`: a valid page-view payload for a workspace;
- `post_event(client, ...)`: POST it (or raw bytes) to the collector;
- `collect(...)`: store and process a page view at a chosen time, as the collector would;
- `lean_client()`: a test client whose requests take the collector's lean path
  (tracking/wsgi_collector.py) instead of the full middleware stack and URL resolving.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.test.client import ClientHandler
from django.urls import reverse
from django.utils import timezone

from tests.conftest import World
from tracking import collector
from tracking.models import PageView
from tracking.processing import process_pending_events
from tracking.services import update_allowed_domains
from tracking.validation import validate_event
from tracking.wsgi_collector import CollectorChain

# Pass as an override to `event` to leave a field out.
DROP: Any = object()
A_HOST = "acme.example.com"
B_HOST = "other.example.com"


@pytest.fixture
def fresh_tracking() -> Iterator[None]:
    cache.clear()
    collector.forget_all_sites()
    yield
    cache.clear()
    collector.forget_all_sites()


@pytest.fixture
def tracked_world(world: World, fresh_tracking: None) -> World:
    update_allowed_domains(workspace=world.a.workspace, domains=[A_HOST])
    update_allowed_domains(workspace=world.b.workspace, domains=[B_HOST])
    world.a.workspace.refresh_from_db()
    world.b.workspace.refresh_from_db()
    collector.forget_all_sites()
    return world


class LeanClientHandler(CollectorChain, ClientHandler):
    """The test client's handler with the collector's middleware chain: every request goes to the
    collector view, as `config.wsgi.application` sends the collector's path."""


def lean_client(**defaults: Any) -> Client:
    client = Client(**defaults)
    client.handler = LeanClientHandler(enforce_csrf_checks=client.handler.enforce_csrf_checks)
    return client


def visitor_id() -> str:
    return uuid.uuid4().hex[:22]


def event(workspace: Any, **overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "key": workspace.public_key,
        "event_id": str(uuid.uuid4()),
        "type": "page_view",
        "visitor_id": "visitor-0001",
        "url": f"https://{A_HOST}/pricing",
        "referrer": "",
        "title": "Pricing",
    }
    payload.update(overrides)
    return {k: v for k, v in payload.items() if v is not DROP}


def post_event(
    client: Client,
    payload: dict[str, Any] | bytes | str,
    *,
    content_type: str = "text/plain;charset=UTF-8",
    **headers: Any,
) -> Any:
    body = payload if isinstance(payload, bytes | str) else json.dumps(payload)
    return client.post(reverse("collect:event"), body, content_type=content_type, **headers)


def collect(
    workspace: Any,
    *,
    url: str,
    at: datetime,
    referrer: str = "",
    visitor: str = "visitor-0001",
    title: str = "",
) -> PageView:
    """Store a page view received at `at` and process the workspace's pending events (tests run
    inside a transaction, where the on-commit queueing never fires); returns the page view."""
    parsed = validate_event(
        event(workspace, url=url, referrer=referrer, visitor_id=visitor, title=title)
    )
    site = collector.site_for_key(workspace.public_key)
    assert site is not None
    assert collector.store_event(site=site, event=parsed, received_at=at)
    process_pending_events(workspace_id=workspace.pk)
    return PageView.objects.get(workspace=workspace, event_id=str(parsed.event_id))


def minutes_ago(minutes: float) -> datetime:
    return timezone.now() - timedelta(minutes=minutes)
