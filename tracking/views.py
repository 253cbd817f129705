"""The tracking settings page (admins) and the public endpoints customer sites call: the snippet
(/t.js), the collector (/collect/event) and the forms endpoint (/collect/form).

The public endpoints are plain Django views, CSRF-exempt and open to anonymous callers; they
answer JSON `{"error": "...", "field": "..."}` with a 4xx status for anything they refuse, and
let the browser read the answer (CORS) only from an allowed origin.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    QueryDict,
)
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from tracking import collector, ratelimit, selectors, services
from tracking.forms import AllowedDomainsForm, FormSubmissionForm
from tracking.submissions import FormRef, Submission, SubmissionError, record_form_submission
from tracking.validation import (
    Rejected,
    media_type,
    origin_host,
    parse_event,
    parse_json_object,
    url_host,
)
from workspaces.decorators import admin_required

SNIPPET_PATH = Path(settings.BASE_DIR) / "static" / "tracking" / "t.js"
SNIPPET_MAX_AGE = 3600
PREFLIGHT_MAX_AGE = 86400
T = TypeVar("T")
FORM_CONTENT_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


# --- Settings page -------------------------------------------------------------------------------
def embed_line(request: HttpRequest, public_key: str) -> str:
    src = request.build_absolute_uri(reverse("tracking_snippet"))
    return f'<script async src="{src}" data-key="{public_key}"></script>'


@require_http_methods(["GET", "POST"])
@admin_required
def tracking_settings(request: HttpRequest) -> HttpResponse:
    workspace = request.workspace  # type: ignore[attr-defined]
    form = AllowedDomainsForm.for_workspace(
        workspace, request.POST if request.method == "POST" else None
    )
    saved = False
    if request.method == "POST" and form.is_valid():
        services.update_allowed_domains(
            workspace=workspace, domains=form.cleaned_data["allowed_domains"]
        )
        if not request.htmx:  # type: ignore[attr-defined]
            messages.success(request, _("Allowed domains saved."))
            return redirect("tracking:settings", workspace_slug=workspace.slug)
        saved, form = True, AllowedDomainsForm.for_workspace(workspace)
    context = {
        "section": "tracking",
        "form": form,
        "saved": saved,
        "embed_line": embed_line(request, workspace.public_key),
        "form_endpoint": request.build_absolute_uri(reverse("collect:form")),
        "status": selectors.collector_status(workspace=workspace, now=timezone.now()),
    }
    template = "tracking/settings.html"
    return render(request, f"{template}#domains" if request.htmx else template, context)  # type: ignore[attr-defined]


# --- Public endpoints: shared answers -------------------------------------------------------------
def _json(status: int, body: dict[str, Any], origin: str = "") -> JsonResponse:
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    response["Vary"] = "Origin"
    if origin:
        response["Access-Control-Allow-Origin"] = origin
    return response


def _refused(rejected: Rejected, origin: str = "") -> JsonResponse:
    response = _json(rejected.status, rejected.as_dict(), origin)
    if rejected.retry_after:
        response["Retry-After"] = str(rejected.retry_after)
    if rejected.status == 405:
        response["Allow"] = "POST, OPTIONS"
    return response


def _preflight(request: HttpRequest) -> HttpResponse:
    """CORS preflight: the body (and so the key) is not known yet; the POST itself is checked."""
    origin = request.headers.get("Origin", "")
    response = HttpResponse(status=204)
    response["Vary"] = "Origin"
    if origin_host(origin):
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type"
        response["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
    return response


def _limited(verdict: ratelimit.Verdict) -> Rejected:
    return Rejected(
        429,
        _("Too many requests; try again in %(s)s seconds.") % {"s": verdict.retry_after},
        retry_after=verdict.retry_after,
    )


def _read_body(request: HttpRequest, limit: int) -> bytes:
    """The request body, refused with 413 past `limit` bytes (before reading it, when the
    client declared its length)."""
    too_big = Rejected(413, _("The body is larger than %(n)s bytes.") % {"n": limit})
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError as exc:
        raise Rejected(400, _("The Content-Length header is not a number.")) from exc
    if declared > limit:
        raise too_big
    body = request.read(limit + 1)
    if len(body) > limit:
        raise too_big
    return body


def _guard(request: HttpRequest, limit: int) -> tuple[str, bytes]:
    """The method and the body size, checked before anything is parsed."""
    if request.method != "POST":
        raise Rejected(405, _("Send events with POST."))
    return ratelimit.client_ip(request), _read_body(request, limit)


def _throttle(*limits: ratelimit.Limit) -> None:
    verdict = ratelimit.hit(*limits)
    if not verdict.allowed:
        raise _limited(verdict)


def _parsed(ip: str, parse: Callable[[], T]) -> T:
    """`parse()`'s result; a request that cannot be parsed still counts against the IP."""
    try:
        return parse()
    except Rejected:
        _throttle(ratelimit.ip_limit(ip))
        raise


def _site(key: str, page_host: str, origin: str, ip: str) -> collector.Site:
    """The workspace of `key`, once the IP and the key + IP are within their rate limits (one
    round trip) and the page and the calling origin are on the key's allowed domains."""
    _throttle(ratelimit.ip_limit(ip), ratelimit.key_ip_limit(key, ip))
    site = collector.site_for_key(key)
    if site is None:
        raise Rejected(403, _("Unknown key: no workspace has this public key."), "key")
    if page_host and not site.allows(page_host):
        raise Rejected(
            403,
            _("%(host)s is not one of this workspace's allowed domains.") % {"host": page_host},
            "url",
        )
    calling = origin_host(origin) if origin else None
    if origin and origin != "null" and (calling is None or not site.allows(calling)):
        raise Rejected(
            403,
            _("The origin %(origin)s is not one of this workspace's allowed domains.")
            % {"origin": origin[:300]},
            "origin",
        )
    return site


# --- The collector ------------------------------------------------------------------------------
@csrf_exempt
@login_not_required
def collect_event(request: HttpRequest) -> HttpResponse:
    """Accept one page view: 202 once it is stored; 4xx with the reason otherwise."""
    if request.method == "OPTIONS":
        return _preflight(request)
    origin = request.headers.get("Origin", "")
    try:
        ip, body = _guard(request, settings.TRACKING_MAX_EVENT_BYTES)
        event = _parsed(ip, lambda: parse_event(body, request.content_type or ""))
        site = _site(event.key, event.host, origin, ip)
        collector.store_event(site=site, event=event, received_at=timezone.now())
    except Rejected as rejected:
        return _refused(rejected)
    return _json(202, {"status": "accepted", "event_id": str(event.event_id)}, origin)


# --- The forms endpoint ---------------------------------------------------------------------------
def _form_fields(request: HttpRequest, body: bytes, kind: str) -> dict[str, Any]:
    try:
        if kind == "multipart/form-data":
            fields, _files = MultiPartParser(
                request.META, BytesIO(body), request.upload_handlers
            ).parse()
        else:
            fields = QueryDict(body, encoding="utf-8")
    except (MultiPartParserError, SuspiciousOperation) as exc:
        raise Rejected(400, _("The form fields could not be read.")) from exc
    return {name: fields.get(name) for name in fields}


def _form_data(request: HttpRequest, body: bytes) -> dict[str, Any]:
    """The submitted fields, from form fields or a JSON object (values strings; `form` may be a
    number)."""
    kind = media_type(request.content_type or "")
    if kind in FORM_CONTENT_TYPES:
        return _form_fields(request, body, kind)
    if kind not in ("application/json", "text/plain"):
        raise Rejected(
            415, _("Send the form as JSON or as form fields (application/x-www-form-urlencoded).")
        )
    data = parse_json_object(body)
    for name, value in data.items():
        if isinstance(value, bool) or not isinstance(value, str | int | None):
            raise Rejected(400, _("%(field)s must be a string.") % {"field": name}, name)
    return data


def _valid_form(request: HttpRequest, body: bytes) -> FormSubmissionForm:
    form = FormSubmissionForm(_form_data(request, body))
    if not form.is_valid():
        field, message = form.first_error()
        raise Rejected(400, message, field)
    return form


def _submission(form: FormSubmissionForm) -> tuple[FormRef, Submission]:
    data = form.cleaned_data
    event_id = data.get("event_id")
    return (
        FormRef(
            asset_id=data.get("form"),
            external_id=data.get("form_id") or "",
            name=data.get("form_name") or "",
        ),
        Submission(
            email=data["email"],
            first_name=data.get("first_name") or "",
            last_name=data.get("last_name") or "",
            page_url=data.get("url") or "",
            visitor_cookie=data.get("visitor_id") or "",
            event_id=str(event_id) if event_id else "",
        ),
    )


@csrf_exempt
@login_not_required
def collect_form(request: HttpRequest) -> HttpResponse:
    """Record a form submission: 202 (or a 303 to `next`) once stored; 4xx with the reason."""
    if request.method == "OPTIONS":
        return _preflight(request)
    origin = request.headers.get("Origin", "")
    next_url = ""
    try:
        ip, body = _guard(request, settings.TRACKING_MAX_FORM_BYTES)
        form = _parsed(ip, lambda: _valid_form(request, body))
        page_host = url_host(form.cleaned_data["url"], "url") if form.cleaned_data["url"] else ""
        site = _site(form.cleaned_data["key"], page_host, origin, ip)
        next_url = form.cleaned_data["next"]
        if next_url and not site.allows(url_host(next_url, "next")):
            raise Rejected(403, _("next must be a page on an allowed domain."), "next")
        ref, submission = _submission(form)
        record_form_submission(
            workspace=collector.workspace_of(site),
            form=ref,
            submission=submission,
            at=timezone.now(),
        )
    except ValidationError as error:  # SubmissionError names the field; others are about data
        field = error.field if isinstance(error, SubmissionError) else ""
        return _refused(Rejected(400, "; ".join(error.messages), field))
    except Rejected as rejected:
        return _refused(rejected)
    if next_url:
        return HttpResponseRedirect(next_url, status=303)
    return _json(202, {"status": "accepted"}, origin)


# --- The snippet ----------------------------------------------------------------------------------
@cache
def _snippet() -> tuple[bytes, str]:
    source = SNIPPET_PATH.read_bytes()
    return source, '"' + hashlib.sha256(source).hexdigest()[:32] + '"'


@login_not_required
@require_http_methods(["GET", "HEAD"])
def snippet(request: HttpRequest) -> HttpResponse:
    """The tracking snippet, cacheable by browsers and CDNs for an hour (revalidated by ETag)."""
    source, etag = _snippet() if not settings.DEBUG else _snippet.__wrapped__()
    headers = {
        "Cache-Control": f"public, max-age={SNIPPET_MAX_AGE}",
        "ETag": etag,
        "Access-Control-Allow-Origin": "*",
        "Last-Modified": http_date(SNIPPET_PATH.stat().st_mtime),
    }
    if request.headers.get("If-None-Match") == etag:
        return HttpResponse(status=304, headers=headers)
    return HttpResponse(
        source, content_type="application/javascript; charset=utf-8", headers=headers
    )
