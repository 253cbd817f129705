"""campaigns.selectors: list search/sort, spend in the company currency, the campaign's assets."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from assets.models import AssetType
from assets.selectors import landing_url_regex
from assets.services import associate_asset, create_asset, normalize_url
from campaigns.models import Campaign, CampaignUtm, SpendItem
from campaigns.selectors import (
    HiddenReason,
    campaign_assets,
    campaign_spend,
    campaigns_for_list,
    published_outside_dates,
    visited_since,
)
from tracking.models import Interaction, Session, Visitor
from workspaces.models import ExchangeRate
from workspaces.selectors import MissingExchangeRate, convert_to_company_currency

# --- Currency -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_conversion_uses_the_rate_effective_on_the_day(world: Any) -> None:
    ws = world.a.workspace  # EUR; world has DKK 0.134 from today
    ExchangeRate.objects.create(
        workspace=ws, currency="DKK", rate=Decimal("0.13"), effective_date=date(2024, 1, 1)
    )
    ExchangeRate.objects.create(
        workspace=ws, currency="DKK", rate=Decimal("0.14"), effective_date=date(2024, 6, 1)
    )
    convert = convert_to_company_currency
    assert convert(
        workspace=ws, amount=Decimal(100), currency="DKK", on=date(2024, 5, 31)
    ) == Decimal("13.00")
    assert convert(
        workspace=ws, amount=Decimal(100), currency="DKK", on=date(2024, 6, 1)
    ) == Decimal("14.00")
    assert convert(
        workspace=ws, amount=Decimal(100), currency="EUR", on=date(2000, 1, 1)
    ) == Decimal(100)
    with pytest.raises(MissingExchangeRate, match="DKK"):
        convert(workspace=ws, amount=Decimal(1), currency="DKK", on=date(2023, 12, 31))


@pytest.mark.django_db
def test_another_workspaces_rates_are_never_used(world: Any) -> None:
    ExchangeRate.objects.create(
        workspace=world.b.workspace,
        currency="SEK",
        rate=Decimal("0.09"),
        effective_date=date(2020, 1, 1),
    )
    with pytest.raises(MissingExchangeRate):
        convert_to_company_currency(
            workspace=world.a.workspace, amount=Decimal(1), currency="SEK", on=date(2024, 1, 1)
        )


@pytest.mark.django_db
def test_total_spend_converts_each_item_and_explains_the_ones_it_cannot(world: Any) -> None:
    campaign = world.a["campaign"]  # holds 10 EUR spent today
    ws = campaign.workspace
    ExchangeRate.objects.create(
        workspace=ws, currency="DKK", rate=Decimal("0.1342"), effective_date=date(2024, 1, 1)
    )
    for amount, currency, day in [
        ("1000", "DKK", date(2024, 2, 1)),
        ("50", "USD", date(2024, 2, 1)),
    ]:
        SpendItem.objects.create(
            workspace=ws,
            campaign=campaign,
            name=currency,
            amount=Decimal(amount),
            currency=currency,
            spent_on=day,
        )
    spend = campaign_spend(campaign=campaign)
    assert spend.currency == "EUR"
    assert spend.total == Decimal("144.20")  # 10 + 134.20; the USD item has no rate
    assert [line.item.currency for line in spend.unconverted] == ["USD"]
    assert "USD" in spend.unconverted[0].problem


# --- The list -------------------------------------------------------------------------------------


@pytest.fixture
def three_campaigns(world: Any) -> dict[str, Campaign]:
    ws = world.a.workspace
    found = {
        "alpha": Campaign.objects.create(
            workspace=ws,
            name="alpha",
            status="completed",
            start_date=date(2024, 1, 1),
            end_date=date(2024, 2, 1),
            owner=world.users["viewer"],
        ),
        "Beta": Campaign.objects.create(
            workspace=ws,
            name="Beta",
            status="active",
            start_date=date(2024, 3, 1),
            owner=world.users["admin"],
        ),
        "gamma": Campaign.objects.create(workspace=ws, name="gamma", status="planned"),
    }
    CampaignUtm.objects.create(workspace=ws, campaign=found["gamma"], value="black-friday")
    return found


def _names(qs: Any) -> list[str]:
    return [c.name for c in qs]


@pytest.mark.django_db
def test_search_matches_the_name_or_a_utm_value(world: Any, three_campaigns: Any) -> None:
    ws = world.a.workspace
    assert _names(campaigns_for_list(workspace=ws, search="BET")) == ["Beta"]
    assert _names(campaigns_for_list(workspace=ws, search="friday")) == ["gamma"]
    assert _names(campaigns_for_list(workspace=ws, search="CANARY")) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["alpha", "Beta", "Campaign A", "gamma"]),  # case-insensitive
        ("-name", ["gamma", "Campaign A", "Beta", "alpha"]),
        # planned (newest first on ties), active, completed
        ("status", ["gamma", "Campaign A", "Beta", "alpha"]),
        ("start_date", ["alpha", "Beta", "Campaign A", "gamma"]),  # no start date goes last
        ("-start_date", ["Campaign A", "Beta", "alpha", "gamma"]),
        ("end_date", ["alpha", "gamma", "Beta", "Campaign A"]),  # no end date goes last
        ("owner", ["Beta", "alpha", "gamma", "Campaign A"]),  # admin@, viewer@, no owner last
        ("-created", ["gamma", "Beta", "alpha", "Campaign A"]),
    ],
)
def test_the_list_sorts_by_each_column(
    world: Any, three_campaigns: Any, sort: str, expected: list[str]
) -> None:
    assert _names(campaigns_for_list(workspace=world.a.workspace, sort=sort)) == expected


@pytest.mark.django_db
def test_the_list_filters_by_status_and_counts_current_assets(
    world: Any, three_campaigns: Any
) -> None:
    ws = world.a.workspace
    assert _names(campaigns_for_list(workspace=ws, status="active")) == ["Beta"]
    counts = {c.name: c.asset_count for c in campaigns_for_list(workspace=ws)}
    assert counts == {"alpha": 0, "Beta": 0, "gamma": 0, "Campaign A": 1}


@pytest.mark.django_db
def test_the_list_never_includes_another_workspaces_campaigns(world: Any) -> None:
    assert _names(campaigns_for_list(workspace=world.a.workspace)) == ["Campaign A"]


# --- The campaign's assets ------------------------------------------------------------------------


def _visit(ws: Any, url: str, at: datetime) -> Session:
    visitor, _ = Visitor.objects.get_or_create(
        workspace=ws, cookie_id="visitor-x", defaults={"first_seen_at": at}
    )
    return Session.objects.create(
        workspace=ws,
        visitor=visitor,
        started_at=at,
        last_activity_at=at,
        landing_url=url,
        source="paid_search",
    )


@pytest.mark.django_db
def test_assets_are_grouped_by_type_with_their_association(world: Any) -> None:
    campaign = world.a["campaign"]
    ws = campaign.workspace
    form = world.a["free_asset"]
    associate_asset(asset=form, campaign=campaign)
    assets = campaign_assets(campaign=campaign)
    assert [(g.type, [i.asset.name for i in g.items]) for g in assets.groups] == [
        ("landing_page", ["Page A"]),
        ("form", ["Form A"]),
    ]
    assert assets.hidden == [] and assets.shown_count == 2
    assert ws.pk == assets.groups[0].items[0].association.workspace_id


@pytest.mark.django_db
def test_social_posts_are_hidden_until_published(world: Any) -> None:
    campaign = world.a["campaign"]
    ws, now = campaign.workspace, timezone.now()
    draft = create_asset(workspace=ws, type=AssetType.SOCIAL_POST, name="Draft")
    scheduled = create_asset(
        workspace=ws,
        type=AssetType.SOCIAL_POST,
        name="Scheduled",
        published_at=now + timedelta(days=1),
    )
    live = create_asset(
        workspace=ws, type=AssetType.SOCIAL_POST, name="Live", published_at=now - timedelta(days=1)
    )
    for asset in (draft, scheduled, live):
        associate_asset(asset=asset, campaign=campaign)

    assets = campaign_assets(campaign=campaign, now=now)

    shown = [i.asset.name for g in assets.groups for i in g.items]
    assert "Live" in shown and "Draft" not in shown and "Scheduled" not in shown
    assert sorted(i.asset.name for i in assets.hidden_unpublished) == ["Draft", "Scheduled"]
    assert {i.hidden_reason for i in assets.hidden} == {HiddenReason.NOT_PUBLISHED}


@pytest.mark.django_db
def test_paid_search_and_tracking_urls_show_only_after_a_visit_after_campaign_creation(
    world: Any,
) -> None:
    campaign = world.a["campaign"]
    ws = campaign.workspace
    created = campaign.created_at
    paid = create_asset(
        workspace=ws,
        type=AssetType.PAID_SEARCH,
        name="Brand terms",
        url="https://acme.example.com/offer",
    )
    link = create_asset(
        workspace=ws,
        type=AssetType.TRACKING_URL,
        name="Newsletter link",
        url="https://acme.example.com/nl",
    )
    clicked = create_asset(workspace=ws, type=AssetType.PAID_SEARCH, name="Generic terms")
    for asset in (paid, link, clicked):
        associate_asset(asset=asset, campaign=campaign)
    # A visit before the campaign existed does not count; a look-alike URL does not count.
    _visit(ws, "https://acme.example.com/nl?utm_campaign=x", created - timedelta(days=1))
    _visit(ws, "https://acme.example.com/offer-2", created + timedelta(minutes=1))
    # A matching visit after creation (other case, www, query string) does.
    _visit(ws, "http://www.ACME.example.com/offer/?gclid=abc", created + timedelta(minutes=2))
    Interaction.objects.create(
        workspace=ws, asset=clicked, type="ad_click", occurred_at=created + timedelta(minutes=3)
    )

    assets = campaign_assets(campaign=campaign)

    shown = {i.asset.name for g in assets.groups for i in g.items}
    assert {"Brand terms", "Generic terms"} <= shown
    assert [i.asset.name for i in assets.hidden_unvisited] == ["Newsletter link"]


@pytest.mark.django_db
def test_visits_in_another_workspace_do_not_reveal_an_asset(world: Any) -> None:
    campaign = world.a["campaign"]
    ws = campaign.workspace
    link = create_asset(
        workspace=ws, type=AssetType.TRACKING_URL, name="Link", url="https://shared.example.com/x"
    )
    _visit(
        world.b.workspace, "https://shared.example.com/x", campaign.created_at + timedelta(hours=1)
    )
    assert visited_since(workspace=ws, assets=[link], since=campaign.created_at) == set()


@pytest.mark.django_db
def test_an_asset_published_outside_the_campaign_dates_is_flagged(world: Any) -> None:
    ws = world.a.workspace
    ws.time_zone = "Europe/Copenhagen"
    campaign = Campaign(
        workspace=ws, name="May", start_date=date(2024, 5, 1), end_date=date(2024, 5, 31)
    )
    before = create_asset(
        workspace=ws,
        type=AssetType.BLOG_POST,
        name="Old",
        url="https://a.example/old",
        published_at=datetime.fromisoformat("2024-04-30T21:59:00+00:00"),  # 23:59 in Copenhagen
    )
    first_day = create_asset(
        workspace=ws,
        type=AssetType.BLOG_POST,
        name="First",
        url="https://a.example/first",
        published_at=datetime.fromisoformat("2024-04-30T22:00:00+00:00"),  # 00:00 on 1 May
    )
    after = create_asset(
        workspace=ws,
        type=AssetType.BLOG_POST,
        name="Late",
        url="https://a.example/late",
        published_at=datetime.fromisoformat("2024-06-01T10:00:00+00:00"),
    )
    never = create_asset(workspace=ws, type=AssetType.FORM, name="Unpublished")
    assert published_outside_dates(asset=before, campaign=campaign)
    assert not published_outside_dates(asset=first_day, campaign=campaign)
    assert published_outside_dates(asset=after, campaign=campaign)
    assert not published_outside_dates(asset=never, campaign=campaign)
    open_ended = Campaign(workspace=ws, name="Open", start_date=date(2024, 5, 1))
    assert not published_outside_dates(asset=after, campaign=open_ended)


# --- URL matching ---------------------------------------------------------------------------------

_segment = st.text(alphabet="abcXYZ019-_.~%", min_size=1, max_size=8)
_host = st.lists(
    st.text(alphabet="abcdexyz019-", min_size=1, max_size=6), min_size=2, max_size=3
).map(".".join)


@given(
    scheme=st.sampled_from(["http://", "https://", "HTTPS://", "//", ""]),
    www=st.booleans(),
    host=_host,
    path=st.lists(_segment, max_size=3),
    trailing=st.sampled_from(["", "/", "//"]),
    tail=st.sampled_from(["", "?gclid=1", "#top", "?a=b#c"]),
    port=st.sampled_from(["", ":8080"]),
)
def test_the_landing_url_regex_matches_exactly_the_urls_with_that_normalised_form(
    scheme: str, www: bool, host: str, path: list[str], trailing: str, tail: str, port: str
) -> None:
    subdomain = "www." if www else ""
    url = f"{scheme}{subdomain}{host}{port}{''.join('/' + p for p in path)}{trailing}{tail}"
    target = normalize_url(url)
    assert re.search(landing_url_regex(target), url, re.IGNORECASE), (url, target)


@pytest.mark.parametrize(
    "url",
    [
        "https://acme.example.com/landing-2",
        "https://acme.example.com/landing/more",
        "https://xacme.example.com/landing",
        "https://acme.example.com.evil.test/landing",
        "https://evil.test/acme.example.com/landing",
        "https://evil.test/?next=acme.example.com/landing",
    ],
)
def test_the_landing_url_regex_does_not_match_look_alikes(url: str) -> None:
    assert normalize_url(url) != "acme.example.com/landing"
    assert not re.search(landing_url_regex("acme.example.com/landing"), url, re.IGNORECASE)
