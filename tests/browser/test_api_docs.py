"""REST API v1's docs page (/api/v1/docs/) in a real browser: Swagger UI loads the schema from
this server and nothing from anywhere else (the page guard fails the test on any outside
request). The API's own tests are in tests/api/."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_the_docs_page_shows_the_api_reference_from_local_files(logged_in_page: Any) -> None:
    page = logged_in_page
    page.goto("/api/v1/docs/")
    expect(page.get_by_role("heading", name="Touchpoint API v1", level=1)).to_be_visible()
    expect(page.get_by_text("/api/v1/contacts/bulk/").first).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Authorize"))).to_be_visible()
    screenshot(page, "api-docs")
