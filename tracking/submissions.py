"""Form submissions: the contact (created or updated by email), the visitor's identification and
the form-submission interaction, in one transaction.

Rules (SPEC §3.2, §4.1):
- the contact is found by email case-insensitively; a returning contact is updated (names),
  never duplicated, and keeps its creation time;
- the visitor (cookie) is linked to the contact, and its earlier sessions and interactions that
  had no contact become the contact's; a second device submitting the same email is linked the
  same way (its sessions become the contact's too);
- a new contact's first-touch campaign comes from the first page the visitor ever saw, its
  last-touch campaign from the converting session (`tracking.services.first_touch_campaign` /
  `last_touch_campaign`), its original source from its first session;
- the form-submission interaction counts for the campaign holding the form at that moment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assets.models import Asset, AssetType
from assets.selectors import campaign_for_interaction
from assets.services import create_asset, normalize_url
from crm.models import Contact, CreationChannel, TrafficSource
from crm.services import create_contact
from tracking.models import Interaction, InteractionType, PageView, Session, Visitor
from tracking.processing import lock_visitor, process_visitor_events
from tracking.selectors import campaign_for_utm, last_session_before, page_asset_for_url
from tracking.services import (
    Touch,
    first_touch_campaign,
    identify_visitor,
    last_touch_campaign,
    record_interaction,
    session_is_over,
)
from tracking.sources import parse_query
from workspaces.models import Workspace
from workspaces.services import bump_data_version

EXTERNAL_ID_PREFIX = "form:"


class SubmissionError(ValidationError):
    """A submission that cannot be recorded; `field` names the input at fault."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class FormRef:
    """Which form was submitted: its asset id, or your own id for it and/or its name (a form
    asset with that id or name is created on first use)."""

    asset_id: int | None = None
    external_id: str = ""
    name: str = ""


@dataclass(frozen=True)
class Submission:
    email: str
    first_name: str = ""
    last_name: str = ""
    page_url: str = ""
    visitor_cookie: str = ""
    event_id: str = ""


@dataclass(frozen=True)
class SubmissionResult:
    contact: Contact
    created: bool
    interaction: Interaction
    # A resend of a submission already recorded (same event id): nothing was written.
    duplicate: bool = False


# --- The form ------------------------------------------------------------------------------------
def resolve_form_asset(*, workspace: Workspace, form: FormRef) -> Asset:
    forms = Asset.objects.for_workspace(workspace).filter(type=AssetType.FORM)
    if form.asset_id is not None:
        asset = forms.filter(pk=form.asset_id).first()
        if asset is None:
            raise SubmissionError(
                _("There is no form with id %(id)s in this workspace.") % {"id": form.asset_id},
                field="form",
            )
        return asset
    if form.external_id:
        found = forms.filter(external_id=form.external_id).first()
        return found or _new_form(workspace, form.name or form.external_id, form.external_id)
    if form.name:
        found = forms.filter(name__iexact=form.name).order_by("id").first()
        return found or _new_form(workspace, form.name, "")
    raise SubmissionError(
        _("Say which form was submitted: form (its id), form_id (your id) or form_name."),
        field="form",
    )


def _new_form(workspace: Workspace, name: str, external_id: str) -> Asset:
    try:
        with transaction.atomic():
            return create_asset(
                workspace=workspace, type=AssetType.FORM, name=name, external_id=external_id
            )
    except IntegrityError:
        # A concurrent first submission of the same form created it.
        return Asset.objects.for_workspace(workspace).get(
            type=AssetType.FORM, external_id=external_id
        )


# --- Touches -------------------------------------------------------------------------------------
class _TouchReader:
    """Touches of pages, with the utm_campaign lookups of one submission cached."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._utm: dict[str, int | None] = {}

    def utm_campaign(self, url: str) -> int | None:
        value = parse_query(url).get("utm_campaign", "")
        if value not in self._utm:
            self._utm[value] = campaign_for_utm(workspace=self.workspace, utm_campaign=value)
        return self._utm[value]

    def page(self, url: str, asset_id: int | None, at: datetime) -> Touch:
        held = campaign_for_interaction(workspace=self.workspace, asset_id=asset_id, at=at)
        return Touch(campaign_id=held, utm_campaign_id=self.utm_campaign(url))

    def view(self, view: PageView) -> Touch:
        return self.page(view.url, view.asset_id, view.occurred_at)

    def conversion_page(self, url: str, at: datetime) -> Touch:
        asset = page_asset_for_url(workspace=self.workspace, normalized_url=normalize_url(url))
        return self.page(url, asset.pk if asset else None, at)


def _session_pages(
    reader: _TouchReader, session: Session | None, page_url: str, at: datetime
) -> list[Touch]:
    """The converting session's pages up to `at`, ending with the page the form was on."""
    views: Sequence[PageView] = []
    if session is not None:
        views = list(
            PageView.objects.for_workspace(reader.workspace)
            .filter(session=session, occurred_at__lte=at)
            .order_by("occurred_at", "id")
        )
    pages = [reader.view(v) for v in views]
    if page_url and (not views or views[-1].normalized_url != normalize_url(page_url)):
        pages.append(reader.conversion_page(page_url, at))
    return pages


def _first_view(
    workspace: Workspace, visitor_ids: Sequence[int], until: datetime
) -> PageView | None:
    if not visitor_ids:
        return None
    return (
        PageView.objects.for_workspace(workspace)
        .filter(visitor_id__in=visitor_ids, occurred_at__lte=until)
        .order_by("occurred_at", "id")
        .first()
    )


def _first_session(
    workspace: Workspace, visitor_ids: Sequence[int], until: datetime
) -> Session | None:
    if not visitor_ids:
        return None
    return (
        Session.objects.for_workspace(workspace)
        .filter(visitor_id__in=visitor_ids, started_at__lte=until)
        .order_by("started_at", "id")
        .first()
    )


@dataclass(frozen=True)
class _Origin:
    first_touch_campaign_id: int | None
    last_touch_campaign_id: int | None
    source: str
    source_detail_1: str
    source_detail_2: str


def _new_contact_origin(
    workspace: Workspace,
    *,
    visitor: Visitor | None,
    session: Session | None,
    form_asset: Asset,
    page_url: str,
    at: datetime,
) -> _Origin:
    reader = _TouchReader(workspace)
    visitor_ids = [visitor.pk] if visitor else []
    pages = _session_pages(reader, session, page_url, at)
    first_view = _first_view(workspace, visitor_ids, at)
    first_page = reader.view(first_view) if first_view else (pages[0] if pages else None)
    form = Touch(
        campaign_id=campaign_for_interaction(workspace=workspace, asset_id=form_asset.pk, at=at)
    )
    first_session = _first_session(workspace, visitor_ids, at)
    return _Origin(
        first_touch_campaign_id=first_touch_campaign(first_page),
        last_touch_campaign_id=last_touch_campaign(session_pages=pages, form=form),
        source=first_session.source if first_session else "",
        source_detail_1=first_session.source_detail_1 if first_session else "",
        source_detail_2=first_session.source_detail_2 if first_session else "",
    )


def refresh_contact_origin(*, contact: Contact) -> None:
    """After another device was linked: the first page the contact ever saw (and its first
    session) may be on that device. Only pages seen up to the contact's creation count; offline
    contacts keep "offline sources"."""
    if contact.creation_channel != CreationChannel.WEB_FORM:
        return
    workspace = contact.workspace
    visitor_ids = list(
        Visitor.objects.for_workspace(workspace)
        .filter(contact=contact)
        .values_list("pk", flat=True)
    )
    first_view = _first_view(workspace, visitor_ids, contact.created_at)
    first_session = _first_session(workspace, visitor_ids, contact.created_at)
    changes: dict[str, object] = {}
    if first_view is not None:
        changes["first_touch_campaign_id"] = first_touch_campaign(
            _TouchReader(workspace).view(first_view)
        )
    if first_session is not None and first_session.source != TrafficSource.OFFLINE_SOURCES:
        changes.update(
            original_source=first_session.source,
            original_source_detail_1=first_session.source_detail_1,
            original_source_detail_2=first_session.source_detail_2,
        )
    if any(getattr(contact, name) != value for name, value in changes.items()):
        Contact.objects.for_workspace(workspace).filter(pk=contact.pk).update(
            **changes, updated_at=timezone.now()
        )
        for name, value in changes.items():
            setattr(contact, name, value)


# --- The contact ---------------------------------------------------------------------------------
def _locked_contact(workspace: Workspace, email: str) -> Contact | None:
    return (
        Contact.objects.for_workspace(workspace)
        .select_for_update()
        .filter(email__iexact=email.strip())
        .order_by("id")
        .first()
    )


def _update_names(contact: Contact, submission: Submission) -> None:
    changes = {
        name: value
        for name, value in (
            ("first_name", submission.first_name.strip()[:120]),
            ("last_name", submission.last_name.strip()[:120]),
        )
        if value and getattr(contact, name) != value
    }
    if changes:
        Contact.objects.for_workspace(contact.workspace_id).filter(pk=contact.pk).update(
            **changes, updated_at=timezone.now()
        )
        for name, value in changes.items():
            setattr(contact, name, value)


def _create_contact(
    workspace: Workspace, submission: Submission, origin: _Origin, at: datetime
) -> Contact | None:
    """The new contact, or None when a concurrent submission created it first."""
    try:
        return create_contact(
            workspace=workspace,
            email=submission.email,
            created_at=at,
            channel=CreationChannel.WEB_FORM,
            first_name=submission.first_name,
            last_name=submission.last_name,
            original_source=origin.source or None,
            original_source_detail_1=origin.source_detail_1,
            original_source_detail_2=origin.source_detail_2,
            first_touch_campaign_id=origin.first_touch_campaign_id,
            last_touch_campaign_id=origin.last_touch_campaign_id,
        )
    except ValidationError as exc:
        if _locked_contact(workspace, submission.email) is not None:
            return None
        raise SubmissionError("; ".join(exc.messages), field="email") from exc


# --- The submission -------------------------------------------------------------------------------
def _live_session(workspace: Workspace, visitor: Visitor | None, at: datetime) -> Session | None:
    if visitor is None:
        return None
    session = last_session_before(workspace=workspace, visitor_id=visitor.pk, at=at)
    if session is None or session_is_over(session, at):
        return None
    if at > session.last_activity_at:
        Session.objects.filter(pk=session.pk).update(last_activity_at=at)
        session.last_activity_at = at
    return session


def _already_recorded(workspace: Workspace, external_id: str) -> SubmissionResult | None:
    if not external_id:
        return None
    stored = (
        Interaction.objects.for_workspace(workspace)
        .filter(external_id=external_id)
        .select_related("contact")
        .first()
    )
    if stored is None or stored.contact is None:
        return None
    return SubmissionResult(stored.contact, created=False, interaction=stored, duplicate=True)


@transaction.atomic
def record_form_submission(
    *, workspace: Workspace, form: FormRef, submission: Submission, at: datetime
) -> SubmissionResult:
    """Record a form submission at `at` (see the module docstring for the rules)."""
    external_id = f"{EXTERNAL_ID_PREFIX}{submission.event_id}" if submission.event_id else ""
    if (done := _already_recorded(workspace, external_id)) is not None:
        return done
    asset = resolve_form_asset(workspace=workspace, form=form)
    visitor = None
    if submission.visitor_cookie:
        visitor = lock_visitor(workspace=workspace, cookie_id=submission.visitor_cookie, seen_at=at)
        # Page views still waiting in the collector's queue come first: they are the pages the
        # contact saw before converting.
        process_visitor_events(workspace=workspace, cookie_id=submission.visitor_cookie)
        visitor.refresh_from_db()
    session = _live_session(workspace, visitor, at)
    contact = _locked_contact(workspace, submission.email)
    created = False
    if contact is None:
        origin = _new_contact_origin(
            workspace,
            visitor=visitor,
            session=session,
            form_asset=asset,
            page_url=submission.page_url,
            at=at,
        )
        contact = _create_contact(workspace, submission, origin, at)
        created = contact is not None
        contact = contact or _locked_contact(workspace, submission.email)
    if contact is None:
        raise SubmissionError(
            _("The contact could not be stored; send the form again."), field="email"
        )
    if not created:
        _update_names(contact, submission)
    linked_new_device = visitor is not None and visitor.contact_id != contact.pk
    if visitor is not None:
        identify_visitor(visitor=visitor, contact=contact, at=at)
    try:
        with transaction.atomic():
            interaction = record_interaction(
                workspace=workspace,
                type=InteractionType.FORM_SUBMISSION,
                occurred_at=at,
                contact=contact,
                visitor=visitor,
                asset=asset,
                session=session,
                source=session.source if session else "",
                external_id=external_id,
                bump_version=False,
            )
    except IntegrityError:
        # The same submission (event id), sent twice at once: the other one recorded it.
        if (done := _already_recorded(workspace, external_id)) is not None:
            return done
        raise
    if linked_new_device and not created:
        refresh_contact_origin(contact=contact)
    bump_data_version(workspace.pk)
    return SubmissionResult(contact, created=created, interaction=interaction)
