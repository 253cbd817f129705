"""The Attribution tab's pages: filters in the URL, placeholder then results, HTMX partials,
cards, the credited interactions behind a cell, the revenue deals list, tier gates."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from attribution.models import AttributionSnapshot
from reporting.attribution_tasks import compute_attribution_snapshot
from tests.conftest import World
from tests.reporting.helpers import contact, touch, won_deal

pytestmark = pytest.mark.django_db
TWO_MODELS = "?models=linear&models=first_interaction&dimension=interaction_type"


def _ago(days: int) -> datetime:
    return timezone.now() - timedelta(days=days)


def _url(world: World, name: str, **kwargs: Any) -> str:
    kwargs.setdefault("campaign_id", world.a["campaign"].pk)
    return reverse(f"reporting:{name}", kwargs={"workspace_slug": "acme", **kwargs})


def _viewer(world: World) -> Client:
    client = Client()
    client.force_login(world.users["viewer"])
    return client


def _computed(world: World, client: Client, capture: Any, name: str, query: str) -> str:
    with capture(execute=True):
        client.get(_url(world, name) + query)
    return client.get(_url(world, name) + query).content.decode()


def _buyer(world: World) -> None:
    """A contact created after a page view and a form submission on workspace A's campaign
    page (which the campaign has held for 20 days)."""
    ws, page = world.a.workspace, world.a["asset"]
    created = _ago(3)
    person = contact(ws, "lena@x.test", created)
    touch(ws, person, page, _ago(5))
    touch(ws, person, page, created, "form_submission")


def test_the_tab_first_shows_a_placeholder_then_one_column_per_model(world: World) -> None:
    _buyer(world)
    client = _viewer(world)
    first = client.get(_url(world, "attribution") + TWO_MODELS).content.decode()
    assert "Computing this report" in first

    (snapshot,) = AttributionSnapshot.objects.for_workspace(world.a.workspace)
    assert compute_attribution_snapshot(snapshot.pk) == "ready"
    page = client.get(_url(world, "attribution") + TWO_MODELS).content.decode()

    assert 'data-model="linear"' in page and 'data-model="first_interaction"' in page
    assert "Form submission" in page and "Model comparison" in page
    assert compute_attribution_snapshot(snapshot.pk) == "skipped"


def test_an_htmx_filter_change_returns_only_the_results(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = _viewer(world)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(_url(world, "attribution") + TWO_MODELS)
    partial = client.get(_url(world, "attribution") + TWO_MODELS, HTTP_HX_REQUEST="true")
    html = partial.content.decode()
    assert html.lstrip().startswith('<div id="attribution-results"')
    assert "<form" not in html


def test_the_results_card_is_compact(world: World, django_capture_on_commit_callbacks: Any) -> None:
    _buyer(world)
    client = _viewer(world)
    card = _computed(
        world,
        client,
        django_capture_on_commit_callbacks,
        "attribution_results",
        TWO_MODELS + "&card=1",
    )
    assert 'data-model="linear"' in card
    assert "Model comparison" not in card and "<nav" not in card


def test_a_cell_opens_the_interactions_with_their_credit(world: World) -> None:
    _buyer(world)
    client = _viewer(world)
    query = TWO_MODELS + "&model=linear&row=form_submission"
    html = client.get(_url(world, "attribution_interactions") + query).content.decode()

    assert "1 credited interaction" in html
    assert "lena@x.test" in html and "0.5" in html


def test_a_model_not_in_the_definition_is_404(world: World) -> None:
    query = TWO_MODELS + "&model=markov&row=page_view"
    assert _viewer(world).get(_url(world, "attribution_interactions") + query).status_code == 404


def test_a_professional_workspace_sees_deal_and_revenue_reports_gated(world: World) -> None:
    world.a.workspace.tier = "professional"
    world.a.workspace.save()
    html = _viewer(world).get(_url(world, "attribution") + "?conversion=revenue").content.decode()

    assert "part of the Enterprise tier" in html
    assert '<option value="revenue" disabled>' in html


def test_the_deals_list_shows_each_deal_with_its_amount_and_credit(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    ws, page = world.a.workspace, world.a["asset"]
    buyer = contact(ws, "buyer@x.test", _ago(10))
    touch(ws, buyer, page, _ago(9))
    won_deal(ws, [buyer], "800.00", _ago(2))
    url = _url(world, "revenue_deals", report="revenue_attribution") + "?range=all&model=linear"
    client = _viewer(world)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(url)
    html = client.get(url).content.decode().replace("\xa0", " ")

    assert "1 deal" in html and "Deal 800.00" in html
    assert html.count("800.00") >= 3  # name, value and the full credit (one touch)


def test_the_deals_list_is_404_for_another_report(world: World) -> None:
    url = _url(world, "revenue_deals", report="overview")
    assert _viewer(world).get(url).status_code == 404


def test_path_steps_are_named_on_the_page_including_touches_of_no_campaign_or_source() -> None:
    from reporting.attribution_views import _named_paths

    by_campaign = [{"steps": ["Spring", "", "Autumn"], "conversions": 2, "share": 1.0}]
    by_source = [{"steps": ["organic_search", ""], "conversions": 2, "share": 1.0}]

    assert _named_paths(by_campaign, "campaign")[0]["steps"] == ["Spring", "No campaign", "Autumn"]
    assert _named_paths(by_source, "source")[0]["steps"] == ["Organic search", "No source"]
