"""API v1 input rules shared by every endpoint: JSON only, errors naming the field (`detail`
otherwise), limit/offset pagination capped at 1,000."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from crm.models import Contact
from crm.services import NewContact, bulk_create_contacts
from tests.conftest import World


@pytest.fixture
def many_contacts(world: World) -> list[int]:
    from django.utils import timezone

    now = timezone.now()
    rows = [NewContact(email=f"c{i:04d}@example.com", created_at=now) for i in range(1, 1101)]
    return bulk_create_contacts(workspace=world.a.workspace, rows=rows)


def test_lists_are_paginated_by_limit_and_offset(api: APIClient, many_contacts: list[int]) -> None:
    response = api.get("/api/v1/contacts/", {"limit": 10, "offset": 20})
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 1101
    ordered = sorted(Contact.objects.values_list("pk", flat=True).filter(email__startswith="c"))
    assert [row["id"] for row in data["results"]] == ordered[19:29]
    assert "offset=30" in data["next"] and "offset=10" in data["previous"]


def test_the_default_page_holds_100_and_the_largest_1000(
    api: APIClient, many_contacts: list[int]
) -> None:
    assert len(api.get("/api/v1/contacts/").json()["results"]) == 100
    assert len(api.get("/api/v1/contacts/", {"limit": 1000}).json()["results"]) == 1000


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 1001}, "limit"),
        ({"limit": 0}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": -1}, "offset"),
    ],
)
def test_a_limit_outside_1_to_1000_or_a_negative_offset_is_named(
    api: APIClient, world: World, params: dict[str, object], field: str
) -> None:
    response = api.get("/api/v1/contacts/", params)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_a_body_that_is_not_json_is_refused(api: APIClient) -> None:
    response = api.post(
        "/api/v1/contacts/", "email=a@example.com", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415


def test_broken_json_is_a_400_with_a_detail(api: APIClient) -> None:
    response = api.post("/api/v1/contacts/", '{"email": ', content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


def test_a_list_where_an_object_is_expected_is_explained_in_detail(api: APIClient) -> None:
    response = api.post("/api/v1/contacts/", [{"email": "a@example.com"}], format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["detail"]
    assert isinstance(response.json()["detail"], str)


def test_an_unknown_id_in_the_url_is_a_404_with_a_detail(api: APIClient) -> None:
    response = api.get("/api/v1/deals/987654321/")
    assert response.status_code == 404
    assert "detail" in response.json()


def test_an_id_that_is_not_a_number_is_a_404(api: APIClient) -> None:
    assert api.get("/api/v1/deals/abc/").status_code == 404


def test_unknown_fields_are_refused_on_every_writable_resource(
    api: APIClient, world: World
) -> None:
    cases = {
        "/api/v1/contacts/": {"email": "u@example.com"},
        "/api/v1/deals/": {"name": "D", "amount": "1", "currency": "EUR"},
        "/api/v1/deal-contacts/": {"deal": world.a["deal"].pk, "contact": world.a["contact"].pk},
        "/api/v1/interactions/": {
            "type": "cta_click",
            "occurred_at": "2026-01-01T00:00:00Z",
            "contact": world.a["contact"].pk,
        },
        "/api/v1/assets/": {"type": "form", "name": "F"},
        "/api/v1/associations/": {
            "asset": world.a["free_asset"].pk,
            "campaign": world.a["campaign"].pk,
        },
        "/api/v1/campaigns/": {"name": "C"},
    }
    for url, payload in cases.items():
        response = api.post(url, {**payload, "colour": "red"}, format="json")
        assert response.status_code == 400, url
        assert list(response.json()) == ["colour"], url
