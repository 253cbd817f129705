"""The Performance tab's deals list (`reporting:revenue_deals`) exports every deal it lists, with
the page's columns and filters: marketers and admins only; another workspace's user gets 404."""

from __future__ import annotations

import html
import io
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from crm.models import Contact, Deal
from exports.models import ExportJob, ExportStatus
from exports.storage import export_storage
from reporting import attribution_views
from tests.exports.helpers import Shop, build_shop, export_dir, job_of  # noqa: F401
from tests.exports.test_formats_csv import read_csv
from tests.reporting.helpers import asset, at, touch, won_deal
from workspaces.models import ExchangeRate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("export_dir")]

HEADER = [
    "Deal",
    "Closed",
    "Amount",
    "Currency",
    "Deal value (EUR)",
    "Credited to the campaign (EUR)",
]
ROW = re.compile(
    r'<tr><td>(.*?)</td><td><time datetime="([^"]*)">.*?</time></td>'
    r'<td class="num">([^<]*)</td><td class="num">([^<]*)</td><td class="num">([^<]*)</td></tr>'
)


def _shop(tier: str) -> Shop:
    """The shop (Alice's deal of 1 000.00 EUR closed on day 10 at noon UTC, both her touches
    on the campaign) in Auckland (UTC+13 in January), plus Bob's deal of 1 000.00 DKK (134.00
    EUR) closed on day 12 at 23:00 UTC, i.e. on the 13th in Auckland: Bob touched the campaign's
    landing page on day 5 and a page of no campaign on day 6."""
    shop = build_shop(tier=tier)
    shop.ws.time_zone = "Pacific/Auckland"
    shop.ws.save()
    bob = Contact.objects.for_workspace(shop.ws).get(email="bob@shop.test")
    touch(shop.ws, bob, asset(shop.ws, "website_page", "Elsewhere", None, since=at(1)), at(6))
    ExchangeRate.objects.create(
        workspace=shop.ws, currency="DKK", rate=Decimal("0.134"), effective_date=date(2024, 1, 1)
    )
    deal = won_deal(shop.ws, [bob], "1000.00", closed=at(12, hour=23), currency="DKK")
    Deal.objects.for_workspace(shop.ws).filter(pk=deal.pk).update(name="Ærø-aftale")
    return shop


def _urls(shop: Shop, report: str) -> tuple[str, str]:
    kwargs = {"workspace_slug": shop.ws.slug, "campaign_id": shop.campaign.pk, "report": report}
    return reverse("reporting:revenue_deals", kwargs=kwargs), reverse(
        "exports:deals", kwargs=kwargs
    )


def _page_rows(shop: Shop, capture: Any, listing: str, query: dict[str, str]) -> list[list[str]]:
    """Every row of the list as the page shows it, page after page (one deal a page)."""
    owner = shop.client("owner")
    with capture(execute=True):
        owner.get(listing, query)  # queues the report (computed at once in tests)
    rows: list[list[str]] = []
    for number in (1, 2, 3):
        page = owner.get(listing, {**query, "page": str(number)}).content.decode()
        found = [list(cells) for cells in ROW.findall(page)]
        assert len(found) == 1, page  # one deal a page
        if rows and found[0] == rows[-1]:  # past the last page: the last one again
            break
        rows += found
    return [
        [
            html.unescape(name),
            closed[:10],  # the close day in the zone the page is shown in
            amount.split()[0].replace(",", ""),
            amount.split()[1],
            value.replace(",", ""),
            credited.replace(",", ""),
        ]
        for name, closed, amount, value, credited in rows
    ]


def _export(shop: Shop, capture: Any, url: str, data: dict[str, str]) -> ExportJob:
    with capture(execute=True):
        response = shop.client("owner").post(url, data)
    job = job_of(ExportJob.objects.for_workspace(shop.ws).latest("pk").pk)
    assert response["Location"] == f"/w/{shop.ws.slug}/exports/{job.pk}/"
    assert job.status == ExportStatus.DONE, job.error
    return job


def _content(job: ExportJob) -> bytes:
    with export_storage().open(job.file_path, "rb") as handle:
        return bytes(handle.read())


def _xlsx_text(value: Any) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, int | float):
        return str(Decimal(repr(float(value))).quantize(Decimal("0.01")))
    return str(value)


def test_the_revenue_deals_list_exports_every_deal_the_page_lists_with_its_columns(
    django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Professional, even split: Bob's deal is shared by two touches, one of them outside the
    campaign, so the campaign is credited half of its 134.00 EUR."""
    shop = _shop("professional")
    monkeypatch.setattr(attribution_views, "PAGE_SIZE", 1)
    listing, export = _urls(shop, "revenue")
    query = {"range": "all", "touch": "first", "model": "linear"}
    page = _page_rows(shop, django_capture_on_commit_callbacks, listing, query)
    page_html = shop.client("owner").get(listing, query).content.decode()
    assert f'action="{export}"' in page_html and 'name="range" value="all"' in page_html

    job = _export(shop, django_capture_on_commit_callbacks, export, {"format": "csv", **query})

    rows = read_csv(_content(job))
    assert rows == [HEADER, *page]
    assert rows[1:] == [
        ["Deal 1000.00", "2024-01-11", "1000.00", "EUR", "1000.00", "1000.00"],
        ["Ærø-aftale", "2024-01-13", "1000.00", "DKK", "134.00", "67.00"],
    ]
    assert job.filename.startswith("Forår på Ærø Deals with revenue ")


def test_the_revenue_attribution_deals_list_exports_the_pages_rows_under_the_chosen_model(
    django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Enterprise, first interaction: Bob's first touch is the campaign's, so it gets all of
    his deal; under last interaction it gets nothing of it and the deal is not listed."""
    shop = _shop("enterprise")
    monkeypatch.setattr(attribution_views, "PAGE_SIZE", 1)
    listing, export = _urls(shop, "revenue_attribution")
    query = {"range": "all", "model": "first_interaction"}
    page = _page_rows(shop, django_capture_on_commit_callbacks, listing, query)
    page_html = shop.client("owner").get(listing, query).content.decode()
    assert 'name="model" value="first_interaction"' in page_html

    job = _export(shop, django_capture_on_commit_callbacks, export, {"format": "xlsx", **query})

    workbook = load_workbook(io.BytesIO(_content(job)))
    sheet = workbook.worksheets[1]
    rows = [[_xlsx_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert rows == [HEADER, *page]
    assert rows[1:] == [
        ["Deal 1000.00", "2024-01-11", "1000.00", "EUR", "1000.00", "1000.00"],
        ["Ærø-aftale", "2024-01-13", "1000.00", "DKK", "134.00", "134.00"],
    ]
    about = [
        [str(v) for v in row if v is not None]
        for row in workbook["About"].iter_rows(values_only=True)
    ]
    assert ["Attribution model", "First interaction"] in about

    last = {**query, "model": "last_interaction", "format": "csv"}
    job = _export(shop, django_capture_on_commit_callbacks, export, last)
    assert [r[0] for r in read_csv(_content(job))[1:]] == ["Deal 1000.00"]


def test_viewers_get_403_and_no_export_form_on_the_deals_list() -> None:
    shop = _shop("professional")
    listing, export = _urls(shop, "revenue")
    assert shop.client("viewer").post(export, {"format": "csv"}).status_code == 403
    page = shop.client("viewer").get(listing).content.decode()
    assert page.count("drill-export") == 0 and export not in page
    assert shop.client("owner").get(export).status_code == 405
    assert not ExportJob.objects.for_workspace(shop.ws).exists()


def test_another_workspaces_user_and_another_report_get_404() -> None:
    shop = _shop("professional")
    _listing, export = _urls(shop, "revenue")
    assert shop.client("outsider").post(export, {"format": "csv"}).status_code == 404
    _listing, overview = _urls(shop, "overview")
    assert shop.client("owner").post(overview, {"format": "csv"}).status_code == 404
    assert not ExportJob.objects.for_workspace(shop.ws).exists()


def test_a_bad_format_or_a_report_outside_the_plan_goes_back_to_the_list_with_a_message() -> None:
    shop = _shop("professional")
    listing, export = _urls(shop, "revenue")
    owner = shop.client("owner")
    data = {"format": "ods", "range": "custom", "start": "2024-01-01", "end": "2024-01-31"}
    response = owner.post(export, data, follow=True)
    back = "range=custom&start=2024-01-01&end=2024-01-31&touch=first&model=linear&frequency=daily"
    assert response.redirect_chain[0][0] == f"{listing}?{back}"
    assert "Choose CSV, XLS, XLSX or PDF." in response.content.decode()

    _attributed, gated = _urls(shop, "revenue_attribution")
    response = owner.post(gated, {"format": "csv", "range": "all"}, follow=True)
    assert "Your plan does not include this list." in response.content.decode()
    assert not ExportJob.objects.for_workspace(shop.ws).exists()


def test_bad_filter_values_fall_back_to_the_lists_defaults_as_on_the_page(
    django_capture_on_commit_callbacks: Any,
) -> None:
    shop = _shop("professional")
    _listing, export = _urls(shop, "revenue")
    data = {"format": "csv", "range": "custom", "start": "2024-02-01", "end": "2024-01-01"}
    job = _export(shop, django_capture_on_commit_callbacks, export, data | {"model": "nope"})
    assert job.parameters["filters"]["range"] == "all"
    assert job.parameters["filters"]["model"] == "linear"
    assert len(read_csv(_content(job))) == 3  # both deals: the whole period
