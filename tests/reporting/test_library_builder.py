"""The attribution report builder: prefilled from the tab's query string or a saved report,
live preview, saving new or overwriting, tier gate."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from reporting.definitions import AttributionDefinition
from reporting.library import services
from reporting.library.services import Sharing
from reporting.models import SavedReport
from tests.conftest import World

pytestmark = pytest.mark.django_db


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"reporting:{name}", kwargs={"workspace_slug": "acme", **kwargs})


def _client(world: World, role: str = "marketer") -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def _checked_models(page: str) -> list[str]:
    return re.findall(r'name="models" value="(\w+)" id="builder-model-\w+" checked', page)


def _selected(page: str, select_id: str) -> str:
    select = page.split(f'id="{select_id}"', 1)[1].split("</select>", 1)[0]
    found = re.search(r'<option value="([^"]*)"[^>]*selected', select)
    return found.group(1) if found else ""


def test_the_builder_opens_prefilled_from_the_tabs_query_string(world: World) -> None:
    campaign = world.a["campaign"]
    query = (
        f"campaign={campaign.pk}&conversion=deal_create&models=linear&models=w_shaped"
        "&dimension=source&range=last_30_days&chart=line"
    )
    page = _client(world).get(f"{_url('builder')}?{query}").content.decode()
    assert sorted(_checked_models(page)) == ["linear", "w_shaped"]
    assert _selected(page, "builder-conversion") == "deal_create"
    assert _selected(page, "builder-dimension") == "source"
    assert _selected(page, "builder-range") == "last_30_days"
    assert _selected(page, "builder-chart") == "line"
    assert _selected(page, "id_campaign") == str(campaign.pk)
    definition = AttributionDefinition(
        conversion="deal_create",
        models=("linear", "w_shaped"),
        dimension="source",
        range="last_30_days",
        chart="line",
    )
    results = _url("attribution_results", campaign_id=campaign.pk)
    assert f'hx-get="{results}?{definition.query()}"'.replace("&", "&amp;") in page


def test_the_tabs_edit_in_builder_link_carries_the_campaign_and_the_definition(
    world: World,
) -> None:
    campaign = world.a["campaign"]
    tab = _url("attribution", campaign_id=campaign.pk) + "?models=linear&models=u_shaped"
    page = _client(world).get(tab).content.decode()
    definition = AttributionDefinition(models=("linear", "u_shaped"))
    link = f"{_url('builder')}?campaign={campaign.pk}&{definition.query()}"
    save = f"{_url('report_save', campaign_id=campaign.pk)}?{definition.query()}"
    assert f'href="{link}"'.replace("&", "&amp;") in page
    assert f'href="{save}"'.replace("&", "&amp;") in page


def test_a_live_change_answers_with_the_preview_partial_only(world: World) -> None:
    campaign = world.a["campaign"]
    query = f"campaign={campaign.pk}&conversion=contact_create&models=time_decay"
    response = _client(world).get(f"{_url('builder')}?{query}", headers={"HX-Request": "true"})
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="builder-preview"')
    assert "models=time_decay" in page and "<form" not in page
    # A missing field is named, and the preview shows its default meanwhile.
    assert "Break down by: This field is required." in page and "dimension=asset" in page


def test_the_builder_saves_a_new_report_to_the_library(world: World) -> None:
    data = {
        "campaign": world.a["campaign"].pk,
        "conversion": "contact_create",
        "models": ["first_interaction", "last_interaction"],
        "dimension": "interaction_type",
        "range": "custom",
        "start": "2024-01-01",
        "end": "2024-03-31",
        "chart": "table",
        "name": "Q1 touches",
        "visibility": "everyone",
        "dashboard_action": "none",
        "action": "save_new",
    }
    response = _client(world).post(_url("builder"), data)
    assert response.status_code == 302
    report = SavedReport.objects.get(name="Q1 touches")
    assert report.owner == world.users["marketer"]
    assert report.definition == {
        "conversion": "contact_create",
        "models": ["first_interaction", "last_interaction"],
        "dimension": "interaction_type",
        "range": "custom",
        "chart": "table",
        "start": "2024-01-01",
        "end": "2024-03-31",
    }


def _mine(world: World) -> SavedReport:
    report, _board = services.save_report(
        workspace=world.a.workspace,
        owner=world.users["marketer"],
        campaign=world.a["campaign"],
        name="Mine",
        definition=AttributionDefinition(models=("linear",)),
        sharing=Sharing("everyone"),
    )
    return report


def _builder_post(report: SavedReport, action: str, **fields: Any) -> dict[str, Any]:
    return {
        "campaign": report.campaign_id,
        "conversion": "contact_create",
        "models": ["markov", "shapley"],
        "dimension": "asset_type",
        "range": "all",
        "chart": "bar",
        "name": report.name,
        "visibility": "everyone",
        "dashboard_action": "none",
        "action": action,
        **fields,
    }


def test_a_saved_report_opens_in_the_builder_with_its_definition(world: World) -> None:
    report = _mine(world)
    page = _client(world).get(_url("builder_edit", report_id=report.pk)).content.decode()
    assert _checked_models(page) == ["linear"]
    assert 'value="Mine"' in page and 'value="overwrite"' in page


def test_the_owner_overwrites_the_report_from_the_builder(world: World) -> None:
    report = _mine(world)
    url = _url("builder_edit", report_id=report.pk)
    _client(world).post(url, _builder_post(report, "overwrite"))
    report.refresh_from_db()
    assert report.definition["models"] == ["markov", "shapley"]
    assert SavedReport.objects.filter(name="Mine").count() == 1


def test_another_marketer_may_save_a_copy_but_not_overwrite(world: World) -> None:
    report = _mine(world)
    from tests.conftest import make_user
    from workspaces.models import Membership

    other = make_user("copier@acme.test", world.password)
    Membership.objects.create(workspace=world.a.workspace, user=other, role="marketer")
    client = Client()
    client.force_login(other)
    url = _url("builder_edit", report_id=report.pk)
    page = client.get(url).content.decode()
    assert 'value="overwrite"' not in page
    assert client.post(url, _builder_post(report, "overwrite")).status_code == 403
    assert client.post(url, _builder_post(report, "save_new")).status_code == 302
    copy = SavedReport.objects.get(name="Mine", owner=other)
    assert copy.definition["models"] == ["markov", "shapley"]
    report.refresh_from_db()
    assert report.definition["models"] == ["linear"]


def test_saving_a_copy_under_my_own_reports_name_is_refused(world: World) -> None:
    report = _mine(world)
    url = _url("builder_edit", report_id=report.pk)
    response = _client(world).post(url, _builder_post(report, "save_new"))
    assert "You already have a report named “Mine”" in response.content.decode()
    assert SavedReport.objects.filter(name="Mine").count() == 1


def test_the_builder_needs_a_campaign_and_says_so(world: World) -> None:
    report = _mine(world)
    data = _builder_post(report, "save_new", campaign="", name="No campaign")
    response = _client(world).post(_url("builder"), data)
    assert "Pick the campaign the report is about." in response.content.decode()
    assert not SavedReport.objects.filter(name="No campaign").exists()


def test_another_workspaces_campaign_is_refused(world: World) -> None:
    report = _mine(world)
    data = _builder_post(report, "save_new", campaign=world.b["campaign"].pk, name="Foreign")
    response = _client(world).post(_url("builder"), data)
    assert "That campaign does not exist in this workspace." in response.content.decode()
    assert not SavedReport.objects.filter(name="Foreign").exists()


def test_update_preview_without_javascript_saves_nothing(world: World) -> None:
    report = _mine(world)
    data = _builder_post(report, "preview", name="Only a preview")
    response = _client(world).post(_url("builder"), data)
    assert response.status_code == 200
    assert sorted(_checked_models(response.content.decode())) == ["markov", "shapley"]
    assert not SavedReport.objects.filter(name="Only a preview").exists()


def test_professional_builder_offers_contact_create_only_and_says_why(world: World) -> None:
    world.a.workspace.tier = "professional"
    world.a.workspace.save(update_fields=["tier"])
    client = _client(world)
    page = client.get(_url("builder")).content.decode()
    assert '<option value="revenue" disabled>' in page
    assert "Deal create and revenue reports are part of the Enterprise tier." in page
    report = _mine(world)
    data = _builder_post(report, "save_new", conversion="revenue", name="Revenue")
    response = client.post(_url("builder"), data)
    assert "Deal create and revenue reports are part of the Enterprise tier." in (
        response.content.decode()
    )
    assert not SavedReport.objects.filter(name="Revenue").exists()


def test_a_viewer_cannot_open_the_builder(world: World) -> None:
    assert _client(world, "viewer").get(_url("builder")).status_code == 403
