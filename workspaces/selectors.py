"""Reads over workspace-level data.

Currency conversion: an `ExchangeRate` row says "1 unit of `currency` = `rate` units of the company
currency from `effective_date` on"; the rate for a day is the newest row effective on or before it.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tracking.models import DEFAULT_ATTRIBUTION_TYPES
from workspaces.models import (
    ApiToken,
    ExchangeRate,
    Invitation,
    Membership,
    Role,
    Team,
    Workspace,
    hash_secret,
)


class MissingExchangeRate(LookupError):
    """No exchange rate for `currency` is effective on `on`; the message is shown to users."""

    def __init__(self, *, currency: str, company_currency: str, on: date) -> None:
        self.currency = currency
        self.on = on
        super().__init__(
            _(
                "No exchange rate from %(currency)s to %(company)s is effective on %(date)s; "
                "an admin can add one in the workspace settings."
            )
            % {"currency": currency, "company": company_currency, "date": on.isoformat()}
        )


@dataclass
class CompanyCurrencyConverter:
    """Converts amounts into the company currency with rates loaded once (no query per amount)."""

    company_currency: str
    _dates: dict[str, list[date]] = field(default_factory=dict)
    _rates: dict[str, list[Decimal]] = field(default_factory=dict)

    def rate(self, *, currency: str, on: date) -> Decimal:
        currency = currency.upper()
        if currency == self.company_currency:
            return Decimal(1)
        dates = self._dates.get(currency, [])
        index = bisect.bisect_right(dates, on) - 1
        if index < 0:
            raise MissingExchangeRate(
                currency=currency, company_currency=self.company_currency, on=on
            )
        return self._rates[currency][index]

    def convert(self, *, amount: Decimal, currency: str, on: date) -> Decimal:
        """`amount` in the company currency (not rounded: round once, after summing)."""
        return amount * self.rate(currency=currency, on=on)


def company_currency_converter(
    *, workspace: Workspace, currencies: Iterable[str] | None = None
) -> CompanyCurrencyConverter:
    """A converter holding the workspace's rates (only for `currencies`, when given)."""
    rows = ExchangeRate.objects.for_workspace(workspace)
    if currencies is not None:
        wanted = {c.upper() for c in currencies} - {workspace.currency}
        if not wanted:
            return CompanyCurrencyConverter(company_currency=workspace.currency)
        rows = rows.filter(currency__in=wanted)
    dates: dict[str, list[date]] = defaultdict(list)
    rates: dict[str, list[Decimal]] = defaultdict(list)
    for currency, effective, rate in rows.order_by("currency", "effective_date").values_list(
        "currency", "effective_date", "rate"
    ):
        dates[currency].append(effective)
        rates[currency].append(rate)
    return CompanyCurrencyConverter(
        company_currency=workspace.currency, _dates=dict(dates), _rates=dict(rates)
    )


def convert_to_company_currency(
    *, workspace: Workspace, amount: Decimal, currency: str, on: date
) -> Decimal:
    """`amount` of `currency` in the workspace's company currency at the rate effective `on`.

    Raises MissingExchangeRate when no rate is effective on that day.
    """
    converter = company_currency_converter(workspace=workspace, currencies=[currency])
    return converter.convert(amount=amount, currency=currency, on=on)


# --- Settings, members, invitations, teams, tokens -------------------------------------------

INVITATION_LIFETIME = timedelta(days=14)


def attribution_interaction_types(*, workspace: Workspace) -> list[str]:
    """The interaction types that count for attribution: the stored list, or the defaults."""
    return list(workspace.attribution_interaction_types or DEFAULT_ATTRIBUTION_TYPES)


def members_of(*, workspace: Workspace) -> QuerySet[Membership]:
    return (
        Membership.objects.for_workspace(workspace)
        .select_related("user")
        .prefetch_related(Prefetch("teams", queryset=Team.objects.order_by("name")))
        .order_by("user__email")
    )


def admin_count(*, workspace: Workspace) -> int:
    return Membership.objects.for_workspace(workspace).filter(role=Role.ADMIN).count()


def pending_invitations(*, workspace: Workspace) -> QuerySet[Invitation]:
    """Invitations not yet accepted, newest first (expired ones included, to resend or revoke)."""
    return (
        Invitation.objects.for_workspace(workspace)
        .filter(accepted_at__isnull=True)
        .select_related("invited_by")
        .order_by("-created_at")
    )


def invitation_expires_at(invitation: Invitation) -> datetime:
    return invitation.created_at + INVITATION_LIFETIME


def invitation_is_expired(invitation: Invitation, *, now: datetime | None = None) -> bool:
    return (now or timezone.now()) >= invitation_expires_at(invitation)


def invitation_for_token(*, raw_token: str) -> Invitation | None:
    """The invitation a link's token belongs to. Unscoped on purpose: the token is the address."""
    if not raw_token or len(raw_token) > 200:
        return None
    return (
        Invitation.objects.unscoped()
        .select_related("workspace", "invited_by")
        .filter(token_hash=hash_secret(raw_token))
        .first()
    )


def user_has_email(*, user: Any, email: str) -> bool:
    """Whether `email` is the user's address (their account email or a verified extra one)."""
    from allauth.account.models import EmailAddress

    if (user.email or "").lower() == email.lower():
        return True
    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def user_exists_with_email(*, email: str) -> bool:
    from allauth.account.models import EmailAddress

    return (
        get_user_model().objects.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email).exists()
    )


def exchange_rates(*, workspace: Workspace) -> QuerySet[ExchangeRate]:
    return ExchangeRate.objects.for_workspace(workspace).order_by("currency", "-effective_date")


def teams_with_members(*, workspace: Workspace) -> QuerySet[Team]:
    members = Membership.objects.select_related("user").order_by("user__email")
    teams: QuerySet[Team] = Team.objects.for_workspace(workspace)
    return (
        teams.annotate(member_count=Count("memberships"))
        .prefetch_related(Prefetch("memberships", queryset=members))
        .order_by("name")
    )


def team_members(*, team: Team) -> QuerySet[Membership]:
    return team.memberships.select_related("user").order_by("user__email")


def api_tokens(*, workspace: Workspace) -> QuerySet[ApiToken]:
    """Active tokens first, then revoked ones; newest first within each."""
    return (
        ApiToken.objects.for_workspace(workspace)
        .select_related("created_by")
        .order_by(F("revoked_at").desc(nulls_first=True), "-created_at")
    )


def admin_workspace_ids(*, user: Any) -> list[int]:
    """Workspaces where `user` is an admin member (what staff may see in Django admin)."""
    return list(
        Membership.objects.unscoped()
        .filter(user=user, role=Role.ADMIN)
        .values_list("workspace_id", flat=True)
    )


@dataclass(frozen=True)
class InvitationRow:
    invitation: Invitation
    expires_at: datetime
    expired: bool


def pending_invitation_rows(*, workspace: Workspace) -> list[InvitationRow]:
    now = timezone.now()
    return [
        InvitationRow(
            invitation=inv,
            expires_at=invitation_expires_at(inv),
            expired=invitation_is_expired(inv, now=now),
        )
        for inv in pending_invitations(workspace=workspace)
    ]
