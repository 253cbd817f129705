"""API v1 campaign reports: the same numbers as the Performance tab, scoped to the token."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.conftest import CANARY, World
from tests.reporting.helpers import contact, touch
from workspaces.services import create_api_token

pytestmark = pytest.mark.django_db


def _api(world: World, tenant: str = "a") -> APIClient:
    _, raw = create_api_token(workspace=getattr(world, tenant).workspace, name="Reports")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def _url(campaign: Any) -> str:
    return reverse("api:campaign-report-detail", kwargs={"pk": campaign.pk})


def test_the_api_answers_complete_reports_with_the_same_numbers_as_the_page(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    ws = world.a.workspace
    touch(
        ws,
        contact(ws, "api@acme.test", world.a["association"].associated_at),
        world.a["asset"],
        world.a["association"].associated_at,
    )
    with django_capture_on_commit_callbacks(execute=True):
        answer = _api(world).get(_url(world.a["campaign"]) + "?range=all&touch=first")

    assert answer.status_code == 200
    reports = answer.json()["reports"]
    assert reports["overview"]["data"]["influenced_contacts"]["value"] == 2
    assert reports["revenue"]["status"] == "not_in_tier"  # workspace A is enterprise
    assert reports["revenue_attribution"]["status"] == "ready"
    assert set(reports["traffic"]["data"]) == {"rows", "totals", "drills"}
    page = APIClient()
    page.force_login(world.users["viewer"])
    perf = reverse(
        "reporting:performance",
        kwargs={"workspace_slug": "acme", "campaign_id": world.a["campaign"].pk},
    )
    html = page.get(perf + "?range=all&touch=first").content.decode()
    assert 'data-metric="influenced_contacts"' in html and ">2</a>" in html


def test_bad_filters_are_a_400_naming_the_field(world: World) -> None:
    response = _api(world).get(
        _url(world.a["campaign"]) + "?range=custom&start=2024-05-01&end=2024-04-01"
    )
    assert response.status_code == 400
    assert response.json()["end"] == ["The end date is before the start date."]


def test_another_workspaces_campaign_is_a_404_without_its_data(world: World) -> None:
    response = _api(world).get(_url(world.b["campaign"]))
    assert response.status_code == 404
    assert CANARY not in response.content.decode()
