"""Drill-down lists behind the Traffic rows and the asset-report numbers."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from crm.services import create_contact
from tests.conftest import World
from tests.reporting.helpers import at
from tracking.models import Session, Visitor

pytestmark = pytest.mark.django_db


def _client(world: World) -> Client:
    client = Client()
    client.force_login(world.users["viewer"])
    return client


def _rows(world: World, metric: str, query: str, campaign: Any = None) -> str:
    campaign = campaign or world.a["campaign"]
    url = reverse(
        "reporting:rows",
        kwargs={"workspace_slug": "acme", "campaign_id": campaign.pk, "metric": metric},
    )
    return f"{url}?range=all&{query}"


def _traffic(world: World) -> None:
    ws, spring = world.a.workspace, world.a["campaign"]
    visitor = Visitor.objects.create(workspace=ws, cookie_id="drill", first_seen_at=at(1))
    for day, detail, new in ((2, "partner", True), (3, "partner", False), (4, "", True)):
        Session.objects.create(
            workspace=ws,
            visitor=visitor,
            started_at=at(day),
            last_activity_at=at(day),
            landing_url=f"https://acme.example.com/?utm_campaign=utm-acme&d={day}",
            source="other_campaigns",
            source_detail_1=detail,
            utm_campaign_ref=spring,
            is_new_visitor=new,
            page_view_count=day,
        )
    create_contact(
        workspace=ws,
        email="first@x.test",
        created_at=at(2),
        first_touch_campaign_id=spring.pk,
        original_source="other_campaigns",
        original_source_detail_1="partner",
    )


def test_a_traffic_drill_row_lists_its_sessions_and_contacts(world: World) -> None:
    _traffic(world)
    client = _client(world)

    partner = client.get(_rows(world, "traffic_views", "source=other_campaigns&detail_1=partner"))
    none = client.get(
        _rows(world, "traffic_new_visitor_sessions", "detail_1=&source=other_campaigns")
    )
    people = client.get(_rows(world, "traffic_contacts", "source=other_campaigns&detail_1=partner"))

    assert partner.status_code == 200 and "2 rows" in partner.content.decode()
    assert "1 row" in none.content.decode() and "d=4" in none.content.decode()
    assert "first@x.test" in people.content.decode()


def test_the_traffic_table_links_each_number_to_its_list(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    _traffic(world)
    client = _client(world)
    url = reverse(
        "reporting:performance",
        kwargs={"workspace_slug": "acme", "campaign_id": world.a["campaign"].pk},
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.get(url)
    page = client.get(url).content.decode()

    views = reverse(
        "reporting:rows",
        kwargs={"workspace_slug": "acme", "campaign_id": world.a["campaign"].pk, "metric": "x"},
    ).removesuffix("x/")
    assert f"{views}traffic_views/?range=all" in page
    assert '&amp;source=other_campaigns">' in page
    assert '&amp;source=other_campaigns&amp;detail_1=partner&amp;detail_2=">' in page
    assert f"{views}asset_views/?range=all" in page
    assert f"&amp;asset={world.a['asset'].pk}" in page


def test_an_asset_number_lists_the_interactions_behind_it(world: World) -> None:
    page = world.a["asset"]
    response = _client(world).get(_rows(world, "asset_views", f"asset={page.pk}"))

    body = response.content.decode()
    assert response.status_code == 200 and "1 row" in body
    assert "acme@example.com" in body and "Page view" in body


def test_another_workspaces_asset_or_an_unknown_metric_is_a_404(world: World) -> None:
    client = _client(world)
    foreign = world.b["asset"].pk

    assert client.get(_rows(world, "asset_views", f"asset={foreign}")).status_code == 404
    assert client.get(_rows(world, "asset_views", "")).status_code == 404
    assert client.get(_rows(world, "revenue_secrets", "")).status_code == 404
    assert (
        "CANARY" not in client.get(_rows(world, "asset_views", f"asset={foreign}")).content.decode()
    )
