"""The collector's lean WSGI path: `POST /collect/event` (and its preflight) without the parts of
Django's stack that do nothing for it.

Every page view of every customer site arrives here, and the full middleware stack (sessions,
CSRF, authentication, messages, allauth, htmx, workspace membership, static files) and URL
resolving cost as much CPU as storing the event. None of them applies to this public, csrf-exempt,
login-free JSON endpoint, so `config/wsgi.py` routes its path to `CollectorHandler`, which is
Django's own WSGIHandler with a shorter middleware chain around the very same view
(`tracking.views.collect_event`):

- the request and response objects, the `request_started` / `request_finished` signals (and with
  them `close_old_connections`: connection age and health as in any Django request), exception
  handling and the logging of 4xx/5xx answers are Django's own;
- the middleware that shapes the answer is kept, in the configured order: security headers and
  the HTTPS redirect, the language of the messages (Accept-Language) with its Content-Language
  and Vary headers, host validation and Content-Length, X-Frame-Options;
- validation, rate limits, storage and the answers are the view's: nothing is duplicated.

Any other path goes to the full Django application.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest, HttpResponse
from django.urls import get_script_prefix, reverse
from django.utils.module_loading import import_string

from tracking.views import collect_event

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# The middleware whose work shows in the collector's answers (in settings.MIDDLEWARE's order).
RESPONSE_MIDDLEWARE = frozenset(
    {
        "django.middleware.security.SecurityMiddleware",
        "django.middleware.locale.LocaleMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    }
)


def collector_middleware() -> list[str]:
    """The configured middleware the collector runs through, outermost first."""
    return [path for path in settings.MIDDLEWARE if path in RESPONSE_MIDDLEWARE]


def build_chain(view: Callable[[HttpRequest], HttpResponse]) -> Callable[..., Any]:
    """`view` wrapped in the collector's middleware, each layer turning an exception into a
    response as Django's own chain does."""
    handler = convert_exception_to_response(view)
    for path in reversed(collector_middleware()):
        handler = convert_exception_to_response(import_string(path)(handler))
    return handler


class CollectorChain:
    """Mixin for a Django handler: the collector view behind the collector's middleware, no URL
    resolving (the path was matched by `collector_first`)."""

    _middleware_chain: Any

    def load_middleware(self, is_async: bool = False) -> None:
        self._middleware_chain = build_chain(collect_event)


class CollectorHandler(CollectorChain, WSGIHandler):
    """Django's WSGI handler serving the collector only."""


def collector_path() -> str:
    """The collector's path as the URLconf routes it: a PATH_INFO (without the script prefix)."""
    return "/" + reverse("collect:event").removeprefix(get_script_prefix())


def collector_first(django_app: WSGIApp) -> WSGIApp:
    """A WSGI application that hands the collector's path to `CollectorHandler` and every other
    request to `django_app`."""
    path = collector_path()
    collector = CollectorHandler()

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("PATH_INFO") == path:
            return collector(environ, start_response)
        return django_app(environ, start_response)

    return application
