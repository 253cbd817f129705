"""Matrix entries for REST API v1 (config/api_urls.py, mounted at /api/v1/).

The API is addressed by a workspace token rather than a `/w/<slug>/` URL and a session, so the
session-based matrix does not apply. tests/api/test_tenant_isolation.py enumerates every pattern
of config/api_urls.py (and fails for one without a case): another workspace's ids answer 404
for every method, lists hold only the token's rows, and nothing of the other workspace changes.
"""

from __future__ import annotations

from tests.matrix import Exempt, Route

ROUTES: list[Route | Exempt] = [
    Exempt("api:*", "token-scoped API, covered by tests/api/test_tenant_isolation.py"),
]
