"""Matrix entries for exports/urls.py (keys of tests/conftest.py `build_tenant`)."""

from __future__ import annotations

from typing import Any

from tests.matrix import MISSING_ID, Route


def _campaign(tenant: Any) -> dict[str, Any]:
    return {"campaign_id": tenant["campaign"].pk}


def _token(tenant: Any) -> dict[str, Any]:
    from exports.links import download_token

    return {"token": download_token(tenant["export_job"])}


ROUTES: list[Any] = [
    Route(
        "exports:campaign",
        kwargs=_campaign,
        min_role="marketer",
        methods=("get", "post"),
        post_data=lambda tenant: {"format": "csv", "scope": "all", "range": "all"},
        notes="The export dialog; viewers are read-only (403). Posting queues a job.",
    ),
    Route(
        "exports:drill",
        kwargs=lambda tenant: {**_campaign(tenant), "metric": "influenced_contacts"},
        missing_kwargs={"campaign_id": MISSING_ID, "metric": "influenced_contacts"},
        min_role="marketer",
        methods=("post",),
        post_data=lambda tenant: {"format": "csv", "range": "all"},
        notes="POST only: GET answers 405 after the lookup (so a foreign id is still a 404).",
    ),
    Route(
        "exports:rows",
        kwargs=lambda tenant: {**_campaign(tenant), "metric": "traffic_views"},
        missing_kwargs={"campaign_id": MISSING_ID, "metric": "traffic_views"},
        min_role="marketer",
        methods=("post",),
        post_data=lambda tenant: {"format": "csv", "range": "all"},
        notes="A Traffic/asset list's export; POST only (GET is 405 after the lookup).",
    ),
    Route(
        "exports:deals",
        kwargs=lambda tenant: {**_campaign(tenant), "report": "revenue_attribution"},
        missing_kwargs={"campaign_id": MISSING_ID, "report": "revenue_attribution"},
        min_role="marketer",
        methods=("post",),
        post_data=lambda tenant: {"format": "csv", "range": "all", "model": "linear"},
        notes="The Performance tab's revenue deals list's export; POST only (GET is 405).",
    ),
    Route(
        "exports:credited",
        kwargs=_campaign,
        query="models=linear&model=linear&row=page_view&dimension=interaction_type",
        min_role="marketer",
        methods=("post",),
        post_data=lambda tenant: {"format": "csv"},
        notes="An Attribution cell's credited interactions (list's query string); POST only.",
    ),
    Route(
        "exports:attribution",
        kwargs=_campaign,
        min_role="marketer",
        methods=("get", "post"),
        post_data=lambda tenant: {"name": "Matrix export", "format": "csv"},
        notes="The Attribution tab's export (name + format); viewers are read-only (403).",
    ),
    Route("exports:list", notes="The member's own exports."),
    Route(
        "exports:job",
        kwargs=lambda tenant: {"job_id": tenant["export_job"].pk},
        notes="A job's progress page; any member of the job's workspace may open it.",
    ),
    Route(
        "exports:download",
        kwargs=_token,
        missing_kwargs={"token": "not-a-signed-token"},
        notes="The signed link: a token of B's job on A's slug, or a bad token, is a 404.",
    ),
]
