"""Matrix entries for the tracking app: its settings page and its public endpoints."""

from __future__ import annotations

from tests.matrix import Exempt, Route

ROUTES: list[Route | Exempt] = [
    Route(
        "tracking:settings",
        min_role="admin",
        methods=("get", "post"),
        post_data=lambda tenant: {"allowed_domains": f"{tenant.workspace.slug}.example.com"},
        notes="Embed code, collector status and the allowed domains of the workspace.",
    ),
    Exempt(
        "tracking_snippet",
        "The tracking snippet (/t.js): one static script for every workspace, no data in it; "
        "tests/tracking/test_collector_settings.py checks it.",
    ),
    Exempt(
        "collect:*",
        "Public endpoints customer sites call (/collect/event, /collect/form): no login, the "
        "workspace is named by its public key. tests/tracking/test_collector.py and "
        "test_forms_endpoint.py show that a key of workspace A never writes into workspace B.",
    ),
]
