"""Sign-in, sign-out, password reset/change and two-factor pages: reachable, ours, working."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.conftest import World


@pytest.mark.parametrize(
    "name", ["account_login", "account_reset_password", "account_reset_password_done"]
)
def test_public_account_pages_open_for_anonymous_visitors(db: None, name: str) -> None:
    response = Client().get(reverse(name))
    assert response.status_code == 200


def test_the_login_page_is_ours_with_the_product_name(db: None) -> None:
    body = Client().get("/accounts/login/").content.decode()
    assert "<title>" in body and "Touchpoint" in body
    assert "vendor/bootstrap/bootstrap.min.css" in body
    assert 'class="form-control' in body
    assert '<label class="form-label" for="id_login">' in body
    assert reverse("account_reset_password") in body
    assert "Accounts are created by invitation" in body


def test_anonymous_visitors_of_a_workspace_page_are_sent_to_log_in(world: World) -> None:
    response = Client().get("/w/acme/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/w/acme/"


def test_a_user_logs_in_with_their_email_and_lands_in_their_workspace(world: World) -> None:
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": "viewer@acme.test", "password": World.password}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/")["Location"] == "/w/acme/"


def test_a_wrong_password_is_refused_with_a_message(world: World) -> None:
    response = Client().post(
        "/accounts/login/", {"login": "viewer@acme.test", "password": "wrong-password"}
    )
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in (
        response.content.decode()
    )


def test_logging_out_ends_the_session(world: World) -> None:
    client = Client()
    client.force_login(world.users["viewer"])
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert client.get("/w/acme/").status_code == 302


def test_password_reset_sends_a_working_link_by_email(world: World) -> None:
    client = Client()
    response = client.post(reverse("account_reset_password"), {"email": "viewer@acme.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["viewer@acme.test"]
    body = str(mail.outbox[0].body)
    match = re.search(r"http://[^/\s]+(/accounts/password/reset/key/\S+/)", body)
    assert match, mail.outbox[0].body
    form = client.get(match.group(1), follow=True)
    assert form.status_code == 200
    response = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else match.group(1),
        {"password1": "a-brand-new-passphrase-7", "password2": "a-brand-new-passphrase-7"},
    )
    assert response.status_code == 302
    assert Client().login(username="viewer@acme.test", password="a-brand-new-passphrase-7")


def test_a_signed_in_user_changes_their_password(world: World) -> None:
    client = Client()
    client.force_login(world.users["marketer"])
    assert client.get(reverse("account_change_password")).status_code == 200
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": World.password,
            "password1": "another-fine-passphrase-9",
            "password2": "another-fine-passphrase-9",
        },
    )
    assert response.status_code == 302
    world.users["marketer"].refresh_from_db()
    assert world.users["marketer"].check_password("another-fine-passphrase-9")


def test_two_factor_pages_render_in_our_layout(world: World) -> None:
    client = Client()
    client.force_login(world.users["viewer"])
    index = client.get(reverse("mfa_index"))
    assert index.status_code == 200
    assert "Authenticator App" in index.content.decode()
    assert 'class="card' in index.content.decode()
    response = client.get(reverse("mfa_activate_totp"), follow=True)
    body = response.content.decode()
    assert response.status_code == 200
    # Either the activation form (QR code + code field) or allauth's re-authentication step.
    assert "form-control" in body and "navbar" in body


def test_two_factor_login_asks_for_a_code_after_the_password(world: World) -> None:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user = world.users["viewer"]
    TOTP.activate(user, generate_totp_secret())
    assert Authenticator.objects.filter(user=user, type="totp").exists()
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": "viewer@acme.test", "password": World.password}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    page = client.get(response["Location"]).content.decode()
    assert "Two-Factor Authentication" in page and "form-control" in page
    assert client.get("/w/acme/").status_code == 302
