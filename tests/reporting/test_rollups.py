"""Stored rollups: built in bulk, rebuilt when the data changed, read by the reports."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.management import call_command

from assets.services import associate_asset
from reporting import rollups, tasks
from reporting.models import AssetDaily, CampaignInfluenceFact, RollupState, TrafficDaily
from tests.reporting.helpers import asset, at, campaign, contact, report, touch, workspace
from tracking.models import Session, Visitor
from tracking.signals import events_processed
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def ws() -> Workspace:
    return workspace(time_zone="Europe/Copenhagen")


def _session(ws: Workspace, day: int, **fields: Any) -> Session:
    visitor, _ = Visitor.objects.get_or_create(
        workspace=ws, cookie_id=fields.pop("cookie", "v1"), defaults={"first_seen_at": at(1)}
    )
    return Session.objects.create(
        workspace=ws,
        visitor=visitor,
        started_at=at(day, hour=fields.pop("hour", 12)),
        last_activity_at=at(day),
        landing_url="https://perf.example.com/?utm_campaign=spring",
        **fields,
    )


def test_a_report_rebuilds_stale_rollups_and_stamps_them_with_the_data_version(ws) -> None:
    spring = campaign(ws, "Spring")
    page = asset(ws, "landing_page", "Offer", spring, at(1))
    touch(ws, contact(ws, "a@x.test", at(1)), page, at(2))

    report(spring, "overview")
    ws.refresh_from_db()
    state = RollupState.objects.get(campaign=spring)
    assert state.built_version == ws.data_version
    assert list(CampaignInfluenceFact.objects.values_list("campaign_id", flat=True)) == [spring.pk]

    touch(ws, contact(ws, "b@x.test", at(1)), page, at(3))  # a write bumps the version
    assert report(spring, "overview")[0]["influenced_contacts"]["value"] == 2


def test_rollups_follow_a_reassociation_without_transferring_earlier_data(ws) -> None:
    first, second = campaign(ws, "First"), campaign(ws, "Second")
    page = asset(ws, "blog_post", "Post", first, at(1))
    touch(ws, contact(ws, "a@x.test", at(1)), page, at(3))
    report(first, "overview"), report(second, "assets")  # rollups built before the move

    associate_asset(asset=page, campaign=second, at=at(5))
    touch(ws, contact(ws, "b@x.test", at(1)), page, at(7))

    assert report(first, "overview")[0]["influenced_contacts"]["value"] == 1
    assert report(second, "overview")[0]["influenced_contacts"]["value"] == 1
    (section,) = report(second, "assets")[0]["sections"]
    assert section["rows"][0]["metrics"]["views"] == 2  # the asset's whole history


def test_traffic_is_rolled_up_per_local_day_and_read_for_a_date_range(ws) -> None:
    spring = campaign(ws, "Spring", utm="spring")
    # 2024-01-31 23:30 UTC is February 1st in Copenhagen.
    _session(
        ws,
        31,
        hour=23,
        source="other_campaigns",
        utm_campaign_ref=spring,
        source_detail_1="partner",
        page_view_count=3,
        is_new_visitor=True,
    )
    _session(
        ws,
        30,
        source="other_campaigns",
        utm_campaign_ref=spring,
        source_detail_1="partner",
        page_view_count=2,
        cookie="v2",
    )

    february = report(spring, "traffic", start=date(2024, 2, 1), end=date(2024, 2, 29))[0]
    everything = report(spring, "traffic")[0]

    assert sorted(TrafficDaily.objects.values_list("day", flat=True)) == [
        date(2024, 1, 30),
        date(2024, 2, 1),
    ]
    assert february["totals"] == {"views": 3, "new_visitor_sessions": 1, "contacts": 0}
    assert everything["totals"] == {"views": 5, "new_visitor_sessions": 1, "contacts": 0}


def test_asset_rollups_count_each_interaction_type_per_local_day(ws) -> None:
    spring = campaign(ws, "Spring")
    mail = asset(ws, "marketing_email", "Mail", spring, at(1))
    reader = contact(ws, "r@x.test", at(1))
    for kind in ("email_sent", "email_delivered", "email_open", "email_open"):
        touch(ws, reader, mail, at(2), kind)

    (section,) = report(spring, "assets")[0]["sections"]

    opens = AssetDaily.objects.get(asset=mail, kind="email_open")
    assert (opens.day, opens.n) == (date(2024, 1, 2), 2)
    assert section["rows"][0]["metrics"] == {
        "sent": 1,
        "delivered": 1,
        "opens": 2,
        "clicks": 0,
        "open_rate": "200.0",
        "click_rate": "0.0",
    }


def test_the_bulk_rebuild_and_its_command_rebuild_every_campaign_of_the_workspace(ws) -> None:
    spring, autumn = campaign(ws, "Spring"), campaign(ws, "Autumn")
    page = asset(ws, "landing_page", "Offer", spring, at(1))
    touch(ws, contact(ws, "a@x.test", at(1)), page, at(2))

    assert tasks.rebuild_workspace_rollups(ws.pk) == 2
    assert rollups.rebuild_workspace_rollups(workspace_id=ws.pk, only_stale=True) == 0
    call_command("rebuild_rollups", workspace=ws.slug, verbosity=0)

    ws.refresh_from_db()
    assert set(RollupState.objects.values_list("campaign_id", "built_version")) == {
        (spring.pk, ws.data_version),
        (autumn.pk, ws.data_version),
    }
    assert CampaignInfluenceFact.objects.filter(campaign=spring).count() == 1


def test_processed_events_queue_a_refresh_of_the_campaigns_someone_viewed(
    ws, django_capture_on_commit_callbacks: Any
) -> None:
    spring, other = campaign(ws, "Spring"), campaign(ws, "Other")
    page = asset(ws, "landing_page", "Offer", spring, at(1))
    report(spring, "overview")
    from reporting import services
    from reporting.compute.periods import Period

    services.request_report(
        campaign=spring, report="overview", filters=services.ReportFilters(Period(None, None))
    )
    touch(ws, contact(ws, "a@x.test", at(1)), page, at(2))  # rollups now stale

    with django_capture_on_commit_callbacks(execute=True):
        events_processed.send(sender=Workspace, workspace_id=ws.pk)

    ws.refresh_from_db()
    assert RollupState.objects.get(campaign=spring).built_version == ws.data_version
    assert not RollupState.objects.filter(campaign=other).exists()  # never viewed: left alone


def test_the_workers_store_the_revenue_credits_the_tab_opens_with(ws) -> None:
    from attribution.models import CreditRun

    spring = campaign(ws, "Spring")
    page = asset(ws, "landing_page", "Offer", spring, at(1))
    touch(ws, contact(ws, "a@x.test", at(1)), page, at(2))

    tasks.rebuild_workspace_rollups(ws.pk)
    ws.refresh_from_db()
    stored = CreditRun.objects.filter(workspace=ws, kind="revenue", data_version=ws.data_version)
    assert list(stored.values_list("model", flat=True)) == ["even_split"]  # Professional

    ws.tier = "enterprise"
    ws.save(update_fields=["tier"])
    touch(ws, contact(ws, "b@x.test", at(1)), page, at(3))  # new data: the rollups are stale
    ws.refresh_from_db()
    stored = CreditRun.objects.filter(workspace=ws, kind="revenue", data_version=ws.data_version)
    tasks.refresh_rollups(ws.pk, [spring.pk])
    assert stored.filter(model="linear").exists()


def test_a_refresh_with_no_stale_rollups_computes_no_credits(ws) -> None:
    from attribution.models import CreditRun

    spring = campaign(ws, "Spring")
    page = asset(ws, "landing_page", "Offer", spring, at(1))
    touch(ws, contact(ws, "a@x.test", at(1)), page, at(2))
    tasks.refresh_rollups(ws.pk, [spring.pk])
    assert CreditRun.objects.filter(workspace=ws).count() == 1

    CreditRun.objects.filter(workspace=ws).delete()
    assert tasks.refresh_rollups(ws.pk, [spring.pk]) == 0  # current: nothing rebuilt
    assert not CreditRun.objects.filter(workspace=ws).exists()
