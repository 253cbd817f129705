"""Whole-workspace reads on PostgreSQL as packed integers (attribution.packed): the same frames
as the text read, NULLs and unknown labels included."""

from __future__ import annotations

import pandas as pd
import pytest
from django.db import connection
from django.db.models import F, IntegerField, Value

from assets.models import Asset
from attribution import packed, selectors
from crm.models import Contact
from tests.reporting.helpers import asset, at, campaign, contact, touch, won_deal, workspace
from tracking.models import Interaction
from tracking.services import record_interaction
from workspaces.models import Workspace

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="packed reads are PostgreSQL's path"
    ),
]


@pytest.fixture
def ws() -> Workspace:
    return workspace(tier="enterprise")


def _every_kind_of_touch(ws: Workspace) -> None:
    """Touches with and without an asset, a campaign and a session source, from a web and an
    offline contact, on a winning and a losing A/B variant."""
    spring = campaign(ws, "Spring")
    page = asset(ws, "landing_page", "Page", spring, at(1))
    loose = asset(ws, "blog_post", "Loose", None, at(1))
    winner = asset(ws, "marketing_email", "Winner", spring, at(1))
    loser = asset(ws, "marketing_email", "Loser", spring, at(1))
    Asset.objects.filter(pk=winner.pk).update(ab_is_winner=True)
    Asset.objects.filter(pk=loser.pk).update(ab_is_winner=False)
    web = contact(ws, "web@x.test", at(9))
    offline = contact(ws, "imp@x.test", at(9), channel="import")
    touch(ws, web, page, at(2))
    touch(ws, web, loose, at(3))
    touch(ws, web, winner, at(4), "email_click")
    touch(ws, web, loser, at(4, 13), "email_click")
    touch(ws, offline, page, at(5), "form_submission")
    touch(ws, offline, loser, at(6), "email_open")
    for who, source in ((web, "paid_search"), (offline, "")):
        record_interaction(
            workspace=ws, type="meeting_booked", occurred_at=at(7), contact=who, source=source
        )
    won_deal(ws, [web, offline], "100.00", at(10))


def _text_frames(monkeypatch: pytest.MonkeyPatch, ws: Workspace, kind: str) -> object:
    with monkeypatch.context() as patch:
        patch.setattr(selectors, "_packed_touches", lambda *args, **kwargs: None)
        return selectors.conversion_frames(workspace=ws, kind=kind)


@pytest.mark.parametrize("large", [False, True], ids=["small", "large"])
@pytest.mark.parametrize("kind", ["contact_create", "deal_create", "revenue"])
def test_the_packed_read_gives_the_text_reads_frames_nulls_and_offline_sources_included(
    ws, monkeypatch, kind, large
) -> None:
    """Large workspaces are read with hash joins only: the same rows."""
    _every_kind_of_touch(ws)
    if large:
        monkeypatch.setattr(selectors, "LARGE_WORKSPACE_CONTACTS", 1)

    frames = selectors.conversion_frames(workspace=ws, kind=kind)
    text = _text_frames(monkeypatch, ws, kind)

    pd.testing.assert_frame_equal(frames.touches, text.touches)  # type: ignore[attr-defined]
    pd.testing.assert_frame_equal(frames.conversions, text.conversions)  # type: ignore[attr-defined]
    assert set(frames.touches["asset_type"]) >= {"", "landing_page"}
    assert set(frames.touches["source"]) >= {"", "paid_search", "offline_sources"}
    assert (frames.touches["asset_id"] == -1).any() and (frames.touches["campaign_id"] == -1).any()


def test_a_losing_ab_variant_is_read_but_never_counts(ws) -> None:
    _every_kind_of_touch(ws)
    loser = Asset.objects.get(name="Loser")

    touches = selectors.deal_frames(workspace=ws, kind="revenue").touches

    losing = touches[touches["asset_id"] == loser.pk]
    assert len(losing) == 2 and not losing["counts"].any()


def test_a_label_outside_the_choices_falls_back_to_the_text_read(ws) -> None:
    _every_kind_of_touch(ws)
    Asset.objects.filter(name="Loose").update(type="hologram")
    Interaction.objects.filter(type="meeting_booked", source="paid_search").update(
        source="carrier_pigeon"
    )
    rows = Interaction.objects.for_workspace(ws).filter(contact__isnull=False)

    assert selectors._packed_touches(rows) is None
    touches = selectors.contact_create_frames(workspace=ws).touches
    assert "hologram" in set(touches["asset_type"])
    assert "carrier_pigeon" in set(touches["source"])


def test_an_empty_workspace_reads_empty_frames_of_the_same_columns(ws, monkeypatch) -> None:
    frames = selectors.contact_create_frames(workspace=ws)
    contact(ws, "p@x.test", at(5))  # a conversion without touches
    with_contact = selectors.contact_create_frames(workspace=ws)
    text = _text_frames(monkeypatch, ws, "contact_create")

    assert frames.touches.empty and frames.conversions.empty
    assert list(frames.touches.columns) == selectors.TOUCH_COLUMNS
    assert with_contact.touches.empty and len(with_contact.conversions) == 1
    pd.testing.assert_frame_equal(with_contact.touches, text.touches)  # type: ignore[attr-defined]
    pd.testing.assert_frame_equal(with_contact.conversions, text.conversions)  # type: ignore[attr-defined]


def test_touches_come_back_by_conversion_time_then_touch_id(ws) -> None:
    page = asset(ws, "landing_page", "Page", None, at(1))
    first, second = contact(ws, "a@x.test", at(9)), contact(ws, "b@x.test", at(9))
    later = touch(ws, first, page, at(3))
    earlier = touch(ws, first, page, at(2))
    tie_a, tie_b = touch(ws, second, page, at(4)), touch(ws, second, page, at(4))

    touches = selectors.contact_create_frames(workspace=ws).touches

    assert touches["touch_id"].tolist() == [earlier.pk, later.pk, tie_a.pk, tie_b.pk]


def test_packed_integers_keep_their_sign_and_width(ws) -> None:
    person = contact(ws, "p@x.test", at(5))
    rows = Contact.objects.filter(pk=person.pk).annotate(
        small=Value(-2, output_field=IntegerField()), large=Value(-(2**40))
    )

    columns = packed.read_packed(
        rows.values_list("id", "small", "large"),
        [packed.Column("id", 8), packed.Column("small", 2), packed.Column("large", 8)],
    )

    assert {name: values.tolist() for name, values in columns.items()} == {
        "id": [person.pk],
        "small": [-2],
        "large": [-(2**40)],
    }


def test_a_null_in_a_packed_column_is_refused_not_dropped(ws) -> None:
    person = contact(ws, "p@x.test", at(5))
    touch(ws, person, asset(ws, "landing_page", "Page", None, at(1)), at(2))
    rows = Interaction.objects.for_workspace(ws).values_list("id", F("campaign_id"))

    with pytest.raises(packed.PackedReadError):
        packed.read_packed(rows, [packed.Column("id", 8), packed.Column("campaign", 8)])
