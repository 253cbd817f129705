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

ROUTES += [
    Route(
        "reporting:rows",
        kwargs=lambda tenant: {**_campaign(tenant), "metric": "traffic_views"},
        missing_kwargs={"campaign_id": MISSING_ID, "metric": "traffic_views"},
        notes="The sessions/contacts/interactions behind a Traffic or asset number (a foreign "
        "?asset= is a 404 too: tests/reporting/test_rollups_drill.py).",
    ),
]


# --- The report library, dashboards and the builder (reporting/views_library.py) ---------------
# The fixture's saved report and dashboard are shared with everyone and owned by nobody, so
# renaming/deleting them is for admins only (min_role="admin": a marketer who is not the owner
# gets 403, like a viewer).


def _report(tenant: Any) -> dict[str, Any]:
    return {"report_id": tenant["saved_report"].pk}


def _board(tenant: Any) -> dict[str, Any]:
    return {"dashboard_id": tenant["dashboard"].pk}


def _card(tenant: Any) -> dict[str, Any]:
    return {**_board(tenant), "card_id": tenant["dashboard_card"].pk}


def _definition(tenant: Any) -> dict[str, Any]:
    return {"conversion": "contact_create", "models": ["linear", "u_shaped"], "dimension": "asset"}


def _save(tenant: Any) -> dict[str, Any]:
    return {
        **_definition(tenant),
        "name": "Matrix report",
        "visibility": "everyone",
        "dashboard_action": "existing",
        "dashboard": tenant["dashboard"].pk,
    }


def _builder_save(tenant: Any) -> dict[str, Any]:
    return {**_save(tenant), "campaign": tenant["campaign"].pk, "action": "save_new"}


ROUTES += [
    Route("reporting:library", notes="The saved reports the member may see; search by name."),
    Route(
        "reporting:report_save",
        kwargs=_campaign,
        min_role="marketer",
        methods=("get", "post"),
        post_data=_save,
        query="conversion=contact_create&models=linear",
        notes="Save as report from the Attribution tab; B's dashboard posted to A is refused.",
    ),
    Route(
        "reporting:report_edit",
        kwargs=_report,
        min_role="admin",
        methods=("get", "post"),
        post_data=lambda tenant: {"name": "Renamed by the matrix", "visibility": "private"},
        notes="Rename/re-share: the owner or an admin.",
    ),
    Route(
        "reporting:report_delete",
        kwargs=_report,
        min_role="admin",
        methods=("get", "post"),
        notes="Delete: the owner or an admin.",
    ),
    Route(
        "reporting:report_add_to_dashboard",
        kwargs=_report,
        min_role="marketer",
        methods=("get", "post"),
        post_data=lambda tenant: {"dashboard": tenant["dashboard"].pk},
        notes="Put a visible report on a visible dashboard.",
    ),
    Route(
        "reporting:builder",
        min_role="marketer",
        methods=("get", "post"),
        post_data=_builder_save,
        query="conversion=contact_create&models=linear",
        notes="The builder; B's campaign or dashboard posted to A is refused.",
    ),
    Route(
        "reporting:builder_edit",
        kwargs=_report,
        min_role="marketer",
        methods=("get", "post"),
        post_data=lambda tenant: {**_builder_save(tenant), "action": "overwrite"},
        notes="The builder on a saved report: overwrite (owner/admin) or save a copy.",
    ),
    Route("reporting:dashboards", notes="The dashboards the member may see."),
    Route(
        "reporting:dashboard_create",
        min_role="marketer",
        methods=("get", "post"),
        post_data=lambda tenant: {"name": "Matrix dashboard", "visibility": "private"},
        notes="A new dashboard (created in the URL's workspace only).",
    ),
    Route(
        "reporting:dashboard",
        kwargs=_board,
        notes="A dashboard's live cards (hx-get to each saved report's results).",
    ),
    Route(
        "reporting:dashboard_edit",
        kwargs=_board,
        min_role="admin",
        methods=("get", "post"),
        post_data=lambda tenant: {"name": "Renamed by the matrix", "visibility": "private"},
        notes="Rename/re-share a dashboard: the owner or an admin.",
    ),
    Route(
        "reporting:dashboard_delete",
        kwargs=_board,
        min_role="admin",
        methods=("get", "post"),
        notes="Delete a dashboard (its reports stay): the owner or an admin.",
    ),
    Route(
        "reporting:card_remove",
        kwargs=_card,
        min_role="marketer",
        methods=("get", "post"),
        notes="Remove a card (POST; GET answers 405 after the lookup and role check).",
    ),
    Route(
        "reporting:card_move",
        kwargs=_card,
        min_role="marketer",
        methods=("get", "post"),
        post_data=lambda tenant: {"direction": "up"},
        notes="Move a card up or down (POST).",
    ),
]

# The campaign Attribution tab (reporting/attribution_views.py).
ROUTES += [
    Route(
        "reporting:attribution",
        kwargs=_campaign,
        notes="The Attribution tab: definition filters, results per model, comparison, paths.",
    ),
    Route(
        "reporting:attribution_results",
        kwargs=_campaign,
        query="models=linear&models=first_interaction&card=1",
        notes="Only the results partial (polled by the placeholder, embedded by dashboards).",
    ),
    Route(
        "reporting:attribution_interactions",
        kwargs=_campaign,
        query="models=linear&model=linear&row=page_view&dimension=interaction_type",
        notes="The campaign's interactions in one table cell with their credit.",
    ),
    Route(
        "reporting:revenue_deals",
        kwargs=lambda tenant: {**_campaign(tenant), "report": "revenue_attribution"},
        missing_kwargs={"campaign_id": MISSING_ID, "report": "revenue_attribution"},
        notes="The deals behind Deals / Associated deal value of the revenue reports.",
    ),
]
