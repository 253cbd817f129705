"""Every API v1 endpoint answers only for the token's workspace.

The cross-tenant matrix (tests/test_cross_tenant.py) exempts the token-scoped API and points
here. This module walks every URL pattern of config/api_urls.py and fails for one without a
case below, so a new endpoint cannot ship without its tenant test. For each pattern and each
HTTP method it serves, workspace A's token:

- on workspace B's object (detail URLs) gets a 404 identical to a missing id's, never B's data;
- on a collection gets only A's rows; posting references to B's objects is refused (400) the
  same way as references to ids that do not exist;
- changes nothing of workspace B (row counts and a hash of every row B owns);
- and a request without a token is a 401 (the docs page sends a browser to log in).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import URLPattern, reverse
from rest_framework.test import APIClient

from assets.models import Asset
from campaigns.models import Campaign
from config import api_urls
from crm.models import Contact, Deal, DealContact
from tests.conftest import CANARY, Tenant, World
from tests.matrix import MISSING_ID
from tests.test_cross_tenant import fingerprint, fingerprint_changes
from tracking.models import Interaction
from workspaces.api_common import WorkspaceRelatedField, WorkspaceViewSet

Target = Callable[[Tenant], Any]
Body = Callable[[Tenant], Any]


def _deal_contact(t: Tenant) -> DealContact:
    return DealContact.objects.for_workspace(t.workspace).get(deal=t["deal"])


def _when(t: Tenant) -> str:
    return str(t["contact"].created_at.isoformat())


@dataclass(frozen=True)
class Case:
    """target: the object a detail URL points at (None for a collection); body: what to send
    with PUT/PATCH/POST, built from a tenant (B's, in the foreign requests)."""

    target: Target | None = None
    body: Body = lambda t: {}
    # A POST of `body(B)` to a collection must be refused: it references B's objects.
    refers_to_other_tenant: bool = False


CASES: dict[str, Case] = {
    "schema": Case(),
    "docs": Case(),
    "contact-list": Case(body=lambda t: {"email": "from-a@example.com"}),
    "contact-bulk": Case(body=lambda t: [{"email": "bulk-from-a@example.com"}]),
    "contact-detail": Case(target=lambda t: t["contact"], body=lambda t: {"email": "x@a.test"}),
    "deal-list": Case(
        body=lambda t: {
            "name": "D",
            "amount": "1",
            "currency": "EUR",
            "contacts": [t["contact"].pk],
        },
        refers_to_other_tenant=True,
    ),
    "deal-bulk": Case(
        body=lambda t: [
            {"name": "D", "amount": "1", "currency": "EUR", "contacts": [t["contact"].pk]}
        ],
        refers_to_other_tenant=True,
    ),
    "deal-detail": Case(
        target=lambda t: t["deal"], body=lambda t: {"name": "D", "amount": "1", "currency": "EUR"}
    ),
    "deal-contact-list": Case(
        body=lambda t: {"deal": t["deal"].pk, "contact": t["contact"].pk},
        refers_to_other_tenant=True,
    ),
    "deal-contact-bulk": Case(
        body=lambda t: [{"deal": t["deal"].pk, "contact": t["contact"].pk}],
        refers_to_other_tenant=True,
    ),
    "deal-contact-detail": Case(target=_deal_contact),
    "interaction-list": Case(
        body=lambda t: {
            "type": "cta_click",
            "occurred_at": _when(t),
            "contact": t["contact"].pk,
            "asset": t["asset"].pk,
        },
        refers_to_other_tenant=True,
    ),
    "interaction-bulk": Case(
        body=lambda t: [{"type": "cta_click", "occurred_at": _when(t), "contact": t["contact"].pk}],
        refers_to_other_tenant=True,
    ),
    "interaction-detail": Case(target=lambda t: t["interaction"]),
    "asset-list": Case(body=lambda t: {"type": "form", "name": "From A"}),
    "asset-bulk": Case(body=lambda t: [{"type": "form", "name": "From A"}]),
    "asset-detail": Case(target=lambda t: t["asset"], body=lambda t: {"name": "Hijacked"}),
    "association-list": Case(
        body=lambda t: {"asset": t["free_asset"].pk, "campaign": t["campaign"].pk},
        refers_to_other_tenant=True,
    ),
    "association-bulk": Case(
        body=lambda t: [{"asset": t["free_asset"].pk, "campaign": t["campaign"].pk}],
        refers_to_other_tenant=True,
    ),
    "association-detail": Case(target=lambda t: t["association"]),
    "association-end": Case(target=lambda t: t["association"]),
    "campaign-list": Case(body=lambda t: {"name": "From A", "utm_values": ["from-a"]}),
    "campaign-bulk": Case(body=lambda t: [{"name": "Bulk from A"}]),
    "campaign-detail": Case(
        target=lambda t: t["campaign"], body=lambda t: {"name": "Hijacked", "utm_values": []}
    ),
    "campaign-report-detail": Case(target=lambda t: t["campaign"]),
}


@dataclass(frozen=True)
class ApiRoute:
    name: str
    pattern: URLPattern

    @property
    def methods(self) -> list[str]:
        actions = getattr(self.pattern.callback, "actions", None)
        return sorted(actions) if actions else ["get"]

    @property
    def view_class(self) -> Any:
        return getattr(self.pattern.callback, "cls", None)


def api_patterns() -> list[ApiRoute]:
    found: list[ApiRoute] = []
    for entry in api_urls.urlpatterns:
        assert isinstance(entry, URLPattern), "config/api_urls.py: keep the patterns flat"
        assert entry.name, f"config/api_urls.py: name the pattern {entry.pattern}"
        found.append(ApiRoute(entry.name, entry))
    return found


PATTERNS = api_patterns()


def test_every_api_url_pattern_has_a_tenant_isolation_case() -> None:
    names = [p.name for p in PATTERNS]
    missing = [name for name in names if name not in CASES]
    assert not missing, f"add a Case to tests/api/test_tenant_isolation.py for: {missing}"
    stale = sorted(set(CASES) - set(names))
    assert not stale, f"cases for API URL patterns that no longer exist: {stale}"


def _url(pattern: ApiRoute, obj: Any) -> str:
    kwargs = {"pk": obj if isinstance(obj, int) else obj.pk} if obj is not None else {}
    return reverse(f"api:{pattern.name}", kwargs=kwargs)


def _send(client: APIClient, method: str, url: str, payload: Any) -> Any:
    if method in ("get", "delete"):
        return getattr(client, method)(url)
    return getattr(client, method)(url, payload, format="json")


def _text(response: Any) -> str:
    return bytes(response.content).decode(errors="replace")


def _own_ids(tenant: Tenant, rows: list[dict[str, Any]], model: type[Any]) -> bool:
    ids = [row["id"] for row in rows]
    return model.objects.for_workspace(tenant.workspace).filter(pk__in=ids).count() == len(ids)


@pytest.mark.parametrize("pattern", [pytest.param(p, id=p.name) for p in PATTERNS])
def test_a_token_reaches_only_its_own_workspace(
    pattern: ApiRoute, world: World, api: APIClient
) -> None:
    case = CASES[pattern.name]
    a, b = world.a, world.b
    before_b = fingerprint(b.workspace.pk)
    problems: list[str] = []
    for method in pattern.methods:
        if case.target is not None:
            foreign = _send(api, method, _url(pattern, case.target(b)), case.body(a))
            missing = _send(api, method, _url(pattern, MISSING_ID), case.body(a))
            if foreign.status_code != 404 or CANARY in _text(foreign):
                problems.append(f"{method.upper()} B's object: {foreign.status_code}")
            if (missing.status_code, _text(missing)) != (foreign.status_code, _text(foreign)):
                problems.append(f"{method.upper()}: B's object and a missing id answer differently")
            continue
        response = _send(api, method, _url(pattern, None), case.body(b))
        if CANARY in _text(response) or response.status_code >= 500:
            problems.append(f"{method.upper()} collection: {response.status_code} or canary")
        refused = response.status_code == 400 and "There is no" in _text(response)
        if method == "post" and case.refers_to_other_tenant and not refused:
            problems.append(f"POST with B's ids: {response.status_code} {_text(response)}")
    changed = fingerprint_changes(before_b, fingerprint(b.workspace.pk))
    problems += [f"workspace B changed: {c}" for c in changed]
    assert not problems, f"{pattern.name}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize(
    "pattern", [pytest.param(p, id=p.name) for p in PATTERNS if CASES[p.name].target]
)
def test_the_same_url_with_the_token_s_own_object_answers(
    pattern: ApiRoute, world: World, api: APIClient
) -> None:
    """The control for the 404s above: they are about the workspace, not a broken route."""
    own = CASES[pattern.name].target(world.a)  # type: ignore[misc]
    method = "get" if "get" in pattern.methods else "post"
    response = _send(api, method, _url(pattern, own), {})
    assert response.status_code == 200, response.content


MODEL_OBJECTS: dict[type[Any], Target] = {
    Contact: lambda t: t["contact"],
    Deal: lambda t: t["deal"],
    Asset: lambda t: t["asset"],
    Campaign: lambda t: t["campaign"],
}


def _list_filters() -> list[tuple[str, str, type[Any]]]:
    found = []
    for pattern in PATTERNS:
        view_class = pattern.view_class
        if not (view_class and issubclass(view_class, WorkspaceViewSet)):
            continue
        filters = view_class.filter_serializer_class
        if not pattern.name.endswith("-list") or filters is None:
            continue
        for name, field in filters().fields.items():
            if isinstance(field, WorkspaceRelatedField):
                found.append((pattern.name, name, field.model))
    return found


@pytest.mark.parametrize(("route", "param", "model"), _list_filters())
def test_a_list_filtered_by_another_workspace_s_id_is_refused_like_a_missing_id(
    route: str, param: str, model: type[Any], world: World, api: APIClient
) -> None:
    url = reverse(f"api:{route}")
    foreign = api.get(url, {param: MODEL_OBJECTS[model](world.b).pk})
    missing = api.get(url, {param: MISSING_ID})
    assert foreign.status_code == missing.status_code == 400
    assert list(foreign.json()) == [param]
    assert CANARY not in _text(foreign)
    own = api.get(url, {param: MODEL_OBJECTS[model](world.a).pk})
    assert own.status_code == 200


def test_lists_hold_only_the_token_s_workspace_rows(world: World, api: APIClient) -> None:
    for resource, model in {
        "contacts": Contact,
        "deals": Deal,
        "deal-contacts": DealContact,
        "interactions": Interaction,
        "assets": Asset,
        "campaigns": Campaign,
    }.items():
        rows = api.get(f"/api/v1/{resource}/").json()["results"]
        assert rows, resource
        assert _own_ids(world.a, rows, model), resource
        assert CANARY not in json.dumps(rows)


def test_workspace_b_s_token_sees_b_and_not_a(world: World, api_b: APIClient) -> None:
    rows = api_b.get("/api/v1/campaigns/").json()["results"]
    assert [row["id"] for row in rows] == [world.b["campaign"].pk]
    assert api_b.get(f"/api/v1/campaigns/{world.a['campaign'].pk}/").status_code == 404


@pytest.mark.parametrize("pattern", [pytest.param(p, id=p.name) for p in PATTERNS])
def test_without_a_token_every_api_url_is_refused(pattern: ApiRoute, world: World) -> None:
    case = CASES[pattern.name]
    target = case.target(world.a) if case.target else None
    for method in pattern.methods:
        response = _send(APIClient(), method, _url(pattern, target), case.body(world.a))
        if pattern.name == "docs":
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        else:
            assert response.status_code == 401, (method, response.status_code)


def test_options_describes_nothing_whatever_the_id(world: World, api: APIClient) -> None:
    foreign = api.options(f"/api/v1/contacts/{world.b['contact'].pk}/")
    missing = api.options(f"/api/v1/contacts/{MISSING_ID}/")
    assert foreign.status_code == missing.status_code == 405
    assert foreign.content == missing.content
