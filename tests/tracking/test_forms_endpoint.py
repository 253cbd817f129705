"""The forms endpoint (/collect/form): contacts created or updated by email, identification of
the visitor's earlier sessions, first- and last-touch campaigns (SPEC §4.1), devices merged by
email, and what it refuses."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from assets.models import Asset, AssetType
from assets.services import associate_asset, create_asset
from campaigns.models import Campaign, CampaignUtm
from crm.models import Contact
from tests.conftest import World
from tests.test_cross_tenant import fingerprint, fingerprint_changes
from tests.tracking.test_collector_support import (
    A_HOST,
    B_HOST,
    collect,
    event,
    fresh_tracking,
    minutes_ago,
    post_event,
    tracked_world,
)
from tracking import collector
from tracking.models import CollectedEvent, Interaction, Session, Visitor
from tracking.submissions import FormRef, Submission, record_form_submission

__all__ = ["fresh_tracking", "tracked_world"]

pytestmark = pytest.mark.django_db

PAGE = f"https://{A_HOST}/pricing"


@pytest.fixture
def client() -> Client:
    return Client()


def submit(client: Client, workspace: Any, *, as_json: bool = True, **fields: Any) -> Any:
    data = {"key": workspace.public_key, "form_name": "Newsletter", **fields}
    data = {k: v for k, v in data.items() if v is not None}
    url = reverse("collect:form")
    if as_json:
        return client.post(url, json.dumps(data), content_type="application/json")
    return client.post(url, data)


def contact(ws: Any, email: str) -> Contact:
    return Contact.objects.get(workspace=ws, email__iexact=email)


def campaign(ws: Any, name: str, utm: str) -> Campaign:
    made = Campaign.objects.create(workspace=ws, name=name)
    CampaignUtm.objects.create(workspace=ws, campaign=made, value=utm)
    return made


# --- Contacts -------------------------------------------------------------------------------------
def test_a_submission_creates_the_contact_and_records_the_form_submission(
    tracked_world: World, client: Client
) -> None:
    ws = tracked_world.a.workspace
    version = ws.data_version
    response = submit(
        client, ws, email="Ada@Example.com", first_name="Ada", last_name="Lovelace", url=PAGE
    )
    assert response.status_code == 202
    assert response.json() == {"status": "accepted"}
    made = contact(ws, "ada@example.com")
    assert (made.email, made.first_name, made.last_name) == ("Ada@Example.com", "Ada", "Lovelace")
    assert made.creation_channel == "web_form"
    assert made.lifecycle_stage == "subscriber"
    form = Asset.objects.get(workspace=ws, type=AssetType.FORM, name="Newsletter")
    interaction = Interaction.objects.get(workspace=ws, type="form_submission")
    assert (interaction.contact, interaction.asset) == (made, form)
    ws.refresh_from_db()
    assert ws.data_version > version


def test_form_fields_work_as_well_as_json_and_unknown_fields_are_ignored(
    tracked_world: World, client: Client
) -> None:
    ws = tracked_world.a.workspace
    response = submit(
        client, ws, as_json=False, email="grace@example.com", message="Hello", company="Navy"
    )
    assert response.status_code == 202
    assert contact(ws, "grace@example.com")


def test_a_returning_contact_is_updated_never_duplicated_and_keeps_its_creation_time(
    tracked_world: World, client: Client
) -> None:
    a = tracked_world.a
    existing = a["contact"]  # acme@example.com
    created_at = existing.created_at
    response = submit(client, a.workspace, email="ACME@example.com", last_name="Renamed")
    assert response.status_code == 202
    assert (
        Contact.objects.filter(workspace=a.workspace, email__iexact="acme@example.com").count() == 1
    )
    existing.refresh_from_db()
    assert existing.last_name == "Renamed"
    assert existing.first_name == "A"  # not sent: kept
    assert existing.created_at == created_at
    assert Interaction.objects.filter(contact=existing, type="form_submission").count() == 1


def test_the_answer_does_not_tell_whether_the_email_was_known(
    tracked_world: World, client: Client
) -> None:
    ws = tracked_world.a.workspace
    new = submit(client, ws, email="new@example.com")
    known = submit(client, ws, email="acme@example.com")
    assert (new.status_code, new.content) == (known.status_code, known.content)


def test_a_form_is_found_by_id_external_id_or_name(tracked_world: World, client: Client) -> None:
    a = tracked_world.a
    by_id = submit(client, a.workspace, form_name=None, form=a["free_asset"].pk, email="x@e.com")
    by_ext = submit(client, a.workspace, form_name="Demo request", form_id="f-42", email="y@e.com")
    again = submit(client, a.workspace, form_name=None, form_id="f-42", email="z@e.com")
    assert [r.status_code for r in (by_id, by_ext, again)] == [202, 202, 202]
    assert Interaction.objects.get(contact__email="x@e.com").asset == a["free_asset"]
    demo = Asset.objects.get(workspace=a.workspace, external_id="f-42")
    assert (demo.type, demo.name) == (AssetType.FORM, "Demo request")
    assert Interaction.objects.get(contact__email="z@e.com").asset == demo


def test_a_resent_submission_with_the_same_event_id_is_recorded_once(
    tracked_world: World, client: Client
) -> None:
    ws = tracked_world.a.workspace
    event_id = str(uuid.uuid4())
    first = submit(client, ws, email="once@example.com", event_id=event_id)
    second = submit(client, ws, email="once@example.com", event_id=event_id)
    assert (first.status_code, second.status_code) == (202, 202)
    assert Interaction.objects.filter(workspace=ws, type="form_submission").count() == 1


def test_next_sends_a_plain_html_form_back_to_the_site(
    tracked_world: World, client: Client
) -> None:
    ws = tracked_world.a.workspace
    thanks = f"https://{A_HOST}/thanks"
    response = submit(client, ws, as_json=False, email="html@example.com", next=thanks)
    assert response.status_code == 303
    assert response["Location"] == thanks
    refused = submit(client, ws, as_json=False, email="h2@example.com", next="https://evil.test/")
    assert refused.status_code == 403
    assert refused.json()["field"] == "next"
    assert not Contact.objects.filter(email="h2@example.com").exists()


# --- Identification ------------------------------------------------------------------------------
def test_the_visitors_earlier_sessions_become_the_contacts(
    tracked_world: World, client: Client
) -> None:
    a = tracked_world.a
    ws = a.workspace
    collect(ws, url=f"https://{A_HOST}/landing", at=minutes_ago(300), visitor="device-one")
    collect(ws, url=PAGE, at=minutes_ago(5), visitor="device-one")
    assert Session.objects.filter(visitor__cookie_id="device-one", contact=None).count() == 2
    response = submit(client, ws, email="lin@example.com", visitor_id="device-one", url=PAGE)
    assert response.status_code == 202
    lin = contact(ws, "lin@example.com")
    visitor = Visitor.objects.get(workspace=ws, cookie_id="device-one")
    assert visitor.contact == lin and visitor.identified_at is not None
    assert set(Session.objects.filter(visitor=visitor).values_list("contact", flat=True)) == {
        lin.pk
    }
    assert not Interaction.objects.filter(visitor=visitor, contact=None).exists()
    submission = Interaction.objects.get(contact=lin, type="form_submission")
    # Submitted during the visitor's live session.
    assert submission.session == Session.objects.filter(visitor=visitor).latest("started_at")
    assert submission.source == submission.session.source
    # The contact's original source is that of its first session.
    assert lin.original_source == "direct_traffic"


def test_page_views_still_waiting_in_the_queue_are_sessionized_before_identification(
    tracked_world: World, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = tracked_world.a.workspace
    monkeypatch.setattr(collector, "queue_processing", lambda workspace_id: None)
    response = post_event(client, event(ws, visitor_id="queued-visitor", url=PAGE))
    assert response.status_code == 202
    assert CollectedEvent.objects.get().processed_at is None
    submit(client, ws, email="q@example.com", visitor_id="queued-visitor", url=PAGE)
    q = contact(ws, "q@example.com")
    assert CollectedEvent.objects.get().processed_at is not None
    assert Session.objects.get(visitor__cookie_id="queued-visitor").contact == q
    assert q.original_source == "direct_traffic"


def test_a_later_visit_on_another_device_merges_when_the_same_email_submits(
    tracked_world: World, client: Client
) -> None:
    ws = tracked_world.a.workspace
    collect(ws, url=PAGE, at=minutes_ago(2000), visitor="laptop-0001")
    submit(client, ws, email="max@example.com", visitor_id="laptop-0001", url=PAGE)
    maxi = contact(ws, "max@example.com")
    created_at = maxi.created_at
    collect(ws, url=f"https://{A_HOST}/features", at=minutes_ago(3), visitor="phone-00001")
    submit(client, ws, email="MAX@example.com", visitor_id="phone-00001", url=PAGE)
    assert Contact.objects.filter(workspace=ws, email__iexact="max@example.com").count() == 1
    phone = Visitor.objects.get(workspace=ws, cookie_id="phone-00001")
    assert phone.contact == maxi
    assert Session.objects.get(visitor=phone).contact == maxi
    assert set(
        Session.objects.filter(contact=maxi).values_list("visitor__cookie_id", flat=True)
    ) == {
        "laptop-0001",
        "phone-00001",
    }
    maxi.refresh_from_db()
    assert maxi.created_at == created_at
    assert Interaction.objects.filter(contact=maxi, type="form_submission").count() == 2


def test_a_second_device_seen_before_the_conversion_can_hold_the_first_touch(
    tracked_world: World,
) -> None:
    ws = tracked_world.a.workspace
    early = campaign(ws, "Early bird", "early")
    late = campaign(ws, "Late", "late")
    collect(ws, url=f"{PAGE}?utm_campaign=early", at=minutes_ago(3000), visitor="tablet-0001")
    collect(ws, url=f"{PAGE}?utm_campaign=late", at=minutes_ago(100), visitor="desktop-001")
    form = FormRef(name="Trial")
    record_form_submission(
        workspace=ws,
        form=form,
        submission=Submission(email="t@example.com", visitor_cookie="desktop-001", page_url=PAGE),
        at=minutes_ago(95),
    )
    t = contact(ws, "t@example.com")
    assert t.first_touch_campaign == late
    record_form_submission(
        workspace=ws,
        form=form,
        submission=Submission(email="t@example.com", visitor_cookie="tablet-0001"),
        at=minutes_ago(1),
    )
    t.refresh_from_db()
    # The first page the contact ever saw (on the tablet, before converting) carried "early".
    assert t.first_touch_campaign == early
    assert t.last_touch_campaign == late


# --- First and last touch (SPEC §4.1) -------------------------------------------------------------
def test_first_touch_is_the_campaign_of_the_first_page_ever_seen(tracked_world: World) -> None:
    ws = tracked_world.a.workspace
    spring = campaign(ws, "Spring", "spring")
    summer = campaign(ws, "Summer", "summer")
    collect(ws, url=f"{PAGE}?utm_campaign=spring", at=minutes_ago(5000), visitor="visitor-ft01")
    collect(ws, url=f"{PAGE}?utm_campaign=summer", at=minutes_ago(10), visitor="visitor-ft01")
    record_form_submission(
        workspace=ws,
        form=FormRef(name="Newsletter"),
        submission=Submission(email="ft@example.com", visitor_cookie="visitor-ft01"),
        at=minutes_ago(9),
    )
    ft = contact(ws, "ft@example.com")
    assert ft.first_touch_campaign == spring
    assert ft.last_touch_campaign == summer  # the converting page carried "summer"


def test_first_touch_counts_a_first_page_that_was_a_campaign_asset(tracked_world: World) -> None:
    a = tracked_world.a
    collect(
        a.workspace, url=f"https://{A_HOST}/landing", at=minutes_ago(500), visitor="visitor-ft02"
    )
    record_form_submission(
        workspace=a.workspace,
        form=FormRef(name="Newsletter"),
        submission=Submission(email="asset@example.com", visitor_cookie="visitor-ft02"),
        at=minutes_ago(1),
    )
    made = contact(a.workspace, "asset@example.com")
    assert made.first_touch_campaign == a["campaign"]
    # The landing page was seen in an earlier session, not the converting one.
    assert made.last_touch_campaign is None


def test_last_touch_is_a_campaign_form_submitted_on_a_page_without_utm(
    tracked_world: World,
) -> None:
    ws = tracked_world.a.workspace
    webinar = campaign(ws, "Webinar", "webinar")
    form = create_asset(workspace=ws, type=AssetType.FORM, name="Webinar signup")
    associate_asset(asset=form, campaign=webinar, at=minutes_ago(1000))
    collect(ws, url=PAGE, at=minutes_ago(3), visitor="visitor-lt01")
    record_form_submission(
        workspace=ws,
        form=FormRef(asset_id=form.pk),
        submission=Submission(email="lt@example.com", visitor_cookie="visitor-lt01", page_url=PAGE),
        at=minutes_ago(2),
    )
    lt = contact(ws, "lt@example.com")
    assert lt.last_touch_campaign == webinar
    assert lt.first_touch_campaign is None
    submission = Interaction.objects.get(contact=lt, type="form_submission")
    assert submission.campaign == webinar  # the campaign holding the form at that moment


def test_last_touch_is_a_campaign_page_visited_earlier_in_the_converting_session(
    tracked_world: World,
) -> None:
    a = tracked_world.a
    collect(
        a.workspace, url=f"https://{A_HOST}/landing", at=minutes_ago(20), visitor="visitor-lt02"
    )
    collect(a.workspace, url=PAGE, at=minutes_ago(10), visitor="visitor-lt02")
    record_form_submission(
        workspace=a.workspace,
        form=FormRef(name="Newsletter"),
        submission=Submission(
            email="lt2@example.com", visitor_cookie="visitor-lt02", page_url=PAGE
        ),
        at=minutes_ago(9),
    )
    assert contact(a.workspace, "lt2@example.com").last_touch_campaign == a["campaign"]


def test_a_form_submission_before_the_form_was_associated_counts_for_no_campaign(
    tracked_world: World, client: Client
) -> None:
    a = tracked_world.a
    form = a["free_asset"]
    submit(client, a.workspace, form_name=None, form=form.pk, email="early@example.com")
    associate_asset(asset=form, campaign=a["campaign"], at=timezone.now())
    submit(client, a.workspace, form_name=None, form=form.pk, email="later@example.com")
    by_email = dict(
        Interaction.objects.filter(asset=form).values_list("contact__email", "campaign")
    )
    assert by_email == {"early@example.com": None, "later@example.com": a["campaign"].pk}


# --- Refused --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fields", "field", "fragment"),
    [
        ({"email": "not-an-email"}, "email", "email"),
        ({"email": None}, "email", "required"),
        ({"form_name": None}, "form", "which form"),
        ({"url": "javascript:alert(1)"}, "url", "javascript:"),
        ({"visitor_id": "x"}, "visitor_id", "visitor_id"),
        ({"first_name": "a\u0000b"}, "first_name", "NUL"),
        ({"first_name": "\ud800"}, "first_name", "surrogate"),
        ({"first_name": ["a"]}, "first_name", "string"),
        ({"first_name": True}, "first_name", "string"),
        ({"event_id": "nope"}, "event_id", "UUID"),
        ({"form": 987654321, "form_name": None}, "form", "no form"),
    ],
)
def test_bad_fields_are_refused_naming_the_field_and_nothing_is_stored(
    tracked_world: World, client: Client, fields: dict[str, Any], field: str, fragment: str
) -> None:
    ws = tracked_world.a.workspace
    before = fingerprint(ws.pk)
    data = {"email": "ok@example.com", **fields}
    response = submit(client, ws, **data)
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field
    assert fragment.lower() in response.json()["error"].lower()
    changes = fingerprint_changes(before, fingerprint(ws.pk))
    assert changes == []


def test_an_unknown_key_or_a_page_on_another_domain_is_refused(
    tracked_world: World, client: Client
) -> None:
    ws = tracked_world.a.workspace
    unknown = client.post(
        reverse("collect:form"),
        json.dumps({"key": "pk_unknownkey0000", "form_name": "X", "email": "u@example.com"}),
        content_type="application/json",
    )
    elsewhere = submit(client, ws, email="u@example.com", url="https://evil.test/form")
    assert (unknown.status_code, unknown.json()["field"]) == (403, "key")
    assert (elsewhere.status_code, elsewhere.json()["field"]) == (403, "url")
    assert not Contact.objects.filter(email="u@example.com").exists()


def test_a_key_of_workspace_a_never_writes_into_workspace_b(
    tracked_world: World, client: Client
) -> None:
    a, b = tracked_world.a, tracked_world.b
    Visitor.objects.create(
        workspace=b.workspace, cookie_id="b-cookie-0001", first_seen_at=timezone.now()
    )
    before = fingerprint(b.workspace.pk)
    # B's form id, B's contact's email, B's page, B's visitor cookie: all with A's key.
    foreign_form = submit(
        client, a.workspace, form_name=None, form=b["free_asset"].pk, email="x@e.com"
    )
    foreign_page = submit(client, a.workspace, email="x@e.com", url=f"https://{B_HOST}/landing")
    same_email = submit(
        client, a.workspace, email=b["contact"].email, visitor_id="b-cookie-0001", url=PAGE
    )
    assert foreign_form.status_code == 400 and foreign_form.json()["field"] == "form"
    assert foreign_page.status_code == 403
    assert same_email.status_code == 202
    assert fingerprint_changes(before, fingerprint(b.workspace.pk)) == []
    made = Contact.objects.get(workspace=a.workspace, email=b["contact"].email)
    assert Visitor.objects.get(workspace=a.workspace, cookie_id="b-cookie-0001").contact == made


def test_submissions_are_rate_limited_per_key_and_ip(
    tracked_world: World, client: Client, settings: Any
) -> None:
    settings.TRACKING_RATE_LIMIT_PER_KEY_IP = 2
    ws = tracked_world.a.workspace
    statuses = [submit(client, ws, email=f"r{n}@example.com").status_code for n in range(3)]
    assert statuses[:2] == [202, 202]
    assert statuses[2] == 429
    assert Contact.objects.filter(email__startswith="r", workspace=ws).count() == 2


def test_a_body_over_the_form_limit_gets_413(
    tracked_world: World, client: Client, settings: Any
) -> None:
    ws = tracked_world.a.workspace
    response = submit(
        client, ws, email="big@example.com", message="x" * settings.TRACKING_MAX_FORM_BYTES
    )
    assert response.status_code == 413
    assert not Contact.objects.filter(email="big@example.com").exists()


def test_the_forms_endpoint_answers_cors_preflights(client: Client) -> None:
    response = client.options(reverse("collect:form"), HTTP_ORIGIN=f"https://{A_HOST}")
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == f"https://{A_HOST}"


# --- Fuzz ---------------------------------------------------------------------------------------
_field_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.text(max_size=300),
    st.lists(st.text(max_size=5), max_size=3),
    st.sampled_from(["\x00", "\ud800", "javascript:x", "not-an-email", "https://evil.test/"]),
)
_fields = st.sampled_from(
    ["key", "form", "form_id", "form_name", "email", "first_name", "url", "visitor_id", "next"]
)


def test_malformed_submissions_never_get_a_5xx(tracked_world: World, settings: Any) -> None:
    settings.TRACKING_RATE_LIMIT_PER_IP = settings.TRACKING_RATE_LIMIT_PER_KEY_IP = 10**9
    ws = tracked_world.a.workspace
    client = Client(raise_request_exception=False)
    statuses: list[int] = []

    @hypothesis_settings(
        max_examples=500, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(
        broken=st.dictionaries(_fields, _field_values, min_size=1, max_size=4),
        raw=st.binary(max_size=200),
        as_json=st.booleans(),
    )
    def send(broken: dict[str, Any], raw: bytes, as_json: bool) -> None:
        data = {"key": ws.public_key, "form_name": "Fuzz", "email": "fuzz@example.com", **broken}
        if as_json:
            body: Any = json.dumps(data, ensure_ascii=True)
            response = client.post(reverse("collect:form"), body, content_type="text/plain")
        else:
            # What a browser would send: surrogates as the (invalid) UTF-8 bytes they are.
            encoded = urlencode(
                {k: "" if v is None else str(v) for k, v in data.items()},
                encoding="utf-8",
                errors="surrogatepass",
            )
            response = client.post(
                reverse("collect:form"),
                encoded,
                content_type="application/x-www-form-urlencoded",
            )
        raw_response = client.post(reverse("collect:form"), raw, content_type="application/json")
        statuses.extend([response.status_code, raw_response.status_code])
        assert response.status_code < 500, (response.status_code, data)
        assert raw_response.status_code < 500, raw

    send()
    assert len(statuses) >= 1000
    # Nothing of workspace B, and no contact without a valid email.
    assert (
        not Contact.objects.filter(workspace=tracked_world.b.workspace)
        .exclude(pk=tracked_world.b["contact"].pk)
        .exists()
    )
