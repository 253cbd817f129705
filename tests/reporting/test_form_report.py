"""The asset report's forms section (SPEC §4.5): views, submissions and the submission rate."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from django.test import Client
from django.urls import reverse

from assets.services import associate_asset
from reporting.compute.assets import asset_reports
from tests.conftest import World
from tests.reporting.helpers import asset, at, campaign, contact, report, touch, workspace
from workspaces.models import Workspace

EMPTY = {
    "reach": pd.DataFrame(columns=["asset_id", "sessions", "contacts"]),
    "ads": pd.DataFrame(columns=["asset_id", "impressions", "clicks", "spend"]),
    "visits": pd.DataFrame(columns=["asset_id", "visits", "contacts"]),
}


def form_rows(counts: list[tuple[int, str, int]]) -> dict[int, dict[str, Any]]:
    assets = [
        {"id": 1, "name": "Newsletter", "type": "form"},
        {"id": 2, "name": "Webinar", "type": "form"},
    ]
    frame = pd.DataFrame(counts, columns=["asset_id", "type", "n"])
    (section,) = asset_reports(assets, frame, **EMPTY)
    assert section["columns"] == ["views", "submissions", "submission_rate", "contacts"]
    return {row["asset"]: row["metrics"] for row in section["rows"]}


def test_the_submission_rate_is_submissions_over_form_views() -> None:
    rows = form_rows([(1, "form_view", 3), (1, "form_submission", 1), (2, "form_view", 8)])
    assert rows[1] == {"views": 3, "submissions": 1, "submission_rate": "33.3", "contacts": 0}
    assert rows[2]["submission_rate"] == "0.0"


def test_a_form_without_views_has_no_submission_rate() -> None:
    # Submissions recorded before form views were tracked (an import, the API): no rate, not
    # an infinite one.
    rows = form_rows([(1, "form_submission", 4)])
    assert rows[1]["views"] == 0 and rows[1]["submissions"] == 4
    assert rows[1]["submission_rate"] is None
    assert rows[2]["submission_rate"] is None


@pytest.mark.django_db
def test_the_forms_section_counts_every_view_and_submission_of_the_form_in_the_period() -> None:
    ws: Workspace = workspace(revenue_window_days=3650)
    spring = campaign(ws, "Spring")
    signup = asset(ws, "form", "Signup", spring, at(5))
    reader, buyer = contact(ws, "r@x.test", at(1)), contact(ws, "b@x.test", at(1))
    # Two views before the form joined the campaign still count (historical data).
    for day, who in ((2, reader), (3, buyer), (6, buyer)):
        touch(ws, who, signup, at(day), type="form_view")
    touch(ws, buyer, signup, at(6, minute=2), type="form_submission")

    payload, _drill = report(spring, "assets")
    (section,) = payload["sections"]
    assert section["type"] == "form"
    assert section["rows"][0]["metrics"] == {
        "views": 3,
        "submissions": 1,
        "submission_rate": "33.3",
        "contacts": 2,
    }


@pytest.mark.django_db
def test_the_performance_page_shows_the_rate_as_a_percentage_and_a_dash_without_views(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    ws, spring = world.a.workspace, world.a["campaign"]
    viewed, unseen = world.a["free_asset"], asset(ws, "form", "Unseen form", None, at(1))
    for form in (viewed, unseen):
        associate_asset(asset=form, campaign=spring, at=at(1))
    person = world.a["contact"]
    for day in (2, 3, 4):
        touch(ws, person, viewed, at(day), type="form_view")
    touch(ws, person, viewed, at(4, minute=1), type="form_submission")
    touch(ws, person, unseen, at(4, minute=1), type="form_submission")

    client = Client()
    client.force_login(world.users["viewer"])
    url = reverse(
        "reporting:performance", kwargs={"workspace_slug": ws.slug, "campaign_id": spring.pk}
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.get(url)
    page = client.get(url).content.decode()
    assert "Submission rate" in page
    assert "33.3 %" in page
    rows = page.split("Unseen form", 1)[1].split("</tr>", 1)[0]
    assert "\u2013" in rows  # the en dash of a missing value
