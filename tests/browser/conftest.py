"""Playwright fixtures: Debian's Chromium against pytest-django's live server.

- `browser` is launched once per session from /usr/bin/chromium (never a downloaded build);
  without it the tests skip locally and fail in CI. Modules elsewhere may re-bind these
  fixtures (`page = tests.browser.conftest.page`); they all share one Chromium (chromium.py).
- Every page is guarded: a request to any host other than localhost/127.0.0.1 is aborted and
  fails the test, and so does a JavaScript error or a console error.
- `logged_in_page` logs in through the real login form as workspace A's admin.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from tests.browser import chromium
from tests.browser.chromium import CHROMIUM
from tests.conftest import World, ci_requires

LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        ci_requires(f"Chromium ({CHROMIUM}, Debian package chromium)")
    owner = not chromium.is_running()
    yield chromium.shared_browser()
    if owner:
        chromium.stop_shared_browser()


@dataclass
class PageGuard:
    """Collects what must never happen on a page: outside requests and JavaScript errors."""

    outside_requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def route(self, route: Any) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname not in LOCAL_HOSTS:
            self.outside_requests.append(url)
            route.abort()
            return
        route.continue_()

    def console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"console error: {message.text} ({message.location})")

    def page_error(self, error: Any) -> None:
        self.errors.append(f"uncaught JavaScript error: {error}")

    def problems(self) -> list[str]:
        return [f"request left the machine: {u}" for u in self.outside_requests] + self.errors


@pytest.fixture
def page_guard() -> PageGuard:
    return PageGuard()


@pytest.fixture
def page(
    browser: Any, live_server: Any, transactional_db: None, page_guard: PageGuard
) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.route("**/*", page_guard.route)
    page.on("console", page_guard.console)
    page.on("pageerror", page_guard.page_error)
    yield page
    context.close()
    problems = page_guard.problems()
    if problems:
        pytest.fail("the browser saw:\n  " + "\n  ".join(problems), pytrace=False)


def log_in(page: Any, email: str, password: str) -> None:
    """Log in through the real login form, as a person would."""
    page.goto("/accounts/login/")
    page.get_by_label(re.compile(r"^e-?mail", re.IGNORECASE)).first.fill(email)
    page.get_by_label(re.compile(r"^password", re.IGNORECASE)).first.fill(password)
    page.get_by_role("button", name=re.compile(r"sign in|log in", re.IGNORECASE)).click()
    page.wait_for_url(re.compile(r"/w/[\w-]+/"))


@pytest.fixture
def logged_in_page(page: Any, world: World) -> Any:
    log_in(page, world.users["admin"].email, world.password)
    return page


def screenshot(page: Any, name: str) -> Path:
    """A full-page PNG in var/screenshots/ for humans to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    return target
