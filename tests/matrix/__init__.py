"""The cross-tenant matrix registry.

Every URL pattern of the project must have an entry: a `Route` in one of the
`tests/matrix/routes_<app>.py` modules (list `ROUTES`), or an `Exempt` naming why the matrix
does not apply (e.g. a public endpoint tested elsewhere). `tests/test_cross_tenant.py` fails for
a pattern with no entry.

For a `/w/<workspace_slug>/...` route, `kwargs(tenant)` returns the URL kwargs (without
`workspace_slug`) pointing at that tenant's objects (see tests/conftest.py `build_tenant` for the
keys). The matrix requests, for each role (admin, marketer, viewer, anonymous):
- own: workspace A's slug + A's objects → not 404 (roles below `min_role` get 403);
- foreign: A's slug + B's objects, and B's slug + B's objects → 404, and no canary in the body;
- missing: A's slug + ids that do not exist (`missing_kwargs`) → 404.
POST routes are also posted to with `post_data(tenant)` in the foreign/missing cases, and the
test asserts nothing of workspace B changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

MISSING_ID = 987654321


@dataclass(frozen=True)
class Route:
    name: str
    kwargs: Callable[[Any], dict[str, Any]] = lambda tenant: {}
    missing_kwargs: dict[str, Any] | None = None
    min_role: str = "viewer"
    methods: tuple[str, ...] = ("get",)
    post_data: Callable[[Any], dict[str, Any]] = lambda tenant: {}
    # Extra query string for GET (e.g. a required filter).
    query: str = ""
    notes: str = ""

    def missing(self, tenant: Any) -> dict[str, Any]:
        if self.missing_kwargs is not None:
            return self.missing_kwargs
        return dict.fromkeys(self.kwargs(tenant), MISSING_ID)


@dataclass(frozen=True)
class Exempt:
    name: str
    reason: str
    extra: dict[str, Any] = field(default_factory=dict)
