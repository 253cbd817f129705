"""API v1 idempotency keys: a repeated POST is answered from the first response."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone
from rest_framework.test import APIClient

from crm.models import Contact
from tests.api.conftest import token_client
from tests.conftest import World
from workspaces.models import IdempotencyKey

URL = "/api/v1/contacts/"


def _post(client: APIClient, key: str, payload: object, url: str = URL) -> Any:
    return client.post(url, payload, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_the_same_key_and_body_replays_the_first_response_without_writing_again(
    api: APIClient, world: World
) -> None:
    first = _post(api, "key-1", {"email": "once@example.com"})
    again = _post(api, "key-1", {"email": "once@example.com"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Contact.objects.filter(email="once@example.com").count() == 1


def test_the_same_key_with_another_body_is_a_422_naming_the_problem(
    api: APIClient, world: World
) -> None:
    _post(api, "key-2", {"email": "first@example.com"})
    response = _post(api, "key-2", {"email": "second@example.com"})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "key-2" in detail and "different request body" in detail
    assert not Contact.objects.filter(email="second@example.com").exists()


def test_the_same_key_on_another_endpoint_is_a_422(api: APIClient, world: World) -> None:
    _post(api, "key-3", {"email": "first@example.com"})
    response = _post(api, "key-3", {"type": "form", "name": "F"}, url="/api/v1/assets/")
    assert response.status_code == 422
    assert "POST /api/v1/contacts/" in response.json()["detail"]


def test_key_order_and_whitespace_in_the_body_do_not_matter(api: APIClient, world: World) -> None:
    first = api.post(
        URL,
        '{"email": "o@example.com", "first_name": "O"}',
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="key-4",
    )
    again = api.post(
        URL,
        '{"first_name":"O","email":"o@example.com"}',
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="key-4",
    )
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"


def test_a_failed_request_is_not_stored_so_its_key_can_be_retried(
    api: APIClient, world: World
) -> None:
    failed = _post(api, "key-5", {"email": "broken"})
    assert failed.status_code == 400
    assert not IdempotencyKey.objects.filter(key="key-5").exists()
    fixed = _post(api, "key-5", {"email": "fixed@example.com"})
    assert fixed.status_code == 201


def test_a_bulk_create_is_replayed_too(api: APIClient, world: World) -> None:
    items = [{"email": "b1@example.com"}, {"email": "b2@example.com"}]
    first = _post(api, "bulk-1", items, url="/api/v1/contacts/bulk/")
    again = _post(api, "bulk-1", items, url="/api/v1/contacts/bulk/")
    assert again.json() == first.json()
    assert Contact.objects.filter(email__startswith="b").count() == 2


def test_ending_an_association_is_replayed(api: APIClient, world: World) -> None:
    url = f"/api/v1/associations/{world.a['association'].pk}/end/"
    first = _post(api, "end-1", {}, url=url)
    again = _post(api, "end-1", {}, url=url)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again["Idempotent-Replayed"] == "true"


def test_keys_belong_to_one_workspace(api: APIClient, api_b: APIClient, world: World) -> None:
    _post(api, "shared", {"email": "a-side@example.com"})
    response = _post(api_b, "shared", {"email": "b-side@example.com"})
    assert response.status_code == 201
    assert Contact.objects.for_workspace(world.b.workspace).filter(email="b-side@example.com")


def test_an_expired_key_is_forgotten(api: APIClient, world: World) -> None:
    _post(api, "old", {"email": "old@example.com"})
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - timedelta(days=2))
    response = _post(api, "old", {"email": "new@example.com"})
    assert response.status_code == 201


def test_an_invalid_key_is_refused_naming_the_header(api: APIClient, world: World) -> None:
    response = _post(api, "x" * 256, {"email": "k@example.com"})
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]
    assert not Contact.objects.filter(email="k@example.com").exists()


def test_without_a_key_each_post_writes(api: APIClient, world: World) -> None:
    payload = {"name": "Twice", "amount": "1", "currency": "EUR"}
    api.post("/api/v1/deals/", payload, format="json")
    api.post("/api/v1/deals/", payload, format="json")
    assert world.a["deal"].__class__.objects.filter(name="Twice").count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_requests_with_one_key_write_once(world: World, token_a: str) -> None:
    """Needs a database with concurrent writers (PostgreSQL); SQLite serialises the requests."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL (DATABASE_URL)")
    barrier = threading.Barrier(2)
    results: list[tuple[int, Any]] = []

    def send() -> None:
        client = token_client(token_a)
        barrier.wait()
        try:
            response = _post(client, "race", {"email": "race@example.com"})
            results.append((response.status_code, response.json()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert [status for status, _ in results] == [201, 201]
    assert results[0][1] == results[1][1]
    assert Contact.objects.filter(email="race@example.com").count() == 1
