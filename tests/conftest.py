"""Shared fixtures: two workspaces with the same shape, and the four kinds of user.

`world` builds workspace A (the user's own) and workspace B (another tenant, seeded with
canary strings that must never appear in a response for a member of A).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

CANARY = "CANARY-b7f3e1"


@dataclass
class Tenant:
    workspace: Any
    objects: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.objects[key]


@dataclass
class World:
    a: Tenant
    b: Tenant
    users: dict[str, Any]
    password: str = "correct-horse-battery-staple"


def make_user(email: str, password: str) -> Any:
    user_model = get_user_model()
    user = user_model.objects.create_user(username=email, email=email, password=password)
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


def build_tenant(name: str, slug: str, label: str, tier: str = "enterprise") -> Tenant:
    """Every kind of object a URL can point at, named with `label` (canaries for B)."""
    from ads.models import Ad, AdAccount, AdCampaign, AdGroup, AdMetricDaily, Keyword
    from assets.models import AssetType
    from assets.services import associate_asset, create_asset
    from campaigns.models import Campaign, CampaignGoal, CampaignUtm, SpendItem, TrackingUrl
    from crm.models import Contact, Deal, DealContact
    from tracking.models import Interaction, Session, Visitor
    from workspaces.models import ApiToken, ExchangeRate, Invitation, Team, Workspace, hash_secret

    ws = Workspace.objects.create(name=name, slug=slug, tier=tier, currency="EUR")
    now = timezone.now()
    t = Tenant(ws)
    o = t.objects
    o["team"] = Team.objects.create(workspace=ws, name=f"Team {label}")
    o["campaign"] = Campaign.objects.create(
        workspace=ws, name=f"Campaign {label}", start_date=(now - timedelta(days=30)).date()
    )
    o["utm"] = CampaignUtm.objects.create(workspace=ws, campaign=o["campaign"], value=f"utm-{slug}")
    o["goal"] = CampaignGoal.objects.create(
        workspace=ws, campaign=o["campaign"], metric="sessions", target=Decimal("100")
    )
    o["spend"] = SpendItem.objects.create(
        workspace=ws,
        campaign=o["campaign"],
        name=f"Spend {label}",
        amount=Decimal("10"),
        currency="EUR",
        spent_on=now.date(),
    )
    o["asset"] = create_asset(
        workspace=ws,
        type=AssetType.LANDING_PAGE,
        name=f"Page {label}",
        url=f"https://{slug}.example.com/landing",
    )
    o["free_asset"] = create_asset(workspace=ws, type=AssetType.FORM, name=f"Form {label}")
    o["association"] = associate_asset(
        asset=o["asset"], campaign=o["campaign"], at=now - timedelta(days=20)
    )
    o["tracking_url"] = TrackingUrl.objects.create(
        workspace=ws,
        campaign=o["campaign"],
        name=f"Link {label}",
        destination_url=f"https://{slug}.example.com/",
        utm_source="newsletter",
        utm_medium="email",
        utm_campaign=f"utm-{slug}",
    )
    o["contact"] = Contact.objects.create(
        workspace=ws, email=f"{slug}@example.com", first_name=label, created_at=now
    )
    o["deal"] = Deal.objects.create(
        workspace=ws, name=f"Deal {label}", amount=Decimal("1000"), currency="EUR", created_at=now
    )
    DealContact.objects.create(
        workspace=ws, deal=o["deal"], contact=o["contact"], associated_at=now
    )
    o["visitor"] = Visitor.objects.create(workspace=ws, cookie_id=f"v-{slug}", first_seen_at=now)
    o["session"] = Session.objects.create(
        workspace=ws,
        visitor=o["visitor"],
        started_at=now,
        last_activity_at=now,
        landing_url=f"https://{slug}.example.com/landing",
        source="direct_traffic",
    )
    o["interaction"] = Interaction.objects.create(
        workspace=ws,
        contact=o["contact"],
        asset=o["asset"],
        type="page_view",
        occurred_at=now,
        campaign=o["campaign"],
    )
    o["ad_account"] = AdAccount.objects.create(
        workspace=ws,
        network="google",
        external_id=f"acc-{slug}",
        name=f"Ads {label}",
        currency="EUR",
    )
    o["ad_campaign"] = AdCampaign.objects.create(
        workspace=ws, account=o["ad_account"], external_id="c1", name=f"Ad campaign {label}"
    )
    o["ad_group"] = AdGroup.objects.create(
        workspace=ws, ad_campaign=o["ad_campaign"], external_id="g1", name=f"Group {label}"
    )
    o["ad"] = Ad.objects.create(workspace=ws, ad_group=o["ad_group"], external_id="a1", name=label)
    o["keyword"] = Keyword.objects.create(
        workspace=ws, ad_group=o["ad_group"], external_id="k1", text=f"kw {label}"
    )
    AdMetricDaily.objects.create(
        workspace=ws, date=now.date(), ad_campaign=o["ad_campaign"], impressions=10, clicks=1
    )
    o["api_token"] = ApiToken.objects.create(
        workspace=ws, name=f"Token {label}", prefix="tp_abc", token_hash=hash_secret(f"raw-{slug}")
    )
    o["exchange_rate"] = ExchangeRate.objects.create(
        workspace=ws, currency="DKK", rate=Decimal("0.134"), effective_date=now.date()
    )
    o["invitation"] = Invitation.objects.create(
        workspace=ws, email=f"invitee-{slug}@example.com", token_hash=hash_secret(f"inv-{slug}")
    )
    from exports.models import ExportJob

    # Made by a user who has since left (the members of the world may still open it).
    o["export_job"] = ExportJob.objects.create(
        workspace=ws,
        user=make_user(f"exporter-{slug}@example.com", "not-used-password"),
        kind="campaign",
        campaign=o["campaign"],
        parameters={"format": "csv", "sections": ["overview"], "filters": {"range": "all"}},
    )
    from reporting.models import Dashboard, DashboardReport, SavedReport

    # Shared with everyone and owned by nobody (a member who left): every member sees them,
    # only an admin may rename or delete them.
    o["saved_report"] = SavedReport.objects.create(
        workspace=ws,
        name=f"Report {label}",
        visibility="everyone",
        campaign=o["campaign"],
        definition={"conversion": "contact_create", "models": ["linear"], "dimension": "asset"},
    )
    o["dashboard"] = Dashboard.objects.create(
        workspace=ws, name=f"Dashboard {label}", visibility="everyone"
    )
    o["dashboard_card"] = DashboardReport.objects.create(
        workspace=ws, dashboard=o["dashboard"], report=o["saved_report"]
    )
    return t


@pytest.fixture
def world(db: Any) -> World:
    from workspaces.models import Membership

    password = World.password
    a = build_tenant("Acme", "acme", "A")
    b = build_tenant(f"Other {CANARY}", "other", CANARY)
    users = {
        "admin": make_user("admin@acme.test", password),
        "marketer": make_user("marketer@acme.test", password),
        "viewer": make_user("viewer@acme.test", password),
        "outsider": make_user("outsider@other.test", password),
    }
    for role in ("admin", "marketer", "viewer"):
        Membership.objects.create(workspace=a.workspace, user=users[role], role=role)
    Membership.objects.create(workspace=b.workspace, user=users["outsider"], role="admin")
    return World(a=a, b=b, users=users)


def ci_requires(what: str) -> None:
    """In CI a missing service fails the test; locally it skips with the reason."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} is required in CI but is not available")
    pytest.skip(f"{what} is not available")


def _redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except (redis.RedisError, OSError):
        return False


@pytest.fixture
def celery_worker_live(transactional_db: None) -> Any:
    """A real Celery worker (solo pool, in a thread) consuming from REDIS_URL.

    It runs in this process, so it sees the test database; data the test wants the worker to
    see must be committed (hence transactional_db). Tasks sent while it runs go through Redis
    instead of running in-process. Without REDIS_URL (or with Redis down) the test skips
    locally and fails in CI.
    """
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url or not _redis_answers(redis_url):
        ci_requires("Redis (REDIS_URL) for a real Celery worker")
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun
    from django.db import connections

    from config.celery import app

    def close_worker_connections(**kwargs: Any) -> None:
        # Runs in the worker thread: leave no connection open that would block dropping the
        # test database at the end of the session.
        connections.close_all()

    saved = {
        "task_always_eager": app.conf.task_always_eager,
        "worker_hijack_root_logger": app.conf.worker_hijack_root_logger,
    }
    app.conf.task_always_eager = False
    app.conf.worker_hijack_root_logger = False
    task_postrun.connect(close_worker_connections, weak=False)
    try:
        app.control.purge()  # messages left by an earlier, interrupted run
        with start_worker(
            app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30
        ):
            yield app
    finally:
        task_postrun.disconnect(close_worker_connections)
        for name, value in saved.items():
            setattr(app.conf, name, value)


@pytest.fixture(autouse=True)
def _reset_language_and_time_zone() -> Any:
    """A test that switches language or time zone must not leak it into the next test."""
    from django.utils import timezone, translation

    yield
    translation.activate("en")
    timezone.deactivate()
