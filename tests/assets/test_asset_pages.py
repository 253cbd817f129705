"""The asset pages: list, detail, create and edit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assets.models import Asset, AssetType
from assets.services import add_asset, associate_asset, create_asset, update_asset
from campaigns.models import Campaign
from tests.conftest import CANARY

pytestmark = pytest.mark.django_db


def _client(world: Any, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def _url(name: str, ws: Any = None, **kwargs: Any) -> str:
    return reverse(name, kwargs={"workspace_slug": (ws.slug if ws else "acme"), **kwargs})


# --- List -----------------------------------------------------------------------------------------


def test_the_asset_list_shows_type_url_and_current_campaign(world: Any) -> None:
    response = _client(world, "viewer").get(_url("assets:list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Page A" in body and "Landing page" in body
    assert "https://acme.example.com/landing" in body
    assert "Campaign A" in body
    assert CANARY not in body


def test_the_asset_list_searches_by_name_or_url_and_filters_by_type(world: Any) -> None:
    ws = world.a.workspace
    create_asset(
        workspace=ws,
        type=AssetType.BLOG_POST,
        name="Pricing post",
        url="https://acme.example.com/blog/x",
    )
    client = _client(world, "viewer")

    by_url = client.get(_url("assets:list"), {"q": "blog/x"}).content.decode()
    assert "Pricing post" in by_url and "Page A" not in by_url

    forms_only = client.get(_url("assets:list"), {"type": "form"}).content.decode()
    assert (
        "Form A" in forms_only and "Page A" not in forms_only and "Pricing post" not in forms_only
    )


def test_the_asset_list_sorts_by_name_both_ways_with_aria_sort(world: Any) -> None:
    ws = world.a.workspace
    create_asset(workspace=ws, type=AssetType.CTA, name="Alpha CTA")
    create_asset(workspace=ws, type=AssetType.CTA, name="Zulu CTA")
    client = _client(world, "viewer")

    up = client.get(_url("assets:list"), {"sort": "name"}).content.decode()
    down = client.get(_url("assets:list"), {"sort": "-name"}).content.decode()

    assert up.index("Alpha CTA") < up.index("Zulu CTA")
    assert down.index("Zulu CTA") < down.index("Alpha CTA")
    assert 'aria-sort="ascending"' in up and 'aria-sort="descending"' in down


def test_an_unknown_filter_value_is_explained_not_a_server_error(world: Any) -> None:
    response = _client(world, "viewer").get(_url("assets:list"), {"type": "spaceship", "sort": "x"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "not understood" in body and "spaceship" in body
    assert "Page A" in body  # the invalid filters are ignored, the list still shows


def test_an_htmx_request_gets_only_the_results_partial(world: Any) -> None:
    response = _client(world, "viewer").get(
        _url("assets:list"), {"q": "Page"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="asset-results"')
    assert "<html" not in body and "Page A" in body
    assert "HX-Request" in response["Vary"]


# --- Detail ---------------------------------------------------------------------------------------


def test_the_asset_detail_shows_properties_and_the_association_history(world: Any) -> None:
    ws, asset = world.a.workspace, world.a["asset"]
    other = Campaign.objects.create(workspace=ws, name="Winter push")
    associate_asset(asset=asset, campaign=other)

    body = _client(world, "viewer").get(_url("assets:detail", asset_id=asset.pk)).content.decode()

    assert "https://acme.example.com/landing" in body
    assert "Campaign A" in body and "Winter push" in body  # the old and the current campaign
    assert body.count('badge text-bg-success">Current') == 1


# --- Create and edit ------------------------------------------------------------------------------


def test_a_marketer_creates_an_asset_and_its_url_is_normalised(world: Any) -> None:
    response = _client(world, "marketer").post(
        _url("assets:create"),
        {
            "type": "landing_page",
            "name": "Webinar LP",
            "url": "https://www.Acme.example.com/Webinar/",
        },
    )
    asset = Asset.objects.get(workspace=world.a.workspace, name="Webinar LP")
    assert response.status_code == 302
    assert response["Location"] == _url("assets:detail", asset_id=asset.pk)
    assert asset.normalized_url == "acme.example.com/webinar"


def test_a_page_asset_without_a_url_is_refused_with_a_clear_message(world: Any) -> None:
    response = _client(world, "marketer").post(
        _url("assets:create"), {"type": "blog_post", "name": "No URL post"}
    )
    assert response.status_code == 200
    assert "needs its URL" in response.content.decode()
    assert not Asset.objects.filter(name="No URL post").exists()


def test_an_external_id_used_by_another_asset_of_the_type_names_that_asset(world: Any) -> None:
    ws = world.a.workspace
    create_asset(
        workspace=ws, type=AssetType.MARKETING_EMAIL, name="June newsletter", external_id="em-1"
    )
    response = _client(world, "marketer").post(
        _url("assets:create"), {"type": "marketing_email", "name": "Copy", "external_id": "em-1"}
    )
    body = response.content.decode()
    assert "em-1" in body and "June newsletter" in body
    assert not Asset.objects.filter(name="Copy").exists()


def test_the_published_time_is_read_in_the_workspaces_time_zone(world: Any) -> None:
    ws = world.a.workspace
    ws.time_zone = "Europe/Copenhagen"
    ws.save()
    _client(world, "marketer").post(
        _url("assets:create"),
        {"type": "social_post", "name": "Launch post", "published_at": "2024-06-01T10:00"},
    )
    asset = Asset.objects.get(name="Launch post")
    assert asset.published_at == datetime(2024, 6, 1, 8, 0, tzinfo=UTC)


def test_create_returns_to_the_page_that_asked_when_it_is_on_this_site(world: Any) -> None:
    picker = _url("campaigns:associate", campaign_id=world.a["campaign"].pk)
    client = _client(world, "marketer")
    ok = client.post(_url("assets:create"), {"type": "form", "name": "F1", "next": picker})
    evil = client.post(
        _url("assets:create"), {"type": "form", "name": "F2", "next": "https://evil.example/"}
    )
    assert ok["Location"] == picker
    assert evil["Location"].startswith("/w/acme/assets/")


def test_editing_an_asset_changes_its_properties_but_not_its_type(world: Any) -> None:
    asset = world.a["asset"]
    response = _client(world, "marketer").post(
        _url("assets:edit", asset_id=asset.pk),
        {"type": "workflow", "name": "Renamed page", "url": "https://acme.example.com/new"},
    )
    asset.refresh_from_db()
    assert response.status_code == 302
    assert (asset.name, asset.type, asset.normalized_url) == (
        "Renamed page",
        AssetType.LANDING_PAGE,
        "acme.example.com/new",
    )


def test_update_asset_refuses_removing_the_url_of_a_page(world: Any) -> None:
    with pytest.raises(ValidationError) as error:
        update_asset(asset=world.a["asset"], by=None, name="Page A", url="")
    assert "url" in error.value.message_dict


def test_add_asset_refuses_a_duplicate_external_id_but_allows_it_for_another_type(
    world: Any,
) -> None:
    ws = world.a.workspace
    add_asset(workspace=ws, by=None, type=AssetType.FORM, name="A", external_id="x1")
    add_asset(workspace=ws, by=None, type=AssetType.CTA, name="B", external_id="x1")
    with pytest.raises(ValidationError):
        add_asset(workspace=ws, by=None, type=AssetType.FORM, name="C", external_id="x1")
    assert Asset.objects.filter(workspace=ws, external_id="x1").count() == 2


def test_changing_the_url_marks_the_workspace_data_as_changed(world: Any) -> None:
    ws = world.a.workspace
    before = ws.data_version
    update_asset(asset=world.a["asset"], by=None, name="Page A", url="https://acme.example.com/v2")
    ws.refresh_from_db()
    assert ws.data_version == before + 1


# --- Roles and tenants ----------------------------------------------------------------------------


def test_a_viewer_cannot_create_or_edit_assets_and_sees_no_buttons(world: Any) -> None:
    client = _client(world, "viewer")
    asset = world.a["asset"]
    assert client.get(_url("assets:create")).status_code == 403
    assert client.post(_url("assets:create"), {"type": "form", "name": "X"}).status_code == 403
    assert client.get(_url("assets:edit", asset_id=asset.pk)).status_code == 403
    assert client.post(_url("assets:edit", asset_id=asset.pk), {"name": "X"}).status_code == 403
    assert not Asset.objects.filter(name="X").exists()
    assert _url("assets:create") not in client.get(_url("assets:list")).content.decode()
    detail = client.get(_url("assets:detail", asset_id=asset.pk)).content.decode()
    assert _url("assets:edit", asset_id=asset.pk) not in detail


@pytest.mark.parametrize("name", ["assets:detail", "assets:edit"])
def test_another_workspaces_asset_is_not_found_for_every_role(world: Any, name: str) -> None:
    foreign = world.b["asset"]
    for role in ("admin", "viewer"):
        client = _client(world, role)
        assert client.get(_url(name, asset_id=foreign.pk)).status_code == 404
        response = client.post(_url(name, asset_id=foreign.pk), {"name": "Hijacked"})
        assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.name != "Hijacked"


@pytest.mark.parametrize("name", ["assets:list", "assets:create"])
def test_an_outsider_gets_404_on_this_workspaces_asset_pages(world: Any, name: str) -> None:
    assert _client(world, "outsider").get(_url(name)).status_code == 404
    detail = _url("assets:detail", asset_id=world.a["asset"].pk)
    assert _client(world, "outsider").get(detail).status_code == 404


def test_the_list_never_shows_another_workspaces_assets(world: Any) -> None:
    body = _client(world, "admin").get(_url("assets:list"), {"q": "Page"}).content.decode()
    assert CANARY not in body and "Page A" in body


def test_a_recently_published_asset_shows_its_time(world: Any) -> None:
    ws = world.a.workspace
    create_asset(
        workspace=ws,
        type=AssetType.SOCIAL_POST,
        name="Fresh post",
        published_at=timezone.now() - timedelta(hours=1),
    )
    body = _client(world, "viewer").get(_url("assets:list"), {"q": "Fresh"}).content.decode()
    assert "Fresh post" in body and "Not published" not in body


def test_an_asset_without_a_type_is_refused(world: Any) -> None:
    response = _client(world, "marketer").post(_url("assets:create"), {"name": "Typeless"})
    assert response.status_code == 200
    assert 'id="id_type_error"' in response.content.decode()
    assert not Asset.objects.filter(name="Typeless").exists()
