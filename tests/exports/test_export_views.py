"""The export dialog, the job page and the signed download link, as members and others see them.

Decided: marketers and admins export, viewers do not (read-only); a download link (and a job
page) works for every signed-in member of the job's workspace, viewers included, since every
member may see every campaign's reports; anyone else gets 404.
"""

from __future__ import annotations

import io
import time
import zipfile
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from exports.links import download_path, download_token
from exports.models import ExportJob, ExportStatus
from exports.views import ascii_filename
from tests.exports.helpers import PASSWORD, Shop, build_shop, export_dir, job_of  # noqa: F401
from workspaces.models import Membership

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("export_dir")]


def _dialog(shop: Shop) -> str:
    return reverse(
        "exports:campaign", kwargs={"workspace_slug": shop.ws.slug, "campaign_id": shop.campaign.pk}
    )


def _done_job(shop: Shop, capture: Any, **post: Any) -> ExportJob:
    data = {"format": "csv", "scope": "selected", "sections": ["overview"], "range": "all", **post}
    with capture(execute=True):
        response = shop.client("owner").post(_dialog(shop), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ExportJob.objects.for_workspace(shop.ws).latest("pk")
    assert response["Location"] == f"/w/{shop.ws.slug}/exports/{job.pk}/"
    return job_of(job.pk)


def test_viewers_cannot_export_and_see_no_export_action() -> None:
    shop = build_shop()
    viewer = shop.client("viewer")
    assert viewer.get(_dialog(shop)).status_code == 403
    assert viewer.post(_dialog(shop), {"format": "csv", "scope": "all"}).status_code == 403
    detail = reverse(
        "campaigns:detail", kwargs={"workspace_slug": "shop", "campaign_id": shop.campaign.pk}
    )
    assert _dialog(shop) not in viewer.get(detail).content.decode()
    assert not ExportJob.objects.for_workspace(shop.ws).exists()


def test_the_campaign_and_performance_pages_offer_actions_export_with_the_filters() -> None:
    shop = build_shop()
    owner = shop.client("owner")
    detail = reverse(
        "campaigns:detail", kwargs={"workspace_slug": "shop", "campaign_id": shop.campaign.pk}
    )
    assert f'href="{_dialog(shop)}"' in owner.get(detail).content.decode()
    performance = reverse(
        "reporting:performance", kwargs={"workspace_slug": "shop", "campaign_id": shop.campaign.pk}
    )
    page = owner.get(performance + "?range=last_30_days&touch=last").content.decode()
    assert f"{_dialog(shop)}?range=last_30_days&amp;touch=last" in page


def test_the_dialog_offers_formats_and_a_checkbox_per_report_of_the_tier() -> None:
    professional = build_shop()
    page = professional.client("owner").get(_dialog(professional)).content.decode()
    for fmt in ("csv", "xls", "xlsx", "pdf"):
        assert f'value="{fmt}"' in page
    assert 'name="sections" value="revenue"' in page
    assert 'value="revenue_attribution"' not in page and 'name="model"' in page  # hidden only
    assert '<select name="model"' not in page

    enterprise = build_shop(tier="enterprise", slug="big")
    page = enterprise.client("owner").get(_dialog(enterprise) + "?model=u_shaped").content.decode()
    assert 'name="sections" value="revenue_attribution"' in page
    assert '<option value="u_shaped" selected>' in page


def test_a_member_with_notifications_off_is_told_before_exporting() -> None:
    shop = build_shop()
    assert (
        "export-notifications-off" not in shop.client("owner").get(_dialog(shop)).content.decode()
    )
    Membership.objects.filter(user=shop.owner).update(notify_email=False, notify_in_app=False)
    page = shop.client("owner").get(_dialog(shop)).content.decode()
    assert "export-notifications-off" in page and "nothing will tell you" in page


def test_only_selected_data_without_a_report_is_refused_and_nothing_is_queued() -> None:
    shop = build_shop()
    response = shop.client("owner").post(
        _dialog(shop), {"format": "csv", "scope": "selected", "range": "all"}
    )
    assert response.status_code == 200
    assert "Tick at least one report" in response.content.decode()
    response = shop.client("owner").post(_dialog(shop), {"format": "ods", "scope": "all"})
    assert "Choose CSV, XLS, XLSX or PDF." in response.content.decode()
    assert not ExportJob.objects.for_workspace(shop.ws).exists()


def test_the_custom_date_range_and_model_travel_with_the_export(
    django_capture_on_commit_callbacks: Any,
) -> None:
    shop = build_shop(tier="enterprise")
    page = (
        shop.client("owner")
        .get(_dialog(shop) + "?range=custom&start=2024-01-01&end=2024-01-03")
        .content.decode()
    )
    assert 'name="start" value="2024-01-01"' in page and 'name="end" value="2024-01-03"' in page
    job = _done_job(
        shop,
        django_capture_on_commit_callbacks,
        range="custom",
        start="2024-01-01",
        end="2024-01-03",
        model="last_interaction",
        sections=["overview", "revenue_attribution"],
    )
    assert job.parameters["filters"] == {
        "range": "custom",
        "start": "2024-01-01",
        "end": "2024-01-03",
        "touch": "first",
        "model": "last_interaction",
    }
    content = b"".join(shop.client("owner").get(download_path(job, workspace_slug="shop")))
    overview = zipfile.ZipFile(io.BytesIO(content)).read("01-overview.csv").decode("utf-8-sig")
    assert "New contacts (first touch),1," in overview  # Bob arrived on day 5


def test_the_job_page_polls_while_running_and_links_the_file_when_done(
    django_capture_on_commit_callbacks: Any,
) -> None:
    shop = build_shop()
    queued = ExportJob.objects.create(
        workspace=shop.ws, user=shop.owner, kind="campaign", campaign=shop.campaign, progress=40
    )
    url = f"/w/shop/exports/{queued.pk}/"
    page = shop.client("owner").get(url).content.decode()
    assert 'hx-trigger="every 1s"' in page and 'aria-valuenow="40"' in page
    fragment = shop.client("owner").get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and 'id="export-status"' in fragment

    job = _done_job(shop, django_capture_on_commit_callbacks)
    page = shop.client("owner").get(f"/w/shop/exports/{job.pk}/").content.decode()
    assert "every 1s" not in page and 'id="export-download"' in page
    assert "/w/shop/exports/download/" in page


def test_a_drill_down_list_exports_all_its_rows_for_editors_only(
    django_capture_on_commit_callbacks: Any,
) -> None:
    shop = build_shop()
    url = reverse(
        "exports:drill",
        kwargs={"workspace_slug": "shop", "campaign_id": shop.campaign.pk, "metric": "sessions"},
    )
    listing = url.removesuffix("export/")
    assert f'action="{url}"' in shop.client("owner").get(listing).content.decode()
    assert shop.client("viewer").post(url, {"format": "csv"}).status_code == 403
    assert shop.client("owner").get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = shop.client("owner").post(url, {"format": "xlsx", "range": "all"})
    job = ExportJob.objects.for_workspace(shop.ws).get()
    assert response["Location"] == f"/w/shop/exports/{job.pk}/"
    assert job_of(job.pk).status == ExportStatus.DONE


# --- The download link -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("who", "status"),
    [("owner", 200), ("colleague", 200), ("viewer", 200), ("outsider", 404)],
)
def test_the_download_link_works_only_for_members_of_the_workspace(
    who: str, status: int, django_capture_on_commit_callbacks: Any
) -> None:
    shop = build_shop()
    job = _done_job(shop, django_capture_on_commit_callbacks)
    response = shop.client(who).get(download_path(job, workspace_slug="shop"))
    assert response.status_code == status
    if status == 200:
        assert b"".join(response).decode("utf-8-sig").startswith("Metric,Value,Goal")


def test_the_file_is_an_attachment_with_a_safe_name_that_is_never_cached(
    django_capture_on_commit_callbacks: Any,
) -> None:
    shop = build_shop()
    job = _done_job(shop, django_capture_on_commit_callbacks)
    response = shop.client("owner").get(download_path(job, workspace_slug="shop"))
    day = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="Forar pa r performance {day}.csv"; '
        f"filename*=UTF-8''{quote(f'Forår på Ærø performance {day}.csv', safe='')}"
    )
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert ascii_filename('"; evil=1\r\n.csv') == "evil_1_.csv"


def test_another_workspaces_link_and_tampered_tokens_are_404(
    django_capture_on_commit_callbacks: Any,
) -> None:
    shop = build_shop()
    other = build_shop(slug="rival")
    job = _done_job(other, django_capture_on_commit_callbacks)
    owner = shop.client("owner")
    # A genuine link of the rival's job, opened under the owner's own workspace: 404.
    assert owner.get(download_path(job, workspace_slug="shop")).status_code == 404
    token = download_token(job)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in (tampered, "not-a-token", token.replace(":", "x", 1)):
        url = reverse("exports:download", kwargs={"workspace_slug": "rival", "token": bad})
        assert other.client("owner").get(url).status_code == 404


def test_an_expired_link_or_file_shows_the_export_again_page(
    django_capture_on_commit_callbacks: Any,
) -> None:
    shop = build_shop()
    job = _done_job(shop, django_capture_on_commit_callbacks)
    real_time = time.time
    try:  # a link signed eight days ago
        time.time = lambda: real_time() - 8 * 24 * 3600
        old_link = download_path(job, workspace_slug="shop")
    finally:
        time.time = real_time
    response = shop.client("owner").get(old_link)
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert _dialog(shop) in response.content.decode()

    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert shop.client("owner").get(download_path(job, workspace_slug="shop")).status_code == 410
    # Expired links of another workspace stay 404: nothing says the job exists.
    assert shop.client("outsider").get(old_link).status_code == 404


def test_a_logged_out_person_signs_in_and_then_gets_the_file(
    django_capture_on_commit_callbacks: Any,
) -> None:
    shop = build_shop()
    job = _done_job(shop, django_capture_on_commit_callbacks)
    link = download_path(job, workspace_slug="shop")
    browser = Client()
    response = browser.get(link)
    assert response.status_code == 302
    login = reverse("account_login")
    assert response["Location"] == f"{login}?next={quote(link, safe='/')}"
    signed_in = browser.post(
        response["Location"], {"login": "owner@shop.test", "password": PASSWORD}
    )
    assert signed_in.status_code == 302 and signed_in["Location"] == link
    file = browser.get(signed_in["Location"])
    assert file.status_code == 200
    assert file["Content-Disposition"].startswith("attachment;")
