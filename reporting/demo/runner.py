"""Seeding a demo workspace end to end, idempotently.

`seed_demo(...)` creates (or finds) the workspace named by the caller:
- already seeded at the same scale: nothing is written (the demo logins are still ensured);
- seeded at another scale, without `reset`: refused, with the way out in the message;
- `reset`: the workspace and everything in it is deleted first, then seeded again;
- a workspace the generator did not create is never touched.

Everything runs in one transaction: a failure leaves nothing half-written.
"""

from __future__ import annotations

import random
import time as clock
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from django.apps import apps
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from ads.models import Ad, AdAccount, AdCampaign, AdGroup, AdMetricDaily, Keyword
from assets.models import Asset, AssetAssociation
from assets.selectors import CampaignResolver
from campaigns.models import Campaign, CampaignGoal, SpendItem, TrackingUrl
from crm.models import Contact, Deal, DealContact, LifecycleStageChange
from crm.services import bulk_create_deals
from reporting.demo import catalog as C
from reporting.demo.admetrics import ad_metric_rows, write_ad_metrics
from reporting.demo.build import build_world
from reporting.demo.config import SCALES
from reporting.demo.engagement import Engagement
from reporting.demo.form_views import FormViewPlanner
from reporting.demo.ledger import Ledger
from reporting.demo.models import DemoSeed
from reporting.demo.people import Directory, plan_deals
from reporting.demo.traffic import SessionBuilder
from reporting.demo.visits import VisitGenerator
from reporting.demo.world import ensure_demo_users, ensure_memberships
from reporting.rollups import rebuild_workspace_rollups
from tracking.models import Interaction, PageView, Session, Visitor
from tracking.selectors import campaign_utm_lookup
from tracking.services import owned_workspace_load
from workspaces.models import ExchangeRate, Tier, Workspace
from workspaces.services import bump_data_version, deferred_data_version_bumps


class DemoError(Exception):
    """The demo cannot be seeded as asked; the message says why and what to do."""


# What the summary counts, in the order it prints them.
COUNTED: tuple[tuple[str, type[models.Model]], ...] = (
    ("campaigns", Campaign),
    ("campaign goals", CampaignGoal),
    ("spend items", SpendItem),
    ("assets", Asset),
    ("asset associations", AssetAssociation),
    ("tracking URLs", TrackingUrl),
    ("contacts", Contact),
    ("lifecycle stage changes", LifecycleStageChange),
    ("deals", Deal),
    ("deal-contact associations", DealContact),
    ("visitors", Visitor),
    ("sessions", Session),
    ("page views", PageView),
    ("interactions", Interaction),
    ("ad accounts", AdAccount),
    ("ad campaigns", AdCampaign),
    ("ad groups", AdGroup),
    ("ads", Ad),
    ("keywords", Keyword),
    ("ad metric rows", AdMetricDaily),
    ("exchange rates", ExchangeRate),
)
# Deleted with one statement each before the workspace itself (its cascade would load them).
BULK_TABLES: tuple[type[models.Model], ...] = (
    Interaction,
    PageView,
    Session,
    Visitor,
    LifecycleStageChange,
    DealContact,
    Deal,
    Contact,
    AdMetricDaily,
)


@dataclass
class SeedResult:
    workspace: Workspace
    created: bool  # False: it was already seeded at this scale
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def count_rows(workspace: Workspace) -> dict[str, int]:
    return {label: model.objects.for_workspace(workspace).count() for label, model in COUNTED}  # type: ignore[attr-defined]


def _wipe(workspace: Workspace) -> None:
    with connection.cursor() as cursor:
        for model in BULK_TABLES:
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"DELETE FROM {table} WHERE workspace_id = %s", [workspace.pk])
    workspace.delete()


def _existing(slug: str, scale: str, reset: bool) -> Workspace | None:
    """The already-seeded workspace to keep, or None to seed (after wiping, with `reset`)."""
    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is None:
        return None
    seed = DemoSeed.objects.filter(workspace=workspace).first()
    if seed is None:
        raise DemoError(
            _(
                "A workspace with the address %(slug)s already exists and was not made by the "
                "demo generator; it is left alone. Choose another --workspace name."
            )
            % {"slug": slug}
        )
    if reset:
        _wipe(workspace)
        return None
    if seed.scale != scale:
        raise DemoError(
            _(
                "%(name)s already holds %(old)s demo data. Run again with --reset to replace it "
                "with %(new)s data."
            )
            % {"name": workspace.name, "old": seed.scale, "new": scale}
        )
    return workspace


def seed_demo(
    *,
    name: str,
    scale: str,
    tier: str | None = None,
    seed: int = 42,
    end: date | None = None,
    reset: bool = False,
    progress: Callable[[str], None] | None = None,
) -> SeedResult:
    """Seed (or find) the demo workspace `name` at `scale`."""
    if scale not in SCALES:
        raise DemoError(
            _("Unknown scale %(scale)s: use small, medium or large.") % {"scale": scale}
        )
    if tier is not None and tier not in Tier.values:
        raise DemoError(
            _("Unknown tier %(tier)s: use professional or enterprise.") % {"tier": tier}
        )
    slug = slugify(name)[:60]
    if not slug:
        raise DemoError(_("Give the workspace a name with letters or digits in it."))
    say = progress or (lambda message: None)
    began = clock.monotonic()
    with transaction.atomic():
        users = ensure_demo_users()
        existing = _existing(slug, scale, reset)
        if existing is not None:
            return _keep(existing, users, tier)
        if connection.vendor == "postgresql":
            # Check foreign keys per statement: a deferred check of millions of rows at commit
            # would hold every pending check in memory.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        workspace = Workspace.objects.create(
            name=name,
            slug=slug,
            tier=tier or Tier.PROFESSIONAL,
            currency=C.COMPANY_CURRENCY,
            time_zone=C.TIME_ZONE,
            allowed_domains=list(C.SITE_HOSTS),
        )
        ensure_memberships(workspace, users)
        end_day = end or _today(workspace)
        # One data_version bump at the end: within this transaction every UPDATE of the
        # workspace row would slow each later foreign-key check on it. The workspace is new
        # and uncommitted, so its bulk loads may skip the per-row trigger checks (the
        # references are checked per batch instead).
        with deferred_data_version_bumps(), owned_workspace_load():
            _generate(workspace, scale=scale, seed=seed, end=end_day, users=users, say=say)
        counts = count_rows(workspace)
        seconds = clock.monotonic() - began
        DemoSeed.objects.create(
            workspace=workspace,
            scale=scale,
            seed=seed,
            end_date=end_day,
            counts=counts,
            duration_seconds=round(seconds, 1),
        )
    workspace.refresh_from_db()
    analyze_loaded_tables()
    say("Performance rollups")
    rebuild_workspace_rollups(workspace_id=workspace.pk)
    return SeedResult(workspace=workspace, created=True, counts=counts, seconds=seconds)


LOADED_APPS = ("campaigns", "assets", "crm", "tracking", "ads")


def analyze_loaded_tables() -> None:
    """Fresh planner statistics for the tables a seed just filled (PostgreSQL): without them,
    until autovacuum gets to it, the planner takes a million-row table for a few rows and picks
    index probes over hash joins (the large tenant's attribution reads ran 2x slower)."""
    if connection.vendor != "postgresql":
        return
    tables = [
        model._meta.db_table
        for label in LOADED_APPS
        for model in apps.get_app_config(label).get_models()
    ]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))


def _today(workspace: Workspace) -> date:
    return timezone.now().astimezone(workspace.tz).date()


def _keep(workspace: Workspace, users: dict[str, Any], tier: str | None) -> SeedResult:
    ensure_memberships(workspace, users)
    result = SeedResult(workspace=workspace, created=False)
    if tier is not None and tier != workspace.tier:
        workspace.tier = tier
        workspace.save(update_fields=["tier"])
        bump_data_version(workspace.pk)
        result.notes.append(_("Tier changed to %(tier)s.") % {"tier": Tier(tier).label})
    result.counts = dict(workspace.demo_seed.counts)
    return result


def _generate(
    workspace: Workspace,
    *,
    scale: str,
    seed: int,
    end: date,
    users: dict[str, Any],
    say: Callable[[str], None],
) -> None:
    config = SCALES[scale]
    say("campaigns, assets, associations and ad accounts")
    world = build_world(workspace=workspace, scale=config, seed=seed, end=end, users=users)
    rng = random.Random(seed * 7919 + 1)
    resolver = CampaignResolver(workspace.pk)
    ledger = Ledger(
        world=world,
        rng=rng,
        np_rng=np.random.default_rng(seed),
        resolver=resolver,
        builder=SessionBuilder(
            world=world,
            resolver=resolver,
            utm_lookup=campaign_utm_lookup(workspace=workspace),
            rng=rng,
        ),
        directory=Directory(
            rng, company_count=max(40, (config.web_contacts + config.imported_contacts) // 25)
        ),
        form_views=FormViewPlanner(world, seed=seed),
    )
    say(f"{config.visitors:,} visitors, their sessions and the contacts they become")
    VisitGenerator(ledger).run()
    say("imports, email, events, workflows, lists and sales activity")
    Engagement(ledger).run()
    say("deals")
    deals = plan_deals(rng, facts=ledger.facts, directory=ledger.directory, end_ts=world.end_ts)
    bulk_create_deals(workspace=workspace, rows=deals)
    say("ad network metrics")
    rows = ad_metric_rows(
        world,
        ad_clicks=ledger.builder.ad_clicks,
        keyword_clicks=ledger.builder.keyword_clicks,
        rng=ledger.np_rng,
    )
    write_ad_metrics(world, rows)
