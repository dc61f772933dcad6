"""Optional HTTP basic auth for every route of the app (pages, /_dash-*, assets, /api).

On when settings.basic_auth is "user:password". Credentials are compared in constant time and never logged.
"""

from __future__ import annotations

import hmac

from flask import Response, request

REALM = "displacement"


class AuthConfigError(ValueError):
    pass


def install(server, settings) -> None:
    """Guard every request to `server` when settings.basic_auth is set; do nothing otherwise."""
    if not settings.basic_auth:
        return
    user, sep, password = settings.basic_auth.partition(":")
    if not sep or not user or not password:
        # The message never repeats the value: it is a secret.
        raise AuthConfigError("DISPLACEMENT_BASIC_AUTH must look like user:password (both non-empty)")
    accounts = [(user.encode(), password.encode())] + reviewer_accounts(settings)

    @server.before_request
    def _require_basic_auth():
        # every account is compared, so timing tells nothing about which one matched
        if not any([allowed(request.authorization, expected) for expected in accounts]):
            return challenge()
        return None


def reviewer_accounts(settings) -> list[tuple[bytes, bytes]]:
    """DISPLACEMENT_REVIEWERS (`user:password,…`): accounts that may also sign in, and review."""
    out = []
    for item in settings.reviewers.split(","):
        user, sep, password = item.strip().partition(":")
        if item.strip() and not (sep and user and password):
            raise AuthConfigError("DISPLACEMENT_REVIEWERS must look like user:password,user2:password2")
        if sep:
            out.append((user.encode(), password.encode()))
    return out


def allowed(authorization, expected: tuple[bytes, bytes]) -> bool:
    """Whether a parsed Authorization header carries the expected user and password."""
    if authorization is None or authorization.type != "basic":
        return False
    user = (authorization.username or "").encode()
    password = (authorization.password or "").encode()
    # Compare both parts every time, so timing tells nothing about which one was wrong.
    user_ok = hmac.compare_digest(user, expected[0])
    password_ok = hmac.compare_digest(password, expected[1])
    return user_ok and password_ok


def challenge() -> Response:
    wants_json = request.path.startswith("/api/") or request.path.startswith("/_dash-")
    body, mimetype = (
        ('{"error": "authentication required", "status": 401}', "application/json")
        if wants_json
        else ("Authentication required.\n", "text/plain")
    )
    response = Response(body, status=401, mimetype=mimetype)
    response.headers["WWW-Authenticate"] = f'Basic realm="{REALM}", charset="UTF-8"'
    return response
