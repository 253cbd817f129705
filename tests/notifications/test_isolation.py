"""The cross-tenant matrix for the two URLs addressed by a notification id.

A notification belongs to one user, so the shared matrix (tests/test_cross_tenant.py) cannot
give every role one "own" id; here each role gets a notification of its own in workspace A
(and B's admin one in B), and the matrix's own checks run on them: own → the page, A's slug +
B's id and B's slug → 404 without B's canary, a missing id → 404, POSTs leave B unchanged,
anonymous → the login page.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from notifications.models import Notification
from tests.conftest import CANARY, World
from tests.matrix import Route
from tests.notifications.helpers import add_notification
from tests.test_cross_tenant import ANONYMOUS, ROLES, Probe, _pattern_for, run_gets, run_posts

METHODS = {"notifications:open": ("get",), "notifications:mark_read": ("get", "post")}


def _own_notification(world: World, role: str) -> Any:
    """kwargs(tenant): the requesting role's notification in A, the outsider's in B."""

    def kwargs(tenant: Any) -> dict[str, Any]:
        in_b = tenant.workspace.pk == world.b.workspace.pk
        user = world.users["outsider" if in_b else ("admin" if role == ANONYMOUS else role)]
        found = Notification.objects.filter(workspace=tenant.workspace, user=user).first()
        if found is None:
            label = CANARY if in_b else "A"
            found = add_notification(
                tenant.workspace, user, f"Export {label}", url=f"/w/{tenant.workspace.slug}/"
            )
        return {"notification_id": found.pk}

    return kwargs


@pytest.mark.parametrize("role", [*ROLES, ANONYMOUS])
@pytest.mark.parametrize("name", sorted(METHODS))
def test_a_notification_url_answers_only_its_owner_in_its_workspace(
    name: str, role: str, world: World
) -> None:
    route = Route(name, kwargs=_own_notification(world, role), methods=METHODS[name])
    pattern = _pattern_for(name)
    assert pattern is not None
    client = Client(raise_request_exception=False)
    if role != ANONYMOUS:
        client.force_login(world.users[role])
    probe = Probe(route, pattern, world, client, role)

    run_gets(probe)
    if "post" in route.methods:
        run_posts(probe)

    assert not probe.problems, "\n".join(probe.problems)
