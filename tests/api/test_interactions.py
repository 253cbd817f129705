"""API v1 interactions: recorded through the tracking service, credited to the campaign that
held the asset when the interaction occurred."""

from __future__ import annotations

from datetime import timedelta

from rest_framework.test import APIClient

from tests.conftest import World
from tracking.models import Interaction

URL = "/api/v1/interactions/"


def _at(world: World, days: int) -> str:
    """A time relative to when workspace A's asset joined its campaign."""
    return (world.a["association"].associated_at + timedelta(days=days)).isoformat()


def test_an_interaction_after_the_association_counts_for_the_campaign(
    api: APIClient, world: World
) -> None:
    response = api.post(
        URL,
        {
            "type": "form_submission",
            "occurred_at": _at(world, 1),
            "contact": world.a["contact"].pk,
            "asset": world.a["asset"].pk,
            "source": "organic_search",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["campaign"] == world.a["campaign"].pk


def test_an_interaction_before_the_association_counts_for_no_campaign(
    api: APIClient, world: World
) -> None:
    response = api.post(
        URL,
        {
            "type": "cta_click",
            "occurred_at": _at(world, -1),
            "contact": world.a["contact"].pk,
            "asset": world.a["asset"].pk,
        },
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["campaign"] is None
    assert response.json()["asset"] == world.a["asset"].pk


def test_an_unknown_type_a_missing_contact_and_a_naive_time_are_each_named(
    api: APIClient,
) -> None:
    response = api.post(
        URL,
        {"type": "tweet", "occurred_at": "2026-01-01T10:00:00", "contact": 987654321},
        format="json",
    )
    assert response.status_code == 400
    assert {"type", "occurred_at", "contact"} <= set(response.json())
    assert "no contact with the id 987654321" in response.json()["contact"][0]


def test_the_same_external_id_returns_the_stored_interaction(api: APIClient, world: World) -> None:
    payload = {
        "type": "meeting_booked",
        "occurred_at": _at(world, 2),
        "contact": world.a["contact"].pk,
        "external_id": "crm-42",
    }
    first = api.post(URL, payload, format="json")
    again = api.post(URL, payload, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Interaction.objects.filter(external_id="crm-42").count() == 1


def test_interactions_are_filtered_by_contact_type_and_date_range(
    api: APIClient, world: World
) -> None:
    contact = world.a["contact"]
    for days, kind in ((1, "email_click"), (3, "email_open"), (5, "email_click")):
        api.post(
            URL,
            {"type": kind, "occurred_at": _at(world, days), "contact": contact.pk},
            format="json",
        )
    clicks = api.get(
        URL,
        {
            "contact": contact.pk,
            "type": "email_click,email_open",
            "occurred_after": _at(world, 2),
            "occurred_before": _at(world, 5),
        },
    ).json()["results"]
    assert [row["type"] for row in clicks] == ["email_open"]
    every_click = api.get(URL, {"type": "email_click"}).json()
    assert every_click["count"] == 2


def test_an_unknown_type_filter_is_named(api: APIClient) -> None:
    response = api.get(URL, {"type": "email_click,fax"})
    assert response.status_code == 400
    assert "type" in response.json()


def test_interactions_are_read_only_once_recorded(api: APIClient, world: World) -> None:
    url = f"{URL}{world.a['interaction'].pk}/"
    assert api.get(url).status_code == 200
    assert api.patch(url, {"type": "cta_view"}, format="json").status_code == 405
    assert api.delete(url).status_code == 405
