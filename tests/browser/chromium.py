"""One Chromium for the whole test session, however many modules bind the `browser` fixture.

Playwright's sync API allows one running instance per thread: a second `sync_playwright()`
fails with "using Playwright Sync API inside the asyncio loop". Test modules outside
tests/browser/ re-bind the fixtures of tests/browser/conftest.py (each binding is its own
session fixture), so the instance lives here, in a plain module imported once, and the first
fixture that starts it is the one that stops it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

_running: dict[str, Any] = {}


def is_running() -> bool:
    return "browser" in _running


def shared_browser() -> Any:
    """The session's Chromium, started on first use."""
    if not is_running():
        # Playwright's sync API keeps an event loop in this thread; Django would then refuse
        # ORM calls from the test body (and from later tests) as "async unsafe". The test
        # thread is not async code, so the check does not apply.
        _running["async_unsafe"] = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        _running["playwright"] = playwright
        _running["browser"] = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True
        )
    return _running["browser"]


def stop_shared_browser() -> None:
    if not is_running():
        return
    try:
        _running.pop("browser").close()
    finally:
        _running.pop("playwright").stop()
        previous = _running.pop("async_unsafe", None)
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous
