"""Matrix entries for campaigns/urls.py (keys of tests/conftest.py `build_tenant`)."""

from __future__ import annotations

from typing import Any

from tests.matrix import Route


def _campaign(tenant: Any) -> dict[str, Any]:
    return {"campaign_id": tenant["campaign"].pk}


def _campaign_and_asset(tenant: Any) -> dict[str, Any]:
    # `asset` is associated with `campaign` in every tenant.
    return {"campaign_id": tenant["campaign"].pk, "asset_id": tenant["asset"].pk}


def _campaign_data(tenant: Any) -> dict[str, Any]:
    return {
        "name": f"Renamed {tenant['campaign'].name}",
        "utm_values": f"utm-{tenant.workspace.slug}",
        "status": "active",
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(tenant["spend"].pk),
        "form-0-name": "Changed spend",
        "form-0-amount": "99",
        "form-0-currency": "EUR",
        "form-0-spent_on": "2024-01-01",
    }


ROUTES: list[Any] = [
    Route("campaigns:list", notes="Search, status filter, sort and pagination of the campaigns."),
    Route(
        "campaigns:create",
        min_role="marketer",
        methods=("get", "post"),
        post_data=_campaign_data,
        notes="B's utm value and spend id posted to A: refused (404 for the foreign spend id).",
    ),
    Route("campaigns:detail", kwargs=_campaign, notes="Header, goals, spend and the Assets tab."),
    Route(
        "campaigns:edit",
        kwargs=_campaign,
        min_role="marketer",
        methods=("get", "post"),
        post_data=_campaign_data,
    ),
    Route(
        "campaigns:delete",
        kwargs=_campaign,
        min_role="marketer",
        methods=("get", "post"),
        notes="GET is the confirm page; POST deletes.",
    ),
    Route(
        "campaigns:associate",
        kwargs=_campaign,
        min_role="marketer",
        methods=("get", "post"),
        post_data=lambda tenant: {"assets": [tenant["free_asset"].pk]},
        notes="GET is the asset picker; POST associates the checked assets (foreign ids: 404).",
    ),
    Route(
        "campaigns:dissociate",
        kwargs=_campaign_and_asset,
        min_role="marketer",
        methods=("get", "post"),
        notes="GET is the confirm page; POST ends the association.",
    ),
]
