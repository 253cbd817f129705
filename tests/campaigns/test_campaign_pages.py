"""The campaign pages end to end: list, create/edit/delete, detail, add/remove assets."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assets.models import AssetAssociation, AssetType
from assets.services import associate_asset, create_asset
from campaigns.models import Campaign, CampaignGoal, CampaignUtm, SpendItem
from tests.conftest import CANARY

pytestmark = pytest.mark.django_db


def _client(world: Any, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def _url(name: str, slug: str = "acme", **kwargs: Any) -> str:
    return reverse(name, kwargs={"workspace_slug": slug, **kwargs})


def _form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Spring launch",
        "utm_values": "spring-24, spring-email",
        "start_date": "2024-03-01",
        "end_date": "2024-04-30",
        "owner": "",
        "status": "active",
        "notes": "Launch of the spring range.",
        "goal_sessions": "5000",
        "goal_revenue": "25000.50",
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "0",
        "form-0-name": "Agency fee",
        "form-0-amount": "1200",
        "form-0-currency": "eur",
        "form-0-spent_on": "2024-03-02",
        "form-0-description": "Design",
        "form-1-name": "",
        "form-1-amount": "",
        "form-1-currency": "EUR",
        "form-1-spent_on": "",
    }
    data.update(overrides)
    return data


# --- List -----------------------------------------------------------------------------------------


def test_the_list_shows_each_campaigns_status_dates_owner_assets_and_utm(world: Any) -> None:
    campaign = world.a["campaign"]
    campaign.owner = world.users["marketer"]
    campaign.save()
    body = _client(world, "viewer").get(_url("campaigns:list")).content.decode()
    assert _url("campaigns:detail", campaign_id=campaign.pk) in body
    assert "campaign-status-planned" in body
    assert "marketer@acme.test" in body
    assert "utm-acme" in body
    assert '<td class="num">1</td>' in body  # one associated asset
    assert CANARY not in body


def test_search_finds_campaigns_by_utm_value_and_says_when_nothing_matches(world: Any) -> None:
    client = _client(world, "viewer")
    found = client.get(_url("campaigns:list"), {"q": "UTM-ACME"}).content.decode()
    assert "Campaign A" in found
    empty = client.get(_url("campaigns:list"), {"q": "no such thing"}).content.decode()
    assert "No campaigns match these filters." in empty and "Campaign A" not in empty


def test_the_status_filter_and_sort_headers_work_without_javascript(world: Any) -> None:
    ws = world.a.workspace
    Campaign.objects.create(workspace=ws, name="Zeta", status="active")
    Campaign.objects.create(workspace=ws, name="Eta", status="active")
    client = _client(world, "viewer")

    active = client.get(
        _url("campaigns:list"), {"status": "active", "sort": "name"}
    ).content.decode()

    assert "Campaign A" not in active
    assert active.index("Eta") < active.index("Zeta")
    # The sorted header says so, and its link flips the direction while keeping the filter.
    assert 'aria-sort="ascending"' in active
    assert "?status=active&amp;sort=-name" in active


def test_an_invalid_filter_value_is_named_and_ignored(world: Any) -> None:
    response = _client(world, "viewer").get(
        _url("campaigns:list"), {"status": "exploded", "sort": "price", "page": "zero"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Status:" in body and "exploded" in body
    assert "Sort:" in body and "Page:" in body
    assert "Campaign A" in body


def test_pagination_keeps_the_filters(world: Any) -> None:
    ws = world.a.workspace
    Campaign.objects.bulk_create(
        Campaign(workspace=ws, name=f"Bulk {i:02}", status="paused") for i in range(30)
    )
    client = _client(world, "viewer")
    first = client.get(
        _url("campaigns:list"), {"status": "paused", "sort": "name"}
    ).content.decode()
    second = client.get(
        _url("campaigns:list"), {"status": "paused", "sort": "name", "page": "2"}
    ).content.decode()
    assert "Bulk 00" in first and "Bulk 25" not in first
    assert "Bulk 25" in second and "Bulk 00" not in second
    assert "?status=paused&amp;sort=name&amp;page=2" in first


def test_an_htmx_request_gets_only_the_results_partial(world: Any) -> None:
    response = _client(world, "viewer").get(
        _url("campaigns:list"), {"q": "Campaign"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="campaign-results"')
    assert "<html" not in body and "Campaign A" in body


def test_a_history_restore_gets_the_whole_page(world: Any) -> None:
    response = _client(world, "viewer").get(
        _url("campaigns:list"),
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in response.content.decode()


def test_only_marketers_and_admins_see_the_create_button(world: Any) -> None:
    create = _url("campaigns:create")
    assert create in _client(world, "marketer").get(_url("campaigns:list")).content.decode()
    assert create in _client(world, "admin").get(_url("campaigns:list")).content.decode()
    assert create not in _client(world, "viewer").get(_url("campaigns:list")).content.decode()


# --- Create, edit, delete -------------------------------------------------------------------------


def test_a_marketer_creates_a_campaign_with_goals_and_spend(world: Any) -> None:
    response = _client(world, "marketer").post(
        _url("campaigns:create"), _form(owner=str(world.users["viewer"].pk))
    )
    campaign = Campaign.objects.get(workspace=world.a.workspace, name="Spring launch")
    assert response.status_code == 302
    assert response["Location"] == _url("campaigns:detail", campaign_id=campaign.pk)
    assert campaign.owner == world.users["viewer"]
    assert sorted(campaign.utms.values_list("value", flat=True)) == ["spring-24", "spring-email"]
    assert dict(campaign.goals.values_list("metric", "target")) == {
        "sessions": Decimal(5000),
        "revenue": Decimal("25000.50"),
    }
    spend = campaign.spend_items.get()  # the blank second row is ignored
    assert (spend.name, spend.amount, spend.currency) == ("Agency fee", Decimal(1200), "EUR")


def test_the_create_form_defaults_the_owner_and_the_spend_currency(world: Any) -> None:
    body = _client(world, "marketer").get(_url("campaigns:create")).content.decode()
    marketer = world.users["marketer"]
    assert f'<option value="{marketer.pk}" selected>' in body
    assert 'name="form-0-currency" value="EUR"' in body


def test_a_bad_spend_row_is_named_and_nothing_is_stored(world: Any) -> None:
    before = (Campaign.objects.count(), SpendItem.objects.count(), CampaignUtm.objects.count())
    response = _client(world, "marketer").post(
        _url("campaigns:create"), _form(**{"form-1-name": "Print", "form-1-amount": "-5"})
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was saved" in body
    assert 'id="id_form-1-amount_error"' in body
    assert (
        Campaign.objects.count(),
        SpendItem.objects.count(),
        CampaignUtm.objects.count(),
    ) == before


def test_a_utm_value_used_by_another_campaign_is_named_with_that_campaign(world: Any) -> None:
    response = _client(world, "marketer").post(
        _url("campaigns:create"), _form(utm_values="fresh, UTM-Acme")
    )
    body = response.content.decode()
    assert "UTM-Acme" in body and "Campaign A" in body and "already used" in body
    assert not Campaign.objects.filter(name="Spring launch").exists()


def test_an_end_date_before_the_start_date_gets_a_clear_message(world: Any) -> None:
    response = _client(world, "marketer").post(
        _url("campaigns:create"), _form(start_date="2024-05-02", end_date="2024-05-01")
    )
    assert "The end date must be on or after the start date." in response.content.decode()
    assert not Campaign.objects.filter(name="Spring launch").exists()


def test_an_owner_from_another_workspace_is_not_a_choice(world: Any) -> None:
    response = _client(world, "marketer").post(
        _url("campaigns:create"), _form(owner=str(world.users["outsider"].pk))
    )
    assert response.status_code == 200
    assert 'id="id_owner_error"' in response.content.decode()
    assert not Campaign.objects.filter(name="Spring launch").exists()


def test_editing_updates_removes_and_adds_spend_rows_in_one_save(world: Any) -> None:
    campaign, spend = world.a["campaign"], world.a["spend"]
    client = _client(world, "marketer")
    form_page = client.get(_url("campaigns:edit", campaign_id=campaign.pk)).content.decode()
    assert 'value="utm-acme"' in form_page and f'value="{spend.pk}"' in form_page
    # The 100-session goal shows as a whole number, so the form accepts its own value.
    assert 'name="goal_sessions" value="100" ' in form_page

    response = client.post(
        _url("campaigns:edit", campaign_id=campaign.pk),
        _form(
            name="Campaign A v2",
            utm_values="utm-acme",
            goal_sessions="",
            **{
                "form-INITIAL_FORMS": "1",
                "form-0-id": str(spend.pk),
                "form-0-DELETE": "on",
                "form-1-name": "Boosted posts",
                "form-1-amount": "300",
                "form-1-currency": "DKK",
                "form-1-spent_on": "2024-03-05",
            },
        ),
    )
    campaign.refresh_from_db()
    assert response.status_code == 302
    assert campaign.name == "Campaign A v2"
    assert list(campaign.spend_items.values_list("name", "currency")) == [("Boosted posts", "DKK")]
    assert not CampaignGoal.objects.filter(campaign=campaign, metric="sessions").exists()


def test_editing_with_another_campaigns_spend_item_id_is_not_found(world: Any) -> None:
    foreign = world.b["spend"]
    response = _client(world, "marketer").post(
        _url("campaigns:edit", campaign_id=world.a["campaign"].pk),
        _form(**{"form-INITIAL_FORMS": "1", "form-0-id": str(foreign.pk)}),
    )
    foreign.refresh_from_db()
    assert response.status_code == 404
    assert foreign.name != "Agency fee"


def test_deleting_asks_first_then_deletes(world: Any) -> None:
    campaign = world.a["campaign"]
    client = _client(world, "marketer")
    confirm = client.get(_url("campaigns:delete", campaign_id=campaign.pk))
    assert "cannot be undone" in confirm.content.decode()
    assert Campaign.objects.filter(pk=campaign.pk).exists()

    response = client.post(_url("campaigns:delete", campaign_id=campaign.pk))
    assert response["Location"] == _url("campaigns:list")
    assert not Campaign.objects.filter(pk=campaign.pk).exists()


# --- Detail ---------------------------------------------------------------------------------------


def test_the_detail_page_shows_header_goals_spend_and_the_assets_tab(world: Any) -> None:
    campaign = world.a["campaign"]
    body = (
        _client(world, "viewer")
        .get(_url("campaigns:detail", campaign_id=campaign.pk))
        .content.decode()
    )
    assert "<h1" in body and "Campaign A" in body
    assert "utm-acme" in body
    assert "Sessions" in body and "100" in body  # the goal
    assert 'id="campaign-total-spend">10.00 EUR' in body
    assert 'aria-current="page"' in body and ">Assets</a>" in body
    assert "Page A" in body and "Association history" in body
    assert CANARY not in body


def test_the_detail_page_flags_and_hides_assets_as_the_spec_says(world: Any) -> None:
    campaign = world.a["campaign"]
    ws = campaign.workspace
    old_post = create_asset(
        workspace=ws,
        type=AssetType.BLOG_POST,
        name="Old post",
        url="https://acme.example.com/old",
        published_at=timezone.now() - timedelta(days=90),  # before the start (30 days ago)
    )
    draft = create_asset(workspace=ws, type=AssetType.SOCIAL_POST, name="Draft social")
    link = create_asset(
        workspace=ws,
        type=AssetType.TRACKING_URL,
        name="Unvisited link",
        url="https://acme.example.com/l",
    )
    for asset in (old_post, draft, link):
        associate_asset(asset=asset, campaign=campaign)

    body = (
        _client(world, "viewer")
        .get(_url("campaigns:detail", campaign_id=campaign.pk))
        .content.decode()
    )

    assert "Published outside the campaign dates" in body
    assert "2 associated assets are not shown yet" in body
    assert "1 social post is not published yet" in body
    assert "1 paid search campaign or tracking URL has had no visit" in body
    assert "2 assets</h2>" in body  # Page A and Old post are shown


def test_the_history_keeps_an_ended_association(world: Any) -> None:
    campaign = world.a["campaign"]
    other = Campaign.objects.create(workspace=campaign.workspace, name="Other one")
    associate_asset(asset=world.a["asset"], campaign=other)
    body = (
        _client(world, "viewer")
        .get(_url("campaigns:detail", campaign_id=campaign.pk))
        .content.decode()
    )
    assert "0 assets</h2>" in body
    history = body[body.index('id="association-history"') :]
    assert "Page A" in history and "Current" not in history


def test_viewers_see_no_edit_add_or_remove_buttons(world: Any) -> None:
    campaign = world.a["campaign"]
    body = (
        _client(world, "viewer")
        .get(_url("campaigns:detail", campaign_id=campaign.pk))
        .content.decode()
    )
    assert _url("campaigns:edit", campaign_id=campaign.pk) not in body
    assert _url("campaigns:associate", campaign_id=campaign.pk) not in body
    assert "hx-post" not in body
    marketer = _client(world, "marketer").get(_url("campaigns:detail", campaign_id=campaign.pk))
    assert "hx-post" in marketer.content.decode()


# --- Add and remove assets ------------------------------------------------------------------------


def test_the_picker_says_which_campaign_holds_an_asset_and_what_moving_means(world: Any) -> None:
    ws = world.a.workspace
    other = Campaign.objects.create(workspace=ws, name="Holder")
    held = create_asset(workspace=ws, type=AssetType.CTA, name="Held CTA")
    associate_asset(asset=held, campaign=other)
    campaign = world.a["campaign"]

    body = (
        _client(world, "marketer")
        .get(_url("campaigns:associate", campaign_id=campaign.pk))
        .content.decode()
    )

    assert "Held CTA" in body and "Form A" in body
    assert "moving it ends its association with Holder; data it earned stays there" in body
    assert "Already in this campaign" in body  # Page A
    assert CANARY not in body


def test_the_picker_filters_by_type_and_search_and_answers_htmx_with_a_partial(world: Any) -> None:
    campaign = world.a["campaign"]
    response = _client(world, "marketer").get(
        _url("campaigns:associate", campaign_id=campaign.pk),
        {"type": "form", "q": "form"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="asset-picker"')
    assert "Form A" in body and "Page A" not in body


def test_adding_assets_associates_them_and_moves_one_held_elsewhere(world: Any) -> None:
    ws, campaign = world.a.workspace, world.a["campaign"]
    other = Campaign.objects.create(workspace=ws, name="Holder")
    held = create_asset(workspace=ws, type=AssetType.CTA, name="Held CTA")
    associate_asset(asset=held, campaign=other)
    free = world.a["free_asset"]

    response = _client(world, "marketer").post(
        _url("campaigns:associate", campaign_id=campaign.pk), {"assets": [free.pk, held.pk]}
    )

    assert response["Location"] == _url("campaigns:detail", campaign_id=campaign.pk)
    current = AssetAssociation.objects.filter(campaign=campaign, dissociated_at__isnull=True)
    assert set(current.values_list("asset_id", flat=True)) == {
        world.a["asset"].pk,
        free.pk,
        held.pk,
    }
    old = AssetAssociation.objects.get(campaign=other, asset=held)
    assert old.dissociated_at is not None  # ended, kept in the history
    assert current.get(asset=free).associated_by == world.users["marketer"]


def test_a_workflow_added_to_a_second_campaign_stays_in_the_first(world: Any) -> None:
    ws, campaign = world.a.workspace, world.a["campaign"]
    other = Campaign.objects.create(workspace=ws, name="First home")
    workflow = create_asset(workspace=ws, type=AssetType.WORKFLOW, name="Nurture flow")
    associate_asset(asset=workflow, campaign=other)
    client = _client(world, "marketer")

    picker = client.get(_url("campaigns:associate", campaign_id=campaign.pk)).content.decode()
    assert "workflows can be in several campaigns" in picker
    client.post(_url("campaigns:associate", campaign_id=campaign.pk), {"assets": [workflow.pk]})

    holding = AssetAssociation.objects.filter(asset=workflow, dissociated_at__isnull=True)
    assert set(holding.values_list("campaign_id", flat=True)) == {other.pk, campaign.pk}


def test_the_social_post_cap_is_shown_and_nothing_is_added(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("assets.services.MAX_SOCIAL_POSTS_PER_CAMPAIGN", 1)
    ws, campaign = world.a.workspace, world.a["campaign"]
    posts = [create_asset(workspace=ws, type=AssetType.SOCIAL_POST, name=f"P{i}") for i in range(2)]
    client = _client(world, "marketer")

    response = client.post(
        _url("campaigns:associate", campaign_id=campaign.pk),
        {"assets": [p.pk for p in posts]},
        follow=True,
    )

    assert "at most 1 social posts" in response.content.decode()
    assert not AssetAssociation.objects.filter(asset__in=posts).exists()
    # The choices stay ticked so the user can untick some and retry.
    assert f'value="{posts[0].pk}" id="pick-{posts[0].pk}"\n                     checked' in (
        response.content.decode()
    )


def test_adding_nothing_asks_to_select_an_asset(world: Any) -> None:
    campaign = world.a["campaign"]
    response = _client(world, "marketer").post(_url("campaigns:associate", campaign_id=campaign.pk))
    assert "Select at least one asset" in response.content.decode()


def test_adding_another_workspaces_asset_is_not_found_and_changes_nothing(world: Any) -> None:
    campaign, foreign = world.a["campaign"], world.b["free_asset"]
    response = _client(world, "admin").post(
        _url("campaigns:associate", campaign_id=campaign.pk),
        {"assets": [world.a["free_asset"].pk, foreign.pk]},
    )
    assert response.status_code == 404
    assert not AssetAssociation.objects.filter(asset__in=[foreign, world.a["free_asset"]]).exists()


def test_removing_an_asset_asks_first_then_ends_the_association(world: Any) -> None:
    campaign, asset = world.a["campaign"], world.a["asset"]
    url = _url("campaigns:dissociate", campaign_id=campaign.pk, asset_id=asset.pk)
    client = _client(world, "marketer")
    assert "Remove Page A from Campaign A?" in client.get(url).content.decode()

    response = client.post(url)

    assert response["Location"] == _url("campaigns:detail", campaign_id=campaign.pk)
    row = AssetAssociation.objects.get(campaign=campaign, asset=asset)
    assert row.dissociated_at is not None


def test_removing_through_htmx_answers_with_the_updated_assets_partial(world: Any) -> None:
    campaign, asset = world.a["campaign"], world.a["asset"]
    response = _client(world, "marketer").post(
        _url("campaigns:dissociate", campaign_id=campaign.pk, asset_id=asset.pk),
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="campaign-assets"')
    assert "Removed Page A from the campaign" in body
    assert "0 assets</h2>" in body and "<html" not in body


def test_removing_an_asset_that_is_not_in_the_campaign_explains_it(world: Any) -> None:
    campaign, free = world.a["campaign"], world.a["free_asset"]
    url = _url("campaigns:dissociate", campaign_id=campaign.pk, asset_id=free.pk)
    client = _client(world, "marketer")
    assert client.get(url)["Location"] == _url("campaigns:detail", campaign_id=campaign.pk)
    followed = client.post(url, follow=True).content.decode()
    assert "Form A is not associated with Campaign A." in followed


# --- Roles and tenants ----------------------------------------------------------------------------


def _write_urls(world: Any) -> list[str]:
    campaign, asset = world.a["campaign"], world.a["asset"]
    return [
        _url("campaigns:create"),
        _url("campaigns:edit", campaign_id=campaign.pk),
        _url("campaigns:delete", campaign_id=campaign.pk),
        _url("campaigns:associate", campaign_id=campaign.pk),
        _url("campaigns:dissociate", campaign_id=campaign.pk, asset_id=asset.pk),
    ]


def test_a_viewer_gets_403_on_every_write_and_nothing_changes(world: Any) -> None:
    client = _client(world, "viewer")
    for url in _write_urls(world):
        assert client.get(url).status_code == 403, url
        assert client.post(url, _form(assets=[world.a["free_asset"].pk])).status_code == 403, url
    assert Campaign.objects.filter(pk=world.a["campaign"].pk, name="Campaign A").exists()
    assert not Campaign.objects.filter(name="Spring launch").exists()
    assert AssetAssociation.objects.filter(asset=world.a["asset"], dissociated_at=None).exists()
    assert not AssetAssociation.objects.filter(asset=world.a["free_asset"]).exists()


def _foreign_urls(world: Any, slug: str) -> list[str]:
    campaign, asset = world.b["campaign"], world.b["asset"]
    return [
        _url("campaigns:detail", slug, campaign_id=campaign.pk),
        _url("campaigns:edit", slug, campaign_id=campaign.pk),
        _url("campaigns:delete", slug, campaign_id=campaign.pk),
        _url("campaigns:associate", slug, campaign_id=campaign.pk),
        _url("campaigns:dissociate", slug, campaign_id=campaign.pk, asset_id=asset.pk),
    ]


@pytest.mark.parametrize("role", ["admin", "marketer", "viewer"])
def test_another_workspaces_campaign_is_not_found_for_every_role(world: Any, role: str) -> None:
    client = _client(world, role)
    for url in _foreign_urls(world, "acme") + _foreign_urls(world, "other"):
        for response in (client.get(url), client.post(url, {"assets": [world.b["free_asset"].pk]})):
            assert response.status_code == 404, url
            assert CANARY not in response.content.decode()
    assert Campaign.objects.filter(pk=world.b["campaign"].pk).exists()
    assert AssetAssociation.objects.filter(asset=world.b["asset"], dissociated_at=None).exists()


def test_an_outsider_gets_404_on_every_campaign_page_of_this_workspace(world: Any) -> None:
    client = _client(world, "outsider")
    campaign = world.a["campaign"]
    urls = [_url("campaigns:list"), _url("campaigns:detail", campaign_id=campaign.pk)]
    for url in urls + _write_urls(world):
        assert client.get(url).status_code == 404, url
        assert client.post(url).status_code == 404, url
    assert Campaign.objects.filter(pk=campaign.pk).exists()


def test_a_campaigns_own_asset_from_another_campaign_path_is_not_found(world: Any) -> None:
    # A's asset through B's campaign id (or the reverse) is never a way in.
    url = _url(
        "campaigns:dissociate", campaign_id=world.a["campaign"].pk, asset_id=world.b["asset"].pk
    )
    assert _client(world, "admin").post(url).status_code == 404
    assert AssetAssociation.objects.filter(asset=world.b["asset"], dissociated_at=None).exists()


def test_date_inputs_keep_the_iso_format_in_every_ui_language(world: Any) -> None:
    campaign = world.a["campaign"]
    client = _client(world, "marketer")
    client.cookies["django_language"] = "da"
    body = client.get(_url("campaigns:edit", campaign_id=campaign.pk)).content.decode()
    assert f'name="start_date" value="{campaign.start_date.isoformat()}"' in body


def test_the_social_post_cap_is_the_specs_ten_thousand() -> None:
    from assets import services

    assert services.MAX_SOCIAL_POSTS_PER_CAMPAIGN == 10_000
