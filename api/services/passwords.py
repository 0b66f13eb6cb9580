"""Passwords: the one password rule, username normalisation, and argon2 hashing behind a small gate.

The rule (:func:`check_password`) is used wherever a password is set: creating a user, an admin's reset, a
user's own change, ``DOCGEN_ADMIN_PASSWORD`` at startup and ``docgen serve --create-admin``.

argon2 is memory-hard (64 MiB per hash with argon2-cffi's defaults): 40 logins at once once took the server
from 166 MiB to 1 GiB and held other requests for 11 s. :class:`PasswordHasherGate` lets at most
``concurrency`` hashes run at a time and ``queue`` more wait; anything beyond is refused at once with 429,
so a flood of logins costs a bounded amount of memory and leaves the thread pool to other requests.
Callers are plain (threadpool) routes, so the hashing never runs on the event loop; argon2-cffi releases the
GIL while it hashes.
"""

from __future__ import annotations

import gzip
import secrets
import unicodedata
from collections.abc import Callable
from contextlib import AbstractContextManager
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from api.services.errors import Invalid, TooManyRequests
from api.services.gate import Gate

MIN_LENGTH = 10  # characters
MAX_BYTES = 1024  # UTF-8
USERNAME_MAX = 64  # characters, after NFKC
# The 19,640 most common passwords (lowercased), from Django's CommonPasswordValidator list (BSD licence;
# compiled by Royce Williams). Shipped in the package: nothing is downloaded at run time.
COMMON_PASSWORDS = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt.gz"

# Zero-width and bidirectional controls (all are Unicode category Cf, refused with the rest of Cf below;
# listed so the message can say what was found).
_INVISIBLE = {
    0x200B: "零宽空格 U+200B",
    0x200C: "零宽非连接符 U+200C",
    0x200D: "零宽连接符 U+200D",
    0x2060: "字连接符 U+2060",
    0xFEFF: "零宽不换行空格 U+FEFF",
    0x200E: "从左到右标记 U+200E",
    0x200F: "从右到左标记 U+200F",
    **{c: f"双向文字控制符 U+{c:04X}" for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))},
}
# Cc control, Cf format (zero-width, bidi), Cs/Co/Cn surrogate/private/unassigned, Zl/Zp line/paragraph breaks
_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lowercased (read once)."""
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as f:
        return frozenset(line.strip() for line in f if line.strip())


def normalize_username(raw: str) -> str:
    """The stored form of a username: NFKC, outer spaces stripped; :class:`Invalid` names what is wrong.

    NFKC makes full-width ``ａｄｍｉｎ`` the same name as ``admin``. Control, zero-width and bidi characters are
    refused: they make two different names look the same on screen and in the audit log.
    """
    name = unicodedata.normalize("NFKC", raw).strip()
    for ch in name:
        if ch.isspace() and ch != " ":
            problem = f"空白字符 U+{ord(ch):04X}"
        elif unicodedata.category(ch) in _REFUSED_CATEGORIES:
            problem = _INVISIBLE.get(ord(ch), f"控制或不可见字符 U+{ord(ch):04X}")
        else:
            continue
        raise Invalid(f"用户名不能含有{problem}", [{"field": "username", "message": f"含有{problem}"}])
    if not 1 <= len(name) <= USERNAME_MAX:
        message = f"用户名应为 1 到 {USERNAME_MAX} 个字符（规范化后为 {len(name)} 个）"
        raise Invalid(message, [{"field": "username", "message": message}])
    return name


def password_problems(password: str, username: str) -> list[str]:
    """Every way ``password`` breaks the rule for the account ``username`` (empty: acceptable).

    At least 10 characters, at most 1,024 bytes (UTF-8), not the username and — for usernames of three
    characters or more — not containing it (case-insensitive, after NFKC), not in the common-password list.
    """
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"密码至少 {MIN_LENGTH} 个字符（现在 {len(password)} 个）")
    if len(password.encode("utf-8")) > MAX_BYTES:
        problems.append(f"密码不能超过 {MAX_BYTES} 字节（UTF-8 编码）")
    folded = unicodedata.normalize("NFKC", password).casefold()
    name = unicodedata.normalize("NFKC", username).strip().casefold()
    if name and (folded == name or (len(name) >= 3 and name in folded)):
        problems.append("密码不能等于或包含用户名")
    if folded in common_passwords() or password.lower() in common_passwords():
        problems.append("密码在常用密码表中，很容易被猜中")
    return problems


def check_password(password: str, username: str) -> None:
    """:class:`Invalid` naming every rule ``password`` breaks (see :func:`password_problems`)."""
    problems = password_problems(password, username)
    if problems:
        raise Invalid(
            "密码不符合要求：" + "；".join(problems),
            [{"field": "password", "message": p} for p in problems],
        )


class PasswordHasherGate:
    """argon2 hash/verify, at most ``concurrency`` at a time and ``queue`` waiting; beyond that 429 at once.

    One per app (``Services.hasher``): the limit is on this process's memory. ``wait_seconds`` bounds how long
    an admitted caller waits for a slot before it too is refused.
    """

    BUSY = "服务器正忙于核对密码，请稍后再试"

    def __init__(
        self, concurrency: int = 2, queue: int = 4, wait_seconds: float = 10.0, hasher: PasswordHasher | None = None
    ) -> None:
        self._hasher = hasher or PasswordHasher()
        self._gate = Gate(concurrency, queue)
        self._wait = wait_seconds
        self._dummy: str | None = None

    def _slot(self) -> AbstractContextManager[None]:
        return self._gate.enter(
            self._wait,
            full=lambda: TooManyRequests(self.BUSY, retry_after=1),
            late=lambda: TooManyRequests(self.BUSY, retry_after=2),
        )

    def hash(self, password: str) -> str:
        """The argon2 hash of ``password``."""
        with self._slot():
            return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str, before: Callable[[], None] | None = None) -> bool:
        """Whether ``password`` matches ``password_hash``. ``None`` (no such user) costs the same and is False.

        ``before`` runs once a slot is held, just before hashing: a login re-checks its throttle there, so
        attempts that queued while the account got locked are refused instead of verified.
        """
        with self._slot():
            if before is not None:
                before()
            if self._dummy is None:
                self._dummy = self._hasher.hash(secrets.token_hex(16))
            try:
                matched = self._hasher.verify(password_hash or self._dummy, password)
            except (VerificationError, InvalidHashError):
                return False
            return matched and password_hash is not None
