"""campaigns.services: create/update/delete with utm values, goals and spend, all or nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from assets.models import Asset, AssetAssociation
from campaigns.models import Campaign, CampaignGoal, CampaignUtm, SpendItem
from campaigns.services import (
    CampaignInput,
    SpendItemInput,
    create_campaign,
    delete_campaign,
    update_campaign,
)
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _spend(**overrides: Any) -> SpendItemInput:
    values: dict[str, Any] = {
        "name": "Agency",
        "amount": Decimal("1200.50"),
        "currency": "EUR",
        "spent_on": date(2024, 3, 1),
    }
    values.update(overrides)
    return SpendItemInput(**values)


def test_create_campaign_stores_utm_values_goals_and_spend(world: Any) -> None:
    ws = world.a.workspace
    campaign = create_campaign(
        workspace=ws,
        by=world.users["marketer"],
        data=CampaignInput(
            name="  Spring launch ",
            utm_values=["spring-24", " Spring-Email ", "spring-24", ""],
            start_date=date(2024, 3, 1),
            end_date=date(2024, 4, 30),
            owner=world.users["marketer"],
            status="active",
            goals={"sessions": Decimal(5000), "revenue": Decimal("25000.00"), "deals": None},
            spend_items=[_spend(), _spend(name="Ads", currency="dkk", amount=Decimal(800))],
        ),
    )
    assert campaign.name == "Spring launch"
    assert sorted(campaign.utms.values_list("value", flat=True)) == ["Spring-Email", "spring-24"]
    assert dict(campaign.goals.values_list("metric", "target")) == {
        "sessions": Decimal(5000),
        "revenue": Decimal("25000.00"),
    }
    assert sorted(campaign.spend_items.values_list("name", "currency")) == [
        ("Ads", "DKK"),
        ("Agency", "EUR"),
    ]


def test_a_bad_spend_row_stores_nothing_at_all(world: Any) -> None:
    ws = world.a.workspace
    before = (Campaign.objects.count(), CampaignUtm.objects.count(), SpendItem.objects.count())
    with pytest.raises(ValidationError) as error:
        create_campaign(
            workspace=ws,
            by=None,
            data=CampaignInput(
                name="Broken",
                utm_values=["broken"],
                goals={"sessions": Decimal(10)},
                spend_items=[_spend(), _spend(name="Bad", currency="euro")],
            ),
        )
    assert "Spend item 2" in " ".join(error.value.message_dict["spend_items"])
    after = (Campaign.objects.count(), CampaignUtm.objects.count(), SpendItem.objects.count())
    assert after == before
    assert not CampaignGoal.objects.filter(campaign__name="Broken").exists()


def test_a_utm_value_of_another_campaign_is_refused_whatever_its_case(world: Any) -> None:
    with pytest.raises(ValidationError) as error:
        create_campaign(
            workspace=world.a.workspace,
            by=None,
            data=CampaignInput(name="Copycat", utm_values=["UTM-ACME"]),
        )
    message = " ".join(error.value.message_dict["utm_values"])
    assert "UTM-ACME" in message and "Campaign A" in message
    assert not Campaign.objects.filter(name="Copycat").exists()


def test_another_workspaces_utm_value_is_free_to_use(world: Any) -> None:
    campaign = create_campaign(
        workspace=world.a.workspace,
        by=None,
        data=CampaignInput(name="Same utm as B", utm_values=["utm-other"]),
    )
    assert campaign.utms.get().value == "utm-other"


def test_an_end_date_before_the_start_date_is_refused_with_both_dates(world: Any) -> None:
    with pytest.raises(ValidationError) as error:
        create_campaign(
            workspace=world.a.workspace,
            by=None,
            data=CampaignInput(
                name="Backwards", start_date=date(2024, 5, 2), end_date=date(2024, 5, 1)
            ),
        )
    message = " ".join(error.value.message_dict["end_date"])
    assert "2024-05-01" in message and "2024-05-02" in message


def test_the_owner_must_be_a_member_of_the_workspace(world: Any) -> None:
    with pytest.raises(ValidationError) as error:
        create_campaign(
            workspace=world.a.workspace,
            by=None,
            data=CampaignInput(name="Owned by outsider", owner=world.users["outsider"]),
        )
    assert "owner" in error.value.message_dict
    stranger = make_user("stranger@example.test", "pw-123456789")
    with pytest.raises(ValidationError):
        create_campaign(
            workspace=world.a.workspace, by=None, data=CampaignInput(name="X", owner=stranger)
        )


def test_update_keeps_edits_and_deletes_spend_items_and_clears_blank_goals(world: Any) -> None:
    campaign, kept = world.a["campaign"], world.a["spend"]
    dropped = SpendItem.objects.create(
        workspace=campaign.workspace,
        campaign=campaign,
        name="Dropped",
        amount=Decimal(1),
        currency="EUR",
        spent_on=date(2024, 1, 1),
    )
    update_campaign(
        campaign=campaign,
        by=None,
        data=CampaignInput(
            name="Campaign A",
            utm_values=["UTM-acme", "second"],
            goals={"sessions": None, "new_contacts": Decimal(40)},
            spend_items=[
                _spend(id=kept.pk, name="Kept, renamed", amount=Decimal(11)),
                _spend(name="New one"),
            ],
        ),
    )
    assert sorted(campaign.spend_items.values_list("name", flat=True)) == [
        "Kept, renamed",
        "New one",
    ]
    assert SpendItem.objects.get(pk=kept.pk).amount == Decimal(11)
    assert not SpendItem.objects.filter(pk=dropped.pk).exists()
    assert dict(campaign.goals.values_list("metric", "target")) == {"new_contacts": Decimal(40)}
    # Its own value in another case is not a clash; the stored spelling follows the edit.
    assert sorted(campaign.utms.values_list("value", flat=True)) == ["UTM-acme", "second"]


def test_update_refuses_a_spend_item_of_another_campaign(world: Any) -> None:
    foreign_spend = world.b["spend"]
    original = (foreign_spend.name, foreign_spend.amount, foreign_spend.campaign_id)
    with pytest.raises(ValidationError):
        update_campaign(
            campaign=world.a["campaign"],
            by=None,
            data=CampaignInput(name="Campaign A", spend_items=[_spend(id=foreign_spend.pk)]),
        )
    foreign_spend.refresh_from_db()
    assert (foreign_spend.name, foreign_spend.amount, foreign_spend.campaign_id) == original


def test_saving_a_campaign_marks_the_workspace_data_as_changed(world: Any) -> None:
    ws = world.a.workspace
    before = ws.data_version
    create_campaign(workspace=ws, by=None, data=CampaignInput(name="New"))
    ws.refresh_from_db()
    assert ws.data_version == before + 1


def test_deleting_a_campaign_keeps_its_assets_and_ends_nothing_elsewhere(world: Any) -> None:
    campaign, asset = world.a["campaign"], world.a["asset"]
    delete_campaign(campaign=campaign, by=None)
    assert not Campaign.objects.filter(pk=campaign.pk).exists()
    assert Asset.objects.filter(pk=asset.pk).exists()
    assert not AssetAssociation.objects.filter(asset=asset).exists()
    assert Campaign.objects.filter(pk=world.b["campaign"].pk).exists()
