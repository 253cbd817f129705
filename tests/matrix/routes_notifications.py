"""Matrix entries for notifications/urls.py (the notification center).

A notification belongs to one user in one workspace, so the two URLs addressed by a
notification id have no single "own" object for every role of the matrix: another member's
notification is a 404 by design. They are exempt here and run through the same checks
(own → the page, foreign workspace → 404 without the canary, missing → 404, workspace B
unchanged) per role in tests/notifications/test_isolation.py, with a notification of the
requesting user's own.
"""

from __future__ import annotations

from typing import Any

from tests.matrix import Exempt, Route

PER_USER = (
    "per-user rows: every role gets its own notification in "
    "tests/notifications/test_isolation.py, which runs this matrix's checks (own, foreign, "
    "missing, B unchanged) and also another member's id → 404."
)

ROUTES: list[Any] = [
    Route("notifications:list", notes="The user's notifications in the workspace, paginated."),
    Route("notifications:menu", notes="The bell's dropdown (htmx); without htmx: the page."),
    Route("notifications:count", notes="The bell's unread count, polled every 30 s."),
    Route(
        "notifications:mark_all_read",
        methods=("post",),
        notes="POST only; marks the user's own notifications in this workspace.",
    ),
    Exempt("notifications:mark_read", PER_USER),
    Exempt("notifications:open", PER_USER),
]
