"""A campaign with data in every Performance report, members to export it, and the private
export storage in a temporary directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from campaigns.models import Campaign, CampaignGoal
from exports.models import ExportJob
from tests.conftest import World, make_user
from tests.reporting.helpers import asset, at, campaign, contact, touch, won_deal, workspace
from workspaces.models import Membership, Workspace

PASSWORD = World.password


@pytest.fixture
def export_dir(settings: Any, tmp_path: Path) -> Path:
    settings.EXPORT_STORAGE_DIR = str(tmp_path / "exports")
    settings.SITE_URL = "http://testserver"
    return tmp_path / "exports"


@dataclass
class Shop:
    ws: Workspace
    campaign: Campaign
    owner: Any  # a marketer
    colleague: Any  # another marketer
    viewer: Any
    outsider: Any  # admin of another workspace

    def client(self, who: str) -> Client:
        client = Client()
        client.force_login(getattr(self, who))
        return client


def build_shop(tier: str = "professional", slug: str = "shop") -> Shop:
    """Campaign "Forår på Ærø": a landing page and a form held since day 1, two contacts it
    created, one of them on a won deal of 1 000.00 EUR closed on day 10 (its two interactions
    share it: 500.00 each under the even split)."""
    ws = workspace(slug, tier=tier, revenue_window_days=100_000)
    c = campaign(ws, "Forår på Ærø", utm="spring")
    CampaignGoal.objects.create(workspace=ws, campaign=c, metric="influenced_contacts", target=5)
    page = asset(ws, "landing_page", "Landing", c, since=at(1))
    form = asset(ws, "form", "Signup form", c, since=at(1))
    alice = contact(ws, "alice@shop.test", at(2), first_touch_campaign_id=c.pk)
    bob = contact(ws, "bob@shop.test", at(5), first_touch_campaign_id=c.pk)
    touch(ws, alice, page, at(2))
    touch(ws, alice, form, at(3), type="form_submission")
    touch(ws, bob, page, at(5))
    won_deal(ws, [alice], "1000.00", closed=at(10), created=at(4))
    users = {}
    for role, name in (("marketer", "owner"), ("marketer", "colleague"), ("viewer", "viewer")):
        users[name] = make_user(f"{name}@{slug}.test", PASSWORD)
        Membership.objects.create(workspace=ws, user=users[name], role=role)
    other = workspace(f"{slug}-other")
    users["outsider"] = make_user(f"outsider@{slug}.test", PASSWORD)
    Membership.objects.create(workspace=other, user=users["outsider"], role="admin")
    return Shop(ws=ws, campaign=c, **users)


def job_of(pk: int) -> ExportJob:
    return ExportJob.objects.unscoped().select_related("workspace", "campaign", "user").get(pk=pk)
