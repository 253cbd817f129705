"""Export jobs: the file's numbers are the Performance snapshots', a redelivered task delivers
once, SMTP trouble is retried, failures are stored and notified, expired files are deleted."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from smtplib import SMTPServerDisconnected
from typing import Any

import openpyxl
import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from exports import services
from exports.models import ExportJob, ExportStatus
from exports.storage import export_storage
from exports.tasks import delete_expired_export_files, run_export_job
from notifications.models import Notification, NotificationKind
from reporting.compute.periods import Period
from reporting.models import ReportKind, ReportSnapshot, SnapshotStatus
from reporting.services import ReportFilters, filters_key
from tests.exports.helpers import Shop, build_shop, export_dir, job_of  # noqa: F401
from workspaces.models import Membership

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("export_dir")]
ALL = ReportFilters(period=Period(None, None))


def _export(shop: Shop, capture: Any, **kwargs: Any) -> ExportJob:
    kwargs.setdefault("fmt", "csv")
    with capture(execute=True):
        job = services.request_campaign_export(
            campaign=shop.campaign, user=shop.owner, filters=kwargs.pop("filters", ALL), **kwargs
        )
    return job_of(job.pk)


def _file(job: ExportJob) -> bytes:
    with export_storage().open(job.file_path, "rb") as handle:
        return bytes(handle.read())


def _payload(shop: Shop, report: str, filters: ReportFilters = ALL) -> dict[str, Any]:
    snapshot = ReportSnapshot.objects.for_workspace(shop.ws).get(
        campaign=shop.campaign,
        report=report,
        filters_key=filters_key(filters.for_report(report)),
        status=SnapshotStatus.READY,
    )
    return dict(snapshot.payload)


def _csv_files(content: bytes) -> dict[str, list[list[str]]]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    return {
        name: list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
        for name in archive.namelist()
    }


def test_a_csv_export_holds_the_numbers_of_the_performance_snapshots(
    django_capture_on_commit_callbacks: Any,
) -> None:
    shop = build_shop()
    job = _export(shop, django_capture_on_commit_callbacks)
    assert job.status == ExportStatus.DONE and job.progress == 100
    assert job.filename.startswith("Forår på Ærø performance") and job.filename.endswith(".zip")

    files = _csv_files(_file(job))
    overview, revenue = _payload(shop, ReportKind.OVERVIEW), _payload(shop, ReportKind.REVENUE)
    assert files["01-overview.csv"] == [
        ["Metric", "Value", "Goal"],
        ["Sessions", str(overview["sessions"]["value"]), ""],
        ["New contacts (first touch)", str(overview["new_contacts"]["value"]), ""],
        ["Influenced contacts", str(overview["influenced_contacts"]["value"]), "5.00"],
    ]
    assert overview["new_contacts"]["value"] == 2  # hand-counted: Alice and Bob
    assert files["03-revenue.csv"][1] == ["Revenue (EUR)", revenue["revenue"], ""]
    assert revenue["revenue"] == "1000.00"  # both of Alice's interactions are the campaign's
    daily = files["02-contacts_sessions.csv"]
    assert daily[1:] == [["2024-01-02", "1", "1", "0"], ["2024-01-05", "1", "1", "0"]]
    forms = files["05-assets-form.csv"]
    header, (signup,) = forms[0], forms[1:]
    assert signup[0] == "Signup form"
    assert signup[header.index("Submissions")] == "1"  # Alice's one form submission
    assert signup[header.index("Contacts")] == "1"
    assert files["06-traffic.csv"][-1] == ["Total", "", "0", "0", "2"]


def test_an_xlsx_export_has_typed_cells_equal_to_the_report_payloads(
    django_capture_on_commit_callbacks: Any,
) -> None:
    shop = build_shop(tier="enterprise")
    job = _export(shop, django_capture_on_commit_callbacks, fmt="xlsx", model="first_interaction")
    workbook = openpyxl.load_workbook(io.BytesIO(_file(job)))
    sheets = {ws.title: list(ws.iter_rows(values_only=True)) for ws in workbook.worksheets}
    overview = next(rows for title, rows in sheets.items() if title.startswith("Overview"))
    assert overview[1] == ("Sessions", 0, None)
    assert overview[3][1] == _payload(shop, ReportKind.OVERVIEW)["influenced_contacts"]["value"]

    attribution = next(rows for title, rows in sheets.items() if title.startswith("Revenue att"))
    model_filters = ReportFilters(period=Period(None, None), model="first_interaction")
    payload = _payload(shop, ReportKind.REVENUE_ATTRIBUTION, model_filters)
    # First interaction: Alice's page view on day 2 gets the whole 1 000.00 EUR.
    assert Decimal(str(attribution[1][1])) == Decimal(payload["revenue"]) == Decimal("1000.00")
    assert attribution[2] == ("Deals", 1, None)
    assert not any(title.startswith("Revenue (") for title in sheets)  # Professional's report
    daily = next(rows for title, rows in sheets.items() if title.startswith("Contacts"))
    assert daily[1][0].date().isoformat() == "2024-01-02" and daily[1][1:] == (1, 1, 0)


def test_only_the_selected_reports_are_exported(django_capture_on_commit_callbacks: Any) -> None:
    shop = build_shop()
    job = _export(
        shop, django_capture_on_commit_callbacks, sections=[ReportKind.TRAFFIC, "overview"]
    )
    assert job.parameters["sections"] == ["overview", "traffic"]  # the tab's order
    assert sorted(_csv_files(_file(job))) == ["01-overview.csv", "02-traffic.csv"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"fmt": "docx"}, "format"),
        ({"sections": ["revenue_attribution"]}, "sections"),  # Enterprise only
        ({"sections": []}, "sections"),
    ],
)
def test_bad_export_requests_are_refused_naming_the_problem(
    kwargs: dict[str, Any], field: str
) -> None:
    shop = build_shop()
    kwargs.setdefault("fmt", "csv")
    with pytest.raises(ValidationError) as caught:
        services.request_campaign_export(
            campaign=shop.campaign, user=shop.owner, filters=ALL, **kwargs
        )
    assert field in caught.value.message_dict
    assert not ExportJob.objects.for_workspace(shop.ws).exists()


def test_titles_and_labels_are_in_the_language_of_the_person_who_asked(
    django_capture_on_commit_callbacks: Any,
) -> None:
    shop = build_shop()
    with translation.override("da"):
        job = _export(shop, django_capture_on_commit_callbacks, sections=["overview"])
    assert job.language == "da"
    rows = list(csv.reader(io.StringIO(_file(job).decode("utf-8-sig"))))
    with translation.override("da"):
        assert rows[0][0] == translation.gettext("Metric")
        assert rows[1][0] == translation.gettext("Sessions")
    assert mail.outbox[0].subject.endswith("Forår på Ærø")


def test_a_redelivered_task_makes_one_file_sends_one_email_and_one_notification(
    django_capture_on_commit_callbacks: Any,
) -> None:
    shop = build_shop()
    job = _export(shop, django_capture_on_commit_callbacks, sections=["overview"])
    first = (job.file_path, job.finished_at)
    for _attempt in range(2):  # the broker delivers the same message again
        assert run_export_job.apply(args=(job.pk, shop.ws.pk)).get() == "done"
    job = job_of(job.pk)
    assert (job.file_path, job.finished_at) == first
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["owner@shop.test"]
    notes = Notification.objects.for_workspace(shop.ws).filter(user=shop.owner)
    assert [n.kind for n in notes] == [NotificationKind.EXPORT_READY]
    assert notes[0].url.startswith("/w/shop/exports/download/")
    assert job.emailed_at is not None and job.notified_at is not None
    assert sorted(p.name for p in _files_of(shop)) == [f"export-{job.pk}.csv"]


def _files_of(shop: Shop) -> list[Path]:
    return list(Path(export_storage().path(str(shop.ws.pk))).iterdir())


def test_an_interrupted_job_is_made_again_but_a_running_one_is_left_to_its_worker(
    django_capture_on_commit_callbacks: Any,
) -> None:
    shop = build_shop()
    job = _export(shop, django_capture_on_commit_callbacks, sections=["overview"])
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.RUNNING, heartbeat_at=timezone.now(), notified_at=None
    )
    assert run_export_job.apply(args=(job.pk, shop.ws.pk)).get() == "not runnable"
    ExportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    assert run_export_job.apply(args=(job.pk, shop.ws.pk)).get() == "done"
    assert len(mail.outbox) == 1  # emailed the first time already
    assert Notification.objects.for_workspace(shop.ws).count() == 1


def test_smtp_failures_are_retried_and_the_email_then_goes_out_once(
    django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = build_shop()
    attempts: list[int] = []
    real_send = mail.EmailMultiAlternatives.send

    def flaky_send(self: Any, fail_silently: bool = False) -> int:
        attempts.append(1)
        if len(attempts) <= 2:
            raise SMTPServerDisconnected("connection unexpectedly closed")
        return int(real_send(self, fail_silently))

    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", flaky_send)
    assert run_export_job.retry_backoff is True and run_export_job.max_retries >= 3
    conf = run_export_job.app.conf
    saved, conf.task_eager_propagates = conf.task_eager_propagates, False
    try:  # as a worker does: a retry runs the task again instead of raising to the caller
        job = _export(shop, django_capture_on_commit_callbacks, sections=["overview"])
    finally:
        conf.task_eager_propagates = saved
    assert len(attempts) == 3 and len(mail.outbox) == 1
    job = job_of(job.pk)
    assert job.emailed_at is not None and job.status == ExportStatus.DONE
    assert Notification.objects.for_workspace(shop.ws).count() == 1


def test_a_failed_export_is_stored_with_its_reason_and_notified(
    django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    shop = build_shop()

    def broken(document: Any, fmt: str) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr("exports.formats.render", broken)
    job = _export(shop, django_capture_on_commit_callbacks, sections=["overview"])
    assert job.status == ExportStatus.FAILED and "disk full" in job.error
    assert not job.file_path
    note = Notification.objects.for_workspace(shop.ws).get(user=shop.owner)
    assert note.kind == NotificationKind.EXPORT_FAILED and note.url == f"/w/shop/exports/{job.pk}/"
    assert "could not be made" in mail.outbox[0].body


def test_notifications_follow_the_members_preferences(
    django_capture_on_commit_callbacks: Any,
) -> None:
    shop = build_shop()
    Membership.objects.filter(user=shop.owner).update(notify_email=False, notify_in_app=False)
    job = _export(shop, django_capture_on_commit_callbacks, sections=["overview"])
    assert job.status == ExportStatus.DONE
    assert mail.outbox == [] and job.emailed_at is None
    assert not Notification.objects.for_workspace(shop.ws).exists()


def test_the_beat_task_deletes_expired_files_and_keeps_fresh_ones(
    django_capture_on_commit_callbacks: Any,
) -> None:
    shop = build_shop()
    old = _export(shop, django_capture_on_commit_callbacks, sections=["overview"])
    fresh = _export(shop, django_capture_on_commit_callbacks, sections=["traffic"])
    ExportJob.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert delete_expired_export_files.apply().get() == 1
    assert not export_storage().exists(old.file_path)
    assert job_of(old.pk).file_path == ""
    assert export_storage().exists(fresh.file_path) and job_of(fresh.pk).file_path


def test_a_drill_down_export_lists_every_contact_behind_the_number(
    django_capture_on_commit_callbacks: Any,
) -> None:
    shop = build_shop()
    with django_capture_on_commit_callbacks(execute=True):
        job = services.request_drill_export(
            campaign=shop.campaign,
            user=shop.owner,
            fmt="csv",
            metric="new_contacts",
            filters=ALL,
        )
    job = job_of(job.pk)
    rows = list(csv.reader(io.StringIO(_file(job).decode("utf-8-sig"))))
    assert rows[0] == ["Email", "Name", "Created", "Lifecycle stage", "Original source"]
    assert [r[0] for r in rows[1:]] == ["alice@shop.test", "bob@shop.test"]
    assert job.filename.startswith("Forår på Ærø New contacts (first touch)")


def test_a_revenue_drill_export_has_each_credit_as_money(
    django_capture_on_commit_callbacks: Any,
) -> None:
    shop = build_shop()
    with django_capture_on_commit_callbacks(execute=True):
        job = services.request_drill_export(
            campaign=shop.campaign, user=shop.owner, fmt="csv", metric="revenue", filters=ALL
        )
    rows = list(csv.reader(io.StringIO(_file(job_of(job.pk)).decode("utf-8-sig"))))
    assert rows[0][-1] == "Credit (EUR)"
    assert [r[-1] for r in rows[1:]] == ["500.00", "500.00"]
    assert {r[4] for r in rows[1:]} == {"Deal 1000.00"}
