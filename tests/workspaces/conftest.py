"""Helpers for the workspace settings tests: logged-in clients and settings URLs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.browser.conftest import (  # noqa: F401 (the browser fixtures, for the browser tests here)
    browser,
    logged_in_page,
    page,
    page_guard,
)
from tests.conftest import World


def settings_url(name: str, slug: str = "acme", **kwargs: Any) -> str:
    return reverse(f"workspaces:{name}", kwargs={"workspace_slug": slug, **kwargs})


@pytest.fixture
def client_as(world: World) -> Callable[[str], Client]:
    """A client logged in as one of the world's users (admin, marketer, viewer, outsider)."""

    def make(role: str) -> Client:
        client = Client()
        client.force_login(world.users[role])
        return client

    return make


@pytest.fixture
def admin_client_a(client_as: Callable[[str], Client]) -> Client:
    return client_as("admin")
