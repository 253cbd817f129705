"""The public tracking endpoints in the OpenAPI document.

The collector and the forms endpoint are plain Django views (tracking/views.py): the collector
takes every page view of every customer site, and DRF's request/response machinery would cost
more than the work itself. To document them anyway, each view is tied to a thin APIView here
(`documented_by`), whose `extend_schema` describes the request and the answers; drf-spectacular
finds it through the URLconf like any other API view. The APIViews hand the request straight to
the plain views, so they would behave identically if they were ever routed themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.views import APIView

from tracking import views
from tracking.validation import (
    EVENT_TYPES,
    MAX_FORM_ID_LENGTH,
    MAX_FORM_NAME_LENGTH,
    MAX_TITLE_LENGTH,
    MAX_URL_LENGTH,
)


@extend_schema_field({"type": "string", "enum": list(EVENT_TYPES)})
class EventTypeField(serializers.ChoiceField):
    """The event type, described inline (a named enum component would collide with the API's
    other `type` fields)."""


class CollectEventRequest(serializers.Serializer):
    key = serializers.RegexField(
        r"^pk_[A-Za-z0-9_-]{8,37}$", help_text="The workspace's public key (pk_...)."
    )
    event_id = serializers.UUIDField(
        help_text="Chosen by the client; a resent event with the same id is stored once."
    )
    type = EventTypeField(choices=list(EVENT_TYPES))
    visitor_id = serializers.RegexField(
        r"^[A-Za-z0-9_-]{8,64}$", help_text="The first-party visitor cookie's value."
    )
    url = serializers.URLField(
        max_length=MAX_URL_LENGTH,
        help_text="The page's http(s) URL; its host must be one of the allowed domains.",
    )
    referrer = serializers.CharField(required=False, allow_blank=True, max_length=MAX_URL_LENGTH)
    title = serializers.CharField(required=False, allow_blank=True, max_length=MAX_TITLE_LENGTH)
    ts = serializers.IntegerField(
        required=False, help_text="When the page was viewed, ms since 1970 (client clock)."
    )
    sent_at = serializers.IntegerField(
        required=False, help_text="When the event was sent, ms since 1970 (client clock)."
    )
    form_id = serializers.CharField(
        required=False,
        max_length=MAX_FORM_ID_LENGTH,
        help_text="form_view only (it or form_name is required then): your own id for the form, "
        "as sent with its submissions.",
    )
    form_name = serializers.CharField(
        required=False,
        max_length=MAX_FORM_NAME_LENGTH,
        help_text="form_view only: the form's name, as sent with its submissions.",
    )


class FormSubmissionRequest(serializers.Serializer):
    key = serializers.RegexField(r"^pk_[A-Za-z0-9_-]{8,37}$")
    form = serializers.IntegerField(
        required=False,
        help_text="The form's asset id in Touchpoint (one of form/form_id/form_name).",
    )
    form_id = serializers.CharField(
        required=False, max_length=200, help_text="Your own id for the form (created on first use)."
    )
    form_name = serializers.CharField(
        required=False, max_length=300, help_text="The form's name (created on first use)."
    )
    email = serializers.EmailField(max_length=254)
    first_name = serializers.CharField(required=False, max_length=120)
    last_name = serializers.CharField(required=False, max_length=120)
    url = serializers.URLField(
        required=False, max_length=MAX_URL_LENGTH, help_text="The page the form was on."
    )
    visitor_id = serializers.RegexField(
        r"^[A-Za-z0-9_-]{8,64}$",
        required=False,
        help_text="The visitor cookie (the snippet's touchpoint.visitorId()): identifies the "
        "visitor's earlier sessions as this contact's.",
    )
    event_id = serializers.UUIDField(
        required=False, help_text="A resent submission with the same id is recorded once."
    )
    next = serializers.URLField(
        required=False,
        max_length=MAX_URL_LENGTH,
        help_text="For plain HTML forms: answer 303 See Other to this page (on an allowed domain).",
    )


class Accepted(serializers.Serializer):
    status = serializers.CharField(help_text='Always "accepted".')
    event_id = serializers.UUIDField(required=False)


class Refused(serializers.Serializer):
    error = serializers.CharField(help_text="What is wrong, for a developer to act on.")
    field = serializers.CharField(help_text="The field at fault, or an empty string.")


def _refusals(*statuses: int) -> dict[int, OpenApiResponse]:
    meaning = {
        400: "Malformed: not JSON, unknown or missing field, bad value (NUL, lone surrogate, "
        "non-http(s) URL, too long).",
        403: "Unknown key, or the page / origin is not on the workspace's allowed domains.",
        405: "Not a POST.",
        413: "The body is larger than the limit.",
        415: "Unsupported Content-Type.",
        429: "Rate limit reached (per IP, and per key + IP); see the Retry-After header.",
    }
    return {s: OpenApiResponse(Refused, description=meaning[s]) for s in statuses}


class CollectEventSchema(APIView):
    """Schema of `POST /collect/event` (served by tracking.views.collect_event)."""

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []

    @extend_schema(
        operation_id="collect_event",
        tags=["Tracking"],
        summary="Record a page view or a form view (the tracking snippet's collector)",
        description=(
            "Public, CORS-enabled, no authentication: the workspace is named by its public key. "
            "Accepts application/json and text/plain (navigator.sendBeacon) bodies. Answers 202 "
            "only once the event is stored; sessions are built from it shortly after."
        ),
        auth=[],
        request={"application/json": CollectEventRequest, "text/plain": CollectEventRequest},
        responses={
            202: OpenApiResponse(Accepted, description="Stored (or already stored)."),
            **_refusals(400, 403, 405, 413, 415, 429),
        },
        examples=[
            OpenApiExample(
                "Page view",
                request_only=True,
                value={
                    "key": "pk_a1b2c3d4e5f6g7h8i9",
                    "event_id": "0b7e7dd2-3f35-4a59-9c59-8a8f8e1a2b3c",
                    "type": "page_view",
                    "visitor_id": "v8x2Jq0LrT4mN6pQ",
                    "url": "https://www.example.com/pricing?utm_campaign=spring",
                    "referrer": "https://www.google.com/",
                    "title": "Pricing",
                    "ts": 1767225600000,
                    "sent_at": 1767225600040,
                },
            ),
            OpenApiExample(
                "Form view",
                request_only=True,
                value={
                    "key": "pk_a1b2c3d4e5f6g7h8i9",
                    "event_id": "5f0c8e02-0d59-4c1e-9a43-2f5b1a7c9d11",
                    "type": "form_view",
                    "visitor_id": "v8x2Jq0LrT4mN6pQ",
                    "url": "https://www.example.com/pricing?utm_campaign=spring",
                    "referrer": "https://www.google.com/",
                    "form_id": "newsletter-footer",
                    "form_name": "Newsletter",
                    "ts": 1767225600000,
                    "sent_at": 1767225600090,
                },
            ),
        ],
    )
    def post(self, request: Request) -> HttpResponse:
        return views.collect_event(request._request)


class FormSubmissionSchema(APIView):
    """Schema of `POST /collect/form` (served by tracking.views.collect_form)."""

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []

    @extend_schema(
        operation_id="collect_form",
        tags=["Tracking"],
        summary="Record a form submission (creates or updates the contact by email)",
        description=(
            "Public, CORS-enabled, no authentication: the workspace is named by its public key. "
            "JSON or form fields; fields it does not know (your form's other fields) are "
            "ignored. Links the visitor's earlier sessions to the contact. The answer is the "
            "same whether the contact was new or known."
        ),
        auth=[],
        request={
            "application/json": FormSubmissionRequest,
            "application/x-www-form-urlencoded": FormSubmissionRequest,
            "multipart/form-data": FormSubmissionRequest,
        },
        responses={
            202: OpenApiResponse(Accepted, description="Recorded."),
            303: OpenApiResponse(description="Recorded; redirects to `next`."),
            **_refusals(400, 403, 405, 413, 415, 429),
        },
    )
    def post(self, request: Request) -> HttpResponse:
        return views.collect_form(request._request)


def documented_by(
    view: Callable[..., HttpResponse], schema: type[APIView]
) -> Callable[..., HttpResponse]:
    """Publish the plain Django `view` in the OpenAPI document with `schema`'s description.

    drf-spectacular lists URL patterns whose callback has a `cls` (an APIView) and reads the
    schema from that class; the request itself still goes to `view`.
    """
    view.cls = schema  # type: ignore[attr-defined]
    view.initkwargs = {}  # type: ignore[attr-defined]
    return view
