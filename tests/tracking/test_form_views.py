"""Form views (`type: "form_view"` on /collect/event): what the collector accepts and refuses, and
how processing turns one into a FORM_VIEW interaction on the form, in the visitor's session,
counted for the campaign holding the form then."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import jsonschema
import pytest
from django.test import Client
from django.utils import timezone

from assets.models import Asset, AssetType
from assets.services import associate_asset, create_asset
from tests.conftest import World
from tests.tracking.test_collector_support import (
    A_HOST,
    DROP,
    event,
    fresh_tracking,
    post_event,
    tracked_world,
)
from tracking import collector
from tracking.form_views import CLOCK_SLACK
from tracking.models import (
    NEVER_ATTRIBUTED_TYPES,
    CollectedEvent,
    Interaction,
    InteractionType,
    PageView,
    Session,
)
from tracking.processing import process_pending_events
from tracking.validation import EVENT_SCHEMA, Rejected, validate_event
from workspaces.selectors import attribution_interaction_types

__all__ = ["fresh_tracking", "tracked_world"]

pytestmark = pytest.mark.django_db

PAGE = f"https://{A_HOST}/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=utm-acme"


def form_view(workspace: Any, **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {"type": "form_view", "url": PAGE, "form_id": "newsletter-footer"}
    fields.update(overrides)
    payload = event(workspace, **fields)
    payload.pop("title")
    return payload


def store(workspace: Any, payload: dict[str, Any], at: datetime) -> str:
    """Store an event received at `at`, as the collector would (tests run inside a transaction,
    where the on-commit processing never fires); returns its id."""
    site = collector.site_for_key(workspace.public_key)
    assert site is not None
    assert collector.store_event(site=site, event=validate_event(payload), received_at=at)
    return str(payload["event_id"])


def the_form_view() -> Interaction:
    return Interaction.objects.get(type=InteractionType.FORM_VIEW)


# --- The collector -------------------------------------------------------------------------------
def test_a_form_view_is_accepted_and_stored_with_its_form(
    tracked_world: World, django_capture_on_commit_callbacks: Any
) -> None:
    ws = tracked_world.a.workspace
    payload = form_view(ws, form_name="Newsletter")
    with django_capture_on_commit_callbacks(execute=True):
        response = post_event(Client(), payload)
    assert response.status_code == 202
    stored = CollectedEvent.objects.get(workspace=ws)
    assert stored.kind == "form_view"
    assert stored.payload == {
        "url": PAGE,
        "referrer": "",
        "title": "",
        "form_id": "newsletter-footer",
        "form_name": "Newsletter",
    }
    assert stored.error == ""
    assert the_form_view().asset is not None
    assert jsonschema.Draft202012Validator(EVENT_SCHEMA).is_valid(payload)


BAD_FORM_IDENTIFIERS: list[tuple[dict[str, Any], str, str]] = [
    ({"form_id": 42}, "form_id", "form_id must be a string."),
    ({"form_id": ["newsletter"]}, "form_id", "form_id must be a string."),
    ({"form_id": None}, "form_id", "form_id must be a string."),
    ({"form_id": "   "}, "form_id", "form_id is required."),
    ({"form_id": "news\nletter"}, "form_id", "form_id contains a control character."),
    ({"form_id": "f" * 201}, "form_id", "form_id is longer than 200 characters."),
    ({"form_name": "n" * 301}, "form_name", "form_name is longer than 300 characters."),
]


def test_a_form_view_with_a_bad_form_identifier_is_refused_naming_the_field(
    tracked_world: World,
) -> None:
    for overrides, field, message in BAD_FORM_IDENTIFIERS:
        payload = form_view(tracked_world.a.workspace, **overrides)
        response = post_event(Client(), payload)
        assert response.status_code == 400, overrides
        assert response.json() == {"error": message, "field": field}
        # The schema cannot say "no control characters"; the validator is stricter there.
        if "control character" not in message:
            assert not jsonschema.Draft202012Validator(EVENT_SCHEMA).is_valid(payload), overrides
    assert CollectedEvent.objects.unscoped().count() == 0


def test_a_form_view_must_name_its_form_and_a_page_view_must_not(tracked_world: World) -> None:
    ws = tracked_world.a.workspace
    nameless = form_view(ws)
    del nameless["form_id"]
    page_view_with_form = event(ws, form_id="newsletter-footer")
    for payload, message, field in (
        (nameless, "A form_view needs form_id or form_name.", "form_id"),
        (page_view_with_form, "form_id is only sent with form_view.", "form_id"),
    ):
        response = post_event(Client(), payload)
        assert response.status_code == 400
        assert response.json() == {"error": message, "field": field}
        assert not jsonschema.Draft202012Validator(EVENT_SCHEMA).is_valid(payload)
    assert CollectedEvent.objects.unscoped().count() == 0


def test_the_form_identifier_is_trimmed_as_the_forms_endpoint_trims_it(
    tracked_world: World,
) -> None:
    ws = tracked_world.a.workspace
    parsed = validate_event(form_view(ws, form_id=DROP, form_name="  Newsletter "))
    assert (parsed.form_id, parsed.form_name) == ("", "Newsletter")
    assert parsed.payload()["form_name"] == "Newsletter"
    with pytest.raises(Rejected, match="form_name is only sent with form_view"):
        validate_event(event(ws, form_name="Newsletter"))


# --- Processing ----------------------------------------------------------------------------------
def test_processing_puts_the_form_view_on_the_form_in_the_page_views_session_and_campaign(
    tracked_world: World,
) -> None:
    ws = tracked_world.a.workspace
    campaign = tracked_world.a["campaign"]
    form = create_asset(
        workspace=ws, type=AssetType.FORM, name="Newsletter", external_id="newsletter-footer"
    )
    at = timezone.now() - timedelta(minutes=5)
    associate_asset(asset=form, campaign=campaign, at=at - timedelta(days=1))
    page_view_id = store(ws, event(ws, url=PAGE), at)
    store(ws, form_view(ws), at + timedelta(milliseconds=3))
    assert process_pending_events(workspace_id=ws.pk) == 2

    page_view = PageView.objects.get(workspace=ws, event_id=page_view_id)
    view = the_form_view()
    assert view.asset == form
    assert view.session == page_view.session
    assert view.visitor == page_view.visitor
    assert view.source == page_view.session.source == "email_marketing"
    assert view.campaign == campaign
    assert Session.objects.filter(workspace=ws, visitor=page_view.visitor).count() == 1
    assert CollectedEvent.objects.filter(workspace=ws, error="").count() == 2


def test_a_view_before_the_form_joined_a_campaign_counts_for_no_campaign(
    tracked_world: World,
) -> None:
    ws = tracked_world.a.workspace
    form = create_asset(workspace=ws, type=AssetType.FORM, name="Newsletter", external_id="nl")
    at = timezone.now() - timedelta(hours=2)
    associate_asset(asset=form, campaign=tracked_world.a["campaign"], at=at + timedelta(hours=1))
    store(ws, form_view(ws, form_id="nl"), at)
    process_pending_events(workspace_id=ws.pk)
    view = the_form_view()
    assert (view.asset, view.campaign) == (form, None)


def test_a_view_of_a_form_not_seen_before_creates_it_as_a_submission_would(
    tracked_world: World,
) -> None:
    ws = tracked_world.a.workspace
    store(ws, form_view(ws, form_id=DROP, form_name="Webinar signup"), timezone.now())
    process_pending_events(workspace_id=ws.pk)
    form = Asset.objects.get(workspace=ws, type=AssetType.FORM, name="Webinar signup")
    assert the_form_view().asset == form
    # A second view (another page view) lands on the same form.
    store(ws, form_view(ws, form_id=DROP, form_name="webinar signup"), timezone.now())
    process_pending_events(workspace_id=ws.pk)
    assert Interaction.objects.filter(asset=form, type=InteractionType.FORM_VIEW).count() == 2


def test_a_form_view_stamped_a_moment_before_its_page_view_joins_that_session(
    tracked_world: World,
) -> None:
    ws = tracked_world.a.workspace
    at = timezone.now() - timedelta(minutes=1)
    store(ws, event(ws, url=PAGE), at)
    process_pending_events(workspace_id=ws.pk)
    session = Session.objects.get(workspace=ws, visitor__cookie_id="visitor-0001")
    # Processed later, with a time a few milliseconds before its page view's.
    store(ws, form_view(ws), at - timedelta(milliseconds=4))
    process_pending_events(workspace_id=ws.pk)
    view = the_form_view()
    assert view.session == session
    assert view.occurred_at == session.started_at
    assert (
        Session.objects.filter(workspace=ws).exclude(pk=tracked_world.a["session"].pk).count() == 1
    )
    # Far enough before it, the view is not that page's: it makes its own session.
    store(ws, form_view(ws), at - CLOCK_SLACK - timedelta(minutes=40))
    process_pending_events(workspace_id=ws.pk)
    assert Session.objects.filter(workspace=ws, visitor__cookie_id="visitor-0001").count() == 2


def test_an_identified_visitors_form_view_is_the_contacts_and_is_stored_once(
    tracked_world: World,
) -> None:
    ws = tracked_world.a.workspace
    contact = tracked_world.a["contact"]
    at = timezone.now() - timedelta(minutes=3)
    store(ws, event(ws, url=PAGE), at)
    process_pending_events(workspace_id=ws.pk)
    Session.objects.filter(workspace=ws, visitor__cookie_id="visitor-0001").update(contact=contact)
    store(ws, form_view(ws), at)
    process_pending_events(workspace_id=ws.pk)
    # A run that crashed after writing leaves the event pending again: nothing doubles.
    CollectedEvent.objects.update(processed_at=None)
    process_pending_events(workspace_id=ws.pk)
    assert Interaction.objects.filter(type=InteractionType.FORM_VIEW).count() == 1
    assert the_form_view().contact == contact


def test_form_views_never_count_for_attribution(tracked_world: World) -> None:
    assert InteractionType.FORM_VIEW in NEVER_ATTRIBUTED_TYPES
    types = attribution_interaction_types(workspace=tracked_world.a.workspace)
    assert "form_view" not in types
    assert "form_submission" in types
