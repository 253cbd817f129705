"""Django admin: an operator tool, tenant-aware.

Superusers see every workspace. Other staff see only rows of the workspaces where they are an
admin member, and can point a row only at objects of its own workspace. Relations are edited by
id (raw_id_fields) or autocomplete, never with a select of every row in the database.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from workspaces.models import (
    ApiToken,
    ExchangeRate,
    IdempotencyKey,
    Invitation,
    Membership,
    Team,
    Workspace,
    WorkspaceOwned,
)
from workspaces.selectors import admin_workspace_ids


def visible_workspace_ids(request: HttpRequest) -> list[int] | None:
    """None for superusers (everything); else the workspaces the user administers."""
    user = request.user
    if user.is_superuser:
        return None
    cache_name = "_admin_workspace_ids"
    if not hasattr(request, cache_name):
        setattr(request, cache_name, admin_workspace_ids(user=user))
    ids: list[int] = getattr(request, cache_name)
    return ids


class WorkspaceListFilter(admin.SimpleListFilter):
    """Filter by workspace, offering only the workspaces the user may see (cheap on big tables)."""

    title = _("workspace")
    parameter_name = "workspace"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        workspaces = Workspace.objects.order_by("name")
        ids = visible_workspace_ids(request)
        if ids is not None:
            workspaces = workspaces.filter(pk__in=ids)
        return [(str(pk), name) for pk, name in workspaces.values_list("pk", "name")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(workspace_id=int(value))
        return queryset


def _same_workspace_problems(cleaned: dict[str, Any], workspace_id: int | None) -> dict[str, str]:
    """Fields whose chosen object(s) belong to another workspace than the row's."""
    problems: dict[str, str] = {}
    if workspace_id is None:
        return problems
    message = _("Choose an object of the same workspace as this row.")
    for name, value in cleaned.items():
        if name == "workspace":
            continue
        crosses = (isinstance(value, WorkspaceOwned) and value.workspace_id != workspace_id) or (
            isinstance(value, QuerySet)
            and issubclass(value.model, WorkspaceOwned)
            and value.exclude(workspace_id=workspace_id).exists()
        )
        if crosses:
            problems[name] = str(message)
    return problems


class WorkspaceScopedForm(forms.ModelForm):
    """Refuses relations that cross into another workspace (raw ids can name any row)."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        workspace = cleaned.get("workspace")
        workspace_id = workspace.pk if workspace is not None else self.instance.workspace_id
        for name, problem in _same_workspace_problems(cleaned, workspace_id).items():
            self.add_error(name, ValidationError(problem))
        return cleaned


class WorkspaceScopedAdmin(admin.ModelAdmin):
    """Base for every tenant-owned model's admin."""

    form = WorkspaceScopedForm
    list_filter: ClassVar[tuple[Any, ...]] = (WorkspaceListFilter,)
    autocomplete_fields: ClassVar[tuple[str, ...]] = ("workspace",)
    list_select_related: ClassVar[bool | tuple[str, ...]] = ("workspace",)
    list_per_page = 50

    def __init__(self, model: type[models.Model], admin_site: admin.AdminSite) -> None:
        super().__init__(model, admin_site)
        if not self.raw_id_fields:
            # Every relation but the workspace is typed as an id (with the lookup popup, which
            # is itself scoped): a select listing every contact or session would not load.
            opts = model._meta
            # Many-to-many fields with their own through model are not editable in a form.
            editable_m2m = [
                f
                for f in opts.many_to_many
                if getattr(f.remote_field.through, "_meta", None) is None
                or f.remote_field.through._meta.auto_created  # type: ignore[union-attr]
            ]
            relations = [f for f in opts.fields if f.is_relation] + editable_m2m
            raw_id_fields = tuple(
                f.name
                for f in relations
                if f.name != "workspace" and f.name not in self.autocomplete_fields
            )
            # An instance attribute: the stubs call it a ClassVar, Django reads it per instance.
            setattr(self, "raw_id_fields", raw_id_fields)  # noqa: B010

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        ids = visible_workspace_ids(request)
        return queryset if ids is None else queryset.filter(workspace_id__in=ids)

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        ids = visible_workspace_ids(request)
        if db_field.name == "workspace" and ids is not None:
            kwargs["queryset"] = Workspace.objects.filter(pk__in=ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        ids = visible_workspace_ids(request)
        if ids is not None and not ids:
            return False
        return bool(super().has_add_permission(request, *args))


class ReadOnlyWorkspaceScopedAdmin(WorkspaceScopedAdmin):
    """For rows only the application writes (job state, API bookkeeping): view and delete."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ("user", "role", "notify_email", "notify_in_app", "created_at")
    readonly_fields = ("created_at",)
    raw_id_fields = ("user",)
    extra = 0
    show_change_link = True


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "tier", "currency", "time_zone", "created_at")
    list_filter = ("tier",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("public_key", "data_version", "created_at")
    inlines = (MembershipInline,)
    fieldsets = (
        (None, {"fields": ("name", "slug", "tier", "time_zone", "currency")}),
        (
            _("Reports"),
            {
                "fields": (
                    "revenue_window_days",
                    "attribution_interaction_types",
                    "half_life_days",
                    "lookback_days",
                )
            },
        ),
        (
            _("ROI"),
            {
                "fields": (
                    "roi_mode",
                    "roi_average_sale_price",
                    "roi_contact_to_customer_rate",
                    "roi_currency",
                )
            },
        ),
        (
            _("Tracking"),
            {"fields": ("public_key", "allowed_domains", "data_version", "created_at")},
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Workspace]:
        queryset = super().get_queryset(request)
        ids = visible_workspace_ids(request)
        return queryset if ids is None else queryset.filter(pk__in=ids)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A workspace made by a non-superuser would have no admin member, so nobody could see it.
        return bool(request.user.is_superuser and super().has_add_permission(request))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser and super().has_delete_permission(request, obj))


@admin.register(Membership)
class MembershipAdmin(WorkspaceScopedAdmin):
    list_display = ("user", "workspace", "role", "notify_email", "notify_in_app", "created_at")
    list_filter = (WorkspaceListFilter, "role")
    list_select_related = ("workspace", "user")
    search_fields = ("user__email", "user__username", "workspace__name")


@admin.register(Team)
class TeamAdmin(WorkspaceScopedAdmin):
    list_display = ("name", "workspace")
    search_fields = ("name",)


@admin.register(ExchangeRate)
class ExchangeRateAdmin(WorkspaceScopedAdmin):
    list_display = ("currency", "rate", "effective_date", "workspace")
    list_filter = (WorkspaceListFilter, "currency")
    search_fields = ("currency",)
    date_hierarchy = "effective_date"


@admin.register(Invitation)
class InvitationAdmin(WorkspaceScopedAdmin):
    list_display = ("email", "workspace", "role", "invited_by", "created_at", "accepted_at")
    list_select_related = ("workspace", "invited_by")
    search_fields = ("email",)
    readonly_fields = ("token_hash", "created_at", "accepted_at")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        # The accept link exists only in the email the settings page sends.
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(WorkspaceScopedAdmin):
    list_display = ("name", "prefix", "workspace", "created_at", "last_used_at", "revoked_at")
    list_select_related = ("workspace",)
    search_fields = ("name", "prefix")
    readonly_fields = ("prefix", "token_hash", "created_by", "created_at", "last_used_at")
    actions = ("revoke",)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        # The raw token is shown once where it is created: the settings page or
        # `manage.py issue_api_token`.
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        text = ngettext("%(n)d token revoked.", "%(n)d tokens revoked.", count) % {"n": count}
        self.message_user(request, text, messages.SUCCESS)


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyWorkspaceScopedAdmin):
    list_display = ("key", "endpoint", "response_status", "created_at", "workspace")
    search_fields = ("key", "endpoint")
    date_hierarchy = "created_at"
    show_full_result_count = False
