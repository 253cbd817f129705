"""Matrix entries for the project-level URLs of config/urls.py (not owned by one app)."""

from __future__ import annotations

from tests.matrix import Exempt, Route

ROUTES: list[Route | Exempt] = [
    Route("home", notes="Redirects to the user's last or first workspace."),
    Route("workspace_home", notes="Redirects to the workspace's campaign list."),
    Exempt(
        "set_language",
        "Stores the chosen UI language in a cookie; reads and writes no workspace data.",
    ),
    Exempt(
        "admin:*",
        "Django admin: staff-only operator tool outside the workspaces (is_staff required).",
    ),
    Exempt(
        "account_*",
        "allauth sign-in, sign-out, password and e-mail flows: per user, not per workspace.",
    ),
    Exempt("mfa_*", "allauth two-factor authentication: per user, not per workspace."),
    Exempt(
        "media/*",
        "Uploaded files served by runserver in development only (static() when DEBUG).",
    ),
]
