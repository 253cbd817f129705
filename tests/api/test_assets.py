"""API v1 assets (CRUD) and asset ↔ campaign associations with the rules of SPEC §2."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from assets.models import MAX_SOCIAL_POSTS_PER_CAMPAIGN, Asset, AssetAssociation
from campaigns.models import Campaign
from tests.conftest import World
from workspaces.models import Workspace

ASSETS = "/api/v1/assets/"
ASSOCIATIONS = "/api/v1/associations/"


def test_an_asset_is_created_read_changed_and_deleted(api: APIClient, world: World) -> None:
    created = api.post(
        ASSETS,
        {"type": "landing_page", "name": "Spring", "url": "https://acme.example.com/spring/"},
        format="json",
    )
    assert created.status_code == 201, created.content
    asset_id = created.json()["id"]
    assert created.json()["campaigns"] == []
    assert Asset.objects.get(pk=asset_id).normalized_url == "acme.example.com/spring"
    changed = api.patch(f"{ASSETS}{asset_id}/", {"name": "Spring sale"}, format="json")
    assert changed.status_code == 200
    assert api.get(f"{ASSETS}{asset_id}/").json()["name"] == "Spring sale"
    assert api.delete(f"{ASSETS}{asset_id}/").status_code == 204
    assert not Asset.objects.filter(pk=asset_id).exists()


def test_a_page_asset_without_a_url_is_refused_naming_the_url(api: APIClient) -> None:
    response = api.post(ASSETS, {"type": "blog_post", "name": "Post"}, format="json")
    assert response.status_code == 400
    assert "url" in response.json()


def test_an_unknown_asset_type_is_named(api: APIClient) -> None:
    response = api.post(ASSETS, {"type": "podcast", "name": "Show"}, format="json")
    assert response.status_code == 400
    assert "type" in response.json()


def test_an_asset_s_type_cannot_change(api: APIClient, world: World) -> None:
    asset = world.a["free_asset"]
    response = api.patch(f"{ASSETS}{asset.pk}/", {"type": "cta"}, format="json")
    assert response.status_code == 400
    assert "type cannot change" in response.json()["type"][0]


def test_an_external_id_is_unique_per_type(api: APIClient) -> None:
    first = {"type": "form", "name": "Signup", "external_id": "f-1"}
    assert api.post(ASSETS, first, format="json").status_code == 201
    again = api.post(ASSETS, {**first, "name": "Signup 2"}, format="json")
    assert again.status_code == 400
    assert "external_id" in again.json()


def test_assets_list_their_current_campaigns_and_filter_by_campaign(
    api: APIClient, world: World
) -> None:
    campaign = world.a["campaign"]
    held = api.get(ASSETS, {"campaign": campaign.pk}).json()["results"]
    assert [row["id"] for row in held] == [world.a["asset"].pk]
    assert held[0]["campaigns"] == [campaign.pk]
    forms = api.get(ASSETS, {"type": "form"}).json()["results"]
    assert [row["id"] for row in forms] == [world.a["free_asset"].pk]


def test_deleting_an_asset_bumps_the_data_version(api: APIClient, world: World) -> None:
    before = Workspace.objects.get(pk=world.a.workspace.pk).data_version
    api.delete(f"{ASSETS}{world.a['asset'].pk}/")
    assert Workspace.objects.get(pk=world.a.workspace.pk).data_version > before


# --- Associations --------------------------------------------------------------------------------


def _campaign(world: World, name: str) -> Campaign:
    return Campaign.objects.create(workspace=world.a.workspace, name=name)


def test_associating_an_asset_with_a_campaign_records_when(api: APIClient, world: World) -> None:
    asset, campaign = world.a["free_asset"], world.a["campaign"]
    at = "2026-01-05T10:00:00+00:00"
    response = api.post(
        ASSOCIATIONS,
        {"asset": asset.pk, "campaign": campaign.pk, "associated_at": at},
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["asset_type"], data["open"], data["associated_at"]) == (
        "form",
        True,
        "2026-01-05T10:00:00Z",
    )


def test_moving_an_asset_to_another_campaign_ends_the_old_association(
    api: APIClient, world: World
) -> None:
    asset, old = world.a["asset"], world.a["association"]
    new_campaign = _campaign(world, "Autumn")
    response = api.post(
        ASSOCIATIONS, {"asset": asset.pk, "campaign": new_campaign.pk}, format="json"
    )
    assert response.status_code == 201
    old.refresh_from_db()
    assert old.dissociated_at is not None
    history = api.get(ASSOCIATIONS, {"asset": asset.pk}).json()["results"]
    assert [(row["campaign"], row["open"]) for row in history] == [
        (world.a["campaign"].pk, False),
        (new_campaign.pk, True),
    ]
    assert api.get(f"{ASSETS}{asset.pk}/").json()["campaigns"] == [new_campaign.pk]


def test_a_workflow_may_belong_to_several_campaigns(api: APIClient, world: World) -> None:
    workflow = api.post(ASSETS, {"type": "workflow", "name": "Nurture"}, format="json").json()
    second = _campaign(world, "Second")
    for campaign in (world.a["campaign"], second):
        response = api.post(
            ASSOCIATIONS, {"asset": workflow["id"], "campaign": campaign.pk}, format="json"
        )
        assert response.status_code == 201
    assert sorted(api.get(f"{ASSETS}{workflow['id']}/").json()["campaigns"]) == sorted(
        [world.a["campaign"].pk, second.pk]
    )


def test_associating_twice_with_the_same_campaign_answers_the_rule_s_message(
    api: APIClient, world: World
) -> None:
    response = api.post(
        ASSOCIATIONS,
        {"asset": world.a["asset"].pk, "campaign": world.a["campaign"].pk},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "Page A is already associated with Campaign A."}


def test_a_campaign_past_the_social_post_cap_is_refused_with_the_cap_in_the_message(
    api: APIClient, world: World
) -> None:
    ws, campaign = world.a.workspace, world.a["campaign"]
    posts = Asset.objects.bulk_create(
        Asset(workspace=ws, type="social_post", name=f"Post {i}")
        for i in range(MAX_SOCIAL_POSTS_PER_CAMPAIGN + 1)
    )
    now = timezone.now() - timedelta(days=1)
    AssetAssociation.objects.bulk_create(
        AssetAssociation(
            workspace=ws, asset=p, campaign=campaign, asset_type="social_post", associated_at=now
        )
        for p in posts[:-1]
    )
    response = api.post(
        ASSOCIATIONS, {"asset": posts[-1].pk, "campaign": campaign.pk}, format="json"
    )
    assert response.status_code == 400
    assert "at most 10,000 social posts" in response.json()["detail"]
    assert not AssetAssociation.objects.filter(asset=posts[-1]).exists()


def test_an_association_is_ended_once_and_not_before_it_began(api: APIClient, world: World) -> None:
    row = world.a["association"]
    url = f"{ASSOCIATIONS}{row.pk}/end/"
    too_early = (row.associated_at - timedelta(days=1)).isoformat()
    refused = api.post(url, {"dissociated_at": too_early}, format="json")
    assert refused.status_code == 400
    assert "dissociated_at" in refused.json()
    ended = api.post(url, {}, format="json")
    assert ended.status_code == 200, ended.content
    assert ended.json()["open"] is False
    again = api.post(url, {}, format="json")
    assert again.status_code == 400
    assert "already ended" in again.json()["detail"]


def test_ending_an_old_association_never_ends_a_newer_one_of_the_same_pair(
    api: APIClient, world: World
) -> None:
    row, asset, campaign = world.a["association"], world.a["asset"], world.a["campaign"]
    api.post(f"{ASSOCIATIONS}{row.pk}/end/", {}, format="json")
    newer = api.post(ASSOCIATIONS, {"asset": asset.pk, "campaign": campaign.pk}, format="json")
    assert newer.status_code == 201
    assert api.post(f"{ASSOCIATIONS}{row.pk}/end/", {}, format="json").status_code == 400
    assert AssetAssociation.objects.get(pk=newer.json()["id"]).dissociated_at is None


def test_associations_are_filtered_by_campaign_and_state(api: APIClient, world: World) -> None:
    row = world.a["association"]
    open_rows = api.get(ASSOCIATIONS, {"campaign": world.a["campaign"].pk, "open": "true"})
    assert [r["id"] for r in open_rows.json()["results"]] == [row.pk]
    ended = api.get(ASSOCIATIONS, {"open": "false"})
    assert ended.json()["count"] == 0
