"""The 账号 screen's own routes beside those of api.routes.auth: the schools a school account may be given,
and a password reset that hands back a one-time password."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import AdminUser, IdPath, IdQuery, ServicesDep, SessionDep
from api.routes.auth import user_out
from api.schemas import PasswordResetOut, SchoolOut
from api.services import accounts, people, programs

router = APIRouter(prefix="/api", tags=["auth"])


@router.get("/schools")
def list_schools(admin: AdminUser, session: SessionDep, program: IdQuery = None) -> list[SchoolOut]:
    """The schools of the current rosters of this admin's programs (``program``: of that one; 404 when it is
    not the admin's), each with the programs it is in: what a school account's ``school_name`` may be."""
    if program is not None:
        programs.get_program(session, admin, program)
    chosen = [program] if program is not None else None
    return [
        SchoolOut(name=s.name, program_ids=s.program_ids, program_names=s.program_names)
        for s in people.bureau_schools(session, admin, chosen)
    ]


@router.post("/users/{user_id}/reset-password")
def reset_password(user_id: IdPath, admin: AdminUser, session: SessionDep, services: ServicesDep) -> PasswordResetOut:
    """A new one-time password for a user this admin manages (shown in this response only). Every session
    and API token of the user ends; the user should change the password after signing in."""
    user = accounts.get_user(session, user_id, by=admin)
    password = people.one_time_password(user.username)
    accounts.set_password(session, user, password, hasher=services.hasher, by=admin)
    session.commit()
    return PasswordResetOut(user=user_out(user, must_change_password=user.id != admin.id), password=password)
