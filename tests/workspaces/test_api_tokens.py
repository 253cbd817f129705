"""API tokens: shown once, stored as a hash, revocable; and the issue_api_token command."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.test import APIRequestFactory

from tests.conftest import World
from tests.workspaces.conftest import settings_url
from workspaces.api_auth import WorkspaceTokenAuthentication
from workspaces.models import ApiToken, hash_secret


def _authenticate(raw: str) -> ApiToken:
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    result = WorkspaceTokenAuthentication().authenticate(request)
    assert result is not None
    return result[1]


def _create(client: Client, name: str = "CRM sync") -> str:
    response = client.post(settings_url("api_tokens"), {"name": name})
    assert response.status_code == 302
    assert response["Location"] == settings_url("api_token_created")
    page = client.get(response["Location"]).content.decode()
    start = page.index('value="tp_') + len('value="')
    return page[start : page.index('"', start)]


def test_a_new_token_is_shown_once_and_only_its_hash_is_stored(
    world: World, admin_client_a: Client
) -> None:
    raw = _create(admin_client_a)
    assert raw.startswith("tp_") and len(raw) > 40
    token = ApiToken.objects.for_workspace(world.a.workspace).get(name="CRM sync")
    assert token.token_hash == hash_secret(raw)
    assert token.prefix == raw[:10]
    assert token.created_by == world.users["admin"]
    assert raw not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    again = admin_client_a.get(settings_url("api_token_created"), follow=True)
    assert raw not in again.content.decode()
    assert "shown only once" in again.content.decode()
    listing = admin_client_a.get(settings_url("api_tokens")).content.decode()
    assert f"{raw[:10]}…" in listing and raw not in listing


def test_a_created_token_authenticates_api_calls_for_its_workspace(
    world: World, admin_client_a: Client
) -> None:
    raw = _create(admin_client_a)
    token = _authenticate(raw)
    assert token.workspace == world.a.workspace


def test_a_revoked_token_no_longer_authenticates(world: World, admin_client_a: Client) -> None:
    raw = _create(admin_client_a)
    token = ApiToken.objects.for_workspace(world.a.workspace).get(name="CRM sync")
    response = admin_client_a.post(settings_url("api_token_revoke", token_id=token.pk))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    with pytest.raises(AuthenticationFailed):
        _authenticate(raw)
    assert "Revoked" in admin_client_a.get(settings_url("api_tokens")).content.decode()


def test_a_token_name_is_required(world: World, admin_client_a: Client) -> None:
    response = admin_client_a.post(settings_url("api_tokens"), {"name": "  "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert ApiToken.objects.for_workspace(world.a.workspace).count() == 1


def test_one_workspaces_admin_cannot_revoke_anothers_token(
    world: World, client_as: Callable[[str], Client]
) -> None:
    a_token = world.a["api_token"]
    response = client_as("outsider").post(
        settings_url("api_token_revoke", slug="other", token_id=a_token.pk)
    )
    assert response.status_code == 404
    response = client_as("outsider").post(
        settings_url("api_token_revoke", slug="acme", token_id=a_token.pk)
    )
    assert response.status_code == 404
    a_token.refresh_from_db()
    assert a_token.revoked_at is None


def test_the_created_page_of_one_workspace_does_not_show_a_token_made_in_another(
    world: World, client_as: Callable[[str], Client]
) -> None:
    from workspaces.models import Membership

    Membership.objects.create(workspace=world.b.workspace, user=world.users["admin"], role="admin")
    client = client_as("admin")
    client.post(settings_url("api_tokens", slug="other"), {"name": "B token"})
    response = client.get(settings_url("api_token_created", slug="acme"))
    assert response.status_code == 302
    assert response["Location"] == settings_url("api_tokens", slug="acme")


# --- manage.py issue_api_token -------------------------------------------------------------------


def test_the_command_prints_only_the_token_on_its_last_line(world: World) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "issue_api_token", "--workspace", "acme", "--name", "Importer", stdout=out, stderr=err
    )
    lines = out.getvalue().strip().splitlines()
    raw = lines[-1]
    assert raw.startswith("tp_") and " " not in raw
    token = ApiToken.objects.for_workspace(world.a.workspace).get(name="Importer")
    assert token.token_hash == hash_secret(raw)
    assert "cannot be shown again" in err.getvalue()
    assert _authenticate(raw) == token


def test_the_command_finds_a_workspace_by_name_too(world: World) -> None:
    out = io.StringIO()
    call_command("issue_api_token", "--workspace", "ACME", stdout=out, stderr=io.StringIO())
    raw = out.getvalue().strip().splitlines()[-1]
    assert _authenticate(raw).workspace == world.a.workspace


def test_the_command_names_the_problem_for_an_unknown_workspace(world: World) -> None:
    with pytest.raises(CommandError, match="No workspace has the slug or name 'nope'"):
        call_command("issue_api_token", "--workspace", "nope", stdout=io.StringIO())
    assert ApiToken.objects.count() == 2
