"""Django admin: every model registered; staff who are not superusers see their workspaces only."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from tests.conftest import CANARY, World, make_user
from workspaces.models import Membership

APPS = ["workspaces", "campaigns", "assets", "crm", "tracking", "ads"]
MODELS = [m for app in APPS for m in apps.get_app_config(app).get_models()]


def _changelist(model: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.fixture
def staff_client(world: World) -> Client:
    """A staff member with every model permission, admin of workspace A only."""
    user = make_user("staff@acme.test", World.password)
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.all())
    Membership.objects.create(workspace=world.a.workspace, user=user, role="admin")
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def superuser_client(world: World) -> Client:
    user = make_user("root@touchpoint.test", World.password)
    user.is_staff = user.is_superuser = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_every_model_of_the_domain_apps_is_registered(model: Any) -> None:
    assert admin.site.is_registered(model)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_a_superuser_sees_every_workspaces_rows(model: Any, superuser_client: Client) -> None:
    response = superuser_client.get(_changelist(model))
    assert response.status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_staff_see_only_rows_of_workspaces_they_administer(
    model: Any, staff_client: Client
) -> None:
    response = staff_client.get(_changelist(model))
    assert response.status_code == 200
    assert CANARY not in response.content.decode()


def test_the_superuser_list_does_include_the_other_workspace(superuser_client: Client) -> None:
    body = superuser_client.get(_changelist(apps.get_model("campaigns", "Campaign"))).content
    assert CANARY in body.decode()


def test_staff_cannot_open_another_workspaces_row(world: World, staff_client: Client) -> None:
    campaign = world.b["campaign"]
    url = reverse("admin:campaigns_campaign_change", args=[campaign.pk])
    response = staff_client.get(url, follow=True)
    assert CANARY not in response.content.decode()
    assert "doesn\u2019t exist" in response.content.decode()
    own = reverse("admin:campaigns_campaign_change", args=[world.a["campaign"].pk])
    assert staff_client.get(own).status_code == 200


def test_staff_who_administer_no_workspace_see_nothing(world: World) -> None:
    user = make_user("marketer-staff@acme.test", World.password)
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.all())
    Membership.objects.create(workspace=world.a.workspace, user=user, role="marketer")
    client = Client()
    client.force_login(user)
    body = client.get(_changelist(apps.get_model("campaigns", "Campaign"))).content.decode()
    assert "Campaign A" not in body and CANARY not in body
    assert "0 campaigns" in body


def test_the_workspace_filter_offers_only_visible_workspaces(staff_client: Client) -> None:
    body = staff_client.get(_changelist(apps.get_model("crm", "Contact"))).content.decode()
    assert "?workspace=" in body
    assert CANARY not in body


def test_a_row_cannot_point_at_another_workspaces_object(
    world: World, superuser_client: Client
) -> None:
    utm = world.a["utm"]
    url = reverse("admin:campaigns_campaignutm_change", args=[utm.pk])
    response = superuser_client.post(
        url,
        {"workspace": world.a.workspace.pk, "campaign": world.b["campaign"].pk, "value": "x"},
    )
    assert response.status_code == 200
    assert "Choose an object of the same workspace as this row." in response.content.decode()
    utm.refresh_from_db()
    assert utm.campaign == world.a["campaign"]


def test_relations_are_edited_by_id_not_with_a_select_of_every_row(
    superuser_client: Client,
) -> None:
    page = superuser_client.get(reverse("admin:tracking_interaction_add")).content.decode()
    assert 'class="vForeignKeyRawIdAdminField"' in page
    assert '<select name="contact"' not in page


def test_tokens_and_invitations_cannot_be_added_in_admin(superuser_client: Client) -> None:
    assert superuser_client.get(reverse("admin:workspaces_apitoken_add")).status_code == 403
    assert superuser_client.get(reverse("admin:workspaces_invitation_add")).status_code == 403


def test_the_revoke_action_revokes_tokens(world: World, staff_client: Client) -> None:
    token = world.a["api_token"]
    response = staff_client.post(
        _changelist(apps.get_model("workspaces", "ApiToken")),
        {"action": "revoke", "_selected_action": [token.pk, world.b["api_token"].pk]},
    )
    assert response.status_code == 302
    token.refresh_from_db()
    world.b["api_token"].refresh_from_db()
    assert token.revoked_at is not None
    assert world.b["api_token"].revoked_at is None
