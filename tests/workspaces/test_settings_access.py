"""Who may open which settings page: admins only (403 for other roles, 404 for outsiders)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.conftest import CANARY, World
from tests.workspaces.conftest import settings_url
from workspaces.models import Membership

ADMIN_PAGES = [
    "settings",
    "general",
    "exchange_rates",
    "attribution",
    "roi",
    "members",
    "teams",
    "api_tokens",
]


def _foreign_ids(world: World) -> list[tuple[str, dict[str, Any]]]:
    b = world.b
    member = Membership.objects.for_workspace(b.workspace).first()
    assert member is not None
    return [
        ("exchange_rate_edit", {"rate_id": b["exchange_rate"].pk}),
        ("exchange_rate_delete", {"rate_id": b["exchange_rate"].pk}),
        ("team_detail", {"team_id": b["team"].pk}),
        ("team_delete", {"team_id": b["team"].pk}),
        ("team_member_add", {"team_id": b["team"].pk}),
        ("team_member_remove", {"team_id": b["team"].pk, "member_id": member.pk}),
        ("api_token_revoke", {"token_id": b["api_token"].pk}),
        ("invitation_resend", {"invitation_id": b["invitation"].pk}),
        ("invitation_revoke", {"invitation_id": b["invitation"].pk}),
        ("member_role", {"member_id": member.pk}),
        ("member_remove", {"member_id": member.pk}),
    ]


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_an_admin_opens_every_settings_page(page: str, admin_client_a: Client) -> None:
    response = admin_client_a.get(settings_url(page))
    assert response.status_code == 200
    assert CANARY not in response.content.decode()


@pytest.mark.parametrize("role", ["marketer", "viewer"])
@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_marketers_and_viewers_are_refused_settings_pages(
    page: str, role: str, client_as: Callable[[str], Client]
) -> None:
    assert client_as(role).get(settings_url(page)).status_code == 403


@pytest.mark.parametrize("page", [*ADMIN_PAGES, "preferences"])
def test_another_workspaces_admin_gets_404_for_every_settings_page(
    page: str, client_as: Callable[[str], Client]
) -> None:
    assert client_as("outsider").get(settings_url(page)).status_code == 404


def test_another_workspaces_objects_are_404_even_for_an_admin(
    world: World, admin_client_a: Client
) -> None:
    for name, kwargs in _foreign_ids(world):
        url = settings_url(name, **kwargs)
        assert admin_client_a.get(url).status_code == 404, url
        assert admin_client_a.post(url, {"role": "viewer", "name": "x"}).status_code == 404, url
    b = world.b
    b["exchange_rate"].refresh_from_db()
    b["team"].refresh_from_db()
    b["api_token"].refresh_from_db()
    b["invitation"].refresh_from_db()
    assert b["api_token"].revoked_at is None
    assert b["team"].name == f"Team {CANARY}"
    assert Membership.objects.for_workspace(b.workspace).filter(role="admin").count() == 1


def test_a_marketer_gets_403_for_own_objects_but_404_for_foreign_ones(
    world: World, client_as: Callable[[str], Client]
) -> None:
    marketer = client_as("marketer")
    own = settings_url("exchange_rate_edit", rate_id=world.a["exchange_rate"].pk)
    foreign = settings_url("exchange_rate_edit", rate_id=world.b["exchange_rate"].pk)
    assert marketer.get(own).status_code == 403
    assert marketer.get(foreign).status_code == 404


def test_anonymous_visitors_are_sent_to_the_login_page(client: Client) -> None:
    response = client.get(settings_url("general"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_settings_link_shows_in_the_navigation_only_for_admins(
    client_as: Callable[[str], Client],
) -> None:
    link = f'href="{settings_url("settings")}"'
    assert link in client_as("admin").get(settings_url("preferences")).content.decode()
    assert link not in client_as("viewer").get(settings_url("preferences")).content.decode()


def test_the_overview_links_every_section(admin_client_a: Client) -> None:
    body = admin_client_a.get(settings_url("settings")).content.decode()
    for page in ADMIN_PAGES[1:]:
        assert f'href="{settings_url(page)}"' in body
