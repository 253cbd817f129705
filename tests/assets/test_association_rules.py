"""SPEC §2 association rules through assets.services, and campaign resolution at a time t."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from assets.models import AssetAssociation, AssetType
from assets.selectors import CampaignResolver, campaign_for_interaction, campaigns_for_asset_at
from assets.services import AssociationError, associate_asset, associate_assets, create_asset
from campaigns.models import Campaign

pytestmark = pytest.mark.django_db


def _campaign(ws: Any, name: str) -> Campaign:
    return Campaign.objects.create(workspace=ws, name=name)


def test_moving_an_asset_ends_its_old_association_and_keeps_the_history(world: Any) -> None:
    ws = world.a.workspace
    old, new = world.a["campaign"], _campaign(ws, "Autumn")
    asset = world.a["asset"]
    moved_at = timezone.now()

    associate_asset(asset=asset, campaign=new, at=moved_at)

    rows = list(AssetAssociation.objects.filter(asset=asset).order_by("associated_at"))
    assert [(r.campaign_id, r.dissociated_at) for r in rows] == [
        (old.pk, moved_at),
        (new.pk, None),
    ]


def test_an_asset_already_in_the_campaign_cannot_be_added_twice(world: Any) -> None:
    with pytest.raises(AssociationError, match="already associated"):
        associate_asset(asset=world.a["asset"], campaign=world.a["campaign"])


def test_a_workflow_can_be_in_several_campaigns_at_once(world: Any) -> None:
    ws = world.a.workspace
    workflow = create_asset(workspace=ws, type=AssetType.WORKFLOW, name="Nurture")
    first, second = _campaign(ws, "One"), _campaign(ws, "Two")

    associate_asset(asset=workflow, campaign=first)
    associate_asset(asset=workflow, campaign=second)

    open_rows = AssetAssociation.objects.filter(asset=workflow, dissociated_at__isnull=True)
    assert set(open_rows.values_list("campaign_id", flat=True)) == {first.pk, second.pk}


def test_the_social_post_cap_refuses_the_post_past_it_with_a_clear_message(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("assets.services.MAX_SOCIAL_POSTS_PER_CAMPAIGN", 2)
    ws, campaign = world.a.workspace, world.a["campaign"]
    posts = [
        create_asset(workspace=ws, type=AssetType.SOCIAL_POST, name=f"Post {i}") for i in range(3)
    ]
    associate_asset(asset=posts[0], campaign=campaign)
    associate_asset(asset=posts[1], campaign=campaign)

    with pytest.raises(AssociationError) as error:
        associate_asset(asset=posts[2], campaign=campaign)

    assert "at most 2 social posts" in str(error.value)
    assert campaign.name in str(error.value)
    assert not AssetAssociation.objects.filter(asset=posts[2]).exists()


def test_associating_several_assets_is_all_or_nothing(world: Any) -> None:
    ws, campaign = world.a.workspace, world.a["campaign"]
    fresh = create_asset(workspace=ws, type=AssetType.CTA, name="Fresh CTA")
    already_in = world.a["asset"]

    with pytest.raises(AssociationError):
        associate_assets(assets=[fresh, already_in], campaign=campaign)

    assert not AssetAssociation.objects.filter(asset=fresh).exists()


def test_several_social_posts_over_the_cap_are_refused_before_any_is_stored(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("assets.services.MAX_SOCIAL_POSTS_PER_CAMPAIGN", 2)
    ws, campaign = world.a.workspace, world.a["campaign"]
    posts = [
        create_asset(workspace=ws, type=AssetType.SOCIAL_POST, name=f"Post {i}") for i in range(3)
    ]

    with pytest.raises(AssociationError):
        associate_assets(assets=posts, campaign=campaign)

    assert not AssetAssociation.objects.filter(campaign=campaign, asset_type="social_post").exists()


def test_an_asset_cannot_join_another_workspaces_campaign(world: Any) -> None:
    with pytest.raises(AssociationError):
        associate_asset(asset=world.a["free_asset"], campaign=world.b["campaign"])
    assert not AssetAssociation.objects.filter(asset=world.a["free_asset"]).exists()


def test_resolution_before_during_and_after_a_move_agrees_in_both_resolvers(world: Any) -> None:
    ws = world.a.workspace
    first, second = _campaign(ws, "First"), _campaign(ws, "Second")
    asset = create_asset(workspace=ws, type=AssetType.FORM, name="Signup form")
    t0 = timezone.now() - timedelta(days=10)
    associate_asset(asset=asset, campaign=first, at=t0)
    moved = t0 + timedelta(days=5)
    associate_asset(asset=asset, campaign=second, at=moved)
    resolver = CampaignResolver(workspace_id=ws.pk)

    expected = {
        t0 - timedelta(seconds=1): None,  # before any association
        t0: first.pk,
        moved - timedelta(microseconds=1): first.pk,
        moved: second.pk,  # the new campaign gets only times from the move on
        moved + timedelta(days=3): second.pk,
    }
    for at, campaign_id in expected.items():
        assert campaign_for_interaction(workspace=ws, asset_id=asset.pk, at=at) == campaign_id
        assert resolver.campaign_for(asset.pk, at) == campaign_id


def test_a_workflow_in_two_campaigns_resolves_to_the_newest_in_both_resolvers(world: Any) -> None:
    ws = world.a.workspace
    first, second = _campaign(ws, "First"), _campaign(ws, "Second")
    workflow = create_asset(workspace=ws, type=AssetType.WORKFLOW, name="Flow")
    t0 = timezone.now() - timedelta(days=4)
    associate_asset(asset=workflow, campaign=first, at=t0)
    associate_asset(asset=workflow, campaign=second, at=t0 + timedelta(days=1))
    resolver = CampaignResolver(workspace_id=ws.pk)
    later = t0 + timedelta(days=2)

    assert campaigns_for_asset_at(workspace=ws, asset_id=workflow.pk, at=later) == [
        second.pk,
        first.pk,
    ]
    assert campaign_for_interaction(workspace=ws, asset_id=workflow.pk, at=later) == second.pk
    assert resolver.campaign_for(workflow.pk, later) == second.pk
    assert resolver.campaign_for(workflow.pk, t0 + timedelta(hours=1)) == first.pk


def test_an_asset_never_associated_resolves_to_no_campaign(world: Any) -> None:
    ws, asset = world.a.workspace, world.a["free_asset"]
    now = timezone.now()
    assert campaign_for_interaction(workspace=ws, asset_id=asset.pk, at=now) is None
    assert CampaignResolver(workspace_id=ws.pk).campaign_for(asset.pk, now) is None
    assert campaign_for_interaction(workspace=ws, asset_id=None, at=now) is None
