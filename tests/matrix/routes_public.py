"""Matrix entries for project-level URLs that are public or not addressed by a workspace.

How entries match URL pattern names (see tests/test_cross_tenant.py `entry_matches`): a name is
matched exactly ("accept_invitation"), and a name ending in `*` matches every pattern whose full
name starts with what comes before it, namespaces included: Exempt("admin:*", ...) covers all of
Django admin, Exempt("account_*", ...) every allauth account URL.

The allauth (`account_*`, `mfa_*`), admin (`admin:*`), `set_language` and `home` entries live in
tests/matrix/routes_core.py, which was written first; repeating them here would register those
patterns twice (test_no_url_pattern_is_registered_twice). Their public reachability is tested in
tests/workspaces/test_auth_pages.py and the admin scoping in tests/workspaces/test_admin.py.
"""

from __future__ import annotations

from tests.matrix import Exempt, Route

ROUTES: list[Route | Exempt] = [
    Exempt(
        "accept_invitation",
        "The link in an invitation email, addressed by a secret token rather than a workspace: it "
        "must open for anonymous visitors (who are sent to log in or sign up) and for users who "
        "are not members yet. An unknown, revoked, used or expired token answers 404 without "
        "naming the workspace; tested in tests/workspaces/test_invitations.py.",
    ),
]
