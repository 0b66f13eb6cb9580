"""Login, logout, the current user, API tokens and (admin) users."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from api.deps import SESSION_COOKIE, AdminUser, CurrentUser, ServicesDep, SessionDep
from api.models import User
from api.schemas import LoginIn, TokenIn, TokenOut, UserIn, UserOut
from api.security import clear_session_cookies, set_session_cookies
from api.services import accounts

router = APIRouter(prefix="/api", tags=["auth"])


def user_out(user: User) -> UserOut:
    """A user as the API shows it (with the ids of its programs)."""
    return UserOut(
        id=user.id,
        username=user.username,
        role=user.role,
        school_name=user.school_name,
        program_ids=[p.id for p in user.programs],
    )


@router.post("/auth/login")
def login(body: LoginIn, response: Response, session: SessionDep, services: ServicesDep) -> UserOut:
    user = accounts.authenticate(session, body.username, body.password)
    token = accounts.open_session(session, user, services.secret, services.settings.session_days)
    session.commit()
    set_session_cookies(
        response,
        token,
        secret=services.secret,
        secure=services.settings.cookie_secure,
        max_age=services.settings.session_days * 86400,
    )
    return user_out(user)


@router.post("/auth/logout", status_code=204)
def logout(request: Request, response: Response, session: SessionDep, services: ServicesDep) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.close_session(session, token, services.secret)
        session.commit()
    clear_session_cookies(response)


@router.get("/me")
def me(user: CurrentUser) -> UserOut:
    return user_out(user)


@router.post("/tokens", status_code=201)
def create_token(body: TokenIn, user: CurrentUser, session: SessionDep, services: ServicesDep) -> TokenOut:
    row, token = accounts.create_token(session, user, services.secret, body.name)
    session.commit()
    return TokenOut(id=row.id, token=token)


@router.post("/users", status_code=201)
def create_user(body: UserIn, admin: AdminUser, session: SessionDep) -> UserOut:
    user = accounts.create_user(
        session,
        body.username,
        body.password,
        body.role,
        school_name=body.school_name,
        program_ids=body.programs,
        by=admin,
    )
    session.commit()
    return user_out(user)
