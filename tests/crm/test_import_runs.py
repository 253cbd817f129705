"""Running imports through the services (no HTTP): what is written, what is reported, and that
importing the same file again changes nothing."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError

from assets.models import Asset, AssetAssociation, AssetType
from assets.services import associate_asset, create_asset
from campaigns.models import Campaign, CampaignUtm
from crm.imports import runner
from crm.imports.fields import guess_mapping
from crm.imports.selectors import errors_file
from crm.imports.services import create_import_job, start_import
from crm.models import (
    Contact,
    Deal,
    DealContact,
    ImportJob,
    ImportStatus,
    LifecycleStageChange,
)
from tests.conftest import World
from tracking.models import Interaction
from workspaces.models import Workspace

CPH = "Europe/Copenhagen"


@pytest.fixture(autouse=True)
def private_import_storage(settings: Any, tmp_path: Path) -> Path:
    settings.IMPORT_STORAGE_DIR = str(tmp_path / "imports")
    return tmp_path / "imports"


@pytest.fixture
def ws(db: None) -> Workspace:
    return Workspace.objects.create(name="Nordlys", slug="nordlys", time_zone=CPH, currency="DKK")


def run_csv(
    workspace: Workspace,
    kind: str,
    text: str | bytes,
    *,
    mapping: dict[str, int] | None = None,
    user: Any = None,
) -> ImportJob:
    """Upload, map (the guessed mapping unless given) and run, as the UI does."""
    data = text.encode() if isinstance(text, str) else text
    upload = SimpleUploadedFile(f"{kind}.csv", data, content_type="text/csv")
    job, found = create_import_job(workspace=workspace, user=user, kind=kind, upload=upload)
    start_import(
        job=job, mapping=mapping or guess_mapping(kind, found.header), delimiter=found.delimiter
    )
    runner.run_import(job_id=job.pk, workspace_id=workspace.pk)
    job.refresh_from_db()
    return job


def counts(job: ImportJob) -> tuple[int, int, int, int]:
    return (job.created_count, job.updated_count, job.skipped_count, job.error_count)


def error_rows(job: ImportJob) -> list[list[str]]:
    text = errors_file(job=job).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))[1:]


def snapshot(workspace: Workspace) -> dict[str, list[Any]]:
    """Every stored value the imports touch, to prove "nothing else changed"."""
    return {
        "contacts": list(Contact.objects.for_workspace(workspace).order_by("pk").values()),
        "stages": list(
            LifecycleStageChange.objects.for_workspace(workspace).order_by("pk").values()
        ),
        "deals": list(Deal.objects.for_workspace(workspace).order_by("pk").values()),
        "links": list(DealContact.objects.for_workspace(workspace).order_by("pk").values()),
        "interactions": list(Interaction.objects.for_workspace(workspace).order_by("pk").values()),
        "assets": list(Asset.objects.for_workspace(workspace).order_by("pk").values()),
        "associations": list(
            AssetAssociation.objects.for_workspace(workspace).order_by("pk").values()
        ),
    }


CONTACTS = (
    "Email;First name;Last name;Created;Lifecycle stage;External id\r\n"
    "ada@example.com;Ada;Lovelace;2024-03-01 09:30;lead;C-1\r\n"
    "Bob@Example.com;Bob;;01.02.2024;;C-2\r\n"
    "cleo@example.com;Cleo;Ray;;customer;\r\n"
)


# --- Contacts ------------------------------------------------------------------------------------
def test_contacts_are_created_from_the_import_channel_with_offline_source(ws: Workspace) -> None:
    job = run_csv(ws, "contacts", CONTACTS)

    assert job.status == ImportStatus.DONE and counts(job) == (3, 0, 0, 0)
    ada = Contact.objects.for_workspace(ws).get(email="ada@example.com")
    assert (ada.first_name, ada.last_name, ada.lifecycle_stage, ada.external_id) == (
        "Ada",
        "Lovelace",
        "lead",
        "C-1",
    )
    assert (ada.creation_channel, ada.original_source) == ("import", "offline_sources")
    # 09:30 in Copenhagen (UTC+1 in March) is 08:30 UTC.
    assert ada.created_at == datetime(2024, 3, 1, 8, 30, tzinfo=UTC)
    bob = Contact.objects.for_workspace(ws).get(email="Bob@Example.com")
    assert bob.lifecycle_stage == "subscriber"
    cleo = Contact.objects.for_workspace(ws).get(email="cleo@example.com")
    assert cleo.created_at == job.started_at  # no created date: the import time
    assert list(
        LifecycleStageChange.objects.for_workspace(ws)
        .filter(contact=ada)
        .values_list("stage", flat=True)
    ) == ["lead"]


def test_importing_the_same_contacts_file_twice_creates_nothing_the_second_time(
    ws: Workspace,
) -> None:
    first = run_csv(ws, "contacts", CONTACTS)
    before = snapshot(ws)

    second = run_csv(ws, "contacts", CONTACTS)

    assert counts(first) == (3, 0, 0, 0)
    assert counts(second) == (0, 0, 3, 0)
    assert second.rows_done == second.rows_total == 3
    assert snapshot(ws) == before


def test_a_changed_row_updates_the_contact_and_records_the_stage_change(ws: Workspace) -> None:
    run_csv(ws, "contacts", CONTACTS)

    job = run_csv(ws, "contacts", "email,first name,lifecycle stage\nADA@example.com,Augusta,MQL\n")

    assert counts(job) == (0, 1, 0, 0)
    ada = Contact.objects.for_workspace(ws).get(email="ada@example.com")
    assert (ada.first_name, ada.last_name, ada.lifecycle_stage) == (
        "Augusta",
        "Lovelace",
        "marketingqualifiedlead",
    )
    history = LifecycleStageChange.objects.for_workspace(ws).filter(contact=ada).order_by("pk")
    assert [(h.stage, h.changed_at) for h in history] == [
        ("lead", ada.created_at),
        ("marketingqualifiedlead", job.started_at),
    ]
    assert Contact.objects.for_workspace(ws).count() == 3


def test_bad_contact_rows_are_reported_and_nothing_of_them_is_written(ws: Workspace) -> None:
    run_csv(ws, "contacts", CONTACTS)
    before = Contact.objects.for_workspace(ws).get(email="ada@example.com")
    text = (
        "Email,First name,Created,Lifecycle stage\n"
        "ada@example.com,Changed,31.02.2024,lead\n"  # bad date: Ada keeps her name
        "new@example.com,New,2024-01-01,prospect\n"  # unknown stage: not created
        "not-an-email,X,,\n"
        "good@example.com,Good,2024-01-02,lead\n"
    )

    job = run_csv(ws, "contacts", text)

    assert counts(job) == (1, 0, 0, 3)
    assert (
        Contact.objects.for_workspace(ws).get(email="ada@example.com").first_name
        == before.first_name
    )
    assert not Contact.objects.for_workspace(ws).filter(email="new@example.com").exists()
    assert Contact.objects.for_workspace(ws).filter(email="good@example.com").exists()
    rows = error_rows(job)
    assert [r[:3] for r in rows] == [
        ["2", "Created", "31.02.2024"],
        ["3", "Lifecycle stage", "prospect"],
        ["4", "Email", "not-an-email"],
    ]
    assert "is not a date" in rows[0][3] and "is not a lifecycle stage" in rows[1][3]
    assert job.error_preview[0]["row"] == 2


def test_an_email_repeated_in_the_file_is_an_error_on_the_later_row(ws: Workspace) -> None:
    job = run_csv(ws, "contacts", "email,first name\na@example.com,One\nA@EXAMPLE.COM,Two\n")

    assert counts(job) == (1, 0, 0, 1)
    assert Contact.objects.for_workspace(ws).get().first_name == "One"
    assert error_rows(job) == [
        [
            "3",
            "email",
            "A@EXAMPLE.COM",
            "A@EXAMPLE.COM is also on row 2; each appears once per file.",
        ]
    ]


def test_an_empty_cell_never_erases_a_stored_value(ws: Workspace) -> None:
    run_csv(ws, "contacts", CONTACTS)

    job = run_csv(ws, "contacts", "email,first name,last name,external id\nada@example.com,,,\n")

    assert counts(job) == (0, 0, 1, 0)
    ada = Contact.objects.for_workspace(ws).get(email="ada@example.com")
    assert (ada.first_name, ada.last_name, ada.external_id) == ("Ada", "Lovelace", "C-1")


def test_contacts_of_another_workspace_are_never_matched_or_changed(world: World) -> None:
    b_contact = world.b["contact"]
    b_before = snapshot(world.b.workspace)

    job = run_csv(world.a.workspace, "contacts", f"email,first name\n{b_contact.email},Mine\n")

    assert counts(job) == (1, 0, 0, 0)
    assert (
        Contact.objects.for_workspace(world.a.workspace).get(email=b_contact.email).first_name
        == "Mine"
    )
    assert snapshot(world.b.workspace) == b_before


# --- Deals ---------------------------------------------------------------------------------------
def _deal_file(rows: str) -> str:
    return "Deal ID;Deal name;Amount;Currency;Stage;Create date;Close date;Contact emails\n" + rows


def test_deals_are_created_with_their_contacts_and_a_reimport_updates_them(ws: Workspace) -> None:
    run_csv(ws, "contacts", CONTACTS)
    rows = (
        "D-1;Big one;1.234,56;eur;closed won;2024-03-05;2024-04-02;"
        "ada@example.com| bob@example.com\n"
        "D-2;Small one;1 500,00;;open;2024-03-06;2024-09-01;ada@example.com\n"
    )

    first = run_csv(ws, "deals", _deal_file(rows))
    again = run_csv(ws, "deals", _deal_file(rows))
    changed = run_csv(
        ws, "deals", _deal_file("D-2;Small one;1 750;;won;;2024-05-01;cleo@example.com\n")
    )

    assert (counts(first), counts(again), counts(changed)) == (
        (2, 0, 0, 0),
        (0, 0, 2, 0),
        (0, 1, 0, 0),
    )
    big = Deal.objects.for_workspace(ws).get(external_id="D-1")
    assert (big.amount, big.currency, big.stage) == (Decimal("1234.56"), "EUR", "closed_won")
    assert sorted(big.contacts.values_list("email", flat=True)) == [
        "Bob@Example.com",
        "ada@example.com",
    ]
    small = Deal.objects.for_workspace(ws).get(external_id="D-2")
    # The open deal's close date was its expected close date: not stored. Then it was won.
    assert (small.amount, small.currency, small.stage) == (Decimal("1750.00"), "DKK", "closed_won")
    assert small.closed_at == datetime(2024, 4, 30, 22, tzinfo=UTC)
    assert sorted(small.contacts.values_list("email", flat=True)) == [
        "ada@example.com",
        "cleo@example.com",
    ]
    assert Deal.objects.for_workspace(ws).count() == 2


def test_bad_deal_rows_are_reported_and_nothing_of_them_is_written(ws: Workspace) -> None:
    run_csv(ws, "contacts", CONTACTS)
    run_csv(ws, "deals", _deal_file("D-1;Kept;100;;open;2024-03-05;;ada@example.com\n"))
    before = snapshot(ws)
    rows = (
        "D-1;Renamed;-100;;open;2024-03-05;;ada@example.com\n"  # negative amount: D-1 untouched
        "D-2;Ghost;100;;open;2024-03-05;;ada@example.com|nobody@example.com\n"  # unknown contact
        "D-3;Early;100;;closed won;2024-03-05;2024-03-01;\n"  # closes before it was created
        "D-4;Undated;100;;open;;;\n"  # a new deal needs its created date
    )

    job = run_csv(ws, "deals", _deal_file(rows))

    assert counts(job) == (0, 0, 0, 4)
    assert snapshot(ws) == before  # D-2's known contact was not associated either
    problems = {(r[0], r[1]): r[3] for r in error_rows(job)}
    assert problems[("2", "Amount")] == "An amount cannot be negative (“-100”)."
    assert "no contact with the email nobody@example.com" in problems[("3", "Contact emails")]
    assert problems[("4", "Close date")] == "A deal cannot close before it was created."
    assert problems[("5", "Create date")] == "Create date is empty; a new deal needs it."


def test_a_deal_cannot_be_associated_with_a_contact_before_it_existed(ws: Workspace) -> None:
    run_csv(ws, "contacts", "email,created\nlate@example.com,2024-06-01\n")
    header = "id,name,amount,create date,contact emails,association date\n"

    job = run_csv(
        ws,
        "deals",
        header + "D-1,Deal,10,2024-05-01,late@example.com,2024-05-15\n"
        "D-2,Deal,10,2024-05-01,late@example.com,\n",
    )

    assert counts(job) == (1, 0, 0, 1)
    assert "before the contact was created" in error_rows(job)[0][3]
    link = DealContact.objects.for_workspace(ws).get(deal__external_id="D-2")
    # Without a date: when both the deal and the contact existed.
    assert link.associated_at == Contact.objects.for_workspace(ws).get().created_at


def test_a_deal_file_needs_the_external_id_column(ws: Workspace) -> None:
    upload = SimpleUploadedFile("d.csv", b"name,amount,create date\nX,1,2024-01-01\n")
    job, found = create_import_job(workspace=ws, user=None, kind="deals", upload=upload)

    with pytest.raises(Exception) as caught:
        start_import(job=job, mapping=guess_mapping("deals", found.header), delimiter=",")

    assert "Choose the column that holds External id." in str(caught.value)
    job.refresh_from_db()
    assert job.status == ImportStatus.UPLOADED


# --- Interactions --------------------------------------------------------------------------------
@pytest.fixture
def campaign_world(ws: Workspace) -> dict[str, Any]:
    """A form held by a campaign since 2024-03-10 12:00 UTC, an unheld email, two contacts."""
    campaign = Campaign.objects.create(workspace=ws, name="Spring")
    form = create_asset(workspace=ws, type=AssetType.FORM, name="Sign-up", external_id="F-1")
    email = create_asset(workspace=ws, type=AssetType.MARKETING_EMAIL, name="Newsletter")
    associate_asset(asset=form, campaign=campaign, at=datetime(2024, 3, 10, 12, tzinfo=UTC))
    run_csv(ws, "contacts", CONTACTS)
    return {"campaign": campaign, "form": form, "email": email}


INTERACTIONS = (
    "External id,Contact email,Type,Occurred at,Asset external id,Asset name,Call connected\n"
    "I-1,ada@example.com,Form submission,2024-03-10 12:00,,Sign-up,\n"  # 11:00 UTC: before
    "I-2,ada@example.com,form,2024-03-10 14:00,F-1,,\n"  # 13:00 UTC: after the association
    "I-3,bob@example.com,Marketing email open,2024-03-11,,newsletter,\n"
    "I-4,bob@example.com,Call,2024-03-12 10:00,,,yes\n"
    "I-5,bob@example.com,call,2024-03-12 11:00,,,\n"
)


def test_interactions_are_credited_to_the_campaign_holding_the_asset_when_they_occurred(
    campaign_world: dict[str, Any], ws: Workspace
) -> None:
    job = run_csv(ws, "interactions", INTERACTIONS)

    assert counts(job) == (5, 0, 0, 0)
    stored = {i.external_id: i for i in Interaction.objects.for_workspace(ws)}
    assert stored["I-1"].asset == campaign_world["form"] and stored["I-1"].campaign is None
    assert stored["I-2"].campaign == campaign_world["campaign"]
    assert stored["I-3"].asset == campaign_world["email"] and stored["I-3"].type == "email_open"
    assert (stored["I-4"].type, stored["I-5"].type) == ("call_connected", "call_logged")
    assert stored["I-4"].asset is None


def test_importing_the_same_interactions_twice_stores_each_once(
    campaign_world: dict[str, Any], ws: Workspace
) -> None:
    without_ids = "\n".join(line.partition(",")[2] for line in INTERACTIONS.splitlines()) + "\n"
    mapping = {
        "contact_email": 0,
        "type": 1,
        "occurred_at": 2,
        "asset_name": 4,
        "call_connected": 5,
    }

    first = run_csv(ws, "interactions", without_ids, mapping=mapping)
    second = run_csv(ws, "interactions", without_ids, mapping=mapping)
    with_ids = run_csv(ws, "interactions", INTERACTIONS)
    with_ids_again = run_csv(ws, "interactions", INTERACTIONS)

    assert [counts(j) for j in (first, second, with_ids, with_ids_again)] == [
        (5, 0, 0, 0),
        (0, 0, 5, 0),
        (5, 0, 0, 0),  # rows with ids are other records than the ones imported without ids
        (0, 0, 5, 0),
    ]
    assert Interaction.objects.for_workspace(ws).count() == 10


def test_a_changed_interaction_row_updates_it_and_resolves_its_campaign_again(
    campaign_world: dict[str, Any], ws: Workspace
) -> None:
    run_csv(ws, "interactions", INTERACTIONS)

    job = run_csv(
        ws,
        "interactions",
        "id,contact email,type,date,asset name\nI-1,ada@example.com,form,2024-03-11,Sign-up\n",
    )

    assert counts(job) == (0, 1, 0, 0)
    moved = Interaction.objects.for_workspace(ws).get(external_id="I-1")
    assert moved.campaign == campaign_world["campaign"]
    assert moved.occurred_at == datetime(2024, 3, 10, 23, tzinfo=UTC)


def test_bad_interaction_rows_are_reported_and_not_written(
    campaign_world: dict[str, Any], ws: Workspace
) -> None:
    create_asset(workspace=ws, type=AssetType.CTA, name="Sign-up")  # same name as the form
    rows = (
        "id,contact email,type,date,asset name,asset type\n"
        "I-1,stranger@example.com,form,2024-03-11,,\n"
        "I-2,ada@example.com,teleport,2024-03-11,,\n"
        "I-3,ada@example.com,page view,2024-03-11,Sign-up,\n"  # a form and a CTA: ambiguous
        "I-4,ada@example.com,form,2024-03-11,Missing page,\n"
        "I-5,ada@example.com,form,2024-03-11,Sign-up,\n"  # a form submission: the form
        "I-6,ada@example.com,cta click,2024-03-11,Sign-up,CTA\n"
    )

    job = run_csv(ws, "interactions", rows)

    assert counts(job) == (2, 0, 0, 4)
    assert sorted(Interaction.objects.for_workspace(ws).values_list("external_id", flat=True)) == [
        "I-5",
        "I-6",
    ]
    messages = [r[3] for r in error_rows(job)]
    assert "no contact with the email stranger@example.com" in messages[0]
    assert "“teleport” is not an interaction type" in messages[1]
    assert "Several assets match “Sign-up” (CTA, Form)" in messages[2]
    assert messages[3] == "There is no asset named “Missing page” in this workspace."


# --- Assets --------------------------------------------------------------------------------------
def test_assets_are_created_associated_with_their_campaign_and_reimported_idempotently(
    ws: Workspace,
) -> None:
    spring = Campaign.objects.create(workspace=ws, name="Spring")
    CampaignUtm.objects.create(workspace=ws, campaign=spring, value="spring-24")
    text = (
        "Type,Name,URL,Published,External id,Campaign,Associated at\n"
        "landing page,Webinar,www.example.com/webinar/,2024-02-20,LP-1,Spring,2024-02-21\n"
        "form,Webinar form,,,,spring-24,\n"
        "social post,Teaser,,,S-1,,\n"
    )

    first = run_csv(ws, "assets", text)
    second = run_csv(ws, "assets", text)

    assert (counts(first), counts(second)) == ((3, 0, 0, 0), (0, 0, 3, 0))
    page = Asset.objects.for_workspace(ws).get(external_id="LP-1")
    assert (page.type, page.url, page.normalized_url) == (
        "landing_page",
        "https://www.example.com/webinar/",
        "example.com/webinar",
    )
    held = AssetAssociation.objects.for_workspace(ws).order_by("asset__name")
    assert [(a.asset.name, a.campaign_id) for a in held] == [
        ("Webinar", spring.pk),
        ("Webinar form", spring.pk),
    ]
    assert held[0].associated_at == datetime(2024, 2, 20, 23, tzinfo=UTC)
    assert Asset.objects.for_workspace(ws).count() == 3


def test_moving_an_asset_to_another_campaign_ends_the_old_association(ws: Workspace) -> None:
    old = Campaign.objects.create(workspace=ws, name="Old")
    new = Campaign.objects.create(workspace=ws, name="New")
    run_csv(
        ws, "assets", "type,name,external id,campaign,associated at\nform,F,F-1,Old,2024-01-01\n"
    )

    job = run_csv(
        ws, "assets", "type,name,external id,campaign,associated at\nform,F,F-1,New,2024-02-01\n"
    )

    assert counts(job) == (0, 1, 0, 0)
    history = AssetAssociation.objects.for_workspace(ws).order_by("associated_at")
    assert [(a.campaign_id, a.dissociated_at is None) for a in history] == [
        (old.pk, False),
        (new.pk, True),
    ]


def test_bad_asset_rows_are_reported_and_not_written(ws: Workspace) -> None:
    text = (
        "type,name,url,campaign\n"
        "landing page,No URL,,\n"
        "billboard,Road sign,,\n"
        "blog post,Bad URL,not a url at all,\n"
        "form,Orphan,,Nonexistent campaign\n"
        "form,Fine,,\n"
    )

    job = run_csv(ws, "assets", text)

    assert counts(job) == (1, 0, 0, 4)
    assert list(Asset.objects.for_workspace(ws).values_list("name", flat=True)) == ["Fine"]
    assert [r[1] for r in error_rows(job)] == ["url", "type", "url", "campaign"]


# --- The run: batches, failures, data version ---------------------------------------------------
def test_a_batch_the_database_refuses_is_rolled_back_and_the_job_fails_with_a_message(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "BATCH_SIZE", 2)
    original = runner.ContactImporter.import_batch

    def refuse_second_batch(self: Any, rows: list[Any]) -> Any:
        result = original(self, rows)  # writes the rows first...
        if rows[0].number == 4:
            raise IntegrityError("duplicate key value violates unique constraint")
        return result

    monkeypatch.setattr(runner.ContactImporter, "import_batch", refuse_second_batch)
    text = "email\n" + "".join(f"p{i}@example.com\n" for i in range(5))

    job = run_csv(ws, "contacts", text)

    assert job.status == ImportStatus.FAILED
    assert "Rows 4 to 5 could not be stored (duplicate key value" in job.message
    # ...but the second batch's rows were rolled back; the first batch's stay.
    assert sorted(Contact.objects.for_workspace(ws).values_list("email", flat=True)) == [
        "p0@example.com",
        "p1@example.com",
    ]
    assert (job.rows_done, job.created_count) == (2, 2)
    assert job.finished_at is not None


def test_finishing_a_job_bumps_the_workspace_data_version(ws: Workspace) -> None:
    before = Workspace.objects.get(pk=ws.pk).data_version

    run_csv(ws, "contacts", CONTACTS)
    after_first = Workspace.objects.get(pk=ws.pk).data_version
    run_csv(ws, "contacts", CONTACTS)

    assert after_first > before
    assert Workspace.objects.get(pk=ws.pk).data_version > after_first


def test_a_job_that_is_not_queued_is_not_run_again(ws: Workspace) -> None:
    job = run_csv(ws, "contacts", CONTACTS)
    Contact.objects.for_workspace(ws).delete()

    assert runner.run_import(job_id=job.pk, workspace_id=job.workspace_id) is None
    assert not Contact.objects.for_workspace(ws).exists()


def test_a_job_is_only_run_for_its_own_workspace(ws: Workspace) -> None:
    other = Workspace.objects.create(name="Other", slug="other-ws")
    upload = SimpleUploadedFile("c.csv", CONTACTS.encode())
    job, found = create_import_job(workspace=ws, user=None, kind="contacts", upload=upload)
    start_import(job=job, mapping=guess_mapping("contacts", found.header), delimiter=";")

    assert runner.run_import(job_id=job.pk, workspace_id=other.pk) is None
    assert not Contact.objects.exists()


def test_an_interrupted_job_is_taken_up_again_once_its_heartbeat_is_stale(ws: Workspace) -> None:
    upload = SimpleUploadedFile("c.csv", CONTACTS.encode())
    job, found = create_import_job(workspace=ws, user=None, kind="contacts", upload=upload)
    start_import(job=job, mapping=guess_mapping("contacts", found.header), delimiter=";")
    fresh = datetime.now(tz=UTC)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, heartbeat_at=fresh)

    assert runner.run_import(job_id=job.pk, workspace_id=ws.pk) is None  # still running
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=fresh - timedelta(minutes=11))
    finished = runner.run_import(job_id=job.pk, workspace_id=ws.pk)

    assert finished is not None and finished.status == ImportStatus.DONE
    assert Contact.objects.for_workspace(ws).count() == 3


def test_an_uploaded_file_that_disappeared_fails_the_job_with_a_message(
    ws: Workspace, private_import_storage: Path
) -> None:
    upload = SimpleUploadedFile("c.csv", CONTACTS.encode())
    job, found = create_import_job(workspace=ws, user=None, kind="contacts", upload=upload)
    start_import(job=job, mapping=guess_mapping("contacts", found.header), delimiter=";")
    (private_import_storage / job.file_path).unlink()

    runner.run_import(job_id=job.pk, workspace_id=ws.pk)

    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.message == "The uploaded file can no longer be read; upload it again."
