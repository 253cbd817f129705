"""Traffic's View tracking URLs and Create tracking URL (the builder)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assets.models import AssetAssociation
from campaigns.models import TrackingUrl
from tests.conftest import World
from tracking.models import Session

pytestmark = pytest.mark.django_db


def _url(world: World, name: str, campaign: Any = None) -> str:
    campaign = campaign or world.a["campaign"]
    return reverse(
        f"reporting:{name}", kwargs={"workspace_slug": "acme", "campaign_id": campaign.pk}
    )


def _client(world: World, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def _data(**changes: str) -> dict[str, str]:
    data = {
        "name": "Spring newsletter link",
        "destination_url": "https://acme.example.com/offer",
        "utm_campaign": "utm-acme",
        "utm_source": "newsletter",
        "utm_medium": "email",
        "utm_term": "",
        "utm_content": "header",
    }
    data.update(changes)
    return data


def test_a_marketer_builds_a_tracking_url_that_becomes_a_campaign_asset(world: World) -> None:
    response = _client(world, "marketer").post(_url(world, "tracking_url_create"), _data())

    link = TrackingUrl.objects.get(name="Spring newsletter link")
    assert response.status_code == 302 and response["Location"].endswith(f"?created={link.pk}")
    assert link.built_url == (
        "https://acme.example.com/offer?utm_source=newsletter&utm_medium=email"
        "&utm_campaign=utm-acme&utm_content=header"
    )
    assert AssetAssociation.objects.filter(
        asset=link.asset, campaign=world.a["campaign"], dissociated_at__isnull=True
    ).exists()
    listing = _client(world, "viewer").get(response["Location"]).content.decode()
    assert 'data-copy-target="tracking-url-' in listing
    assert "utm_content=header" in listing


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"destination_url": "not a url"}, "destination_url", "Enter a valid URL."),
        (
            {"destination_url": "https://acme.example.com/?utm_source=x"},
            "destination_url",
            "already has utm parameters",
        ),
        ({"utm_campaign": "utm-other"}, "utm_campaign", "Select a valid choice."),
        ({"utm_source": ""}, "utm_source", "This field is required."),
        ({"utm_medium": "a&b=c"}, "utm_medium", "not &amp; # ? ="),
    ],
)
def test_the_builder_names_each_problem_and_stores_nothing(
    world: World, changes: dict[str, str], field: str, message: str
) -> None:
    response = _client(world, "marketer").post(_url(world, "tracking_url_create"), _data(**changes))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not TrackingUrl.objects.filter(name="Spring newsletter link").exists()


def test_a_viewer_may_list_tracking_urls_but_not_create_them(world: World) -> None:
    viewer = _client(world, "viewer")
    assert viewer.get(_url(world, "tracking_urls")).status_code == 200
    assert viewer.get(_url(world, "tracking_url_create")).status_code == 403
    assert viewer.post(_url(world, "tracking_url_create"), _data()).status_code == 403


def test_visits_count_sessions_that_landed_on_the_tracking_url(world: World) -> None:
    link = world.a["tracking_url"]
    now = timezone.now()
    for landing in (link.built_url, "https://acme.example.com/?utm_campaign=utm-acme"):
        Session.objects.create(
            workspace=world.a.workspace,
            visitor=world.a["visitor"],
            started_at=now,
            last_activity_at=now,
            landing_url=landing,
            utm_source="newsletter" if landing == link.built_url else "",
            utm_medium="email" if landing == link.built_url else "",
            utm_campaign="utm-acme",
            source="email_marketing",
        )

    page = _client(world, "viewer").get(_url(world, "tracking_urls")).content.decode()

    assert '<td class="num">1</td>' in page


def test_another_workspaces_user_gets_404_on_the_tracking_url_pages(world: World) -> None:
    outsider = _client(world, "outsider")
    for name in ("tracking_urls", "tracking_url_create"):
        assert outsider.get(_url(world, name)).status_code == 404
        foreign = _url(world, name, campaign=world.b["campaign"])
        assert _client(world, "admin").get(foreign).status_code == 404
    before = TrackingUrl.objects.count()
    _client(world, "admin").post(
        _url(world, "tracking_url_create", campaign=world.b["campaign"]), _data()
    )
    assert TrackingUrl.objects.count() == before
