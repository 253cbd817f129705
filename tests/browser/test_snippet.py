"""The tracking snippet in a real browser, on a customer-like page served by the live server.

The test page exists only here: the test swaps in a URLconf that adds it to the project's URLs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import path
from playwright.sync_api import expect

from assets.models import AssetType
from assets.services import associate_asset, create_asset
from tests.browser.conftest import screenshot
from tests.conftest import World
from tracking import collector
from tracking.models import Interaction, InteractionType, PageView, Session, Visitor
from tracking.services import update_allowed_domains

pytestmark = pytest.mark.browser

UTM = "utm_source=newsletter&utm_medium=email&utm_campaign=utm-acme"

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="icon" href="data:,">
<script async src="/t.js" data-key="{key}"></script></head>
<body><main><h1>{title}</h1>
<form id="signup" {form_attributes} action="/customer-site/thanks/" method="get">
  <label for="email">Email</label> <input type="email" id="email" name="email">
  <label for="first">First name</label> <input id="first" name="first_name">
  <button type="submit">Sign up</button>
</form>
<p id="done" hidden>Thanks!</p>
<script>{page_script}</script>
</main></body></html>"""

# The site's own JavaScript for each way of sending the form to Touchpoint:
SCRIPTS = {
    # The site submits with the snippet's helper, then moves on to its thank-you page.
    "helper": """
document.getElementById("signup").addEventListener("submit", function (event) {
  event.preventDefault();
  window.touchpoint.submitForm(this, {formName: "Browser signup"}).then(function (result) {
    if (result.ok) window.location.href = "/customer-site/thanks/";
  });
});""",
    # The form is marked with data-touchpoint-form; the site handles it with its own script.
    "marked": """
document.getElementById("signup").addEventListener("submit", function (event) {
  event.preventDefault();
  document.getElementById("done").hidden = false;
});""",
}


def _customer_urlconf(public_key: str) -> ModuleType:
    def render(title: str, variant: str = "") -> HttpResponse:
        marked = 'data-touchpoint-form="Browser signup"' if variant == "marked" else ""
        return HttpResponse(
            PAGE.format(
                title=title,
                key=public_key,
                form_attributes=marked,
                page_script=SCRIPTS.get(variant, ""),
            )
        )

    @login_not_required
    def page(request: HttpRequest, variant: str = "") -> HttpResponse:
        return render("Spring offer", variant)

    @login_not_required
    def thanks(request: HttpRequest) -> HttpResponse:
        return render("Thank you")

    from config import urls

    module = ModuleType("customer_site_urls")
    module.urlpatterns = [  # type: ignore[attr-defined]
        path("customer-site/", page),
        path("customer-site/thanks/", thanks),
        path("customer-site/<slug:variant>/", page),
        *urls.urlpatterns,
    ]
    return module


def answered(page: Any, endpoint: str, action: Callable[[], Any]) -> int:
    """Run `action` and wait for the browser's request to `endpoint` to be answered; returns the
    status. The test reads the database only after that: the live server writes in its own
    thread, and SQLite's shared in-memory test database refuses a read that overlaps a write."""
    with page.expect_response(lambda r: urlsplit(r.url).path == endpoint) as response:
        action()
    return int(response.value.status)


@pytest.fixture
def customer_site(world: World, settings: Any) -> World:
    ws = world.a.workspace
    update_allowed_domains(workspace=ws, domains=["localhost"])
    collector.forget_all_sites()
    settings.ROOT_URLCONF = _customer_urlconf(ws.public_key)
    return world


@pytest.fixture
def held_form_views(page: Any) -> list[str]:
    """The bodies of the form views the page sends, held back (answered 202 here) instead of
    reaching the live server together with their page view: its SQLite in-memory test database
    refuses two writes at once (PostgreSQL takes them). A test passes them on one by one."""
    held: list[str] = []

    def hold(route: Any) -> None:
        body = route.request.post_data or ""
        if '"type":"form_view"' not in body:
            route.fallback()
            return
        held.append(body)
        route.fulfill(status=202, content_type="application/json", body='{"status":"accepted"}')

    page.route("**/collect/event", hold)
    return held


def test_a_visit_with_utm_params_makes_a_session_with_the_right_source(
    page: Any, customer_site: World
) -> None:
    ws = customer_site.a.workspace
    assert answered(page, "/collect/event", lambda: page.goto(f"/customer-site/?{UTM}")) == 202
    session = Session.objects.get(workspace=ws, landing_url__contains="customer-site")
    assert (session.source, session.source_detail_1) == ("email_marketing", "utm-acme")
    assert session.utm_campaign_ref == customer_site.a["campaign"]
    cookie = next(c for c in page.context.cookies() if c["name"] == "_tp_vid")
    assert session.visitor.cookie_id == cookie["value"]
    assert PageView.objects.get(session=session).title == "Spring offer"

    # A single-page-app navigation is another page view in the same session.
    status = answered(
        page,
        "/collect/event",
        lambda: page.evaluate("history.pushState({}, '', '/customer-site/step-2/')"),
    )
    assert status == 202
    second = PageView.objects.filter(session=session).latest("occurred_at")
    assert PageView.objects.filter(session=session).count() == 2
    assert second.url.endswith("/customer-site/step-2/")
    assert second.referrer.endswith(f"/customer-site/?{UTM}")


def _assert_identified(world: World, email: str) -> None:
    from crm.models import Contact

    ws = world.a.workspace
    contact = Contact.objects.get(workspace=ws, email=email)
    assert contact.first_name == "Bea"
    assert contact.creation_channel == "web_form"
    assert contact.original_source == "email_marketing"
    assert contact.first_touch_campaign == world.a["campaign"]
    visitor = Visitor.objects.get(workspace=ws, contact=contact)
    sessions = Session.objects.filter(visitor=visitor)
    assert sessions.exists()
    assert set(sessions.values_list("contact", flat=True)) == {contact.pk}


def test_submitting_a_form_with_the_helper_creates_the_contact_and_identifies_the_visitor(
    page: Any, customer_site: World
) -> None:
    assert (
        answered(page, "/collect/event", lambda: page.goto(f"/customer-site/helper/?{UTM}")) == 202
    )
    page.get_by_label("Email").fill("Browser.Visitor@example.com")
    page.get_by_label("First name").fill("Bea")
    # The helper waits for Touchpoint's answer before the site moves to its thank-you page,
    # whose own page view then follows.
    with page.expect_response(lambda r: urlsplit(r.url).path == "/collect/event") as thanks:
        status = answered(
            page, "/collect/form", lambda: page.get_by_role("button", name="Sign up").click()
        )
    assert status == 202
    assert thanks.value.status == 202
    page.wait_for_url("**/customer-site/thanks/")
    _assert_identified(customer_site, "Browser.Visitor@example.com")
    contact_visitor = Visitor.objects.get(contact__email="Browser.Visitor@example.com")
    assert PageView.objects.filter(visitor=contact_visitor, url__contains="/thanks/").exists()


def test_a_form_marked_for_touchpoint_is_sent_when_submitted(
    page: Any, customer_site: World, held_form_views: list[str]
) -> None:
    assert (
        answered(page, "/collect/event", lambda: page.goto(f"/customer-site/marked/?{UTM}")) == 202
    )
    page.get_by_label("Email").fill("marked@example.com")
    page.get_by_label("First name").fill("Bea")
    status = answered(
        page, "/collect/form", lambda: page.get_by_role("button", name="Sign up").click()
    )
    assert status == 202
    assert page.locator("#done").is_visible()  # the site's own handling still ran
    _assert_identified(customer_site, "marked@example.com")


def collected(page: Any, kind: str, action: Callable[[], Any]) -> int:
    """Like `answered`, for the collector event of type `kind` (page_view or form_view)."""

    def is_kind(response: Any) -> bool:
        body = response.request.post_data or ""
        return urlsplit(response.url).path == "/collect/event" and f'"type":"{kind}"' in body

    with page.expect_response(is_kind) as response:
        action()
    return int(response.value.status)


def test_a_marked_form_is_reported_viewed_once_per_page_view_and_when_added_later(
    page: Any, customer_site: World, held_form_views: list[str]
) -> None:
    ws = customer_site.a.workspace
    form = create_asset(workspace=ws, type=AssetType.FORM, name="Browser signup")
    associate_asset(asset=form, campaign=customer_site.a["campaign"])

    def viewed(action: Callable[[], Any]) -> None:
        """Run `action`; wait for its page view (stored) and its form view (held)."""
        assert collected(page, "page_view", lambda: collected(page, "form_view", action)) == 202

    viewed(lambda: page.goto("/customer-site/marked/"))
    # Another page view (single-page app) with the form still on it: one more view.
    viewed(lambda: page.evaluate("history.pushState({}, '', '/customer-site/marked/step-2/')"))
    # A form the site adds later is reported too, under the ids it is submitted with.
    add = """() => {
      const late = document.createElement("form");
      late.setAttribute("data-touchpoint-form-id", "late-offer");
      late.setAttribute("data-touchpoint-form", "Late offer");
      document.querySelector("main").append(late);
    }"""
    collected(page, "form_view", lambda: page.evaluate(add))

    sent = [json.loads(body) for body in held_form_views]
    assert [(e.get("form_id"), e["form_name"], urlsplit(e["url"]).path) for e in sent] == [
        (None, "Browser signup", "/customer-site/marked/"),
        (None, "Browser signup", "/customer-site/marked/step-2/"),
        ("late-offer", "Late offer", "/customer-site/marked/step-2/"),
    ]
    assert {e["visitor_id"] for e in sent} == {page.evaluate("touchpoint.visitorId()")}
    for body in held_form_views:  # now through the real collector, one at a time
        response = page.request.post(
            "/collect/event", data=body, headers={"Content-Type": "text/plain;charset=UTF-8"}
        )
        assert response.status == 202

    views = Interaction.objects.filter(workspace=ws, type=InteractionType.FORM_VIEW)
    session = PageView.objects.get(workspace=ws, url__endswith="/customer-site/marked/").session
    assert {v.session_id for v in views} == {session.pk}
    first, second = views.filter(asset=form).order_by("occurred_at")
    assert first.campaign == second.campaign == customer_site.a["campaign"]
    late = views.select_related("asset").get(asset__external_id="late-offer")
    assert (late.asset and late.asset.name, late.campaign) == ("Late offer", None)


def test_the_settings_page_shows_the_embed_code_and_copies_it(
    logged_in_page: Any, world: World
) -> None:
    page = logged_in_page
    ws = world.a.workspace
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"/w/{ws.slug}/settings/tracking/")
    embed = page.get_by_label("Embed code")
    assert f'data-key="{ws.public_key}"' in embed.input_value()
    page.locator("[data-copy-target='#embed-line']").click()
    expect(page.locator("#embed-copy-status")).to_have_text("Embed code copied.")
    assert page.evaluate("navigator.clipboard.readText()") == embed.input_value()

    # Saving the allowed domains swaps the section in place.
    page.get_by_role("textbox", name="Allowed domains").fill("example.com\nshop.example.org")
    page.get_by_role("button", name="Save domains").click()
    page.get_by_text("Allowed domains saved.").wait_for()
    ws.refresh_from_db()
    assert ws.allowed_domains == ["example.com", "shop.example.org"]
    screenshot(page, "tracking-settings")
