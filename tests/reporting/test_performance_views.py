"""The Performance tab in the browser's shoes: filters, HTMX, placeholders, gates, drill-downs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from reporting.models import ReportSnapshot, SnapshotStatus
from tests.conftest import World
from tests.reporting.helpers import at, contact, touch
from workspaces.services import bump_data_version

pytestmark = pytest.mark.django_db


def _url(world: World, name: str, **kwargs: Any) -> str:
    kwargs.setdefault("campaign_id", world.a["campaign"].pk)
    return reverse(f"reporting:{name}", kwargs={"workspace_slug": "acme", **kwargs})


def _viewer(world: World) -> Client:
    client = Client()
    client.force_login(world.users["viewer"])
    return client


def _computed_page(world: World, client: Client, capture: Any, query: str = "") -> str:
    with capture(execute=True):
        client.get(_url(world, "performance") + query)
    return client.get(_url(world, "performance") + query).content.decode()


@pytest.mark.parametrize(
    ("name", "extra"),
    [("performance", {}), ("report", {"report": "overview"}), ("list", {"metric": "sessions"})],
)
def test_another_workspaces_user_gets_404_on_every_performance_page(
    world: World, name: str, extra: dict[str, Any]
) -> None:
    client = Client()
    client.force_login(world.users["outsider"])
    assert client.get(_url(world, name, **extra)).status_code == 404
    own = Client()
    own.force_login(world.users["viewer"])
    foreign = _url(world, name, campaign_id=world.b["campaign"].pk, **extra)
    response = own.get(foreign)
    assert response.status_code == 404
    assert "CANARY" not in response.content.decode()


def test_a_report_not_yet_computed_shows_a_placeholder_that_polls_until_ready(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = _viewer(world)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.get(_url(world, "performance")).content.decode()
    assert "Computing this report" in first
    assert 'hx-trigger="load delay:1s"' in first
    assert _url(world, "report", report="overview") in first

    polled = client.get(_url(world, "report", report="overview"), HTTP_HX_REQUEST="true")
    body = polled.content.decode()
    assert "<html" not in body and "Computing this report" not in body
    assert 'data-metric="influenced_contacts"' in body


def test_the_overview_shows_numbers_with_goals_and_links_to_the_lists(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    page = _computed_page(world, _viewer(world), django_capture_on_commit_callbacks)
    # build_tenant: one page-view interaction on the campaign's landing page; sessions goal 100.
    assert "Goal: 100" in page
    assert _url(world, "list", metric="influenced_contacts") + "?range=all" in page


def test_filter_changes_swap_only_the_reports_and_keep_the_filters_in_links(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = _viewer(world)
    query = "?range=last_30_days&touch=last"
    with django_capture_on_commit_callbacks(execute=True):
        client.get(_url(world, "performance") + query)
    response = client.get(_url(world, "performance") + query, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="performance-reports"')
    assert "range=last_30_days&amp;touch=last" in body
    assert "New contacts (last touch)" in body


def test_bad_custom_dates_are_named_and_the_page_still_works(world: World) -> None:
    response = _viewer(world).get(
        _url(world, "performance") + "?range=custom&start=2024-05-01&end=2024-04-01"
    )
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()


def test_professional_sees_revenue_and_enterprise_sees_revenue_attribution_as_gates(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = _viewer(world)
    enterprise = _computed_page(world, client, django_capture_on_commit_callbacks)
    assert "Attribution model" in enterprise
    assert "The Revenue report (revenue split evenly across interactions) is part of" in enterprise

    world.a.workspace.tier = "professional"
    world.a.workspace.save()
    professional = _computed_page(world, client, django_capture_on_commit_callbacks)
    assert "Revenue attribution is an Enterprise feature" in professional
    assert "Attribution model" not in professional
    gated = client.get(_url(world, "list", metric="attributed_revenue"))
    assert gated.status_code == 200 and "Enterprise feature" in gated.content.decode()


def test_a_data_change_makes_snapshots_stale_and_the_page_shows_the_old_numbers_updating(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = _viewer(world)
    _computed_page(world, client, django_capture_on_commit_callbacks)
    bump_data_version(world.a.workspace.pk)

    page = client.get(_url(world, "performance")).content.decode()

    assert "Updating with the latest data" in page
    versions = set(
        ReportSnapshot.objects.filter(campaign=world.a["campaign"], report="overview").values_list(
            "data_version", "status"
        )
    )
    assert len(versions) == 2
    assert any(status == SnapshotStatus.PENDING for _, status in versions)


def test_a_drill_down_lists_the_contacts_behind_the_number(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    ws = world.a.workspace
    for n in range(3):
        touch(
            ws,
            contact(ws, f"reader{n}@acme.test", at(1)),
            world.a["asset"],
            world.a["association"].associated_at,
        )
    client = _viewer(world)
    _computed_page(world, client, django_capture_on_commit_callbacks)

    listing = client.get(_url(world, "list", metric="influenced_contacts")).content.decode()

    assert "4 rows" in listing
    assert "reader0@acme.test" in listing and "acme@example.com" in listing


def test_the_campaign_page_links_to_the_performance_tab(world: World) -> None:
    detail = reverse(
        "campaigns:detail",
        kwargs={"workspace_slug": "acme", "campaign_id": world.a["campaign"].pk},
    )
    assert _url(world, "performance") in _viewer(world).get(detail).content.decode()


def test_an_asset_detail_shows_its_metrics_and_interactions_including_earlier_ones(
    world: World,
) -> None:
    ws, page = world.a.workspace, world.a["asset"]
    before = world.a["association"].associated_at - timedelta(days=3)
    touch(ws, contact(ws, "early@acme.test", before), page, before)
    url = _url(world, "asset", asset_id=page.pk)

    body = _viewer(world).get(url).content.decode()

    assert "early@acme.test" in body and "None (not in a campaign then)" in body
    assert 'data-chart="asset-daily"' in body
    assert '<div class="metric-value">2</div>' in body  # views: the early one and build_tenant's


def test_an_asset_never_in_the_campaign_has_no_detail_page_there(world: World) -> None:
    url = _url(world, "asset", asset_id=world.a["free_asset"].pk)
    assert _viewer(world).get(url).status_code == 404
    foreign = _url(world, "asset", asset_id=world.b["asset"].pk)
    assert _viewer(world).get(foreign).status_code == 404
