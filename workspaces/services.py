"""Writes for workspaces: settings, members, invitations, teams, API tokens.

Every function takes keyword-only typed arguments, runs in one transaction and raises
`WorkspaceError` (a ValidationError carrying a user-facing message) for anything the user can fix,
leaving nothing half-written.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tracking.models import NEVER_ATTRIBUTED_TYPES, InteractionType
from workspaces import selectors
from workspaces.models import (
    ApiToken,
    ExchangeRate,
    Invitation,
    Membership,
    RoiCurrency,
    RoiMode,
    Role,
    Team,
    Tier,
    Workspace,
    hash_secret,
    validate_time_zone,
)

_deferred_bumps: ContextVar[set[int] | None] = ContextVar("deferred_bumps", default=None)


def bump_data_version(workspace_id: int) -> None:
    """Mark the workspace's data as changed: report snapshots keyed by the old version go stale.

    One UPDATE with F() so concurrent writers never lose a bump. Inside
    `deferred_data_version_bumps()` the bump is applied once, when the block ends.
    """
    deferred = _deferred_bumps.get()
    if deferred is not None:
        deferred.add(workspace_id)
        return
    Workspace.objects.filter(pk=workspace_id).update(data_version=F("data_version") + 1)


@contextmanager
def deferred_data_version_bumps() -> Iterator[None]:
    """Collect the bumps of a long bulk write and apply each workspace's once, at the end.

    Inside one big transaction every UPDATE of the workspace row adds a row version that each
    later foreign-key check on that row walks (PostgreSQL keeps them until commit), so
    thousands of bumps make millions of inserts slow. Nested blocks join the outer one.
    """
    if _deferred_bumps.get() is not None:
        yield
        return
    pending: set[int] = set()
    token = _deferred_bumps.set(pending)
    try:
        yield
    finally:
        _deferred_bumps.reset(token)
    for workspace_id in sorted(pending):
        bump_data_version(workspace_id)


class WorkspaceError(ValidationError):
    """A change the user asked for that cannot be made; the message says why."""


def _full_clean(obj: Any, *, exclude: Sequence[str] = ()) -> None:
    try:
        obj.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        raise WorkspaceError(exc.messages) from exc


# --- Settings --------------------------------------------------------------------------------


@transaction.atomic
def update_general_settings(
    *,
    workspace: Workspace,
    name: str,
    tier: str,
    time_zone: str,
    currency: str,
    revenue_window_days: int,
) -> Workspace:
    validate_time_zone(time_zone)
    if tier not in Tier.values:
        raise WorkspaceError(_("Choose Professional or Enterprise."))
    if currency != workspace.currency and (
        ExchangeRate.objects.for_workspace(workspace).filter(currency=currency).exists()
    ):
        raise WorkspaceError(
            _(
                "There are exchange rates for %(code)s; delete them before making %(code)s the "
                "company currency."
            )
            % {"code": currency}
        )
    workspace.name = name.strip()
    workspace.tier = tier
    workspace.time_zone = time_zone
    workspace.currency = currency
    workspace.revenue_window_days = revenue_window_days
    _full_clean(workspace)
    workspace.save(update_fields=["name", "tier", "time_zone", "currency", "revenue_window_days"])
    bump_data_version(workspace.pk)
    workspace.refresh_from_db(fields=["data_version"])
    return workspace


@transaction.atomic
def save_exchange_rate(
    *,
    workspace: Workspace,
    currency: str,
    rate: Decimal,
    effective_date: date,
    instance: ExchangeRate | None = None,
) -> ExchangeRate:
    """Add a rate, or change `instance` (which must belong to `workspace`)."""
    currency = currency.upper()
    if currency == workspace.currency:
        raise WorkspaceError(
            _("%(code)s is the company currency; its rate is always 1.") % {"code": currency}
        )
    if rate <= 0:
        raise WorkspaceError(_("The rate must be greater than zero."))
    if instance is not None and instance.workspace_id != workspace.pk:
        raise WorkspaceError(_("That exchange rate belongs to another workspace."))
    row = instance or ExchangeRate(workspace=workspace)
    row.currency, row.rate, row.effective_date = currency, rate, effective_date
    _full_clean(row, exclude=["workspace"])
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as exc:
        raise WorkspaceError(
            _("There is already a %(code)s rate from %(date)s; edit that one instead.")
            % {"code": currency, "date": effective_date.isoformat()}
        ) from exc
    bump_data_version(workspace.pk)
    return row


@transaction.atomic
def delete_exchange_rate(*, rate: ExchangeRate) -> None:
    workspace_id = rate.workspace_id
    rate.delete()
    bump_data_version(workspace_id)


@transaction.atomic
def update_attribution_settings(
    *,
    workspace: Workspace,
    interaction_types: Sequence[str],
    half_life_days: Decimal,
    lookback_days: int | None,
) -> Workspace:
    """Store the explicit list of counting types (in the order of InteractionType)."""
    chosen = set(interaction_types)
    unknown = chosen - set(InteractionType.values)
    if unknown:
        raise WorkspaceError(
            _("Unknown interaction type: %(types)s.") % {"types": ", ".join(sorted(unknown))}
        )
    never = chosen & set(NEVER_ATTRIBUTED_TYPES)
    if never:
        raise WorkspaceError(
            _("%(types)s never count for attribution.")
            % {"types": ", ".join(str(InteractionType(t).label) for t in sorted(never))}
        )
    if not chosen:
        raise WorkspaceError(
            _("Choose at least one interaction type; with none, no conversion gets credit.")
        )
    if half_life_days <= 0:
        raise WorkspaceError(_("The half-life must be greater than zero days."))
    if lookback_days is not None and lookback_days < 1:
        raise WorkspaceError(_("The lookback window must be at least one day, or empty."))
    workspace.attribution_interaction_types = [t for t in InteractionType.values if t in chosen]
    workspace.half_life_days = half_life_days
    workspace.lookback_days = lookback_days
    _full_clean(workspace)
    workspace.save(
        update_fields=["attribution_interaction_types", "half_life_days", "lookback_days"]
    )
    bump_data_version(workspace.pk)
    return workspace


@transaction.atomic
def update_roi_settings(
    *,
    workspace: Workspace,
    mode: str,
    average_sale_price: Decimal,
    contact_to_customer_rate: Decimal,
    currency_mode: str,
) -> Workspace:
    """`contact_to_customer_rate` is a fraction (0.05 for 5 %), as in SPEC §7.5's formula."""
    if mode not in RoiMode.values or currency_mode not in RoiCurrency.values:
        raise WorkspaceError(_("Choose how revenue is counted and which currency to use."))
    if average_sale_price < 0 or not 0 <= contact_to_customer_rate <= 1:
        raise WorkspaceError(
            _("The sale price cannot be negative and the rate must be between 0 and 100 %.")
        )
    if mode == RoiMode.ESTIMATE and (average_sale_price <= 0 or contact_to_customer_rate <= 0):
        raise WorkspaceError(
            _("To estimate revenue, enter an average sale price and a contact-to-customer rate.")
        )
    workspace.roi_mode = mode
    workspace.roi_average_sale_price = average_sale_price
    workspace.roi_contact_to_customer_rate = contact_to_customer_rate
    workspace.roi_currency = currency_mode
    workspace.save(
        update_fields=[
            "roi_mode",
            "roi_average_sale_price",
            "roi_contact_to_customer_rate",
            "roi_currency",
        ]
    )
    bump_data_version(workspace.pk)
    return workspace


# --- Members ---------------------------------------------------------------------------------


def _lock_admins(workspace_id: int) -> list[int]:
    """Lock the workspace's admin memberships so two demotions cannot both pass the check."""
    return list(
        Membership.objects.for_workspace(workspace_id)
        .select_for_update()
        .filter(role=Role.ADMIN)
        .values_list("pk", flat=True)
    )


def _refuse_if_last_admin(membership: Membership, action: str) -> None:
    admins = _lock_admins(membership.workspace_id)
    if admins == [membership.pk]:
        messages = {
            "demote": _(
                "%(email)s is the workspace's only admin; make someone else an admin first."
            ),
            "remove": _(
                "%(email)s is the workspace's only admin and cannot be removed; make someone "
                "else an admin first."
            ),
        }
        raise WorkspaceError(messages[action] % {"email": membership.user.email})


@transaction.atomic
def change_member_role(*, membership: Membership, role: str) -> Membership:
    if role not in Role.values:
        raise WorkspaceError(_("Choose admin, marketer or viewer."))
    if membership.role == Role.ADMIN and role != Role.ADMIN:
        _refuse_if_last_admin(membership, "demote")
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def remove_member(*, membership: Membership) -> None:
    if membership.role == Role.ADMIN:
        _refuse_if_last_admin(membership, "remove")
    membership.delete()


@transaction.atomic
def update_notification_preferences(
    *, membership: Membership, notify_email: bool, notify_in_app: bool
) -> Membership:
    membership.notify_email = notify_email
    membership.notify_in_app = notify_in_app
    membership.save(update_fields=["notify_email", "notify_in_app"])
    return membership


# --- Invitations -----------------------------------------------------------------------------


def invitation_url(raw_token: str) -> str:
    return settings.SITE_URL + reverse("accept_invitation", kwargs={"token": raw_token})


def send_invitation_email(*, invitation: Invitation, raw_token: str) -> None:
    """The email with the accept link (the raw token exists only in this email)."""
    context = {
        "invitation": invitation,
        "workspace": invitation.workspace,
        "inviter": invitation.invited_by,
        "role": invitation.get_role_display(),
        "accept_url": invitation_url(raw_token),
        "expires_at": selectors.invitation_expires_at(invitation),
        "site_url": settings.SITE_URL,
    }
    subject = render_to_string("workspaces/email/invitation_subject.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string("workspaces/email/invitation.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(
        render_to_string("workspaces/email/invitation.html", context), "text/html"
    )
    message.send()


@transaction.atomic
def invite_member(
    *, workspace: Workspace, email: str, role: str, invited_by: Any
) -> tuple[Invitation, str]:
    """Invite `email`; a pending invitation to the same address is replaced (a resend).

    Returns the invitation and its raw token; only the token's sha256 is stored. The email goes
    out once the transaction has committed.
    """
    email = email.strip().lower()
    if role not in Role.values:
        raise WorkspaceError(_("Choose admin, marketer or viewer."))
    if Membership.objects.for_workspace(workspace).filter(user__email__iexact=email).exists():
        raise WorkspaceError(
            _("%(email)s is already a member of this workspace.") % {"email": email}
        )
    Invitation.objects.for_workspace(workspace).filter(
        email__iexact=email, accepted_at__isnull=True
    ).delete()
    raw_token = secrets.token_urlsafe(32)
    invitation = Invitation(
        workspace=workspace,
        email=email,
        role=role,
        token_hash=hash_secret(raw_token),
        invited_by=invited_by if getattr(invited_by, "pk", None) else None,
    )
    _full_clean(invitation, exclude=["workspace", "invited_by"])
    invitation.save()
    language = translation.get_language()

    def send() -> None:
        with translation.override(language):
            send_invitation_email(invitation=invitation, raw_token=raw_token)

    transaction.on_commit(send)
    return invitation, raw_token


@transaction.atomic
def resend_invitation(*, invitation: Invitation, by: Any) -> tuple[Invitation, str]:
    """A new link (and 14 more days) for the same address and role; the old link stops working."""
    if invitation.accepted_at is not None:
        raise WorkspaceError(_("That invitation has already been accepted."))
    return invite_member(
        workspace=invitation.workspace, email=invitation.email, role=invitation.role, invited_by=by
    )


@transaction.atomic
def revoke_invitation(*, invitation: Invitation) -> None:
    if invitation.accepted_at is not None:
        raise WorkspaceError(_("That invitation has already been accepted."))
    invitation.delete()


@transaction.atomic
def accept_invitation(*, invitation: Invitation, user: Any) -> Membership:
    """Join the invitation's workspace as `user`, whose address must be the invited one.

    A user who is already a member keeps their role (an invitation never demotes anyone).
    """
    locked = Invitation.objects.unscoped().select_for_update().filter(pk=invitation.pk).first()
    if locked is None:
        raise WorkspaceError(_("This invitation has been revoked."))
    if locked.accepted_at is not None:
        raise WorkspaceError(_("This invitation has already been used."))
    if selectors.invitation_is_expired(locked):
        raise WorkspaceError(
            _("This invitation has expired; ask an admin of %(workspace)s to send a new one.")
            % {"workspace": locked.workspace.name}
        )
    if not selectors.user_has_email(user=user, email=locked.email):
        raise WorkspaceError(
            _("This invitation was sent to %(email)s; sign in with that address to accept it.")
            % {"email": locked.email}
        )
    membership, _created = Membership.objects.get_or_create(
        workspace=locked.workspace, user=user, defaults={"role": locked.role}
    )
    locked.accepted_at = timezone.now()
    locked.save(update_fields=["accepted_at"])
    invitation.accepted_at = locked.accepted_at
    return membership


# --- Teams (enterprise) ----------------------------------------------------------------------


def _require_enterprise(workspace: Workspace) -> None:
    if not workspace.is_enterprise:
        raise WorkspaceError(_("Teams are part of Enterprise."))


def _unique_team_name(workspace: Workspace, name: str, team: Team | None = None) -> str:
    name = name.strip()
    if not name:
        raise WorkspaceError(_("Give the team a name."))
    clash = Team.objects.for_workspace(workspace).filter(name__iexact=name)
    if team is not None:
        clash = clash.exclude(pk=team.pk)
    if clash.exists():
        raise WorkspaceError(_("There is already a team called %(name)s.") % {"name": name})
    return name


@transaction.atomic
def create_team(*, workspace: Workspace, name: str) -> Team:
    _require_enterprise(workspace)
    team = Team(workspace=workspace, name=_unique_team_name(workspace, name))
    _full_clean(team, exclude=["workspace"])
    team.save()
    return team


@transaction.atomic
def rename_team(*, team: Team, name: str) -> Team:
    _require_enterprise(team.workspace)
    team.name = _unique_team_name(team.workspace, name, team)
    _full_clean(team, exclude=["workspace"])
    team.save(update_fields=["name"])
    return team


@transaction.atomic
def delete_team(*, team: Team) -> None:
    _require_enterprise(team.workspace)
    team.delete()


@transaction.atomic
def add_team_member(*, team: Team, membership: Membership) -> None:
    _require_enterprise(team.workspace)
    if membership.workspace_id != team.workspace_id:
        raise WorkspaceError(_("Only members of this workspace can join its teams."))
    team.memberships.add(membership)


@transaction.atomic
def remove_team_member(*, team: Team, membership: Membership) -> None:
    _require_enterprise(team.workspace)
    team.memberships.remove(membership)


# --- API tokens ------------------------------------------------------------------------------


@transaction.atomic
def create_api_token(
    *, workspace: Workspace, name: str, created_by: Any = None
) -> tuple[ApiToken, str]:
    """A new token; returns it with the raw value, which is never stored (only its sha256)."""
    name = name.strip()
    if not name:
        raise WorkspaceError(_("Give the token a name."))
    raw = ApiToken.PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        workspace=workspace,
        name=name,
        prefix=raw[:10],
        token_hash=hash_secret(raw),
        created_by=created_by if getattr(created_by, "pk", None) else None,
    )
    _full_clean(token, exclude=["workspace", "created_by"])
    token.save()
    return token, raw


@transaction.atomic
def revoke_api_token(*, token: ApiToken) -> ApiToken:
    """Revoke the token (idempotent: revoking twice keeps the first revocation time)."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
