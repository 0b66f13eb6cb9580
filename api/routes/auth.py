"""Login, logout, passwords, the current user, API tokens and (admin) users."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from api.deps import SESSION_COOKIE, AdminUser, CurrentUser, IdPath, Services, ServicesDep, SessionDep
from api.models import User
from api.schemas import (
    LoginIn,
    PasswordChangeIn,
    TokenIn,
    TokenInfo,
    TokenOut,
    UserCreated,
    UserIn,
    UserOut,
    UserPatch,
)
from api.security import clear_session_cookies, set_session_cookies
from api.services import accounts, people
from api.services.accounts import Role

router = APIRouter(prefix="/api", tags=["auth"])


def user_out(user: User, **extra: Any) -> UserOut:
    """A user as the API shows it (with the ids of its programs; ``extra``: last login, must change…)."""
    return UserOut(
        id=user.id,
        username=user.username,
        role=Role(user.role),
        school_name=user.school_name,
        program_ids=[p.id for p in user.programs],
        active=user.active,
        created_at=user.created_at,
        password_changed_at=user.password_changed_at,
        **extra,
    )


def _client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def _set_session_cookie(response: Response, token: str, services: Services) -> None:
    """The session cookie and its CSRF token cookie (api.security), e.g. after a login or a password change."""
    set_session_cookies(
        response,
        token,
        secret=services.secret,
        secure=services.settings.cookie_secure,
        max_age=services.settings.session_days * 86400,
    )


def _signed_in(session: Session, user: User, response: Response, services: Services) -> UserOut:
    """Open a session for ``user``, commit, set its cookie on ``response``; the user as the API shows it."""
    token = accounts.open_session(session, user, services.secret, services.settings.session_days)
    session.commit()
    _set_session_cookie(response, token, services)
    return user_out(user, must_change_password=people.must_change_password(user))


@router.post("/auth/login")
def login(body: LoginIn, request: Request, response: Response, session: SessionDep, services: ServicesDep) -> UserOut:
    """401 for a wrong name or password (or a deactivated account); 429 + Retry-After while throttled or busy."""
    user = accounts.authenticate(
        session,
        body.username,
        body.password,
        address=_client_address(request),
        secret=services.secret,
        hasher=services.hasher,
        policy=services.throttle,
    )
    return _signed_in(session, user, response, services)


@router.post("/auth/logout", status_code=204)
def logout(request: Request, response: Response, session: SessionDep, services: ServicesDep) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.close_session(session, token, services.secret)
        session.commit()
    clear_session_cookies(response)


@router.post("/auth/password")
def change_password(
    body: PasswordChangeIn,
    request: Request,
    response: Response,
    user: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
) -> UserOut:
    """Change one's own password (the old one is checked and throttled like a login).

    Every session and token of the user ends; this client gets a fresh session cookie.
    """
    accounts.change_own_password(
        session,
        user,
        body.old_password,
        body.new_password,
        address=_client_address(request),
        secret=services.secret,
        hasher=services.hasher,
        policy=services.throttle,
    )
    return _signed_in(session, user, response, services)


@router.get("/me")
def me(user: CurrentUser, session: SessionDep) -> UserOut:
    return user_out(user, must_change_password=people.must_change_password(user))


@router.post("/tokens", status_code=201)
def create_token(body: TokenIn, user: CurrentUser, session: SessionDep, services: ServicesDep) -> TokenOut:
    row, token = accounts.create_token(session, user, services.secret, body.name, body.expires_days)
    session.commit()
    return TokenOut(id=row.id, token=token, expires_at=row.expires_at)


@router.get("/tokens")
def list_tokens(user: CurrentUser, session: SessionDep) -> list[TokenInfo]:
    """One's own API tokens, newest first (never the token text)."""
    return [TokenInfo.model_validate(t) for t in accounts.list_tokens(session, user, by=user)]


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: IdPath, user: CurrentUser, session: SessionDep) -> None:
    """Revoke one's own token; an admin may revoke anyone's. Another user's token is 404."""
    accounts.revoke_token(session, token_id, by=user)
    session.commit()


@router.get("/users")
def list_users(admin: AdminUser, session: SessionDep) -> list[UserOut]:
    """The accounts this admin manages: itself and those sharing one of its programs (docs/security.md)."""
    users = accounts.list_users(session, by=admin)
    logins = people.last_logins(session, [u.id for u in users])
    return [user_out(u, last_login_at=logins.get(u.id)) for u in users]


@router.post("/users", status_code=201)
def create_user(body: UserIn, admin: AdminUser, session: SessionDep, services: ServicesDep) -> UserCreated:
    """A new account. Without ``password`` the service makes a one-time password and returns it this once;
    a school account's ``school_name`` must be a school of the admin's programs (of ``programs`` when given)."""
    generated = people.one_time_password(body.username) if body.password is None else None
    user = accounts.create_user(
        session,
        body.username,
        generated or body.password or "",
        body.role,
        hasher=services.hasher,
        school_name=body.school_name,
        program_ids=body.programs,
        by=admin,
    )
    session.commit()
    return UserCreated(**user_out(user).model_dump(), password=generated)


@router.patch("/users/{user_id}")
def update_user(
    user_id: IdPath, body: UserPatch, admin: AdminUser, session: SessionDep, services: ServicesDep
) -> UserOut:
    """Deactivate/reactivate (``active``) or reset the password (``password``); both end its sessions and tokens."""
    user = accounts.get_user(session, user_id, by=admin)
    if body.password is not None:
        accounts.set_password(session, user, body.password, hasher=services.hasher, by=admin)
    if body.active is not None:
        accounts.set_active(session, user, body.active, by=admin)
    session.commit()
    return user_out(user)


@router.get("/users/{user_id}/tokens")
def list_user_tokens(user_id: IdPath, admin: AdminUser, session: SessionDep) -> list[TokenInfo]:
    """The API tokens of a user this admin manages."""
    owner = accounts.get_user(session, user_id, by=admin)
    return [TokenInfo.model_validate(t) for t in accounts.list_tokens(session, owner, by=admin)]
