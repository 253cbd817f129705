"""The Attribution tab (SPEC §5, §8): hand-computed scenarios per report type and model.

Campaign Spring holds landing page A and marketing email E; campaign Autumn holds page B.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from attribution.models import CreditRun
from campaigns.models import Campaign
from crm.models import Contact
from crm.services import associate_contact_with_deal, create_deal
from reporting import attribution
from reporting.definitions import AttributionDefinition
from tests.reporting.helpers import asset, at, campaign, contact, touch, won_deal, workspace
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db

TODAY = date(2024, 6, 1)
JANUARY: dict[str, Any] = {"range": "custom", "start": date(2024, 1, 1), "end": date(2024, 1, 31)}


@pytest.fixture
def ws() -> Workspace:
    return workspace(tier="enterprise", revenue_window_days=3650)


@pytest.fixture
def setup(ws: Workspace) -> dict[str, Any]:
    spring, autumn = campaign(ws, "Spring"), campaign(ws, "Autumn")
    return {
        "spring": spring,
        "autumn": autumn,
        "A": asset(ws, "landing_page", "Page A", spring, at(1, hour=0)),
        "E": asset(ws, "marketing_email", "Mail E", spring, at(1, hour=0)),
        "B": asset(ws, "landing_page", "Page B", autumn, at(1, hour=0)),
    }


def _payload(c: Campaign, conversion: str, models: tuple[str, ...], **fields: Any) -> Any:
    c.refresh_from_db()
    definition = AttributionDefinition(conversion=conversion, models=models, **fields)
    return attribution.compute_payload(campaign=c, definition=definition, today=TODAY)


def _by_row(payload: dict[str, Any], model: str) -> dict[str, float]:
    return {row["name"] or row["key"]: round(row["credit"][model], 6) for row in payload["rows"]}


def _ann(ws: Workspace, s: dict[str, Any]) -> Contact:
    """Created on the 5th by a form on page A; before that A, E (click and an open), B."""
    ann = contact(ws, "ann@x.test", at(5))
    touch(ws, ann, s["A"], at(1))
    touch(ws, ann, s["E"], at(2), "email_click")
    touch(ws, ann, s["E"], at(2, minute=5), "email_open")  # never counts
    touch(ws, ann, s["B"], at(3))
    touch(ws, ann, s["A"], at(5), "form_submission")  # the creating submission counts
    touch(ws, ann, s["A"], at(6))  # after creation: not eligible
    return ann


MODELS = ("first_interaction", "last_interaction", "linear", "u_shaped")


def test_contact_create_credits_the_campaign_assets_under_four_models(ws, setup) -> None:
    _ann(ws, setup)
    contact(ws, "bob@x.test", at(4))  # no interaction at all: unattributed

    payload = _payload(setup["spring"], "contact_create", MODELS, **JANUARY)

    # Eligible: A(1), E(2), B(3), A(5). U-shaped: first 40, lead creation 40, rest 10 + 10.
    assert {m: _by_row(payload, m) for m in MODELS} == {
        "first_interaction": {"Page A": 1.0, "Mail E": 0.0},
        "last_interaction": {"Page A": 1.0, "Mail E": 0.0},
        "linear": {"Page A": 0.5, "Mail E": 0.25},
        "u_shaped": {"Page A": 0.8, "Mail E": 0.1},
    }
    assert payload["totals"]["credit"] == {
        "first_interaction": 1.0,
        "last_interaction": 1.0,
        "linear": 0.75,
        "u_shaped": 0.9,
    }
    assert payload["unattributed"] == {"count": 1, "amount": "1.00"}
    assert payload["elsewhere"]["credit"]["linear"] == 0.25  # page B, Autumn's
    assert payload["conversions"]["count"] == 2


def test_contact_create_by_interaction_type_and_by_source(ws, setup) -> None:
    _ann(ws, setup)

    by_type = _payload(setup["spring"], "contact_create", ("linear",), dimension="interaction_type")

    assert _by_row(by_type, "linear") == {
        "page_view": 0.25,
        "email_click": 0.25,
        "form_submission": 0.25,
    }
    by_source = _payload(setup["spring"], "contact_create", ("linear",), dimension="source")
    assert _by_row(by_source, "linear") == {"": 0.75}  # no sessions: no traffic source


def test_the_date_range_filters_by_conversion_date_not_interaction_date(ws, setup) -> None:
    _ann(ws, setup)
    cy = contact(ws, "cy@x.test", at(40))  # February
    touch(ws, cy, setup["A"], at(20))  # a January interaction of a February conversion

    january = _payload(setup["spring"], "contact_create", ("first_interaction",), **JANUARY)
    everything = _payload(setup["spring"], "contact_create", ("first_interaction",))

    assert _by_row(january, "first_interaction") == {"Page A": 1.0}
    assert _by_row(everything, "first_interaction") == {"Page A": 2.0}
    assert everything["conversions"]["count"] == 2


def _deal_with_two_contacts(ws: Workspace, s: dict[str, Any]) -> Any:
    """Dan (created 3rd) saw A(1), B(2); Eve (created 6th) saw A(5), clicked E(8) and A(11).
    The deal is created on the 10th with both."""
    dan, eve = contact(ws, "dan@x.test", at(3)), contact(ws, "eve@x.test", at(6))
    touch(ws, dan, s["A"], at(1))
    touch(ws, dan, s["B"], at(2))
    touch(ws, eve, s["A"], at(5))
    touch(ws, eve, s["E"], at(8), "email_click")
    touch(ws, eve, s["A"], at(11))  # after the deal was created
    deal = create_deal(
        workspace=ws, name="Big", amount=Decimal("1000"), currency="EUR", created_at=at(10)
    )
    for person in (eve, dan):
        associate_contact_with_deal(deal=deal, contact=person, at=at(10))
    return deal


def test_deal_create_pools_the_contacts_and_takes_lead_creation_from_the_oldest(ws, setup) -> None:
    _deal_with_two_contacts(ws, setup)
    models = ("w_shaped", "u_shaped", "linear", "time_decay")

    payload = _payload(setup["spring"], "deal_create", models)

    # Pooled: A(1) B(2) A(5) E(8). Lead creation = last touch before Dan's creation = B(2)
    # (Eve's would make it A(5)); deal creation = E(8). W: 30/30/30 + rest 10 on A(5).
    assert _by_row(payload, "w_shaped") == {"Page A": 0.4, "Mail E": 0.3}
    assert _by_row(payload, "u_shaped") == {"Page A": 0.5, "Mail E": 0.1}
    assert _by_row(payload, "linear") == {"Page A": 0.5, "Mail E": 0.25}
    # Time decay, half-life 7 days, days before the 10th: 9, 8, 5, 2.
    weights = {d: 2 ** (-d / 7) for d in (9, 8, 5, 2)}
    total = sum(weights.values())
    decay = _by_row(payload, "time_decay")
    assert decay["Page A"] == pytest.approx((weights[9] + weights[5]) / total, abs=1e-6)
    assert decay["Mail E"] == pytest.approx(weights[2] / total, abs=1e-6)
    assert payload["paths"]["lengths"] == [{"touches": 4, "conversions": 1, "share": 1.0}]


def test_revenue_credits_the_deal_amount_at_close(ws, setup) -> None:
    dan = contact(ws, "dan@x.test", at(3))
    touch(ws, dan, setup["A"], at(1))
    touch(ws, dan, setup["B"], at(2))
    touch(ws, dan, setup["E"], at(12), "email_click")
    touch(ws, dan, setup["A"], at(25))  # after the close
    won_deal(ws, [dan], "1000.00", at(20), created=at(10), linked=at(10))
    models = ("full_path", "linear", "first_interaction", "inverse_j_shaped")

    payload = _payload(setup["spring"], "revenue", models)
    amounts = {m: {r["name"]: r["amount"][m] for r in payload["rows"]} for m in models}

    # Full path: first A(1); lead and deal creation both B(2); closed won E(12); no rest:
    # 22.5 / 45 / 22.5 of 90 -> A 250, E 250. Inverse J: first 60, last 20, rest 20 (B).
    assert amounts["full_path"] == {"Page A": "250.00", "Mail E": "250.00"}
    assert amounts["linear"] == {"Page A": "333.33", "Mail E": "333.33"}
    assert amounts["first_interaction"] == {"Page A": "1000.00", "Mail E": "0.00"}
    assert amounts["inverse_j_shaped"] == {"Page A": "600.00", "Mail E": "200.00"}
    assert payload["totals"]["amount"]["full_path"] == "500.00"
    assert payload["elsewhere"]["amount"]["full_path"] == "500.00"
    assert payload["conversions"] == {"count": 1, "value": "1000.00"}


def test_model_comparison_shifts_sum_to_zero(ws, setup) -> None:
    _ann(ws, setup)
    contact(ws, "bob@x.test", at(4))
    payload = _payload(setup["spring"], "contact_create", ("linear", "u_shaped"))

    rows = {r["name"] or r["key"]: r["shift"] for r in attribution.comparison(payload, *MODELS[2:])}

    assert rows == {"Page A": 0.3, "Mail E": -0.15, "elsewhere": -0.15}
    assert sum(rows.values()) == pytest.approx(0.0, abs=1e-9)


def test_credits_are_stored_once_per_data_version_and_shared_by_campaigns(ws, setup) -> None:
    _ann(ws, setup)
    _payload(setup["spring"], "contact_create", ("linear",))
    _payload(setup["autumn"], "contact_create", ("linear",))
    assert CreditRun.objects.for_workspace(ws).filter(model="linear").count() == 1

    autumn = _payload(setup["autumn"], "contact_create", ("linear",))
    assert _by_row(autumn, "linear") == {"Page B": 0.25}


def test_top_paths_by_campaign_and_source(ws, setup) -> None:
    _ann(ws, setup)
    payload = _payload(setup["spring"], "contact_create", ("linear",))

    # Collapsed: two Spring touches in a row are one step.
    assert [p["steps"] for p in payload["paths"]["campaign"]] == [["Spring", "Autumn", "Spring"]]
    assert [p["touches"] for p in payload["paths"]["campaign"]] == [3]
    assert payload["paths"]["time_to_convert"][1]["conversions"] == 0
    assert sum(r["conversions"] for r in payload["paths"]["time_to_convert"]) == 1


def test_the_snapshot_service_returns_plain_data_computed_on_demand(ws, setup) -> None:
    _ann(ws, setup)
    definition = AttributionDefinition(models=("linear", "first_interaction"), **JANUARY)

    result = attribution.attribution_result(
        campaign=setup["spring"], definition=definition, today=TODAY
    )
    again = attribution.attribution_result(
        campaign=setup["spring"], definition=replace(definition, chart="line"), today=TODAY
    )

    assert result["totals"]["credit"] == {"linear": 0.75, "first_interaction": 1.0}
    assert again == result


def test_a_professional_workspace_gets_the_revenue_report_refused(ws, setup) -> None:
    ws.tier = "professional"
    ws.save()
    definition = AttributionDefinition(conversion="revenue")
    spring = Campaign.objects.select_related("workspace").get(pk=setup["spring"].pk)

    assert attribution.attribution_section(
        campaign=spring, definition=definition, today=TODAY
    ).gated
    with pytest.raises(PermissionError):
        attribution.attribution_result(campaign=spring, definition=definition, today=TODAY)


def test_a_new_payload_shape_gives_new_snapshot_keys_so_old_snapshots_are_not_read(
    monkeypatch,
) -> None:
    definition = AttributionDefinition(models=("linear",), **JANUARY)
    before, data = attribution.definition_key(definition, today=TODAY)
    monkeypatch.setattr(attribution, "PAYLOAD_VERSION", attribution.PAYLOAD_VERSION + 1)
    after, same_data = attribution.definition_key(definition, today=TODAY)
    assert before != after
    assert data == same_data  # the stored definition itself is unchanged
