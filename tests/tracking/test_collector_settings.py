"""The workspace's Tracking settings page (embed code, status, allowed domains) and the snippet
file it points at."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import CANARY, World
from tests.tracking.test_collector_support import (
    A_HOST,
    collect,
    event,
    fresh_tracking,
    post_event,
    tracked_world,
)
from tracking.forms import AllowedDomainsForm, parse_domain_line

__all__ = ["fresh_tracking", "tracked_world"]

pytestmark = pytest.mark.django_db


def settings_url(workspace: Any) -> str:
    return reverse("tracking:settings", kwargs={"workspace_slug": workspace.slug})


def logged_in(world: World, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


# --- Who sees the page ----------------------------------------------------------------------------
def test_an_admin_sees_the_embed_code_with_the_workspace_key(world: World) -> None:
    ws = world.a.workspace
    response = logged_in(world, "admin").get(settings_url(ws))
    assert response.status_code == 200
    html = response.content.decode()
    expected = f'<script async src="http://testserver/t.js" data-key="{ws.public_key}"></script>'
    assert expected.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;") in html
    assert 'data-copy-target="#embed-line"' in html
    assert "http://testserver/collect/form" in html
    assert CANARY not in html
    assert world.b.workspace.public_key not in html


def test_with_no_allowed_domains_the_page_warns_that_any_site_is_accepted(world: World) -> None:
    html = logged_in(world, "admin").get(settings_url(world.a.workspace)).content.decode()
    assert "page views from any website are accepted" in html


@pytest.mark.parametrize("role", ["marketer", "viewer"])
def test_members_below_admin_are_refused(world: World, role: str) -> None:
    assert logged_in(world, role).get(settings_url(world.a.workspace)).status_code == 403


def test_a_user_of_another_workspace_gets_404(world: World) -> None:
    outsider = logged_in(world, "outsider")
    assert outsider.get(settings_url(world.a.workspace)).status_code == 404
    posted = outsider.post(settings_url(world.a.workspace), {"allowed_domains": "evil.test"})
    assert posted.status_code == 404
    world.a.workspace.refresh_from_db()
    assert world.a.workspace.allowed_domains == []


def test_the_overview_links_to_the_tracking_page(world: World) -> None:
    ws = world.a.workspace
    overview = reverse("workspaces:settings", kwargs={"workspace_slug": ws.slug})
    html = logged_in(world, "admin").get(overview).content.decode()
    assert f'href="{settings_url(ws)}"' in html


def test_the_status_shows_what_the_collector_received(tracked_world: World) -> None:
    ws = tracked_world.a.workspace
    collect(ws, url=f"https://{A_HOST}/x", at=timezone.now())
    html = logged_in(tracked_world, "admin").get(settings_url(ws)).content.decode()
    assert "Last page view received" in html
    assert "No page view has been received yet" not in html


# --- Allowed domains ------------------------------------------------------------------------------
def test_saving_domains_normalises_them_and_applies_them_to_the_collector(
    world: World, fresh_tracking: None
) -> None:
    ws = world.a.workspace
    response = logged_in(world, "admin").post(
        settings_url(ws),
        {"allowed_domains": "https://www.Example.com/about\n\n*.Shop.example.org\nexample.com\n"},
    )
    assert response.status_code == 302
    ws.refresh_from_db()
    assert ws.allowed_domains == ["www.example.com", "shop.example.org", "example.com"]
    assert post_event(Client(), event(ws, url="https://elsewhere.test/")).status_code == 403
    assert post_event(Client(), event(ws, url="https://a.shop.example.org/")).status_code == 202


def test_a_bad_line_is_named_and_nothing_is_saved(world: World) -> None:
    ws = world.a.workspace
    response = logged_in(world, "admin").post(
        settings_url(ws), {"allowed_domains": "good.example.com\nbad_host!\nexample.com:8080"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "bad_host! is not a valid host name." in html
    assert "example.com:8080: enter a host name" in html
    ws.refresh_from_db()
    assert ws.allowed_domains == []


def test_htmx_saves_and_swaps_only_the_domains_section(world: World) -> None:
    ws = world.a.workspace
    response = logged_in(world, "admin").post(
        settings_url(ws), {"allowed_domains": "example.com"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card mb-4" id="tracking-domains"')
    assert "Allowed domains saved." in html
    assert "<html" not in html
    ws.refresh_from_db()
    assert ws.allowed_domains == ["example.com"]


def test_clearing_the_list_accepts_every_site_again(tracked_world: World) -> None:
    ws = tracked_world.a.workspace
    logged_in(tracked_world, "admin").post(settings_url(ws), {"allowed_domains": ""})
    ws.refresh_from_db()
    assert ws.allowed_domains == []
    assert post_event(Client(), event(ws, url="https://anywhere.test/")).status_code == 202


@pytest.mark.parametrize(
    ("line", "host"),
    [
        ("example.com", "example.com"),
        ("  EXAMPLE.com.  ", "example.com"),
        ("http://blog.example.com:8080/x?y", "blog.example.com"),
        ("*.example.com", "example.com"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("localhost", "localhost"),
        ("127.0.0.1", "127.0.0.1"),
    ],
)
def test_a_domain_line_becomes_a_host_name(line: str, host: str) -> None:
    assert parse_domain_line(line) == host


@pytest.mark.parametrize(
    "line", ["exa mple.com", "-bad.com", "a..b", "example.com/path", "x" * 300]
)
def test_a_line_that_is_no_host_name_is_refused(line: str) -> None:
    form = AllowedDomainsForm({"allowed_domains": line})
    assert not form.is_valid()
    assert form.errors["allowed_domains"]


def test_more_than_a_hundred_domains_are_refused() -> None:
    form = AllowedDomainsForm(
        {"allowed_domains": "\n".join(f"d{n}.example.com" for n in range(101))}
    )
    assert not form.is_valid()
    assert "at most 100" in form.errors["allowed_domains"][0]


# --- The snippet ----------------------------------------------------------------------------------
def test_the_snippet_is_public_javascript_cached_for_an_hour() -> None:
    response = Client().get(reverse("tracking_snippet"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Cache-Control"] == "public, max-age=3600"
    body = response.content.decode()
    assert "navigator.sendBeacon" in body and "/collect/event" in body and "_tp_vid" in body


def test_the_snippet_answers_304_when_the_browser_has_it(settings: Any) -> None:
    settings.DEBUG = False
    first = Client().get(reverse("tracking_snippet"))
    again = Client().get(reverse("tracking_snippet"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""


def test_the_snippet_refuses_other_methods() -> None:
    assert Client().post(reverse("tracking_snippet")).status_code == 405
