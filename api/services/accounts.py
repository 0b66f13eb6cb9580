"""Users, passwords (argon2), login sessions, API tokens and who may see what.

Tokens (cookie sessions and API tokens) are random strings shown once; only their HMAC-SHA256 under the
service secret is stored, so a database dump does not let anyone log in.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models import ApiToken, LoginSession, Program, User, utcnow
from api.services import audit
from api.services.errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated

_hasher = PasswordHasher()
TOKEN_PREFIX = "dg_"


class Role(StrEnum):
    ADMIN = "admin"
    SCHOOL = "school"
    READONLY = "readonly"


def token_hash(secret: str, token: str) -> str:
    """The stored form of a session/API token: HMAC-SHA256 under the service secret."""
    return hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def create_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    *,
    school_name: str | None = None,
    program_ids: list[int] | None = None,
    by: User | None = None,
) -> User:
    """A new user; :class:`Invalid` names the bad field, :class:`Conflict` a taken username."""
    username = username.strip()
    if not username or len(username) > 100:
        raise Invalid("用户名不能为空，且不超过 100 个字符", [{"field": "username", "message": "用户名无效"}])
    if len(password) < 8:
        raise Invalid("密码至少 8 个字符", [{"field": "password", "message": "密码太短"}])
    try:
        parsed = Role(role)
    except ValueError:
        raise Invalid(f"角色应为 admin、school 或 readonly，实际为 {role!r}", [{"field": "role"}]) from None
    if parsed is Role.SCHOOL and not (school_name or "").strip():
        raise Invalid("学校账号必须填写 school_name（学校全称，与花名册一致）", [{"field": "school_name"}])
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise Conflict(f"用户名 {username} 已存在")
    user = User(
        username=username,
        password_hash=_hasher.hash(password),
        role=parsed.value,
        school_name=(school_name or "").strip() or None,
    )
    if program_ids:
        for pid in program_ids:
            program = session.get(Program, pid)
            if program is None or (by is not None and not can_see_program(by, program)):
                raise NotFound(f"项目 {pid} 不存在")
            user.programs.append(program)
    session.add(user)
    session.flush()
    audit.record(session, by, "user.create", f"user:{user.id}", username=username, role=parsed.value)
    return user


def ensure_admin(session: Session, username: str, password: str) -> User:
    """The admin ``username`` (created with ``password`` when missing; an existing password is kept)."""
    existing = session.scalar(select(User).where(User.username == username))
    if existing is not None:
        return existing
    return create_user(session, username, password, Role.ADMIN.value)


def authenticate(session: Session, username: str, password: str) -> User:
    """The active user with this username and password; :class:`Unauthenticated` otherwise."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.active:
        _hasher.hash(password)  # same time whether or not the user exists
        raise Unauthenticated("用户名或密码错误")
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise Unauthenticated("用户名或密码错误") from None
    return user


def open_session(session: Session, user: User, secret: str, days: int) -> str:
    """A new login session for ``user``; returns the cookie token (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    session.add(
        LoginSession(token_hash=token_hash(secret, token), user_id=user.id, expires_at=utcnow() + timedelta(days=days))
    )
    audit.record(session, user, "auth.login", f"user:{user.id}")
    return token


def close_session(session: Session, token: str, secret: str) -> None:
    """End the login session of this cookie token (nothing when unknown)."""
    row = session.scalar(select(LoginSession).where(LoginSession.token_hash == token_hash(secret, token)))
    if row is not None:
        user = session.get(User, row.user_id)
        session.delete(row)
        audit.record(session, user, "auth.logout", f"user:{row.user_id}")


def user_for_session(session: Session, token: str, secret: str) -> User | None:
    """The active user of an unexpired login session token, else None."""
    row = session.scalar(select(LoginSession).where(LoginSession.token_hash == token_hash(secret, token)))
    if row is None or row.expires_at < utcnow():
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.active else None


def create_token(session: Session, user: User, secret: str, name: str = "") -> tuple[ApiToken, str]:
    """A new API token for ``user``: the row and the token text (shown once)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(token_hash=token_hash(secret, token), user_id=user.id, name=name[:200])
    session.add(row)
    session.flush()
    audit.record(session, user, "token.create", f"token:{row.id}", name=name)
    return row, token


def user_for_token(session: Session, token: str, secret: str) -> User | None:
    """The active user of an API token (its last use is noted), else None."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(secret, token)))
    if row is None:
        return None
    row.last_used_at = utcnow()
    user = session.get(User, row.user_id)
    return user if user is not None and user.active else None


# --- who may see and do what -------------------------------------------------------------------------


def can_see_program(user: User, program: Program) -> bool:
    """Whether ``program`` is one of the user's programs."""
    return any(p.id == program.id for p in user.programs)


def require_admin(user: User) -> None:
    """:class:`Forbidden` unless ``user`` is an admin."""
    if user.role != Role.ADMIN:
        raise Forbidden("此操作需要管理员权限")


def require_writer(user: User) -> None:
    """Admins and school users write; a read-only account may only read."""
    if user.role == Role.READONLY:
        raise Forbidden("只读账号不能修改数据")


def pair_visible(user: User, supporting: list[str], supported: list[str]) -> bool:
    """A school user sees only the pairs its school is on (either side); others see every pair."""
    if user.role != Role.SCHOOL:
        return True
    return user.school_name in supporting or user.school_name in supported
