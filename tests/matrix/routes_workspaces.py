"""Matrix entries for workspaces/urls.py (settings, members, invitations, teams, API tokens)."""

from __future__ import annotations

from typing import Any

from tests.matrix import Route


def _member_id(tenant: Any) -> int:
    from workspaces.models import Membership

    first = Membership.objects.for_workspace(tenant.workspace).order_by("pk").first()
    assert first is not None, "the matrix world gives every workspace a member"
    return int(first.pk)


ROUTES: list[Any] = [
    Route("workspaces:settings", min_role="admin"),
    Route(
        "workspaces:general",
        min_role="admin",
        methods=("get", "post"),
        post_data=lambda t: {
            "name": t.workspace.name,
            "tier": "enterprise",
            "time_zone": "Europe/Copenhagen",
            "currency": "EUR",
            "revenue_window_days": 1095,
        },
    ),
    Route(
        "workspaces:exchange_rates",
        min_role="admin",
        methods=("get", "post"),
        post_data=lambda t: {"currency": "USD", "rate": "0.91", "effective_date": "2024-01-01"},
    ),
    Route(
        "workspaces:exchange_rate_edit",
        kwargs=lambda t: {"rate_id": t["exchange_rate"].pk},
        min_role="admin",
        methods=("get", "post"),
        post_data=lambda t: {"currency": "SEK", "rate": "0.09", "effective_date": "2024-02-01"},
    ),
    Route(
        "workspaces:exchange_rate_delete",
        kwargs=lambda t: {"rate_id": t["exchange_rate"].pk},
        min_role="admin",
        methods=("post",),
        notes="POST only: GET answers 405 after the lookup (so a foreign id is still a 404).",
    ),
    Route(
        "workspaces:attribution",
        min_role="admin",
        methods=("get", "post"),
        post_data=lambda t: {
            "interaction_types": ["page_view", "form_submission"],
            "half_life_days": "14",
            "lookback_days": "90",
        },
    ),
    Route(
        "workspaces:roi",
        min_role="admin",
        methods=("get", "post"),
        post_data=lambda t: {
            "roi_mode": "estimate",
            "roi_average_sale_price": "1200",
            "roi_contact_to_customer_rate": "5",
            "roi_currency": "company",
        },
    ),
    Route("workspaces:members", min_role="admin"),
    Route(
        "workspaces:invite",
        min_role="admin",
        methods=("post",),
        post_data=lambda t: {"email": f"new-{t.workspace.slug}@example.com", "role": "viewer"},
    ),
    Route(
        "workspaces:member_role",
        kwargs=lambda t: {"member_id": _member_id(t)},
        min_role="admin",
        methods=("post",),
        post_data=lambda t: {"role": "viewer"},
    ),
    Route(
        "workspaces:member_remove",
        kwargs=lambda t: {"member_id": _member_id(t)},
        min_role="admin",
        methods=("post",),
    ),
    Route(
        "workspaces:invitation_resend",
        kwargs=lambda t: {"invitation_id": t["invitation"].pk},
        min_role="admin",
        methods=("post",),
    ),
    Route(
        "workspaces:invitation_revoke",
        kwargs=lambda t: {"invitation_id": t["invitation"].pk},
        min_role="admin",
        methods=("post",),
    ),
    Route(
        "workspaces:teams",
        min_role="admin",
        methods=("get", "post"),
        post_data=lambda t: {"name": "Matrix team"},
    ),
    Route(
        "workspaces:team_detail",
        kwargs=lambda t: {"team_id": t["team"].pk},
        min_role="admin",
        methods=("get", "post"),
        post_data=lambda t: {"name": "Renamed team"},
    ),
    Route(
        "workspaces:team_delete",
        kwargs=lambda t: {"team_id": t["team"].pk},
        min_role="admin",
        methods=("post",),
    ),
    Route(
        "workspaces:team_member_add",
        kwargs=lambda t: {"team_id": t["team"].pk},
        min_role="admin",
        methods=("post",),
        post_data=lambda t: {"membership": _member_id(t)},
    ),
    Route(
        "workspaces:team_member_remove",
        kwargs=lambda t: {"team_id": t["team"].pk, "member_id": _member_id(t)},
        min_role="admin",
        methods=("post",),
    ),
    Route(
        "workspaces:api_tokens",
        min_role="admin",
        methods=("get", "post"),
        post_data=lambda t: {"name": "Matrix token"},
    ),
    Route(
        "workspaces:api_token_created",
        min_role="admin",
        notes="Without a fresh token in the session it redirects to the token list.",
    ),
    Route(
        "workspaces:api_token_revoke",
        kwargs=lambda t: {"token_id": t["api_token"].pk},
        min_role="admin",
        methods=("post",),
    ),
    Route(
        "workspaces:preferences",
        min_role="viewer",
        methods=("get", "post"),
        post_data=lambda t: {"notify_email": "on"},
    ),
]
