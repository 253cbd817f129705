"""Ad account / campaign / group / ad / keyword / daily metric upserts (ads.services)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ads.models import AdCampaign, AdMetricDaily
from ads.services import (
    DailyMetric,
    upsert_ad,
    upsert_ad_account,
    upsert_ad_campaign,
    upsert_ad_group,
    upsert_daily_metrics,
    upsert_keyword,
)
from assets.models import AssetType
from assets.services import create_asset
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db
DAY = date(2025, 5, 1)


@pytest.fixture
def ws() -> Workspace:
    return Workspace.objects.create(name="Nordlys", slug="nordlys")


@pytest.fixture
def tree(ws: Workspace) -> dict[str, object]:
    account = upsert_ad_account(
        workspace=ws, network="google", external_id="123", name="Google", currency="eur"
    )
    campaign = upsert_ad_campaign(account=account, external_id="c1", name="Search")
    group = upsert_ad_group(ad_campaign=campaign, external_id="g1", name="Generic")
    ad = upsert_ad(ad_group=group, external_id="a1", name="Text ad")
    keyword = upsert_keyword(
        ad_group=group, external_id="k1", text="gantt chart", match_type="exact"
    )
    return {"account": account, "campaign": campaign, "group": group, "ad": ad, "keyword": keyword}


def test_a_second_sync_updates_instead_of_duplicating(ws: Workspace, tree: dict) -> None:
    again = upsert_ad_campaign(
        account=tree["account"], external_id="c1", name="Search (renamed)", status="paused"
    )
    assert again.pk == tree["campaign"].pk
    assert AdCampaign.objects.for_workspace(ws).count() == 1
    assert (again.name, again.status) == ("Search (renamed)", "paused")
    assert tree["account"].currency == "EUR"


def test_an_unknown_network_or_status_is_refused_with_its_name(ws: Workspace, tree: dict) -> None:
    with pytest.raises(ValidationError, match="tiktok"):
        upsert_ad_account(workspace=ws, network="tiktok", external_id="1", name="T", currency="EUR")
    with pytest.raises(ValidationError, match="archived"):
        upsert_ad_group(ad_campaign=tree["campaign"], external_id="g2", name="G", status="archived")


def test_an_asset_of_another_workspace_cannot_be_linked(tree: dict) -> None:
    elsewhere = Workspace.objects.create(name="Elsewhere", slug="elsewhere")
    asset = create_asset(workspace=elsewhere, type=AssetType.PAID_SEARCH, name="Theirs")
    with pytest.raises(ValidationError, match="another workspace"):
        upsert_ad_campaign(account=tree["account"], external_id="c9", name="X", asset=asset)


def test_daily_metrics_are_replaced_not_duplicated(ws: Workspace, tree: dict) -> None:
    row = DailyMetric(
        date=DAY,
        ad_campaign_id=tree["campaign"].pk,
        ad_group_id=tree["group"].pk,
        keyword_id=tree["keyword"].pk,
        impressions=100,
        clicks=5,
        spend=Decimal("7.5"),
    )
    assert upsert_daily_metrics(workspace=ws, rows=[row]) == (1, 0)
    newer = DailyMetric(**{**row.__dict__, "clicks": 6, "spend": Decimal("9")})
    assert upsert_daily_metrics(workspace=ws, rows=[newer]) == (0, 1)
    stored = AdMetricDaily.objects.get(workspace=ws)
    assert (stored.clicks, stored.spend) == (6, Decimal("9.00"))


def test_a_metric_row_must_sit_in_its_own_hierarchy(ws: Workspace, tree: dict) -> None:
    other_campaign = upsert_ad_campaign(account=tree["account"], external_id="c2", name="Other")
    bad = DailyMetric(date=DAY, ad_campaign_id=other_campaign.pk, ad_group_id=tree["group"].pk)
    with pytest.raises(ValidationError, match="Row 1: The ad group is not part"):
        upsert_daily_metrics(workspace=ws, rows=[bad])
    negative = DailyMetric(date=DAY, ad_campaign_id=tree["campaign"].pk, clicks=-1)
    with pytest.raises(ValidationError, match="clicks"):
        upsert_daily_metrics(workspace=ws, rows=[negative])
    assert not AdMetricDaily.objects.exists()


def test_metrics_for_another_workspaces_campaign_are_refused(ws: Workspace, tree: dict) -> None:
    elsewhere = Workspace.objects.create(name="Elsewhere", slug="elsewhere")
    row = DailyMetric(date=DAY, ad_campaign_id=tree["campaign"].pk, clicks=1)
    with pytest.raises(ValidationError, match="does not exist in this workspace"):
        upsert_daily_metrics(workspace=elsewhere, rows=[row])
