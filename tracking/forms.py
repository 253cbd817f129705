"""Input of the tracking settings page and of the public forms endpoint."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from tracking.validation import (
    KEY_PATTERN,
    MAX_URL_LENGTH,
    VISITOR_PATTERN,
    Rejected,
    clean_text,
    normalize_host,
    url_host,
)
from workspaces.forms import BootstrapForm

MAX_ALLOWED_DOMAINS = 100


def parse_domain_line(line: str) -> str:
    """One allowed domain from what an admin typed or pasted: a host name, or a URL or
    "*.example.com" reduced to its host. Raises ValidationError naming the line's problem."""
    text = line.strip()
    if "://" in text:
        try:
            text = urlsplit(text).hostname or ""
        except ValueError:
            text = ""
    text = text.removeprefix("*.")
    if "/" in text or (":" in text and normalize_host(text) is None):
        raise ValidationError(
            _("%(line)s: enter a host name such as example.com, without a path or port."),
            params={"line": line.strip()},
            code="domain",
        )
    host = normalize_host(text)
    if host is None:
        raise ValidationError(
            _("%(line)s is not a valid host name."), params={"line": line.strip()}, code="domain"
        )
    return host


class AllowedDomainsForm(BootstrapForm):
    allowed_domains = forms.CharField(
        label=_("Allowed domains"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "autocapitalize": "none"}),
        help_text=_(
            "One host name per line, such as example.com. Its subdomains (www.example.com, "
            "shop.example.com) are included. Leave empty to accept page views from any site."
        ),
    )

    @classmethod
    def for_workspace(cls, workspace: Any, data: Any = None) -> AllowedDomainsForm:
        return cls(data, initial={"allowed_domains": "\n".join(workspace.allowed_domains or [])})

    def clean_allowed_domains(self) -> list[str]:
        lines = [line for line in self.cleaned_data["allowed_domains"].splitlines() if line.strip()]
        errors: list[ValidationError] = []
        domains: list[str] = []
        for line in lines:
            try:
                host = parse_domain_line(line)
            except ValidationError as exc:
                errors.append(exc)
                continue
            if host not in domains:
                domains.append(host)
        if errors:
            raise ValidationError(errors)
        if len(domains) > MAX_ALLOWED_DOMAINS:
            raise ValidationError(
                _("Enter at most %(max)s domains (you entered %(count)s)."),
                params={"max": MAX_ALLOWED_DOMAINS, "count": len(domains)},
                code="too_many",
            )
        return domains


# --- The public forms endpoint --------------------------------------------------------------------
def _no_lone_surrogates(value: str) -> None:
    try:
        clean_text(value, str(_("This field")), max_length=len(value) + 1)
    except Rejected as exc:
        raise ValidationError(exc.error, code="text") from exc


class FormSubmissionForm(forms.Form):
    """A form submission as the snippet's helper or any site sends it (JSON or form-encoded).

    Fields the endpoint does not know (the site's own form fields) are ignored.
    """

    key = forms.CharField(
        max_length=40, validators=[RegexValidator(KEY_PATTERN, _("key is not a public key."))]
    )
    form = forms.IntegerField(required=False, min_value=1, max_value=2**62)
    form_id = forms.CharField(required=False, max_length=200, validators=[_no_lone_surrogates])
    form_name = forms.CharField(required=False, max_length=300, validators=[_no_lone_surrogates])
    email = forms.EmailField(max_length=254)
    first_name = forms.CharField(required=False, max_length=120, validators=[_no_lone_surrogates])
    last_name = forms.CharField(required=False, max_length=120, validators=[_no_lone_surrogates])
    url = forms.CharField(required=False, max_length=MAX_URL_LENGTH, strip=True)
    visitor_id = forms.CharField(
        required=False,
        validators=[
            RegexValidator(
                VISITOR_PATTERN,
                _("visitor_id must be 8 to 64 letters, digits, hyphens or underscores."),
            )
        ],
    )
    event_id = forms.UUIDField(required=False)
    next = forms.CharField(required=False, max_length=MAX_URL_LENGTH)

    def _clean_url_field(self, name: str) -> str:
        value = self.cleaned_data.get(name) or ""
        if value:
            try:
                clean_text(value, name, max_length=MAX_URL_LENGTH)
                url_host(value, name)
            except Rejected as exc:
                raise ValidationError(exc.error, code="url") from exc
        return value

    def clean_url(self) -> str:
        return self._clean_url_field("url")

    def clean_next(self) -> str:
        return self._clean_url_field("next")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not self.errors and not (
            data.get("form") or data.get("form_id") or data.get("form_name")
        ):
            raise ValidationError(
                _("Say which form was submitted: form (its id), form_id (your id) or form_name."),
                code="form",
            )
        return data

    def first_error(self) -> tuple[str, str]:
        """(field, message) of the first problem, for the endpoint's error answer."""
        for name, errors in self.errors.items():
            field = "form" if name == "__all__" else name
            return field, f"{field}: {errors[0]}"
        return "", ""
