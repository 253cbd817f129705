"""Visitors, sessions, page views and interactions (touchpoints)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.models import TrafficSource
from workspaces.models import WorkspaceOwned


class Visitor(WorkspaceOwned):
    cookie_id = models.CharField(max_length=64)
    contact = models.ForeignKey(
        "crm.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="visitors"
    )
    first_seen_at = models.DateTimeField()
    identified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "cookie_id"], name="visitor_cookie_unique")
        ]
        indexes = [models.Index(fields=["workspace", "contact"], name="visitor_ws_contact")]

    def __str__(self) -> str:
        return self.cookie_id


class Session(WorkspaceOwned):
    visitor = models.ForeignKey(Visitor, on_delete=models.CASCADE, related_name="sessions")
    contact = models.ForeignKey(
        "crm.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    started_at = models.DateTimeField()
    last_activity_at = models.DateTimeField()
    landing_url = models.CharField(max_length=2000)
    referrer = models.CharField(max_length=2000, blank=True)
    utm_source = models.CharField(max_length=200, blank=True)
    utm_medium = models.CharField(max_length=200, blank=True)
    utm_campaign = models.CharField(max_length=200, blank=True)
    utm_term = models.CharField(max_length=200, blank=True)
    utm_content = models.CharField(max_length=200, blank=True)
    gclid = models.CharField(max_length=200, blank=True)
    fbclid = models.CharField(max_length=200, blank=True)
    li_fat_id = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=30, choices=TrafficSource.choices)
    # Drill-down: search term (paid search), network (organic social), utm source (other).
    source_detail_1 = models.CharField(max_length=300, blank=True)
    # Drill-down: utm medium (other campaigns).
    source_detail_2 = models.CharField(max_length=300, blank=True)
    # The campaign whose utm_campaign the landing URL carried.
    utm_campaign_ref = models.ForeignKey(
        "campaigns.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ad = models.ForeignKey(
        "ads.Ad", null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    is_new_visitor = models.BooleanField(default=False)
    page_view_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["workspace", "started_at"], name="session_ws_started"),
            models.Index(fields=["workspace", "visitor", "started_at"], name="session_ws_visitor"),
            models.Index(
                fields=["workspace", "utm_campaign_ref", "started_at"], name="sess_ws_utm"
            ),
            models.Index(fields=["workspace", "contact"], name="session_ws_contact"),
        ]


class PageView(WorkspaceOwned):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="page_views")
    visitor = models.ForeignKey(Visitor, on_delete=models.CASCADE, related_name="page_views")
    url = models.CharField(max_length=2000)
    normalized_url = models.CharField(max_length=2000)
    title = models.CharField(max_length=500, blank=True)
    referrer = models.CharField(max_length=2000, blank=True)
    occurred_at = models.DateTimeField()
    asset = models.ForeignKey(
        "assets.Asset", null=True, blank=True, on_delete=models.SET_NULL, related_name="page_views"
    )
    # Client-chosen id: a resent event with the same id is stored once.
    event_id = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "session", "occurred_at"], name="pv_ws_session"),
            models.Index(fields=["workspace", "asset", "occurred_at"], name="pv_ws_asset"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "event_id"],
                condition=~models.Q(event_id=""),
                name="pageview_event_id_unique",
            )
        ]


class InteractionType(models.TextChoices):
    PAGE_VIEW = "page_view", _("Page view")
    FORM_SUBMISSION = "form_submission", _("Form submission")
    FORM_VIEW = "form_view", _("Form view")
    CTA_VIEW = "cta_view", _("CTA view")
    CTA_CLICK = "cta_click", _("CTA click")
    EMAIL_SENT = "email_sent", _("Marketing email sent")
    EMAIL_DELIVERED = "email_delivered", _("Marketing email delivered")
    EMAIL_OPEN = "email_open", _("Marketing email open")
    EMAIL_CLICK = "email_click", _("Marketing email click")
    AD_IMPRESSION = "ad_impression", _("Ad impression")
    AD_CLICK = "ad_click", _("Ad click")
    SOCIAL_CLICK = "social_click", _("Social post click")
    EVENT_ATTENDED = "event_attended", _("Marketing event attended")
    MEETING_BOOKED = "meeting_booked", _("Meeting booked")
    CALL_CONNECTED = "call_connected", _("Call (connected via integration)")
    CALL_LOGGED = "call_logged", _("Call (manually logged)")
    SALES_EMAIL_REPLY = "sales_email_reply", _("Sales email reply")
    CONVERSATION = "conversation", _("Conversation")
    SEQUENCE_ACTION = "sequence_action", _("Sequence action")
    MEDIA_PLAY = "media_play", _("Media play")
    WORKFLOW_ENROLLMENT = "workflow_enrollment", _("Workflow enrollment")
    LIST_MEMBERSHIP = "list_membership", _("Static list membership")


# SPEC §8: email opens, static lists, workflows and manually logged calls never count. Nor do
# form views (as in HubSpot): a form shown on every page of a site would take credit from the
# touches that made someone convert; the form's submission is the interaction that counts.
NEVER_ATTRIBUTED_TYPES = frozenset(
    {
        InteractionType.EMAIL_OPEN,
        InteractionType.FORM_VIEW,
        InteractionType.LIST_MEMBERSHIP,
        InteractionType.WORKFLOW_ENROLLMENT,
        InteractionType.CALL_LOGGED,
    }
)
DEFAULT_ATTRIBUTION_TYPES = [t.value for t in InteractionType if t not in NEVER_ATTRIBUTED_TYPES]


class Interaction(WorkspaceOwned):
    contact = models.ForeignKey(
        "crm.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="interactions"
    )
    visitor = models.ForeignKey(
        Visitor, null=True, blank=True, on_delete=models.SET_NULL, related_name="interactions"
    )
    asset = models.ForeignKey(
        "assets.Asset",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interactions",
    )
    type = models.CharField(max_length=30, choices=InteractionType.choices)
    occurred_at = models.DateTimeField()
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="interactions"
    )
    source = models.CharField(max_length=30, choices=TrafficSource.choices, blank=True)
    # The campaign this interaction counted for: resolved from the asset's association history
    # at occurred_at (campaigns.services.campaign_for_interaction), never recomputed later.
    campaign = models.ForeignKey(
        "campaigns.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The campaign whose utm_campaign the page URL carried (page views only).
    utm_campaign = models.ForeignKey(
        "campaigns.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    external_id = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "contact", "occurred_at"], name="ix_ws_contact_at"),
            models.Index(fields=["workspace", "campaign", "occurred_at"], name="ix_ws_campaign_at"),
            models.Index(fields=["workspace", "asset", "occurred_at"], name="ix_ws_asset_at"),
            models.Index(fields=["workspace", "utm_campaign", "occurred_at"], name="ix_ws_utm_at"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "external_id"],
                condition=~models.Q(external_id=""),
                name="interaction_external_id_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.type} at {self.occurred_at}"


class CollectedEventKind(models.TextChoices):
    PAGE_VIEW = "page_view", _("Page view")
    FORM_VIEW = "form_view", _("Form view")


class CollectedEvent(WorkspaceOwned):
    """An event exactly as the collector accepted it, stored before the 202 answer.

    The collector only validates and inserts these rows; `tracking.processing` turns pending
    rows (processed_at empty) into visitors, sessions, page views and interactions, in order per
    visitor. A resent event (same client-chosen event_id) is stored once.
    """

    event_id = models.UUIDField()
    kind = models.CharField(max_length=20, choices=CollectedEventKind.choices)
    visitor_cookie = models.CharField(max_length=64)
    # The validated event (url, referrer, title); nothing else from the request is kept.
    payload = models.JSONField()
    # When the event happened, on the server's clock (the client's delay is subtracted).
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)
    # Why processing gave up on the event (it is then marked processed and not retried).
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "event_id"], name="collected_event_id_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["workspace", "received_at"],
                condition=models.Q(processed_at__isnull=True),
                name="collected_pending",
            ),
            models.Index(
                fields=["workspace", "visitor_cookie"],
                condition=models.Q(processed_at__isnull=True),
                name="collected_pending_visitor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.event_id}"
