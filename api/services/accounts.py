"""Users, passwords (argon2), login sessions, API tokens and who may see what.

Tokens (cookie sessions and API tokens) are random strings shown once; only their HMAC-SHA256 under the
service secret is stored, so a database dump does not let anyone log in. Every session and API token of a
user ends (its rows are deleted) when its password changes or it is deactivated.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.models import ApiToken, LoginSession, Program, User, utcnow
from api.services import audit, people, throttle
from api.services.errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated
from api.services.passwords import PasswordHasherGate, check_password, normalize_username
from api.services.queue import rows_changed

TOKEN_PREFIX = "dg_"
TOKEN_DAYS_DEFAULT = 90
TOKEN_DAYS_MAX = 365
WRONG_CREDENTIALS = "用户名或密码错误"  # also for an unknown or deactivated user: existence does not leak


class Role(StrEnum):
    ADMIN = "admin"
    SCHOOL = "school"
    READONLY = "readonly"


def token_hash(secret: str, token: str) -> str:
    """The stored form of a session/API token: HMAC-SHA256 under the service secret."""
    return hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()


def find_user(session: Session, username: str) -> User | None:
    """The user whose (normalised) name is ``username``, else None (also for a name that breaks the rules)."""
    try:
        name = normalize_username(username)
    except Invalid:
        return None
    return session.scalar(select(User).where(User.username == name))


def create_user(
    session: Session,
    username: str,
    password: str,
    role: str,
    *,
    hasher: PasswordHasherGate,
    school_name: str | None = None,
    program_ids: list[int] | None = None,
    by: User | None = None,
) -> User:
    """A new user; :class:`Invalid` names the bad field, :class:`Conflict` a taken username.

    The name is stored NFKC-normalised; a name equal to an existing one after normalisation and case
    folding (``ａｄｍｉｎ``, ``Admin`` beside ``admin``) is taken.
    """
    username = normalize_username(username)
    check_password(password, username)
    try:
        parsed = Role(role)
    except ValueError:
        raise Invalid(f"角色应为 admin、school 或 readonly，实际为 {role!r}", [{"field": "role"}]) from None
    if parsed is Role.SCHOOL and not (school_name or "").strip():
        raise Invalid("学校账号必须选择所属学校（花名册中的学校名称）", [{"field": "school_name"}])
    if parsed is Role.SCHOOL and by is not None:
        # an account whose school is on no pair would see nothing, silently: only a school of the roster
        school_name = people.check_school(session, by, school_name or "", program_ids)
    taken = session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    if taken is not None:
        if by is not None and not can_manage(by, taken):
            # usernames are one namespace (a login names no bureau): that the name is used cannot be hidden, but
            # nothing more is said — not its spelling, role or bureau (docs/security.md, "Names")
            raise Conflict(f"用户名 {username} 已被使用，请换一个（例如加上本单位的简称）")
        raise Conflict(f"用户名 {username} 已存在（与 {taken.username} 视为同一个名字）")
    user = User(
        username=username,
        password_hash=hasher.hash(password),
        role=parsed.value,
        school_name=(school_name or "").strip() or None,
        password_changed_at=utcnow(),
        password_set_by_other=by is not None,
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


def ensure_admin(session: Session, username: str, password: str, *, hasher: PasswordHasherGate) -> User:
    """The admin ``username`` (created with ``password`` when missing; an existing password is kept).

    A new admin's password must pass the password rule (:class:`Invalid` otherwise).
    """
    existing = find_user(session, username)
    if existing is not None:
        return existing
    try:
        with session.begin_nested():
            return create_user(session, username, password, Role.ADMIN.value, hasher=hasher)
    except (IntegrityError, Conflict):
        # several API processes started together (docs/deploy.md): another one created it meanwhile
        existing = find_user(session, username)
        if existing is None:
            raise
        return existing


def _throttle_name(username: str) -> str:
    """The name a throttle counter is kept under: the normalised name, or the text as typed when it is invalid."""
    try:
        return normalize_username(username)
    except Invalid:
        return username


def authenticate(
    session: Session,
    username: str,
    password: str,
    *,
    address: str | None,
    secret: str,
    hasher: PasswordHasherGate,
    policy: throttle.ThrottlePolicy,
) -> User:
    """The active user with this username and password, throttled per account name and client address.

    While a backoff runs: :class:`~api.services.errors.TooManyRequests` (429) before any hashing, for known
    and unknown names alike. A wrong password, an unknown name and a deactivated account all cost one argon2
    verification, count as a failure (committed here: it must outlive the refused request) and give the same
    :class:`Unauthenticated`. A success clears the account's counter.
    """
    keys = throttle.keys_for(secret, _throttle_name(username), address, policy)
    throttle.check(session, keys)  # before queueing for a hasher: a locked account costs no argon2 at all
    user = find_user(session, username)
    session.commit()  # nothing written yet: hand the connection back while waiting for a hasher

    def still_allowed() -> None:  # again once a hasher is ours: failures may have locked it meanwhile
        throttle.check(session, keys)
        session.commit()

    ok = hasher.verify(user.password_hash if user is not None else None, password, before=still_allowed)
    if not ok or user is None or not user.active:
        locked = throttle.note_failure(session, keys, policy)
        if locked and user is not None:
            # under the locked user (as its logins are), so the admins of its programs see it in their log
            audit.record(session, user, "auth.locked", f"user:{user.id}", failures_from=address or "")
        session.commit()
        raise Unauthenticated(WRONG_CREDENTIALS)
    throttle.clear_account(session, keys)
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


def end_credentials(session: Session, user: User) -> int:
    """Delete every login session and API token of ``user``; returns how many ended."""
    ended = 0
    for model in (LoginSession, ApiToken):
        result = session.execute(
            delete(model).where(model.user_id == user.id).execution_options(synchronize_session=False)
        )
        ended += rows_changed(result)
    return ended


# --- passwords and activation ------------------------------------------------------------------------


def set_password(session: Session, user: User, password: str, *, hasher: PasswordHasherGate, by: User) -> int:
    """Give ``user`` a new password (checked by the password rule) and end all its sessions and tokens.

    Returns how many sessions/tokens ended.
    """
    check_password(password, user.username)
    user.password_hash = hasher.hash(password)
    user.password_changed_at = utcnow()
    user.password_set_by_other = by.id != user.id
    ended = end_credentials(session, user)
    action = "user.password_change" if by.id == user.id else "user.password_reset"
    audit.record(session, by, action, f"user:{user.id}", ended=ended)
    return ended


def change_own_password(
    session: Session,
    user: User,
    old_password: str,
    new_password: str,
    *,
    address: str | None,
    secret: str,
    hasher: PasswordHasherGate,
    policy: throttle.ThrottlePolicy,
) -> int:
    """The user's own change: the old password is checked (and throttled) exactly like a login."""
    try:
        authenticate(session, user.username, old_password, address=address, secret=secret, hasher=hasher, policy=policy)
    except Unauthenticated:
        raise Invalid("原密码不正确", [{"field": "old_password", "message": "原密码不正确"}]) from None
    if new_password == old_password:  # the one-time password an admin set would stay known to the admin
        raise Invalid("新密码不能与原密码相同", [{"field": "new_password", "message": "新密码不能与原密码相同"}])
    return set_password(session, user, new_password, hasher=hasher, by=user)


def set_active(session: Session, user: User, active: bool, *, by: User) -> None:
    """Deactivate (ending every session and token) or reactivate ``user``.

    :class:`Conflict` when it would leave no active admin (an admin cannot lock everyone out, itself included).
    """
    if user.active == active:
        return
    if not active and user.role == Role.ADMIN:
        others = session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.role == Role.ADMIN.value, User.active.is_(True), User.id != user.id)
        )
        if not others:
            raise Conflict(f"{user.username} 是最后一个启用的管理员账号，不能停用")
    user.active = active
    ended = 0 if active else end_credentials(session, user)
    audit.record(session, by, "user.activate" if active else "user.deactivate", f"user:{user.id}", ended=ended)


def can_manage(by: User, user: User) -> bool:
    """Whether ``by`` may see and administer ``user`` (its tokens, activation, password).

    Oneself always. An admin: the accounts that share one of its programs (its bureau's schools, read-only
    accounts and fellow admins), and non-admin accounts with no program (they can see nothing yet). Not an
    admin of another bureau: resetting its password would hand over that bureau's programs.
    """
    if by.id == user.id:
        return True
    if by.role != Role.ADMIN:
        return False
    theirs = {p.id for p in user.programs}
    if not theirs:
        return user.role != Role.ADMIN
    return bool(theirs & {p.id for p in by.programs})


def list_users(session: Session, *, by: User) -> list[User]:
    """The users ``by`` may manage (:func:`can_manage`), oldest first."""
    return [u for u in session.scalars(select(User).order_by(User.id)) if can_manage(by, u)]


def get_user(session: Session, user_id: int, *, by: User) -> User:
    """The user ``user_id`` when ``by`` may manage it; :class:`NotFound` otherwise (existence does not leak)."""
    user = session.get(User, user_id)
    if user is None or not can_manage(by, user):
        raise NotFound(f"用户 {user_id} 不存在")
    return user


# --- API tokens -------------------------------------------------------------------------------------


def create_token(
    session: Session, user: User, secret: str, name: str = "", days: int = TOKEN_DAYS_DEFAULT
) -> tuple[ApiToken, str]:
    """A new API token for ``user`` valid ``days`` days (1…365): the row and the token text (shown once)."""
    if not 1 <= days <= TOKEN_DAYS_MAX:
        raise Invalid(f"有效期应为 1 到 {TOKEN_DAYS_MAX} 天，实际为 {days}", [{"field": "expires_days"}])
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        token_hash=token_hash(secret, token), user_id=user.id, name=name, expires_at=utcnow() + timedelta(days=days)
    )
    session.add(row)
    session.flush()
    audit.record(session, user, "token.create", f"token:{row.id}", name=name, days=days)
    return row, token


def list_tokens(session: Session, owner: User, *, by: User) -> list[ApiToken]:
    """The tokens of ``owner`` (newest first): one's own, or for an admin those of a user it manages (else 404)."""
    if not can_manage(by, owner):
        raise NotFound(f"用户 {owner.id} 不存在")
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == owner.id).order_by(ApiToken.id.desc())))


def revoke_token(session: Session, token_id: int, *, by: User) -> None:
    """Delete one API token: one's own, or for an admin one of a user it manages. Any other is 404, as a
    missing one."""
    row = session.get(ApiToken, token_id)
    owner = session.get(User, row.user_id) if row is not None else None
    if row is None or owner is None or not can_manage(by, owner):
        raise NotFound(f"令牌 {token_id} 不存在")
    session.delete(row)
    audit.record(session, by, "token.revoke", f"token:{row.id}", user_id=row.user_id, name=row.name)


def user_for_token(session: Session, token: str, secret: str) -> User | None:
    """The active user of an unexpired API token (its last use is noted), else None."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(secret, token)))
    if row is None or row.expires_at < utcnow():
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
