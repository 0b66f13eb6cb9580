"""Login throttling: exponential backoff per account name and per client address, kept in the database.

Why the database and not memory: several ``docgen serve`` processes may share one database, and a counter in
one process's memory would let an attacker spread guesses over the others (and forget everything at a
restart). The cost is one small read per login and one write per failed login.

The account key is the *name typed*, not a user id, so an unknown name is throttled exactly like a real one:
the answers (401, then 429 with Retry-After) do not tell whether an account exists. A success clears the
account's counter; the address counter is left to age out (else an attacker could reset it with a login to
an account of their own). Behind a reverse proxy every client has the proxy's address: the per-address
threshold is therefore higher, and 0 turns it off.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.models import LoginThrottle, utcnow
from api.services.errors import TooManyRequests
from api.settings import Settings

MESSAGE = "登录失败次数过多，请 {seconds} 秒后再试"


@dataclass(frozen=True)
class ThrottlePolicy:
    """How many failures are allowed, and how long the backoff lasts after that."""

    max_failures: int = 5
    max_failures_per_address: int = 50  # 0: no per-address throttling
    backoff_seconds: float = 30.0
    backoff_max_seconds: float = 3600.0
    window_seconds: float = 86400.0  # a counter with no failure for this long starts again from 0

    @classmethod
    def from_settings(cls, settings: Settings) -> ThrottlePolicy:
        """The policy configured by the ``DOCGEN_LOGIN_*`` settings."""
        return cls(
            max_failures=settings.login_max_failures,
            max_failures_per_address=settings.login_max_failures_per_address,
            backoff_seconds=settings.login_backoff_seconds,
            backoff_max_seconds=settings.login_backoff_max_seconds,
            window_seconds=settings.login_failure_window_seconds,
        )

    def lock_seconds(self, failures: int, threshold: int) -> float:
        """The wait after the ``failures``-th failure: 0 below ``threshold``, then base × 2^(over), capped."""
        if threshold <= 0 or failures < threshold:
            return 0.0
        return float(min(self.backoff_max_seconds, self.backoff_seconds * 2 ** min(failures - threshold, 32)))


@dataclass(frozen=True)
class ThrottleKey:
    """One counter: its stored key (an HMAC), its threshold, and whether it is the account's."""

    key: str
    threshold: int
    account: bool


def keys_for(secret: str, username: str, address: str | None, policy: ThrottlePolicy) -> list[ThrottleKey]:
    """The counters one login attempt touches: the account name's (casefolded) and the client address's."""

    def mac(text: str) -> str:
        return hmac.new(secret.encode(), f"throttle:{text}".encode(), hashlib.sha256).hexdigest()

    keys = [ThrottleKey(mac(f"user:{username.casefold()}"), policy.max_failures, account=True)]
    if address and policy.max_failures_per_address > 0:
        keys.append(ThrottleKey(mac(f"addr:{address}"), policy.max_failures_per_address, account=False))
    return keys


def check(session: Session, keys: list[ThrottleKey], now: datetime | None = None) -> None:
    """:class:`TooManyRequests` (429, Retry-After) while any of ``keys`` is in its backoff."""
    now = now or utcnow()
    rows = session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_([k.key for k in keys])))
    waits = [(row.locked_until - now).total_seconds() for row in rows if row.locked_until and row.locked_until > now]
    if waits:
        seconds = math.ceil(max(waits))
        raise TooManyRequests(MESSAGE.format(seconds=seconds), retry_after=seconds)


def note_failure(
    session: Session, keys: list[ThrottleKey], policy: ThrottlePolicy, now: datetime | None = None
) -> bool:
    """Count one failure on every key (atomically: concurrent processes do not lose counts).

    Returns whether the account's counter has just reached a backoff.
    """
    now = now or utcnow()
    cutoff = now - timedelta(seconds=policy.window_seconds)
    account_locked = False
    for k in keys:
        if session.get(LoginThrottle, k.key) is None:
            try:
                with session.begin_nested():
                    session.add(LoginThrottle(key=k.key, failures=0, last_failure_at=now))
            except IntegrityError:
                pass  # another request created it first: count on its row
        failures = session.execute(
            update(LoginThrottle)
            .where(LoginThrottle.key == k.key)
            .values(
                failures=case((LoginThrottle.last_failure_at < cutoff, 1), else_=LoginThrottle.failures + 1),
                last_failure_at=now,
            )
            .returning(LoginThrottle.failures)
            .execution_options(synchronize_session=False)
        ).scalar_one()
        wait = policy.lock_seconds(failures, k.threshold)
        if wait:
            session.execute(
                update(LoginThrottle)
                .where(LoginThrottle.key == k.key)
                .values(locked_until=now + timedelta(seconds=wait))
                .execution_options(synchronize_session=False)
            )
            account_locked = account_locked or k.account
    return account_locked


def clear_account(session: Session, keys: list[ThrottleKey]) -> None:
    """Forget the account's failures (after a successful login)."""
    for k in keys:
        if k.account:
            row = session.get(LoginThrottle, k.key)
            if row is not None:
                session.delete(row)
