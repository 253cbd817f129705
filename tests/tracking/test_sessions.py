"""Sessions built from collected page views: the 30-minute rule, campaign arrivals, traffic
sources on real URLs, asset matching, the campaign of each interaction at its moment, and ad
clicks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from assets.models import AssetType
from assets.services import associate_asset, create_asset, dissociate_asset
from campaigns.models import Campaign, CampaignUtm
from tests.conftest import World
from tests.tracking.test_collector_support import (
    A_HOST,
    collect,
    fresh_tracking,
    minutes_ago,
    tracked_world,
)
from tracking.models import Interaction, PageView, Session
from tracking.services import update_allowed_domains

__all__ = ["fresh_tracking", "tracked_world"]

pytestmark = pytest.mark.django_db

PAGE = f"https://{A_HOST}/pricing"


def sessions(ws: Any, visitor: str = "visitor-0001") -> list[Session]:
    return list(
        Session.objects.filter(workspace=ws, visitor__cookie_id=visitor).order_by("started_at")
    )


# --- The 30-minute rule ---------------------------------------------------------------------------
def test_page_views_less_than_30_minutes_apart_share_a_session(tracked_world: World) -> None:
    ws = tracked_world.a.workspace
    collect(ws, url=PAGE, at=minutes_ago(100))
    collect(ws, url=f"https://{A_HOST}/features", at=minutes_ago(71), referrer=PAGE)
    [session] = sessions(ws)
    assert session.page_view_count == 2
    assert session.landing_url == PAGE
    assert session.last_activity_at == PageView.objects.latest("occurred_at").occurred_at


def test_more_than_30_minutes_without_a_page_view_starts_a_new_session(
    tracked_world: World,
) -> None:
    ws = tracked_world.a.workspace
    collect(ws, url=PAGE, at=minutes_ago(100))
    collect(ws, url=f"https://{A_HOST}/features", at=minutes_ago(69))
    first, second = sessions(ws)
    assert second.landing_url == f"https://{A_HOST}/features"
    assert first.is_new_visitor and not second.is_new_visitor


def test_the_30_minutes_count_from_the_last_page_view_not_the_first(
    tracked_world: World,
) -> None:
    ws = tracked_world.a.workspace
    for minutes in (120, 95, 70, 45, 20):
        collect(ws, url=f"https://{A_HOST}/p{minutes}", at=minutes_ago(minutes))
    [session] = sessions(ws)
    assert session.page_view_count == 5


def test_a_late_event_joins_the_session_it_happened_in(tracked_world: World) -> None:
    ws = tracked_world.a.workspace
    collect(ws, url=PAGE, at=minutes_ago(100))
    collect(ws, url=f"https://{A_HOST}/b", at=minutes_ago(90))
    # Arrives last but happened between the two.
    collect(ws, url=f"https://{A_HOST}/a", at=minutes_ago(95))
    [session] = sessions(ws)
    assert session.page_view_count == 3


# --- New campaign arrivals ------------------------------------------------------------------------
def test_arriving_from_a_campaign_starts_a_new_session_even_within_30_minutes(
    tracked_world: World,
) -> None:
    ws = tracked_world.a.workspace
    collect(ws, url=PAGE, at=minutes_ago(60))
    spring = f"{PAGE}?utm_source=newsletter&utm_medium=email&utm_campaign=spring"
    collect(ws, url=spring, at=minutes_ago(55))
    collect(ws, url=spring, at=minutes_ago(54))  # a reload of the same link: same session
    collect(ws, url=f"https://{A_HOST}/next", at=minutes_ago(53))  # no params: same session
    collect(ws, url=f"{PAGE}?gclid=abc123", at=minutes_ago(50))  # an ad click: new session
    first, second, third = sessions(ws)
    assert first.page_view_count == 1 and first.source == "direct_traffic"
    assert second.page_view_count == 3
    assert (second.utm_campaign, second.utm_medium, second.source) == (
        "spring",
        "email",
        "email_marketing",
    )
    assert third.gclid == "abc123" and third.source == "paid_search"


def test_the_session_keeps_its_first_page_referrer_utm_params_and_click_ids(
    tracked_world: World,
) -> None:
    ws = tracked_world.a.workspace
    url = (
        f"{PAGE}?utm_source=google&utm_medium=cpc&utm_campaign=brand&utm_term=crm+software"
        "&utm_content=ad-1&gclid=G1&fbclid=F1&li_fat_id=L1"
    )
    collect(ws, url=url, referrer="https://www.google.com/", at=minutes_ago(5))
    [s] = sessions(ws)
    assert (s.landing_url, s.referrer) == (url, "https://www.google.com/")
    assert (s.utm_source, s.utm_medium, s.utm_campaign, s.utm_term, s.utm_content) == (
        "google",
        "cpc",
        "brand",
        "crm software",
        "ad-1",
    )
    assert (s.gclid, s.fbclid, s.li_fat_id) == ("G1", "F1", "L1")
    assert (s.source, s.source_detail_1) == ("paid_search", "crm software")


# --- Traffic sources on real URLs -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("landing", "referrer", "source", "detail_1", "detail_2"),
    [
        (
            "?utm_source=facebook&utm_medium=social",
            "https://m.facebook.com/",
            "organic_social",
            "facebook",
            "",
        ),
        ("?source=adwords&keyword=crm", "", "paid_search", "crm", ""),
        ("?gclid=Cj0KCQiA", "https://www.google.com/", "paid_search", "", ""),
        (
            "?utm_source=linkedin&utm_medium=paid",
            "https://www.linkedin.com/",
            "paid_social",
            "linkedin",
            "",
        ),
        ("?utm_source=meta&utm_medium=paidsocial", "", "paid_social", "facebook", ""),
        (
            "?utm_source=partner&utm_campaign=spring",
            "https://www.google.dk/",
            "paid_search",
            "",
            "",
        ),
        (
            "?utm_source=bing&utm_medium=ppc&utm_term=attribution",
            "",
            "paid_search",
            "attribution",
            "",
        ),
        (
            "?utm_source=newsletter&utm_medium=email&utm_campaign=may",
            "",
            "email_marketing",
            "may",
            "",
        ),
        ("?utm_source=podcast&utm_medium=audio", "", "other_campaigns", "podcast", "audio"),
        ("", "https://t.co/abc", "organic_social", "x", ""),
        ("", "https://mail.google.com/mail/u/0/", "direct_traffic", "", ""),
        ("", "https://www.bing.com/search?q=touchpoint", "organic_search", "bing", ""),
        ("", "https://news.example.org/article", "referrals", "news.example.org", ""),
        ("", "", "direct_traffic", "", ""),
    ],
)
def test_each_session_gets_the_source_of_the_first_matching_rule(
    tracked_world: World, landing: str, referrer: str, source: str, detail_1: str, detail_2: str
) -> None:
    ws = tracked_world.a.workspace
    collect(ws, url=PAGE + landing, referrer=referrer, at=minutes_ago(5))
    [s] = sessions(ws)
    assert (s.source, s.source_detail_1, s.source_detail_2) == (source, detail_1, detail_2)


def test_an_internal_referrer_keeps_the_previous_sessions_source(tracked_world: World) -> None:
    ws = tracked_world.a.workspace
    collect(ws, url=PAGE, referrer="https://www.google.com/search?q=x", at=minutes_ago(120))
    # An hour later, a page opened from a tab on the site itself.
    collect(ws, url=f"https://{A_HOST}/features", referrer=PAGE, at=minutes_ago(60))
    first, second = sessions(ws)
    assert first.source == second.source == "organic_search"
    assert second.source_detail_1 == "google"


def test_a_subdomain_of_an_allowed_domain_is_internal_too(tracked_world: World) -> None:
    ws = tracked_world.a.workspace
    update_allowed_domains(workspace=ws, domains=["example.com"])
    ws.refresh_from_db()
    collect(ws, url=PAGE, referrer="https://news.ycombinator.com/", at=minutes_ago(120))
    collect(
        ws, url=f"https://{A_HOST}/x", referrer="https://blog.example.com/post", at=minutes_ago(60)
    )
    first, second = sessions(ws)
    assert (first.source, second.source) == ("referrals", "referrals")
    assert second.source_detail_1 == "news.ycombinator.com"


def test_with_no_allow_list_the_pages_own_host_is_internal(
    world: World, fresh_tracking: None
) -> None:
    ws = world.a.workspace
    collect(ws, url="https://site.test/a", referrer="https://site.test/", at=minutes_ago(5))
    [s] = sessions(ws)
    # Internal referrer and no earlier session: direct traffic, not a referral from itself.
    assert s.source == "direct_traffic"


# --- Assets and campaigns -------------------------------------------------------------------------
def test_a_page_view_is_matched_to_the_asset_at_its_normalised_url(tracked_world: World) -> None:
    a = tracked_world.a
    view = collect(
        a.workspace, url=f"https://www.{A_HOST}/landing/?utm_source=x#top", at=minutes_ago(5)
    )
    assert view.asset == a["asset"]
    interaction = Interaction.objects.get(workspace=a.workspace, session=view.session)
    assert interaction.type == "page_view"
    assert interaction.asset == a["asset"]
    assert interaction.session == view.session
    assert interaction.visitor == view.visitor
    assert interaction.contact is None
    assert interaction.source == view.session.source


def test_a_page_that_is_no_asset_is_a_page_view_without_an_interaction(
    tracked_world: World,
) -> None:
    ws = tracked_world.a.workspace
    view = collect(ws, url=f"https://{A_HOST}/not-an-asset", at=minutes_ago(5))
    assert view.asset is None
    assert not Interaction.objects.filter(workspace=ws, session=view.session).exists()


def test_an_interaction_before_the_asset_was_associated_counts_for_no_campaign(
    tracked_world: World,
) -> None:
    a = tracked_world.a
    page = create_asset(
        workspace=a.workspace,
        type=AssetType.WEBSITE_PAGE,
        name="Offer",
        url=f"https://{A_HOST}/offer",
    )
    associate_asset(asset=page, campaign=a["campaign"], at=minutes_ago(60))
    before = collect(a.workspace, url=f"https://{A_HOST}/offer", at=minutes_ago(90))
    after = collect(a.workspace, url=f"https://{A_HOST}/offer", at=minutes_ago(30))
    by_view = {
        i.occurred_at: i.campaign_id
        for i in Interaction.objects.filter(workspace=a.workspace, asset=page)
    }
    assert by_view == {before.occurred_at: None, after.occurred_at: a["campaign"].pk}


def test_after_a_reassociation_only_later_interactions_go_to_the_new_campaign(
    tracked_world: World,
) -> None:
    a = tracked_world.a
    other = Campaign.objects.create(workspace=a.workspace, name="Autumn")
    early = collect(a.workspace, url=f"https://{A_HOST}/landing", at=minutes_ago(120))
    dissociate_asset(asset=a["asset"], campaign=a["campaign"], at=minutes_ago(100))
    associate_asset(asset=a["asset"], campaign=other, at=minutes_ago(100))
    late = collect(a.workspace, url=f"https://{A_HOST}/landing", at=minutes_ago(10))
    campaign_of = {
        i.occurred_at: i.campaign_id
        for i in Interaction.objects.filter(
            workspace=a.workspace, asset=a["asset"], visitor__cookie_id="visitor-0001"
        )
    }
    assert campaign_of[early.occurred_at] == a["campaign"].pk
    assert campaign_of[late.occurred_at] == other.pk


def test_the_campaign_whose_utm_campaign_the_url_carried_is_recorded(
    tracked_world: World,
) -> None:
    a = tracked_world.a
    utm = a["utm"].value.upper()  # matched case-insensitively
    view = collect(
        a.workspace, url=f"https://{A_HOST}/landing?utm_campaign={utm}", at=minutes_ago(5)
    )
    assert view.session.utm_campaign_ref == a["campaign"]
    interaction = Interaction.objects.get(workspace=a.workspace, session=view.session)
    assert interaction.utm_campaign == a["campaign"]


def test_a_utm_value_of_another_workspace_matches_nothing(tracked_world: World) -> None:
    a, b = tracked_world.a, tracked_world.b
    b_value = CampaignUtm.objects.get(workspace=b.workspace).value
    view = collect(a.workspace, url=f"https://{A_HOST}/x?utm_campaign={b_value}", at=minutes_ago(5))
    assert view.session.utm_campaign_ref is None


# --- Ad clicks ------------------------------------------------------------------------------------
def test_a_click_id_with_the_ad_campaigns_name_links_the_session_to_the_ad(
    tracked_world: World,
) -> None:
    a = tracked_world.a
    name = a["ad_campaign"].name.replace(" ", "+")
    view = collect(a.workspace, url=f"{PAGE}?gclid=XYZ&utm_campaign={name}", at=minutes_ago(5))
    assert view.session.ad == a["ad"]


def test_auto_tagged_ad_urls_name_the_ad(tracked_world: World) -> None:
    a = tracked_world.a
    acc = a["ad_account"].external_id
    view = collect(
        a.workspace,
        url=f"{PAGE}?hsa_acc={acc}&hsa_cam=c1&hsa_grp=g1&hsa_ad=a1&hsa_net=adwords&gclid=Q",
        at=minutes_ago(5),
    )
    assert view.session.ad == a["ad"]


def test_a_click_id_alone_identifies_no_ad(tracked_world: World) -> None:
    view = collect(tracked_world.a.workspace, url=f"{PAGE}?fbclid=IwAR0", at=minutes_ago(5))
    assert view.session.ad is None


def test_a_click_id_of_another_network_does_not_match_the_campaign(tracked_world: World) -> None:
    a = tracked_world.a  # its ad account is a Google one
    name = a["ad_campaign"].name.replace(" ", "+")
    view = collect(a.workspace, url=f"{PAGE}?fbclid=F&utm_campaign={name}", at=minutes_ago(5))
    assert view.session.ad is None


def test_sessions_are_for_one_visitor_at_a_time(tracked_world: World) -> None:
    ws = tracked_world.a.workspace
    collect(ws, url=PAGE, at=minutes_ago(10), visitor="visitor-aaaa")
    collect(ws, url=PAGE, at=minutes_ago(9), visitor="visitor-bbbb")
    assert len(sessions(ws, "visitor-aaaa")) == len(sessions(ws, "visitor-bbbb")) == 1
    assert Session.objects.filter(workspace=ws).count() == 3  # + the world's own session


def test_a_session_start_is_never_before_its_first_page_view(tracked_world: World) -> None:
    ws = tracked_world.a.workspace
    view = collect(ws, url=PAGE, at=minutes_ago(10))
    assert view.session.started_at == view.occurred_at
    assert view.session.started_at - view.visitor.first_seen_at == timedelta(0)
