from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from workspaces import selectors, services
from workspaces.decorators import admin_required, member_required
from workspaces.forms import (
    NEVER_COUNTING_INTERACTION_TYPES,
    ApiTokenForm,
    AttributionSettingsForm,
    ExchangeRateForm,
    GeneralSettingsForm,
    InviteForm,
    MemberRoleForm,
    NotificationPreferencesForm,
    RoiSettingsForm,
    TeamForm,
    TeamMemberForm,
)
from workspaces.models import (
    ApiToken,
    ExchangeRate,
    Invitation,
    Membership,
    Team,
    memberships_for,
)

NEW_TOKEN_SESSION_KEY = "new_api_token"
INVITATION_SESSION_KEY = "invitation_token"
INVITATION_EMAIL_SESSION_KEY = "invitation_email"


def home(request: HttpRequest) -> HttpResponse:
    """Send the user to the workspace they used last, or their first one."""
    memberships = memberships_for(request.user)  # type: ignore[arg-type]
    last = request.session.get("last_workspace")
    chosen = next((m for m in memberships if m.workspace.slug == last), None) or memberships.first()
    if chosen is None:
        return render(request, "workspaces/no_workspace.html")
    return redirect("workspace_home", workspace_slug=chosen.workspace.slug)


def workspace_home(request: HttpRequest) -> HttpResponse:
    return redirect("campaigns:list", workspace_slug=request.workspace.slug)  # type: ignore[attr-defined]


# --- Helpers ---------------------------------------------------------------------------------


def _ws(request: HttpRequest) -> Any:
    return request.workspace  # type: ignore[attr-defined]


def _to(request: HttpRequest, name: str, **kwargs: Any) -> HttpResponse:
    return redirect(f"workspaces:{name}", workspace_slug=_ws(request).slug, **kwargs)


def _report(request: HttpRequest, error: services.WorkspaceError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _posted(request: HttpRequest) -> Any:
    """The POST data to bind a form to, or None on GET (an empty POST still binds)."""
    return request.POST if request.method == "POST" else None


def _require_admin(request: HttpRequest) -> None:
    """The role check for views addressed by an id: after the lookup, so a foreign id is a 404."""
    if not request.membership.is_admin:  # type: ignore[attr-defined]
        raise PermissionDenied


def _post_only(request: HttpRequest) -> HttpResponse | None:
    """405 for anything but POST, checked after the object lookup so a foreign id is a 404."""
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


def _page(request: HttpRequest, template: str, section: str, **context: Any) -> HttpResponse:
    return render(request, f"workspaces/settings/{template}", {"section": section, **context})


# --- Overview and settings forms -------------------------------------------------------------


@admin_required
@require_GET
def settings_overview(request: HttpRequest) -> HttpResponse:
    workspace = _ws(request)
    return _page(
        request,
        "overview.html",
        "overview",
        member_count=Membership.objects.for_workspace(workspace).count(),
        rate_count=ExchangeRate.objects.for_workspace(workspace).count(),
        token_count=ApiToken.objects.for_workspace(workspace).filter(revoked_at=None).count(),
        team_count=Team.objects.for_workspace(workspace).count(),
        attribution_type_count=len(selectors.attribution_interaction_types(workspace=workspace)),
    )


@admin_required
@require_http_methods(["GET", "POST"])
def general(request: HttpRequest) -> HttpResponse:
    workspace = _ws(request)
    form = GeneralSettingsForm.for_workspace(workspace, _posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_general_settings(workspace=workspace, **form.cleaned_data)
        except services.WorkspaceError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("General settings saved."))
            return _to(request, "general")
    return _page(request, "general.html", "general", form=form)


@admin_required
@require_http_methods(["GET", "POST"])
def exchange_rates(request: HttpRequest) -> HttpResponse:
    workspace = _ws(request)
    form = ExchangeRateForm(_posted(request), workspace=workspace)
    if request.method == "POST" and form.is_valid():
        try:
            rate = services.save_exchange_rate(workspace=workspace, **form.cleaned_data)
        except services.WorkspaceError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Exchange rate for %(code)s added.") % {"code": rate.currency}
            )
            return _to(request, "exchange_rates")
    rates = selectors.exchange_rates(workspace=workspace)
    return _page(request, "exchange_rates.html", "exchange_rates", form=form, rates=rates)


@require_http_methods(["GET", "POST"])
def exchange_rate_edit(request: HttpRequest, rate_id: int) -> HttpResponse:
    workspace = _ws(request)
    rate = get_object_or_404(ExchangeRate.objects.for_workspace(workspace), pk=rate_id)
    _require_admin(request)
    form = ExchangeRateForm(_posted(request), workspace=workspace, instance=rate)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_exchange_rate(workspace=workspace, instance=rate, **form.cleaned_data)
        except services.WorkspaceError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Exchange rate saved."))
            return _to(request, "exchange_rates")
    return _page(request, "exchange_rate_edit.html", "exchange_rates", form=form, rate=rate)


def exchange_rate_delete(request: HttpRequest, rate_id: int) -> HttpResponse:
    rate = get_object_or_404(ExchangeRate.objects.for_workspace(_ws(request)), pk=rate_id)
    _require_admin(request)
    if refused := _post_only(request):
        return refused
    services.delete_exchange_rate(rate=rate)
    messages.success(request, _("Exchange rate deleted."))
    return _to(request, "exchange_rates")


@admin_required
@require_http_methods(["GET", "POST"])
def attribution(request: HttpRequest) -> HttpResponse:
    workspace = _ws(request)
    form = AttributionSettingsForm.for_workspace(workspace, _posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_attribution_settings(workspace=workspace, **form.cleaned_data)
        except services.WorkspaceError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Attribution settings saved."))
            return _to(request, "attribution")
    return _page(
        request,
        "attribution.html",
        "attribution",
        form=form,
        never_counting=NEVER_COUNTING_INTERACTION_TYPES,
        using_defaults=not workspace.attribution_interaction_types,
    )


@admin_required
@require_http_methods(["GET", "POST"])
def roi(request: HttpRequest) -> HttpResponse:
    workspace = _ws(request)
    form = RoiSettingsForm.for_workspace(workspace, _posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_roi_settings(
                workspace=workspace,
                mode=form.cleaned_data["roi_mode"],
                average_sale_price=form.cleaned_data["roi_average_sale_price"] or Decimal(0),
                contact_to_customer_rate=form.rate_fraction,
                currency_mode=form.cleaned_data["roi_currency"],
            )
        except services.WorkspaceError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("ROI settings saved."))
            return _to(request, "roi")
    return _page(request, "roi.html", "roi", form=form)


# --- Members and invitations -----------------------------------------------------------------


def _members_page(request: HttpRequest, invite_form: InviteForm | None = None) -> HttpResponse:
    workspace = _ws(request)
    template = "members.html#members" if request.htmx else "members.html"  # type: ignore[attr-defined]
    return _page(
        request,
        template,
        "members",
        members=selectors.members_of(workspace=workspace),
        invitations=selectors.pending_invitation_rows(workspace=workspace),
        invite_form=invite_form or InviteForm(workspace=workspace),
        role_form=MemberRoleForm(),
    )


def _after_member_change(request: HttpRequest, lost_admin: bool) -> HttpResponse:
    """Back to the member list; or away from settings when the user just lost admin rights."""
    if lost_admin:
        url = reverse("home")
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)  # type: ignore[attr-defined]
    if request.htmx:  # type: ignore[attr-defined]
        return _members_page(request)
    return _to(request, "members")


@admin_required
@require_GET
def members(request: HttpRequest) -> HttpResponse:
    return _members_page(request)


def member_role(request: HttpRequest, member_id: int) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.for_workspace(_ws(request)).select_related("user"), pk=member_id
    )
    _require_admin(request)
    if refused := _post_only(request):
        return refused
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose admin, marketer or viewer."))
        return _after_member_change(request, lost_admin=False)
    try:
        services.change_member_role(membership=membership, role=form.cleaned_data["role"])
    except services.WorkspaceError as error:
        _report(request, error)
        return _after_member_change(request, lost_admin=False)
    messages.success(
        request,
        _("%(email)s is now %(role)s.")
        % {"email": membership.user.email, "role": membership.get_role_display()},
    )
    lost_admin = membership.user_id == request.user.pk and not membership.is_admin
    return _after_member_change(request, lost_admin=lost_admin)


def member_remove(request: HttpRequest, member_id: int) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.for_workspace(_ws(request)).select_related("user"), pk=member_id
    )
    _require_admin(request)
    if refused := _post_only(request):
        return refused
    try:
        services.remove_member(membership=membership)
    except services.WorkspaceError as error:
        _report(request, error)
        return _after_member_change(request, lost_admin=False)
    messages.success(request, _("%(email)s was removed.") % {"email": membership.user.email})
    return _after_member_change(request, lost_admin=membership.user_id == request.user.pk)


@admin_required
@require_POST
def invite(request: HttpRequest) -> HttpResponse:
    workspace = _ws(request)
    form = InviteForm(request.POST, workspace=workspace)
    if form.is_valid():
        try:
            invitation, _raw = services.invite_member(
                workspace=workspace, invited_by=request.user, **form.cleaned_data
            )
        except services.WorkspaceError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return _to(request, "members")
    return _members_page(request, invite_form=form)


def invitation_resend(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation.objects.for_workspace(_ws(request)), pk=invitation_id)
    _require_admin(request)
    if refused := _post_only(request):
        return refused
    try:
        services.resend_invitation(invitation=invitation, by=request.user)
    except services.WorkspaceError as error:
        _report(request, error)
    else:
        messages.success(
            request, _("A new invitation was sent to %(email)s.") % {"email": invitation.email}
        )
    return _to(request, "members")


def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation.objects.for_workspace(_ws(request)), pk=invitation_id)
    _require_admin(request)
    if refused := _post_only(request):
        return refused
    try:
        services.revoke_invitation(invitation=invitation)
    except services.WorkspaceError as error:
        _report(request, error)
    else:
        messages.success(
            request, _("The invitation to %(email)s was revoked.") % {"email": invitation.email}
        )
    return _to(request, "members")


@login_not_required
@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the invitation email. Anyone may open it; the token is the credential."""
    invitation = selectors.invitation_for_token(raw_token=token)
    problem = _invitation_problem(invitation)
    if invitation is None or problem:
        return render(request, "workspaces/invitation.html", {"problem": problem}, status=404)
    here = reverse("accept_invitation", kwargs={"token": token})
    if not request.user.is_authenticated:
        return _send_to_login_or_signup(request, invitation, token, here)
    if not selectors.user_has_email(user=request.user, email=invitation.email):
        context = {"invitation": invitation, "wrong_user": True, "here": here}
        return render(request, "workspaces/invitation.html", context, status=403)
    came_from_signup = request.session.get(INVITATION_SESSION_KEY) == token
    if request.method == "POST" or came_from_signup:
        return _join(request, invitation)
    return render(request, "workspaces/invitation.html", {"invitation": invitation, "here": here})


def _invitation_problem(invitation: Invitation | None) -> str:
    if invitation is None:
        return _(
            "This invitation link is not valid: it may have been revoked or replaced by a "
            "newer one."
        )
    if invitation.accepted_at is not None:
        return _("This invitation has already been used.")
    if selectors.invitation_is_expired(invitation):
        return _("This invitation has expired; ask an admin of the workspace to send a new one.")
    return ""


def _send_to_login_or_signup(
    request: HttpRequest, invitation: Invitation, token: str, here: str
) -> HttpResponse:
    if selectors.user_exists_with_email(email=invitation.email):
        messages.info(
            request,
            _("Log in as %(email)s to join %(workspace)s.")
            % {"email": invitation.email, "workspace": invitation.workspace.name},
        )
        return redirect(f"{reverse('account_login')}?{urlencode({'next': here})}")
    # AccountAdapter.is_open_for_signup lets people with an invitation in their session sign up.
    request.session[INVITATION_SESSION_KEY] = token
    request.session[INVITATION_EMAIL_SESSION_KEY] = invitation.email
    messages.info(
        request,
        _("Create your account to join %(workspace)s.") % {"workspace": invitation.workspace.name},
    )
    query = urlencode({"email": invitation.email, "next": here})
    return redirect(f"{reverse('account_signup')}?{query}")


def _join(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    try:
        membership = services.accept_invitation(invitation=invitation, user=request.user)
    except services.WorkspaceError as error:
        _report(request, error)
        return redirect("home")
    request.session.pop(INVITATION_SESSION_KEY, None)
    request.session.pop(INVITATION_EMAIL_SESSION_KEY, None)
    messages.success(
        request, _("Welcome to %(workspace)s.") % {"workspace": invitation.workspace.name}
    )
    return redirect("workspace_home", workspace_slug=membership.workspace.slug)


# --- Teams -----------------------------------------------------------------------------------


def _gate_or(request: HttpRequest) -> HttpResponse | None:
    """The Enterprise gate page for professional workspaces (never a broken page)."""
    if _ws(request).is_enterprise:
        return None
    return _page(request, "teams.html", "teams", gated=True)


@admin_required
@require_http_methods(["GET", "POST"])
def teams(request: HttpRequest) -> HttpResponse:
    workspace = _ws(request)
    if gate := _gate_or(request):
        return gate
    form = TeamForm(_posted(request), workspace=workspace)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.create_team(workspace=workspace, name=form.cleaned_data["name"])
        except services.WorkspaceError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Team %(name)s created.") % {"name": team.name})
            return _to(request, "team_detail", team_id=team.pk)
    teams = selectors.teams_with_members(workspace=workspace)
    return _page(request, "teams.html", "teams", form=form, teams=teams)


@require_http_methods(["GET", "POST"])
def team_detail(request: HttpRequest, team_id: int) -> HttpResponse:
    workspace = _ws(request)
    team = get_object_or_404(Team.objects.for_workspace(workspace), pk=team_id)
    _require_admin(request)
    if gate := _gate_or(request):
        return gate
    form = TeamForm(_posted(request), workspace=workspace, team=team)
    if request.method == "POST" and form.is_valid():
        try:
            services.rename_team(team=team, name=form.cleaned_data["name"])
        except services.WorkspaceError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Team renamed."))
            return _to(request, "team_detail", team_id=team.pk)
    return _team_page(request, team, form=form)


def _team_page(
    request: HttpRequest,
    team: Team,
    form: TeamForm | None = None,
    member_form: TeamMemberForm | None = None,
) -> HttpResponse:
    workspace = _ws(request)
    return _page(
        request,
        "team_detail.html",
        "teams",
        team=team,
        form=form or TeamForm(workspace=workspace, team=team),
        member_form=member_form or TeamMemberForm(workspace=workspace, team=team),
        team_members=selectors.team_members(team=team),
    )


def team_delete(request: HttpRequest, team_id: int) -> HttpResponse:
    team = get_object_or_404(Team.objects.for_workspace(_ws(request)), pk=team_id)
    _require_admin(request)
    if refused := _post_only(request):
        return refused
    if gate := _gate_or(request):
        return gate
    services.delete_team(team=team)
    messages.success(request, _("Team %(name)s deleted.") % {"name": team.name})
    return _to(request, "teams")


def team_member_add(request: HttpRequest, team_id: int) -> HttpResponse:
    workspace = _ws(request)
    team = get_object_or_404(Team.objects.for_workspace(workspace), pk=team_id)
    _require_admin(request)
    if refused := _post_only(request):
        return refused
    if gate := _gate_or(request):
        return gate
    form = TeamMemberForm(request.POST, workspace=workspace, team=team)
    if not form.is_valid():
        return _team_page(request, team, member_form=form)
    services.add_team_member(team=team, membership=form.cleaned_data["membership"])
    messages.success(request, _("Member added to %(name)s.") % {"name": team.name})
    return _to(request, "team_detail", team_id=team.pk)


def team_member_remove(request: HttpRequest, team_id: int, member_id: int) -> HttpResponse:
    workspace = _ws(request)
    team = get_object_or_404(Team.objects.for_workspace(workspace), pk=team_id)
    membership = get_object_or_404(Membership.objects.for_workspace(workspace), pk=member_id)
    _require_admin(request)
    if refused := _post_only(request):
        return refused
    if gate := _gate_or(request):
        return gate
    services.remove_team_member(team=team, membership=membership)
    messages.success(request, _("Member removed from %(name)s.") % {"name": team.name})
    return _to(request, "team_detail", team_id=team.pk)


# --- API tokens ------------------------------------------------------------------------------


@admin_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    workspace = _ws(request)
    form = ApiTokenForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        token, raw = services.create_api_token(
            workspace=workspace, name=form.cleaned_data["name"], created_by=request.user
        )
        # Kept in the session only until the next page shows it, once.
        request.session[NEW_TOKEN_SESSION_KEY] = {"id": token.pk, "raw": raw}
        return _to(request, "api_token_created")
    tokens = selectors.api_tokens(workspace=workspace)
    return _page(request, "api_tokens.html", "api_tokens", form=form, tokens=tokens)


@admin_required
@require_GET
def api_token_created(request: HttpRequest) -> HttpResponse:
    new = request.session.pop(NEW_TOKEN_SESSION_KEY, None) or {}
    token = ApiToken.objects.for_workspace(_ws(request)).filter(pk=new.get("id")).first()
    if token is None:
        messages.info(
            request,
            _(
                "A token is shown only once, right after it is created. Create a new one if you "
                "lost it."
            ),
        )
        return _to(request, "api_tokens")
    return _page(request, "api_token_created.html", "api_tokens", token=token, raw=new["raw"])


def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.for_workspace(_ws(request)), pk=token_id)
    _require_admin(request)
    if refused := _post_only(request):
        return refused
    services.revoke_api_token(token=token)
    messages.success(
        request, _("Token %(name)s revoked; it no longer works.") % {"name": token.name}
    )
    return _to(request, "api_tokens")


# --- Every member: notification preferences --------------------------------------------------


@member_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    form = NotificationPreferencesForm.for_membership(membership, _posted(request))
    if request.method == "POST" and form.is_valid():
        services.update_notification_preferences(membership=membership, **form.cleaned_data)
        messages.success(request, _("Notification preferences saved."))
        return _to(request, "preferences")
    return render(request, "workspaces/preferences.html", {"form": form})
