"""The cross-tenant matrix: every URL is registered, and no workspace can reach another's data.

The registry lives in `tests/matrix/routes_*.py` (format: `tests/matrix/__init__.py`). This
module walks the project's URLconf, fails for any pattern without a `Route` or `Exempt` entry,
and then requests every `Route` as each role of workspace A and anonymously:

- own (A's slug + A's objects): not 404 and no canary; exactly 403 below `min_role`;
- foreign (A's slug + B's objects, B's slug + B's objects): 404 and no canary;
- missing (A's slug + ids that do not exist): 404;
- POST routes: posting B's data to A's slug + B's objects, to B's slug and to missing ids
  answers 404 and leaves every row of workspace B unchanged (row counts + a hash of the rows);
- anonymous: a redirect to the login page, whatever the URL.

The two workspaces are built once for the module; each test runs inside a savepoint that is
rolled back, so a view that wrongly writes cannot leak into the next test.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, include, path, reverse
from django.urls.exceptions import NoReverseMatch

from tests.conftest import CANARY, World, build_tenant, make_user
from tests.matrix import Exempt, Route

ROLES = ("admin", "marketer", "viewer")
ROLE_RANK = {"viewer": 0, "marketer": 1, "admin": 2}
ANONYMOUS = "anonymous"
MATRIX_DIR = Path(__file__).parent / "matrix"


# --- The URLconf and the registry ------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    """One URL pattern of the project: its full name (namespaces joined by `:`) and route."""

    name: str
    route: str
    params: frozenset[str] = frozenset()

    @property
    def takes_workspace(self) -> bool:
        return "workspace_slug" in self.params


def _route_text(pattern: Any) -> str:
    text = str(pattern)
    # Regex patterns (re_path, allauth, admin) read better without their anchors.
    return text.removeprefix("^").removesuffix("$")


def _param_names(pattern: Any) -> set[str]:
    converters = getattr(pattern, "converters", None)
    if converters is not None:
        return set(converters)
    regex = getattr(pattern, "regex", None)
    return set(regex.groupindex) if regex is not None else set()


def iter_patterns(
    url_patterns: Iterable[URLPattern | URLResolver],
    namespaces: tuple[str, ...] = (),
    prefix: str = "",
    params: frozenset[str] = frozenset(),
) -> Iterator[Pattern]:
    """Every pattern, depth first. An unnamed pattern is identified by its full route."""
    for entry in url_patterns:
        route = prefix + _route_text(entry.pattern)
        found = params | _param_names(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from iter_patterns(entry.url_patterns, inner, route, found)
        else:
            local = entry.name if entry.name else route
            yield Pattern(":".join((*namespaces, local)), route, found)


def project_patterns() -> list[Pattern]:
    return list(iter_patterns(get_resolver().url_patterns))


@dataclass(frozen=True)
class Entry:
    module: str
    item: Route | Exempt


def load_entries(directory: Path = MATRIX_DIR) -> list[Entry]:
    """Every entry of every `tests/matrix/routes_*.py` module, in file order."""
    entries: list[Entry] = []
    for file in sorted(directory.glob("routes_*.py")):
        module = importlib.import_module(f"tests.matrix.{file.stem}")
        items = getattr(module, "ROUTES", None)
        if not isinstance(items, list):
            raise AssertionError(f"{file.name} must define a list named ROUTES")
        for item in items:
            if not isinstance(item, Route | Exempt):
                raise AssertionError(f"{file.name}: {item!r} is neither a Route nor an Exempt")
            entries.append(Entry(file.stem, item))
    return entries


def entry_matches(entry_name: str, pattern_name: str) -> bool:
    if entry_name.endswith("*"):
        return pattern_name.startswith(entry_name[:-1])
    return entry_name == pattern_name


def uncovered_patterns(patterns: Iterable[Pattern], entries: Sequence[Entry]) -> list[Pattern]:
    """Patterns that neither a Route nor an Exempt names."""
    names = [e.item.name for e in entries]
    return [p for p in patterns if not any(entry_matches(n, p.name) for n in names)]


def stale_entries(patterns: Sequence[Pattern], entries: Sequence[Entry]) -> list[Entry]:
    """Exact entries naming a pattern that does not exist (a renamed or removed URL).

    Prefix entries (`admin:*`) may match nothing, e.g. `media/*` exists only when DEBUG is on.
    """
    names = {p.name for p in patterns}
    return [e for e in entries if not e.item.name.endswith("*") and e.item.name not in names]


def duplicate_entries(entries: Sequence[Entry]) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {}
    for entry in entries:
        seen.setdefault(entry.item.name, []).append(entry.module)
    return {name: modules for name, modules in seen.items() if len(modules) > 1}


ENTRIES = load_entries()
ROUTE_ENTRIES = [e.item for e in ENTRIES if isinstance(e.item, Route)]


# --- The two workspaces, built once for the module ---------------------------------------------


def build_world() -> World:
    from workspaces.models import Membership

    a = build_tenant("Acme", "acme", "A")
    b = build_tenant(f"Other {CANARY}", "other", CANARY)
    users = {
        "admin": make_user("admin@acme.test", World.password),
        "marketer": make_user("marketer@acme.test", World.password),
        "viewer": make_user("viewer@acme.test", World.password),
        "outsider": make_user("outsider@other.test", World.password),
    }
    for role in ROLES:
        Membership.objects.create(workspace=a.workspace, user=users[role], role=role)
    Membership.objects.create(workspace=b.workspace, user=users["outsider"], role="admin")
    return World(a=a, b=b, users=users)


@pytest.fixture(scope="module")
def matrix_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """`world`, built once: an outer transaction that each test's savepoint nests in."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def mworld(matrix_world: World, db: None) -> World:
    return matrix_world


# --- Fingerprints: did anything of a workspace change? -----------------------------------------


def _tenant_models() -> list[type[models.Model]]:
    from workspaces.models import Workspace

    found = []
    for model in apps.get_models():
        field_ = next((f for f in model._meta.concrete_fields if f.name == "workspace"), None)
        if field_ is not None and field_.related_model is Workspace:
            found.append(model)
    return sorted(found, key=lambda m: m._meta.label)


def fingerprint(workspace_id: int) -> dict[str, tuple[int, str]]:
    """Row count and a hash of every row (and its many-to-many links) the workspace owns."""
    from workspaces.models import Workspace

    result: dict[str, tuple[int, str]] = {}
    workspace_row = list(Workspace._base_manager.filter(pk=workspace_id).values())
    result["workspaces.Workspace"] = (len(workspace_row), _digest(workspace_row))
    for model in _tenant_models():
        rows: list[Any] = list(
            model._base_manager.filter(workspace_id=workspace_id).order_by("pk").values()
        )
        for m2m in model._meta.many_to_many:
            rows.append(
                sorted(
                    model._base_manager.filter(workspace_id=workspace_id)
                    .exclude(**{f"{m2m.name}__isnull": True})
                    .values_list("pk", f"{m2m.name}__pk")
                )
            )
        result[model._meta.label] = (
            model._base_manager.filter(workspace_id=workspace_id).count(),
            _digest(rows),
        )
    return result


def _digest(rows: Any) -> str:
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def fingerprint_changes(
    before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]
) -> list[str]:
    changes = []
    for label in sorted(set(before) | set(after)):
        old, new = before.get(label, (0, "")), after.get(label, (0, ""))
        if old != new:
            changes.append(f"{label}: {old[0]} → {new[0]} rows, content changed={old[1] != new[1]}")
    return changes


# --- Checks on one response --------------------------------------------------------------------


def _body(response: HttpResponseBase) -> str:
    # HttpResponse and StreamingHttpResponse (file downloads) both offer getvalue().
    getvalue = getattr(response, "getvalue", None)
    return bytes(getvalue()).decode(errors="replace") if getvalue is not None else ""


def problems_not_found(label: str, response: HttpResponseBase) -> list[str]:
    problems = []
    if response.status_code != 404:
        problems.append(f"{label}: expected 404, got {response.status_code}")
    if CANARY in _body(response):
        problems.append(f"{label}: workspace B's canary {CANARY!r} is in the response")
    return problems


def problems_allowed(label: str, response: HttpResponseBase) -> list[str]:
    problems = []
    if response.status_code in (403, 404) or response.status_code >= 500:
        problems.append(f"{label}: expected the page, got {response.status_code}")
    if CANARY in _body(response):
        problems.append(f"{label}: workspace B's canary {CANARY!r} is in the response")
    return problems


def problems_forbidden(label: str, response: HttpResponseBase) -> list[str]:
    if response.status_code != 403:
        return [f"{label}: expected 403 for a role below min_role, got {response.status_code}"]
    return []


def problems_login_redirect(label: str, response: HttpResponseBase) -> list[str]:
    login = resolve_url(settings.LOGIN_URL)
    location = response.get("Location", "")
    if response.status_code != 302 or not location.startswith(login):
        got = f"{response.status_code} {location}".strip()
        return [f"{label}: expected a redirect to {login} for an anonymous user, got {got}"]
    return []


# --- One route, one role -----------------------------------------------------------------------


@dataclass
class Probe:
    route: Route
    pattern: Pattern
    world: World
    client: Client
    role: str
    problems: list[str] = field(default_factory=list)

    def url(self, tenant: Any, kwargs: dict[str, Any]) -> str:
        full = dict(kwargs)
        if self.pattern.takes_workspace:
            full["workspace_slug"] = tenant.workspace.slug
        return reverse(self.route.name, kwargs=full)

    def get(self, url: str) -> HttpResponseBase:
        query = self.route.query.lstrip("?")
        return self.client.get(f"{url}?{query}" if query else url)

    def post(self, url: str, data: dict[str, Any]) -> HttpResponseBase:
        return self.client.post(url, data)

    def check(
        self, label: str, response: HttpResponseBase, expect: Callable[..., list[str]]
    ) -> None:
        if self.role == ANONYMOUS:
            self.problems += problems_login_redirect(label, response)
        else:
            self.problems += expect(label, response)


def _below_min_role(role: str, route: Route) -> bool:
    return role != ANONYMOUS and ROLE_RANK[role] < ROLE_RANK[route.min_role]


def foreign_urls(probe: Probe) -> list[tuple[str, str]]:
    """(label, url) of every way to point at workspace B's objects from A's session."""
    a, b = probe.world.a, probe.world.b
    urls = []
    if probe.route.kwargs(a):
        urls.append(("A's slug + B's objects", probe.url(a, probe.route.kwargs(b))))
    if probe.pattern.takes_workspace:
        urls.append(("B's slug + B's objects", probe.url(b, probe.route.kwargs(b))))
    return urls


def run_gets(probe: Probe) -> None:
    a, route = probe.world.a, probe.route
    own = probe.url(a, route.kwargs(a))
    expect_own = problems_forbidden if _below_min_role(probe.role, route) else problems_allowed
    probe.check(f"GET own {own}", probe.get(own), expect_own)
    for label, url in foreign_urls(probe):
        probe.check(f"GET {label} {url}", probe.get(url), problems_not_found)
    if route.kwargs(a):
        missing = probe.url(a, route.missing(a))
        probe.check(f"GET missing {missing}", probe.get(missing), problems_not_found)


def run_posts(probe: Probe) -> None:
    a, b, route = probe.world.a, probe.world.b, probe.route
    before_b = fingerprint(b.workspace.pk)
    for label, url in foreign_urls(probe):
        probe.check(f"POST {label} {url}", probe.post(url, route.post_data(b)), problems_not_found)
    if route.kwargs(a):
        missing = probe.url(a, route.missing(a))
        response = probe.post(missing, route.post_data(b))
        probe.check(f"POST missing {missing}", response, problems_not_found)
    own = probe.url(a, route.kwargs(a))
    if not route.kwargs(a) and not _below_min_role(probe.role, route):
        # B's data posted to A's own form: may be refused or stored in A, never touches B.
        response = probe.post(own, route.post_data(b))
        if response.status_code >= 500:
            probe.problems.append(f"POST own {own} with B's data: {response.status_code}")
    if _below_min_role(probe.role, route):
        before_a = fingerprint(a.workspace.pk)
        probe.check(f"POST own {own}", probe.post(own, route.post_data(a)), problems_forbidden)
        changed_a = fingerprint_changes(before_a, fingerprint(a.workspace.pk))
        probe.problems += [f"POST own {own} as {probe.role} changed A: {c}" for c in changed_a]
    changed_b = fingerprint_changes(before_b, fingerprint(b.workspace.pk))
    probe.problems += [f"POSTs as {probe.role} changed workspace B: {c}" for c in changed_b]


# --- The tests ---------------------------------------------------------------------------------


def test_every_url_pattern_has_a_matrix_entry() -> None:
    missing = uncovered_patterns(project_patterns(), ENTRIES)
    listing = "\n".join(f"  {p.name:<50} {p.route}" for p in missing)
    if missing:
        pytest.fail(
            f"{len(missing)} URL pattern(s) have no Route or Exempt in tests/matrix/routes_*.py:\n"
            f"{listing}",
            pytrace=False,
        )


def test_every_matrix_entry_names_an_existing_url_pattern() -> None:
    stale = stale_entries(project_patterns(), ENTRIES)
    listing = "\n".join(f"  {e.item.name} ({e.module})" for e in stale)
    assert not stale, f"matrix entries for URL patterns that do not exist:\n{listing}"


def test_no_url_pattern_is_registered_twice() -> None:
    duplicates = duplicate_entries(ENTRIES)
    assert not duplicates, f"registered more than once: {duplicates}"


def test_every_route_uses_a_known_role_and_method() -> None:
    bad = [
        f"{r.name}: min_role={r.min_role!r} methods={r.methods!r}"
        for r in ROUTE_ENTRIES
        if r.min_role not in ROLE_RANK or not set(r.methods) <= {"get", "post"}
    ]
    assert not bad, "\n".join(bad)


def test_the_coverage_check_reports_a_pattern_without_an_entry() -> None:
    def view(request: Any) -> HttpResponse:
        return HttpResponse()

    urlconf: list[URLPattern | URLResolver] = [
        path("w/<slug:workspace_slug>/", include(([path("x/<int:pk>/", view, name="x")], "fake"))),
        path("plain/", view, name="plain"),
        path("unnamed/", view),
    ]
    patterns = list(iter_patterns(urlconf))
    assert [p.name for p in patterns] == ["fake:x", "plain", "unnamed/"]
    assert patterns[0].route == "w/<slug:workspace_slug>/x/<int:pk>/"
    assert patterns[0].takes_workspace and patterns[0].params == {"workspace_slug", "pk"}

    entries = [Entry("routes_fake", Route("plain")), Entry("routes_fake", Exempt("unn*", "test"))]
    assert [p.name for p in uncovered_patterns(patterns, entries)] == ["fake:x"]
    assert uncovered_patterns(patterns, [*entries, Entry("m", Exempt("fake:*", "t"))]) == []
    assert [e.item.name for e in stale_entries(patterns, [Entry("m", Route("gone"))])] == ["gone"]


def test_the_response_checks_catch_a_leak_a_wrong_status_and_a_missing_redirect() -> None:
    leak = HttpResponse(f"Campaign {CANARY}", status=200)
    assert len(problems_not_found("x", leak)) == 2
    assert problems_not_found("x", HttpResponse(status=404)) == []
    assert problems_allowed("x", HttpResponse(status=404)) != []
    assert problems_allowed("x", HttpResponse(status=200)) == []
    assert problems_forbidden("x", HttpResponse(status=200)) != []
    assert problems_login_redirect("x", HttpResponse(status=200)) != []


def test_the_fingerprint_notices_any_change_to_a_workspace(mworld: World) -> None:
    b = mworld.b
    before = fingerprint(b.workspace.pk)
    assert before == fingerprint(b.workspace.pk)
    campaign = b["campaign"]
    campaign.name = "Renamed"
    campaign.save(update_fields=["name"])
    changes = fingerprint_changes(before, fingerprint(b.workspace.pk))
    assert any(c.startswith("campaigns.Campaign:") for c in changes)
    from workspaces.models import Membership

    membership = Membership.objects.get(workspace=b.workspace, user=mworld.users["outsider"])
    middle = fingerprint(b.workspace.pk)
    membership.teams.add(b["team"])
    assert fingerprint_changes(middle, fingerprint(b.workspace.pk)) != []


def _scoped_campaign(request: Any, pk: int) -> HttpResponse:
    from campaigns.models import Campaign

    campaign = get_object_or_404(Campaign.objects.for_workspace(request.workspace), pk=pk)
    if request.method == "POST":
        campaign.name = request.POST["name"]
        campaign.save(update_fields=["name"])
    return HttpResponse(campaign.name)


def _leaky_campaign(request: Any, pk: int) -> HttpResponse:
    from campaigns.models import Campaign

    campaign = Campaign.objects.unscoped().get(pk=pk)  # the bug the matrix exists to catch
    if request.method == "POST":
        campaign.name = request.POST["name"]
        campaign.save(update_fields=["name"])
    return HttpResponse(campaign.name)


def _fake_urlconf() -> ModuleType:
    fake = [
        path("scoped/<int:pk>/", _scoped_campaign, name="scoped"),
        path("leaky/<int:pk>/", _leaky_campaign, name="leaky"),
    ]
    module = ModuleType("fake_urls")
    module.urlpatterns = [path("w/<slug:workspace_slug>/", include((fake, "fake")))]  # type: ignore[attr-defined]
    return module


@pytest.mark.parametrize(
    ("name", "expect_problems"), [("fake:scoped", False), ("fake:leaky", True)]
)
def test_the_matrix_fails_a_view_that_reads_or_writes_another_workspace(
    name: str, expect_problems: bool, mworld: World, settings: Any
) -> None:
    urlconf = _fake_urlconf()
    settings.ROOT_URLCONF = urlconf
    route = Route(
        name,
        kwargs=lambda t: {"pk": t["campaign"].pk},
        methods=("get", "post"),
        post_data=lambda t: {"name": "Overwritten"},
    )
    pattern = next(p for p in iter_patterns(urlconf.urlpatterns) if p.name == name)
    client = Client(raise_request_exception=False)
    client.force_login(mworld.users["admin"])
    probe = Probe(route, pattern, mworld, client, "admin")
    run_gets(probe)
    run_posts(probe)
    assert bool(probe.problems) is expect_problems, probe.problems
    if expect_problems:
        text = "\n".join(probe.problems)
        assert "canary" in text and "changed workspace B: campaigns.Campaign" in text


def _pattern_for(name: str) -> Pattern | None:
    return next((p for p in project_patterns() if p.name == name), None)


@pytest.mark.parametrize("role", [*ROLES, ANONYMOUS])
@pytest.mark.parametrize("route", [pytest.param(r, id=r.name) for r in ROUTE_ENTRIES])
def test_route_answers_only_its_own_workspace(route: Route, role: str, mworld: World) -> None:
    pattern = _pattern_for(route.name)
    assert pattern is not None, f"{route.name} is not a URL pattern of the project"
    # A view that crashes is reported as its status (the traceback is in the captured log).
    client = Client(raise_request_exception=False)
    if role != ANONYMOUS:
        client.force_login(mworld.users[role])
    probe = Probe(route, pattern, mworld, client, role)
    try:
        for tenant in (mworld.a, mworld.b):
            probe.url(tenant, route.kwargs(tenant))
        probe.url(mworld.a, route.missing(mworld.a))
    except NoReverseMatch as exc:
        pytest.fail(f"{route.name}: the entry's kwargs do not build a URL: {exc}")
    run_gets(probe)
    if "post" in route.methods:
        run_posts(probe)
    if probe.problems:
        pytest.fail(f"{route.name} as {role}:\n  " + "\n  ".join(probe.problems), pytrace=False)
