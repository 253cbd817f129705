"""Sessions, page views and interactions as the tracking services record them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assets.models import AssetType
from assets.selectors import CampaignResolver
from assets.services import associate_asset, create_asset
from campaigns.models import Campaign, CampaignUtm
from crm.services import create_contact
from tracking.models import Interaction, InteractionType, PageView, Session, Visitor
from tracking.services import (
    IdAllocator,
    InteractionInput,
    PageViewInput,
    SessionInput,
    Touch,
    VisitorInput,
    bulk_create_visitors,
    bulk_record_interactions,
    bulk_record_page_views,
    bulk_start_sessions,
    conversion_touch_campaigns,
    first_touch_campaign,
    identify_visitor,
    last_touch_campaign,
    record_interaction,
    record_page_view,
    start_session,
)
from tracking.sources import SourceResult
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db

SITE = "https://www.nordlys.example"
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.get_fixed_timezone(0))


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


@pytest.fixture
def ws() -> Workspace:
    return Workspace.objects.create(
        name="Nordlys", slug="nordlys", allowed_domains=["www.nordlys.example"]
    )


@pytest.fixture
def other() -> Workspace:
    return Workspace.objects.create(name="Elsewhere", slug="elsewhere")


@pytest.fixture
def setup(ws: Workspace) -> dict[str, Any]:
    spring = Campaign.objects.create(workspace=ws, name="Spring")
    autumn = Campaign.objects.create(workspace=ws, name="Autumn")
    CampaignUtm.objects.create(workspace=ws, campaign=spring, value="Spring-2025")
    page = create_asset(
        workspace=ws, type=AssetType.LANDING_PAGE, name="Spring page", url=f"{SITE}/lp/spring"
    )
    form = create_asset(workspace=ws, type=AssetType.FORM, name="Spring form")
    visitor = Visitor.objects.create(workspace=ws, cookie_id="c1", first_seen_at=at(0))
    return {"spring": spring, "autumn": autumn, "page": page, "form": form, "visitor": visitor}


# --- campaign resolution at occurred_at --------------------------------------------------------
def test_an_interaction_before_the_association_counts_for_no_campaign(
    ws: Workspace, setup: dict[str, Any]
) -> None:
    associate_asset(asset=setup["page"], campaign=setup["spring"], at=at(5))
    before = record_interaction(
        workspace=ws,
        type=InteractionType.PAGE_VIEW,
        occurred_at=at(4),
        visitor=setup["visitor"],
        asset=setup["page"],
    )
    after = record_interaction(
        workspace=ws,
        type=InteractionType.PAGE_VIEW,
        occurred_at=at(6),
        visitor=setup["visitor"],
        asset=setup["page"],
    )
    assert before.campaign_id is None
    assert after.campaign_id == setup["spring"].pk


def test_after_a_reassociation_only_later_interactions_count_for_the_new_campaign(
    ws: Workspace, setup: dict[str, Any]
) -> None:
    associate_asset(asset=setup["page"], campaign=setup["spring"], at=at(1))
    associate_asset(asset=setup["page"], campaign=setup["autumn"], at=at(10))
    found = [
        record_interaction(
            workspace=ws,
            type=InteractionType.PAGE_VIEW,
            occurred_at=at(day),
            visitor=setup["visitor"],
            asset=setup["page"],
        ).campaign_id
        for day in (2, 9.9, 10, 11)
    ]
    spring, autumn = setup["spring"].pk, setup["autumn"].pk
    assert found == [spring, spring, autumn, autumn]


def test_the_bulk_path_resolves_campaigns_by_the_same_rule(
    ws: Workspace, setup: dict[str, Any]
) -> None:
    associate_asset(asset=setup["page"], campaign=setup["spring"], at=at(1))
    associate_asset(asset=setup["page"], campaign=setup["autumn"], at=at(10))
    days = (0.5, 2, 10, 12)
    written = bulk_record_interactions(
        workspace=ws,
        resolver=CampaignResolver(ws.pk),
        rows=[
            InteractionInput(
                InteractionType.CTA_VIEW, at(d), None, setup["visitor"].pk, setup["page"].pk
            )
            for d in days
        ],
    )
    assert written == 4
    stored = list(
        Interaction.objects.for_workspace(ws)
        .order_by("occurred_at")
        .values_list("campaign_id", flat=True)
    )
    assert stored == [None, setup["spring"].pk, setup["autumn"].pk, setup["autumn"].pk]


def test_the_bulk_path_refuses_an_asset_of_another_workspace(
    ws: Workspace, other: Workspace, setup: dict[str, Any]
) -> None:
    foreign = create_asset(workspace=other, type=AssetType.FORM, name="Theirs")
    rows = [
        InteractionInput(
            InteractionType.FORM_SUBMISSION, at(1), None, setup["visitor"].pk, foreign.pk
        )
    ]
    with pytest.raises(ValidationError, match="does not exist in this workspace"):
        bulk_record_interactions(workspace=ws, resolver=CampaignResolver(ws.pk), rows=rows)
    assert not Interaction.objects.exists()


def test_the_bulk_path_refuses_a_resolver_of_another_workspace(
    ws: Workspace, other: Workspace
) -> None:
    with pytest.raises(ValidationError, match="another workspace"):
        bulk_record_interactions(workspace=ws, resolver=CampaignResolver(other.pk), rows=[])


def test_an_interaction_needs_a_known_type_and_someone(
    ws: Workspace, setup: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError, match="not an interaction type"):
        record_interaction(workspace=ws, type="hug", occurred_at=at(1), visitor=setup["visitor"])
    with pytest.raises(ValidationError, match="contact or a visitor"):
        record_interaction(workspace=ws, type=InteractionType.PAGE_VIEW, occurred_at=at(1))


def test_a_reimported_external_id_is_stored_once(ws: Workspace, setup: dict[str, Any]) -> None:
    resolver = CampaignResolver(ws.pk)
    row = InteractionInput(
        InteractionType.MEETING_BOOKED, at(1), None, setup["visitor"].pk, external_id="crm-1"
    )
    assert bulk_record_interactions(workspace=ws, resolver=resolver, rows=[row, row]) == 1
    assert bulk_record_interactions(workspace=ws, resolver=resolver, rows=[row]) == 0
    first = record_interaction(
        workspace=ws,
        type=InteractionType.MEETING_BOOKED,
        occurred_at=at(1),
        visitor=setup["visitor"],
        external_id="crm-1",
    )
    assert Interaction.objects.for_workspace(ws).count() == 1
    assert first.external_id == "crm-1"


def test_an_object_of_another_workspace_is_refused(
    ws: Workspace, other: Workspace, setup: dict[str, Any]
) -> None:
    foreign_visitor = Visitor.objects.create(workspace=other, cookie_id="x", first_seen_at=at(0))
    with pytest.raises(ValidationError, match="another workspace"):
        record_interaction(
            workspace=ws, type=InteractionType.PAGE_VIEW, occurred_at=at(1), visitor=foreign_visitor
        )
    with pytest.raises(ValidationError, match="another workspace"):
        start_session(
            workspace=ws, visitor=foreign_visitor, started_at=at(1), landing_url=f"{SITE}/"
        )


# --- sessions ----------------------------------------------------------------------------------
def test_a_session_is_classified_and_matched_to_its_campaign_utm(
    ws: Workspace, setup: dict[str, Any]
) -> None:
    session = start_session(
        workspace=ws,
        visitor=setup["visitor"],
        started_at=at(1),
        landing_url=f"{SITE}/lp/spring?utm_source=google&utm_medium=cpc&utm_campaign=SPRING-2025"
        "&utm_term=gantt&gclid=abc",
        referrer="https://www.google.com/",
    )
    assert (session.source, session.source_detail_1) == ("paid_search", "gantt")
    assert session.utm_campaign_ref_id == setup["spring"].pk
    assert (session.utm_campaign, session.gclid, session.is_new_visitor) == (
        "SPRING-2025",
        "abc",
        True,
    )


def test_an_internal_referrer_continues_the_previous_sessions_source(
    ws: Workspace, setup: dict[str, Any]
) -> None:
    start_session(
        workspace=ws,
        visitor=setup["visitor"],
        started_at=at(1),
        landing_url=f"{SITE}/",
        referrer="https://l.facebook.com/",
    )
    later = start_session(
        workspace=ws,
        visitor=setup["visitor"],
        started_at=at(1.5),
        landing_url=f"{SITE}/pricing",
        referrer=f"{SITE}/features",
    )
    assert (later.source, later.source_detail_1, later.is_new_visitor) == (
        "organic_social",
        "facebook",
        False,
    )


def test_bulk_sessions_apply_the_same_classification(ws: Workspace, setup: dict[str, Any]) -> None:
    previous = SourceResult("email_marketing", "may")
    ids = bulk_start_sessions(
        workspace=ws,
        site_hosts=["www.nordlys.example"],
        utm_lookup={"spring-2025": setup["spring"].pk},
        rows=[
            SessionInput(
                visitor_id=setup["visitor"].pk,
                started_at=at(1),
                landing_url=f"{SITE}/?utm_source=linkedin&utm_medium=social&utm_campaign=spring-2025",
            ),
            SessionInput(
                visitor_id=setup["visitor"].pk,
                started_at=at(2),
                landing_url=f"{SITE}/pricing",
                referrer=f"{SITE}/",
                previous_source=previous,
            ),
        ],
    )
    first, second = (Session.objects.get(pk=i) for i in ids)
    assert (first.source, first.source_detail_1, first.utm_campaign_ref_id) == (
        "organic_social",
        "linkedin",
        setup["spring"].pk,
    )
    assert (second.source, second.source_detail_1) == ("email_marketing", "may")


def test_id_allocation_hands_out_unused_ids(ws: Workspace, setup: dict[str, Any]) -> None:
    allocator = IdAllocator(Visitor)
    first, second = allocator.take(3), allocator.take(2)
    assert len(set(first + second)) == 5
    assert not Visitor.objects.filter(pk__in=first + second).exists()
    ids = bulk_create_visitors(
        workspace=ws, rows=[VisitorInput(f"v{i}", at(1)) for i in range(3)], ids=first
    )
    assert sorted(Visitor.objects.filter(pk__in=ids).values_list("cookie_id", flat=True)) == [
        "v0",
        "v1",
        "v2",
    ]


def test_a_visitor_cookie_is_stored_once(ws: Workspace, setup: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="c1"):
        bulk_create_visitors(workspace=ws, rows=[VisitorInput("c1", at(1))])


# --- page views --------------------------------------------------------------------------------
def test_a_page_view_on_an_asset_is_also_a_campaign_interaction(
    ws: Workspace, setup: dict[str, Any]
) -> None:
    associate_asset(asset=setup["page"], campaign=setup["autumn"], at=at(0))
    session = start_session(
        workspace=ws,
        visitor=setup["visitor"],
        started_at=at(1),
        landing_url=f"{SITE}/lp/spring/?utm_campaign=spring-2025",
    )
    view = record_page_view(
        workspace=ws,
        session=session,
        url=f"{SITE}/lp/spring/?utm_campaign=spring-2025",
        occurred_at=at(1),
        event_id="e1",
    )
    again = record_page_view(
        workspace=ws, session=session, url=f"{SITE}/lp/spring", occurred_at=at(1), event_id="e1"
    )
    assert again.pk == view.pk and view.asset_id == setup["page"].pk
    interaction = Interaction.objects.get(workspace=ws)
    assert (interaction.type, interaction.campaign_id, interaction.utm_campaign_id) == (
        "page_view",
        setup["autumn"].pk,
        setup["spring"].pk,
    )
    session.refresh_from_db()
    assert session.page_view_count == 1


def test_bulk_page_views_match_assets_by_url_and_resolve_campaigns(
    ws: Workspace, setup: dict[str, Any]
) -> None:
    associate_asset(asset=setup["page"], campaign=setup["spring"], at=at(0))
    session = start_session(
        workspace=ws, visitor=setup["visitor"], started_at=at(1), landing_url=f"{SITE}/"
    )
    views, interactions = bulk_record_page_views(
        workspace=ws,
        resolver=CampaignResolver(ws.pk),
        asset_lookup={"nordlys.example/lp/spring": setup["page"].pk},
        rows=[
            PageViewInput(session.pk, setup["visitor"].pk, f"{SITE}/", at(1)),
            PageViewInput(
                session.pk, setup["visitor"].pk, "http://nordlys.example/lp/spring/", at(1.001)
            ),
        ],
    )
    assert (views, interactions) == (2, 1)
    assert PageView.objects.for_workspace(ws).filter(asset=setup["page"]).count() == 1
    assert Interaction.objects.get(workspace=ws).campaign_id == setup["spring"].pk


# --- identification and touches ----------------------------------------------------------------
def test_identifying_a_visitor_links_its_past_sessions_and_interactions(
    ws: Workspace, setup: dict[str, Any]
) -> None:
    session = start_session(
        workspace=ws, visitor=setup["visitor"], started_at=at(1), landing_url=f"{SITE}/lp/spring"
    )
    record_page_view(workspace=ws, session=session, url=f"{SITE}/lp/spring", occurred_at=at(1))
    contact = create_contact(workspace=ws, email="ida@fjord.example", created_at=at(1.01))
    assert identify_visitor(visitor=setup["visitor"], contact=contact, at=at(1.01)) == 1
    assert Interaction.objects.get(workspace=ws).contact_id == contact.pk
    assert Session.objects.get(pk=session.pk).contact_id == contact.pk


def test_first_touch_prefers_the_utm_over_the_asset_campaign() -> None:
    assert first_touch_campaign(Touch(campaign_id=1, utm_campaign_id=2)) == 2
    assert first_touch_campaign(Touch(campaign_id=1)) == 1
    assert first_touch_campaign(None) is None


def test_last_touch_order_conversion_page_utm_then_form_then_latest_campaign_page() -> None:
    pages = [Touch(utm_campaign_id=7), Touch(campaign_id=3), Touch()]
    assert last_touch_campaign(session_pages=pages, form=Touch(campaign_id=5)) == 5
    assert last_touch_campaign(session_pages=pages, form=Touch()) == 3
    assert (
        last_touch_campaign(
            session_pages=[*pages, Touch(utm_campaign_id=9)], form=Touch(campaign_id=5)
        )
        == 9
    )
    assert last_touch_campaign(session_pages=[Touch()], form=None) is None


def test_conversion_touches_are_read_from_the_stored_page_views(
    ws: Workspace, setup: dict[str, Any]
) -> None:
    associate_asset(asset=setup["form"], campaign=setup["autumn"], at=at(0))
    first = start_session(
        workspace=ws,
        visitor=setup["visitor"],
        started_at=at(1),
        landing_url=f"{SITE}/lp/spring?utm_campaign=spring-2025",
    )
    record_page_view(
        workspace=ws,
        session=first,
        url=f"{SITE}/lp/spring?utm_campaign=spring-2025",
        occurred_at=at(1),
    )
    second = start_session(
        workspace=ws, visitor=setup["visitor"], started_at=at(3), landing_url=f"{SITE}/lp/spring"
    )
    record_page_view(workspace=ws, session=second, url=f"{SITE}/lp/spring", occurred_at=at(3))
    first_touch, last_touch = conversion_touch_campaigns(
        workspace=ws,
        visitor_id=setup["visitor"].pk,
        session_id=second.pk,
        converted_at=at(3.01),
        form_asset_id=setup["form"].pk,
    )
    assert (first_touch, last_touch) == (setup["spring"].pk, setup["autumn"].pk)
