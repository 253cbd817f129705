"""What every endpoint of REST API v1 shares.

- Authentication: `Authorization: Bearer tp_…` (workspaces.api_auth). A token acts for its
  workspace; member roles do not apply to it. A missing, unknown or revoked token is a 401.
- Scoping: every queryset goes through `Model.objects.for_workspace(request.workspace)`, so
  another workspace's id answers 404 exactly like an id that does not exist. Ids in a request
  body are looked up the same way and answer 400 naming the field, again identical for a
  foreign and a missing id.
- Input: JSON only; unknown fields are refused (400) rather than ignored; datetimes are
  ISO 8601 with a time zone (a naive one is a 400 saying so).
- Errors: DRF's field dict (`{"email": ["…"]}`) plus a top-level `detail` string for problems
  that belong to no field; the services' ValidationError and AssociationError become 400s.
- Pagination: `limit` (1 to 1000, default 100) and `offset`.
- Bulk create: `POST <resource>/bulk/` with a list of up to 1,000 objects, all or nothing,
  errors per index: `{"errors": [{"index": 3, "field": "email", "message": "…"}]}`.
- Idempotency: any POST may carry an `Idempotency-Key` header. The same key with the same body
  replays the stored response; with another body or endpoint it is refused with 422. Only
  successful responses are stored, so a request that failed may be retried with its key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, ClassVar, TypeVar, cast

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.views import exception_handler

from assets.services import AssociationError
from workspaces.api_auth import TokenUser, WorkspaceTokenAuthentication
from workspaces.models import ApiToken, IdempotencyKey, Workspace

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
MAX_BULK_ITEMS = 1000
IDEMPOTENCY_KEY_TTL = timedelta(hours=24)
IDEMPOTENCY_HEADER = "Idempotency-Key"
# Query parameters every list accepts besides its filters.
PAGINATION_PARAMS = frozenset({"limit", "offset"})


def request_workspace(request: Request | HttpRequest) -> Workspace:
    """The workspace the request acts for (set by the token authentication)."""
    return cast(Workspace, request.workspace)  # type: ignore[union-attr]


# --- Input: strict serializers and aware datetimes ----------------------------------------------


class AwareDateTimeField(serializers.DateTimeField):
    """ISO 8601 with a time zone; a naive value is refused instead of guessed."""

    default_error_messages = {
        "naive": _(
            "This date and time has no time zone. Send ISO 8601 with an offset or Z, "
            "e.g. 2025-03-01T09:30:00+01:00."
        ),
    }

    def enforce_timezone(self, value: datetime) -> datetime:
        if timezone.is_naive(value):
            self.fail("naive")
        return cast(datetime, super().enforce_timezone(value))


# (Comments, not docstrings, on these bases: drf-spectacular would show a base's docstring as
# the description of every schema component derived from it.)


# Input serializer that refuses keys it does not know (instead of silently dropping them). It only
# validates: the viewsets call the services with its validated_data (it never saves).
# `immutable_fields` are fields of the resource that can be set on create but not changed (or are
# changed elsewhere); sending them to an update says so.
class StrictSerializer(serializers.Serializer):
    # field → why it cannot be sent here ("" for the standard "set on create only" message).
    immutable_fields: ClassVar[Mapping[str, Any]] = {}
    unknown_message: ClassVar[Any] = _("Unknown field. The fields you can send are: %(fields)s.")

    def unknown_field_errors(self, data: Any) -> dict[str, list[str]]:
        if not isinstance(data, Mapping):
            return {}
        allowed = [name for name, field in self.fields.items() if not field.read_only]
        errors: dict[str, list[str]] = {}
        for key in data:
            if key in allowed:
                continue
            if key in self.immutable_fields:
                reason = self.immutable_fields[key] or _(
                    "This field is set when the object is created and cannot be changed."
                )
                errors[str(key)] = [str(reason)]
            else:
                errors[str(key)] = [str(self.unknown_message) % {"fields": ", ".join(allowed)}]
        return errors

    def to_internal_value(self, data: Any) -> Any:
        unknown = self.unknown_field_errors(data)
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if unknown and isinstance(exc.detail, dict):
                raise serializers.ValidationError({**exc.detail, **unknown}) from exc
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


# The query-string filters of a list (a typo in a filter name is a 400, not "everything").
class FilterSerializer(StrictSerializer):
    unknown_message = _("Unknown filter. The filters are: %(fields)s (and limit, offset).")


class WorkspaceRelatedField(serializers.PrimaryKeyRelatedField):
    """An id of a `model` row of the request's workspace; any other id is 'does not exist'."""

    def __init__(self, model: type[models.Model], **kwargs: Any) -> None:
        self.model = model
        kwargs.setdefault("queryset", model._default_manager.none())
        super().__init__(**kwargs)
        self.error_messages["does_not_exist"] = gettext(
            "There is no %(what)s with the id {pk_value} in this workspace."
        ) % {"what": model._meta.verbose_name}

    def get_queryset(self) -> models.QuerySet[Any]:
        return self.model.objects.for_workspace(  # type: ignore[attr-defined]
            request_workspace(self.context["request"])
        )


# Read-only representation of a model; datetimes ISO 8601 with their offset.
class OutputSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: AwareDateTimeField,
    }


# --- Errors ---------------------------------------------------------------------------------------


def _as_text(messages: Any) -> str:
    if isinstance(messages, list | tuple):
        return " ".join(str(m) for m in messages)
    return str(messages)


def django_error_detail(exc: DjangoValidationError) -> dict[str, Any]:
    """A service's ValidationError as DRF-style detail: field → messages, `detail` for the rest."""
    if hasattr(exc, "error_dict"):
        detail: dict[str, Any] = {}
        for field, messages in exc.message_dict.items():
            if field == NON_FIELD_ERRORS:
                detail["detail"] = _as_text(messages)
            else:
                detail[field] = list(messages)
        return detail
    return {"detail": _as_text(exc.messages)}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, with the services' errors as 400s and non-field errors under `detail`."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(django_error_detail(exc))
    elif isinstance(exc, AssociationError):
        exc = exceptions.ValidationError({"detail": str(exc)})
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, list):
        response.data = {"detail": _as_text(data)}
    elif isinstance(data, dict):
        non_field = data.pop(api_settings.NON_FIELD_ERRORS_KEY, None)
        if isinstance(data.get("detail"), list):
            data["detail"] = _as_text(data["detail"])
        if non_field is not None:
            data["detail"] = " ".join(filter(None, [data.get("detail", ""), _as_text(non_field)]))
    return response


def index_errors(index: int, detail: Any, prefix: str = "") -> list[dict[str, Any]]:
    """Flatten (DRF or service) error detail into bulk errors: {index, field, message}.

    Nested fields are dotted (`spend_items.0.amount`); problems of no field have field null.
    """
    if isinstance(detail, dict):
        found: list[dict[str, Any]] = []
        for key, value in detail.items():
            if key in (api_settings.NON_FIELD_ERRORS_KEY, NON_FIELD_ERRORS, "detail"):
                found += index_errors(index, value, prefix)
            else:
                found += index_errors(index, value, f"{prefix}{key}.")
        return found
    if isinstance(detail, list | tuple):
        if all(isinstance(item, dict) for item in detail):
            return [
                error
                for position, item in enumerate(detail)
                for error in index_errors(index, item, f"{prefix}{position}.")
            ]
        return [error for item in detail for error in index_errors(index, item, prefix)]
    field = prefix.rstrip(".") or None
    return [{"index": index, "field": field, "message": str(detail)}]


# --- Permissions and pagination ------------------------------------------------------------------


class HasWorkspaceToken(permissions.BasePermission):
    """A valid API token, which names the workspace the request acts for."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, ApiToken) and (
            getattr(request, "workspace", None) is not None
        )


class ApiPagination(LimitOffsetPagination):
    """limit/offset; a limit outside 1 to 1000 or a negative offset is a 400 naming it."""

    default_limit = DEFAULT_LIMIT
    max_limit = MAX_LIMIT
    template = None

    def _read(self, request: Request, name: str, default: int, low: int, high: int | None) -> int:
        raw = request.query_params.get(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            value = None
        if value is None or value < low or (high is not None and value > high):
            if high is None:
                message = gettext("Use a whole number of %(low)s or more.") % {"low": low}
            else:
                message = gettext("Use a whole number from %(low)s to %(high)s.") % {
                    "low": low,
                    "high": high,
                }
            raise exceptions.ValidationError({name: [message]})
        return value

    def get_limit(self, request: Request) -> int:
        return self._read(request, self.limit_query_param, self.default_limit, 1, self.max_limit)

    def get_offset(self, request: Request) -> int:
        return self._read(request, self.offset_query_param, 0, 0, None)


# --- Idempotency ----------------------------------------------------------------------------------


class _KeyTakenMeanwhile(Exception):
    """A concurrent request holds the same idempotency key (rolls ours back)."""


class _Unsuccessful(Exception):
    """The handler answered with an error: roll back its writes and the key, return `response`."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


def _request_hash(request: Request) -> str:
    body = json.dumps(request.data, sort_keys=True, cls=JSONEncoder, separators=(",", ":"))
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _valid_key(key: str) -> bool:
    return 1 <= len(key) <= 255 and all(33 <= ord(c) <= 126 for c in key)


def _replay(stored: IdempotencyKey, endpoint: str, request_hash: str) -> Response:
    if stored.endpoint != endpoint:
        message = gettext(
            "The Idempotency-Key %(key)s was already used for %(endpoint)s; use a new key for "
            "a new request."
        ) % {"key": stored.key, "endpoint": stored.endpoint}
        return Response({"detail": message}, status=status.HTTP_422_UNPROCESSABLE_ENTITY)
    if stored.request_hash != request_hash:
        message = gettext(
            "The Idempotency-Key %(key)s was already used with a different request body; use a "
            "new key for a new request, or resend the original body."
        ) % {"key": stored.key}
        return Response({"detail": message}, status=status.HTTP_422_UNPROCESSABLE_ENTITY)
    return Response(
        stored.response_body, status=stored.response_status, headers={"Idempotent-Replayed": "true"}
    )


def run_idempotently(*, request: Request, key: str, handler: Callable[[], Response]) -> Response:
    """Run `handler` once per key, storing its successful response with the key in the same
    transaction as its writes, and replay that response for a repeat of the same request.

    The key row is inserted before the handler runs: a concurrent request with the same key
    waits on it (unique constraint) and then replays the first one's response instead of
    writing a second time.
    """
    if not _valid_key(key):
        raise exceptions.ValidationError(
            {
                "detail": gettext(
                    "The Idempotency-Key header must be 1 to 255 visible ASCII characters."
                )
            }
        )
    workspace = request_workspace(request)
    keys = IdempotencyKey.objects.for_workspace(workspace)
    keys.filter(created_at__lt=timezone.now() - IDEMPOTENCY_KEY_TTL).delete()
    endpoint = f"{request.method} {request.path}"
    request_hash = _request_hash(request)
    stored = keys.filter(key=key).first()
    if stored is not None:
        return _replay(stored, endpoint, request_hash)
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    row = IdempotencyKey.objects.create(
                        workspace=workspace,
                        key=key,
                        endpoint=endpoint,
                        request_hash=request_hash,
                        response_status=0,
                        response_body={},
                    )
            except IntegrityError as exc:
                raise _KeyTakenMeanwhile from exc
            response = handler()
            if not status.is_success(response.status_code):
                raise _Unsuccessful(response)
            row.response_status = response.status_code
            row.response_body = json.loads(json.dumps(response.data, cls=JSONEncoder))
            row.save(update_fields=["response_status", "response_body"])
    except _KeyTakenMeanwhile:
        return _replay(keys.get(key=key), endpoint, request_hash)
    except _Unsuccessful as unsuccessful:
        return unsuccessful.response
    return response


# --- The base viewset -----------------------------------------------------------------------------


class WorkspaceViewSet(viewsets.GenericViewSet):
    """A resource of the token's workspace. Subclasses set `model`, the serializers, and
    implement `create_object` / `update_object` / `destroy_object` with the services."""

    authentication_classes = [WorkspaceTokenAuthentication]
    permission_classes = [HasWorkspaceToken]
    pagination_class = ApiPagination
    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]
    # Ids are numbers: /contacts/abc/ is a 404, never a query with a bad value.
    lookup_value_regex = "[0-9]+"
    # No OPTIONS self-description (405): the OpenAPI schema documents the API, and a detail URL
    # never answers anything but 404 for an id outside the token's workspace.
    metadata_class = None

    model: ClassVar[type[models.Model]]
    output_serializer_class: ClassVar[type[serializers.BaseSerializer]]
    input_serializer_class: ClassVar[type[StrictSerializer] | None] = None
    update_serializer_class: ClassVar[type[StrictSerializer] | None] = None
    filter_serializer_class: ClassVar[type[FilterSerializer] | None] = None

    @classmethod
    def as_view(cls, actions: Any = None, **initkwargs: Any) -> Any:
        # Token requests carry no session: LoginRequiredMiddleware must let them through.
        return login_not_required(super().as_view(actions, **initkwargs))

    def get_exception_handler(self) -> Callable[..., Response | None]:
        return api_exception_handler

    @property
    def workspace(self) -> Workspace:
        return request_workspace(self.request)

    def get_queryset(self) -> models.QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):
            # Schema generation: no request, no workspace; the model is all it needs.
            return self.model._default_manager.none()
        return self.model.objects.for_workspace(self.workspace).order_by("id")  # type: ignore[attr-defined]

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action in ("create", "bulk") and self.input_serializer_class is not None:
            return self.input_serializer_class
        if self.action in ("update", "partial_update"):
            chosen = self.update_serializer_class or self.input_serializer_class
            if chosen is not None:
                return chosen
        return self.output_serializer_class

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        key = request.headers.get(IDEMPOTENCY_HEADER)
        post = getattr(self, "post", None)
        if request.method == "POST" and key is not None and post is not None:
            # dispatch() looks the handler up after initial(): wrap it once per request.
            def idempotent_post(request: Request, *args: Any, **kwargs: Any) -> Response:
                return run_idempotently(
                    request=request, key=key, handler=lambda: post(request, *args, **kwargs)
                )

            setattr(self, "post", idempotent_post)  # noqa: B010

    # --- Reading -----------------------------------------------------------------------------

    def filter_queryset(self, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
        if self.action != "list" or self.filter_serializer_class is None:
            return queryset
        params = {k: v for k, v in self.request.query_params.items() if k not in PAGINATION_PARAMS}
        filters = self.filter_serializer_class(data=params, context=self.get_serializer_context())
        filters.is_valid(raise_exception=True)
        return self.apply_filters(queryset, filters.validated_data)

    def apply_filters(
        self, queryset: models.QuerySet[Any], filters: dict[str, Any]
    ) -> models.QuerySet[Any]:
        return queryset

    def represent(self, objects: Iterable[models.Model]) -> list[Any]:
        """Output of saved objects, re-read through get_queryset (annotations, prefetches)."""
        ids = [obj.pk for obj in objects]
        by_id = {obj.pk: obj for obj in self.get_queryset().filter(pk__in=ids)}
        serializer = self.output_serializer_class(
            [by_id[i] for i in ids], many=True, context=self.get_serializer_context()
        )
        return cast(list[Any], serializer.data)

    # --- Writing -----------------------------------------------------------------------------

    def validated_input(
        self, data: Any, *, instance: models.Model | None = None, partial: bool = False
    ) -> dict[str, Any]:
        serializer = self.get_serializer(instance, data=data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    # The writes, one service call each; a viewset defines those its mixins use.

    def create_object(self, data: dict[str, Any]) -> models.Model:
        """CreateMixin / BulkCreateMixin: create one object from validated input."""
        raise NotImplementedError(f"{type(self).__name__} must define create_object()")

    def update_object(self, instance: Any, data: dict[str, Any]) -> models.Model:
        """UpdateMixin: apply validated input (only the given fields for a PATCH)."""
        raise NotImplementedError(f"{type(self).__name__} must define update_object()")

    def destroy_object(self, instance: Any) -> None:
        """DestroyMixin: delete the object."""
        raise NotImplementedError(f"{type(self).__name__} must define destroy_object()")


class ReadMixin(mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """GET list (filtered, paginated) and GET one."""


class CreateMixin:
    def create(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.validated_input(request.data)
        with transaction.atomic():
            obj = self.create_object(data)
        return Response(self.represent([obj])[0], status=status.HTTP_201_CREATED)


class UpdateMixin:
    """PUT replaces the writable fields (left-out optional ones reset); PATCH changes the given
    ones."""

    def update(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        partial = bool(kwargs.pop("partial", False))
        instance = self.get_object()
        data = self.validated_input(request.data, instance=instance, partial=partial)
        with transaction.atomic():
            obj = self.update_object(instance, data if partial else self.full_data(data))
        return Response(self.represent([obj])[0])

    def partial_update(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        return cast(Response, self.update(request, *args, partial=True, **kwargs))

    def full_data(self: Any, data: dict[str, Any]) -> dict[str, Any]:
        """PUT: every writable field, with the serializer's default for those left out."""
        serializer = self.get_serializer()
        full = dict(data)
        for name, field in serializer.fields.items():
            if name in full or field.read_only:
                continue
            if field.default is not serializers.empty:
                full[name] = field.get_default()
            elif field.allow_null:
                full[name] = None
        return full


class DestroyMixin:
    def destroy(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        with transaction.atomic():
            self.destroy_object(instance)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BulkCreateMixin:
    """POST <resource>/bulk/: up to 1,000 objects, created all or nothing in one transaction."""

    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        items = request.data
        if not isinstance(items, list) or not items or len(items) > MAX_BULK_ITEMS:
            message = gettext("Send a JSON list of 1 to %(max)s objects.") % {
                "max": f"{MAX_BULK_ITEMS:,}"
            }
            return Response({"detail": message}, status=status.HTTP_400_BAD_REQUEST)
        validated: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for index, item in enumerate(items):
            serializer = self.get_serializer(data=item)
            if serializer.is_valid():
                validated.append(dict(serializer.validated_data))
            else:
                errors += index_errors(index, serializer.errors)
        if errors:
            return _bulk_refused(errors)
        created: list[models.Model] = []
        with transaction.atomic():
            for index, data in enumerate(validated):
                try:
                    with transaction.atomic():
                        created.append(self.create_object(data))
                except DjangoValidationError as exc:
                    errors += index_errors(index, django_error_detail(exc))
                except AssociationError as exc:
                    errors += index_errors(index, {"detail": str(exc)})
            if errors:
                transaction.set_rollback(True)
                return _bulk_refused(errors)
            results = self.represent(created)
        return Response({"count": len(results), "results": results}, status=status.HTTP_201_CREATED)


def _bulk_refused(errors: list[dict[str, Any]]) -> Response:
    detail = gettext("Nothing was created: %(count)s problem(s) in the list.") % {
        "count": len(errors)
    }
    return Response({"detail": detail, "errors": errors}, status=status.HTTP_400_BAD_REQUEST)


class BulkResultSerializer(serializers.Serializer):
    """Schema of a bulk create's answer (the objects created, in the order sent)."""

    count = serializers.IntegerField()
    results = serializers.ListField(child=serializers.DictField())


class BulkErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    field = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class BulkErrorsSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = BulkErrorSerializer(many=True)


# --- OpenAPI: the token scheme, the schema and the docs page -------------------------------------


class WorkspaceTokenScheme(OpenApiAuthenticationExtension):
    target_class = "workspaces.api_auth.WorkspaceTokenAuthentication"
    name = "workspaceToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": _(
                "A workspace API token (tp_…), created by an admin in the workspace's Settings → "
                "API tokens. It acts for that workspace only."
            ),
        }


# The schema and the docs are for token holders and for logged-in users alike.
DOCS_AUTHENTICATION = [WorkspaceTokenAuthentication, SessionAuthentication]


class ApiSchemaView(SpectacularAPIView):
    authentication_classes = DOCS_AUTHENTICATION
    permission_classes = [permissions.IsAuthenticated]

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        return login_not_required(super().as_view(**initkwargs))


class ApiDocsView(SpectacularSwaggerView):
    """Swagger UI served from the sidecar's static files (no CDN). A browser without a session
    is sent to log in; a token holder may fetch the page with the Authorization header."""

    authentication_classes = DOCS_AUTHENTICATION
    permission_classes = [permissions.IsAuthenticated]
    template_name = "api/docs.html"
    title = _("Touchpoint API v1")  # type: ignore[assignment]

    @classmethod
    def as_view(cls, **initkwargs: Any) -> Any:
        return login_not_required(super().as_view(**initkwargs))

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        page = super().get(request, *args, **kwargs)
        # A token caller is not a site user: the site's context processors (workspace menu,
        # memberships) do not apply to it, so the page renders without the request then.
        site_request = None if isinstance(request.user, TokenUser) else request._request
        html = render_to_string(self.template_name, page.data, request=site_request)
        return HttpResponse(html, headers={"Cross-Origin-Opener-Policy": "unsafe-none"})

    def handle_exception(self, exc: Exception) -> HttpResponseBase:
        if isinstance(exc, exceptions.NotAuthenticated) and "Authorization" not in (
            self.request.headers
        ):
            return redirect_to_login(self.request.get_full_path())
        return cast(HttpResponseBase, super().handle_exception(exc))


# --- OpenAPI documentation of a resource ----------------------------------------------------------

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    location=OpenApiParameter.HEADER,
    required=False,
    description=_(
        "Any string of 1 to 255 visible ASCII characters, new for each new request. Resending the "
        "same body with the same key within 24 hours replays the first response instead of "
        "writing twice; another body with the same key is refused with 422."
    ),
)
VALIDATION_ERROR = OpenApiResponse(
    description=_(
        "Invalid input: an object mapping each field to its messages, plus `detail` for problems "
        "that belong to no field."
    )
)
IDEMPOTENCY_CONFLICT = OpenApiResponse(
    description=_("The Idempotency-Key was already used with another body or endpoint.")
)
NOT_FOUND = OpenApiResponse(
    description=_("No such object in the token's workspace (also for another workspace's id).")
)

T = TypeVar("T")


def documented(tag: str) -> Callable[[T], T]:
    """Class decorator: OpenAPI descriptions of the viewset's actions (request and response
    serializers differ, bulk and idempotency are explained)."""

    def decorate(cls: Any) -> Any:
        out = cls.output_serializer_class
        given = cls.input_serializer_class
        changed = cls.update_serializer_class or given
        post_errors = {400: VALIDATION_ERROR, 422: IDEMPOTENCY_CONFLICT}
        specs: dict[str, Any] = {}
        if hasattr(cls, "list"):
            params = [cls.filter_serializer_class] if cls.filter_serializer_class else []
            specs["list"] = extend_schema(tags=[tag], parameters=params, responses=out(many=True))
        if hasattr(cls, "retrieve"):
            specs["retrieve"] = extend_schema(tags=[tag], responses={200: out, 404: NOT_FOUND})
        if hasattr(cls, "create"):
            specs["create"] = extend_schema(
                tags=[tag],
                request=given,
                parameters=[IDEMPOTENCY_PARAMETER],
                responses={201: out, **post_errors},
            )
        for name in ("update", "partial_update"):
            if hasattr(cls, name):
                specs[name] = extend_schema(
                    tags=[tag], request=changed, responses={200: out, 400: VALIDATION_ERROR}
                )
        if hasattr(cls, "destroy"):
            specs["destroy"] = extend_schema(tags=[tag], responses={204: None, 404: NOT_FOUND})
        if hasattr(cls, "bulk"):
            specs["bulk"] = extend_schema(
                tags=[tag],
                summary=_("Create up to 1,000 at once (all or nothing)"),
                description=_(
                    "A JSON list of objects, each as for a single create. Either every object "
                    "is created, in one transaction, or none is and the answer lists the "
                    "problems by the object's position in the list."
                ),
                request=given(many=True),
                parameters=[IDEMPOTENCY_PARAMETER],
                responses={
                    201: BulkResultSerializer,
                    400: BulkErrorsSerializer,
                    422: IDEMPOTENCY_CONFLICT,
                },
            )
        return extend_schema_view(**specs)(cls)

    return decorate
