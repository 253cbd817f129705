"""General, exchange-rate, attribution and ROI settings: what is stored and what is refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from tests.conftest import World
from tests.workspaces.conftest import settings_url
from tracking.models import DEFAULT_ATTRIBUTION_TYPES, NEVER_ATTRIBUTED_TYPES
from workspaces.models import ExchangeRate, Workspace
from workspaces.selectors import attribution_interaction_types


def _general(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "Acme Nordic",
        "tier": "professional",
        "time_zone": "Europe/Copenhagen",
        "currency": "sek",
        "revenue_window_days": 1095,
    }
    data.update(overrides)
    return data


# --- General -----------------------------------------------------------------------------------


def test_general_settings_are_saved_and_the_reports_marked_stale(
    world: World, admin_client_a: Client
) -> None:
    ws = world.a.workspace
    version = ws.data_version
    response = admin_client_a.post(settings_url("general"), _general())
    assert response.status_code == 302
    ws.refresh_from_db()
    assert (ws.name, ws.tier, ws.time_zone, ws.currency) == (
        "Acme Nordic",
        "professional",
        "Europe/Copenhagen",
        "SEK",
    )
    assert ws.revenue_window_days == 1095
    assert ws.data_version > version


def test_the_general_page_explains_the_three_year_revenue_window(admin_client_a: Client) -> None:
    body = admin_client_a.get(settings_url("general")).content.decode()
    assert "1095" in body and "365" in body
    assert '<option value="Europe/Oslo"' in body


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("currency", "EURO", "Ensure this value has at most 3 characters"),
        ("currency", "ABC", "ABC is not an ISO 4217 currency code"),
        ("time_zone", "Mars/Olympus", "Select a valid choice"),
        ("revenue_window_days", "0", "greater than or equal to 1"),
        ("tier", "gold", "Select a valid choice"),
        ("name", "", "This field is required"),
    ],
)
def test_bad_general_settings_are_refused_with_a_message_naming_the_problem(
    field: str, value: str, message: str, world: World, admin_client_a: Client
) -> None:
    response = admin_client_a.post(settings_url("general"), _general(**{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    ws = Workspace.objects.get(pk=world.a.workspace.pk)
    assert ws.name == "Acme" and ws.currency == "EUR"


def test_the_company_currency_cannot_become_one_with_exchange_rates(
    world: World, admin_client_a: Client
) -> None:
    # Workspace A has a DKK rate; DKK as company currency would make it a rate of DKK into DKK.
    response = admin_client_a.post(settings_url("general"), _general(currency="DKK"))
    assert response.status_code == 200
    assert "There are exchange rates for DKK" in response.content.decode()
    world.a.workspace.refresh_from_db()
    assert world.a.workspace.currency == "EUR"


# --- Exchange rates ------------------------------------------------------------------------------


def test_an_exchange_rate_is_added_and_listed_as_one_unit_in_the_company_currency(
    world: World, admin_client_a: Client
) -> None:
    response = admin_client_a.post(
        settings_url("exchange_rates"),
        {"currency": "usd", "rate": "0.9234", "effective_date": "2024-03-01"},
    )
    assert response.status_code == 302
    rate = ExchangeRate.objects.for_workspace(world.a.workspace).get(currency="USD")
    assert rate.rate == Decimal("0.9234")
    assert (
        "1 USD = 0.9234 EUR" in admin_client_a.get(settings_url("exchange_rates")).content.decode()
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"currency": "USD", "rate": "0", "effective_date": "2024-01-01"}, "greater than zero"),
        ({"currency": "USD", "rate": "-2", "effective_date": "2024-01-01"}, "greater than zero"),
        (
            {"currency": "EUR", "rate": "1", "effective_date": "2024-01-01"},
            "is the company currency",
        ),
        ({"currency": "XYZ", "rate": "1", "effective_date": "2024-01-01"}, "not an ISO 4217"),
        ({"currency": "USD", "rate": "abc", "effective_date": "2024-01-01"}, "Enter a number"),
        ({"currency": "USD", "rate": "1", "effective_date": "1 March"}, "Enter a valid date"),
    ],
)
def test_bad_exchange_rates_are_refused_with_a_clear_message(
    data: dict[str, str], message: str, world: World, admin_client_a: Client
) -> None:
    before = ExchangeRate.objects.for_workspace(world.a.workspace).count()
    response = admin_client_a.post(settings_url("exchange_rates"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert ExchangeRate.objects.for_workspace(world.a.workspace).count() == before


def test_a_second_rate_for_the_same_currency_and_day_is_refused(
    world: World, admin_client_a: Client
) -> None:
    existing = world.a["exchange_rate"]
    response = admin_client_a.post(
        settings_url("exchange_rates"),
        {"currency": "DKK", "rate": "0.2", "effective_date": existing.effective_date.isoformat()},
    )
    assert response.status_code == 200
    assert "There is already a DKK rate from" in response.content.decode()
    existing.refresh_from_db()
    assert existing.rate == Decimal("0.134")


def test_the_same_currency_and_day_in_another_workspace_does_not_count_as_a_duplicate(
    world: World, admin_client_a: Client
) -> None:
    ExchangeRate.objects.for_workspace(world.a.workspace).delete()
    b_rate = world.b["exchange_rate"]
    response = admin_client_a.post(
        settings_url("exchange_rates"),
        {"currency": "DKK", "rate": "0.2", "effective_date": b_rate.effective_date.isoformat()},
    )
    assert response.status_code == 302


def test_an_exchange_rate_is_edited_and_deleted(world: World, admin_client_a: Client) -> None:
    rate = world.a["exchange_rate"]
    edit = settings_url("exchange_rate_edit", rate_id=rate.pk)
    assert admin_client_a.get(edit).status_code == 200
    response = admin_client_a.post(
        edit, {"currency": "DKK", "rate": "0.1341", "effective_date": "2024-05-01"}
    )
    assert response.status_code == 302
    rate.refresh_from_db()
    assert rate.rate == Decimal("0.1341") and rate.effective_date.isoformat() == "2024-05-01"
    delete = settings_url("exchange_rate_delete", rate_id=rate.pk)
    assert admin_client_a.get(delete).status_code == 405
    assert admin_client_a.post(delete).status_code == 302
    assert not ExchangeRate.objects.filter(pk=rate.pk).exists()


def test_editing_a_rate_onto_another_rates_day_is_refused(
    world: World, admin_client_a: Client
) -> None:
    rate = world.a["exchange_rate"]
    ExchangeRate.objects.create(
        workspace=world.a.workspace, currency="DKK", rate="0.13", effective_date="2023-01-01"
    )
    response = admin_client_a.post(
        settings_url("exchange_rate_edit", rate_id=rate.pk),
        {"currency": "DKK", "rate": "0.2", "effective_date": "2023-01-01"},
    )
    assert "There is already a DKK rate from 2023-01-01" in response.content.decode()


# --- Attribution -------------------------------------------------------------------------------


def test_a_new_workspace_counts_the_default_interaction_types(world: World) -> None:
    ws = world.a.workspace
    assert ws.attribution_interaction_types == []
    assert attribution_interaction_types(workspace=ws) == DEFAULT_ATTRIBUTION_TYPES


def test_attribution_settings_store_the_explicit_list(world: World, admin_client_a: Client) -> None:
    response = admin_client_a.post(
        settings_url("attribution"),
        {
            "interaction_types": ["form_submission", "page_view"],
            "half_life_days": "3.5",
            "lookback_days": "90",
        },
    )
    assert response.status_code == 302
    ws = Workspace.objects.get(pk=world.a.workspace.pk)
    assert ws.attribution_interaction_types == ["page_view", "form_submission"]
    assert ws.half_life_days == Decimal("3.5")
    assert ws.lookback_days == 90


def test_saving_the_untouched_attribution_page_stores_the_defaults_explicitly(
    world: World, admin_client_a: Client
) -> None:
    response = admin_client_a.post(
        settings_url("attribution"),
        {
            "interaction_types": DEFAULT_ATTRIBUTION_TYPES,
            "half_life_days": "7",
            "lookback_days": "",
        },
    )
    assert response.status_code == 302
    ws = Workspace.objects.get(pk=world.a.workspace.pk)
    assert ws.attribution_interaction_types == DEFAULT_ATTRIBUTION_TYPES
    assert ws.lookback_days is None


def test_the_never_counting_types_are_shown_disabled_and_cannot_be_switched_on(
    world: World, admin_client_a: Client
) -> None:
    body = admin_client_a.get(settings_url("attribution")).content.decode()
    for value in NEVER_ATTRIBUTED_TYPES:
        assert f'id="never_{value}" disabled' in body
    response = admin_client_a.post(
        settings_url("attribution"),
        {"interaction_types": ["page_view", "email_open"], "half_life_days": "7"},
    )
    assert response.status_code == 200
    assert "Select a valid choice. email_open is not one of the available choices." in (
        response.content.decode()
    )
    assert Workspace.objects.get(pk=world.a.workspace.pk).attribution_interaction_types == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"half_life_days": "7"}, "Choose at least one interaction type"),
        ({"interaction_types": ["page_view"], "half_life_days": "0"}, "greater than zero days"),
        ({"interaction_types": ["page_view"], "half_life_days": "-1"}, "greater than zero days"),
        (
            {"interaction_types": ["page_view"], "half_life_days": "7", "lookback_days": "0"},
            "greater than or equal to 1",
        ),
    ],
)
def test_bad_attribution_settings_are_refused(
    data: dict[str, object], message: str, world: World, admin_client_a: Client
) -> None:
    response = admin_client_a.post(settings_url("attribution"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    ws = Workspace.objects.get(pk=world.a.workspace.pk)
    assert ws.half_life_days == Decimal("7") and ws.attribution_interaction_types == []


# --- ROI -----------------------------------------------------------------------------------------


def test_roi_settings_store_the_rate_as_a_fraction(world: World, admin_client_a: Client) -> None:
    response = admin_client_a.post(
        settings_url("roi"),
        {
            "roi_mode": "estimate",
            "roi_average_sale_price": "1200",
            "roi_contact_to_customer_rate": "4.5",
            "roi_currency": "account",
        },
    )
    assert response.status_code == 302
    ws = Workspace.objects.get(pk=world.a.workspace.pk)
    assert ws.roi_mode == "estimate" and ws.roi_currency == "account"
    assert ws.roi_average_sale_price == Decimal("1200")
    assert ws.roi_contact_to_customer_rate == Decimal("0.045")
    body = admin_client_a.get(settings_url("roi")).content.decode()
    assert 'value="4.50"' in body


def test_estimating_revenue_needs_a_price_and_a_rate(world: World, admin_client_a: Client) -> None:
    response = admin_client_a.post(
        settings_url("roi"),
        {"roi_mode": "estimate", "roi_average_sale_price": "", "roi_currency": "company"},
    )
    body = response.content.decode()
    assert "enter an average sale price greater than zero" in body
    assert "enter a contact-to-customer rate greater than zero" in body
    assert Workspace.objects.get(pk=world.a.workspace.pk).roi_mode == "deals"


def test_a_rate_above_100_percent_is_refused(admin_client_a: Client) -> None:
    response = admin_client_a.post(
        settings_url("roi"),
        {
            "roi_mode": "estimate",
            "roi_average_sale_price": "10",
            "roi_contact_to_customer_rate": "120",
            "roi_currency": "company",
        },
    )
    assert "less than or equal to 100" in response.content.decode()
