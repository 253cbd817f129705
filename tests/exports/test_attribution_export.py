"""The Attribution tab's export: a name and a format; the file holds the tab's computed table."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from exports import services
from exports.models import ExportJob, ExportStatus
from exports.storage import export_storage
from reporting.attribution import attribution_result
from reporting.definitions import AttributionDefinition
from tests.exports.helpers import build_shop, export_dir, job_of  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("export_dir")]
REVENUE = AttributionDefinition(conversion="revenue", models=("linear", "first_interaction"))


def test_the_attribution_export_holds_each_models_credit_and_amount_of_the_tab(
    django_capture_on_commit_callbacks: Any,
) -> None:
    shop = build_shop(tier="enterprise")
    with django_capture_on_commit_callbacks(execute=True):
        job = services.request_attribution_export(
            campaign=shop.campaign,
            user=shop.owner,
            fmt="csv",
            name="Q1 for the board",
            definition=REVENUE,
        )
    job = job_of(job.pk)
    assert job.status == ExportStatus.DONE, job.error
    assert job.filename.startswith("Q1 for the board ")
    with export_storage().open(job.file_path, "rb") as handle:
        rows = list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig"))))
    today = timezone.localdate(timezone=shop.ws.tz)
    payload = attribution_result(campaign=shop.campaign, definition=REVENUE, today=today)
    assert rows[0] == [
        "Campaign asset",
        "Linear: credit",
        "Linear: amount (EUR)",
        "First interaction: credit",
        "First interaction: amount (EUR)",
    ]
    by_name = {row[0]: row for row in rows[1:]}
    for row in payload["rows"]:
        shown = by_name[row["name"]]
        assert Decimal(shown[1]) == Decimal(str(row["credit"]["linear"]))
        assert shown[2] == row["amount"]["linear"]
        assert shown[4] == row["amount"]["first_interaction"]
    assert rows[-1][0] == "Total" and rows[-1][2] == payload["totals"]["amount"]["linear"]
    # Hand-computed: Alice's deal of 1 000.00, both of her touches the campaign's.
    assert payload["totals"]["amount"]["linear"] == "1000.00"


def test_an_attribution_export_needs_a_name_and_the_tier(
    django_capture_on_commit_callbacks: Any,
) -> None:
    shop = build_shop()  # Professional: no revenue report
    with pytest.raises(ValidationError) as caught:
        services.request_attribution_export(
            campaign=shop.campaign, user=shop.owner, fmt="csv", name="  ", definition=REVENUE
        )
    assert "name" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.request_attribution_export(
            campaign=shop.campaign, user=shop.owner, fmt="csv", name="X", definition=REVENUE
        )
    assert "conversion" in caught.value.message_dict
    assert not ExportJob.objects.for_workspace(shop.ws).exists()


def test_the_attribution_export_dialog_carries_the_tabs_definition(
    django_capture_on_commit_callbacks: Any,
) -> None:
    shop = build_shop(tier="enterprise")
    url = f"/w/shop/campaigns/{shop.campaign.pk}/attribution/export/"
    assert shop.client("viewer").get(url).status_code == 403
    page = shop.client("owner").get(url + "?conversion=revenue&models=u_shaped&models=linear")
    body = page.content.decode()
    assert '<input type="hidden" name="models" value="u_shaped">' in body
    assert '<input type="hidden" name="conversion" value="revenue">' in body
    data = {"name": "Board", "format": "csv", "conversion": "revenue", "models": ["u_shaped"]}
    with django_capture_on_commit_callbacks(execute=True):
        response = shop.client("owner").post(url, data)
    job = ExportJob.objects.for_workspace(shop.ws).get()
    assert response["Location"] == f"/w/shop/exports/{job.pk}/"
    assert job.parameters["definition"]["models"] == ["u_shaped"]
    assert job_of(job.pk).status == ExportStatus.DONE
