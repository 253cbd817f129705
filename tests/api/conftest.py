"""API test fixtures: real tokens (created through the service, as an admin would) and clients
that send them."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.conftest import World


def token_client(raw: str | None) -> APIClient:
    client = APIClient()
    if raw is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def token_a(world: World) -> str:
    from workspaces.services import create_api_token

    _, raw = create_api_token(workspace=world.a.workspace, name="API tests A")
    return raw


@pytest.fixture
def token_b(world: World) -> str:
    from workspaces.services import create_api_token

    _, raw = create_api_token(workspace=world.b.workspace, name="API tests B")
    return raw


@pytest.fixture
def api(token_a: str) -> APIClient:
    """Workspace A's API client."""
    return token_client(token_a)


@pytest.fixture
def api_b(token_b: str) -> APIClient:
    """Workspace B's API client."""
    return token_client(token_b)


def body(response: Any) -> Any:
    return response.json()
