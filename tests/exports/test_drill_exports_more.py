"""The Traffic and asset drill-down lists (`reporting:rows`) and the credited interactions of an
Attribution cell export every row, as the page lists them: marketers and admins only; another
workspace's user gets 404."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from html import unescape
from typing import Any
from urllib.parse import parse_qs

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assets.models import Asset
from exports.models import ExportJob, ExportStatus
from exports.storage import export_storage
from reporting import views_rows
from tests.exports.helpers import Shop, build_shop, export_dir, job_of  # noqa: F401
from tests.exports.test_formats_csv import read_csv
from tests.reporting.helpers import at, contact, touch

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("export_dir")]


def _urls(shop: Shop, metric: str) -> tuple[str, str]:
    kwargs = {"workspace_slug": shop.ws.slug, "campaign_id": shop.campaign.pk, "metric": metric}
    return reverse("reporting:rows", kwargs=kwargs), reverse("exports:rows", kwargs=kwargs)


def _landing(shop: Shop) -> Asset:
    return Asset.objects.for_workspace(shop.ws).get(name="Landing")


def _exported(shop: Shop, capture: Any, url: str, data: dict[str, Any]) -> list[list[str]]:
    with capture(execute=True):
        response = shop.client("owner").post(url, {"format": "csv", "range": "all"} | data)
    job = job_of(ExportJob.objects.for_workspace(shop.ws).latest("pk").pk)
    assert response["Location"] == f"/w/{shop.ws.slug}/exports/{job.pk}/"
    assert job.status == ExportStatus.DONE, job.error
    with export_storage().open(job.file_path, "rb") as handle:
        return read_csv(handle.read())


def test_an_asset_list_exports_every_row_the_page_lists_not_one_page(
    django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = build_shop()
    monkeypatch.setattr(views_rows, "ROWS_PAGE_SIZE", 1)
    listing, export = _urls(shop, "asset_interactions")
    landing = _landing(shop)
    page = shop.client("owner").get(listing, {"asset": str(landing.pk), "range": "all"})
    html = page.content.decode()
    assert f'action="{export}"' in html and f'name="asset" value="{landing.pk}"' in html
    assert "bob@shop.test" in html and "alice@shop.test" not in html  # one row a page
    (next_page,) = re.findall(r'class="page-link" href="\?([^"]+)">Next<', html)
    assert parse_qs(unescape(next_page)) == {"range": ["all"], "asset": [str(landing.pk)]} | {
        "touch": ["first"],
        "model": ["linear"],
        "frequency": ["daily"],
        "page": ["2"],
    }
    rows = _exported(shop, django_capture_on_commit_callbacks, export, {"asset": landing.pk})
    assert rows == [
        ["Interaction", "Date", "Contact", "Asset", "Counted for campaign"],
        ["Page view", "2024-01-05T12:00:00+00:00", "bob@shop.test", "Landing", "Forår på Ærø"],
        ["Page view", "2024-01-02T12:00:00+00:00", "alice@shop.test", "Landing", "Forår på Ærø"],
    ]


def test_a_traffic_contacts_list_exports_only_the_contacts_of_its_source_and_period(
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Carl (paid search, day 6) is the only contact of the source; Dora (paid search, day
    40) is outside the custom range of days 1-31; Alice and Bob have no source."""
    shop = build_shop()
    for email, day in (("carl@shop.test", 6), ("dora@shop.test", 40)):
        contact(
            shop.ws,
            email,
            at(day),
            first_touch_campaign_id=shop.campaign.pk,
            original_source="paid_search",
            first_name=email.split("@")[0].title(),
        )
    listing, export = _urls(shop, "traffic_contacts")
    query = {"range": "custom", "start": "2024-01-01", "end": "2024-01-31"}
    html = shop.client("owner").get(listing, {**query, "source": "paid_search"}).content.decode()
    assert "carl@shop.test" in html and "bob@shop.test" not in html
    assert "dora@shop.test" not in html and 'name="source" value="paid_search"' in html
    data = {**query, "source": "paid_search"}
    assert _exported(shop, django_capture_on_commit_callbacks, export, data) == [
        ["Email", "Name", "Created", "Lifecycle stage", "Original source"],
        ["carl@shop.test", "Carl", "2024-01-06T12:00:00+00:00", "Subscriber", "Paid search"],
    ]


def test_viewers_get_403_and_no_export_form(django_capture_on_commit_callbacks: Any) -> None:
    shop = build_shop()
    listing, export = _urls(shop, "traffic_views")
    assert shop.client("viewer").post(export, {"format": "csv"}).status_code == 403
    assert 'class="row g-2 align-items-end mb-3 drill-export"' not in (
        shop.client("viewer").get(listing).content.decode()
    )
    assert shop.client("owner").get(export).status_code == 405
    assert not ExportJob.objects.for_workspace(shop.ws).exists()


def test_another_workspaces_user_and_a_foreign_asset_get_404() -> None:
    shop = build_shop()
    other = build_shop(slug="elsewhere")
    _listing, export = _urls(shop, "asset_interactions")
    data = {"format": "csv", "asset": _landing(shop).pk}
    assert shop.client("outsider").post(export, data).status_code == 404
    foreign = {"format": "csv", "asset": _landing(other).pk}
    assert shop.client("owner").post(export, foreign).status_code == 404
    assert shop.client("owner").post(export, {"format": "csv"}).status_code == 404
    assert not ExportJob.objects.for_workspace(shop.ws).exists()


# --- The credited interactions behind an Attribution cell --------------------------------------
CELL = (
    "?models=linear&models=first_interaction&dimension=interaction_type&model=linear&row=page_view"
)


def _ago(days: int) -> datetime:
    return timezone.now() - timedelta(days=days)


def _two_buyers(world: Any) -> None:
    """Besides the world's own contact (a page view now, created by it: credit 1), Lena: a
    page view 5 days ago, a form submission 4 days ago, created 3 days ago (linear: 0.5 each);
    Mats: one page view 4 days ago, created 2 days ago without another touch (1.0)."""
    ws, page = world.a.workspace, world.a["asset"]
    lena = contact(ws, "lena@x.test", _ago(3))
    touch(ws, lena, page, _ago(5))
    touch(ws, lena, page, _ago(4), "form_submission")
    mats = contact(ws, "mats@x.test", _ago(2))
    touch(ws, mats, page, _ago(4))


def test_an_attribution_cell_exports_every_credited_interaction_of_the_page(
    world: Any, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reporting import attribution_views

    _two_buyers(world)
    monkeypatch.setattr(attribution_views, "PAGE_SIZE", 1)
    kwargs = {"workspace_slug": "acme", "campaign_id": world.a["campaign"].pk}
    listing = reverse("reporting:attribution_interactions", kwargs=kwargs) + CELL
    export = reverse("exports:credited", kwargs=kwargs) + CELL
    owner = Client()
    owner.force_login(world.users["marketer"])
    html = owner.get(listing).content.decode()
    assert "3 credited interactions" in html and "acme@example.com" in html
    assert "mats@x.test" not in html and "lena@x.test" not in html  # one row a page
    (next_page,) = re.findall(r'class="page-link" href="\?([^"]+)">Next<', html)
    next_query = parse_qs(unescape(next_page))
    assert next_query["page"] == ["2"] and next_query["row"] == ["page_view"]
    assert next_query["model"] == ["linear"]
    (action,) = re.findall(r'class="[^"]*drill-export" action="([^"]+)"', html)
    action = unescape(action)
    path, _, query = action.partition("?")
    assert path == export.partition("?")[0]
    cell = parse_qs(CELL.removeprefix("?"))
    assert {k: v for k, v in parse_qs(query).items() if k in ("model", "row")} == {
        "model": cell["model"],
        "row": cell["row"],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = owner.post(action, {"format": "csv"})
    job = job_of(ExportJob.objects.for_workspace(world.a.workspace).latest("pk").pk)
    assert response["Location"] == f"/w/acme/exports/{job.pk}/"
    assert job.status == ExportStatus.DONE, job.error
    with export_storage().open(job.file_path, "rb") as handle:
        rows = read_csv(handle.read())
    asset = world.a["asset"].name
    assert rows[0] == ["Interaction", "Date", "Contact", "Asset", "Contact created", "Credit"]
    assert [[r[0], *r[2:]] for r in rows[1:]] == [
        ["Page view", "acme@example.com", asset, "acme@example.com", "1.0"],
        ["Page view", "mats@x.test", asset, "mats@x.test", "1.0"],
        ["Page view", "lena@x.test", asset, "lena@x.test", "0.5"],
    ]


def test_an_attribution_cell_export_is_403_for_viewers_and_404_for_outsiders(world: Any) -> None:
    kwargs = {"workspace_slug": "acme", "campaign_id": world.a["campaign"].pk}
    export = reverse("exports:credited", kwargs=kwargs) + CELL
    jobs = ExportJob.objects.for_workspace(world.a.workspace).count()
    clients = {}
    for name in ("viewer", "outsider", "marketer"):
        clients[name] = Client()
        clients[name].force_login(world.users[name])
    assert clients["viewer"].post(export, {"format": "csv"}).status_code == 403
    assert clients["outsider"].post(export, {"format": "csv"}).status_code == 404
    bad_model = export.replace("model=linear&row", "model=markov&row")
    assert clients["marketer"].post(bad_model, {"format": "csv"}).status_code == 404
    assert ExportJob.objects.for_workspace(world.a.workspace).count() == jobs
