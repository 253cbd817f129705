"""Matrix entries for reporting/urls.py (keys of tests/conftest.py `build_tenant`)."""

from __future__ import annotations

from typing import Any

from tests.matrix import MISSING_ID, Route


def _campaign(tenant: Any) -> dict[str, Any]:
    return {"campaign_id": tenant["campaign"].pk}


ROUTES: list[Any] = [
    Route(
        "reporting:performance",
        kwargs=_campaign,
        notes="The Performance tab: filters and every report (snapshots queued on first view).",
    ),
    Route(
        "reporting:report",
        kwargs=lambda tenant: {**_campaign(tenant), "report": "overview"},
        missing_kwargs={"campaign_id": MISSING_ID, "report": "overview"},
        notes="One report's section, polled by its progress placeholder.",
    ),
    Route(
        "reporting:list",
        kwargs=lambda tenant: {**_campaign(tenant), "metric": "influenced_contacts"},
        missing_kwargs={"campaign_id": MISSING_ID, "metric": "influenced_contacts"},
        notes="The contacts/sessions/credited interactions behind a number.",
    ),
]

ROUTES += [
    Route(
        "reporting:tracking_urls",
        kwargs=_campaign,
        notes="The campaign's tracking URLs with visits and copy buttons.",
    ),
    Route(
        "reporting:tracking_url_create",
        kwargs=_campaign,
        min_role="marketer",
        methods=("get", "post"),
        post_data=lambda tenant: {
            "name": "Matrix link",
            "destination_url": f"https://{tenant.workspace.slug}.example.com/offer",
            "utm_campaign": f"utm-{tenant.workspace.slug}",
            "utm_source": "newsletter",
            "utm_medium": "email",
        },
        notes="The tracking URL builder; B's utm value posted to A is refused.",
    ),
]

ROUTES += [
    Route(
        "reporting:asset",
        kwargs=lambda tenant: {**_campaign(tenant), "asset_id": tenant["asset"].pk},
        notes="One asset's performance in the campaign (the asset must have been in it).",
    ),
]
