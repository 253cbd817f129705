"""Turn collected events into visitors, sessions, page views and page-view interactions (and
form views into form-view interactions, tracking/form_views.py).

Runs in the Celery task `process_collected_events(workspace_id)` (inline in the embedded setup)
and, for one visitor, right before a form submission is recorded. It is safe to run twice and
concurrently:
- pending rows are taken with SELECT ... FOR UPDATE SKIP LOCKED, so two runs never take the same
  event; an event is marked processed in the transaction that stores what it produced;
- a visitor's events are applied under a lock on the visitor row (visitors taken in cookie
  order, so two runs cannot deadlock), in the order they happened;
- a page view whose event id is already stored is not stored again.

Sessions (SPEC §2): a page view joins the visitor's session unless 30 minutes passed since its
last activity or the page carries campaign parameters (UTM params or click ids) that differ from
the session's; then it starts a new session, classified by `tracking.sources` with the
workspace's own hosts, linked to the ad its parameters identify.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone

from tracking.collector import release_queue_flag, schedule_follow_up
from tracking.models import CollectedEvent, CollectedEventKind, PageView, Session, Visitor
from tracking.selectors import ad_for_landing, last_session_before
from tracking.services import record_page_view, session_is_over, start_session
from tracking.signals import events_processed
from tracking.sources import CLICK_ID_PARAMS, UTM_PARAMS, parse_query
from tracking.validation import host_is_allowed, normalize_host
from workspaces.models import Workspace
from workspaces.services import bump_data_version

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
# What makes a page view a new campaign arrival when it differs from the session's values.
ARRIVAL_PARAMS = (*UTM_PARAMS, *CLICK_ID_PARAMS)
# Problems with one event that processing records on the event instead of retrying forever.
_EVENT_ERRORS = (ValidationError, ValueError, KeyError, TypeError, DataError, IntegrityError)


# --- Visitors ----------------------------------------------------------------------------------
def lock_visitor(*, workspace: Workspace, cookie_id: str, seen_at: datetime) -> Visitor:
    """The visitor with this cookie, created on first sight, locked until the transaction ends
    (call inside one). A late event moves first_seen_at back."""
    visitors = Visitor.objects.for_workspace(workspace).select_for_update()
    visitor = visitors.filter(cookie_id=cookie_id).first()
    if visitor is None:
        try:
            with transaction.atomic():
                visitor = Visitor.objects.create(
                    workspace=workspace, cookie_id=cookie_id, first_seen_at=seen_at
                )
        except IntegrityError:
            # Another run created it a moment ago.
            visitor = visitors.get(cookie_id=cookie_id)
    if seen_at < visitor.first_seen_at:
        visitor.first_seen_at = seen_at
        visitor.save(update_fields=["first_seen_at"])
    return visitor


# --- Sessions ----------------------------------------------------------------------------------
def arrival_params(url: str) -> dict[str, str]:
    """The campaign parameters (UTM params, click ids) a URL carries, as a session stores them."""
    params = parse_query(url)
    return {name: params[name][:200] for name in ARRIVAL_PARAMS if params.get(name)}


def is_new_arrival(session: Session, url: str) -> bool:
    """True when the URL carries campaign parameters that differ from the session's."""
    carried = arrival_params(url)
    if not carried:
        return False
    return any(getattr(session, name) != carried.get(name, "") for name in ARRIVAL_PARAMS)


def _bare_host(url_or_host: str) -> str:
    """Lower-case host without "www." of a URL (or of a bare host name); "" when there is none."""
    try:
        raw = urlsplit(url_or_host).hostname if "//" in url_or_host else url_or_host
    except ValueError:
        return ""
    return (normalize_host(raw or "") or "").removeprefix("www.")


def site_hosts_for(*, allowed_domains: Sequence[str], url: str, referrer: str) -> list[str]:
    """The hosts that count as the workspace's own site for this page view: the allowed
    domains, the page's own host, and the referrer's host when it is one of those or a subdomain
    of one (the classifier compares whole host names, so a subdomain is added by name)."""
    hosts = [h for h in (_bare_host(d) for d in allowed_domains) if h]
    page_host = _bare_host(url)
    if page_host:
        hosts.append(page_host)
    referrer_host = _bare_host(referrer)
    if referrer_host and hosts and host_is_allowed(referrer_host, hosts):
        hosts.append(referrer_host)
    return hosts


def session_for_page_view(
    *, workspace: Workspace, visitor: Visitor, url: str, referrer: str, at: datetime
) -> Session:
    """The session a page view at `at` belongs to, started when needed."""
    current = last_session_before(workspace=workspace, visitor_id=visitor.pk, at=at)
    if (
        current is not None
        and not session_is_over(current, at)
        and not is_new_arrival(current, url)
    ):
        return current
    params = parse_query(url)
    return start_session(
        workspace=workspace,
        visitor=visitor,
        started_at=at,
        landing_url=url,
        referrer=referrer,
        ad=ad_for_landing(workspace=workspace, params=params) if params else None,
        site_hosts=site_hosts_for(
            allowed_domains=workspace.allowed_domains, url=url, referrer=referrer
        ),
        bump_version=False,
    )


# --- Events ------------------------------------------------------------------------------------
def apply_page_view(*, workspace: Workspace, visitor: Visitor, event: CollectedEvent) -> None:
    event_id = str(event.event_id)
    if PageView.objects.for_workspace(workspace).filter(event_id=event_id).exists():
        return
    payload = event.payload
    url, referrer = str(payload["url"]), str(payload.get("referrer", ""))
    session = session_for_page_view(
        workspace=workspace, visitor=visitor, url=url, referrer=referrer, at=event.occurred_at
    )
    record_page_view(
        workspace=workspace,
        session=session,
        url=url,
        occurred_at=event.occurred_at,
        title=str(payload.get("title", "")),
        referrer=referrer,
        event_id=event_id,
        bump_version=False,
    )


def apply_event(*, workspace: Workspace, visitor: Visitor, event: CollectedEvent) -> None:
    if event.kind == CollectedEventKind.FORM_VIEW:
        # Imported here: tracking.form_views reads forms through tracking.submissions, which
        # imports this module.
        from tracking.form_views import apply_form_view

        apply_form_view(workspace=workspace, visitor=visitor, event=event)
    else:
        apply_page_view(workspace=workspace, visitor=visitor, event=event)


def _apply_visitor_events(
    workspace: Workspace, cookie_id: str, events: Sequence[CollectedEvent]
) -> list[tuple[int, str]]:
    """Apply one visitor's events in time order; returns (event id, error) for events that could
    not be applied (each in its own savepoint, so one bad event spoils nothing else)."""
    ordered = sorted(events, key=lambda e: (e.occurred_at, e.received_at, e.pk))
    visitor = lock_visitor(workspace=workspace, cookie_id=cookie_id, seen_at=ordered[0].occurred_at)
    failed: list[tuple[int, str]] = []
    for event in ordered:
        try:
            with transaction.atomic():
                apply_event(workspace=workspace, visitor=visitor, event=event)
        except _EVENT_ERRORS as exc:
            logger.warning("Collected event %s could not be processed: %s", event.event_id, exc)
            failed.append((event.pk, str(exc)[:500]))
    return failed


def _take_pending(
    workspace_id: int, limit: int, visitor_cookie: str | None
) -> list[CollectedEvent]:
    pending = CollectedEvent.objects.for_workspace(workspace_id).filter(processed_at__isnull=True)
    if visitor_cookie is not None:
        pending = pending.filter(visitor_cookie=visitor_cookie)
    return list(pending.order_by("received_at", "id").select_for_update(skip_locked=True)[:limit])


def _mark_processed(events: Iterable[CollectedEvent], failed: Iterable[tuple[int, str]]) -> None:
    now = timezone.now()
    errors = dict(failed)
    ok = [e.pk for e in events if e.pk not in errors]
    CollectedEvent.objects.filter(pk__in=ok).update(processed_at=now)
    for pk, error in errors.items():
        CollectedEvent.objects.filter(pk=pk).update(processed_at=now, error=error)


def process_batch(
    *, workspace: Workspace, limit: int = BATCH_SIZE, visitor_cookie: str | None = None
) -> int:
    """Process up to `limit` pending events (of one visitor when given); returns how many."""
    with transaction.atomic():
        events = _take_pending(workspace.pk, limit, visitor_cookie)
        if not events:
            return 0
        by_visitor: dict[str, list[CollectedEvent]] = defaultdict(list)
        for event in events:
            by_visitor[event.visitor_cookie].append(event)
        failed: list[tuple[int, str]] = []
        for cookie_id in sorted(by_visitor):
            failed += _apply_visitor_events(workspace, cookie_id, by_visitor[cookie_id])
        _mark_processed(events, failed)
        bump_data_version(workspace.pk)
    return len(events)


def process_pending_events(
    *, workspace_id: int, batch_size: int = BATCH_SIZE, follow_up: bool = False
) -> int:
    """Process every pending event of the workspace; returns how many were processed.

    A main run lowers the workspace's queued flag first and schedules one follow-up run (see
    tracking.collector for why); a follow-up run only processes what is pending.
    """
    if not follow_up:
        release_queue_flag(workspace_id)
        schedule_follow_up(workspace_id)
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return 0
    total = 0
    while done := process_batch(workspace=workspace, limit=batch_size):
        total += done
    if total:
        events_processed.send(sender=Workspace, workspace_id=workspace_id)
    return total


def process_visitor_events(*, workspace: Workspace, cookie_id: str) -> int:
    """Process the pending events of one visitor now (before recording their form submission)."""
    total = 0
    while done := process_batch(workspace=workspace, limit=BATCH_SIZE, visitor_cookie=cookie_id):
        total += done
    return total
