"""What the 账号 screen needs beside :mod:`api.services.accounts`: the bureau's schools to pick a school
account's school from, the check that a school name is one of them, one-time passwords, last logins.

A school account sees the pairs its ``school_name`` is on (:func:`api.services.rosters.visible_pairs`), so a
name that matches no school of the bureau's programs gives an account that sees nothing — silently. The
names offered and accepted are the schools of the current pairs of the programs the admin runs.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.models import AuditEvent, Pair, Program, User
from api.services.errors import Invalid
from api.services.passwords import check_password

# no 0/O, 1/l/I: a one-time password is read off a screen and typed, or said over the phone
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


@dataclass
class SchoolChoice:
    """One school of the bureau's programs: its name as the roster has it and the programs it is in."""

    name: str
    program_ids: list[int] = field(default_factory=list)
    program_names: list[str] = field(default_factory=list)


def bureau_schools(session: Session, admin: User, program_ids: list[int] | None = None) -> list[SchoolChoice]:
    """The schools of the current pairs of ``admin``'s programs (only ``program_ids`` of them when given),
    by name, each with the programs it is in, in roster order (program by program, pair by pair)."""
    mine = [p for p in admin.programs if program_ids is None or p.id in program_ids]
    out: dict[str, SchoolChoice] = {}
    for program in sorted(mine, key=lambda p: p.id):
        query = (
            select(Pair)
            .where(Pair.program_id == program.id, Pair.removed_at.is_(None))
            .order_by(Pair.number, Pair.id)
        )
        for pair in session.scalars(query):
            for name in [*pair.supporting, *pair.supported]:
                choice = out.setdefault(str(name), SchoolChoice(str(name)))
                if program.id not in choice.program_ids:
                    choice.program_ids.append(program.id)
                    choice.program_names.append(program.name)
    return list(out.values())


def check_school(session: Session, admin: User, school_name: str, program_ids: list[int] | None) -> str:
    """``school_name`` (trimmed) when it is a school of the admin's programs (of ``program_ids`` when given);
    :class:`Invalid` in words otherwise — an account that matches no pair would see nothing."""
    name = school_name.strip()
    schools = bureau_schools(session, admin, program_ids or None)
    if any(s.name == name for s in schools):
        return name
    where = "所选项目" if program_ids else "本局的项目"
    if not schools:
        message = f"学校“{name}”无法核对：{where}还没有导入花名册。请先导入花名册，再为其中的学校建账号"
    else:
        close = [s.name for s in schools if name and (name in s.name or s.name in name)][:3]
        hint = f"；是否指：{'、'.join(close)}" if close else ""
        message = f"学校“{name}”不在{where}的花名册中（共 {len(schools)} 所学校）{hint}。请从列表中选择学校"
    raise Invalid(message, [{"field": "school_name", "value": name, "message": message}])


def one_time_password(username: str) -> str:
    """A random password an admin hands over once (``k7qm-x3vz-9pwe``: 12 of 31 unambiguous characters,
    ≈ 59 bits), checked by the password rule like any other."""
    while True:
        words = ["".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(3)]
        password = "-".join(words)
        try:
            check_password(password, username)
        except Invalid:
            continue  # e.g. it happened to contain the username: draw again
        return password


def last_logins(session: Session, user_ids: list[int]) -> dict[int, datetime]:
    """Each user's last login (from the audit log's ``auth.login`` events); a user never signed in is absent."""
    if not user_ids:
        return {}
    query = (
        select(AuditEvent.user_id, func.max(AuditEvent.at))
        .where(AuditEvent.action == "auth.login", AuditEvent.user_id.in_(user_ids))
        .group_by(AuditEvent.user_id)
    )
    return {int(uid): at for uid, at in session.execute(query) if uid is not None}


def must_change_password(user: User) -> bool:
    """Whether ``user``'s password was last set by someone else (an admin created the account or reset its
    password): the user should replace that one-time password with its own. Set where passwords are set
    (``api.services.accounts``)."""
    return user.password_set_by_other


def programs_named(session: Session, ids: list[int]) -> dict[int, str]:
    """Program id → name, for the ids given."""
    if not ids:
        return {}
    return {p.id: p.name for p in session.scalars(select(Program).where(Program.id.in_(ids)))}
