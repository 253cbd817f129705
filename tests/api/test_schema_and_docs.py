"""The OpenAPI 3 schema at /api/v1/schema/ and the docs page at /api/v1/docs/: for token holders
and logged-in users, complete, valid, and served without any CDN."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from config import api_urls
from tests.api.conftest import token_client
from tests.conftest import World
from workspaces.models import ApiToken
from workspaces.services import revoke_api_token

SCHEMA = "/api/v1/schema/"
DOCS = "/api/v1/docs/"


def _openapi_path(route: str) -> str:
    """`^contacts/(?P<pk>[0-9]+)/end/$` → `/api/v1/contacts/{id}/end/`."""
    route = route.removeprefix("^").removesuffix("$")
    return "/api/v1/" + re.sub(r"\(\?P<pk>[^)]*\)", "{id}", route)


@pytest.fixture
def schema(api: APIClient) -> dict[str, Any]:
    response = api.get(SCHEMA, {"format": "json"})
    assert response.status_code == 200
    return dict(response.json())


def test_the_schema_is_valid_openapi_3(schema: dict[str, Any]) -> None:
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)


def test_the_schema_documents_every_api_endpoint(schema: dict[str, Any]) -> None:
    routes = [
        _openapi_path(str(p.pattern))
        for p in api_urls.urlpatterns
        if p.name not in ("schema", "docs")
    ]
    assert routes
    missing = [route for route in routes if route not in schema["paths"]]
    assert not missing


def test_the_schema_includes_the_collector_and_form_endpoints(schema: dict[str, Any]) -> None:
    assert any(path.startswith("/collect/") for path in schema["paths"])


def test_the_schema_declares_bearer_token_security(schema: dict[str, Any]) -> None:
    scheme = schema["components"]["securitySchemes"]["workspaceToken"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    operation = schema["paths"]["/api/v1/contacts/"]["get"]
    assert operation["security"] == [{"workspaceToken": []}]


def test_the_schema_documents_bulk_errors_idempotency_and_pagination(
    schema: dict[str, Any],
) -> None:
    bulk = schema["paths"]["/api/v1/contacts/bulk/"]["post"]
    assert bulk["requestBody"]["content"]["application/json"]["schema"]["type"] == "array"
    assert {"201", "400", "422"} <= set(bulk["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in bulk["parameters"])
    listing = schema["paths"]["/api/v1/contacts/"]["get"]
    names = {p["name"] for p in listing["parameters"]}
    assert {"limit", "offset", "email", "updated_after"} <= names


def test_a_logged_in_user_reads_the_schema(world: World) -> None:
    client = Client()
    client.force_login(world.users["viewer"])
    assert client.get(SCHEMA).status_code == 200


def test_the_schema_needs_a_token_or_a_login(world: World, token_a: str) -> None:
    assert APIClient().get(SCHEMA).status_code == 401
    revoke_api_token(
        token=ApiToken.objects.for_workspace(world.a.workspace).get(name="API tests A")
    )
    assert token_client(token_a).get(SCHEMA).status_code == 401


def _assert_served_locally(html: str) -> None:
    assert "swagger-ui" in html
    assert not re.search(r"https?://|cdn|unpkg|jsdelivr", html, re.IGNORECASE)
    for url in re.findall(r'(?:src|href)="([^"]*)"', html):
        assert url.startswith("/") and not url.startswith("//"), url
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html


def test_the_docs_page_renders_for_a_logged_in_user_without_external_urls(world: World) -> None:
    client = Client()
    client.force_login(world.users["viewer"])
    response = client.get(DOCS)
    assert response.status_code == 200
    html = response.content.decode()
    _assert_served_locally(html)
    assert '<html lang="en">' in html
    assert "<h1>Touchpoint API v1</h1>" in html


def test_the_docs_page_renders_for_a_token_holder(api: APIClient) -> None:
    response = api.get(DOCS)
    assert response.status_code == 200
    _assert_served_locally(response.content.decode())


def test_the_docs_page_sends_an_anonymous_browser_to_log_in(world: World) -> None:
    response = Client().get(DOCS)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/api/v1/docs/")


def test_the_swagger_assets_are_served_from_static_files(world: World) -> None:
    from django.contrib.staticfiles import finders

    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-standalone-preset.js"):
        assert finders.find(f"drf_spectacular_sidecar/swagger-ui-dist/{name}"), name
