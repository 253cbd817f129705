"""API v1 deals and deal-contact associations."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from crm.models import Deal, DealContact
from tests.conftest import World

DEALS = "/api/v1/deals/"
LINKS = "/api/v1/deal-contacts/"


def _deal(**overrides: object) -> dict[str, object]:
    return {"name": "Big order", "amount": "2500.50", "currency": "eur", **overrides}


def test_a_deal_is_created_with_its_contacts(api: APIClient, world: World) -> None:
    contact = world.a["contact"]
    created_at = (contact.created_at + timedelta(hours=1)).isoformat()
    response = api.post(DEALS, _deal(contacts=[contact.pk], created_at=created_at), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["amount"], data["currency"], data["stage"]) == ("2500.50", "EUR", "open")
    assert data["contacts"] == [contact.pk]
    link = DealContact.objects.get(deal_id=data["id"])
    assert link.associated_at == Deal.objects.get(pk=data["id"]).created_at


def test_a_closed_deal_without_a_close_date_is_refused_naming_the_field(api: APIClient) -> None:
    response = api.post(DEALS, _deal(stage="closed_won"), format="json")
    assert response.status_code == 400
    assert "closed_at" in response.json()
    assert not Deal.objects.filter(name="Big order").exists()


def test_a_negative_amount_and_a_bad_currency_are_named(api: APIClient) -> None:
    response = api.post(DEALS, _deal(amount="-1", currency="euro"), format="json")
    assert response.status_code == 400
    assert {"amount", "currency"} <= set(response.json())


def test_a_deal_closes_through_a_patch(api: APIClient, world: World) -> None:
    deal = world.a["deal"]
    closed_at = (deal.created_at + timedelta(days=2)).isoformat()
    response = api.patch(
        f"{DEALS}{deal.pk}/", {"stage": "closed_won", "closed_at": closed_at}, format="json"
    )
    assert response.status_code == 200, response.content
    deal.refresh_from_db()
    assert deal.stage == "closed_won"
    assert deal.closed_at == deal.created_at + timedelta(days=2)
    assert deal.name == "Deal A"


def test_a_deal_cannot_close_before_it_was_created(api: APIClient, world: World) -> None:
    deal = world.a["deal"]
    closed_at = (deal.created_at - timedelta(days=1)).isoformat()
    response = api.patch(
        f"{DEALS}{deal.pk}/", {"stage": "closed_lost", "closed_at": closed_at}, format="json"
    )
    assert response.status_code == 400
    assert "closed_at" in response.json()
    deal.refresh_from_db()
    assert deal.stage == "open"


def test_a_deal_s_contacts_are_changed_through_deal_contacts_not_the_deal(
    api: APIClient, world: World
) -> None:
    deal = world.a["deal"]
    response = api.patch(f"{DEALS}{deal.pk}/", {"contacts": []}, format="json")
    assert response.status_code == 400
    assert "deal-contacts" in response.json()["contacts"][0]


def test_deals_are_filtered_by_stage_and_contact(api: APIClient, world: World) -> None:
    api.post(DEALS, _deal(), format="json")
    by_contact = api.get(DEALS, {"contact": world.a["contact"].pk})
    assert [row["id"] for row in by_contact.json()["results"]] == [world.a["deal"].pk]
    open_deals = api.get(DEALS, {"stage": "open"})
    assert open_deals.json()["count"] == 2
    assert api.get(DEALS, {"stage": "won"}).status_code == 400


def test_a_deal_is_deleted_with_its_contact_links_but_not_its_contacts(
    api: APIClient, world: World
) -> None:
    deal = world.a["deal"]
    response = api.delete(f"{DEALS}{deal.pk}/")
    assert response.status_code == 204
    assert not Deal.objects.filter(pk=deal.pk).exists()
    assert not DealContact.objects.filter(deal_id=deal.pk).exists()
    assert world.a["contact"].__class__.objects.filter(pk=world.a["contact"].pk).exists()


def test_a_contact_is_associated_with_a_deal_at_a_given_time_and_listed_per_deal(
    api: APIClient, world: World
) -> None:
    contact = api.post("/api/v1/contacts/", {"email": "new@example.com"}, format="json").json()
    deal = world.a["deal"]
    at = (timezone.now() + timedelta(minutes=5)).isoformat()
    response = api.post(
        LINKS, {"deal": deal.pk, "contact": contact["id"], "associated_at": at}, format="json"
    )
    assert response.status_code == 201, response.content
    listing = api.get(LINKS, {"deal": deal.pk}).json()["results"]
    assert [row["contact"] for row in listing] == [world.a["contact"].pk, contact["id"]]
    contacts = api.get(f"{DEALS}{deal.pk}/").json()["contacts"]
    assert set(contacts) == {world.a["contact"].pk, contact["id"]}


def test_associating_a_contact_twice_is_refused_with_a_detail(api: APIClient, world: World) -> None:
    response = api.post(
        LINKS, {"deal": world.a["deal"].pk, "contact": world.a["contact"].pk}, format="json"
    )
    assert response.status_code == 400
    assert "already associated" in response.json()["detail"]


def test_an_association_before_the_deal_existed_is_refused(api: APIClient, world: World) -> None:
    contact = api.post(
        "/api/v1/contacts/",
        {"email": "early@example.com", "created_at": "2020-01-01T00:00:00Z"},
        format="json",
    ).json()
    response = api.post(
        LINKS,
        {
            "deal": world.a["deal"].pk,
            "contact": contact["id"],
            "associated_at": "2020-06-01T00:00:00Z",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "before the deal existed" in response.json()["detail"]


def test_a_deal_contact_association_is_deleted(api: APIClient, world: World) -> None:
    link = DealContact.objects.get(deal=world.a["deal"])
    response = api.delete(f"{LINKS}{link.pk}/")
    assert response.status_code == 204
    assert not DealContact.objects.filter(pk=link.pk).exists()
    assert api.get(LINKS, {"deal": world.a["deal"].pk}).json()["count"] == 0


def test_a_missing_contact_id_in_a_deal_is_named_and_nothing_is_stored(api: APIClient) -> None:
    response = api.post(DEALS, _deal(contacts=[987654321]), format="json")
    assert response.status_code == 400
    assert "987654321" in response.json()["contacts"][0]
    assert not Deal.objects.filter(name="Big order").exists()
