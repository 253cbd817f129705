"""Stored attribution inputs and credits: the frames, the columnar blobs, the task, clean-up."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from django.utils import timezone

from attribution import selectors, services
from attribution.models import AttributionInputs, CreditRun
from attribution.storage import pack_frame, unpack_frame
from attribution.tasks import compute_credit_run, delete_stale_credit_runs
from tests.reporting.helpers import asset, at, campaign, contact, touch, won_deal, workspace
from workspaces.models import Workspace
from workspaces.services import bump_data_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def ws() -> Workspace:
    return workspace(tier="enterprise")


def test_a_packed_frame_comes_back_identical() -> None:
    frame = pd.DataFrame(
        {
            "id": np.array([3, 1, 2], dtype=np.int64),
            "credit": [0.5, 0.25, 0.25],
            "at": pd.to_datetime(
                pd.Series(["2024-01-01T10:00Z", None, "2024-02-01T00:00:00.000001Z"]),
                format="ISO8601",
            ),
            "source": ["organic_search", "", "email_marketing"],
            "counts": [True, False, True],
        }
    )
    back = unpack_frame(pack_frame(frame))
    pd.testing.assert_frame_equal(back, frame, check_dtype=False)
    assert back["at"].isna().tolist() == [False, True, False]


def test_a_packed_frame_keeps_integers_of_every_width_as_int64() -> None:
    frame = pd.DataFrame(
        {
            "code": np.array([-1, 0, 127], dtype=np.int64),
            "asset_id": np.array([-1, 300, 2535], dtype=np.int64),
            "touch_id": np.array([1, 70_000, 2**31 - 1], dtype=np.int64),
            "at": np.array([-(2**62), 0, 2**40], dtype=np.int64),
            "type": ["page_view", "page_view", "form_submission"],
        }
    )
    back = unpack_frame(pack_frame(frame))
    pd.testing.assert_frame_equal(back, frame)
    assert (back.dtypes[:4] == np.int64).all()


def test_a_frame_packed_with_eight_byte_integers_still_reads(monkeypatch) -> None:
    """Blobs stored before integers were narrowed (int64 columns, int32 text codes)."""
    frame = pd.DataFrame({"id": np.array([5, -1], dtype=np.int64), "source": ["", "direct"]})
    monkeypatch.setattr("attribution.storage._narrowest", lambda values: np.dtype("<i8"))
    old = pack_frame(frame)
    monkeypatch.undo()
    assert b'"dtype": "<i8"' in old and b'"dtype": "<i8"' not in pack_frame(frame)
    pd.testing.assert_frame_equal(unpack_frame(old), frame)


def test_contact_touches_carry_their_dimensions_and_an_offline_source(ws) -> None:
    spring = campaign(ws, "Spring")
    page = asset(ws, "landing_page", "Page", spring, at(1))
    flow = asset(ws, "workflow", "Flow", spring, at(1))
    person = contact(ws, "imp@x.test", at(5), channel="import")
    touch(ws, person, page, at(2))
    touch(ws, person, flow, at(3), "workflow_enrollment")  # never counts: not loaded

    frames = selectors.contact_create_frames(workspace=ws)

    (row,) = frames.touches.to_dict("records")
    assert (row["asset_type"], row["type"], row["campaign_id"]) == (
        "landing_page",
        "page_view",
        spring.pk,
    )
    assert row["source"] == "offline_sources" and row["counts"]


def test_a_deal_that_cannot_be_converted_is_named_not_dropped_silently(ws) -> None:
    buyer = contact(ws, "b@x.test", at(1))
    won_deal(ws, [buyer], "100.00", at(10), currency="SEK")
    frames = selectors.deal_frames(workspace=ws, kind="revenue")
    assert frames.conversions.empty
    ((_deal, message),) = frames.problems.items()
    assert "SEK" in message


def test_revenue_frames_keep_every_interaction_and_mark_the_counting_ones(ws) -> None:
    spring = campaign(ws, "Spring")
    mail = asset(ws, "marketing_email", "Mail", spring, at(1))
    buyer = contact(ws, "b@x.test", at(1))
    touch(ws, buyer, mail, at(2), "email_open")
    touch(ws, buyer, mail, at(3), "email_click")
    won_deal(ws, [buyer], "100.00", at(10))

    frames = selectors.deal_frames(workspace=ws, kind="revenue")

    assert frames.touches[["type", "counts"]].values.tolist() == [
        ["email_open", False],
        ["email_click", True],
    ]
    assert frames.conversions["value"].tolist() == [100.0]


def test_the_task_stores_a_run_once_and_skips_a_stale_version(ws) -> None:
    person = contact(ws, "p@x.test", at(5))
    touch(ws, person, asset(ws, "landing_page", "Page", None, at(1)), at(2))
    version = services.current_version(ws)

    assert compute_credit_run(ws.pk, version, "contact_create", "markov") == "ready"
    assert compute_credit_run(ws.pk, version, "contact_create", "markov") == "skipped"
    assert compute_credit_run(ws.pk, version - 1, "contact_create", "markov") == "skipped"
    (run,) = CreditRun.objects.for_workspace(ws)
    credits = unpack_frame(run.credits)
    assert credits[["conversion_id", "credit"]].values.tolist() == [[person.pk, 1.0]]
    assert AttributionInputs.objects.for_workspace(ws).count() == 1


def test_a_settings_change_computes_new_credits(ws) -> None:
    person = contact(ws, "p@x.test", at(5))
    page = asset(ws, "landing_page", "Page", None, at(1))
    touch(ws, person, page, at(1))
    touch(ws, person, page, at(4))
    first = services.credits(workspace=ws, kind="contact_create", models=["time_decay"])
    ws.half_life_days = Decimal("1")
    ws.save()
    second = services.credits(workspace=ws, kind="contact_create", models=["time_decay"])

    # Days before creation 4 and 1: weights 2^(-4/h) and 2^(-1/h).
    assert first["time_decay"]["credit"].round(6).tolist() == [
        round(2 ** (-4 / 7) / (2 ** (-4 / 7) + 2 ** (-1 / 7)), 6),
        round(2 ** (-1 / 7) / (2 ** (-4 / 7) + 2 ** (-1 / 7)), 6),
    ]
    assert second["time_decay"]["credit"].round(6).tolist() == [round(1 / 9, 6), round(8 / 9, 6)]
    assert CreditRun.objects.for_workspace(ws).count() == 2


def test_runs_of_an_older_data_version_are_deleted_after_an_hour(ws) -> None:
    services.credits(workspace=ws, kind="contact_create", models=["linear"])
    bump_data_version(ws.pk)
    services.credits(workspace=ws, kind="contact_create", models=["linear"])
    CreditRun.objects.for_workspace(ws).update(requested_at=timezone.now() - timedelta(hours=2))
    AttributionInputs.objects.for_workspace(ws).update(
        requested_at=timezone.now() - timedelta(hours=2)
    )

    assert delete_stale_credit_runs() == 2
    assert list(CreditRun.objects.for_workspace(ws).values_list("data_version", flat=True)) == [
        services.current_version(ws)
    ]
