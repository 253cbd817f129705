"""Form views: the snippet reports each form Touchpoint knows once per page view, and processing
turns that event into a FORM_VIEW interaction.

A form view lands on the form asset the forms endpoint would use for a submission of that form
(your id for it, else its name; created on first use, so views seen before the first submission
still count), in the visitor's session at that moment (the page view it came with), credited to
the campaign holding the form then. Form views feed the asset report's views and submission rate;
they never count for attribution (tracking.models.NEVER_ATTRIBUTED_TYPES).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tracking.models import CollectedEvent, Interaction, InteractionType, Session, Visitor
from tracking.processing import session_for_page_view
from tracking.selectors import last_session_before
from tracking.services import record_interaction
from tracking.submissions import FormRef, resolve_form_asset
from workspaces.models import Workspace

# Interaction.external_id of a form view: the prefix and the collected event's id, so a resent
# or reprocessed event is stored once.
EXTERNAL_ID_PREFIX = "form_view:"
# The snippet stamps a form view with its page view's time, but each request's own latency moves
# the server-side times apart by a few milliseconds: a form view stamped this much before the
# start of the visitor's next session belongs to that session (its page view's).
CLOCK_SLACK = timedelta(seconds=5)


def form_view_external_id(event: CollectedEvent) -> str:
    return f"{EXTERNAL_ID_PREFIX}{event.event_id}"


def session_for_form_view(
    *, workspace: Workspace, visitor: Visitor, url: str, referrer: str, at: datetime
) -> Session:
    """The session of the page view the form was seen on (started from the form view's page
    when that page view has not been processed yet)."""
    near = last_session_before(workspace=workspace, visitor_id=visitor.pk, at=at + CLOCK_SLACK)
    if near is not None and near.started_at > at:
        return near
    return session_for_page_view(
        workspace=workspace, visitor=visitor, url=url, referrer=referrer, at=at
    )


def apply_form_view(*, workspace: Workspace, visitor: Visitor, event: CollectedEvent) -> None:
    """Store the FORM_VIEW interaction of a collected form_view event (once)."""
    external_id = form_view_external_id(event)
    if Interaction.objects.for_workspace(workspace).filter(external_id=external_id).exists():
        return
    payload = event.payload
    form = resolve_form_asset(
        workspace=workspace,
        form=FormRef(
            external_id=str(payload.get("form_id", "")), name=str(payload.get("form_name", ""))
        ),
    )
    session = session_for_form_view(
        workspace=workspace,
        visitor=visitor,
        url=str(payload["url"]),
        referrer=str(payload.get("referrer", "")),
        at=event.occurred_at,
    )
    record_interaction(
        workspace=workspace,
        type=InteractionType.FORM_VIEW,
        occurred_at=max(event.occurred_at, session.started_at),
        contact=session.contact,
        visitor=visitor,
        asset=form,
        session=session,
        source=session.source,
        external_id=external_id,
        bump_version=False,
    )
