"""Builders for Performance scenarios: a workspace and its data, written through the services."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from assets.models import Asset
from assets.services import associate_asset, create_asset
from campaigns.models import Campaign, CampaignUtm
from crm.models import Contact, Deal
from crm.services import associate_contact_with_deal, close_deal, create_contact, create_deal
from reporting.compute.periods import Period
from reporting.services import ReportFilters, compute_report
from tracking.services import record_interaction
from workspaces.models import Workspace

T0 = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)


def at(day: int, hour: int = 12, minute: int = 0) -> datetime:
    """2024-01-<day> (days past 31 roll into later months) at hour:minute UTC."""
    from datetime import timedelta

    return T0.replace(hour=hour, minute=minute) + timedelta(days=day - 1)


def workspace(slug: str = "perf", **fields: Any) -> Workspace:
    return Workspace.objects.create(name=slug.title(), slug=slug, currency="EUR", **fields)


def campaign(ws: Workspace, name: str, utm: str | None = None) -> Campaign:
    c = Campaign.objects.create(workspace=ws, name=name)
    if utm:
        CampaignUtm.objects.create(workspace=ws, campaign=c, value=utm)
    return c


def asset(ws: Workspace, type: str, name: str, holder: Campaign | None, since: datetime) -> Asset:
    a = create_asset(workspace=ws, type=type, name=name, url=_url(type, name))
    if holder is not None:
        associate_asset(asset=a, campaign=holder, at=since)
    return a


def _url(type: str, name: str) -> str:
    pages = {"landing_page", "website_page", "blog_post"}
    return f"https://perf.example.com/{name.lower().replace(' ', '-')}" if type in pages else ""


def contact(ws: Workspace, email: str, created: datetime, **fields: Any) -> Contact:
    return create_contact(workspace=ws, email=email, created_at=created, **fields)


def touch(ws: Workspace, who: Contact, what: Asset, when: datetime, type: str = "page_view") -> Any:
    return record_interaction(workspace=ws, type=type, occurred_at=when, contact=who, asset=what)


def won_deal(
    ws: Workspace,
    contacts: list[Contact],
    amount: str,
    closed: datetime,
    *,
    created: datetime | None = None,
    currency: str = "EUR",
    linked: datetime | None = None,
) -> Deal:
    created = created or min(c.created_at for c in contacts)
    deal = create_deal(
        workspace=ws,
        name=f"Deal {amount}",
        amount=Decimal(amount),
        currency=currency,
        created_at=created,
    )
    for person in contacts:
        associate_contact_with_deal(deal=deal, contact=person, at=linked or created)
    return close_deal(deal=deal, won=True, at=closed)


def report(
    c: Campaign,
    kind: str,
    *,
    start: date | None = None,
    end: date | None = None,
    touch: str = "first",
    model: str = "linear",
) -> tuple[dict[str, Any], dict[str, Any]]:
    c.refresh_from_db()
    filters = ReportFilters(period=Period(start, end), touch=touch, model=model)
    return compute_report(campaign=c, report=kind, filters=filters)
