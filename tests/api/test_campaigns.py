"""API v1 campaigns: utm_campaign values, goals, owner and spend items."""

from __future__ import annotations

from decimal import Decimal

from rest_framework.test import APIClient

from campaigns.models import Campaign, CampaignGoal, SpendItem
from tests.conftest import World

URL = "/api/v1/campaigns/"


def test_a_campaign_is_created_with_utm_values_goals_owner_and_spend(
    api: APIClient, world: World
) -> None:
    response = api.post(
        URL,
        {
            "name": "Spring launch",
            "utm_values": ["spring-2026", " Spring-2026 ", "launch"],
            "start_date": "2026-03-01",
            "end_date": "2026-05-31",
            "status": "active",
            "owner": world.users["marketer"].email.upper(),
            "goals": {"sessions": 5000, "revenue": "12000.50"},
            "spend_items": [
                {"name": "Agency", "amount": "900", "currency": "eur", "spent_on": "2026-03-02"}
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["utm_values"] == ["launch", "spring-2026"]
    assert data["owner"] == world.users["marketer"].email
    assert data["goals"]["sessions"] == "5000.00"
    assert data["goals"]["revenue"] == "12000.50"
    assert data["goals"]["deals"] is None
    assert data["spend_items"][0]["currency"] == "EUR"
    assert Campaign.objects.get(pk=data["id"]).workspace_id == world.a.workspace.pk


def test_a_utm_value_of_another_campaign_is_refused_naming_the_field(
    api: APIClient, world: World
) -> None:
    response = api.post(URL, {"name": "Copy", "utm_values": ["UTM-ACME"]}, format="json")
    assert response.status_code == 400
    assert "Campaign A" in response.json()["utm_values"][0]
    assert not Campaign.objects.filter(name="Copy").exists()


def test_a_utm_value_of_another_workspace_is_free_to_use(api: APIClient, world: World) -> None:
    response = api.post(URL, {"name": "Mine", "utm_values": ["utm-other"]}, format="json")
    assert response.status_code == 201


def test_an_end_date_before_the_start_date_is_named(api: APIClient) -> None:
    response = api.post(
        URL, {"name": "X", "start_date": "2026-05-01", "end_date": "2026-04-01"}, format="json"
    )
    assert response.status_code == 400
    assert "end_date" in response.json()


def test_an_owner_who_is_not_a_member_is_refused(api: APIClient, world: World) -> None:
    response = api.post(URL, {"name": "X", "owner": world.users["outsider"].email}, format="json")
    assert response.status_code == 400
    assert "No member" in response.json()["owner"][0]


def test_a_fractional_count_goal_and_an_unknown_goal_are_named(api: APIClient) -> None:
    response = api.post(
        URL, {"name": "X", "goals": {"sessions": "10.5", "likes": 3}}, format="json"
    )
    assert response.status_code == 400
    assert {"sessions", "likes"} <= set(response.json()["goals"])


def test_a_patch_changes_the_named_goals_and_keeps_the_rest(api: APIClient, world: World) -> None:
    campaign = world.a["campaign"]
    response = api.patch(f"{URL}{campaign.pk}/", {"goals": {"new_contacts": 40}}, format="json")
    assert response.status_code == 200, response.content
    goals = dict(CampaignGoal.objects.filter(campaign=campaign).values_list("metric", "target"))
    assert goals == {"sessions": Decimal("100"), "new_contacts": Decimal("40")}
    assert list(campaign.utms.values_list("value", flat=True)) == ["utm-acme"]
    assert SpendItem.objects.filter(campaign=campaign).count() == 1


def test_a_null_goal_removes_it(api: APIClient, world: World) -> None:
    campaign = world.a["campaign"]
    api.patch(f"{URL}{campaign.pk}/", {"goals": {"sessions": None}}, format="json")
    assert not CampaignGoal.objects.filter(campaign=campaign).exists()


def test_a_patch_replaces_the_utm_values_it_is_given(api: APIClient, world: World) -> None:
    campaign = world.a["campaign"]
    response = api.patch(
        f"{URL}{campaign.pk}/", {"utm_values": ["utm-acme", "acme-extra"]}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["utm_values"] == ["acme-extra", "utm-acme"]


def test_a_put_replaces_everything(api: APIClient, world: World) -> None:
    campaign = world.a["campaign"]
    response = api.put(f"{URL}{campaign.pk}/", {"name": "Renamed"}, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["name"] == "Renamed"
    assert data["utm_values"] == []
    assert all(target is None for target in data["goals"].values())
    assert data["spend_items"] == []
    assert data["start_date"] is None


def test_a_spend_item_keeps_its_id_when_changed(api: APIClient, world: World) -> None:
    campaign, item = world.a["campaign"], world.a["spend"]
    response = api.patch(
        f"{URL}{campaign.pk}/",
        {
            "spend_items": [
                {
                    "id": item.pk,
                    "name": "Renamed spend",
                    "amount": "25",
                    "currency": "EUR",
                    "spent_on": "2026-01-01",
                }
            ]
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    item.refresh_from_db()
    assert (item.name, item.amount) == ("Renamed spend", Decimal("25"))


def test_another_campaign_s_spend_item_id_is_refused(api: APIClient, world: World) -> None:
    campaign, foreign = world.a["campaign"], world.b["spend"]
    response = api.patch(
        f"{URL}{campaign.pk}/",
        {
            "spend_items": [
                {
                    "id": foreign.pk,
                    "name": "Hijack",
                    "amount": "1",
                    "currency": "EUR",
                    "spent_on": "2026-01-01",
                }
            ]
        },
        format="json",
    )
    assert response.status_code == 400
    assert "spend_items" in response.json()
    foreign.refresh_from_db()
    assert foreign.name != "Hijack"


def test_campaigns_are_filtered_by_utm_value_and_status(api: APIClient, world: World) -> None:
    api.post(URL, {"name": "Other", "status": "active"}, format="json")
    by_utm = api.get(URL, {"utm_campaign": "UTM-acme"}).json()["results"]
    assert [row["id"] for row in by_utm] == [world.a["campaign"].pk]
    active = api.get(URL, {"status": "active"}).json()["results"]
    assert [row["name"] for row in active] == ["Other"]
