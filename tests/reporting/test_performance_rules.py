"""SPEC §4, one hand-computed scenario per rule, built through the services."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from assets.services import associate_asset
from tests.reporting.helpers import (
    asset,
    at,
    campaign,
    contact,
    report,
    touch,
    won_deal,
    workspace,
)
from tracking.models import Session, Visitor
from tracking.services import start_session
from workspaces.models import ExchangeRate, Workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def ws() -> Workspace:
    return workspace(revenue_window_days=3650)


def test_data_from_before_the_association_is_left_out_of_the_overview_but_kept_in_asset_reports(
    ws,
) -> None:
    spring = campaign(ws, "Spring")
    page = asset(ws, "landing_page", "Offer", None, at(1))
    early, late = contact(ws, "early@x.test", at(1)), contact(ws, "late@x.test", at(1))
    touch(ws, early, page, at(2))
    associate_asset(asset=page, campaign=spring, at=at(5))
    touch(ws, late, page, at(7))

    overview, drill = report(spring, "overview")
    assets, _ = report(spring, "assets")

    assert overview["influenced_contacts"]["value"] == 1
    assert drill["influenced_contacts"] == [late.pk]
    (section,) = assets["sections"]
    assert section["rows"][0]["metrics"]["views"] == 2
    assert section["rows"][0]["metrics"]["contacts"] == 2


def test_moving_an_asset_to_another_campaign_transfers_nothing(ws) -> None:
    first, second = campaign(ws, "First"), campaign(ws, "Second")
    page = asset(ws, "blog_post", "Post", first, at(1))
    reader_a, reader_b = contact(ws, "a@x.test", at(1)), contact(ws, "b@x.test", at(1))
    touch(ws, reader_a, page, at(3))
    associate_asset(asset=page, campaign=second, at=at(5))
    touch(ws, reader_b, page, at(7))

    assert report(first, "overview")[1]["influenced_contacts"] == [reader_a.pk]
    assert report(second, "overview")[1]["influenced_contacts"] == [reader_b.pk]


def test_new_contacts_follow_the_first_or_last_touch_filter(ws) -> None:
    spring, other = campaign(ws, "Spring"), campaign(ws, "Other")
    first_only = contact(
        ws, "f@x.test", at(3), first_touch_campaign_id=spring.pk, last_touch_campaign_id=other.pk
    )
    last_only = contact(
        ws, "l@x.test", at(4), first_touch_campaign_id=other.pk, last_touch_campaign_id=spring.pk
    )

    first = report(spring, "overview", touch="first")
    last = report(spring, "overview", touch="last")

    assert first[0]["new_contacts"]["value"] == 1 and first[1]["new_contacts"] == [first_only.pk]
    assert last[0]["new_contacts"]["value"] == 1 and last[1]["new_contacts"] == [last_only.pk]


def test_influenced_contacts_in_a_range_are_those_first_influenced_inside_it(ws) -> None:
    spring = campaign(ws, "Spring")
    form = asset(ws, "form", "Signup", spring, at(1))
    email = asset(ws, "marketing_email", "Mail", spring, at(1))
    old, new = contact(ws, "old@x.test", at(1)), contact(ws, "new@x.test", at(1))
    touch(ws, old, form, at(5), "form_submission")  # January
    touch(ws, old, email, at(41), "email_open")  # February again: not net-new
    touch(ws, new, email, at(42), "email_click")  # February, first time

    january = report(spring, "overview", start=date(2024, 1, 1), end=date(2024, 1, 31))[1]
    february = report(spring, "overview", start=date(2024, 2, 1), end=date(2024, 2, 29))[1]

    assert january["influenced_contacts"] == [old.pk]
    assert february["influenced_contacts"] == [new.pk]


def test_revenue_is_split_evenly_across_interactions_of_two_campaigns_sharing_a_deal(ws) -> None:
    spring, autumn = campaign(ws, "Spring"), campaign(ws, "Autumn")
    page_a = asset(ws, "landing_page", "A page", spring, at(1))
    page_b = asset(ws, "landing_page", "B page", autumn, at(1))
    buyer = contact(ws, "buyer@x.test", at(1))
    touch(ws, buyer, page_a, at(2))
    touch(ws, buyer, page_a, at(3))
    touch(ws, buyer, page_b, at(4))
    won_deal(ws, [buyer], "900.00", at(10))

    spring_rev, spring_drill = report(spring, "revenue")
    autumn_rev, _ = report(autumn, "revenue")

    assert spring_rev["revenue"] == "600.00"
    assert autumn_rev["revenue"] == "300.00"
    assert spring_rev["deals"] == autumn_rev["deals"] == 1
    assert spring_rev["associated_value"] == autumn_rev["associated_value"] == "900.00"
    assert spring_rev["contacts"] == 1
    assert [c["amount"] for c in spring_drill["credits"]] == ["300.00", "300.00"]


def test_revenue_window_setting_limits_how_far_back_deals_count(ws) -> None:
    now = timezone.now()
    spring = campaign(ws, "Spring")
    page = asset(ws, "landing_page", "Page", spring, now - timedelta(days=500))
    buyer = contact(ws, "buyer@x.test", now - timedelta(days=500))
    touch(ws, buyer, page, now - timedelta(days=450))
    won_deal(ws, [buyer], "100.00", now - timedelta(days=400))

    ws.revenue_window_days = 365
    ws.save()
    assert report(spring, "revenue")[0]["deals"] == 0
    ws.revenue_window_days = 3 * 365
    ws.save()
    assert report(spring, "revenue")[0]["revenue"] == "100.00"


def test_a_deal_associated_with_the_contact_after_it_closed_is_excluded(ws) -> None:
    spring = campaign(ws, "Spring")
    page = asset(ws, "landing_page", "Page", spring, at(1))
    buyer = contact(ws, "buyer@x.test", at(1))
    touch(ws, buyer, page, at(2))
    won_deal(ws, [buyer], "500.00", at(10), created=at(1), linked=at(11))

    assert report(spring, "revenue")[0]["deals"] == 0
    assert report(spring, "revenue_attribution")[0]["deals"] == 0


@pytest.mark.parametrize(
    ("model", "expected"),
    [("first_interaction", "1000.00"), ("last_interaction", "0.00"), ("linear", "500.00")],
)
def test_revenue_attribution_credits_the_campaign_under_the_chosen_model(
    ws, model: str, expected: str
) -> None:
    ws.tier = "enterprise"
    ws.save()
    spring, autumn = campaign(ws, "Spring"), campaign(ws, "Autumn")
    page_a = asset(ws, "landing_page", "A page", spring, at(1))
    page_b = asset(ws, "landing_page", "B page", autumn, at(1))
    buyer = contact(ws, "buyer@x.test", at(1))
    touch(ws, buyer, page_a, at(2))
    touch(ws, buyer, page_b, at(3))
    won_deal(ws, [buyer], "1000.00", at(10))

    payload, drill = report(spring, "revenue_attribution", model=model)

    assert payload["revenue"] == expected
    assert payload["deals"] == (0 if expected == "0.00" else 1)
    assert sum(Decimal(c["amount"]) for c in drill["credits"]) == Decimal(expected)


def test_static_lists_and_workflows_count_as_influence_but_earn_no_attributed_revenue(ws) -> None:
    spring, other = campaign(ws, "Spring"), campaign(ws, "Other")
    static_list = asset(ws, "static_list", "List", spring, at(1))
    flow = asset(ws, "workflow", "Nurture", spring, at(1))
    page = asset(ws, "landing_page", "Other page", other, at(1))
    buyer = contact(ws, "buyer@x.test", at(1))
    touch(ws, buyer, static_list, at(2), "list_membership")
    touch(ws, buyer, flow, at(3), "workflow_enrollment")
    touch(ws, buyer, page, at(4))
    won_deal(ws, [buyer], "800.00", at(10))

    assert report(spring, "overview")[0]["influenced_contacts"]["value"] == 1
    attribution = report(spring, "revenue_attribution")[0]
    assert attribution["revenue"] == "0.00" and attribution["deals"] == 0
    assert report(other, "revenue_attribution")[0]["revenue"] == "800.00"


def test_a_losing_ab_email_variant_earns_no_attributed_revenue(ws) -> None:
    spring = campaign(ws, "Spring")
    winner = asset(ws, "marketing_email", "Mail A", spring, at(1))
    loser = asset(ws, "marketing_email", "Mail B", spring, at(1))
    for mail, won in ((winner, True), (loser, False)):
        mail.ab_group, mail.ab_is_winner = "test", won
        mail.save()
    buyer = contact(ws, "buyer@x.test", at(1))
    touch(ws, buyer, winner, at(2), "email_click")
    touch(ws, buyer, loser, at(3), "email_click")
    won_deal(ws, [buyer], "100.00", at(10))

    _, drill = report(spring, "revenue_attribution", model="linear")

    assert [c["amount"] for c in drill["credits"]] == ["100.00"]


def test_a_tracking_url_asset_shows_only_after_a_visit_since_the_campaign_was_created(ws) -> None:
    spring = campaign(ws, "Spring", utm="spring")
    link = asset(ws, "tracking_url", "Link", None, at(1))
    link.url = "https://perf.example.com/go?utm_campaign=spring"
    link.normalized_url = "perf.example.com/go"
    link.save()
    associate_asset(asset=link, campaign=spring, at=timezone.now())

    before = report(spring, "assets")[0]
    visitor = Visitor.objects.create(workspace=ws, cookie_id="v1", first_seen_at=timezone.now())
    start_session(
        workspace=ws,
        visitor=visitor,
        started_at=timezone.now(),
        landing_url="https://perf.example.com/go?utm_campaign=spring",
    )
    after = report(spring, "assets")[0]

    assert before["sections"] == [] and before["hidden"] == 1
    assert [s["type"] for s in after["sections"]] == ["tracking_url"] and after["hidden"] == 0
    assert after["sections"][0]["rows"][0]["metrics"]["visits"] == 1


def test_days_are_bucketed_in_the_workspace_time_zone(ws) -> None:
    ws.time_zone = "Europe/Copenhagen"
    ws.save()
    spring = campaign(ws, "Spring")
    page = asset(ws, "landing_page", "Page", spring, at(1))
    late = contact(ws, "late@x.test", at(1))
    touch(ws, late, page, at(31, hour=23, minute=30))  # 2024-02-01 00:30 in Copenhagen

    series = report(spring, "contacts_sessions")[0]["daily"]
    january = report(spring, "overview", start=date(2024, 1, 31), end=date(2024, 1, 31))[0]
    february = report(spring, "overview", start=date(2024, 2, 1), end=date(2024, 2, 1))[0]

    assert [p["bucket"] for p in series] == ["2024-02-01"]
    assert january["influenced_contacts"]["value"] == 0
    assert february["influenced_contacts"]["value"] == 1


def test_revenue_is_converted_to_the_company_currency_at_the_close_days_rate(ws) -> None:
    spring = campaign(ws, "Spring")
    page = asset(ws, "landing_page", "Page", spring, at(1))
    buyer, other = contact(ws, "b@x.test", at(1)), contact(ws, "o@x.test", at(1))
    touch(ws, buyer, page, at(2))
    touch(ws, other, page, at(2))
    ExchangeRate.objects.create(
        workspace=ws, currency="DKK", rate=Decimal("0.134"), effective_date=date(2024, 1, 1)
    )
    ExchangeRate.objects.create(
        workspace=ws, currency="DKK", rate=Decimal("0.2"), effective_date=date(2024, 1, 20)
    )
    won_deal(ws, [buyer], "1000.00", at(10), currency="DKK")
    won_deal(ws, [other], "50.00", at(10), currency="SEK")

    payload = report(spring, "revenue")[0]

    assert payload["revenue"] == "134.00"
    assert len(payload["problems"]) == 1 and "SEK" in payload["problems"][0]


def test_a_pages_submissions_are_the_form_submissions_in_sessions_that_viewed_it(ws) -> None:
    spring = campaign(ws, "Spring")
    page = asset(ws, "landing_page", "Offer", spring, at(1))
    form = asset(ws, "form", "Signup", spring, at(1))
    visitor = Visitor.objects.create(workspace=ws, cookie_id="v-sub", first_seen_at=at(1))
    person = contact(ws, "sub@x.test", at(1))
    sessions = [
        Session.objects.create(
            workspace=ws,
            visitor=visitor,
            contact=person,
            started_at=at(day),
            last_activity_at=at(day),
            landing_url="https://perf.example.com/offer",
            source="direct_traffic",
        )
        for day in (2, 3)
    ]
    from tracking.services import record_interaction

    for session in sessions:
        record_interaction(
            workspace=ws,
            type="page_view",
            occurred_at=session.started_at,
            contact=person,
            asset=page,
            session=session,
        )
    record_interaction(
        workspace=ws,
        type="form_submission",
        occurred_at=at(2, minute=5),
        contact=person,
        asset=form,
        session=sessions[0],
    )

    sections = {s["type"]: s for s in report(spring, "assets")[0]["sections"]}

    assert sections["landing_page"]["rows"][0]["metrics"]["submissions"] == 1
    assert sections["landing_page"]["rows"][0]["metrics"]["sessions"] == 2
    assert sections["form"]["rows"][0]["metrics"]["submissions"] == 1
