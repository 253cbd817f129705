"""Contact and deal services: the rules a user would notice when they break."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from crm.models import (
    Contact,
    CreationChannel,
    Deal,
    DealContact,
    DealStage,
    LifecycleStage,
    LifecycleStageChange,
    TrafficSource,
)
from crm.selectors import contact_by_email, deal_contacts, stage_at, stage_history
from crm.services import (
    NewContact,
    NewDeal,
    associate_contact_with_deal,
    bulk_create_contacts,
    bulk_create_deals,
    close_deal,
    create_contact,
    create_deal,
    set_lifecycle_stage,
)
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db


@pytest.fixture
def ws() -> Workspace:
    return Workspace.objects.create(name="Nordlys", slug="nordlys")


@pytest.fixture
def other() -> Workspace:
    return Workspace.objects.create(name="Elsewhere", slug="elsewhere")


def _contact(ws: Workspace, email: str = "ida@fjord.example", **kwargs: Any) -> Contact:
    return create_contact(
        workspace=ws, email=email, created_at=kwargs.pop("created_at", timezone.now()), **kwargs
    )


def _version(ws: Workspace) -> int:
    return Workspace.objects.get(pk=ws.pk).data_version


# --- contacts ----------------------------------------------------------------------------------
def test_a_new_contact_starts_its_lifecycle_history(ws: Workspace) -> None:
    contact = _contact(ws, lifecycle_stage=LifecycleStage.LEAD)
    history = list(stage_history(workspace=ws, contact_id=contact.pk))
    assert [(h.stage, h.changed_at) for h in history] == [("lead", contact.created_at)]


def test_an_email_differing_only_in_case_is_refused_with_a_message_naming_it(ws: Workspace) -> None:
    _contact(ws, "Ida.Jensen@Fjord.example")
    with pytest.raises(ValidationError) as caught:
        _contact(ws, "ida.jensen@fjord.EXAMPLE")
    assert "ida.jensen@fjord.EXAMPLE" in caught.value.message_dict["email"][0]
    assert Contact.objects.for_workspace(ws).count() == 1


def test_the_same_email_may_exist_in_another_workspace(ws: Workspace, other: Workspace) -> None:
    _contact(ws, "ida@fjord.example")
    _contact(other, "IDA@fjord.example")
    assert contact_by_email(workspace=other, email="ida@FJORD.example") is not None


def test_an_invalid_email_is_refused(ws: Workspace) -> None:
    with pytest.raises(ValidationError) as caught:
        _contact(ws, "not-an-address")
    assert "not-an-address" in caught.value.message_dict["email"][0]


@pytest.mark.parametrize(
    "channel", [CreationChannel.IMPORT, CreationChannel.API, CreationChannel.MANUAL]
)
def test_offline_channels_get_the_offline_source(ws: Workspace, channel: str) -> None:
    contact = _contact(ws, channel=channel)
    assert contact.original_source == TrafficSource.OFFLINE_SOURCES


def test_an_imported_contact_cannot_claim_a_session_source(ws: Workspace) -> None:
    with pytest.raises(ValidationError, match="Offline"):
        _contact(ws, channel=CreationChannel.IMPORT, original_source=TrafficSource.PAID_SEARCH)


def test_a_web_form_contact_cannot_claim_the_offline_source(ws: Workspace) -> None:
    with pytest.raises(ValidationError, match="offline"):
        _contact(ws, original_source=TrafficSource.OFFLINE_SOURCES)


def test_a_web_form_contact_keeps_its_session_source(ws: Workspace) -> None:
    contact = _contact(ws, original_source=TrafficSource.ORGANIC_SEARCH)
    assert contact.original_source == "organic_search"


def test_a_naive_creation_time_is_refused(ws: Workspace) -> None:
    with pytest.raises(ValidationError, match="time zone"):
        _contact(ws, created_at=timezone.now().replace(tzinfo=None))


def test_creating_a_contact_bumps_the_data_version(ws: Workspace) -> None:
    before = _version(ws)
    _contact(ws)
    assert _version(ws) == before + 1


# --- lifecycle ---------------------------------------------------------------------------------
def test_stage_changes_are_kept_in_history(ws: Workspace) -> None:
    start = timezone.now() - timedelta(days=10)
    contact = _contact(ws, created_at=start, lifecycle_stage=LifecycleStage.LEAD)
    set_lifecycle_stage(contact=contact, stage=LifecycleStage.MQL, at=start + timedelta(days=2))
    set_lifecycle_stage(contact=contact, stage=LifecycleStage.SQL, at=start + timedelta(days=5))
    contact.refresh_from_db()
    assert contact.lifecycle_stage == LifecycleStage.SQL
    stages = list(
        stage_history(workspace=ws, contact_id=contact.pk).values_list("stage", flat=True)
    )
    assert stages == ["lead", "marketingqualifiedlead", "salesqualifiedlead"]
    assert (
        stage_at(workspace=ws, contact_id=contact.pk, at=start + timedelta(days=3))
        == "marketingqualifiedlead"
    )


def test_a_backdated_change_is_history_but_not_the_current_stage(ws: Workspace) -> None:
    start = timezone.now() - timedelta(days=10)
    contact = _contact(ws, created_at=start)
    set_lifecycle_stage(contact=contact, stage=LifecycleStage.SQL, at=start + timedelta(days=5))
    set_lifecycle_stage(contact=contact, stage=LifecycleStage.LEAD, at=start + timedelta(days=1))
    contact.refresh_from_db()
    assert contact.lifecycle_stage == LifecycleStage.SQL
    assert LifecycleStageChange.objects.for_workspace(ws).filter(contact=contact).count() == 3


def test_a_stage_change_before_the_contact_existed_is_refused(ws: Workspace) -> None:
    contact = _contact(ws)
    with pytest.raises(ValidationError, match="before the contact was created"):
        set_lifecycle_stage(
            contact=contact, stage=LifecycleStage.LEAD, at=contact.created_at - timedelta(hours=1)
        )


def test_moving_to_the_current_stage_again_records_nothing(ws: Workspace) -> None:
    contact = _contact(ws)
    assert set_lifecycle_stage(contact=contact, stage="subscriber", at=timezone.now()) is None


def test_an_unknown_stage_is_refused(ws: Workspace) -> None:
    contact = _contact(ws)
    with pytest.raises(ValidationError, match="champion"):
        set_lifecycle_stage(contact=contact, stage="champion", at=timezone.now())


# --- deals -------------------------------------------------------------------------------------
def test_a_deal_is_created_with_its_contacts(ws: Workspace) -> None:
    contact = _contact(ws, created_at=timezone.now() - timedelta(days=3))
    deal = create_deal(
        workspace=ws,
        name="Fjord - Team plan",
        amount=Decimal("1200.50"),
        currency="dkk",
        created_at=timezone.now() - timedelta(days=1),
        contacts=[contact],
    )
    assert deal.currency == "DKK"
    assert [link.contact for link in deal_contacts(workspace=ws, deal_id=deal.pk)] == [contact]


def test_a_closed_deal_needs_a_close_date_not_before_its_creation(ws: Workspace) -> None:
    now = timezone.now()
    with pytest.raises(ValidationError, match="close date"):
        create_deal(
            workspace=ws,
            name="X",
            amount=Decimal(1),
            currency="EUR",
            created_at=now,
            stage=DealStage.CLOSED_WON,
        )
    with pytest.raises(ValidationError, match="cannot close before"):
        create_deal(
            workspace=ws,
            name="X",
            amount=Decimal(1),
            currency="EUR",
            created_at=now,
            stage=DealStage.CLOSED_LOST,
            closed_at=now - timedelta(days=1),
        )
    assert not Deal.objects.for_workspace(ws).exists()


def test_a_negative_amount_or_bad_currency_is_refused(ws: Workspace) -> None:
    with pytest.raises(ValidationError, match="negative"):
        create_deal(
            workspace=ws, name="X", amount=Decimal(-5), currency="EUR", created_at=timezone.now()
        )
    with pytest.raises(ValidationError, match="ISO 4217"):
        create_deal(
            workspace=ws, name="X", amount=Decimal(5), currency="euro", created_at=timezone.now()
        )


def test_closing_a_deal_sets_stage_and_date_once(ws: Workspace) -> None:
    created = timezone.now() - timedelta(days=5)
    deal = create_deal(
        workspace=ws, name="X", amount=Decimal(10), currency="EUR", created_at=created
    )
    close_deal(deal=deal, won=True, at=created + timedelta(days=2))
    deal.refresh_from_db()
    assert (deal.stage, deal.closed_at) == (DealStage.CLOSED_WON, created + timedelta(days=2))
    with pytest.raises(ValidationError, match="already closed"):
        close_deal(deal=deal, won=False, at=created + timedelta(days=3))


def test_a_contact_can_join_a_deal_after_it_closed_but_not_before_it_existed(ws: Workspace) -> None:
    created = timezone.now() - timedelta(days=5)
    deal = create_deal(
        workspace=ws, name="X", amount=Decimal(10), currency="EUR", created_at=created
    )
    close_deal(deal=deal, won=True, at=created + timedelta(days=1))
    late = _contact(ws, "late@fjord.example", created_at=created - timedelta(days=1))
    link = associate_contact_with_deal(deal=deal, contact=late, at=created + timedelta(days=3))
    assert deal.closed_at is not None and link.associated_at > deal.closed_at
    early = _contact(ws, "early@fjord.example", created_at=created - timedelta(days=1))
    with pytest.raises(ValidationError, match="before the deal existed"):
        associate_contact_with_deal(deal=deal, contact=early, at=created - timedelta(hours=1))
    with pytest.raises(ValidationError, match="already associated"):
        associate_contact_with_deal(deal=deal, contact=late, at=created + timedelta(days=4))


def test_a_contact_of_another_workspace_cannot_join_a_deal(ws: Workspace, other: Workspace) -> None:
    deal = create_deal(
        workspace=ws, name="X", amount=Decimal(10), currency="EUR", created_at=timezone.now()
    )
    foreign = _contact(other, created_at=timezone.now() - timedelta(days=1))
    with pytest.raises(ValidationError, match="another workspace"):
        associate_contact_with_deal(deal=deal, contact=foreign, at=timezone.now())
    assert not DealContact.objects.filter(deal=deal).exists()


# --- bulk --------------------------------------------------------------------------------------
def test_bulk_contacts_are_all_or_nothing_and_name_the_bad_row(ws: Workspace) -> None:
    now = timezone.now()
    rows = [
        NewContact(email="a@x.example", created_at=now),
        NewContact(email="b@x.example", created_at=now, channel=CreationChannel.API),
        NewContact(email="A@X.example", created_at=now),
    ]
    with pytest.raises(ValidationError, match="Row 3"):
        bulk_create_contacts(workspace=ws, rows=rows)
    assert not Contact.objects.for_workspace(ws).exists()


def test_bulk_contacts_store_sources_and_full_stage_history(ws: Workspace) -> None:
    now = timezone.now()
    ids = bulk_create_contacts(
        workspace=ws,
        rows=[
            NewContact(
                email="a@x.example",
                created_at=now - timedelta(days=9),
                original_source=TrafficSource.PAID_SOCIAL,
                original_source_detail_1="facebook",
                stage_history=(
                    ("lead", now - timedelta(days=9)),
                    ("customer", now - timedelta(days=1)),
                ),
            ),
            NewContact(email="b@x.example", created_at=now, channel=CreationChannel.IMPORT),
        ],
    )
    a, b = (Contact.objects.get(pk=i) for i in ids)
    assert (a.original_source, a.lifecycle_stage) == ("paid_social", "customer")
    assert (b.original_source, b.lifecycle_stage) == ("offline_sources", "subscriber")
    assert LifecycleStageChange.objects.for_workspace(ws).count() == 3


def test_bulk_contacts_refuse_an_email_already_stored(ws: Workspace) -> None:
    _contact(ws, "taken@x.example")
    with pytest.raises(ValidationError, match=r"Row 1: .*TAKEN@x.example already exists"):
        bulk_create_contacts(
            workspace=ws, rows=[NewContact(email="TAKEN@x.example", created_at=timezone.now())]
        )


def test_bulk_deals_refuse_a_contact_of_another_workspace(ws: Workspace, other: Workspace) -> None:
    foreign = _contact(other, created_at=timezone.now() - timedelta(days=1))
    row = NewDeal(
        name="X",
        amount=Decimal(10),
        currency="EUR",
        created_at=timezone.now(),
        contacts=((foreign.pk, timezone.now()),),
    )
    with pytest.raises(ValidationError, match=r"Row 1: contact .* does not exist"):
        bulk_create_deals(workspace=ws, rows=[row])
    assert not Deal.objects.for_workspace(ws).exists()


def test_bulk_deals_store_associations_with_their_times(ws: Workspace) -> None:
    now = timezone.now()
    contact = _contact(ws, created_at=now - timedelta(days=10))
    (deal_id,) = bulk_create_deals(
        workspace=ws,
        rows=[
            NewDeal(
                name="X",
                amount=Decimal("99.999"),
                currency="EUR",
                created_at=now - timedelta(days=5),
                stage=DealStage.CLOSED_WON,
                closed_at=now - timedelta(days=1),
                contacts=((contact.pk, now - timedelta(days=4)),),
            )
        ],
    )
    deal = Deal.objects.get(pk=deal_id)
    assert deal.amount == Decimal("100.00")
    assert DealContact.objects.get(deal=deal).associated_at == now - timedelta(days=4)
