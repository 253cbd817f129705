"""Matrix entries for assets/urls.py (keys of tests/conftest.py `build_tenant`)."""

from __future__ import annotations

from typing import Any

from tests.matrix import Route


def _asset(tenant: Any) -> dict[str, Any]:
    return {"asset_id": tenant["asset"].pk}


def _asset_data(tenant: Any) -> dict[str, Any]:
    return {
        "type": "landing_page",
        "name": f"Changed {tenant['asset'].name}",
        "url": f"https://{tenant.workspace.slug}.example.com/changed",
        "external_id": "",
    }


ROUTES: list[Any] = [
    Route("assets:list", notes="Search, type filter, sort and pagination of the assets."),
    Route(
        "assets:create",
        min_role="marketer",
        methods=("get", "post"),
        post_data=_asset_data,
        notes="B's data posted to A's form creates an asset in A, never in B.",
    ),
    Route("assets:detail", kwargs=_asset, notes="Properties and association history."),
    Route(
        "assets:edit",
        kwargs=_asset,
        min_role="marketer",
        methods=("get", "post"),
        post_data=_asset_data,
    ),
]
