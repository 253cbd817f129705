"""Logged-in clients for the notification tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tests.conftest import World


@pytest.fixture
def client_as(world: World) -> Callable[[str], Client]:
    """A client logged in as one of the world's users (admin, marketer, viewer, outsider)."""

    def make(role: str) -> Client:
        client = Client()
        client.force_login(world.users[role])
        return client

    return make
