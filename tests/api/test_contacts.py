"""API v1 contacts: create, read, filter, update; the email rule and the field-naming errors."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from crm.models import Contact, LifecycleStageChange
from tests.conftest import World
from workspaces.models import Workspace

URL = "/api/v1/contacts/"


def test_a_contact_created_through_the_api_is_an_offline_api_contact(
    api: APIClient, world: World
) -> None:
    response = api.post(
        URL,
        {"email": "ada@example.com", "first_name": "Ada", "lifecycle_stage": "lead"},
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    contact = Contact.objects.get(pk=data["id"])
    assert contact.workspace_id == world.a.workspace.pk
    assert data["email"] == "ada@example.com"
    assert data["creation_channel"] == "api"
    assert data["original_source"] == "offline_sources"
    assert data["lifecycle_stage"] == "lead"
    assert data["created_at"].endswith("Z") or "+" in data["created_at"]
    assert list(contact.stage_history.values_list("stage", flat=True)) == ["lead"]


def test_a_contact_email_is_unique_case_insensitively_and_the_error_names_the_field(
    api: APIClient, world: World
) -> None:
    existing = world.a["contact"].email.upper()
    response = api.post(URL, {"email": existing}, format="json")
    assert response.status_code == 400
    assert "email" in response.json()
    assert "already exists" in response.json()["email"][0]
    assert Contact.objects.for_workspace(world.a.workspace).count() == 1


def test_the_same_email_may_exist_in_another_workspace(api: APIClient, world: World) -> None:
    response = api.post(URL, {"email": world.b["contact"].email}, format="json")
    assert response.status_code == 201
    assert Contact.objects.for_workspace(world.b.workspace).count() == 1


def test_an_invalid_email_is_refused_naming_the_field(api: APIClient) -> None:
    response = api.post(URL, {"email": "not-an-email"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["email"]


def test_an_unknown_field_is_refused_rather_than_ignored(api: APIClient, world: World) -> None:
    response = api.post(URL, {"email": "x@example.com", "phone": "123"}, format="json")
    assert response.status_code == 400
    assert "Unknown field" in response.json()["phone"][0]
    assert "email" in response.json()["phone"][0]  # it lists what may be sent
    assert not Contact.objects.filter(email="x@example.com").exists()


def test_a_read_only_field_sent_on_create_is_refused(api: APIClient) -> None:
    response = api.post(URL, {"email": "x@example.com", "id": 5}, format="json")
    assert response.status_code == 400
    assert "id" in response.json()


def test_a_naive_creation_time_is_refused_with_a_clear_message(api: APIClient) -> None:
    response = api.post(
        URL, {"email": "x@example.com", "created_at": "2025-03-01T09:30:00"}, format="json"
    )
    assert response.status_code == 400
    assert "time zone" in response.json()["created_at"][0]


def test_an_aware_creation_time_is_kept_in_utc(api: APIClient) -> None:
    response = api.post(
        URL, {"email": "x@example.com", "created_at": "2025-03-01T09:30:00+01:00"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["created_at"] == "2025-03-01T08:30:00Z"


def test_a_contact_is_retrieved_and_listed(api: APIClient, world: World) -> None:
    contact = world.a["contact"]
    one = api.get(f"{URL}{contact.pk}/")
    assert one.status_code == 200
    assert one.json()["email"] == contact.email
    listing = api.get(URL)
    assert listing.status_code == 200
    assert [row["id"] for row in listing.json()["results"]] == [contact.pk]
    assert listing.json()["count"] == 1


def test_contacts_are_filtered_by_email_ignoring_case(api: APIClient, world: World) -> None:
    api.post(URL, {"email": "other@example.com"}, format="json")
    response = api.get(URL, {"email": world.a["contact"].email.upper()})
    assert [row["id"] for row in response.json()["results"]] == [world.a["contact"].pk]


def test_contacts_are_filtered_by_update_time(api: APIClient, world: World) -> None:
    old = world.a["contact"]
    Contact.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=3))
    new_id = api.post(URL, {"email": "fresh@example.com"}, format="json").json()["id"]
    since = (timezone.now() - timedelta(days=1)).isoformat()
    response = api.get(URL, {"updated_after": since})
    assert [row["id"] for row in response.json()["results"]] == [new_id]
    before = api.get(URL, {"updated_before": since})
    assert [row["id"] for row in before.json()["results"]] == [old.pk]


def test_a_naive_filter_time_and_an_unknown_filter_are_refused(api: APIClient) -> None:
    naive = api.get(URL, {"updated_after": "2025-01-01T00:00:00"})
    assert naive.status_code == 400
    assert "time zone" in naive.json()["updated_after"][0]
    typo = api.get(URL, {"emial": "a@b.c"})
    assert typo.status_code == 400
    assert "Unknown filter" in typo.json()["emial"][0]


def test_a_patch_changes_only_the_given_fields_and_keeps_the_stage_history(
    api: APIClient, world: World
) -> None:
    contact = world.a["contact"]
    LifecycleStageChange.objects.create(
        workspace=world.a.workspace,
        contact=contact,
        stage="subscriber",
        changed_at=contact.created_at,
    )
    response = api.patch(
        f"{URL}{contact.pk}/",
        {"last_name": "Lovelace", "lifecycle_stage": "customer"},
        format="json",
    )
    assert response.status_code == 200, response.content
    contact.refresh_from_db()
    assert contact.last_name == "Lovelace"
    assert contact.first_name == "A"
    assert contact.lifecycle_stage == "customer"
    assert list(contact.stage_history.values_list("stage", flat=True)) == [
        "subscriber",
        "customer",
    ]


def test_a_put_replaces_the_writable_fields(api: APIClient, world: World) -> None:
    contact = world.a["contact"]
    response = api.put(f"{URL}{contact.pk}/", {"email": "new@acme.test"}, format="json")
    assert response.status_code == 200
    contact.refresh_from_db()
    assert (contact.email, contact.first_name) == ("new@acme.test", "")


def test_changing_the_email_to_a_taken_one_names_the_field_and_changes_nothing(
    api: APIClient, world: World
) -> None:
    other = api.post(URL, {"email": "taken@example.com"}, format="json").json()
    contact = world.a["contact"]
    response = api.patch(
        f"{URL}{contact.pk}/", {"email": "TAKEN@example.com", "first_name": "Z"}, format="json"
    )
    assert response.status_code == 400
    assert "email" in response.json()
    contact.refresh_from_db()
    assert contact.first_name == "A"
    assert other["id"] != contact.pk


def test_the_creation_time_cannot_be_changed(api: APIClient, world: World) -> None:
    contact = world.a["contact"]
    response = api.patch(
        f"{URL}{contact.pk}/", {"created_at": "2020-01-01T00:00:00Z"}, format="json"
    )
    assert response.status_code == 400
    assert "cannot be changed" in response.json()["created_at"][0]


def test_contact_writes_bump_the_workspace_data_version(api: APIClient, world: World) -> None:
    before = Workspace.objects.get(pk=world.a.workspace.pk).data_version
    api.post(URL, {"email": "v@example.com"}, format="json")
    assert Workspace.objects.get(pk=world.a.workspace.pk).data_version > before


def test_contacts_cannot_be_deleted_through_the_api(api: APIClient, world: World) -> None:
    response = api.delete(f"{URL}{world.a['contact'].pk}/")
    assert response.status_code == 405
    assert Contact.objects.filter(pk=world.a["contact"].pk).exists()


def test_a_change_moves_the_update_time_and_a_stage_change_too(
    api: APIClient, world: World
) -> None:
    contact = world.a["contact"]
    long_ago = timezone.now() - timedelta(days=3)
    Contact.objects.filter(pk=contact.pk).update(updated_at=long_ago)
    api.patch(f"{URL}{contact.pk}/", {"first_name": "Changed"}, format="json")
    contact.refresh_from_db()
    assert contact.updated_at > long_ago
    Contact.objects.filter(pk=contact.pk).update(updated_at=long_ago)
    api.patch(f"{URL}{contact.pk}/", {"lifecycle_stage": "opportunity"}, format="json")
    contact.refresh_from_db()
    assert contact.updated_at > long_ago
