"""API v1 bulk create: up to 1,000 objects, all or nothing, errors by position."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from assets.models import Asset, AssetAssociation
from campaigns.models import Campaign
from crm.models import Contact, Deal, DealContact
from tests.conftest import World
from tracking.models import Interaction
from workspaces.models import Workspace


def _contacts(count: int) -> list[dict[str, Any]]:
    return [{"email": f"bulk{i}@example.com"} for i in range(count)]


def test_a_bulk_create_returns_every_new_contact_in_order(api: APIClient, world: World) -> None:
    response = api.post("/api/v1/contacts/bulk/", _contacts(3), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["count"] == 3
    assert [row["email"] for row in data["results"]] == [
        "bulk0@example.com",
        "bulk1@example.com",
        "bulk2@example.com",
    ]
    assert Contact.objects.for_workspace(world.a.workspace).count() == 4


def test_an_invalid_item_stops_the_whole_list_and_every_problem_is_listed_by_index(
    api: APIClient, world: World
) -> None:
    items = _contacts(5)
    items[1] = {"email": "not-an-email"}
    items[3] = {"email": "ok@example.com", "created_at": "2026-01-01T00:00:00"}
    response = api.post("/api/v1/contacts/bulk/", items, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["index"], e["field"]) for e in errors] == [(1, "email"), (3, "created_at")]
    assert all(e["message"] for e in errors)
    assert Contact.objects.for_workspace(world.a.workspace).count() == 1


def test_a_rule_broken_by_a_later_item_rolls_back_the_earlier_ones(
    api: APIClient, world: World
) -> None:
    items = [*_contacts(3), {"email": "BULK0@example.com"}, {"email": world.a["contact"].email}]
    version = Workspace.objects.get(pk=world.a.workspace.pk).data_version
    response = api.post("/api/v1/contacts/bulk/", items, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["index"], e["field"]) for e in errors] == [(3, "email"), (4, "email")]
    assert "already exists" in errors[0]["message"]
    assert Contact.objects.for_workspace(world.a.workspace).count() == 1
    assert Workspace.objects.get(pk=world.a.workspace.pk).data_version == version


def test_a_problem_of_no_field_has_a_null_field(api: APIClient, world: World) -> None:
    pair = {"deal": world.a["deal"].pk, "contact": world.a["contact"].pk}
    response = api.post("/api/v1/deal-contacts/bulk/", [pair], format="json")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["index"], error["field"]) == (0, None)
    assert "already associated" in error["message"]


def test_nested_errors_name_their_path(api: APIClient) -> None:
    items = [
        {
            "name": "C",
            "spend_items": [
                {"name": "ok", "amount": "1", "currency": "EUR", "spent_on": "2026-01-01"},
                {"name": "bad", "amount": "-5", "currency": "EUR", "spent_on": "2026-01-01"},
            ],
        }
    ]
    response = api.post("/api/v1/campaigns/bulk/", items, format="json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["spend_items.1.amount"]


@pytest.mark.parametrize("payload", [[], {"email": "a@example.com"}, "text"])
def test_a_bulk_body_must_be_a_non_empty_list(api: APIClient, world: World, payload: Any) -> None:
    response = api.post("/api/v1/contacts/bulk/", payload, format="json")
    assert response.status_code == 400
    assert "list" in response.json()["detail"]


def test_more_than_1000_items_are_refused_before_anything_is_written(
    api: APIClient, world: World
) -> None:
    response = api.post("/api/v1/contacts/bulk/", _contacts(1001), format="json")
    assert response.status_code == 400
    assert "1,000" in response.json()["detail"]
    assert Contact.objects.for_workspace(world.a.workspace).count() == 1


def test_1000_contacts_are_created_in_one_call(api: APIClient, world: World) -> None:
    response = api.post("/api/v1/contacts/bulk/", _contacts(1000), format="json")
    assert response.status_code == 201
    assert response.json()["count"] == 1000
    assert Contact.objects.for_workspace(world.a.workspace).count() == 1001


def _bulk_payloads(world: World) -> dict[str, tuple[type[Any], list[dict[str, Any]]]]:
    a = world.a
    later = (a["contact"].created_at).isoformat()
    return {
        "deals": (Deal, [{"name": f"D{i}", "amount": "10", "currency": "EUR"} for i in range(2)]),
        "interactions": (
            Interaction,
            [
                {"type": "cta_view", "occurred_at": later, "contact": a["contact"].pk},
                {"type": "cta_click", "occurred_at": later, "contact": a["contact"].pk},
            ],
        ),
        "assets": (Asset, [{"type": "form", "name": "F1"}, {"type": "cta", "name": "C1"}]),
        "campaigns": (Campaign, [{"name": "One"}, {"name": "Two", "utm_values": ["two"]}]),
        "associations": (
            AssetAssociation,
            [{"asset": a["free_asset"].pk, "campaign": a["campaign"].pk}],
        ),
    }


@pytest.mark.parametrize(
    "resource", ["deals", "interactions", "assets", "campaigns", "associations"]
)
def test_every_resource_has_a_bulk_create(api: APIClient, world: World, resource: str) -> None:
    model, items = _bulk_payloads(world)[resource]
    before = model.objects.for_workspace(world.a.workspace).count()
    response = api.post(f"/api/v1/{resource}/bulk/", items, format="json")
    assert response.status_code == 201, response.content
    assert model.objects.for_workspace(world.a.workspace).count() == before + len(items)


def test_deal_contacts_have_a_bulk_create(api: APIClient, world: World) -> None:
    contacts = api.post("/api/v1/contacts/bulk/", _contacts(2), format="json").json()["results"]
    pairs = [{"deal": world.a["deal"].pk, "contact": c["id"]} for c in contacts]
    response = api.post("/api/v1/deal-contacts/bulk/", pairs, format="json")
    assert response.status_code == 201
    assert DealContact.objects.filter(deal=world.a["deal"]).count() == 3


def test_a_bulk_move_applies_the_association_rules_in_order(api: APIClient, world: World) -> None:
    second = Campaign.objects.create(workspace=world.a.workspace, name="Second")
    asset = world.a["free_asset"]
    items = [
        {"asset": asset.pk, "campaign": world.a["campaign"].pk},
        {"asset": asset.pk, "campaign": second.pk},
    ]
    response = api.post("/api/v1/associations/bulk/", items, format="json")
    assert response.status_code == 201, response.content
    rows = AssetAssociation.objects.filter(asset=asset).order_by("id")
    assert [(r.campaign_id, r.dissociated_at is None) for r in rows] == [
        (world.a["campaign"].pk, False),
        (second.pk, True),
    ]
