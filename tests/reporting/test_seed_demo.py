"""`manage.py seed_demo`: idempotent, deterministic, and its world obeys the product's rules.

The small demo is seeded once for the module (a few seconds) and removed afterwards; every test
reads it. Determinism is checked on a tiny scale so the suite stays fast.
"""

from __future__ import annotations

import io
import random
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Min
from django.test.utils import CaptureQueriesContext

from ads.models import AdAccount, AdCampaign, AdMetricDaily
from assets.models import Asset, AssetAssociation, AssetType
from assets.selectors import CampaignResolver, campaign_for_interaction
from campaigns.models import Campaign, CampaignUtm
from crm.models import Contact, CreationChannel, Deal, DealContact, LifecycleStageChange
from reporting.demo import catalog as C
from reporting.demo.config import SCALES, Scale
from reporting.demo.models import DemoSeed
from reporting.demo.runner import DemoError, _wipe, count_rows, seed_demo
from tracking.models import Interaction, InteractionType, PageView, Session
from tracking.services import conversion_touch_campaigns
from tracking.sources import DIRECT_TRAFFIC, classify_session
from workspaces.models import Membership, Workspace
from workspaces.selectors import company_currency_converter

END = date(2025, 6, 1)


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with django_db_blocker.unblock():
        out = io.StringIO()
        call_command(
            "seed_demo",
            workspace="Demo Test",
            scale="small",
            tier="enterprise",
            seed=7,
            end_date=END,
            stdout=out,
        )
        workspace = Workspace.objects.get(slug="demo-test")
        yield {"ws": workspace, "output": out.getvalue()}
        for leftover in Workspace.objects.filter(demo_seed__isnull=False):
            _wipe(leftover)
        get_user_model().objects.filter(email__in=[u[0] for u in C.DEMO_USERS]).delete()


@pytest.fixture
def ws(demo: dict[str, Any], db: Any) -> Workspace:
    return Workspace.objects.get(pk=demo["ws"].pk)


# --- running it --------------------------------------------------------------------------------
def test_it_reports_the_login_and_what_it_made(demo: dict[str, Any], db: Any) -> None:
    output = demo["output"]
    assert "http://127.0.0.1:8000/" in output
    assert "demo@touchpoint.local / touchpoint-demo" in output
    assert "interactions" in output and "sessions" in output


def test_the_login_url_uses_the_port_from_the_environment(
    demo: dict[str, Any], db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORT", "8123")
    out = io.StringIO()
    call_command("seed_demo", workspace="Demo Test", scale="small", stdout=out)
    assert "http://127.0.0.1:8123/" in out.getvalue()


def test_a_second_run_writes_nothing_and_keeps_the_counts(ws: Workspace) -> None:
    before = count_rows(ws)
    out = io.StringIO()
    call_command("seed_demo", workspace="Demo Test", scale="small", stdout=out)
    assert "already holds small demo data" in out.getvalue()
    assert count_rows(ws) == before == DemoSeed.objects.get(workspace=ws).counts


def test_another_scale_without_reset_is_refused(ws: Workspace) -> None:
    with pytest.raises(CommandError, match="--reset"):
        call_command("seed_demo", workspace="Demo Test", scale="medium", stdout=io.StringIO())


def test_a_workspace_it_did_not_make_is_never_touched(db: Any) -> None:
    Workspace.objects.create(name="Real customer", slug="real-customer")
    with pytest.raises(CommandError, match="not made by the demo generator"):
        call_command(
            "seed_demo", workspace="Real customer", scale="small", reset=True, stdout=io.StringIO()
        )
    assert Workspace.objects.filter(slug="real-customer").exists()


def test_the_demo_users_can_log_in_with_their_roles(ws: Workspace) -> None:
    roles = dict(Membership.objects.for_workspace(ws).values_list("user__email", "role"))
    assert roles == {
        "demo@touchpoint.local": "admin",
        "marketer@touchpoint.local": "marketer",
        "viewer@touchpoint.local": "viewer",
    }
    user = get_user_model().objects.get(email="demo@touchpoint.local")
    assert user.check_password("touchpoint-demo")


def test_the_data_version_was_bumped(ws: Workspace) -> None:
    assert ws.data_version > 1
    assert ws.tier == "enterprise"


# --- what it made ------------------------------------------------------------------------------
def test_every_asset_type_is_present(ws: Workspace) -> None:
    types = set(Asset.objects.for_workspace(ws).values_list("type", flat=True))
    assert types == set(AssetType.values)


def test_the_association_stories_are_all_there(ws: Workspace) -> None:
    assocs = AssetAssociation.objects.for_workspace(ws).select_related("campaign", "asset")
    # An asset moved from one campaign to another (history kept).
    moved = assocs.filter(dissociated_at__isnull=False, exclusive=True)
    assert moved.exists()
    for old in moved:
        assert (
            assocs.filter(asset=old.asset, associated_at=old.dissociated_at)
            .exclude(campaign=old.campaign)
            .exists()
        )
    # A workflow in two campaigns at once.
    open_workflows = assocs.filter(asset_type=AssetType.WORKFLOW, dissociated_at__isnull=True)
    per_workflow = defaultdict(set)
    for a in open_workflows:
        per_workflow[a.asset_id].add(a.campaign_id)
    assert any(len(c) >= 2 for c in per_workflow.values())
    # Assets associated after their campaign launched, and published outside its dates.
    start_of = {c.pk: c.start_date for c in Campaign.objects.for_workspace(ws)}
    assert any(
        a.associated_at.date() > start_of[a.campaign_id] for a in assocs if start_of[a.campaign_id]
    )
    assert any(
        a.asset.published_at and a.asset.published_at.date() < start_of[a.campaign_id]
        for a in assocs
        if start_of[a.campaign_id]
    )


def test_an_ab_email_pair_has_exactly_one_winner(ws: Workspace) -> None:
    groups = defaultdict(list)
    for group, winner in (
        Asset.objects.for_workspace(ws).exclude(ab_group="").values_list("ab_group", "ab_is_winner")
    ):
        groups[group].append(winner)
    assert groups
    assert all(len(w) == 2 and sorted(w) == [False, True] for w in groups.values())


def test_unpublished_social_posts_have_no_clicks(ws: Workspace) -> None:
    drafts = Asset.objects.for_workspace(ws).filter(
        type=AssetType.SOCIAL_POST, published_at__isnull=True
    )
    assert drafts.exists()
    assert not Interaction.objects.for_workspace(ws).filter(asset__in=drafts).exists()


def test_every_interaction_counts_for_the_campaign_holding_its_asset_then(ws: Workspace) -> None:
    resolver = CampaignResolver(ws.pk)
    rows = list(
        Interaction.objects.for_workspace(ws).values_list("asset_id", "occurred_at", "campaign_id")
    )
    assert sum(1 for _, _, c in rows if c) > 1000
    assert all(resolver.campaign_for(a, t) == c for a, t, c in rows)
    for asset_id, occurred_at, campaign_id in random.Random(1).sample(rows, 150):
        found = campaign_for_interaction(workspace=ws, asset_id=asset_id, at=occurred_at)
        assert found == campaign_id


def test_every_session_carries_the_source_its_urls_classify_to(ws: Workspace) -> None:
    hosts = ws.allowed_domains
    previous: dict[int, tuple[str, str, str]] = {}
    checked = continued = 0
    sessions = Session.objects.for_workspace(ws).order_by("visitor_id", "started_at", "id")
    for s in sessions.iterator():
        got = (s.source, s.source_detail_1, s.source_detail_2)
        result = classify_session(landing_url=s.landing_url, referrer=s.referrer, site_hosts=hosts)
        if result.continues_previous:
            continued += 1
            assert got == previous.get(s.visitor_id, (DIRECT_TRAFFIC, "", ""))
        else:
            assert got == (result.source, result.detail_1, result.detail_2), s.landing_url
        previous[s.visitor_id] = got
        checked += 1
    assert checked > 5000 and continued > 0


def test_the_source_mix_is_realistic(ws: Workspace) -> None:
    sources = set(Session.objects.for_workspace(ws).values_list("source", flat=True))
    assert sources == {
        "organic_search",
        "paid_search",
        "organic_social",
        "paid_social",
        "email_marketing",
        "other_campaigns",
        "referrals",
        "direct_traffic",
    }
    paid = Session.objects.for_workspace(ws).filter(source="paid_search")
    assert paid.exclude(source_detail_1="").exists() and paid.exclude(gclid="").exists()
    assert (
        Session.objects.for_workspace(ws).exclude(fbclid="").filter(source="paid_social").exists()
    )


def test_utm_campaign_refs_match_the_campaign_utm_values(ws: Workspace) -> None:
    values = {
        v.lower(): c
        for v, c in CampaignUtm.objects.for_workspace(ws).values_list("value", "campaign")
    }
    rows = Session.objects.for_workspace(ws).values_list("utm_campaign", "utm_campaign_ref_id")
    assert any(ref for _, ref in rows)
    assert all(values.get(utm.lower()) == ref for utm, ref in rows)


def test_ad_click_sessions_are_linked_to_ads_with_click_ids(ws: Workspace) -> None:
    linked = Session.objects.for_workspace(ws).filter(ad__isnull=False).select_related("ad")
    assert linked.exists()
    for s in linked[:300]:
        assert s.ad.workspace_id == ws.pk
        assert s.gclid or s.fbclid or s.li_fat_id or s.utm_medium


def test_page_views_are_interactions_on_page_assets(ws: Workspace) -> None:
    views = PageView.objects.for_workspace(ws)
    assert views.filter(asset__isnull=True).count() == 0
    page_interactions = Interaction.objects.for_workspace(ws).filter(type=InteractionType.PAGE_VIEW)
    assert page_interactions.count() == views.count()
    assert set(page_interactions.values_list("asset__type", flat=True)) <= {
        "blog_post",
        "website_page",
        "landing_page",
    }


def test_web_form_contacts_were_created_after_their_first_session_by_a_form(ws: Workspace) -> None:
    first_seen = dict(
        Session.objects.for_workspace(ws)
        .values("contact_id")
        .annotate(first=Min("started_at"))
        .values_list("contact_id", "first")
    )
    submitted = set(
        Interaction.objects.for_workspace(ws)
        .filter(type=InteractionType.FORM_SUBMISSION)
        .values_list("contact_id", "occurred_at")
    )
    web = Contact.objects.for_workspace(ws).filter(creation_channel=CreationChannel.WEB_FORM)
    assert web.count() == SCALES["small"].web_contacts
    for contact_id, created_at in web.values_list("id", "created_at"):
        assert first_seen[contact_id] <= created_at
        assert (contact_id, created_at) in submitted


def test_imported_contacts_come_from_offline_sources_without_sessions(ws: Workspace) -> None:
    offline = Contact.objects.for_workspace(ws).exclude(creation_channel=CreationChannel.WEB_FORM)
    assert offline.count() == SCALES["small"].imported_contacts
    assert set(offline.values_list("original_source", flat=True)) == {"offline_sources"}
    web_sources = set(
        Contact.objects.for_workspace(ws)
        .filter(creation_channel=CreationChannel.WEB_FORM)
        .values_list("original_source", flat=True)
    )
    assert "offline_sources" not in web_sources and "" not in web_sources


def test_first_and_last_touch_follow_the_spec_rules(ws: Workspace) -> None:
    web = list(
        Contact.objects.for_workspace(ws)
        .filter(creation_channel=CreationChannel.WEB_FORM)
        .values_list("id", "created_at", "first_touch_campaign_id", "last_touch_campaign_id")
    )
    assert sum(1 for c in web if c[2]) > 50 and sum(1 for c in web if c[3]) > 50
    forms = {
        (i.contact_id, i.occurred_at): i
        for i in Interaction.objects.for_workspace(ws)
        .filter(type=InteractionType.FORM_SUBMISSION)
        .select_related("session")
    }
    for contact_id, created_at, first, last in random.Random(3).sample(web, 60):
        submission = forms[(contact_id, created_at)]
        assert conversion_touch_campaigns(
            workspace=ws,
            visitor_id=submission.session.visitor_id,
            session_id=submission.session_id,
            converted_at=created_at,
            form_asset_id=submission.asset_id,
        ) == (first, last)


def test_lifecycle_history_ends_in_the_current_stage(ws: Workspace) -> None:
    last_stage: dict[int, str] = {}
    for contact_id, stage in (
        LifecycleStageChange.objects.for_workspace(ws)
        .order_by("contact_id", "changed_at", "id")
        .values_list("contact_id", "stage")
    ):
        last_stage[contact_id] = stage
    current = dict(Contact.objects.for_workspace(ws).values_list("id", "lifecycle_stage"))
    assert last_stage == current
    assert {"customer", "opportunity", "salesqualifiedlead", "marketingqualifiedlead"} <= set(
        current.values()
    )


def test_deals_are_coherent_with_their_contacts(ws: Workspace) -> None:
    deals = Deal.objects.for_workspace(ws)
    assert deals.count() > 40
    assert {"open", "closed_won", "closed_lost"} == set(deals.values_list("stage", flat=True))
    assert set(deals.values_list("currency", flat=True)) == {"EUR", "DKK"}
    late = 0
    links = DealContact.objects.for_workspace(ws).select_related("deal", "contact")
    for link in links:
        deal, contact = link.deal, link.contact
        assert contact.workspace_id == ws.pk
        assert link.associated_at >= contact.created_at
        assert link.associated_at >= deal.created_at
        if deal.closed_at:
            assert deal.closed_at >= deal.created_at
            late += link.associated_at > deal.closed_at
    assert late >= 3
    won_contacts = set(links.filter(deal__stage="closed_won").values_list("contact_id", flat=True))
    customers = Contact.objects.for_workspace(ws).filter(lifecycle_stage="customer")
    assert customers.exists()
    assert set(customers.values_list("id", flat=True)) <= won_contacts


def test_every_amount_converts_to_the_company_currency(ws: Workspace) -> None:
    converter = company_currency_converter(workspace=ws)
    for amount, currency, created_at in Deal.objects.for_workspace(ws).values_list(
        "amount", "currency", "created_at"
    ):
        converter.convert(amount=amount, currency=currency, on=created_at.date())


def test_three_ad_networks_in_two_currencies_with_metrics_and_statuses(ws: Workspace) -> None:
    accounts = AdAccount.objects.for_workspace(ws)
    assert set(accounts.values_list("network", flat=True)) == {"facebook", "google", "linkedin"}
    assert set(accounts.values_list("currency", flat=True)) == {"EUR", "DKK"}
    metrics = AdMetricDaily.objects.for_workspace(ws)
    assert set(metrics.values_list("ad_campaign__account__network", flat=True)) == {
        "facebook",
        "google",
        "linkedin",
    }
    assert metrics.filter(keyword__isnull=False).exists()
    statuses = set(AdCampaign.objects.for_workspace(ws).values_list("status", flat=True))
    assert statuses == {"active", "paused", "deleted"}


def test_network_clicks_are_at_least_the_sessions_they_brought(ws: Workspace) -> None:
    clicks: dict[int, int] = defaultdict(int)
    for ad_campaign_id, n in AdMetricDaily.objects.for_workspace(ws).values_list(
        "ad_campaign_id", "clicks"
    ):
        clicks[ad_campaign_id] += n
    sessions: dict[int, int] = defaultdict(int)
    for ad_campaign_id in (
        Session.objects.for_workspace(ws)
        .filter(ad__isnull=False)
        .values_list("ad__ad_group__ad_campaign_id", flat=True)
    ):
        sessions[ad_campaign_id] += 1
    assert sessions
    assert all(clicks[c] >= n for c, n in sessions.items())


def test_every_engagement_type_happened(ws: Workspace) -> None:
    types = set(Interaction.objects.for_workspace(ws).values_list("type", flat=True))
    assert types == set(InteractionType.values)


def test_forms_are_viewed_a_few_times_per_submission_and_in_every_submitting_session(
    ws: Workspace,
) -> None:
    interactions = Interaction.objects.for_workspace(ws)
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for asset_id, type_, n in (
        interactions.filter(type__in=["form_view", "form_submission"])
        .values("asset_id", "type")
        .annotate(n=Count("id"))
        .values_list("asset_id", "type", "n")
    ):
        counts[asset_id][type_] = n
    busy = [c for c in counts.values() if c["form_submission"] >= 30]
    assert busy
    for c in busy:
        assert 0.08 <= c["form_submission"] / c["form_view"] <= 0.5, dict(c)
    submitted = set(
        interactions.filter(type="form_submission").values_list("session_id", "asset_id")
    )
    viewed = set(interactions.filter(type="form_view").values_list("session_id", "asset_id"))
    assert submitted <= viewed


# --- determinism -------------------------------------------------------------------------------
TINY = Scale(
    name="tiny",
    days=45,
    campaigns=3,
    visitors=500,
    web_contacts=60,
    imported_contacts=15,
    evergreen_blog_posts=3,
    email_audience=40,
    visitor_chunk=200,
)


def _signature(ws: Workspace) -> dict[str, Any]:
    return {
        "counts": count_rows(ws),
        "emails": sorted(Contact.objects.for_workspace(ws).values_list("email", flat=True)),
        "landings": sorted(Session.objects.for_workspace(ws).values_list("landing_url", flat=True)),
        "amounts": sorted(Deal.objects.for_workspace(ws).values_list("amount", "currency")),
        "campaigns": sorted(Campaign.objects.for_workspace(ws).values_list("name", "start_date")),
    }


def test_the_same_seed_makes_the_same_data_and_reset_reseeds(
    db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(SCALES, "tiny", TINY)
    first = seed_demo(name="Tiny", scale="tiny", seed=11, end=END)
    expected = _signature(first.workspace)
    again = seed_demo(name="Tiny", scale="tiny", seed=11, end=END, reset=True)
    assert again.created and not Workspace.objects.filter(pk=first.workspace.pk).exists()
    assert _signature(again.workspace) == expected
    other = seed_demo(name="Tiny other", scale="tiny", seed=12, end=END)
    assert _signature(other.workspace)["emails"] != expected["emails"]


def test_an_unknown_scale_or_tier_is_refused_by_name(db: Any) -> None:
    with pytest.raises(DemoError, match="huge"):
        seed_demo(name="X", scale="huge")
    with pytest.raises(DemoError, match="platinum"):
        seed_demo(name="X", scale="small", tier="platinum")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner statistics are PostgreSQL's")
def test_the_seeded_tables_have_planner_statistics_for_the_big_reads(ws: Workspace) -> None:
    from reporting.demo.runner import analyze_loaded_tables

    with CaptureQueriesContext(connection) as queries:
        analyze_loaded_tables()
    (statement,) = [q["sql"] for q in queries.captured_queries]
    for model in (Interaction, Session, Contact, Deal, DealContact, Asset):
        assert f'"{model._meta.db_table}"' in statement
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stats WHERE tablename = %s AND attname = 'occurred_at'",
            [Interaction._meta.db_table],
        )
        assert cursor.fetchone()[0] == 1
