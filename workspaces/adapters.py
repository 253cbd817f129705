from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Accounts come from invitations (or `createsuperuser`), not open sign-up."""
        return bool(request.session.get("invitation_token"))

    def clean_email(self, email: str) -> str:
        """Sign-up through an invitation must use the invited address (the invitation is for it)."""
        email = super().clean_email(email)
        request = getattr(self, "request", None)
        invited = request.session.get("invitation_email") if request is not None else None
        if invited and email.lower() != invited.lower():
            raise ValidationError(
                _("This invitation is for %(email)s; sign up with that address.")
                % {"email": invited}
            )
        return email
