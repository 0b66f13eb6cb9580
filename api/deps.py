"""FastAPI dependencies: the service container, a database session per request and the current user."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Query, Request
from sqlalchemy.orm import Session

from api.blobs import BlobStore
from api.datadir import DataDirs
from api.db import Database
from api.models import User
from api.security import SESSION_COOKIE as SESSION_COOKIE  # re-exported: routes take the name from here
from api.security import bearer_token
from api.services import accounts, people
from api.services.crops import Crops
from api.services.passwords import PasswordHasherGate
from api.services.throttle import ThrottlePolicy
from api.settings import Settings
from api.worker import Converters, Dispatch, Jobs, Worker, worker_name

MAX_ID = 2**63 - 1  # database ids are 64-bit: a larger number is 422 here, not an overflow in the driver

IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="编号（正整数）")]
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID, description="编号（正整数）")]
QueryText = Annotated[str | None, Query(max_length=200)]
# a read-only account may still log in/out, change its password, and make or revoke its own tokens
_READONLY_WRITES = ("/api/auth/", "/api/tokens")
# what a user whose password an admin set (people.must_change_password) may still call: sign in and out, see
# itself, replace the password (docs/security.md); everything else is 403 until it has
MUST_CHANGE_ALLOWED = frozenset({"/api/auth/login", "/api/auth/logout", "/api/me", "/api/auth/password"})
MUST_CHANGE_MESSAGE = "您的密码是管理员设置的一次性密码，请先在“我的账号”中改成自己的密码，再继续操作"


@dataclass
class Services:
    settings: Settings
    db: Database
    blobs: BlobStore
    converters: Converters
    worker: Worker | None = None  # docgen serve's own threads (no broker)
    dispatch: Dispatch | None = None  # how routes announce queued work: the worker above, or the broker
    secret: str = ""
    crops: Crops | None = None
    dirs: DataDirs | None = None
    hasher: PasswordHasherGate = field(default_factory=PasswordHasherGate)
    throttle: ThrottlePolicy = field(default_factory=ThrottlePolicy)


def get_services(request: Request) -> Services:
    """The app's service container (built in the lifespan)."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def regenerator(services: Services) -> Dispatch | Jobs:
    """Who renders a document again for a route: the broker's workers, the in-process worker, or — no worker
    started (``start_worker`` false) — this process; all through :meth:`api.worker.Jobs.regenerate`."""
    if services.dispatch is not None:
        return services.dispatch
    return Jobs(services.settings, services.db, services.blobs, services.converters, worker_name())


def get_settings_dep(services: ServicesDep) -> Settings:
    """The running app's settings."""
    return services.settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def get_session(services: ServicesDep) -> Iterator[Session]:
    """One session per request. Routes that write call ``session.commit()`` before they answer."""
    with services.db.factory() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def current_user(request: Request, session: SessionDep, services: ServicesDep) -> User:
    """The user of a ``Bearer`` API token or of the session cookie; 401 otherwise.

    A read-only account gets 403 for any method but GET/HEAD (outside login, logout and tokens). A user
    still holding a password an admin set gets 403 for everything but :data:`MUST_CHANGE_ALLOWED`.
    """
    user = None
    if (token := bearer_token(request.headers.get("authorization"))) is not None:
        # never falls back to the cookie: api.security exempts bearer requests from the CSRF checks
        user = accounts.user_for_token(session, token, services.secret)
        if user is not None:
            session.commit()  # last_used_at
    elif (cookie := request.cookies.get(SESSION_COOKIE)) is not None:
        user = accounts.user_for_session(session, cookie, services.secret)
    if user is None:
        raise HTTPException(401, "未登录或登录已过期", headers={"WWW-Authenticate": "Bearer"})
    if (
        user.role == accounts.Role.READONLY
        and request.method not in ("GET", "HEAD", "OPTIONS")
        and not request.url.path.startswith(_READONLY_WRITES)
    ):
        raise HTTPException(403, "只读账号不能修改数据")
    if request.url.path not in MUST_CHANGE_ALLOWED and people.must_change_password(user):
        raise HTTPException(403, MUST_CHANGE_MESSAGE, headers={"X-Docgen-Must-Change-Password": "1"})
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def admin_user(user: CurrentUser) -> User:
    """The current user when an admin; 403 otherwise."""
    if user.role != accounts.Role.ADMIN:
        raise HTTPException(403, "此操作需要管理员权限")
    return user


AdminUser = Annotated[User, Depends(admin_user)]
