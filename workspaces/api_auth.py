"""Bearer-token authentication for API v1: the token names its workspace."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from workspaces.models import ApiToken, hash_secret


class TokenUser:
    """The API caller: a workspace, not a person."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    pk = None

    def __init__(self, token: ApiToken) -> None:
        self.token = token
        self.workspace = token.workspace

    def __str__(self) -> str:
        return f"token {self.token.prefix}"


class WorkspaceTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if len(parts) != 2 or parts[0] not in {"Bearer", "Token"}:
            raise exceptions.AuthenticationFailed("Use the header 'Authorization: Bearer <token>'.")
        token = (
            ApiToken.objects.unscoped()
            .select_related("workspace")
            .filter(token_hash=hash_secret(parts[1]), revoked_at__isnull=True)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed("The API token is unknown or revoked.")
        ApiToken.objects.unscoped().filter(pk=token.pk).update(last_used_at=timezone.now())
        request.workspace = token.workspace
        return TokenUser(token), token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
