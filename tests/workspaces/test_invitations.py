"""Inviting people by email, and accepting: as an existing user or by signing up."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import World
from tests.workspaces.conftest import settings_url
from workspaces.models import Invitation, Membership, hash_secret

LINK = re.compile(r"http://[^\s\"<>]+/invitations/([A-Za-z0-9_\-]+)/")


def _invite(client: Client, capture: Any, email: str, role: str = "marketer") -> str:
    """Invite through the members page; returns the path of the accept link in the email."""
    outbox_before = len(mail.outbox)
    with capture(execute=True):
        response = client.post(settings_url("invite"), {"email": email, "role": role})
    assert response.status_code == 302, response.content.decode()
    assert len(mail.outbox) == outbox_before + 1
    match = LINK.search(str(mail.outbox[-1].body))
    assert match, mail.outbox[-1].body
    return reverse("accept_invitation", kwargs={"token": match.group(1)})


@pytest.fixture
def invite(admin_client_a: Client, django_capture_on_commit_callbacks: Any) -> Callable[..., str]:
    def make(email: str, role: str = "marketer") -> str:
        return _invite(admin_client_a, django_capture_on_commit_callbacks, email, role)

    return make


def test_an_invitation_email_carries_a_link_whose_token_is_stored_only_as_a_hash(
    world: World, invite: Callable[..., str]
) -> None:
    path = invite("New.Person@Example.com", "viewer")
    token = path.rstrip("/").rsplit("/", 1)[1]
    message = mail.outbox[-1]
    assert message.to == ["new.person@example.com"]
    assert "Acme" in message.subject
    assert "admin@acme.test invited you to join Acme on Touchpoint as Viewer." in message.body
    html = str(message.alternatives[0][0])  # type: ignore[attr-defined]
    assert path in html and "Accept the invitation" in html
    invitation = Invitation.objects.for_workspace(world.a.workspace).get(
        email="new.person@example.com"
    )
    assert invitation.token_hash == hash_secret(token)
    assert token not in str(Invitation.objects.filter(pk=invitation.pk).values().get())


def test_the_members_page_lists_pending_invitations_with_their_expiry(
    world: World, invite: Callable[..., str], admin_client_a: Client
) -> None:
    invite("someone@example.com")
    body = admin_client_a.get(settings_url("members")).content.decode()
    assert "someone@example.com" in body and "Valid until" in body


def test_an_existing_member_cannot_be_invited_again(admin_client_a: Client) -> None:
    response = admin_client_a.post(
        settings_url("invite"), {"email": "Viewer@Acme.test", "role": "admin"}
    )
    assert response.status_code == 200
    assert "viewer@acme.test is already a member of this workspace." in response.content.decode()
    assert len(mail.outbox) == 0


def test_an_invalid_email_is_refused(admin_client_a: Client) -> None:
    response = admin_client_a.post(settings_url("invite"), {"email": "not-an-email", "role": "x"})
    body = response.content.decode()
    assert "Enter a valid email address." in body
    assert "Select a valid choice." in body


def test_a_new_person_signs_up_from_the_link_and_joins_with_the_invited_role(
    world: World, invite: Callable[..., str], client: Client
) -> None:
    path = invite("newbie@example.com", "viewer")
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_signup"))
    signup = client.get(response["Location"])
    assert signup.status_code == 200
    assert 'value="newbie@example.com"' in signup.content.decode()
    response = client.post(
        reverse("account_signup"),
        {
            "email": "newbie@example.com",
            "password1": "a-long-unusual-passphrase-42",
            "password2": "a-long-unusual-passphrase-42",
            "next": path,
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0].startswith("/w/acme/")
    user = get_user_model().objects.get(email="newbie@example.com")
    membership = Membership.objects.get(workspace=world.a.workspace, user=user)
    assert membership.role == "viewer"
    invitation = Invitation.objects.for_workspace(world.a.workspace).get(email="newbie@example.com")
    assert invitation.accepted_at is not None
    assert client.get(path).status_code == 404


def test_signing_up_from_an_invitation_with_another_address_is_refused(
    invite: Callable[..., str], client: Client
) -> None:
    path = invite("invited@example.com")
    client.get(path)
    response = client.post(
        reverse("account_signup"),
        {
            "email": "someone-else@example.com",
            "password1": "a-long-unusual-passphrase-42",
            "password2": "a-long-unusual-passphrase-42",
        },
    )
    assert response.status_code == 200
    assert "This invitation is for invited@example.com" in response.content.decode()
    assert not get_user_model().objects.filter(email="someone-else@example.com").exists()


def test_sign_up_is_closed_without_an_invitation(db: None, client: Client) -> None:
    response = client.get(reverse("account_signup"))
    assert "Touchpoint accounts are created from an invitation" in response.content.decode()
    client.post(
        reverse("account_signup"),
        {"email": "x@example.com", "password1": "a-long-pass-42x", "password2": "a-long-pass-42x"},
    )
    assert not get_user_model().objects.filter(email="x@example.com").exists()


def test_an_existing_user_logs_in_from_the_link_and_confirms(
    world: World, invite: Callable[..., str], client: Client
) -> None:
    path = invite("Outsider@Other.test", "marketer")
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    response = client.post(
        reverse("account_login"),
        {"login": "outsider@other.test", "password": World.password, "next": path},
    )
    assert response.status_code == 302 and response["Location"] == path
    page = client.get(path)
    assert page.status_code == 200
    assert "Join Acme" in page.content.decode()
    assert not Membership.objects.filter(
        workspace=world.a.workspace, user=world.users["outsider"]
    ).exists()
    response = client.post(path)
    assert response.status_code == 302 and response["Location"] == "/w/acme/"
    membership = Membership.objects.get(workspace=world.a.workspace, user=world.users["outsider"])
    assert membership.role == "marketer"


def test_someone_logged_in_as_another_user_is_told_the_invitation_is_not_theirs(
    world: World, invite: Callable[..., str], client_as: Callable[[str], Client]
) -> None:
    path = invite("outsider@other.test")
    marketer = client_as("marketer")
    response = marketer.get(path)
    assert response.status_code == 403
    assert "This invitation is for someone else" in response.content.decode()
    assert marketer.post(path).status_code == 403
    assert not Membership.objects.filter(
        workspace=world.a.workspace, user=world.users["outsider"]
    ).exists()


def test_an_expired_invitation_cannot_be_used(
    world: World, invite: Callable[..., str], client_as: Callable[[str], Client]
) -> None:
    path = invite("outsider@other.test")
    Invitation.objects.filter(email="outsider@other.test").update(
        created_at=timezone.now() - timedelta(days=14, minutes=1)
    )
    response = client_as("outsider").post(path)
    assert response.status_code == 404
    assert "This invitation has expired" in response.content.decode()
    assert not Membership.objects.filter(
        workspace=world.a.workspace, user=world.users["outsider"]
    ).exists()


def test_an_invitation_one_day_short_of_expiry_still_works(
    world: World, invite: Callable[..., str], client_as: Callable[[str], Client]
) -> None:
    path = invite("outsider@other.test")
    Invitation.objects.filter(email="outsider@other.test").update(
        created_at=timezone.now() - timedelta(days=13)
    )
    assert client_as("outsider").post(path).status_code == 302
    assert Membership.objects.filter(
        workspace=world.a.workspace, user=world.users["outsider"]
    ).exists()


def test_a_revoked_invitation_link_stops_working(
    world: World, invite: Callable[..., str], admin_client_a: Client, client: Client
) -> None:
    path = invite("gone@example.com")
    invitation = Invitation.objects.for_workspace(world.a.workspace).get(email="gone@example.com")
    response = admin_client_a.post(settings_url("invitation_revoke", invitation_id=invitation.pk))
    assert response.status_code == 302
    assert not Invitation.objects.filter(pk=invitation.pk).exists()
    response = client.get(path)
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


def test_resending_sends_a_new_link_and_retires_the_old_one(
    world: World,
    invite: Callable[..., str],
    admin_client_a: Client,
    client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    old_path = invite("again@example.com", "viewer")
    invitation = Invitation.objects.for_workspace(world.a.workspace).get(email="again@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_a.post(settings_url("invitation_resend", invitation_id=invitation.pk))
    match = LINK.search(str(mail.outbox[-1].body))
    assert match
    new_path = reverse("accept_invitation", kwargs={"token": match.group(1)})
    assert new_path != old_path
    assert client.get(old_path).status_code == 404
    assert client.get(new_path).status_code == 302
    resent = Invitation.objects.for_workspace(world.a.workspace).get(email="again@example.com")
    assert resent.role == "viewer"


def test_an_unknown_token_answers_404_without_naming_any_workspace(
    world: World, client: Client
) -> None:
    response = client.get(reverse("accept_invitation", kwargs={"token": "made-up"}))
    assert response.status_code == 404
    assert "Acme" not in response.content.decode()


def test_accepting_never_demotes_an_existing_member(
    world: World, client_as: Callable[[str], Client]
) -> None:
    from workspaces import services

    invitation, raw = services.invite_member(
        workspace=world.a.workspace, email="late@example.com", role="viewer", invited_by=None
    )
    Invitation.objects.filter(pk=invitation.pk).update(email="admin@acme.test")
    response = client_as("admin").post(reverse("accept_invitation", kwargs={"token": raw}))
    assert response.status_code == 302
    assert Membership.objects.get(workspace=world.a.workspace, user=world.users["admin"]).role == (
        "admin"
    )
