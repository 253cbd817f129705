"""Smoke: the app starts, its templates compile, the pages people open first answer, and the
real services (Redis + a Celery worker) do their job when they are configured."""

from __future__ import annotations

import re
import threading
import uuid
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from celery.result import EagerResult
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.template import engines
from django.test import Client
from django.urls import reverse

from config.celery import app as celery_app
from tests.conftest import CANARY, World

TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def links_in(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.hrefs


def test_the_system_checks_pass() -> None:
    call_command("check", fail_level="WARNING")


def test_every_project_template_compiles() -> None:
    engine = engines["django"]
    names = sorted(p.relative_to(TEMPLATES_DIR).as_posix() for p in TEMPLATES_DIR.rglob("*.html"))
    assert "base.html" in names
    broken = []
    for name in names:
        try:
            engine.get_template(name)
        except Exception as exc:  # report every broken template at once, not just the first
            broken.append(f"{name}: {exc}")
    assert not broken, "\n".join(broken)


def test_every_static_file_the_base_template_loads_is_shipped() -> None:
    text = (TEMPLATES_DIR / "base.html").read_text()
    referenced = re.findall(r"{%\s*static\s+'([^']+)'\s*%}", text)
    assert referenced, "base.html loads no static files?"
    missing = [name for name in referenced if finders.find(name) is None]
    assert not missing, f"base.html loads static files that do not exist: {missing}"


def test_plotly_is_served_locally_not_from_a_cdn() -> None:
    assert finders.find("vendor/plotly/plotly.min.js") is not None


def test_the_login_page_opens_for_an_anonymous_visitor(client: Client, db: None) -> None:
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    assert b'name="password"' in response.content


def test_an_anonymous_visitor_is_sent_to_the_login_page(client: Client, db: None) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_logging_in_lands_in_the_users_workspace(client: Client, world: World) -> None:
    response = client.post(
        reverse("account_login"),
        {"login": world.users["marketer"].email, "password": world.password},
        follow=True,
    )
    assert response.status_code == 200
    assert response.redirect_chain, "the login form did not redirect"
    assert response.request["PATH_INFO"].startswith(f"/w/{world.a.workspace.slug}/")


@pytest.mark.parametrize("role", ["admin", "marketer", "viewer"])
def test_every_page_the_navigation_links_opens_for_the_role(
    client: Client, world: World, role: str
) -> None:
    client.force_login(world.users[role])
    response = client.get("/", follow=True)
    assert response.status_code == 200
    own = f"/w/{world.a.workspace.slug}/"
    targets = sorted(
        {h.split("?")[0] for h in links_in(response.content.decode()) if h.startswith(own)}
    )
    assert targets, f"the workspace page links to no page of {own}"
    failures = []
    for target in targets:
        page = client.get(target, follow=True)
        if page.status_code != 200 or CANARY in page.content.decode():
            failures.append(f"{target}: {page.status_code}")
    assert not failures, f"links shown to the {role} role that do not open: {failures}"


def test_the_outsider_gets_404_for_the_other_workspace(client: Client, world: World) -> None:
    client.force_login(world.users["outsider"])
    response = client.get(reverse("workspace_home", kwargs={"workspace_slug": "acme"}))
    assert response.status_code == 404


# --- Real services -------------------------------------------------------------------------------

ROUND_TRIPS: dict[str, dict[str, Any]] = {}
ROUND_TRIP_DONE = threading.Event()


@celery_app.task(name="tests.smoke.round_trip", bind=True)
def round_trip(self: Any, token: str) -> None:
    """Report who ran it and what it saw of the database."""
    from workspaces.models import Workspace

    ROUND_TRIPS[token] = {
        "hostname": self.request.hostname,
        "eager": bool(self.request.is_eager),
        "workspaces": sorted(Workspace.objects.values_list("slug", flat=True)),
    }
    ROUND_TRIP_DONE.set()


def test_a_task_round_trips_through_redis_to_a_real_worker(celery_worker_live: Any) -> None:
    from workspaces.models import Workspace

    Workspace.objects.create(name="Round trip", slug="round-trip")
    with celery_worker_live.connection_for_write() as connection:
        assert connection.transport.driver_type == "redis"
    token = uuid.uuid4().hex
    ROUND_TRIP_DONE.clear()
    result = round_trip.delay(token)
    assert not isinstance(result, EagerResult), "the task ran in-process, not through Redis"
    assert ROUND_TRIP_DONE.wait(timeout=30), "the worker did not run the task within 30 s"
    seen = ROUND_TRIPS[token]
    assert seen["eager"] is False and seen["hostname"]
    assert seen["workspaces"] == ["round-trip"], "the worker is not on the test database"


# --- The bench runner ----------------------------------------------------------------------------


def test_the_bench_runner_runs_each_script_passes_small_and_reports_failures(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    from bench import run_all

    (tmp_path / "bench_fast.py").write_text("import sys\nprint('fast', sys.argv[1:])\n")
    (tmp_path / "bench_broken.py").write_text("raise SystemExit(3)\n")
    (tmp_path / "helper.py").write_text("raise SystemExit('not a benchmark')\n")
    available = run_all.discover(tmp_path)
    assert list(available) == ["broken", "fast"]

    outcomes = [run_all.run(n, p, small=True, extra=[]) for n, p in available.items()]
    assert [(o.name, o.returncode) for o in outcomes] == [("broken", 3), ("fast", 0)]
    assert "fast ['--small']" in capfd.readouterr().out
    assert "FAILED (exit 3)" in run_all.summary(outcomes)


def test_the_bench_runner_names_an_unknown_benchmark(tmp_path: Path) -> None:
    from bench import run_all

    (tmp_path / "bench_engine.py").write_text("")
    with pytest.raises(SystemExit, match=r"unknown benchmark\(s\): engin \(available: engine\)"):
        run_all.select(run_all.discover(tmp_path), ["engin"])
    assert run_all.select(run_all.discover(tmp_path), ["engine"])[0][0] == "engine"


# --- docker-compose.yml ------------------------------------------------------------------------


def test_the_compose_stack_wires_the_app_to_its_services_with_known_variables() -> None:
    import yaml

    root = Path(settings.BASE_DIR)
    compose = yaml.safe_load((root / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"web", "worker", "beat", "migrate", "postgres", "redis", "mailcatcher"} <= set(services)
    documented = set(re.findall(r"^#?\s*([A-Z0-9_]+)=", (root / ".env.example").read_text(), re.M))
    for name in ("web", "worker", "beat", "migrate"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].split("@")[1].startswith("postgres:5432/"), name
        assert env["REDIS_URL"].startswith("redis://redis:6379/"), name
        assert (env["EMAIL_HOST"], env["EMAIL_PORT"]) == ("mailcatcher", "1025"), name
        assert not set(env) - documented, f"{name}: undocumented {sorted(set(env) - documented)}"
    assert "gunicorn" in (root / "Dockerfile").read_text()
    assert "collectstatic" in (root / "Dockerfile").read_text()
