"""API v1 authentication: a valid workspace token or a 401, whatever else the caller has."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.api.conftest import token_client
from tests.conftest import World
from workspaces.models import ApiToken
from workspaces.services import revoke_api_token

URL = "/api/v1/contacts/"


def test_a_request_without_a_token_is_a_401_asking_for_a_bearer_token(world: World) -> None:
    response = APIClient().get(URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert "detail" in response.json()


@pytest.mark.parametrize("header", ["Bearer", "Basic abc", "Bearer a b", "tp_only"])
def test_a_malformed_authorization_header_is_a_401(world: World, header: str) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get(URL).status_code == 401


def test_an_unknown_token_is_a_401(world: World) -> None:
    response = token_client("tp_not-a-real-token").get(URL)
    assert response.status_code == 401
    assert "unknown or revoked" in response.json()["detail"]


def test_a_revoked_token_is_a_401_for_reads_and_writes(world: World, token_a: str) -> None:
    client = token_client(token_a)
    assert client.get(URL).status_code == 200
    revoke_api_token(
        token=ApiToken.objects.for_workspace(world.a.workspace).get(name="API tests A")
    )
    assert client.get(URL).status_code == 401
    response = client.post(URL, {"email": "late@example.com"}, format="json")
    assert response.status_code == 401


def test_a_logged_in_member_without_a_token_gets_a_401_from_the_data_endpoints(
    world: World,
) -> None:
    client = Client()
    client.force_login(world.users["admin"])
    response = client.get(URL)
    assert response.status_code == 401


def test_a_token_acts_for_its_workspace_whatever_the_roles_of_its_creator(
    world: World,
) -> None:
    from workspaces.services import create_api_token

    # The token names no person: even one created by a viewer's action writes for the workspace.
    _, raw = create_api_token(
        workspace=world.a.workspace, name="ingest", created_by=world.users["viewer"]
    )
    response = token_client(raw).post(URL, {"email": "ingest@example.com"}, format="json")
    assert response.status_code == 201


def test_using_a_token_records_when_it_was_last_used(world: World, token_a: str) -> None:
    token = ApiToken.objects.for_workspace(world.a.workspace).get(name="API tests A")
    assert token.last_used_at is None
    token_client(token_a).get(URL)
    token.refresh_from_db()
    assert token.last_used_at is not None
